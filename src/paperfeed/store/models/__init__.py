"""Tables, by area. The store package is the only code that talks to the database.

Community data (votes, comments, users) lives in its own tables that imports never write, so an import
can never lose it. Papers are keyed by their canonical arXiv id, or a stable ``pf-`` id for other papers.

- ``base``: the declarative ``Base`` and its ``metadata`` (what the migrations compare against)
- ``papers``: papers, authors, categories, versions, featured days, aliases
- ``users``: accounts, API tokens, failed logins, ended sessions, follows, trained "for you" models
- ``community``: votes, comments, collections, the moderation log, reports
- ``derived``: what the index job derives: vectors, sentences, keyphrases, summaries, similar lists
- ``mail``: subscribers, alerts, sent papers, the outbox
- ``jobs``: harvest resume points, scheduled job runs

Every class and table is importable from here (``from paperfeed.store.models import papers``).
"""

from __future__ import annotations

from .base import NAMING, Base
from .community import (
    Collection,
    CollectionItem,
    Comment,
    ModerationEntry,
    Report,
    Vote,
    collection_items,
    collections,
    comments,
    moderation_log,
    reports,
    votes,
)
from .derived import (
    PaperKeyword,
    PaperSentences,
    PaperSummary,
    PaperVector,
    SimilarList,
    paper_keywords,
    paper_sentences,
    paper_summaries,
    paper_vectors,
    similar_lists,
)
from .jobs import FetchState, JobRun, fetch_state, job_runs
from .mail import Alert, OutboxMessage, SentPaper, Subscriber, alerts, outbox, sent_papers, subscribers
from .papers import (
    Featured,
    Paper,
    PaperAlias,
    PaperAuthor,
    PaperCategory,
    PaperVersion,
    featured,
    paper_aliases,
    paper_authors,
    paper_categories,
    paper_versions,
    papers,
)
from .users import (
    ApiToken,
    AuthFailure,
    EndedSession,
    Follow,
    User,
    UserModel,
    api_tokens,
    auth_failures,
    ended_sessions,
    follows,
    user_models,
    users,
)

__all__ = [
    "NAMING",
    "Base",
    "Collection",
    "CollectionItem",
    "Comment",
    "ModerationEntry",
    "Report",
    "Vote",
    "collection_items",
    "collections",
    "comments",
    "moderation_log",
    "reports",
    "votes",
    "PaperKeyword",
    "PaperSentences",
    "PaperSummary",
    "PaperVector",
    "SimilarList",
    "paper_keywords",
    "paper_sentences",
    "paper_summaries",
    "paper_vectors",
    "similar_lists",
    "FetchState",
    "JobRun",
    "fetch_state",
    "job_runs",
    "Alert",
    "OutboxMessage",
    "SentPaper",
    "Subscriber",
    "alerts",
    "outbox",
    "sent_papers",
    "subscribers",
    "Featured",
    "Paper",
    "PaperAlias",
    "PaperAuthor",
    "PaperCategory",
    "PaperVersion",
    "featured",
    "paper_aliases",
    "paper_authors",
    "paper_categories",
    "paper_versions",
    "papers",
    "ApiToken",
    "AuthFailure",
    "EndedSession",
    "Follow",
    "User",
    "UserModel",
    "api_tokens",
    "auth_failures",
    "ended_sessions",
    "follows",
    "user_models",
    "users",
]
