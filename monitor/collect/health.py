"""Feed health: is each watched source still telling us what it used to?

A feed is *failing* while its last attempts errored, *unhealthy* once it has been
failing longer than the configured limit, *silent* when no new item has arrived for
far longer than its usual rhythm, and *disabled* when the operator or the publisher
(410 Gone) turned it off. Pure: the caller supplies the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from monitor.config.schema import CollectorSettings, format_duration

RHYTHM_WINDOW_DAYS = 30


class HealthStatus(StrEnum):
    ok = "ok"
    new = "new"
    failing = "failing"
    unhealthy = "unhealthy"
    silent = "silent"
    disabled = "disabled"


@dataclass(frozen=True)
class FeedStats:
    """What the store knows about a feed's recent behaviour."""

    items_in_window: int
    window_days: float
    last_new_item_at: datetime | None


@dataclass(frozen=True)
class FeedHealth:
    status: HealthStatus
    reason: str
    items_per_day: float

    @property
    def unhealthy(self) -> bool:
        return self.status in (HealthStatus.unhealthy, HealthStatus.silent)


def assess(
    *,
    enabled: bool,
    disabled_reason: str | None,
    last_success_at: datetime | None,
    failing_since: datetime | None,
    consecutive_failures: int,
    last_error: str | None,
    created_at: datetime,
    stats: FeedStats,
    settings: CollectorSettings,
    now: datetime,
) -> FeedHealth:
    per_day = stats.items_in_window / stats.window_days if stats.window_days > 0 else 0.0
    if disabled_reason:
        return FeedHealth(HealthStatus.disabled, disabled_reason, per_day)
    if not enabled:
        return FeedHealth(HealthStatus.disabled, "disabled in feeds.yaml", per_day)
    if consecutive_failures and failing_since is not None:
        failing_for = now - failing_since
        reason = f"{consecutive_failures} failed attempt(s) over {_human(failing_for)}: {last_error or 'error'}"
        if failing_for >= timedelta(seconds=settings.unhealthy_after):
            return FeedHealth(HealthStatus.unhealthy, reason, per_day)
        return FeedHealth(HealthStatus.failing, reason, per_day)
    if last_success_at is None:
        return FeedHealth(HealthStatus.new, "not fetched yet", per_day)
    quiet_since = stats.last_new_item_at or created_at
    limit = silence_limit(per_day, settings)
    if stats.items_in_window and now - quiet_since > limit:
        return FeedHealth(
            HealthStatus.silent,
            f"no new item for {_human(now - quiet_since)}; usually {per_day:.1f} a day",
            per_day,
        )
    return FeedHealth(HealthStatus.ok, f"{per_day:.1f} new items a day", per_day)


def silence_limit(items_per_day: float, settings: CollectorSettings) -> timedelta:
    """How long a feed may stay quiet: a multiple of its usual gap, never below a floor."""
    floor = timedelta(seconds=settings.min_silence)
    if items_per_day <= 0:
        return floor
    usual_gap = timedelta(days=1 / items_per_day)
    return max(floor, usual_gap * settings.silence_factor)


def _human(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    return (
        format_duration(seconds - seconds % 60)
        if seconds < 3600
        else (f"{seconds // 3600}h" if seconds < 86400 else f"{seconds / 86400:.1f} days")
    )
