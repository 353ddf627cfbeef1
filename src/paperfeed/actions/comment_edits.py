"""An author edits their own comment, the same for every surface (posting and deleting are in
``actions.community``).

Only within ``settings.comment_edit_hours`` of posting (a reply answers what the comment said; the text
cannot change under it for ever), only the author (``NotYours``: 403 for anyone else, admins included:
they hide), and never a comment a moderator hid (``NotYours``) or its author deleted (``NotFound``), nor one
with open reports (``NotYours``): until a moderator has looked, the text stays what readers reported, so
that an author cannot trade it for a harmless one while the moderators look and edit it back after. The
new text passes the same checks as a new comment (``CommunityError``: 400), and the comment shows "edited".
An author makes at most ``EDITS_PER_HOUR`` edits an hour (``SlowDown``: each empties the page caches).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ..settings import Settings
from ..store import Store, community, events
from ..store import reports as store_reports
from ..store.community import CommentView
from ..store.users import UserView
from .community import NotFound, NotYours, over_quota, visible_paper

EDITS_PER_HOUR = 30  # per user: fixing a typo or two per comment stays far under it; an edit loop does not


def editable(settings: Settings, created_at: datetime) -> bool:
    """Whether a comment posted at ``created_at`` is still within the edit window."""
    return datetime.now(UTC) - created_at <= timedelta(hours=settings.comment_edit_hours)


def edit_comment(
    store: Store, settings: Settings, user: UserView, paper_id: str, comment_id: int, body: str
) -> CommentView:
    """Replace the text of ``user``'s comment on this paper and return the comment as the thread shows it."""
    with store.transaction() as conn:
        view = visible_paper(conn, paper_id)
        found = community.comment_for_edit(conn, comment_id)
        if found is None or found.paper_id != view.id:
            raise NotFound("no such comment")
        if found.user_id != user.id:
            raise NotYours("you can edit only your own comments")
        if found.hidden:
            raise NotYours("this comment was removed by a moderator: it cannot be edited")
        if not editable(settings, found.created_at):
            hours = settings.comment_edit_hours
            if not hours:
                raise NotYours("comments cannot be edited on this site")
            raise NotYours(f"a comment can be edited for {hours} hour{'' if hours == 1 else 's'} after it was "
                           "posted; this one is older")  # fmt: skip
        if store_reports.is_reported(conn, "comment", str(comment_id)):
            raise NotYours("this comment was reported to the moderators: it cannot be edited until they have "
                           "looked at it (you can still delete it)")  # fmt: skip
        community.check_body(body)  # refused text is not counted
        said = f"you edited comments {EDITS_PER_HOUR} times in the last hour, as often as one account may"
        if slow := over_quota(conn, f"edit:{user.id}", EDITS_PER_HOUR, said, "edit"):
            raise slow
        community.edit_comment(conn, comment_id, body)
        edited = next(c for c in community.comments_for(conn, view.id) if c.id == comment_id)
    events.publish(store)
    return edited
