"""``paperfeed index``: resumable embedding, vectors rebuilt from the database, encoders that agree."""

from __future__ import annotations

import numpy as np
import pytest

from paperfeed.index import engine, forget, index_root, job
from paperfeed.index.embed import MODEL_NAME, OnnxQueryEncoder, QueryEncoder, onnx_model_bytes
from paperfeed.store import vectors as store_vectors
from tests.helpers.search import FILES, load


class Failing:
    """Embeds ``ok`` texts, then fails: an interrupted job."""

    description = "failing"

    def __init__(self, inner, ok: int):
        self.inner, self.ok = inner, ok

    def encode(self, texts, batch_size=32):
        if self.ok < len(texts):
            raise KeyboardInterrupt
        self.ok -= len(texts)
        return self.inner.encode(texts, batch_size)


def test_an_interrupted_job_resumes_and_vectors_rebuild_from_the_database(store, settings, encoder):
    load(store, FILES / "papers-page-sample.txt")
    settings = settings.model_copy(update={"embed_batch_size": 8})  # 256-paper batches: 102 fit in one
    with pytest.raises(KeyboardInterrupt):
        job.run(store, settings, encoder=Failing(encoder, ok=0))
    with store.read() as conn:
        assert store_vectors.count_to_embed(conn, MODEL_NAME) == 102
    report = job.run(store, settings, encoder=encoder)
    assert report.embedded == 102 and report.vectors == 102
    assert job.run(store, settings, encoder=Failing(encoder, ok=0)).embedded == 0  # nothing left to do
    (index_root(settings) / "vectors" / "vectors.usearch").unlink()
    forget(settings)
    eng = engine(settings)
    eng.refresh(store, force=True)
    assert len(eng.vectors) == 102  # rebuilt from paper_vectors


def test_one_job_loads_the_model_once_for_vectors_and_keywords(store, settings, encoder, monkeypatch):
    from paperfeed.index import embed

    made = []

    def load_once(precision="auto", max_tokens=256, model=""):
        made.append(max_tokens)
        return encoder

    monkeypatch.setattr(embed, "DocEncoder", load_once)
    load(store, FILES / "papers-page-sample.txt")
    report = job.run(store, settings)
    assert report.embedded == 102 and report.keywords == 102 and made == [256]
    assert job.run(store, settings).embedded == 0 and len(made) == 1  # nothing to do: the model is not loaded
    job.run(store, settings.model_copy(update={"embed_max_tokens": 128}))
    assert made == [256, 128]  # the token budget reaches the model


def test_a_new_token_budget_re_embeds_every_paper_resumably(store, settings, encoder):
    load(store, FILES / "papers-page-sample.txt")
    job.run(store, settings, encoder=encoder, sentences=False)
    with store.read() as conn:
        before = dict(conn.exec_driver_sql("SELECT paper_id, text_hash FROM paper_vectors").all())
    short = settings.model_copy(update={"embed_max_tokens": 128, "index_batch": 40})
    with pytest.raises(KeyboardInterrupt):  # killed after the first committed batch of 40
        job.run(store, short, encoder=Failing(encoder, ok=40), sentences=False)
    with store.read() as conn:
        after = dict(conn.exec_driver_sql("SELECT paper_id, text_hash FROM paper_vectors").all())
    assert len(after) == 102 and sum(after[p] != before[p] for p in before) == 40  # no paper lost its vector
    report = job.run(store, short, encoder=encoder, sentences=False)
    assert report.embedded == 62 and report.keywords == 102  # the rest; keyphrases scored against new vectors
    with store.read() as conn:
        final = dict(conn.exec_driver_sql("SELECT paper_id, text_hash FROM paper_vectors").all())
        lists = dict(conn.exec_driver_sql("SELECT paper_id, text_hash FROM paper_summaries").all())
    assert all(final[p] != before[p] for p in before)
    assert lists and all(lists[p] == final[p] for p in lists)  # summaries follow the new vectors
    assert job.run(store, short, encoder=Failing(encoder, ok=0), sentences=False).embedded == 0
    assert job.run(store, settings, encoder=encoder, sentences=False).embedded == 102  # and back again


def test_query_encoders_agree_with_the_model(encoder):
    texts = ["graph neural networks for molecules", "Yann LeCun", "a longer text " * 80]
    ref = encoder.model.encode(texts)
    for enc in (OnnxQueryEncoder(onnx_model_bytes()), QueryEncoder()):
        got = enc.encode(texts)
        assert got.shape == (3, 384) and np.all((got * ref).sum(1) > 0.999)
    # the serving default: dense layers in 8-bit blocks, still the same direction as the documents' vectors
    got = OnnxQueryEncoder(onnx_model_bytes(weights="int8")).encode(texts)
    assert got.shape == (3, 384) and np.all((got * ref).sum(1) > 0.995)
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4)


def test_serving_query_model_follows_the_setting(tmp_path):
    from paperfeed.index import embed

    path = embed.write_onnx(tmp_path / embed.onnx_file("int8"), "int8")
    assert path.stat().st_size < 45_000_000  # 8-bit dense layers and a float16 word table (fp32: ~90 MB)
    fast, exact = OnnxQueryEncoder(path), embed.query_encoder(tmp_path, "fp32")
    assert embed.query_encoder(tmp_path, "fp32") is exact  # one per process
    v = fast.encode(["contrastive learning of sentence embeddings"])[0]
    w = exact.encode(["contrastive learning of sentence embeddings"])[0]
    assert float(v @ w) > 0.995
