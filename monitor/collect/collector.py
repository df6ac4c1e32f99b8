"""One collection pass: pick due feeds, fetch them concurrently, store each in turn.

Fetching happens in worker threads, parsing in one more thread, and storing in the
calling thread, each feed as soon as it is parsed, in the order fetches finish: while
the database writes one feed (outside the GIL), the next is parsed. A parser process
was tried and dropped: on two shared cores, pickling and start-up cost more than it
saved. Turning a fetch into a :class:`FeedWrite` is separate from writing it, so the
decisions stay testable and the writes stay few. A feed that fails in any way is
recorded and backed off; it never stops the pass.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
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
from monitor.collect.storage import FeedWrite
from monitor.config.schema import CollectorSettings
from monitor.store.db import Database
from monitor.store.types import utcnow

log = logging.getLogger(__name__)

ProgressCallback = Callable[[FeedReport, int, int], None]
STATE_BATCH = 64
LOOKAHEAD = 8  # fetches parsed ahead of the writer; bounds the memory held
_DONE = object()


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

    def due_feeds(
        self, options: CollectOptions, now: datetime
    ) -> tuple[list[FeedState], list[FeedState]]:
        """(due, not due) among the enabled feeds the options select."""
        with self.db.session() as session:
            rows = storage.load_active_feeds(session, options.only)
            states = [
                storage.feed_state(row)
                for row in rows
                if options.poll_interval is None or row.poll_interval == options.poll_interval
            ]
        due = [s for s in states if options.force or decide.is_due(s, now)]
        due_ids = {s.id for s in due}
        return due, [s for s in states if s.id not in due_ids]

    def collect(
        self,
        options: CollectOptions | None = None,
        progress: ProgressCallback | None = None,
        after_write: Callable[[FeedReport], None] | None = None,
    ) -> CollectSummary:
        """One pass. ``after_write`` is called after each feed whose entries were stored,
        so later stages can start on new items while the pass goes on."""
        options = options or CollectOptions()
        now = utcnow()
        due, waiting = self.due_feeds(options, now)
        summary = CollectSummary(reports=[FeedReport(s.id, Outcome.skipped) for s in waiting])
        pending: list[FeedWrite] = []
        with (
            Fetcher(policy_from(self.settings)) as fetcher,
            closing(self._processed(fetcher, due, options)) as writes,
        ):
            for done, write in enumerate(writes, start=1):
                if write.entries:
                    with self.db.engine.begin() as conn:
                        storage.apply_write(conn, write, utcnow())
                    if after_write is not None and write.report.new_items:
                        after_write(write.report)
                else:
                    pending.append(write)
                    if len(pending) >= STATE_BATCH:
                        self._flush(pending)
                summary.reports.append(write.report)
                if progress:
                    progress(write.report, done, len(due))
        self._flush(pending)
        with self.db.engine.begin() as conn:
            storage.prune_fetch_log(conn, now - timedelta(days=self.settings.fetch_log_days))
        return summary

    def _processed(
        self, fetcher: Fetcher, due: Sequence[FeedState], options: CollectOptions
    ) -> Iterator[FeedWrite]:
        """Fetches turned into writes by a parser thread, handed over as each is ready.

        The queue holds at most ``LOOKAHEAD`` writes, which bounds the memory held when
        the database is slower than the parser.
        """
        ready: queue.Queue[object] = queue.Queue(maxsize=LOOKAHEAD)
        stop = threading.Event()

        def hand_over(thing: object) -> bool:
            while not stop.is_set():
                try:
                    ready.put(thing, timeout=0.2)
                    return True
                except queue.Full:
                    continue
            return False

        def parse_all() -> None:
            try:
                for state, result in fetcher.fetch_many(due):
                    if not hand_over(self.process(state, result, options)):
                        return
            except BaseException as exc:  # re-raised in the writing thread
                hand_over(exc)
            else:
                hand_over(_DONE)

        parser = threading.Thread(target=parse_all, name="monitor-parse", daemon=True)
        parser.start()
        finished = False
        try:
            while True:
                thing = ready.get()
                if thing is _DONE:
                    finished = True
                    return
                if isinstance(thing, BaseException):
                    raise thing
                yield thing  # type: ignore[misc]
        finally:
            stop.set()
            parser.join(timeout=None if finished else 1.0)

    def _flush(self, pending: list[FeedWrite]) -> None:
        if pending:
            with self.db.engine.begin() as conn:
                storage.apply_state_batch(conn, pending)
            pending.clear()

    def process(self, state: FeedState, result: FetchResult, options: CollectOptions) -> FeedWrite:
        """What a fetch means for the store. Parses the body; writes nothing."""
        now = utcnow()
        if result.not_modified:
            return self._success(state, result, now, Outcome.not_modified)
        if not result.ok or result.body is None:
            return self._failure(state, result, now)
        body_hash = hashlib.sha256(result.body).hexdigest()
        if body_hash == state.body_hash:
            return self._success(state, result, now, Outcome.unchanged, body_hash=body_hash)
        try:
            parsed = parse_document(
                result.body,
                result.moved_to or state.url,
                result.content_type,
                use_fast=options.use_fast_parser,
            )
        except ParseFailure as exc:
            failed = FetchResult(
                feed_id=result.feed_id,
                requested_url=result.requested_url,
                started_at=result.started_at,
                elapsed=result.elapsed,
                status=result.status,
                moved_to=result.moved_to,
                error_kind=FetchErrorKind.parse,
                error=str(exc)[:1000],
            )
            return self._failure(state, failed, now)
        entries, duplicates = normalize_entries(
            parsed.entries, parsed.language or state.language, self.settings.max_entries_per_feed
        )
        if duplicates:
            log.info("feed %s: %d duplicate entries inside the feed ignored", state.id, duplicates)
        write = self._success(
            state,
            result,
            now,
            Outcome.ok,
            body_hash=body_hash,
            note=f"bozo: {parsed.bozo_message}"[:1000] if parsed.bozo else None,
            parser=parsed.parser,
        )
        write.entries = entries
        if parsed.title:
            write.state["feed_title"] = parsed.title[:500]
        return write

    def _success(
        self,
        state: FeedState,
        result: FetchResult,
        now: datetime,
        outcome: Outcome,
        body_hash: str | None = None,
        note: str | None = None,
        parser: str | None = None,
    ) -> FeedWrite:
        values: dict[str, object] = {
            "last_attempt_at": now,
            "last_success_at": now,
            "last_status": result.status,
            "consecutive_failures": 0,
            "failing_since": None,
            "next_attempt_at": decide.after_success(state, now),
            "url": result.moved_to or state.url,
        }
        if outcome is Outcome.not_modified:
            values["etag"] = result.etag or state.etag
            values["last_modified"] = result.last_modified or state.last_modified
        else:
            values.update(etag=result.etag, last_modified=result.last_modified, body_hash=body_hash)
        report = FeedReport(
            state.id, outcome, status=result.status, moved_to=result.moved_to, parser=parser
        )
        return FeedWrite(state.id, values, self._log(result, outcome, note), report)

    def _failure(self, state: FeedState, result: FetchResult, now: datetime) -> FeedWrite:
        error = decide.describe_failure(result)
        decision = decide.after_failure(state, result, now, self.settings.max_backoff, error)
        outcome = Outcome.gone if decision.gone else Outcome.error
        values: dict[str, object] = {
            "last_attempt_at": now,
            "last_status": result.status,
            "last_error": error,
            "last_error_at": now,
            "consecutive_failures": decision.consecutive_failures,
            "failing_since": decision.failing_since,
            "next_attempt_at": decision.next_attempt_at,
            "url": result.moved_to or state.url,
        }
        if decision.gone:
            values["disabled_reason"] = (
                f"HTTP 410 Gone on {now:%Y-%m-%d %H:%M} UTC: the publisher removed this feed"
            )
        report = FeedReport(
            state.id, outcome, status=result.status, error=error, moved_to=result.moved_to
        )
        return FeedWrite(state.id, values, self._log(result, outcome, error), report)

    @staticmethod
    def _log(result: FetchResult, outcome: Outcome, note: str | None) -> dict[str, object]:
        return {
            "feed_id": result.feed_id,
            "started_at": result.started_at,
            "duration_ms": int(result.elapsed * 1000),
            "outcome": outcome.value,
            "status": result.status,
            "error": note,
            "bytes": len(result.body) if result.body else 0,
        }
