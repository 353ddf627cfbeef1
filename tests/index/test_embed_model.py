"""The setting ``embed_model``: another model folder (one ``scripts/train_similarity.py`` trained) is checked
at start-up, gets its own key, and every paper is re-embedded with it, resumably; search embeds queries with it."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from pydantic import ValidationError

from paperfeed.index import engine, job
from paperfeed.index.embed import MODEL_NAME, DocEncoder, model_key
from paperfeed.index.text import embed_text
from paperfeed.rank.search import search
from paperfeed.settings import Settings
from paperfeed.store import vectors as store_vectors
from tests.helpers.search import FILES, load
from tests.index.test_job import Failing


def test_a_folder_that_is_not_a_model_is_refused_at_start(tmp_path, trained_model, monkeypatch):
    with pytest.raises(ValidationError, match="not a sentence-transformers model folder"):
        Settings(embed_model=str(tmp_path / "nowhere"))
    big = tmp_path / "big"
    shutil.copytree(trained_model, big)
    (big / "config.json").write_text(json.dumps({"model_type": "bert", "hidden_size": 768}))
    with pytest.raises(ValidationError, match="384-dimensional BERT model"):
        Settings(embed_model=str(big))
    (big / "config.json").write_text("{not json")
    with pytest.raises(ValidationError, match="config.json: unreadable"):
        Settings(embed_model=str(big))
    monkeypatch.setenv("PAPERFEED_EMBED_MODEL", str(trained_model))
    assert Settings().embed_model == str(trained_model)


def test_each_model_and_each_set_of_weights_has_its_own_key(tmp_path, trained_model):
    from safetensors.numpy import load_file, save_file

    assert model_key("") == MODEL_NAME
    key = model_key(str(trained_model))
    assert key.startswith("paper-minilm-") and key != MODEL_NAME and model_key(str(trained_model)) == key
    again = tmp_path / "again"
    shutil.copytree(trained_model, again)
    weights = load_file(again / "model.safetensors")
    weights["pooler.dense.bias"] = weights["pooler.dense.bias"] + 1  # retrained weights, same folder
    save_file(weights, again / "model.safetensors")
    assert model_key(str(again)).startswith("again-") and model_key(str(again))[-12:] != key[-12:]


def test_a_new_model_re_embeds_every_paper_resumably_and_embeds_queries(store, settings, encoder, trained_model):
    load(store, FILES / "arxiv-cs-2025-2026-excerpt.jsonl.gz")
    job.run(store, settings, encoder=encoder, sentences=False, summaries=False)
    mine = settings.model_copy(update={"embed_model": str(trained_model), "index_batch": 8})
    key = model_key(str(trained_model))
    with store.read() as conn:
        assert store_vectors.count_to_embed(conn, MODEL_NAME) == 0 and store_vectors.count_to_embed(conn, key) == 22
    model = DocEncoder(model=str(trained_model))
    with pytest.raises(KeyboardInterrupt):  # killed after the first committed batch of 8
        job.run(store, mine, encoder=Failing(model, ok=8), sentences=False, summaries=False)
    with store.read() as conn:
        assert store_vectors.count_to_embed(conn, key) == 14
    report = job.run(store, mine, sentences=False, summaries=False)  # loads the configured model itself
    assert report.embedded == 14 and report.device.startswith(key)
    with store.read() as conn:
        assert store_vectors.count_to_embed(conn, key) == 0
        ids = sorted(store_vectors.all_ids(conn))
        doc = store_vectors.get_docs(conn, [ids[3]])[0]
        stored = store_vectors.get_vectors(conn, key, ids)
        bundled = store_vectors.get_vectors(conn, MODEL_NAME, ids)
    assert len(stored) == len(bundled) == 22  # the bundled model's vectors stay: switching back costs nothing
    title = doc.title
    want = model.encode([embed_text(doc.title, doc.abstract)])[0]
    assert float(np.frombuffer(stored[ids[3]], dtype="<f4") @ want) > 0.9999  # the new model's vectors

    eng = engine(mine)
    assert eng.model == key and len(eng.vectors) == 22
    query = eng.query_encoder().encode([title])[0]
    assert float(query @ model.encode([title])[0]) > 0.99  # queries go through the same model
    result = search(store, mine, " ".join(doc.abstract.split()[:12]))
    assert result.hits[0].paper_id == ids[3] and "semantic" in result.hits[0].why and not result.lexical_only
