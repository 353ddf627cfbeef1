"""Author pages find a name whatever its case and accents (``ids.author_key``; SQLite's lower() folds ASCII
only); on SQLite and PostgreSQL."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.testclient import TestClient

from tests.helpers.web import add_papers, make_app, paper


def test_an_author_with_an_accented_capital_has_a_page(store, tmp_path):
    add_papers(store, paper(1, authors=["Jakub Šmíd", "Ada Lovelace"]), paper(2, authors=["Ada Lovelace"]))
    with TestClient(make_app(store, tmp_path)) as client:
        page = client.get("/papers/2401.00001")
        assert f'href="/authors/{quote("Jakub Šmíd")}"' in page.text
        r = client.get(f"/authors/{quote('Jakub Šmíd')}")
        assert r.status_code == 200 and "Paper number 1" in r.text and "Paper number 2" not in r.text
        lower = client.get("/authors/ada%20LOVELACE").text
        assert "Paper number 2" in lower and "<h1>Ada Lovelace " in lower  # the name as the papers write it
        # typed without its accents, or spelt both ways by different papers: one person, one page
        r = client.get(f"/authors/{quote('Jakub Smid')}")
        assert r.status_code == 200 and "<h1>Jakub Šmíd " in r.text
        assert client.get(f"/authors/{quote('Jakub Smit')}").status_code == 404


def test_one_person_spelt_with_and_without_accents_has_one_page(store, tmp_path):
    add_papers(store, paper(1, authors=["Aleksander Mądry"]), paper(2, authors=["Aleksander Madry"]),
               paper(3, authors=["Jürgen Schmidhuber", "Łukasz Kaiser"]))  # fmt: skip
    with TestClient(make_app(store, tmp_path)) as client:
        for name in ("Aleksander Madry", "Aleksander Mądry", "aleksander  MADRY"):
            page = client.get(f"/authors/{quote(name)}").text
            assert "Paper number 1" in page and "Paper number 2" in page, name
        assert "Paper number 3" in client.get("/authors/Jurgen%20Schmidhuber").text
        assert "Paper number 3" in client.get("/authors/Lukasz%20Kaiser").text
        assert "Paper number 3" in client.get("/feeds/author/Jurgen%20Schmidhuber.atom").text
