"""Two-machine failover: two `paperfeed serve` processes over one PostgreSQL, the digest holder killed -9.

    .venv/bin/python bench/failover.py [--pg postgresql+psycopg://postgres@127.0.0.1/test] [--readers 100]
                                       [--kill-after 25]

Set-up: a fresh PostgreSQL schema with a week of featured papers and ``--readers`` confirmed weekly
subscribers, a real SMTP server (aiosmtpd) on loopback, and two serving processes (A and B, as two
machines would run them: their own ports and data folders, the same database) whose schedulers both
fire the digests job at the next whole minute (``PAPERFEED_DIGEST_TIME``; weekly day: today). One of them
takes the job's advisory lock, composes every digest and sends them at ``mail_rate`` 5/s; once
``--kill-after`` mails have arrived it is killed with SIGKILL (found by its log line "running digests").

Measured: seconds from the kill until the other process holds the job ("running digests" in its log) and
until every reader has a digest; mails per reader (each must be exactly 1: the killed holder's sent
messages are not sent again, its unsent ones are sent by the survivor; a message it was handing to the SMTP
server when it died is marked ``unconfirmed`` and not resent, so its reader may have 0 or 1). Prints one
JSON line; docs/benchmarks.md records it. Exits 1 when a reader got two mails.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from paperfeed.ingest import import_items
from paperfeed.records import Featured, PaperRecord, checked
from paperfeed.store import Store
from paperfeed.store import outbox as store_outbox
from paperfeed.store import subscriptions as subs

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class Inbox:
    """An SMTP server that counts what each address receives."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        with self.lock:
            self.received.update(a.lower() for a in envelope.rcpt_tos)
        return "250 OK"

    def total(self) -> int:
        with self.lock:
            return sum(self.received.values())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(url: str, readers: int, today: date) -> None:
    store = Store.open(url)
    records = [
        checked(PaperRecord(title=f"Failover paper {i}", abstract=f"What paper {i} found.", arxiv_id=f"2401.{i:05d}",
                            authors=["Ada Lovelace"], categories=["cs.LG"], upvotes=10 + i, source="hf",
                            featured=[Featured(today - timedelta(days=1 + i % 5), "akhaliq", 10 + i)]))
        for i in range(1, 21)
    ]  # fmt: skip
    import_items(store, records)
    with store.transaction() as conn:
        for i in range(readers):
            sub = subs.subscribe(conn, f"reader{i}@example.org")
            subs.confirm(conn, sub.id, sub.token_version)
            subs.update_settings(conn, sub.id, frequency="weekly", trending=True, personal=False, send_empty=True)
    store.close()


def serve(name: str, url: str, work: Path, smtp_port: int, digest_time: str, weekday: str) -> tuple:
    data = work / name
    data.mkdir()
    env = os.environ | {
        "PAPERFEED_DATABASE_URL": url, "PAPERFEED_DATA_DIR": str(data), "PAPERFEED_SECRET_KEY": "failover-bench",
        "PAPERFEED_SMTP_HOST": "127.0.0.1", "PAPERFEED_SMTP_PORT": str(smtp_port), "PAPERFEED_MAIL_RATE": "5",
        "PAPERFEED_MAIL_FROM": "paperfeed <digest@example.org>", "PAPERFEED_DIGEST_TIME": digest_time,
        "PAPERFEED_WEEKLY_DAY": weekday, "PAPERFEED_JOB_POLL_SECONDS": "1",
    }  # fmt: skip
    log = (work / f"{name}.log").open("w")
    cmd = [sys.executable, "-m", "paperfeed", "serve", "--host", "127.0.0.1", "--port", str(free_port())]
    return subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT), work / f"{name}.log"


def running(log: Path) -> bool:
    return "running digests" in log.read_text(errors="replace")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--pg", default=os.environ.get("PAPERFEED_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1/test")
    )
    ap.add_argument("--readers", type=int, default=100)
    ap.add_argument("--kill-after", type=int, default=25)
    args = ap.parse_args()

    admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
    schema = f"failover_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{args.pg}?options=-csearch_path%3D{schema}"
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    procs = []
    try:
        now = datetime.now(UTC)
        seed(url, args.readers, now.date())
        at = (now + timedelta(minutes=1 if now.second < 30 else 2)).replace(second=0, microsecond=0)
        weekday = DAYS[at.weekday()]
        with tempfile.TemporaryDirectory(prefix="pf-failover-") as tmp:
            work = Path(tmp)
            a = serve("a", url, work, smtp.port, f"{at:%H:%M}", weekday)
            b = serve("b", url, work, smtp.port, f"{at:%H:%M}", weekday)
            procs = [a[0], b[0]]
            print(f"two servers up; the digests job fires at {at:%H:%M} UTC", file=sys.stderr)
            deadline = time.monotonic() + 300
            while inbox.total() < args.kill_after:
                if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                    raise SystemExit(f"no digests: see {a[1].read_text()[-2000:]}\n{b[1].read_text()[-2000:]}")
                time.sleep(0.05)
            holder, other = (a, b) if running(a[1]) else (b, a)
            sent_before = inbox.total()
            os.kill(holder[0].pid, signal.SIGKILL)
            killed = time.monotonic()
            holder[0].wait()
            took_over = None
            store = Store.open(url, upgrade=False)
            while time.monotonic() - killed < 240:
                if took_over is None and running(other[1]):
                    took_over = time.monotonic() - killed
                with store.read() as conn:
                    counts = store_outbox.counts(conn)
                if counts["pending"] == counts["sending"] == 0 and counts["sent"] > 0:
                    break
                time.sleep(0.25)
            finished = time.monotonic() - killed
            store.close()
            per_reader = Counter(inbox.received.get(f"reader{i}@example.org", 0) for i in range(args.readers))
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                p.wait(10)
        smtp.stop()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    result = {
        "readers": args.readers, "mails_before_kill": sent_before, "takeover_s": took_over and round(took_over, 2),
        "all_delivered_s": round(finished, 2), "readers_by_mails": dict(sorted(per_reader.items())),
        "outbox": {k: v for k, v in counts.items() if v},
    }  # fmt: skip
    print(json.dumps(result))
    sys.exit(1 if any(n > 1 for n in per_reader) else 0)


if __name__ == "__main__":
    main()
