"""Does the "Forgot your password?" form answer a real account's address more slowly than an unknown one?

    .venv/bin/python bench/password_reset.py [--rounds 300] [--pause 0.1] [--db sqlite|postgresql]
                                             [--pg-url URL]

Set-up (not timed): a fresh database with 200 accounts, each with a confirmed address; a real SMTP server
on loopback that accepts every mail (aiosmtpd); paperfeed served by uvicorn in a child process (this
script with ``--serve``), with the form's hourly limits lifted (a client asks 10 times an hour).

Timed: ``--rounds`` rounds over one keep-alive connection, each from the same state (``--pause`` after it,
so that the round's mail has gone): a form post with a real account's address or an unknown one (at
random), each answer from sending the request to its last byte; then at once a post with another unknown
address, the probe, whose answer is timed by the kind of the post before it: the mail of a real address is
looked up, queued and sent after its answer, while the next request may already be served.
Prints one JSON line (milliseconds): median and 90th percentile per kind, and their ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(db_url: str, data_dir: str, port: int, smtp_port: int) -> None:
    """The child: paperfeed with the reset form's limits lifted, mailing the parent's SMTP server."""
    import uvicorn

    from paperfeed.app import create_app
    from paperfeed.mail import resets
    from paperfeed.settings import Settings
    from paperfeed.store import Store
    from paperfeed.web import password_reset

    password_reset.ACCOUNT_REQUESTS_PER_HOUR = 10**9
    resets.RESET_MAILS_PER_ADDRESS = 10**9
    settings = Settings(
        data_dir=Path(data_dir), database_url=db_url, smtp_host="127.0.0.1", smtp_port=smtp_port, mail_rate=0,
        base_url=f"http://127.0.0.1:{port}", schedule=False,
    )  # fmt: skip
    app = create_app(settings, store=Store.open(db_url))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def _summary(values: list[float]) -> dict:
    return {"n": len(values), "median": round(statistics.median(values), 2), "p90": round(_percentile(values, 0.9), 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=300)
    ap.add_argument("--pause", type=float, default=0.1, help="seconds between rounds")
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1/test")
    ap.add_argument("--serve", nargs=4, metavar=("DB_URL", "DIR", "PORT", "SMTP_PORT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.serve[0], args.serve[1], int(args.serve[2]), int(args.serve[3]))
        return

    import httpx
    from aiosmtpd.controller import Controller
    from sqlalchemy import text

    from paperfeed.settings import Settings
    from paperfeed.store import Store
    from paperfeed.store import users as store_users
    from paperfeed.store.passwords import hash_password

    work = Path(tempfile.mkdtemp(prefix="pf-reset-bench-"))
    schema = None
    if args.db == "sqlite":
        db_url = f"sqlite:///{work / 'paperfeed.db'}"
    else:
        from sqlalchemy import create_engine

        schema = f"reset_bench_{os.getpid()}"
        with create_engine(args.pg_url).begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        db_url = f"{args.pg_url}?options=-csearch_path%3D{schema}"
    store = Store.open(db_url)
    hashed = hash_password("correct horse battery", Settings(password_time_cost=1, password_memory_kib=1024))
    with store.transaction() as conn:
        for i in range(200):
            store_users.create_user(conn, username=f"reader{i}", password_hash=hashed,
                                    email=f"reader{i}@example.org", email_confirmed=True)  # fmt: skip
    store.close()

    mails = []

    class Sink:
        async def handle_DATA(self, server, session, envelope):  # noqa: ANN001
            mails.append(envelope.rcpt_tos)
            return "250 2.0.0 accepted"

    smtp = Controller(Sink(), hostname="127.0.0.1", port=_free_port())
    smtp.start()
    port = _free_port()
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", db_url, str(work), str(port), str(smtp.port)], stdout=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            for _ in range(300):
                try:
                    page = client.get("/account/reset")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            token = CSRF_RE.search(page.text).group(1)
            rng = random.Random(13)
            for _ in range(20):  # warm-up, not counted
                client.post("/account/reset", data={"csrf_token": token, "email": "warm@example.org"})
            times: dict[str, list[float]] = {"real": [], "unknown": []}
            after: dict[str, list[float]] = {"real": [], "unknown": []}

            def post(email: str) -> float:
                t0 = time.perf_counter()
                r = client.post("/account/reset", data={"csrf_token": token, "email": email})
                assert r.status_code == 200, r.text[:300]
                return (time.perf_counter() - t0) * 1000

            for i in range(args.rounds):
                kind = rng.choice(["real", "unknown"])
                email = f"reader{rng.randrange(200)}@example.org" if kind == "real" else f"nobody{i}@example.org"
                times[kind].append(post(email))
                after[kind].append(post(f"probe{i}@example.org"))  # at once, while the first one's mail goes
                time.sleep(args.pause)  # the mail's work done: the next round starts from the same state
        deadline = time.monotonic() + 30
        while len(mails) < len(times["real"]) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        child.terminate()
        child.wait(timeout=10)
        smtp.stop()
        store = Store.open(db_url)
        with store.read() as conn:
            rows = conn.execute(text("SELECT status, count(*) FROM outbox GROUP BY status")).all()
            outbox = {status: n for status, n in rows}
        store.close()
        if schema:
            from sqlalchemy import create_engine

            with create_engine(args.pg_url).begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        shutil.rmtree(work, ignore_errors=True)
    real, unknown = _summary(times["real"]), _summary(times["unknown"])
    after_real, after_unknown = _summary(after["real"]), _summary(after["unknown"])
    print(json.dumps({
        "db": args.db, "rounds": args.rounds, "mails_sent": len(mails), "outbox": outbox,
        "real": real, "unknown": unknown, "median_ratio_real_to_unknown": round(real["median"] / unknown["median"], 3),
        "after_real": after_real, "after_unknown": after_unknown,
        "median_ratio_after_real_to_after_unknown": round(after_real["median"] / after_unknown["median"], 3),
    }))  # fmt: skip


if __name__ == "__main__":
    threading.excepthook = lambda a: None  # the SMTP sink's thread at exit
    main()
