"""One collection pass: pick due feeds, fetch them concurrently, store each in turn.

Fetching happens in worker threads; parsing and storing happen in the calling thread,
one feed per transaction, in the order fetches finish. A feed that fails in any way
is recorded and backed off; it never stops the pass.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.collect import decide, storage
from monitor.collect.fetch import DEFAULT_USER_AGENT, Fetcher, FetchPolicy
from monitor.collect.model import (
    CollectSummary,
    FeedReport,
    FeedState,
    FetchErrorKind,
    FetchResult,
    Outcome,
)
from monitor.collect.normalize import normalize_entries
from monitor.collect.parse import ParseFailure, parse_document
from monitor.config.schema import CollectorSettings
from monitor.store.db import Database
from monitor.store.models import Feed
from monitor.store.types import utcnow

log = logging.getLogger(__name__)

ProgressCallback = Callable[[FeedReport, int, int], None]


@dataclass(frozen=True)
class CollectOptions:
    only: Sequence[str] | None = None
    poll_interval: int | None = None
    force: bool = False
    use_fast_parser: bool = True


def policy_from(settings: CollectorSettings) -> FetchPolicy:
    return FetchPolicy(
        user_agent=settings.user_agent or DEFAULT_USER_AGENT,
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        total_timeout=settings.total_timeout,
        max_body_bytes=settings.max_body_bytes,
        concurrency=settings.concurrency,
        per_host=settings.per_host,
    )


class Collector:
    def __init__(self, db: Database, settings: CollectorSettings | None = None) -> None:
        self.db = db
        self.settings = settings or CollectorSettings()

    def collect(
        self, options: CollectOptions | None = None, progress: ProgressCallback | None = None
    ) -> CollectSummary:
        options = options or CollectOptions()
        now = utcnow()
        with self.db.session() as session:
            rows = storage.load_active_feeds(session, options.only)
            states = [
                storage.feed_state(row)
                for row in rows
                if options.poll_interval is None or row.poll_interval == options.poll_interval
            ]
        due = [s for s in states if options.force or decide.is_due(s, now)]
        summary = CollectSummary()
        for state in states:
            if state not in due:
                summary.reports.append(FeedReport(state.id, Outcome.skipped))
        total = len(due)
        if not due:
            return summary
        with Fetcher(policy_from(self.settings)) as fetcher:
            for done, (state, result) in enumerate(fetcher.fetch_many(due), start=1):
                report = self.process(state, result, options)
                summary.reports.append(report)
                if progress:
                    progress(report, done, total)
        with self.db.session() as session:
            storage.prune_fetch_log(session, now - timedelta(days=self.settings.fetch_log_days))
        return summary

    def process(self, state: FeedState, result: FetchResult, options: CollectOptions) -> FeedReport:
        """Decide what a fetch means and store it, all in one transaction."""
        now = utcnow()
        try:
            return self._process(state, result, options, now)
        except ParseFailure as exc:
            failed = FetchResult(
                feed_id=result.feed_id,
                requested_url=result.requested_url,
                started_at=result.started_at,
                elapsed=result.elapsed,
                status=result.status,
                error_kind=FetchErrorKind.parse,
                error=str(exc)[:1000],
            )
            return self._record_failure(state, failed, now)

    def _process(
        self, state: FeedState, result: FetchResult, options: CollectOptions, now: datetime
    ) -> FeedReport:
        if result.not_modified:
            return self._record_success(state, result, now, Outcome.not_modified)
        if not result.ok or result.body is None:
            return self._record_failure(state, result, now)
        body_hash = hashlib.sha256(result.body).hexdigest()
        if body_hash == state.body_hash:
            return self._record_success(state, result, now, Outcome.unchanged, body_hash=body_hash)
        url = result.moved_to or state.url
        parsed = parse_document(
            result.body, url, result.content_type, use_fast=options.use_fast_parser
        )
        entries, duplicates = normalize_entries(
            parsed.entries, parsed.language or state.language, self.settings.max_entries_per_feed
        )
        if duplicates:
            log.info("feed %s: %d duplicate entries inside the feed ignored", state.id, duplicates)
        return self._record_success(
            state,
            result,
            now,
            Outcome.ok,
            body_hash=body_hash,
            entries=entries,
            feed_title=parsed.title,
            parser=parsed.parser,
            note=f"bozo: {parsed.bozo_message}" if parsed.bozo else None,
        )

    def _record_success(
        self,
        state: FeedState,
        result: FetchResult,
        now: datetime,
        outcome: Outcome,
        body_hash: str | None = None,
        entries: list | None = None,  # type: ignore[type-arg]
        feed_title: str | None = None,
        parser: str | None = None,
        note: str | None = None,
    ) -> FeedReport:
        with self.db.session() as session:
            row = session.get(Feed, state.id, with_for_update=self.db.dialect == "postgresql")
            if row is None:
                return FeedReport(state.id, Outcome.skipped, error="feed removed during the pass")
            new, updated = storage.store_entries(session, state.id, entries or [], now)
            if result.moved_to:
                row.url = result.moved_to
            if outcome is not Outcome.not_modified:
                row.etag = result.etag
                row.last_modified = result.last_modified
                row.body_hash = body_hash
            elif result.etag:
                row.etag = result.etag
            if feed_title:
                row.feed_title = feed_title[:500]
            row.last_attempt_at = now
            row.last_success_at = now
            row.last_status = result.status
            row.consecutive_failures = 0
            row.failing_since = None
            row.next_attempt_at = decide.after_success(state, now)
            if new:
                row.last_new_item_at = now
            storage.log_fetch(
                session,
                feed_id=state.id,
                started_at=result.started_at,
                duration_ms=int(result.elapsed * 1000),
                outcome=outcome.value,
                status=result.status,
                error=note,
                bytes=len(result.body) if result.body else 0,
                new_items=new,
                updated_items=updated,
            )
        return FeedReport(
            state.id,
            outcome,
            status=result.status,
            new_items=new,
            updated_items=updated,
            moved_to=result.moved_to,
            parser=parser,
        )

    def _record_failure(self, state: FeedState, result: FetchResult, now: datetime) -> FeedReport:
        error = decide.describe_failure(result)
        decision = decide.after_failure(state, result, now, self.settings.max_backoff, error)
        with self.db.session() as session:
            row = session.get(Feed, state.id, with_for_update=self.db.dialect == "postgresql")
            if row is None:
                return FeedReport(state.id, Outcome.skipped, error="feed removed during the pass")
            if result.moved_to:
                row.url = result.moved_to
            row.last_attempt_at = now
            row.last_status = result.status
            row.last_error = error
            row.last_error_at = now
            row.consecutive_failures = decision.consecutive_failures
            row.failing_since = decision.failing_since
            row.next_attempt_at = decision.next_attempt_at
            if decision.gone:
                row.disabled_reason = (
                    f"HTTP 410 Gone on {now:%Y-%m-%d %H:%M} UTC: the publisher removed this feed"
                )
            storage.log_fetch(
                session,
                feed_id=state.id,
                started_at=result.started_at,
                duration_ms=int(result.elapsed * 1000),
                outcome=(Outcome.gone if decision.gone else Outcome.error).value,
                status=result.status,
                error=error,
                bytes=0,
                new_items=0,
                updated_items=0,
            )
        outcome = Outcome.gone if decision.gone else Outcome.error
        return FeedReport(
            state.id, outcome, status=result.status, error=error, moved_to=result.moved_to
        )
