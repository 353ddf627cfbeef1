"""Web throughput: requests/s and p99 latency of the main pages at 32 concurrent connections.

    .venv/bin/python bench/web.py [--seconds 10] [--connections 32] [--workers 1 2] [--wrk-threads 2]

Loads the bundled demo data (``paperfeed demo --no-serve``) into a fresh SQLite database, starts the real
server (``paperfeed serve``, uvicorn, 1 and then 2 worker processes) and drives each URL with wrk (Debian:
``apt-get install wrk``) from a separate process on the same machine: ``/``, ``/trending`` (anonymous list
pages, served from the 10 s in-process page cache after the first hit), a paper page and
``/api/daily_papers`` (cached the same way since 2026-11-27; before, rendered on every request). Prints a
Markdown table and one JSON line per run; docs/benchmarks.md records the results.

The load generator shares the machine's cores with the server, as it would on a one-box deployment.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

PAPERFEED = [sys.executable, "-m", "paperfeed"]
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with code {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server at {url} did not answer within {timeout:.0f} s")


def stop(proc: subprocess.Popen, timeout: float) -> None:
    """Stop a server: SIGTERM, then SIGKILL if it has not exited within ``timeout`` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()


def ms(value: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if not m:
        raise ValueError(f"unexpected wrk latency {value!r}")
    return float(m.group(1)) * UNITS[m.group(2)]


def _cpu_by_pid() -> dict[int, tuple[int, float]]:
    """``{pid: (parent pid, user + system CPU seconds)}`` of every process (Linux /proc; empty elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry.parent.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    return stats


def children_cpu_seconds(pid: int) -> dict[int, float]:
    """``{child pid: its user + system CPU seconds}``: how a server's workers shared the work."""
    return {child: cpu for child, (ppid, cpu) in _cpu_by_pid().items() if ppid == pid}


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU seconds of a process and its descendants (Linux /proc; 0.0 elsewhere)."""
    stats = _cpu_by_pid()
    pids, total = [root], 0.0
    while pids:
        pid = pids.pop()
        total += stats.get(pid, (0, 0.0))[1]
        pids.extend(child for child, (ppid, _) in stats.items() if ppid == pid)
    return total


def run_wrk(url: str, *, seconds: int, connections: int, threads: int, server_pid: int) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s", url]
    cpu0, load0 = tree_cpu_seconds(server_pid), os.getloadavg()[0]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    cpu = tree_cpu_seconds(server_pid) - cpu0
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    dist = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return {
        "rps": round(rps),
        "p50_ms": round(ms(dist["50"]), 2),
        "p99_ms": round(ms(dist["99"]), 2),
        "requests": requests,
        "server_cpu_ms_per_request": round(1000 * cpu / max(requests, 1), 3),
        "load_avg": round(max(load0, os.getloadavg()[0]), 1),  # other work on the machine skews p99
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(1).strip() if errors else "",
    }


def pick_urls(base: str) -> list[tuple[str, str]]:
    front = httpx.get(base + "/").text
    paper_id = re.search(r'<article class="card" id="paper-([^"]+)"', front).group(1)
    urls = [("/", "/"), ("/trending", "/trending"), ("paper page", f"/papers/{paper_id}")]
    if httpx.get(base + "/api/daily_papers").status_code == 200:
        urls.append(("/api/daily_papers", "/api/daily_papers"))
    else:
        print("note: /api/daily_papers is not served by this build; skipped", file=sys.stderr)
    return urls


def bench_server(data_dir: Path, workers: int, args) -> list[dict]:
    port = free_port()
    env = {**os.environ, "PAPERFEED_DATA_DIR": str(data_dir)}
    cmd = [*PAPERFEED, "--data-dir", str(data_dir), "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen([*cmd, "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    results = []
    try:
        wait_ready(base + "/", proc)
        for label, path in pick_urls(base):
            for _ in range(20):  # warm up: templates compiled, caches filled, every worker touched
                httpx.get(base + path)
            r = run_wrk(
                base + path,
                seconds=args.seconds,
                connections=args.connections,
                threads=args.wrk_threads,
                server_pid=proc.pid,
            )
            row = {"url": label, "path": path, "workers": workers, "connections": args.connections, **r}
            print(json.dumps(row), flush=True)
            results.append(row)
    finally:
        stop(proc, timeout=15)
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=int, default=10, help="wrk duration per URL")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="uvicorn worker processes to try")
    ap.add_argument("--wrk-threads", type=int, default=2)
    ap.add_argument("--data-dir", type=Path, help="reuse a data dir that already holds the demo data")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")

    with tempfile.TemporaryDirectory(prefix="paperfeed-bench-web-") as tmp:
        data_dir = args.data_dir or Path(tmp)
        if args.data_dir is None:
            t = time.perf_counter()
            subprocess.run([*PAPERFEED, "--data-dir", str(data_dir), "demo", "--no-serve"], check=True)
            print(f"demo data loaded in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        rows = [row for w in args.workers for row in bench_server(data_dir, w, args)]

    print(f"\n{os.cpu_count()} cores; wrk -t{args.wrk_threads} -c{args.connections} -d{args.seconds}s --latency\n")
    print("| URL | workers | requests/s | p50 ms | p99 ms | server CPU ms/request | load avg | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        errors = ", ".join(x for x in (f"{r['non_2xx']} non-2xx" if r["non_2xx"] else "", r["socket_errors"]) if x)
        print(
            f"| {r['url']} | {r['workers']} | {r['rps']:,} | {r['p50_ms']} | {r['p99_ms']} | "
            f"{r['server_cpu_ms_per_request']} | {r['load_avg']} | {errors or 'none'} |"
        )


if __name__ == "__main__":
    main()
