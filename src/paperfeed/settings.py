"""One settings object for the whole product.

Values come, strongest first, from: CLI overrides, environment variables ``PAPERFEED_*``, a TOML config
file (``PAPERFEED_CONFIG`` or ``--config``), then the defaults below. ``paperfeed settings`` lists them.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

MODEL_FILES = ("config.json", "model.safetensors", "tokenizer.json", "modules.json")  # of an embed_model folder


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PAPERFEED_", extra="forbid", validate_default=True)

    data_dir: Path = Field(Path("paperfeed-data"), description="Folder for the SQLite database and indexes.")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL; default: SQLite file in data_dir. "
        "PostgreSQL: postgresql+psycopg://user@host/dbname",
    )
    debug: bool = Field(False, description="Show tracebacks on errors.")

    # sources
    arxiv_api_url: str = Field("https://export.arxiv.org/api/query", description="arXiv query API endpoint.")
    arxiv_oai_url: str = Field("https://oaipmh.arxiv.org/oai", description="arXiv OAI-PMH endpoint.")
    arxiv_rss_url: str = Field("https://rss.arxiv.org/rss", description="arXiv RSS base URL (+ '/cs.LG').")
    hf_api_url: str = Field("https://huggingface.co/api", description="Hugging Face API base URL.")
    http_delay: float = Field(3.0, ge=0, description="Seconds between calls to one service (arXiv asks 3).")
    http_retries: int = Field(4, ge=0, le=20, description="Retries of a failing page (5xx, timeouts).")
    http_backoff: float = Field(2.0, ge=0, description="First retry pause in seconds; doubles each retry.")
    http_timeout: float = Field(30.0, gt=0, description="Seconds before a network call times out.")
    page_size: int = Field(100, ge=1, le=2000, description="Records per arXiv API page.")

    # serving
    host: str = Field("127.0.0.1", description="Address `paperfeed serve` binds.")
    port: int = Field(8000, ge=1, le=65535, description="Port `paperfeed serve` listens on.")
    page_items: int = Field(30, ge=1, le=500, description="Papers per page in lists.")
    page_cache_seconds: float = Field(10.0, ge=0, description="Seconds anonymous pages and API lists are kept (0: off)")
    public_cache_seconds: int = Field(
        60,
        ge=0,
        description="Seconds a shared cache (a proxy, a CDN) or a browser may keep an anonymous page: "
        "Cache-Control: public, max-age=N (0: no-cache, each use asks the server again). The anonymous JSON "
        "API's answers say the same.",
    )
    feed_cache_seconds: int = Field(
        900,
        ge=0,
        description="Seconds a shared cache, a browser or a feed reader may keep a feed or a sitemap, which change "
        "when papers arrive (0: no-cache).",
    )
    serve_threads: int = Field(
        4,
        ge=1,
        le=256,
        description="Threads of a serving process that run page and API handlers; requests beyond wait their "
        "turn in order (a few keep the slowest answers near the average; more help when the database is remote).",
    )
    site_name: str = Field("paperfeed", description="Name shown in page titles and feeds.")
    base_url: str = Field(
        "http://127.0.0.1:8000",
        description="Public URL of the site, for links in feeds, mail and MCP answers (unset: `serve` and `demo` "
        "use the address they listen on).",
    )
    secret_key: str | None = Field(
        None,
        description="Signs session and CSRF cookies and links. Default: a random key kept in data_dir/secret_key "
        "(set it explicitly when several machines serve the same database).",
    )
    cookie_secure: bool = Field(False, description="Send the session and CSRF cookies over HTTPS only (behind TLS).")
    log_level: str = Field(
        "INFO",
        pattern=r"(?i)^(debug|info|warning|error|critical)$",
        description="Log level of `paperfeed serve` and its jobs (DEBUG, INFO, WARNING, ERROR).",
    )
    log_format: str = Field(
        "text",
        pattern=r"^(text|json)$",
        description="Log lines as `text` or `json` (one JSON object per line, with request_id).",
    )
    metrics_token: SecretStr | None = Field(
        None, description="Bearer token that may read /metrics from anywhere (without it: the loopback address only)."
    )
    map_layouts: int = Field(
        1, ge=1, le=64, description="Topic maps a serving process lays out at once; more wait (pages: 429)."
    )
    rate_limit_per_minute: int = Field(
        120,
        ge=0,
        description="Anonymous API, MCP, search, search-feed and query-map requests a minute per client (0: off).",
    )
    rate_limit_burst: int = Field(30, ge=1, description="Requests a client may make at once before the rate applies.")
    login_max_failures: int = Field(5, ge=1, description="Failed logins per account (or 4x per address) ...")
    login_window_minutes: int = Field(
        15, ge=1, le=1440, description="... within this many minutes (a day at most) before logins pause."
    )
    password_time_cost: int = Field(
        3, ge=1, le=64, description="Passes of argon2id over its memory for each new password hash (argon2-cffi's 3)."
    )
    password_memory_kib: int = Field(
        65536,
        ge=1024,
        le=4 * 1024 * 1024,
        description="KiB of memory argon2id fills for each new password hash (64 MiB); a sign-up, log-in or password "
        "change holds it for its ~0.3 s. A hash made at another cost is made again at the next log-in.",
    )
    request_max_bytes: int = Field(
        1024 * 1024, ge=1024, description="Largest request body in bytes, else 413 (library imports: their own)."
    )
    comment_edit_hours: int = Field(
        24, ge=0, le=8760, description="Hours after posting in which an author may edit a comment (0: never)."
    )
    trending_gravity: float = Field(1.8, gt=0, description="Trending: age exponent of the time decay.")
    trending_window_days: int = Field(7, ge=1, le=365, description="Trending: papers of the last N days compete.")

    # search and similar papers (docs/search.md)
    index_dir: Path | None = Field(None, description="Folder for the search indexes; default: data_dir/index.")
    embed_precision: str = Field(
        "auto",
        pattern="^(auto|fp32|bf16)$",
        description="Embedding job: fp32, bf16, or auto (bf16 on a GPU or a CPU with AVX512-BF16/AMX).",
    )
    embed_batch_size: int = Field(32, ge=1, le=4096, description="Embedding job: texts per model call.")
    embed_max_tokens: int = Field(
        256,
        ge=16,
        le=512,
        description="Embedding job: each paper's title and abstract are cut at this many tokens (the cost grows "
        "with it); changing it re-embeds every paper, resumably.",
    )
    embed_model: str = Field(
        "",
        description="Embedding model: empty for the bundled all-MiniLM-L6-v2, or the folder of another "
        "384-dimensional BERT sentence-transformers model (e.g. one scripts/train_similarity.py fine-tuned); "
        "changing it, or its weights, re-embeds every paper, resumably.",
    )
    index_batch: int | None = Field(
        None,
        ge=1,
        le=100_000,
        description="Index job: papers per committed batch of the embedding, keyword, sentence and similar-list "
        "steps (a killed job redoes at most one); default 8 model calls, at least 256 (sentences: 4, at least 128; "
        "similar lists: 256).",
    )
    index_sentences: bool = Field(
        True,
        description="Index job: also label and embed every paper's sentences, for similar papers by facet "
        "(background, method, result); about 1.2x the embedding work again, ~3.5 kB a paper.",
    )
    query_model: str = Field(
        "int8",
        pattern="^(int8|fp32)$",
        description="Query encoder of a serving process: int8 (dense layers in 8-bit blocks) or fp32.",
    )
    search_refresh_seconds: float = Field(
        5.0, ge=0, description="How often a serving process catches up with new papers and vectors."
    )
    search_candidates: int = Field(100, ge=10, le=5000, description="Lexical and vector top-k fed to the fusion.")
    search_rrf_k: float = Field(60.0, gt=0, description="Reciprocal-rank fusion constant k.")
    search_lexical_weight: float = Field(2.0, ge=0, description="Fusion weight of the lexical (BM25) ranking.")
    search_vector_weight: float = Field(1.0, ge=0, description="Fusion weight of the semantic (vector) ranking.")
    search_min_similarity: float = Field(
        0.3,
        ge=-1,
        le=1,
        description="Cosine similarity below which a paper does not match a query by meaning (the bundled model: "
        "nonsense queries reach 0.24-0.28, real topics 0.4-0.65 at the top; docs/search.md).",
    )
    vector_ef: int = Field(128, ge=16, le=4096, description="HNSW search depth (higher: better recall, slower).")

    # email digests and alerts (docs/email.md)
    smtp_host: str = Field("localhost", description="SMTP server that delivers digests and confirmations.")
    smtp_port: int = Field(25, ge=1, le=65535, description="SMTP server port (25, 587 with STARTTLS, 465 with SSL).")
    smtp_security: str = Field(
        "none", pattern="^(none|starttls|ssl)$", description="SMTP transport security: none, starttls or ssl."
    )
    smtp_user: str | None = Field(None, description="SMTP login name (none: no login).")
    smtp_password: SecretStr | None = Field(None, description="SMTP password.")
    smtp_timeout: float = Field(30.0, gt=0, description="Seconds before an SMTP call times out.")
    mail_from: str = Field(
        "paperfeed <paperfeed@localhost>", description="From address of every mail, e.g. 'Papers <papers@example.org>'."
    )
    mail_rate: float = Field(5.0, ge=0, description="At most this many messages per second (0: no limit).")
    mail_max_bounces: int = Field(3, ge=1, description="Permanent failures before an address is marked bouncing.")
    digest_items: int = Field(10, ge=1, le=100, description="Papers per digest section (trending, each alert...).")
    digest_time: str = Field(
        "07:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="Time of day (UTC, HH:MM) digests go out."
    )
    weekly_day: str = Field(
        "mon", pattern="^(mon|tue|wed|thu|fri|sat|sun)$", description="Day weekly digests go out (mon..sun)."
    )
    confirm_link_hours: int = Field(48, ge=1, description="Hours a subscription confirmation link stays valid.")
    reset_link_minutes: int = Field(
        60, ge=5, le=1440, description="Minutes a password reset link stays valid (it also ends once used)."
    )
    index_follow_seconds: float = Field(
        60.0, ge=5, le=3600, description="How often each machine's search indexes take in new papers and vectors."
    )
    job_poll_seconds: float = Field(
        5.0, gt=0, le=300, description="How often a machine waiting for another one's scheduled job checks the lock."
    )
    schedule: bool = Field(True, description="`paperfeed serve` runs the built-in scheduler (digests, retries...).")
    schedule_rss_categories: list[str] = Field(
        default_factory=list, description="Scheduler: fetch these arXiv RSS categories daily before the digests."
    )
    schedule_hf: bool = Field(False, description="Scheduler: fetch today's Hugging Face daily papers daily.")

    # library import (docs/library.md)
    library_max_bytes: int = Field(
        20 * 1024 * 1024, ge=1024, description="Library import: larger files are refused (bytes)."
    )
    library_max_entries: int = Field(20_000, ge=1, description="Library import: files with more entries are refused.")

    # recommendations (docs/recommend.md)
    recommend_days: int = Field(7, ge=1, le=90, description="For you: rank the new papers of the last N days.")
    recommend_negatives: int = Field(
        100, ge=0, le=5000, description="For you: random recent papers added as negatives up to this many."
    )
    recommend_downvote_weight: float = Field(
        3.0, ge=0, description="For you: weight of a 'not interested' vote against a random negative's 1."
    )
    recommend_diversity: float = Field(
        0.3, ge=0, le=1, description="For you: 0 ranks by score only; higher spreads the page over topics (MMR)."
    )

    @field_validator("mail_from")
    @classmethod
    def _one_line(cls, v: str) -> str:
        from email.headerregistry import Address
        from email.utils import parseaddr

        if "\r" in v or "\n" in v:
            raise ValueError("must be one line")
        name, addr = parseaddr(v)
        if "@" not in addr:
            raise ValueError(f"not an email address: “{v}”")
        local, _, domain = addr.rpartition("@")
        if not local.isascii():  # would need SMTPUTF8, which the sender does not speak
            raise ValueError(f"the part before the @ must be ASCII (letters a-z, digits, . _ -): “{addr}”")
        if not domain.isascii():  # an internationalised domain is sent as its punycode (IDNA), as mail does
            try:
                domain = domain.encode("idna").decode("ascii")
            except UnicodeError:
                raise ValueError(f"not a valid domain: “{domain}”") from None
            v = v.replace(addr, f"{local}@{domain}")
        Address(display_name=name, addr_spec=f"{local}@{domain}")  # raises on what a header cannot carry
        return v

    @field_validator("embed_model")
    @classmethod
    def _model_folder(cls, v: str) -> str:
        if not v:
            return v
        import json

        path = Path(v).expanduser()
        missing = [f for f in MODEL_FILES if not (path / f).is_file()]
        if missing:
            raise ValueError(f"{path}: not a sentence-transformers model folder (no {', '.join(missing)})")
        try:
            cfg = json.loads((path / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ValueError(f"{path / 'config.json'}: unreadable ({e})") from None
        if not isinstance(cfg, dict) or cfg.get("model_type") != "bert" or cfg.get("hidden_size") != 384:
            got = (cfg.get("model_type"), cfg.get("hidden_size")) if isinstance(cfg, dict) else cfg
            raise ValueError(f"{path}: a 384-dimensional BERT model is needed, config.json says {got!r}")
        return str(path)

    @field_validator("base_url")
    @classmethod
    def _absolute_url(cls, v: str) -> str:
        from urllib.parse import urlsplit

        v = v.strip()
        parts = urlsplit(v)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError(
                f"{v!r} is not a site address: use an absolute http(s) URL, e.g. https://papers.example.org"
            )
        return v.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _url_scheme(cls, v: str | None) -> str | None:
        if v and not v.startswith(("sqlite", "postgresql")):
            raise ValueError("only sqlite:// and postgresql+psycopg:// URLs are supported")
        return v

    def signing_key(self) -> str:
        """The secret key: configured, or created once and kept in the data dir."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            import secrets

            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another worker is writing it right now
                time.sleep(0.2)
            else:
                with os.fdopen(fd, "w") as f:
                    f.write(secrets.token_urlsafe(48))
        return path.read_text().strip()

    @property
    def db_url(self) -> str:
        """The database URL in force: the configured one or the SQLite file in ``data_dir``."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'paperfeed.db').resolve()}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config = os.environ.get("PAPERFEED_CONFIG")
        if config:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config)))
        return tuple(sources)


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings; ``config`` names a TOML file, ``overrides`` (None values ignored) win over all."""
    if config is not None:
        if not config.is_file():
            raise FileNotFoundError(f"config file not found: {config}")
        os.environ["PAPERFEED_CONFIG"] = str(config)
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
