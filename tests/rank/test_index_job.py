"""``paperfeed index``: resumable embedding, vectors rebuilt from the database, encoders that agree."""

from __future__ import annotations

import numpy as np
import pytest
from searchhelpers import FILES, load

from paperfeed.index import engine, forget, index_root, job
from paperfeed.index.embed import MODEL_NAME, OnnxQueryEncoder, QueryEncoder, onnx_model_bytes
from paperfeed.store import vectors as store_vectors


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


def test_query_encoders_agree_with_the_model(encoder):
    texts = ["graph neural networks for molecules", "Yann LeCun", "a longer text " * 80]
    ref = encoder.model.encode(texts)
    for enc in (OnnxQueryEncoder(onnx_model_bytes()), QueryEncoder()):
        got = enc.encode(texts)
        assert got.shape == (3, 384) and np.all((got * ref).sum(1) > 0.999)
