"""Pure decisions about a feed after a fetch: when to try again and what to record.

Nothing here does I/O, so every rule (backoff, Retry-After, 410, redirects) is tested
with plain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from monitor.collect.model import FeedState, FetchResult

MIN_RETRY = 60
BACKOFF_BASE_CAP = 15 * 60


@dataclass(frozen=True)
class FailureDecision:
    consecutive_failures: int
    failing_since: datetime
    next_attempt_at: datetime
    error: str
    gone: bool = False


def parse_retry_after(value: str | None, now: datetime) -> int | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0, int((when - now).total_seconds()))


def backoff_seconds(failures: int, poll_interval: int, max_backoff: int) -> int:
    """Exponential backoff from a base of min(poll interval, 15 min), capped, never zero."""
    base = max(MIN_RETRY, min(poll_interval, BACKOFF_BASE_CAP))
    delay = base * (2 ** max(0, min(failures - 1, 30)))
    return int(min(max_backoff, delay))


def after_success(feed: FeedState, now: datetime) -> datetime:
    return now + timedelta(seconds=feed.poll_interval)


def after_failure(
    feed: FeedState, result: FetchResult, now: datetime, max_backoff: int, error: str
) -> FailureDecision:
    failures = feed.consecutive_failures + 1
    delay = backoff_seconds(failures, feed.poll_interval, max_backoff)
    if result.status in (429, 503):
        requested = parse_retry_after(result.retry_after, now)
        if requested is not None:
            delay = min(max_backoff, max(MIN_RETRY, requested))
    return FailureDecision(
        consecutive_failures=failures,
        failing_since=feed.failing_since or now,
        next_attempt_at=now + timedelta(seconds=delay),
        error=error,
        gone=result.status == 410,
    )


def describe_failure(result: FetchResult) -> str:
    if result.error:
        prefix = f"HTTP {result.status}: " if result.status else ""
        return f"{prefix}{result.error_kind}: {result.error}" if result.error_kind else result.error
    if result.status is not None:
        return f"HTTP {result.status}"
    return "unknown failure"


def is_due(feed: FeedState, now: datetime) -> bool:
    return feed.next_attempt_at is None or feed.next_attempt_at <= now
