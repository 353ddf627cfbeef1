"""Every CLI command, setting and route is documented, as in Datasette's ``test_docs``.

"Documented" means mentioned in ``README.md`` or ``docs/*.md`` (not ``docs/benchmarks.md``: a lab log
mentioning a command documents nothing). The conventions the docs follow:

- a command: the text ``paperfeed <group> <command>`` (``paperfeed digest send``), anywhere; an
  alternation of names after a group documents each of them (``paperfeed admin ban|hide-paper``);
- a setting: its name in backticks (`` `smtp_host` ``) or its environment variable (``PAPERFEED_SMTP_HOST``);
- a route: its path inside backticks or a fenced code block, with every ``{...}`` compared as ``{}``
  (``/papers/{id}`` documents ``/papers/{paper_id:path}``), after a query string (``?q=...``) is cut
  off and with or without a method before it (`` `GET /api/for-you` ``); docs/routes.md lists them all.

Besides, every command has a help text, every setting a description (``paperfeed settings`` prints
it) and every route a summary (``/docs`` shows it). Each test fails with the whole list of what is missing.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
import typer

from paperfeed.cli import app as cli_app
from paperfeed.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
NOT_DOCS = {"benchmarks.md"}


def _doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").glob("*.md") if p.name not in NOT_DOCS)]


@pytest.fixture(scope="module")
def docs() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in _doc_files())


def _missing(what: str, items: list[str], hint: str) -> str:
    return f"{len(items)} {what}:\n  " + "\n  ".join(items) + f"\n{hint}"


# ---------------------------------------------------------------------------------------------- CLI

COMMAND_RE = re.compile(r"(?<![\w/.-])paperfeed((?:[ \t]*\n?[ \t]*[a-z][a-z0-9-]*(?:\|[a-z][a-z0-9-]*)*)+)")


def _commands() -> dict[str, object]:
    """Every runnable command, by its full path (``paperfeed digest send``); groups are walked, not listed."""
    found: dict[str, object] = {}

    def walk(cmd, path: list[str]) -> None:
        subs = getattr(cmd, "commands", None)  # a group (typer vendors click: no isinstance on click.Group)
        if subs is None:
            if not cmd.hidden:
                found[" ".join(path)] = cmd
            return
        for name, sub in subs.items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(cli_app), ["paperfeed"])
    return found


def documented_commands(text: str) -> set[str]:
    """``paperfeed`` followed by up to three words, each word's ``a|b`` alternatives expanded."""
    out: set[str] = set()
    for m in COMMAND_RE.finditer(text):
        words = m.group(1).split()[:3]
        for k in range(1, len(words) + 1):
            for combo in itertools.product(*(w.split("|") for w in words[:k])):
                out.add("paperfeed " + " ".join(combo))
    return out


def test_command_conventions_read_as_documented() -> None:
    text = "run `paperfeed digest send` daily; `paperfeed admin\n  ban|hide-paper` and src/paperfeed init"
    found = documented_commands(text)
    assert {"paperfeed digest send", "paperfeed admin ban", "paperfeed admin hide-paper"} <= found
    assert "paperfeed init" not in found


def test_every_cli_command_is_documented(docs: str) -> None:
    commands = _commands()
    assert len(commands) >= 20, f"the CLI walk found only {sorted(commands)}"
    missing = sorted(set(commands) - documented_commands(docs))
    assert not missing, _missing(
        "CLI commands not mentioned in README.md or docs/*.md",
        missing,
        "Add each as `paperfeed <group> <command>` (README.md 'Using it', or the doc of its subject).",
    )


def test_every_cli_command_has_help() -> None:
    missing = sorted(path for path, cmd in _commands().items() if not (cmd.help or cmd.short_help or "").strip())
    assert not missing, _missing("CLI commands without a help text", missing, "Give each function a docstring.")


# ----------------------------------------------------------------------------------------- settings


def test_every_setting_is_documented(docs: str) -> None:
    fields = Settings.model_fields
    assert len(fields) >= 20
    missing = sorted(
        name for name in fields if f"`{name}`" not in docs and not re.search(rf"\bPAPERFEED_{name.upper()}\b", docs)
    )
    assert not missing, _missing(
        "settings named nowhere in README.md or docs/*.md",
        missing,
        "Name each in backticks in docs/settings.md (or in the doc of its subject).",
    )


def test_every_setting_has_a_description() -> None:
    missing = sorted(name for name, f in Settings.model_fields.items() if not (f.description or "").strip())
    assert not missing, _missing(
        "settings without a description", missing, "Give each Field(description=...): `paperfeed settings` prints it."
    )


# ------------------------------------------------------------------------------------------- routes

BRACES_RE = re.compile(r"\{[^{}]*\}")
FENCE_RE = re.compile(r"^[ \t]*```[^\n]*\n(.*?)^[ \t]*```", re.M | re.S)  # also indented, in list items
SPAN_RE = re.compile(r"`([^`]+)`")


def normalised(path: str) -> str:
    """``/papers/{paper_id:path}`` and ``/papers/{id}`` both read ``/papers/{}``."""
    return BRACES_RE.sub("{}", path)


def documented_paths(text: str) -> set[str]:
    """The paths written in code: inline spans and fenced blocks, each path as :func:`normalised`."""
    code = FENCE_RE.findall(text)
    code += SPAN_RE.findall(FENCE_RE.sub("", text))
    out: set[str] = set()
    for chunk in code:
        for token in normalised(chunk).split():
            token = re.split(r"[?#]", token.strip("'\"(<>"), maxsplit=1)[0].rstrip(".,;:)")
            if token.startswith("/"):
                out.add(token)
    return out


def test_route_conventions_read_as_documented() -> None:
    text = "see `/search?q=`, `GET /api/papers/{id}` and\n```\ncurl host/x /map\n```\nnot / or /trending"
    assert documented_paths(text) == {"/search", "/api/papers/{}", "/map"}


@pytest.fixture(scope="module")
def routes(tmp_path_factory) -> list:
    """The app's routes (what the tests' ``make_app`` builds over an SQLite store), those FastAPI adds
    itself (``/openapi.json``; ``/docs``, served by fastapi-offline) and the ``/static`` mounts left out."""
    from starlette.routing import Mount

    from paperfeed.store import Store
    from tests.helpers.web import make_app

    tmp = tmp_path_factory.mktemp("docs")
    store = Store.open(f"sqlite:///{tmp / 'paperfeed.db'}")
    try:
        web = make_app(store, tmp)
        try:  # FastAPI >= 0.16x keeps included routers as branches: walk them
            from fastapi.routing import iter_route_contexts
        except ImportError:
            found = list(web.routes)
        else:
            found = list(iter_route_contexts(web.routes))
    finally:
        store.close()
    return [
        r
        for r in found
        if not isinstance(getattr(r, "original_route", r), Mount)
        and not getattr(getattr(r, "endpoint", None), "__module__", "").startswith(("fastapi.", "fastapi_offline."))
    ]


def _label(route) -> str:
    return f"{','.join(sorted(route.methods or []))} {route.path}"


def test_every_route_is_documented(docs: str, routes: list) -> None:
    assert len(routes) >= 30, f"the route walk found only {[_label(r) for r in routes]}"
    paths = documented_paths(docs)
    missing = sorted({_label(r) for r in routes if normalised(r.path) not in paths})
    assert not missing, _missing(
        "routes whose path is in no code span of README.md or docs/*.md",
        missing,
        "Add each to the table of its surface in docs/routes.md.",
    )


def test_every_route_has_a_summary(routes: list) -> None:
    missing = sorted(_label(r) for r in routes if not (getattr(r, "summary", None) or "").strip())
    assert not missing, _missing("routes without a summary", missing, "Give each route summary=... (shown at /docs).")
