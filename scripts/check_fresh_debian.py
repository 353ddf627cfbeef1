"""Follow docs/deploy.md's one-machine set-up as written, on a fresh Debian 12 with systemd as its init (a
container), and check that the site it gives works.

    .venv/bin/python scripts/check_fresh_debian.py                      # Docker, Debian's mirror, PyPI
    .venv/bin/python scripts/check_fresh_debian.py --image debian-systemd:bookworm \\
        --torch-index http://127.0.0.1:8765/                           # a local image, a PyTorch mirror

The machine is a container of ``--image`` (default: ``debian:bookworm`` with systemd added) running
systemd as PID 1, on the host's network (Caddy takes ports 80 and 443), with this checkout mounted
read-only at ``/src`` as "your copy of the repository". Each step runs the page's own shell block in it,
changed only where a test machine must differ: ``/src`` for the repository, ``localhost`` for the
domain, ``--torch-index`` for PyTorch's index, apt answering yes. Steps, then checks (one line each; exit
1 if any failed):

- the install block (apt-get, useradd, git clone, venv, pip), the TOML file, ``init`` as user paperfeed;
- the systemd unit, ``daemon-reload`` and ``enable --now``; the Caddyfile and Caddy's reload;
- the demo loaded as user paperfeed; through Caddy over HTTPS: the front page, a hybrid search, /readyz,
  /metrics answered 404; the service active, its log in the journal, its files owned by paperfeed;
- the service killed with SIGKILL: systemd starts it again (``Restart=on-failure``) and it serves;
- a backup as in the crontab (as user paperfeed), checked by restoring it elsewhere as the page says;
- the upgrade block (``git pull`` into the same commit, ``pip install .``, stop, ``init``, start).
"""

from __future__ import annotations

import argparse
import re
import shlex
import subprocess
import time
from pathlib import Path

from checklist import check, failed, finish  # scripts/checklist.py

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "deploy.md").read_text()
BOX = "paperfeed-fresh-debian"
SYSTEMD_IMAGE = """FROM debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends systemd systemd-sysv dbus curl ca-certificates
CMD ["/sbin/init"]
"""
docker: list[str] = []


def block(after: str, lang: str = "sh") -> str:
    """The text of docs/deploy.md's first fenced block in ``lang`` ("" for a bare fence) after ``after``."""
    blocks = re.finditer(r"^```(\w*)\n(.*?)^```$", DOC.split(after, 1)[1], flags=re.M | re.S)
    return next(m.group(2) for m in blocks if m.group(1) == lang)


def sh(script: str, timeout: float = 1800) -> subprocess.CompletedProcess[str]:
    """``script`` run by bash as root in the machine, stopping at the first failing command."""
    cmd = [*docker, "exec", BOX, "bash", "-eo", "pipefail", "-c", script]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def step(name: str, script: str, timeout: float = 1800) -> bool:
    started = time.monotonic()
    done = sh(script, timeout)
    check(f"{name} ({time.monotonic() - started:.0f} s)", done.returncode == 0, done.stderr or done.stdout)
    return done.returncode == 0


def write(path: str, text: str) -> str:
    """A script writing ``text`` to ``path`` in the machine."""
    folder = shlex.quote(str(Path(path).parent))
    return f"mkdir -p {folder} && cat > {shlex.quote(path)} <<'PAPERFEED_EOF'\n{text}PAPERFEED_EOF"


def https(path: str) -> str:
    """``status body`` of a GET through Caddy (its internal CA: certificates not checked)."""
    got = sh(f"curl -sk -o /tmp/body -w '%{{http_code}}' 'https://localhost{path}'; echo; head -c 2000 /tmp/body")
    return got.stdout


def wait_ready(seconds: int = 60) -> None:
    for _ in range(seconds):
        if https("/readyz").startswith("200"):
            return
        time.sleep(1)


def start_machine(image: str) -> None:
    if not image:
        image = "paperfeed-check-debian-systemd"
        built = subprocess.run([*docker, "build", "-t", image, "-"], input=SYSTEMD_IMAGE, capture_output=True,
                               text=True)  # fmt: skip
        check("a Debian 12 image with systemd", built.returncode == 0, built.stderr or built.stdout)
    subprocess.run([*docker, "rm", "-f", BOX], capture_output=True)
    run = [*docker, "run", "-d", "--name", BOX, "--cap-add", "SYS_ADMIN", "--security-opt", "seccomp=unconfined",
           "--network", "host", "-v", "/sys/fs/cgroup:/sys/fs/cgroup:ro", "--tmpfs", "/run", "--tmpfs", "/run/lock",
           "-v", f"{ROOT}:/src:ro", image, "/sbin/init"]  # fmt: skip
    started = subprocess.run(run, capture_output=True, text=True)
    check("the machine boots systemd", started.returncode == 0, started.stderr or started.stdout)
    state = ""
    for _ in range(60):
        state = sh("systemctl is-system-running || true").stdout.strip()
        if state in ("running", "degraded"):
            break
        time.sleep(1)
    check("systemd is running", state in ("running", "degraded"), state)


def install(torch_index: str | None) -> None:
    # what a machine fresh from the installer has and a container lacks: package lists; apt answers yes
    sh("apt-get update -qq && echo 'APT::Get::Assume-Yes \"true\";' > /etc/apt/apt.conf.d/90yes")
    commands = block("## One machine").replace("<your copy of the repository>", "/src")
    first, rest = commands.split("\n", 1)  # /src belongs to the host's user: git wants it named safe
    commands = f"{first}\ngit config --global --add safe.directory /src\n{rest}"
    if torch_index:
        commands = commands.replace("https://download.pytorch.org/whl/cpu", torch_index)
    if not step("install block: apt-get, user, clone, venv, pip", commands, timeout=3600):
        return
    toml = block("Settings go in a TOML file", "toml").replace("https://papers.example.org", "https://localhost")
    step("the TOML file", write("/etc/paperfeed/paperfeed.toml", toml))
    step("init as user paperfeed", block("Settings go in a TOML file"))
    step("the systemd unit", write("/etc/systemd/system/paperfeed.service", block("### systemd", "ini")))
    enable = block("### systemd").splitlines()[0]  # the next line follows the journal (-f) for ever
    step("daemon-reload, enable --now", enable)
    caddy = block("Caddy gets and renews", "").replace("papers.example.org", "localhost")
    step("the Caddyfile, Caddy reloaded", write("/etc/caddy/Caddyfile", caddy) + "\n" + block("Caddy gets and renews"))


def check_site() -> None:
    config = "/etc/paperfeed/paperfeed.toml"
    demo = sh(f"sudo -u paperfeed /opt/paperfeed/.venv/bin/paperfeed --config {config} demo --no-serve")
    check("the demo loads as user paperfeed", demo.returncode == 0, demo.stdout or demo.stderr)
    wait_ready()
    front = https("/")
    check("the front page through Caddy over HTTPS", front.startswith("200") and "<html" in front, front[:80])
    found = https("/api/papers/search?q=contrastive+sentence+embeddings")
    check("a search through Caddy", found.startswith("200") and '"paper"' in found, found[:120])
    ready = https("/readyz")
    check("/readyz", '"status":"ready"' in ready, ready)
    check("/metrics answered 404 by Caddy", https("/metrics").startswith("404"), https("/metrics")[:40])
    active = sh("systemctl is-active paperfeed || true").stdout.strip()
    check("the service is active", active == "active", active)
    logged = sh("journalctl -u paperfeed --no-pager -n 200 | grep -c 'paperfeed.access' || true").stdout.strip()
    check("its log is in the journal", logged not in ("", "0"), f"{logged} access lines")
    owners = sh("find /var/lib/paperfeed/data ! -user paperfeed | head -5").stdout.strip()
    check("its files belong to paperfeed", owners == "", owners or "all of them")
    pid = sh("systemctl show -p MainPID --value paperfeed").stdout.strip()
    sh(f"kill -9 {pid}")
    after, state = pid, ""
    for _ in range(60):
        time.sleep(1)
        after = sh("systemctl show -p MainPID --value paperfeed").stdout.strip()
        state = https("/readyz")[:3]
        if after not in ("0", pid) and state == "200":
            break
    check("killed with SIGKILL, systemd starts it again", after not in ("0", pid) and state == "200",
          f"pid {pid} -> {after}, /readyz {state}")  # fmt: skip


def check_backup_and_upgrade() -> None:
    crontab = block("install, as user paperfeed:", "")
    env = next(line for line in crontab.splitlines() if line.startswith("PAPERFEED_CONFIG="))
    cron = block("A daily backup kept two weeks", "").strip()
    command = re.sub(r"^(\S+\s+){5}", "", cron).replace("\\%", "%")  # the crontab's command, as cron runs it
    step("the backup folder", block("A daily backup kept two weeks"))
    step("the daily backup, as cron runs it for paperfeed", f"sudo -u paperfeed env {env} sh -c {shlex.quote(command)}")
    listed = sh("ls -l /var/backups/paperfeed/").stdout
    check("a backup file, readable by paperfeed only", "-rw-------" in listed and "paperfeed" in listed, listed)
    restore = block("Check a backup by restoring it elsewhere:")
    restore = restore.replace("paperfeed-2026-06-12", "paperfeed-$(date +%F)")
    restore = restore.replace("paperfeed --data-dir", "/opt/paperfeed/.venv/bin/paperfeed --data-dir")
    done = sh("cd /tmp && " + restore.replace("\n", " && ").rstrip(" &"))
    check("restored elsewhere, its papers counted", done.returncode == 0 and "2,930" in done.stdout,
          done.stdout[-300:] or done.stderr)  # the demo's papers  # fmt: skip
    step("the upgrade block", block("One machine:"), timeout=1800)
    wait_ready()
    count = https("/api/daily_papers?limit=1")
    check("serving after the upgrade, papers kept", count.startswith("200") and '"paper"' in count, count[:80])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docker", default="docker", help="the docker command")
    ap.add_argument("--image", default="", help="an image with systemd as /sbin/init (default: built)")
    ap.add_argument("--torch-index", help="instead of https://download.pytorch.org/whl/cpu")
    ap.add_argument("--keep", action="store_true", help="leave the machine running afterwards")
    args = ap.parse_args()
    docker.extend(shlex.split(args.docker))
    try:
        start_machine(args.image)
        if not failed:
            install(args.torch_index)
        if not failed:
            check_site()
            check_backup_and_upgrade()
    finally:
        if not args.keep:
            subprocess.run([*docker, "rm", "-f", BOX], capture_output=True)
    finish()


if __name__ == "__main__":
    main()
