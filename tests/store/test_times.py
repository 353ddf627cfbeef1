"""Times read back from the store are aware UTC datetimes, whatever the PostgreSQL server's time zone
(a database set to Asia/Tokyo showed comments at 20:23 that were posted at 11:23 UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from paperfeed.store import community, jobs
from paperfeed.store import users as store_users
from tests.helpers.web import add_papers, paper


def _tokyo(conn) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET TIME ZONE 'Asia/Tokyo'")


def test_comment_job_account_and_token_times_are_utc(store):
    add_papers(store, paper(1))
    start = datetime.now(UTC).replace(microsecond=0)
    with store.transaction() as conn:
        uid = store_users.create_user(conn, username="ann", password_hash="x").id
        store_users.create_token(conn, uid, "laptop")
        community.add_comment(conn, user_id=uid, paper_id="2401.00001", body="Nice.")
        jobs.record(conn, "deliver", "2026-12-07T11:49", host="vm:1", started_at=start,
                    finished_at=start + timedelta(seconds=2))  # fmt: skip
    with store.read() as conn:
        _tokyo(conn)
        (made,) = community.comments_for(conn, "2401.00001")
        (run,) = jobs.runs(conn)
        user = store_users.get_user(conn, uid)
        (token,) = store_users.list_tokens(conn, uid)
    assert made.created_at.tzinfo is not None and made.created_at.utcoffset() == timedelta(0)
    assert abs(made.created_at - start) < timedelta(minutes=1)
    assert run["started_at"] == start and run["started_at"].utcoffset() == timedelta(0)
    assert run["finished_at"].utcoffset() == timedelta(0)
    assert user.created_at.utcoffset() == timedelta(0) and token["created_at"].utcoffset() == timedelta(0)
