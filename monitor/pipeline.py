"""The stages after collection, in order, as one call: what ``monitor process`` runs and
what ``monitor run`` runs after every collection. Each stage is idempotent, so running
the pipeline twice does the work once.

Enrichment and classification are CPU-bound and per item; with ``workers`` > 1 and
enough pending items they run in worker processes over disjoint item-id ranges. The
workers are spawned, not forked: the language detector runs native threads, and a
fork would copy their locks. Each worker loads the models once (a few seconds).
Clustering and assessment run in this process, in order.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import func, or_, select

from monitor.classify.persist import load_current_model
from monitor.classify.stage import classify_items
from monitor.config.schema import MonitorConfig
from monitor.enrich.countries import default_tagger
from monitor.enrich.language import default_identifier
from monitor.enrich.stage import enrich_items
from monitor.settings import Settings
from monitor.store.db import Database
from monitor.store.models import Item

log = logging.getLogger(__name__)
PARALLEL_MIN_ITEMS = 4000


@dataclass
class PipelineSummary:
    counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        return dict(self.counts)


def default_workers() -> int:
    cores = (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    )
    return max(1, cores)


_pool: ProcessPoolExecutor | None = None
_pool_size = 0


def _warm_up() -> None:
    """Load the models in a new worker before it gets work."""
    default_identifier().identify("load the language models")
    default_tagger()


def _worker_pool(workers: int) -> ProcessPoolExecutor:
    """One pool per process, kept warm: a long-running service loads the models once."""
    global _pool, _pool_size
    if _pool is None or _pool_size != workers:
        if _pool is not None:
            _pool.shutdown(wait=True)
        _pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_warm_up,
        )
        _pool_size = workers
        atexit.register(_pool.shutdown, wait=False, cancel_futures=True)
    return _pool


def process_new_items(db: Database, home: Path | None, id_range: tuple[int, int]) -> dict[str, int]:
    """Enrich and classify never-seen items of an id range: one read and one write per batch."""
    from monitor.classify.stage import classification_rows, item_text, write_classifications
    from monitor.enrich.stage import BATCH, enrichment_rows, pending_query, write_enrichments
    from monitor.store.models import Classification, Enrichment

    model, info = load_current_model(home)
    identifier, tagger = default_identifier(), default_tagger()
    counts = {"enriched": 0, "classified": 0, "relevant": 0}
    last_id = id_range[0] - 1
    while True:
        with db.engine.connect() as conn:
            rows = conn.execute(
                pending_query(reprocess=True)
                .outerjoin(Classification, Classification.item_id == Item.id)
                .where(
                    Item.id > last_id,
                    Item.id < id_range[1],
                    Enrichment.item_id.is_(None),
                    Classification.item_id.is_(None),
                )
                .limit(BATCH)
            ).all()
        if not rows:
            return counts
        enrichments, countries = enrichment_rows(rows, identifier, tagger)
        results, factors = classification_rows(
            model, info, [(r[0], item_text(r[1], r[2]), r[4]) for r in rows]
        )
        with db.engine.begin() as conn:
            write_enrichments(conn, enrichments, countries)
            write_classifications(conn, results, factors)
        counts["enriched"] += len(rows)
        counts["classified"] += len(rows)
        counts["relevant"] += sum(1 for r in results if r["relevant"])
        last_id = rows[-1][0]


def _add(totals: dict[str, int], counts: dict[str, int]) -> dict[str, int]:
    for key, value in counts.items():
        totals[key] = totals.get(key, 0) + value
    return totals


def _work(url: str, home: str | None, id_range: tuple[int, int], reprocess: bool) -> dict[str, int]:
    db = Database(url)
    home_path = Path(home) if home else None
    try:
        counts = {} if reprocess else process_new_items(db, home_path, id_range)
        _add(counts, enrich_items(db, reprocess=reprocess, id_range=id_range).as_dict())
        model, info = load_current_model(home_path)
        _add(
            counts,
            classify_items(db, model, info, reprocess=reprocess, id_range=id_range).as_dict(),
        )
        return counts
    finally:
        db.dispose()


def enrich_and_classify(
    db: Database, home: Path | None = None, reprocess: bool = False, workers: int = 1
) -> PipelineSummary:
    from monitor.store.models import Classification, Enrichment

    summary = PipelineSummary()
    query = select(func.min(Item.id), func.max(Item.id), func.count(Item.id))
    if not reprocess:
        # Only what is pending decides whether worker processes are worth starting.
        query = (
            query.outerjoin(Enrichment, Enrichment.item_id == Item.id)
            .outerjoin(Classification, Classification.item_id == Item.id)
            .where(or_(Enrichment.item_id.is_(None), Classification.item_id.is_(None)))
        )
    with db.engine.connect() as conn:
        low, high, count = conn.execute(query).one()
    if workers > 1 and count and count >= PARALLEL_MIN_ITEMS:
        summary.counts.update(_parallel(db, home, low, high, reprocess, workers))
        if not reprocess:
            # Items outside the pending range may still carry an older model's result.
            model, info = load_current_model(home)
            _add(summary.counts, classify_items(db, model, info).as_dict())
        return summary
    summary.counts.update(enrich_items(db, reprocess=reprocess).as_dict())
    model, info = load_current_model(home)
    summary.counts.update(classify_items(db, model, info, reprocess=reprocess).as_dict())
    return summary


def _parallel(
    db: Database, home: Path | None, low: int, high: int, reprocess: bool, workers: int
) -> dict[str, int]:
    step = (high - low + workers) // workers
    ranges = [(low + k * step, min(high + 1, low + (k + 1) * step)) for k in range(workers)]
    totals: dict[str, int] = {}
    pool = _worker_pool(workers)
    args = (
        [db.url] * len(ranges),
        [str(home) if home else None] * len(ranges),
        ranges,
        [reprocess] * len(ranges),
    )
    for counts in pool.map(_work, *args):
        _add(totals, counts)
    return totals


class StreamingEnricher:
    """Enrich and classify new items in worker processes while collection goes on.

    Hand :meth:`after_write` to :meth:`Collector.collect`: every ``batch`` new items,
    the range of item ids stored since the last submission goes to the warm worker
    pool. :meth:`finish` submits the rest and waits. Ranges never overlap, and the
    stages skip items already done, so the result is what running the stages after
    the pass would give.
    """

    def __init__(
        self, db: Database, home: Path | None = None, workers: int | None = None, batch: int = 1000
    ) -> None:
        self.db = db
        self.home = home
        self.workers = workers or default_workers()
        self.batch = batch
        self.waiting = 0
        self.last_id = self._max_id()
        self.futures: list = []  # type: ignore[type-arg]

    def _max_id(self) -> int:
        with self.db.engine.connect() as conn:
            return int(conn.execute(select(func.max(Item.id))).scalar() or 0)

    def after_write(self, report) -> None:  # type: ignore[no-untyped-def]
        self.waiting += report.new_items
        if self.waiting >= self.batch:
            self._submit()

    def _submit(self) -> None:
        top = self._max_id()
        if top > self.last_id:
            pool = _worker_pool(self.workers)
            home = str(self.home) if self.home else None
            self.futures.append(
                pool.submit(_work, self.db.url, home, (self.last_id + 1, top + 1), False)
            )
            self.last_id = top
        self.waiting = 0

    def finish(self) -> dict[str, int]:
        self._submit()
        totals: dict[str, int] = {}
        for future in self.futures:
            _add(totals, future.result())
        self.futures.clear()
        return totals


def run_pipeline(
    db: Database,
    settings: Settings,
    config: MonitorConfig,
    reprocess: bool = False,
    today: date | None = None,
    workers: int | None = None,
) -> PipelineSummary:
    from monitor.assess.run import cluster_and_assess

    summary = enrich_and_classify(
        db, settings.home, reprocess=reprocess, workers=workers or default_workers()
    )
    summary.counts.update(cluster_and_assess(db, config, last=today).as_dict())
    return summary


def pipeline_hook(settings: Settings, config: MonitorConfig, db: Database) -> None:
    """Run by the service after each collection."""
    summary = run_pipeline(db, settings, config)
    log.info("processed: %s", summary.as_dict())
