"""The shape of ``feeds.yaml``: watched feeds plus the settings of every stage.

Validated whole with pydantic when loaded; unknown keys are errors, so a typo in a
field name is reported instead of silently ignored.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from monitor.countries import is_iso3

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(d|h|m|s)", re.IGNORECASE)
_DURATION_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$", re.IGNORECASE)
_SIZE_BYTES = {None: 1, "b": 1, "kb": 1_000, "mb": 1_000_000, "gb": 1_000_000_000}


def parse_duration(value: Any) -> int:
    """Seconds from ``90``, ``"90s"``, ``"30m"``, ``"2h"``, ``"1d"`` or ``"1h30m"``."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 30m, 2h or 1d")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            seconds = float(text)
        else:
            parts = _DURATION.findall(text)
            if not parts or _DURATION.sub("", text).strip():
                raise ValueError(f"{value!r} is not a duration such as 30m, 2h or 1d")
            seconds = sum(float(n) * _DURATION_SECONDS[u.lower()] for n, u in parts)
    else:
        raise ValueError("expected a duration such as 30m, 2h or 1d")
    if seconds <= 0:
        raise ValueError("a duration must be positive")
    return int(seconds)


def parse_size(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        size = value
    elif isinstance(value, str) and (m := _SIZE.match(value)):
        unit = m.group(2).lower() if m.group(2) else None
        size = int(float(m.group(1)) * _SIZE_BYTES[unit])
    else:
        raise ValueError(f"{value!r} is not a size such as 10MB or 500kB")
    if size <= 0:
        raise ValueError("a size must be positive")
    return size


def format_duration(seconds: int) -> str:
    for unit, length in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % length == 0:
            return f"{seconds // length}{unit}"
    return f"{seconds}s"


Duration = Annotated[int, BeforeValidator(parse_duration)]
Size = Annotated[int, BeforeValidator(parse_size)]


class FeedKind(StrEnum):
    news = "news"
    ngo = "ngo"
    un = "un"
    government = "government"
    other = "other"


FEED_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{url!r} is not an http(s) URL")
    return url


def check_countries(codes: list[str]) -> list[str]:
    cleaned = []
    for code in codes:
        code = str(code).strip().upper()
        if not is_iso3(code):
            raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-3 country code")
        if code not in cleaned:
            cleaned.append(code)
    return cleaned


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FeedDefaults(_Strict):
    kind: FeedKind = FeedKind.news
    language: str | None = None
    poll_interval: Duration = 3600
    enabled: bool = True
    tags: list[str] = Field(default_factory=list)
    reliability: float = Field(0.7, ge=0, le=1)


class FeedConfig(_Strict):
    id: str
    url: str
    title: str | None = None
    kind: FeedKind = FeedKind.news
    language: str | None = None
    countries: list[str] = Field(default_factory=list)
    poll_interval: Duration = 3600
    enabled: bool = True
    tags: list[str] = Field(default_factory=list)
    reliability: float = Field(0.7, ge=0, le=1)
    listed: date | None = None
    notes: str | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not FEED_ID.match(value):
            raise ValueError(
                "must be 1-100 characters of lower-case letters, digits, '.', '_' or '-', "
                "starting with a letter or digit"
            )
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_url(value)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is not None and not LANGUAGE.match(value.lower()):
            raise ValueError(f"{value!r} is not an ISO 639-1 language code such as en or fr")
        return value.lower() if value else None

    @field_validator("countries")
    @classmethod
    def _countries(cls, value: list[str]) -> list[str]:
        return check_countries(value)

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return sorted({t.strip() for t in value if t and t.strip()})

    @property
    def display_title(self) -> str:
        return self.title or self.id


class CollectorSettings(_Strict):
    user_agent: str | None = None
    connect_timeout: float = Field(10.0, gt=0, le=300)
    read_timeout: float = Field(30.0, gt=0, le=600)
    total_timeout: float = Field(60.0, gt=0, le=3600)
    max_body_bytes: Size = 10_000_000
    max_entries_per_feed: int = Field(1000, ge=1)
    concurrency: int = Field(8, ge=1, le=64)
    per_host: int = Field(2, ge=1, le=16)
    max_backoff: Duration = 86400
    unhealthy_after: Duration = 86400
    silence_factor: float = Field(5.0, ge=1)
    min_silence: Duration = 3 * 86400
    fetch_log_days: int = Field(90, ge=1)


LEVEL_NAMES = ("none", "monitoring", "serious_concern", "imminent_risk", "ongoing_crisis")


class AssessmentSettings(_Strict):
    cluster_days: int = Field(3, ge=0, le=14)
    baseline_days: int = Field(28, ge=7, le=365)
    spike_alpha: float = Field(0.025, gt=0, lt=0.5)
    min_stories: int = Field(3, ge=1)
    min_sources: int = Field(2, ge=1)
    first_signal_lookback_days: int = Field(90, ge=7)
    first_signal_min_sources: int = Field(2, ge=1)


class WatchEntry(_Strict):
    country: str
    level: str = "serious_concern"
    note: str | None = None

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        return check_countries([value])[0]

    @field_validator("level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.strip().lower().replace(" ", "_")
        if value not in LEVEL_NAMES[1:]:
            raise ValueError(f"{value!r} is not a level; use one of {', '.join(LEVEL_NAMES[1:])}")
        return value


class QueryRule(_Strict):
    id: str
    query: str
    countries: list[str] = Field(default_factory=list)
    factors: list[str] = Field(default_factory=list)
    min_stories: int = Field(1, ge=1)
    severity: str = "medium"
    relevant_only: bool = False

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not FEED_ID.match(value):
            raise ValueError("rule ids are lower-case letters, digits, '.', '_' or '-'")
        return value

    @field_validator("countries")
    @classmethod
    def _countries(cls, value: list[str]) -> list[str]:
        return check_countries(value)

    @field_validator("factors")
    @classmethod
    def _factors(cls, value: list[str]) -> list[str]:
        from monitor.taxonomy import load_taxonomy

        known = load_taxonomy().factor_ids
        cleaned = [str(f).strip().upper() for f in value]
        unknown = [f for f in cleaned if f not in known]
        if unknown:
            raise ValueError(f"unknown risk factor(s) {unknown}; use RF1 to RF{len(known)}")
        return cleaned

    @field_validator("severity")
    @classmethod
    def _severity(cls, value: str) -> str:
        if value not in SEVERITIES:
            raise ValueError(f"{value!r} is not a severity; use one of {', '.join(SEVERITIES)}")
        return value

    @field_validator("query")
    @classmethod
    def _query(cls, value: str) -> str:
        from monitor.alerts.query import parse_query

        parse_query(value)
        return value


SEVERITIES = ("low", "medium", "high", "critical")


class AlertSettings(_Strict):
    watchlist: list[WatchEntry] = Field(default_factory=list)
    rules: list[QueryRule] = Field(default_factory=list)
    cooldown_days: int = Field(7, ge=0)
    sender: str = "focal-point@monitor.invalid"
    sender_name: str = "National Focal Point on Genocide Prevention"
    feed_health: bool = True


class CalendarEntry(_Strict):
    """A known upcoming event that could trigger violence (RF8): an election, a verdict."""

    country: str
    date: date
    event: str
    kind: str = "other"

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        return check_countries([value])[0]

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        kinds = ("election", "census", "commemoration", "verdict", "religious", "other")
        if value not in kinds:
            raise ValueError(f"{value!r} is not a kind; use one of {', '.join(kinds)}")
        return value


class SmtpSettings(_Strict):
    host: str = "localhost"
    port: int = Field(587, ge=1, le=65535)
    starttls: bool = True
    ssl: bool = False
    username: str | None = None
    password_env: str = "MONITOR_SMTP_PASSWORD"
    sender: str = "focal-point@monitor.invalid"
    recipients: list[str] = Field(default_factory=list)
    timeout: float = Field(30, gt=0)


class BriefingSettings(_Strict):
    title: str = "Atrocity-risk daily briefing"
    marking: str = "RESTRICTED"
    language: str = "en"
    period_days: int = Field(2, ge=1, le=31)
    time: str = "06:30"
    timezone: str = "UTC"
    formats: list[str] = Field(default_factory=lambda: ["html", "pdf"])
    send: bool = False
    max_developments: int = Field(6, ge=1, le=50)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    calendar: list[CalendarEntry] = Field(default_factory=list)
    exercise: bool = False

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone like Europe/Brussels or UTC") from None
        return value

    @field_validator("time")
    @classmethod
    def _time(cls, value: str) -> str:
        if not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", value):
            raise ValueError(f"{value!r} is not a time like 06:30")
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in ("en", "fr"):
            raise ValueError("briefings are available in en and fr")
        return value

    @field_validator("formats")
    @classmethod
    def _formats(cls, value: list[str]) -> list[str]:
        unknown = [f for f in value if f not in ("html", "pdf", "md", "txt")]
        if unknown:
            raise ValueError(f"unknown format(s) {unknown}; use html, pdf, md, txt")
        return value


class MonitorConfig(_Strict):
    version: int = 1
    defaults: FeedDefaults = Field(default_factory=FeedDefaults)
    collector: CollectorSettings = Field(default_factory=CollectorSettings)
    assessment: AssessmentSettings = Field(default_factory=AssessmentSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    briefing: BriefingSettings = Field(default_factory=BriefingSettings)
    feeds: list[FeedConfig] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _apply_defaults(cls, data: Any) -> Any:
        """Fill each feed's missing fields from ``defaults`` before validating it."""
        if not isinstance(data, dict):
            return data
        defaults = data.get("defaults") or {}
        feeds = data.get("feeds")
        if isinstance(defaults, dict) and isinstance(feeds, list):
            merged = []
            for feed in feeds:
                if isinstance(feed, dict):
                    feed = {
                        **{k: v for k, v in defaults.items() if k in FeedDefaults.model_fields},
                        **feed,
                    }
                merged.append(feed)
            data = {**data, "feeds": merged}
        return data

    @model_validator(mode="after")
    def _unique(self) -> MonitorConfig:
        seen_ids: dict[str, int] = {}
        seen_urls: dict[str, str] = {}
        for index, feed in enumerate(self.feeds):
            if feed.id in seen_ids:
                raise ValueError(
                    f"feed {feed.id!r} (feeds[{index}]): id: duplicate of feeds[{seen_ids[feed.id]}]"
                )
            seen_ids[feed.id] = index
            url_key = feed.url.rstrip("/").lower()
            if url_key in seen_urls:
                raise ValueError(
                    f"feed {feed.id!r} (feeds[{index}]): url: {feed.url} is already watched "
                    f"by feed {seen_urls[url_key]!r}"
                )
            seen_urls[url_key] = feed.id
        return self

    def feed(self, feed_id: str) -> FeedConfig | None:
        return next((f for f in self.feeds if f.id == feed_id), None)
