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

import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from monitor.classify.persist import load_current_model
from monitor.classify.stage import classify_items
from monitor.config.schema import MonitorConfig
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


def _work(url: str, home: str | None, id_range: tuple[int, int], reprocess: bool) -> dict[str, int]:
    db = Database(url)
    try:
        counts = enrich_items(db, reprocess=reprocess, id_range=id_range).as_dict()
        model, info = load_current_model(Path(home) if home else None)
        counts.update(
            classify_items(db, model, info, reprocess=reprocess, id_range=id_range).as_dict()
        )
        return counts
    finally:
        db.dispose()


def enrich_and_classify(
    db: Database, home: Path | None = None, reprocess: bool = False, workers: int = 1
) -> PipelineSummary:
    summary = PipelineSummary()
    with db.engine.connect() as conn:
        low, high, count = conn.execute(
            select(func.min(Item.id), func.max(Item.id), func.count(Item.id))
        ).one()
    if workers > 1 and count and count >= PARALLEL_MIN_ITEMS:
        summary.counts.update(_parallel(db, home, low, high, reprocess, workers))
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
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        args = (
            [db.url] * len(ranges),
            [str(home) if home else None] * len(ranges),
            ranges,
            [reprocess] * len(ranges),
        )
        for counts in pool.map(_work, *args):
            for key, value in counts.items():
                totals[key] = totals.get(key, 0) + value
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
