"""Check docs/deploy.md's one-machine set-up as written: its nginx and Caddy configurations in front of a
real ``paperfeed serve``, and its systemd unit.

    apt-get install nginx-light caddy openssl curl      # Debian 12; run as root (ports 80 and 443)
    .venv/bin/python scripts/check_deploy_docs.py [--work /tmp/deploy-check]

The blocks are read from docs/deploy.md and changed only where a test machine must differ: the domain is
``localhost``, nginx gets a self-signed certificate instead of certbot's, Caddy its internal CA (and no
admin endpoint). paperfeed serves the bundled demo with the TOML file of the docs (``base_url`` https,
``cookie_secure``) and a small anonymous rate limit. Through each proxy, it checks:

- the front page over HTTPS, and plain HTTP redirected to HTTPS;
- ``/metrics`` answered 404 through the proxy (200 to loopback clients, directly);
- the log-in form's CSRF cookie marked ``Secure`` (and no session cookie); each answer carrying a request id;
- the rate limit counted per client behind the proxy: clients at two loopback addresses (127.0.0.2 and
  .3 through nginx, .4 and .5 through Caddy) get their own limits, and a client's own ``X-Forwarded-For``
  does not escape its limit.

Then ``systemd-analyze verify`` of the unit file (its ExecStart pointed at this checkout's venv). Prints
one line per check and exits 1 if any failed. Not checked: systemd running the unit (a container without
systemd as its init), real certificates.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import time
from pathlib import Path

from checklist import check, finish  # scripts/checklist.py

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "deploy.md").read_text()
PAPERFEED = ROOT / ".venv" / "bin" / "paperfeed"
SEARCH = "https://localhost/api/papers/search?q=diffusion"


def block(after: str, end: str = "```") -> str:
    """The text of docs/deploy.md between ``after`` and the next ``end``."""
    return DOC.split(after, 1)[1].split(end, 1)[0]


def curl(url: str, *args: str) -> tuple[str, str]:
    """``(status code, response headers)`` of a GET with curl (certificates not checked: they are ours)."""
    out = subprocess.run(["curl", "-sk", "-D", "-", "-o", "/dev/null", "-w", "%{http_code}", *args, url],
                         capture_output=True, text=True, timeout=30).stdout  # fmt: skip
    return out[-3:], out[:-3].lower()


def check_status(name: str, url: str, want: str) -> None:
    code = curl(url)[0]
    check(name, code == want, code)


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while curl(url)[0] in ("000", "502") and time.monotonic() < deadline:
        time.sleep(0.3)


def through(proxy: str, first_client: int) -> None:
    """The checks through the proxy now listening on 80 and 443."""
    wait_for("https://localhost/")
    check_status(f"{proxy}: front page over HTTPS", "https://localhost/", "200")
    code, headers = curl("http://localhost/papers/x")
    where = next((h.split(":", 1)[1].strip() for h in headers.splitlines() if h.startswith("location:")), "")
    check(f"{proxy}: plain HTTP redirected", code in ("301", "308") and where.startswith("https://"), (code, where))
    check_status(f"{proxy}: /metrics hidden", "https://localhost/metrics", "404")
    _, headers = curl("https://localhost/login")
    cookie = next((h for h in headers.splitlines() if h.startswith("set-cookie: paperfeed_csrf")), "")
    check(f"{proxy}: CSRF cookie Secure", "; secure" in cookie, cookie.split(";", 1)[-1].strip())
    check(f"{proxy}: no session cookie", "paperfeed_session" not in headers, "paperfeed_session" in headers)
    check(f"{proxy}: request id", "x-request-id:" in headers, "x-request-id" in headers)
    one, two = f"127.0.0.{first_client}", f"127.0.0.{first_client + 1}"
    # a new search each time: the proxy may keep an anonymous answer (docs/operations.md), which costs nothing
    codes = [curl(f"{SEARCH}+{proxy}{n}", "--interface", one)[0] for n in range(5)]  # burst 3, then 429
    other = [curl(f"{SEARCH}+{proxy}{n}", "--interface", two)[0] for n in range(5, 7)]
    spoofed = curl(f"{SEARCH}+{proxy}7", "--interface", one, "-H", "X-Forwarded-For: 10.9.9.9")[0]
    check(f"{proxy}: rate limit per client", codes == ["200"] * 3 + ["429"] * 2 and other == ["200"] * 2,
          {one: codes, two: other})  # fmt: skip
    check(f"{proxy}: own X-Forwarded-For ignored", spoofed == "429", spoofed)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/deploy-check"))
    args = ap.parse_args()
    work = args.work
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    toml = block("# /etc/paperfeed/paperfeed.toml\n").replace("/var/lib/paperfeed/data", str(work / "data"))
    toml = toml.replace("https://papers.example.org", "https://localhost")
    (work / "paperfeed.toml").write_text(toml + "rate_limit_per_minute = 6\nrate_limit_burst = 3\n")
    env = {**os.environ, "PAPERFEED_CONFIG": str(work / "paperfeed.toml")}
    subprocess.run([PAPERFEED, "demo", "--no-serve"], env=env, check=True, capture_output=True)
    serve = subprocess.Popen([PAPERFEED, "serve", "--host", "127.0.0.1", "--port", "8000", "--no-scheduler"],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_for("http://127.0.0.1:8000/healthz")
        check_status("direct: /metrics to loopback", "http://127.0.0.1:8000/metrics", "200")

        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                        "/CN=localhost", "-keyout", work / "key.pem", "-out", work / "cert.pem"],
                       check=True, capture_output=True)  # fmt: skip
        site = block("```nginx\n").replace("papers.example.org", "localhost")
        site = site.replace("/etc/letsencrypt/live/localhost/fullchain.pem", str(work / "cert.pem"))
        site = site.replace("/etc/letsencrypt/live/localhost/privkey.pem", str(work / "key.pem"))
        (work / "nginx.conf").write_text(
            f"pid {work}/nginx.pid;\nerror_log {work}/nginx-error.log;\nevents {{}}\n"
            f"http {{\naccess_log {work}/nginx-access.log;\n{site}\n}}\n"
        )
        subprocess.run(["nginx", "-c", work / "nginx.conf"], check=True)
        try:
            through("nginx", 2)
        finally:
            subprocess.run(["nginx", "-c", work / "nginx.conf", "-s", "stop"])
            time.sleep(1)

        site = block("# /etc/caddy/Caddyfile\n").replace("papers.example.org", "localhost")
        (work / "Caddyfile").write_text("{\n\tadmin off\n\tskip_install_trust\n}\n" + site)
        caddy_env = {**os.environ, "XDG_DATA_HOME": str(work / "caddy"), "XDG_CONFIG_HOME": str(work / "caddy")}
        caddy = subprocess.Popen(["caddy", "run", "--config", work / "Caddyfile", "--adapter", "caddyfile"],
                                 env=caddy_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            through("Caddy", 4)
        finally:
            caddy.terminate()
            caddy.wait(10)
    finally:
        serve.terminate()
        serve.wait(30)

    unit = block("# /etc/systemd/system/paperfeed.service\n").replace("/opt/paperfeed/.venv", str(ROOT / ".venv"))
    (work / "paperfeed.service").write_text(unit)
    verify = subprocess.run(["systemd-analyze", "verify", work / "paperfeed.service"], capture_output=True, text=True)
    check("systemd unit verifies", verify.returncode == 0, verify.stderr.strip() or "no complaints")
    finish()


if __name__ == "__main__":
    main()
