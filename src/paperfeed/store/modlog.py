"""The moderation log: one row per moderation action, written in the action's own transaction (so an
action that fails records nothing, and one that happened is always recorded), read newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, func, select

from ..clock import utc
from .models import moderation_log

ACTIONS = (
    "hide-paper", "show-paper", "hide-comment", "show-comment", "ban", "unban",
    "feature", "unfeature", "set-admin", "unset-admin", "dismiss-reports", "dismiss-reporter",
    "delete-user", "set-password",
)  # fmt: skip
MAX_REASON = 500


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    reason: str | None

    def as_dict(self) -> dict:
        return {"id": self.id, "at": self.at.isoformat(), "actor": self.actor, "action": self.action,
                "target": self.target, "reason": self.reason}  # fmt: skip


def record(conn: Connection, *, actor: str, action: str, target: str, reason: str | None = None) -> None:
    """Log one action (``reason`` stripped; empty means none, longer than ``MAX_REASON`` is cut)."""
    if action not in ACTIONS:
        raise ValueError(f"not a moderation action: {action!r}")
    reason = (reason or "").strip()[:MAX_REASON] or None
    conn.execute(moderation_log.insert().values(at=datetime.now(UTC), actor=actor[:100], action=action,
                                                target=str(target)[:200], reason=reason))  # fmt: skip


def entries(conn: Connection, *, limit: int = 50, offset: int = 0) -> list[Entry]:
    """The newest ``limit`` entries after skipping ``offset``, newest first."""
    q = select(moderation_log).order_by(moderation_log.c.id.desc()).limit(limit).offset(offset)
    return [Entry(r.id, utc(r.at), r.actor, r.action, r.target, r.reason) for r in conn.execute(q)]


def count(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(moderation_log)).scalar_one()
