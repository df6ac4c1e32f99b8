"""The store's tables.

Each stage owns its tables and keys them by item, so any stage can be rerun without
touching what the stages before it wrote.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    Unicode,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from monitor.store.types import JSONType, UTCDateTime

# The statuses of an alert still waiting for, or under, an analyst's attention.
OPEN_ALERT_STATUSES = ("new", "acknowledged", "escalated")
OPEN_ALERT_SQL = "status IN ({})".format(", ".join(f"'{s}'" for s in OPEN_ALERT_STATUSES))


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
        list[Any]: JSONType,
    }


class Feed(Base):
    """A watched feed's mirror of its configuration plus its fetch state."""

    __tablename__ = "feeds"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    config_url: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20), default="news")
    language: Mapped[str | None] = mapped_column(String(10))
    countries: Mapped[list[Any]] = mapped_column(default=list)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    poll_interval: Mapped[int] = mapped_column(Integer, default=3600)
    reliability: Mapped[float] = mapped_column(Float, default=0.7)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    in_config: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)

    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    body_hash: Mapped[str | None] = mapped_column(String(64))
    feed_title: Mapped[str | None] = mapped_column(Text)

    last_attempt_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    failing_since: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_new_item_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Item(Base):
    """One entry of one feed, as collected. Later stages key their results by ``id``."""

    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("feed_id", "key", name="uq_items_feed_key"),
        Index("ix_items_day", "day"),
        Index("ix_items_fetched_at", "fetched_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    feed_id: Mapped[str] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    guid: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text, default="")
    summary_text: Mapped[str] = mapped_column(Text, default="")
    summary_html: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    fetched_at: Mapped[datetime]
    updated_at: Mapped[datetime | None]
    day: Mapped[date] = mapped_column(Date)
    lang_hint: Mapped[str | None] = mapped_column(String(20))
    content_hash: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer, default=1)


class FetchLog(Base):
    """One row per fetch attempt: the history behind a feed's health."""

    __tablename__ = "fetch_log"
    __table_args__ = (Index("ix_fetch_log_feed_time", "feed_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    feed_id: Mapped[str] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    started_at: Mapped[datetime]
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(20))
    status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    bytes: Mapped[int] = mapped_column(Integer, default=0)
    new_items: Mapped[int] = mapped_column(Integer, default=0)
    updated_items: Mapped[int] = mapped_column(Integer, default=0)


# APScheduler's persistent job store, created by our migrations so that `monitor init`
# prepares everything and the scheduler never issues DDL of its own.
scheduler_jobs = Table(
    "apscheduler_jobs",
    Base.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)


class Enrichment(Base):
    """Language and country tags of one item, for one version of its content."""

    __tablename__ = "enrichments"
    __table_args__ = (Index("ix_enrichments_country", "primary_country"),)

    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    content_hash: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(10))
    language_confidence: Mapped[float] = mapped_column(Float)
    language_method: Mapped[str] = mapped_column(String(40))
    primary_country: Mapped[str | None] = mapped_column(String(3))
    country_source: Mapped[str] = mapped_column(String(10))
    enriched_at: Mapped[datetime]


class ItemCountry(Base):
    """Every country an item concerns, ranked, with the words that pointed to it."""

    __tablename__ = "item_countries"
    __table_args__ = (Index("ix_item_countries_iso3", "iso3"),)

    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    iso3: Mapped[str] = mapped_column(String(3), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[list[Any]] = mapped_column(default=list)


class Classification(Base):
    """The classifier's result for one item: relevance, every factor's probability, why."""

    __tablename__ = "classifications"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    model_version: Mapped[str] = mapped_column(String(60))
    content_hash: Mapped[str] = mapped_column(String(64))
    relevance: Mapped[float] = mapped_column(Float)
    relevant: Mapped[bool] = mapped_column(Boolean)
    labels: Mapped[list[Any]] = mapped_column(default=list)
    probabilities: Mapped[dict[str, Any]] = mapped_column(default=dict)
    explanations: Mapped[dict[str, Any]] = mapped_column(default=dict)
    classified_at: Mapped[datetime]


class ItemFactor(Base):
    """One predicted risk factor of one item (the labels, in a queryable form)."""

    __tablename__ = "item_factors"
    __table_args__ = (Index("ix_item_factors_factor", "factor"),)

    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    factor: Mapped[str] = mapped_column(String(6), primary_key=True)
    probability: Mapped[float] = mapped_column(Float)


class Feedback(Base):
    """An analyst's correction of an item: relevance, risk factors, country."""

    __tablename__ = "feedback"
    __table_args__ = (Index("ix_feedback_item", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    analyst: Mapped[str] = mapped_column(String(100))
    relevant: Mapped[bool | None] = mapped_column(Boolean)
    factors: Mapped[list[Any] | None] = mapped_column(JSONType)
    country: Mapped[str | None] = mapped_column(String(3))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class Story(Base):
    """Items that report the same story, across feeds and languages, within a few days."""

    __tablename__ = "stories"
    __table_args__ = (Index("ix_stories_country_day", "country", "last_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    country: Mapped[str | None] = mapped_column(String(3))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(Text)
    item_count: Mapped[int] = mapped_column(Integer, default=1)
    source_count: Mapped[int] = mapped_column(Integer, default=1)
    sources: Mapped[list[Any]] = mapped_column(default=list)
    languages: Mapped[list[Any]] = mapped_column(default=list)
    factors: Mapped[list[Any]] = mapped_column(default=list)
    signature: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime]


class StoryItem(Base):
    __tablename__ = "story_items"
    __table_args__ = (Index("ix_story_items_story", "story_id"),)

    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))


class SignalDay(Base):
    """Per country, day and risk factor: stories, independent sources, weighted signal."""

    __tablename__ = "signal_days"

    country: Mapped[str] = mapped_column(String(3), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    factor: Mapped[str] = mapped_column(String(6), primary_key=True)
    stories: Mapped[int] = mapped_column(Integer)
    sources: Mapped[int] = mapped_column(Integer)
    weighted: Mapped[float] = mapped_column(Float)
    story_ids: Mapped[list[Any]] = mapped_column(default=list)


class CountryDay(Base):
    """A country's assessed risk level on one day, with why."""

    __tablename__ = "country_days"
    __table_args__ = (Index("ix_country_days_day", "day"),)

    country: Mapped[str] = mapped_column(String(3), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    level: Mapped[int] = mapped_column(Integer)
    level_name: Mapped[str] = mapped_column(String(30))
    stories_7d: Mapped[int] = mapped_column(Integer)
    stories_30d: Mapped[int] = mapped_column(Integer)
    baseline_ratio: Mapped[float | None] = mapped_column(Float)
    factors_7d: Mapped[dict[str, Any]] = mapped_column(default=dict)
    factors_30d: Mapped[dict[str, Any]] = mapped_column(default=dict)
    explanation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    computed_at: Mapped[datetime]


class AssessedDay(Base):
    """A day the assessment ran for, so a quiet day (no country with signals) still counts."""

    __tablename__ = "assessed_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    countries: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime]


class Alert(Base):
    """An escalation alert for analysts to triage."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_key", "rule", "key"),
        Index("ix_alerts_country_date", "country", "date"),
        # At most one open alert per condition, even with several assessors at once.
        Index(
            "uq_alerts_open_key",
            "rule",
            "key",
            unique=True,
            sqlite_where=text(OPEN_ALERT_SQL),
            postgresql_where=text(OPEN_ALERT_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule: Mapped[str] = mapped_column(String(30))
    key: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(3))
    feed_id: Mapped[str | None] = mapped_column(String(100))
    factors: Mapped[list[Any]] = mapped_column(default=list)
    severity: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="new")
    date: Mapped[date] = mapped_column(Date)
    last_date: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    assignee: Mapped[str | None] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class AlertStory(Base):
    __tablename__ = "alert_stories"

    alert_id: Mapped[int] = mapped_column(
        ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True
    )
    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True
    )


class AlertEvent(Base):
    """The audit log: every change to an alert, who made it and when, before and after."""

    __tablename__ = "alert_events"
    __table_args__ = (Index("ix_alert_events_alert", "alert_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(30))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    note: Mapped[str | None] = mapped_column(Text)


class BriefingRecord(Base):
    """An archived briefing: the assembled model it was rendered from, kept as JSON."""

    __tablename__ = "briefings"
    __table_args__ = (Index("ix_briefings_day_lang", "day", "lang"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date)
    lang: Mapped[str] = mapped_column(String(5))
    countries: Mapped[str] = mapped_column(String(400), default="")
    marking: Mapped[str] = mapped_column(String(100))
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    sent_to: Mapped[list[Any]] = mapped_column(default=list)
