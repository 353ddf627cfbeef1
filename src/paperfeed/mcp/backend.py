"""What the tools and resources of one MCP server reach (``Backend``): the store, the settings, the user
whose API token the call carries (the request's ``Authorization: Bearer`` header over HTTP, the token
``paperfeed mcp`` was started with over stdio), and the hook that runs after a write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mcp.server.mcpserver import Context

from ..errors import PaperfeedError
from ..settings import Settings
from ..store import Store
from ..store import papers as store_papers
from ..store import users as store_users
from ..store.users import UserView

TOKEN_HELP = (
    "create an API token on your paperfeed profile page and give it to the MCP client: the HTTP header "
    "`Authorization: Bearer <token>`, or PAPERFEED_MCP_TOKEN for `paperfeed mcp`"
)


def bearer(headers) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, as the API reads it."""
    auth = headers.get("authorization", "") if headers is not None else ""
    return (auth[7:].strip() or None) if auth[:7].lower() == "bearer " else None


@dataclass
class Backend:
    settings: Settings
    store: Store
    token: str | None = None  # the stdio caller's API token (over HTTP each request's own header counts)
    on_write: Callable[[], None] | None = None  # runs after each write (the app expires its page cache)

    def caller(self, ctx: Context, *, required: bool) -> UserView | None:
        """The user of the caller's token (None without one, unless ``required``)."""
        headers = ctx.headers
        sent = bearer(headers) if headers is not None else self.token
        if not sent:
            if required:
                raise PaperfeedError(f"this tool acts for a paperfeed user: {TOKEN_HELP}")
            return None
        with self.store.transaction() as conn:
            user = store_users.user_for_token(conn, sent)
        if user is None:
            raise PaperfeedError(f"invalid API token (revoked or mistyped): {TOKEN_HELP}")
        if user.banned:
            raise PaperfeedError(f"the account {user.username!r} is suspended")
        return user

    def wrote(self) -> None:
        if self.on_write is not None:
            self.on_write()

    def papers(self, ids: list[str]) -> list[store_papers.PaperView]:
        with self.store.read() as conn:
            return [v for v in store_papers.get_papers(conn, ids) if not v.hidden]
