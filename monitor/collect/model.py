"""Data passed between the collector's layers: fetch -> parse -> normalise -> store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True)
class FeedState:
    """What the collector needs to know about a feed before fetching it."""

    id: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    consecutive_failures: int = 0
    failing_since: datetime | None = None
    next_attempt_at: datetime | None = None
    poll_interval: int = 3600
    language: str | None = None


class FetchErrorKind(StrEnum):
    dns = "dns"
    connect = "connect"
    timeout = "timeout"
    tls = "tls"
    too_large = "too_large"
    http = "http"
    protocol = "protocol"
    parse = "parse"
    other = "other"


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one HTTP retrieval. Never raised, always returned."""

    feed_id: str
    requested_url: str
    started_at: datetime
    elapsed: float
    status: int | None = None
    body: bytes | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    retry_after: str | None = None
    moved_to: str | None = None
    error_kind: FetchErrorKind | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error_kind is None and self.status is not None and 200 <= self.status < 300

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class RawEntry:
    """An entry as a parser saw it, before the project's own normalisation."""

    id: str | None = None
    link: str | None = None
    title: str | None = None
    title_type: str = "text/plain"
    summary: str | None = None
    summary_type: str = "text/html"
    author: str | None = None
    published: datetime | None = None
    updated: datetime | None = None


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    language: str | None
    entries: list[RawEntry]
    parser: str
    bozo: bool = False
    bozo_message: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class NormalizedEntry:
    """An entry as the store keeps it."""

    key: str
    guid: str | None
    url: str | None
    title: str
    summary_html: str
    summary_text: str
    author: str | None
    published_at: datetime | None
    lang_hint: str | None
    content_hash: str


class Outcome(StrEnum):
    ok = "ok"
    not_modified = "not_modified"
    unchanged = "unchanged"
    error = "error"
    gone = "gone"
    skipped = "skipped"


@dataclass
class FeedReport:
    """What happened to one feed in one pass."""

    feed_id: str
    outcome: Outcome
    status: int | None = None
    new_items: int = 0
    updated_items: int = 0
    error: str | None = None
    moved_to: str | None = None
    parser: str | None = None


@dataclass
class CollectSummary:
    reports: list[FeedReport] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.reports if r.outcome == outcome)

    @property
    def fetched(self) -> int:
        return self.count(Outcome.ok) + self.count(Outcome.unchanged)

    @property
    def not_modified(self) -> int:
        return self.count(Outcome.not_modified)

    @property
    def failed(self) -> int:
        return self.count(Outcome.error) + self.count(Outcome.gone)

    @property
    def skipped(self) -> int:
        return self.count(Outcome.skipped)

    @property
    def new_items(self) -> int:
        return sum(r.new_items for r in self.reports)

    @property
    def updated_items(self) -> int:
        return sum(r.updated_items for r in self.reports)

    def as_dict(self) -> dict[str, int]:
        return {
            "feeds": len(self.reports),
            "fetched": self.fetched,
            "not_modified": self.not_modified,
            "unchanged": self.count(Outcome.unchanged),
            "failed": self.failed,
            "skipped": self.skipped,
            "new_items": self.new_items,
            "updated_items": self.updated_items,
        }
