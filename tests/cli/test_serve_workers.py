"""`paperfeed serve --workers N` on Linux: each worker listens on a socket of its own, so the kernel spreads
connections over them (one shared socket can leave one worker with every kept-alive connection)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.helpers.cli import first_answer
from tests.helpers.mail import free_port

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_REUSEPORT spreading is Linux's")


def _serve(tmp_path: Path, port: int) -> subprocess.Popen:
    env = os.environ | {"PAPERFEED_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "PAPERFEED_DATA_DIR": str(tmp_path)}
    return subprocess.Popen(
        [sys.executable, "-m", "paperfeed", "serve", "--port", str(port), "--workers", "2", "--no-scheduler"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _workers(pid: int) -> list[int]:
    """The supervisor's worker processes (those holding a listening socket of the port)."""
    kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(k) for k in kids]


def _sockets(pid: int, port: int, state: str) -> int:
    """How many TCP sockets of local ``port`` in ``state`` (0A listening, 01 established) ``pid`` holds."""
    return len(_inodes(pid, port, state))


def _inodes(pid: int, port: int, state: str) -> set[str]:
    """The inodes of those sockets."""
    inodes = set()
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:  # a worker that just died, not yet reaped
        return set()
    for fd in fds:
        try:
            link = os.readlink(fd)
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            f = line.split()
            if int(f[1].split(":")[1], 16) == port and f[3] == state and f[9] in inodes:
                found.add(f[9])
    return found


def test_two_workers_each_listen_and_share_the_connections(tmp_path):
    port = free_port()
    proc = _serve(tmp_path, port)
    base = f"http://127.0.0.1:{port}"
    clients: list[httpx.Client] = []
    try:
        assert first_answer(base + "/healthz", proc).status_code == 200
        for _ in range(300):  # both workers up
            workers = [w for w in _workers(proc.pid) if _sockets(w, port, "0A")]
            if len(workers) == 2:
                break
            time.sleep(0.1)
        listening = [_inodes(w, port, "0A") for w in workers]
        assert len(workers) == 2 and all(len(i) == 1 for i in listening)
        assert listening[0] != listening[1]  # a socket each, not one shared

        # a second server on the same port is refused, not silently given half the connections
        other = _serve(tmp_path / "other", port)
        (tmp_path / "other").mkdir(exist_ok=True)
        assert other.wait(60) != 0 and "cannot listen on" in other.stderr.read()

        for _ in range(40):  # 40 kept-alive connections, as a crawler opens them
            c = httpx.Client(base_url=base, timeout=10)
            assert c.get("/healthz").status_code == 200
            clients.append(c)
        held = [_sockets(w, port, "01") for w in workers]
        assert sum(held) == 40 and min(held) > 0, held  # with one shared socket: often 40 / 0

        # a killed worker's socket dies with it (the supervisor kept no copy), and its replacement gets one
        # of its own; new connections are answered throughout
        time.sleep(2.5)
        os.kill(workers[0], signal.SIGKILL)
        for _ in range(100):
            now = [w for w in _workers(proc.pid) if _sockets(w, port, "0A")]
            if len(now) == 2 and workers[0] not in now:
                break
            assert httpx.get(base + "/healthz", timeout=5).status_code == 200
            time.sleep(0.1)
        assert len(now) == 2 and workers[0] not in now
        assert all(httpx.get(base + "/healthz", timeout=5).status_code == 200 for _ in range(20))
    finally:
        for c in clients:
            c.close()
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_the_schedulers_job_metrics_reach_every_workers_scrape(tmp_path):
    """``serve --workers 2`` runs the scheduler in the parent process: its job counters must be file-backed
    like the workers' so that /metrics (any worker) adds them in (they were kept in memory, never scraped)."""
    script = f"""
from pathlib import Path
from paperfeed.cli import manage
from paperfeed.settings import Settings

def workers(host, port, n):  # instead of starting them: count a job run as the parent's scheduler does
    from paperfeed import metrics, scheduler  # noqa: F401
    metrics.JOB_RUNS.labels("deliver").inc()
    print(metrics.exposition()[0].decode())

manage._run_workers = workers
manage.serve_app(Settings(data_dir=Path({str(tmp_path)!r})), "127.0.0.1", 9, workers=2, scheduler=False)
"""
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    env |= {"PAPERFEED_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert 'paperfeed_job_runs_total{job="deliver"} 1.0' in out.stdout
