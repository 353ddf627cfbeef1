"""``scripts/train_similarity.py``: a seeded fine-tuning run on tiny data writes a model folder the product
loads offline; bad corpora get a clear error and no model."""

from __future__ import annotations

import gzip
import importlib.util
import json

import numpy as np
import pytest

from paperfeed.index.embed import DocEncoder, _safetensors, model_dir
from paperfeed.settings import MODEL_FILES, Settings
from tests.helpers.train import EXCERPT, SCRIPT, run


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("train_similarity", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_a_small_run_writes_a_model_the_product_loads_offline(trained_model, encoder):
    report = json.loads((trained_model / "training.json").read_text())
    assert report["pairs"] == 16 and report["kinds"] == {"author": 12, "title": 4} and report["seed"] == 0
    assert report["loss_first"] > 0 and report["papers"] == 22 and report["device"] in ("cpu", "cuda")
    assert all((trained_model / f).is_file() for f in MODEL_FILES)
    assert Settings(embed_model=str(trained_model)).embed_model == str(trained_model)

    text = "Sparse attention for long documents. We prune attention heads and keep accuracy."
    mine = DocEncoder(model=str(trained_model)).encode([text])[0]
    bundled = encoder.encode([text])[0]
    assert abs(float(np.linalg.norm(mine)) - 1) < 1e-4
    assert 0.5 < float(mine @ bundled) < 0.9999  # moved by training, not wrecked

    new, old = _safetensors(trained_model / "model.safetensors"), _safetensors(model_dir() / "model.safetensors")
    word = "embeddings.word_embeddings.weight"
    assert np.array_equal(new[word], old[word])  # the embeddings stay frozen
    layer = "encoder.layer.0.attention.self.query.weight"
    assert not np.array_equal(new[layer], old[layer])  # the transformer layers learn


def test_pairs_are_seeded_and_hard_negatives_share_no_author(script):
    papers = script.load_corpus(EXCERPT)
    pairs = script.make_pairs(papers, 40, seed=0)
    assert pairs == script.make_pairs(papers, 40, seed=0) and pairs != script.make_pairs(papers, 40, seed=1)
    assert {k for k, *_ in pairs} == {"author", "title"} and sum(k == "title" for k, *_ in pairs) == 10
    authors = {script.embed_text(p["title"], p["abstract"]): p["authors"] for p in papers}
    for kind, anchor, positive, negative in pairs:
        if kind == "author":
            assert anchor != positive and authors[anchor] & authors[positive]
            assert not authors[negative] & (authors[anchor] | authors[positive])
        else:
            paper = next(p for p in papers if p["title"] == anchor)
            assert positive == paper["abstract"] and negative != positive


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "no such file"),
        (b"id,title\n1,x\n", "line 1: not JSON"),
        (b'["a list"]\n', "line 1: not a JSON object"),
        (
            b"".join(b'{"title": "T", "summary": "S", "authors": ["%s"]}\n' % a for a in (b"Ada", b"Bo", b"Cy")),
            "no two of them share an author",
        ),
    ],
)
def test_a_bad_corpus_gets_a_clear_error_and_no_model(tmp_path, content, message):
    corpus = tmp_path / "corpus.jsonl.gz"
    if content is not None:
        corpus.write_bytes(gzip.compress(content))
    r = run("--corpus", str(corpus), "--out", str(tmp_path / "model"))
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "model").exists()
