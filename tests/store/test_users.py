"""The event log behind the login, sign-up, subscription and submission limits (``store.users``): counted
per key within a window, and never kept past two days; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from paperfeed.store import users as store_users
from paperfeed.store.models import auth_failures


def test_events_are_counted_in_their_window_and_old_ones_are_dropped(store):
    old = datetime.now(UTC) - timedelta(days=3)
    with store.transaction() as conn:
        conn.execute(auth_failures.insert(), [{"key": f"signup:10.0.0.{i}", "at": old} for i in range(50)])
        assert store_users.take_quota(conn, "signup:10.9.9.9", limit=2, window=timedelta(hours=1)) == 0
        assert store_users.take_quota(conn, "signup:10.9.9.9", limit=2, window=timedelta(hours=1)) == 0
        wait = store_users.take_quota(conn, "signup:10.9.9.9", limit=2, window=timedelta(hours=1))
        assert 3500 < wait <= 3600  # the third waits for the first to leave the hour
        assert store_users.recent_failures(conn, "signup:10.9.9.9", window=timedelta(hours=1)) == 2
        # the 50 events of three days ago went when the new ones were written: the table does not grow
        assert conn.execute(select(func.count()).select_from(auth_failures)).scalar_one() == 2
