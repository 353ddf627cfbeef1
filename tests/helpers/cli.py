"""Helpers for the command tests: ``paperfeed`` run as a user runs it, a real process (``pf``), or its same
entry point in the test's process (``pf_here``) where what a test checks is the command's answer, not the process:
the same arguments, environment, stdin, stdout, stderr and exit code, without the process's ~1.1 s of start-up."""

from __future__ import annotations

import faulthandler
import os
import subprocess
import sys
import time
import traceback

import httpx
import pytest

from tests.helpers.web import CHEAP_PASSWORDS

HANG_SECONDS = 120  # pf_here: as long as pf waits for its process


def _env(db_url: str | None, env: dict | None) -> dict:
    """``pf``'s variables: ``db_url`` None (or a None in ``env``) unsets one, as for a data dir's own SQLite."""
    quick = {"PAPERFEED_HTTP_DELAY": "0", "PAPERFEED_HTTP_BACKOFF": "0.01", "PAPERFEED_HTTP_RETRIES": "1"}
    quick |= {f"PAPERFEED_{name.upper()}": str(value) for name, value in CHEAP_PASSWORDS.items()}
    return {"PAPERFEED_DATABASE_URL": db_url, **quick, "COLUMNS": "200"} | (env or {})


def pf(
    db_url: str | None, *args: str, env: dict | None = None, timeout: float = 120, input: str | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "paperfeed", *args],
        capture_output=True,
        text=True,
        env={k: v for k, v in (os.environ | _env(db_url, env)).items() if v is not None},
        timeout=timeout,
        input=input,
    )


def pf_here(
    db_url: str | None, *args: str, env: dict | None = None, input: str | None = None
) -> subprocess.CompletedProcess:
    """``pf``'s answer from ``paperfeed.cli.main`` in this process (its one-line errors and exit codes): stdin,
    stdout and stderr are pipes as for ``pf`` (no terminal), the environment gets ``pf``'s variables, and what
    escapes ``main`` (``--debug``) ends it as it ends a process: the traceback on stderr, exit code 1.

    What a process would take with it is put back after: the whole environment (``--config`` sets
    ``PAPERFEED_CONFIG``), the terminal width, the search indexes the command opened."""
    from typer._click import formatting
    from typer.testing import CliRunner

    from paperfeed import cli, index

    env = _env(db_url, env)
    consoles = (cli.console, cli.err_console)
    widths = [c._width for c in consoles]  # rich reads COLUMNS once, when a console is made (xdist's workers: 80)
    environ, engines = dict(os.environ), set(index._engines)
    argv, code = sys.argv, 0
    try:
        with CliRunner().isolation(input=input or "", env=env) as (out, err, _):
            sys.argv = ["paperfeed", *args]
            formatting.FORCED_WIDTH = None  # usage errors as wide as COLUMNS, as in a process (isolation: 80)
            for c in consoles:
                c._width = int(env["COLUMNS"])
            # ``pf``'s 120 s timeout: a command that hangs ends the worker with every thread's stack (the
            # suite goes on without it) instead of holding the whole suite
            faulthandler.dump_traceback_later(HANG_SECONDS, exit=True, file=sys.__stderr__)
            try:
                cli.main()
            except SystemExit as exc:
                code = 0 if exc.code is None else exc.code if isinstance(exc.code, int) else 1
            except Exception:
                traceback.print_exc()
                code = 1
            finally:
                faulthandler.cancel_dump_traceback_later()
                sys.argv = argv
                for c, width in zip(consoles, widths, strict=True):
                    c._width = width
                sys.stdout.flush()
                sys.stderr.flush()
            stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    finally:
        for name in set(os.environ) - set(environ):
            del os.environ[name]
        os.environ.update((k, v) for k, v in environ.items() if os.environ.get(k) != v)
        for key in set(index._engines) - engines:
            index._engines.pop(key, None)
    return subprocess.CompletedProcess(["paperfeed", *args], code, stdout, stderr)


def first_answer(url: str, proc: subprocess.Popen, timeout: float = 30) -> httpx.Response:
    """The first answer of a server ``proc`` is starting (``paperfeed serve``); the test fails with its
    stderr if it exits first, or after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            if proc.poll() is not None:
                pytest.fail("server exited: " + proc.stderr.read())
            time.sleep(0.1)
    pytest.fail(f"server did not answer {url} within {timeout:.0f} s")
