"""The stages after collection, in order, as one call: what ``monitor process`` runs and
what ``monitor run`` runs after every collection. Each stage is idempotent, so running
the pipeline twice does the work once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from monitor.classify.persist import load_current_model
from monitor.classify.stage import classify_items
from monitor.config.schema import MonitorConfig
from monitor.enrich.stage import enrich_items
from monitor.settings import Settings
from monitor.store.db import Database

log = logging.getLogger(__name__)


@dataclass
class PipelineSummary:
    counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        return dict(self.counts)


def enrich_and_classify(
    db: Database, home: Path | None = None, reprocess: bool = False
) -> PipelineSummary:
    summary = PipelineSummary()
    summary.counts.update(enrich_items(db, reprocess=reprocess).as_dict())
    model, info = load_current_model(home)
    summary.counts.update(classify_items(db, model, info, reprocess=reprocess).as_dict())
    return summary


def run_pipeline(
    db: Database, settings: Settings, config: MonitorConfig, reprocess: bool = False
) -> PipelineSummary:
    from monitor.assess.run import cluster_and_assess

    summary = enrich_and_classify(db, settings.home, reprocess=reprocess)
    summary.counts.update(cluster_and_assess(db, config).as_dict())
    return summary


def pipeline_hook(settings: Settings, config: MonitorConfig, db: Database) -> None:
    """Run by the service after each collection."""
    summary = run_pipeline(db, settings, config)
    log.info("processed: %s", summary.as_dict())
