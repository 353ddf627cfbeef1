"""What the pytest-xdist workers of one test session build once and share: a folder made by the first worker
that asks for it, found ready by the others.

    path = once_per_session(tmp_path_factory, "paper-minilm", lambda path: train(path))

Workers wait on a lock file while the first one builds, so the work is done once however many workers the
session runs; without xdist it is the session's own temporary folder. Nothing outlives the session: its
folders are under pytest's temporary root of that run.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest


def session_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary folder every worker of this session sees (pytest-xdist gives each worker a child of it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def once_per_session(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], object]) -> Path:
    """``root/name``, made by ``build(path)`` in the first worker that gets here; a failed build leaves nothing
    behind, so the next worker tries again (and fails the same way)."""
    root = session_root(tmp_path_factory)
    path = root / name
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not path.exists():
            building = root / f"{name}.part"  # built under its own name, as a model folder's name is its key
            shutil.rmtree(building, ignore_errors=True)
            building.mkdir()
            build(building / name)
            (building / name).rename(path)
            building.rmdir()
    return path
