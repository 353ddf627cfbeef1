"""Runs ``scripts/train_similarity.py`` as a user would, on the test data's arXiv excerpt."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers.search import FILES

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "train_similarity.py"
EXCERPT = FILES / "arxiv-cs-2025-2026-excerpt.jsonl.gz"
TINY = ["--pairs", "16", "--batch", "8", "--max-tokens", "48", "--lr", "1e-4"]


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=600, env=env)


def train(out: Path, *extra: str) -> Path:
    r = run("--corpus", str(EXCERPT), "--out", str(out), *TINY, *extra)
    assert r.returncode == 0, r.stderr[-3000:]
    return out
