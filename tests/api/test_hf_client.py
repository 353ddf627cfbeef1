"""Hugging Face's own client, ``huggingface_hub``, pointed at paperfeed: a script written for HF's API works
unchanged, also for somebody logged in to HF, whose HF token the client sends along (ignored on reads)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers.liveserver import live_server
from tests.helpers.web import add_papers, make_app, paper

hub = pytest.importorskip("huggingface_hub")
HF_TOKEN = "hf_abcdefghijklmnopqrstuvwxyz0123456789"


@pytest.mark.parametrize("token", [False, HF_TOKEN], ids=["anonymous", "logged-in-to-hf"])
def test_huggingface_hub_lists_a_day_and_reads_a_paper(store, tmp_path, token, monkeypatch):
    # the bundled model's loader turns the hub's offline mode on (index/embed.py: nothing is downloaded);
    # this client only talks to the local server
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", False)
    add_papers(store, paper(1, date(2024, 1, 2), upvotes=7, title="Graph routing at scale"), paper(2, date(2024, 1, 3)))
    with live_server(make_app(store, tmp_path)) as base:
        api = hub.HfApi(endpoint=base, token=token)
        day = list(api.list_daily_papers(date="2024-01-02"))
        assert [(p.id, p.title, p.upvotes) for p in day] == [("2401.00001", "Graph routing at scale", 7)]
        assert [a.name for a in day[0].authors] == ["Ada Lovelace", "Alan Turing"]
        info = api.paper_info("2401.00001")
        assert info.title == "Graph routing at scale" and info.upvotes == 7
