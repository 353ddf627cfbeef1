"""The API's JSON shapes (pydantic).

``HF*`` models follow the Hugging Face paper API field for field (names, types, nesting), so clients
written for ``huggingface.co/api/daily_papers`` and ``/api/papers/{id}`` read a paperfeed server too. They
forbid unknown fields and do not coerce types: the tests parse a recorded HF response and a paperfeed
response with these same models, so a renamed or mistyped field fails. Fields HF sends that paperfeed
cannot know (thumbnails, avatars, organizations, linked models) are optional and left out, as HF leaves
out the ones a paper lacks. ``_id`` values are synthesized, stable per paper, author or user.

The other models are paperfeed's own endpoints: votes, comments, collections, submissions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from ..clock import utc
from ..http.params import MAX_DB_ID

# HF writes every timestamp as UTC with milliseconds: 2026-06-12T00:00:00.000Z
Timestamp = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")]
Count = Annotated[int, Field(ge=0)]
# paperfeed's own timestamps: RFC 3339 with the offset (SQLite hands back naive UTC datetimes: made aware)
UtcTime = Annotated[datetime, AfterValidator(utc)]


class HFModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


class HFUser(HFModel):
    """A Hugging Face account as HF embeds it (submitter, claimed author). paperfeed fills in the name."""

    id_: str = Field(alias="_id")
    name: str
    fullname: str
    type: str
    isPro: bool
    user: str | None = None
    avatarUrl: str | None = None
    isHf: bool | None = None
    isHfAdmin: bool | None = None
    isMod: bool | None = None
    followerCount: int | None = None
    isUserFollowing: bool | None = None


class HFAuthor(HFModel):
    id_: str = Field(alias="_id")
    name: str
    hidden: bool
    user: HFUser | None = None
    status: str | None = None
    statusLastChangedAt: Timestamp | None = None


class HFPaper(HFModel):
    """A paper as ``/api/papers/{id}`` returns it and as daily items wrap it."""

    id: str
    title: str
    summary: str
    authors: list[HFAuthor]
    publishedAt: Timestamp
    upvotes: Count
    discussionId: str
    ai_keywords: list[str]
    submittedOnDailyAt: Timestamp | None = None
    submittedOnDailyBy: HFUser | None = None
    githubRepo: str | None = None
    projectPage: str | None = None
    numComments: Count | None = Field(None, description="paperfeed's addition: visible comments on the paper")
    withdrawn: bool | None = Field(None, description="paperfeed's addition: true when the paper's latest version "
                                   "on arXiv says it was withdrawn (absent otherwise)")  # fmt: skip
    ai_summary: str | None = None
    ai_summary_model: str | None = None
    githubRepoAddedBy: str | None = None
    githubStars: int | None = None
    organization: dict[str, Any] | None = None
    mediaUrls: list[str] | None = None
    linkedModels: list[dict[str, Any]] | None = None
    numTotalModels: int | None = None
    linkedDatasets: list[dict[str, Any]] | None = None
    numTotalDatasets: int | None = None
    linkedSpaces: list[dict[str, Any]] | None = None
    numTotalSpaces: int | None = None


class HFDailyItem(HFModel):
    """One entry of ``/api/daily_papers`` (and of search results): the paper plus list-level fields."""

    paper: HFPaper
    title: str
    summary: str
    publishedAt: Timestamp
    numComments: Count
    isAuthorParticipating: bool
    submittedBy: HFUser | None = None
    thumbnail: str | None = None
    organization: dict[str, Any] | None = None
    mediaUrls: list[str] | None = None


# --- paperfeed's own endpoints --------------------------------------------------------------------------


class ApiIn(BaseModel):
    """A request body: values of the documented JSON types only (``"public": 0`` is not a boolean: 422), and
    no text with a NUL character (``http.params``: PostgreSQL refuses one)."""

    model_config = ConfigDict(strict=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain a NUL character")
        return value


class VoteIn(ApiIn):
    value: Literal[1, 0, -1] = Field(1, description="1 upvote, 0 remove your vote, -1 not interested")

    @field_validator("value", mode="before")
    @classmethod
    def _not_a_boolean(cls, value: object) -> object:
        if isinstance(value, bool):  # true == 1 to Python, not to JSON: {"value": true} is no vote
            raise ValueError("value is 1, 0 or -1, not true or false")
        return value


class VoteOut(BaseModel):
    id: str
    upvotes: int
    vote: int


class CommentIn(ApiIn):
    body: str = Field(min_length=1, max_length=10_000)
    parent_id: int | None = Field(None, ge=1, le=MAX_DB_ID, description="reply to this comment (same paper)")


class CommentOut(BaseModel):
    id: int
    paper_id: str
    user: str | None = Field(description="the author; null for a placeholder (`removed`)")
    parent_id: int | None
    body: str = Field(description="the text; empty for a placeholder (`removed`)")
    created_at: UtcTime
    removed: Literal["deleted", "removed"] | None = Field(
        None, description="a placeholder kept for its replies: deleted by its author, or removed by a moderator"
    )
    edited_at: UtcTime | None = Field(None, description="when its author last edited it; null: never")


class CommentEditIn(ApiIn):
    body: str = Field(min_length=1, max_length=10_000, description="the comment's new text")


class AccountDeleteIn(ApiIn):
    password: str = Field(min_length=1, max_length=1024, description="the account's password, to confirm")


class CollectionIn(ApiIn):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=2000)
    public: bool = False
    paper: str | None = Field(None, max_length=100, description="a first paper to add")


class CollectionOut(BaseModel):
    id: int
    name: str
    owner: str
    description: str
    public: bool
    size: int
    created_at: UtcTime


class CollectionDetail(CollectionOut):
    papers: list[HFPaper]


class SubmitIn(ApiIn):
    paper: str = Field(min_length=1, max_length=300, description="an arXiv id or URL, e.g. 2401.01234")


class SubmitOut(BaseModel):
    id: str
    date: str = Field(description="the daily list the paper now appears on (YYYY-MM-DD)")
    paper: HFPaper


class ReportIn(ApiIn):
    reason: Literal["spam", "abuse", "off-topic", "not-a-paper"] = Field(
        description="spam, abuse (abusive or harassing), off-topic, or not-a-paper (not a paper / other)"
    )
    note: str = Field("", max_length=500, description="anything the moderators should know")


class ReportOut(BaseModel):
    id: int | None = Field(description="the report (yours already open, for `already-reported`); null when `handled`")
    kind: Literal["paper", "comment"]
    target: str = Field(description="the paper id or the comment id")
    paper_id: str
    status: Literal["open", "already-reported", "handled"] = Field(
        description="open: reported now (201); already-reported: you have an open report of it (200); "
        "handled: a moderator already took it down (200, nothing recorded)"
    )
    message: str
