"""Check the Dockerfile and compose.yaml as shipped: the image builds, serves, keeps its data, and the
compose pair (paperfeed + PostgreSQL) works as docs/deploy.md describes.

    .venv/bin/python scripts/check_docker.py                      # a machine with Docker and its registry
    .venv/bin/python scripts/check_docker.py --compose docker-compose --build-network host \\
        --build-arg TORCH_INDEX=http://127.0.0.1:8765/            # a mirror of PyTorch's CPU index

Checks, one line each (exit 1 if any failed):

- ``docker build`` of the repository;
- the image alone, with a new named volume and **no network at all** (``--network none``): ``/healthz``
  and ``/readyz``; the server runs as a user other than root and can write its data volume; the bundled
  demo loads; a search is hybrid (its query embedded by the model the image carries, offline); Docker's
  HEALTHCHECK reports healthy; after ``docker restart`` the papers are still there; ``paperfeed backup``;
- compose.yaml, with the image just built (an override file names it, so compose builds nothing):
  ``up -d`` waits for PostgreSQL's health check, ``/readyz`` answers ready on PostgreSQL, the demo loads
  into PostgreSQL (counted with psql in the db container), ``paperfeed backup`` runs pg_dump from the
  image against the server, and after ``down`` and ``up`` the papers are still there. ``down -v`` at the
  end removes the check's containers and volumes.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from checklist import check, finish  # scripts/checklist.py

ROOT = Path(__file__).resolve().parent.parent
IMAGE = "paperfeed-check"
PROJECT = "pfcheck"


def run(cmd: list[str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read().decode()
    except OSError as e:
        return getattr(e, "code", 0) or 0, str(e)


def wait_http(url: str, seconds: float = 120) -> tuple[int, str]:
    end = time.monotonic() + seconds
    while True:
        status, body = get(url)
        if status == 200 or time.monotonic() > end:
            return status, body
        time.sleep(1)


def check_search(name: str, base: str) -> None:
    status, body = get(f"{base}/api/papers/search?q=vision+transformers")
    hits = json.loads(body) if status == 200 else []
    check(name, status == 200 and len(hits) > 0, f"{status}, {len(hits)} hits")


def check_image(docker: list[str]) -> None:
    """The image alone: SQLite in a named volume, no network."""
    box, volume = f"{IMAGE}-alone", f"{IMAGE}-data"
    run([*docker, "rm", "-f", box])
    run([*docker, "volume", "rm", volume])
    # no network, so no published port: requests are made from inside the container
    started = run([*docker, "run", "-d", "--name", box, "--network", "none", "-v",
                   f"{volume}:/var/lib/paperfeed/data", IMAGE])  # fmt: skip
    check("image starts with no network", started.returncode == 0, started.stderr or started.stdout)

    def inside(*args: str) -> subprocess.CompletedProcess[str]:
        return run([*docker, "exec", box, *args])

    def fetch(path: str) -> subprocess.CompletedProcess[str]:
        code = f"import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:8000{path}').read().decode())"
        return inside("python", "-c", code)

    def wait_ready(seconds: float = 120) -> subprocess.CompletedProcess[str]:
        end = time.monotonic() + seconds
        while (ready := fetch("/readyz")).returncode != 0 and time.monotonic() < end:
            time.sleep(1)
        return ready

    ready = wait_ready()
    check("/readyz in the image (SQLite)", '"status":"ready"' in ready.stdout, ready.stdout or ready.stderr)
    uid = inside("id", "-u").stdout.strip()
    check("the server runs as a user other than root", uid not in ("", "0"), f"uid {uid}")
    demo = inside("paperfeed", "demo", "--no-serve")
    check("demo loads into the data volume", demo.returncode == 0, demo.stdout or demo.stderr)
    found = inside("paperfeed", "search", "contrastive sentence embeddings", "--json")
    hits = json.loads(found.stdout)["hits"] if found.returncode == 0 else []
    why = hits[0].get("why") or "" if hits else found.stderr
    check("search is hybrid offline (query embedded in the image)", "semantic" in why, why)
    backup = inside("paperfeed", "backup", "/var/lib/paperfeed/data/check.pfbackup")
    check("paperfeed backup (SQLite)", backup.returncode == 0, backup.stdout or backup.stderr)
    end, health = time.monotonic() + 90, ""
    while health != "healthy" and time.monotonic() < end:
        time.sleep(2)
        health = run([*docker, "inspect", "-f", "{{.State.Health.Status}}", box]).stdout.strip()
    check("Docker's HEALTHCHECK reports healthy", health == "healthy", health)
    run([*docker, "restart", box])
    ready = wait_ready()
    stats = inside("paperfeed", "stats", "--json")
    papers = json.loads(stats.stdout).get("papers") if stats.returncode == 0 else None
    check("serving again after a restart, papers kept", ready.returncode == 0 and bool(papers), f"{papers} papers")
    run([*docker, "rm", "-f", box])
    run([*docker, "volume", "rm", volume])


def check_compose(compose: list[str]) -> None:
    """compose.yaml with the image built above (no build in compose)."""
    base = "http://127.0.0.1:8000"
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(f"services:\n  paperfeed:\n    image: {IMAGE}\n")
    c = [*compose, "-p", PROJECT, "-f", str(ROOT / "compose.yaml"), "-f", f.name]
    run([*c, "down", "-v"])
    up = run([*c, "up", "-d", "--no-build"])
    check("compose up -d (db healthy first)", up.returncode == 0, up.stderr or up.stdout)
    status, body = wait_http(f"{base}/readyz")
    check("/readyz through compose (PostgreSQL)", status == 200 and '"database":"ok"' in body, body)
    demo = run([*c, "exec", "-T", "paperfeed", "paperfeed", "demo", "--no-serve"])
    check("demo loads into PostgreSQL", demo.returncode == 0, demo.stdout or demo.stderr)
    count = run([*c, "exec", "-T", "db", "psql", "-U", "paperfeed", "-d", "paperfeed", "-tAc",
                 "SELECT count(*) FROM papers"])  # fmt: skip
    check("papers counted in the db container", count.stdout.strip() not in ("", "0"), count.stdout or count.stderr)
    check_search("search through compose", base)
    backup = run([*c, "exec", "-T", "paperfeed", "paperfeed", "backup", "/var/lib/paperfeed/data/check.pfbackup"])
    check("paperfeed backup (pg_dump in the image)", backup.returncode == 0, backup.stdout or backup.stderr)
    run([*c, "down"])
    run([*c, "up", "-d", "--no-build"])
    wait_http(f"{base}/readyz")
    status, body = get(f"{base}/api/daily_papers?limit=1")
    check("papers kept across down and up", status == 200 and body.startswith("[{"), f"{status} {body[:80]}")
    run([*c, "down", "-v"])
    Path(f.name).unlink()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docker", default="docker", help="the docker command")
    ap.add_argument("--compose", default="docker compose", help="the compose command, e.g. docker-compose")
    ap.add_argument("--build-arg", action="append", default=[], help="passed to docker build")
    ap.add_argument("--build-network", help="docker build --network (e.g. host, for a mirror on loopback)")
    ap.add_argument("--skip-compose", action="store_true")
    args = ap.parse_args()
    docker, compose = shlex.split(args.docker), shlex.split(args.compose)
    cmd = [*docker, "build", "-t", IMAGE, *(["--network", args.build_network] if args.build_network else [])]
    cmd += [a for b in args.build_arg for a in ("--build-arg", b)]
    started = time.monotonic()
    built = run([*cmd, str(ROOT)], timeout=3600)
    check(f"docker build ({time.monotonic() - started:.0f} s)", built.returncode == 0, built.stderr or built.stdout)
    if built.returncode:
        finish()
    size = run([*docker, "image", "inspect", "-f", "{{.Size}}", IMAGE]).stdout.strip()
    print(f"     image size: {int(size or 0) / 1e9:.2f} GB")
    check_image(docker)
    if not args.skip_compose:
        check_compose(compose)
    finish()


if __name__ == "__main__":
    main()
