"""Collector benchmark: this collector against lemon24/reader on the same feeds, same run.

Uses the harness in ``../shared/bench`` (feed generator, ETag-aware server on
127.0.0.1, timed passes). For every run, both collectors get a fresh store and three
passes over N generated feeds:

- new: every feed answers 200 with E new entries;
- 304: the server answers 304 to the validators each collector stored;
- 200-unchanged: the server ignores validators, so every body is downloaded again
  although nothing changed.

Runs alternate between the two collectors so that both see the same machine state.
Prints entries/s, feeds/s and the ratios against reader, with the project's targets
(first pass >= 5x reader's entries/s, 304 pass >= 2x reader's feeds/s,
unchanged pass >= 10x reader's feeds/s).

    pip install -e '.[bench]'
    taskset -c 0,1 python bench/collect.py --feeds-dir /tmp/feeds-200x50 -n 200 -e 50 --runs 3

``--enrich`` adds the enrichment stage (language, countries, classification) to our
collector's new pass, to check that collection plus enrichment stays within half of
the collector's own targets.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path
from typing import Any

SHARED_BENCH = (
    Path(os.environ.get("MONITOR_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
    / "bench"
)
sys.path.insert(0, str(SHARED_BENCH))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import harness  # noqa: E402

TARGETS = {
    "new": ("entries_per_s", 5.0),
    "304": ("feeds_per_s", 2.0),
    "200-unchanged": ("feeds_per_s", 10.0),
}


class MonitorAdapter:
    """Our collector, driven through the same function ``monitor run`` schedules."""

    name = "focalpoint-monitor"

    def __init__(self, enrich: bool = False, fast: bool = True) -> None:
        self.enrich = enrich
        self.fast = fast
        self.db: Any = None

    def describe(self) -> dict[str, Any]:
        from monitor import __version__
        from monitor.config.schema import CollectorSettings

        settings = CollectorSettings()
        return {
            "name": self.name,
            "version": __version__,
            "fast_parser": self.fast,
            "enrich": self.enrich,
            "concurrency": settings.concurrency,
            "per_host": settings.per_host,
        }

    def setup(self, workdir: Path) -> None:
        from monitor.store.db import Database

        self.db = Database(f"sqlite:///{workdir / 'monitor.db'}")
        self.db.upgrade()

    def add_feeds(self, urls: list[str]) -> None:
        from monitor.config.schema import FeedConfig, MonitorConfig
        from monitor.store.sync import sync_feeds

        config = MonitorConfig(
            feeds=[FeedConfig(id=f"feed{i:05d}", url=u) for i, u in enumerate(urls)]
        )
        with self.db.session() as session:
            sync_feeds(session, config)

    def update_all(self) -> None:
        from monitor.collect import CollectOptions, Collector

        if not self.enrich:
            Collector(self.db).collect(CollectOptions(force=True, use_fast_parser=self.fast))
            return
        from monitor.pipeline import StreamingEnricher, enrich_and_classify

        streamer = StreamingEnricher(self.db)
        Collector(self.db).collect(
            CollectOptions(force=True, use_fast_parser=self.fast), after_write=streamer.after_write
        )
        streamer.finish()
        enrich_and_classify(self.db)  # whatever is left (nothing, when the stream kept up)

    def count_entries(self) -> int:
        from monitor.collect.storage import count_items

        return count_items(self.db.engine)

    def count_errors(self) -> int:
        from sqlalchemy import func, select

        from monitor.store.models import Feed

        with self.db.session() as session:
            return int(
                session.scalar(
                    select(func.count()).select_from(Feed).where(Feed.consecutive_failures > 0)
                )
                or 0
            )

    def close(self) -> None:
        if self.db is not None:
            self.db.dispose()
            self.db = None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--feeds-dir", type=Path, required=True)
    p.add_argument("--feeds", "-n", type=int, default=200)
    p.add_argument("--entries", "-e", type=int, default=50)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--reader-workers", type=int, default=1)
    p.add_argument("--no-reader", action="store_true", help="time only this collector")
    p.add_argument("--enrich", action="store_true", help="include enrichment in our new pass")
    p.add_argument("--feedparser-only", action="store_true", help="disable our fast parser")
    p.add_argument("--server-delay-ms", type=float, default=0)
    a = p.parse_args(argv)

    manifest = harness.feedgen.ensure(a.feeds_dir, a.feeds, a.entries, a.seed)
    adapters: list[Any] = [MonitorAdapter(enrich=a.enrich, fast=not a.feedparser_only)]
    if not a.no_reader:
        import bench_reader  # sets READER_NO_VENDORED_FEEDPARSER for reader 3.x + feedparser 6

        reader = bench_reader.ReaderAdapter()
        reader.workers = a.reader_workers
        adapters.append(reader)
    results: dict[str, list[dict[str, Any]]] = {ad.name: [] for ad in adapters}
    with harness.ServerProcess(a.feeds_dir, 3600, 600, a.server_delay_ms) as server:
        for i in range(a.runs):
            for adapter in adapters:
                run = harness.one_run(adapter, server, manifest, True, None)
                results[adapter.name].append(run)
                line = ", ".join(
                    f"{k} {run[k]['wall_s']:.2f}s{'' if run[k]['ok'] else ' (CHECK FAILED)'}"
                    for k in ("new", "304", "200-unchanged")
                )
                print(f"run {i + 1}/{a.runs} {adapter.name}: {line}", flush=True)
    summaries = {name: harness.summarise(runs, manifest) for name, runs in results.items()}
    for adapter in adapters:
        harness.print_report(adapter.describe(), manifest, summaries[adapter.name], a.runs)
    ok = all(s[k]["all_ok"] for s in summaries.values() for k in TARGETS)
    if "reader" in summaries:
        ours, peer = summaries[MonitorAdapter.name], summaries["reader"]
        print(f"\nratios against reader {'(with enrichment in our new pass)' if a.enrich else ''}")
        print(f"{'pass':<15}{'metric':<14}{'ours':>10}{'reader':>10}{'ratio':>8}{'target':>8}  met")
        for name, (metric, target) in TARGETS.items():
            mine, theirs = ours[name][metric], peer[name][metric]
            ratio = mine / theirs
            need = target / 2 if a.enrich and name == "new" else target
            print(
                f"{name:<15}{metric:<14}{mine:>10.0f}{theirs:>10.0f}{ratio:>7.1f}x{need:>7.1f}x  {'yes' if ratio >= need else 'NO'}"
            )
    print(
        f"\nmedian of {a.runs} runs; walls: "
        + "; ".join(
            f"{n} new {statistics.median(r['new']['wall_s'] for r in runs):.2f}s"
            for n, runs in results.items()
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
