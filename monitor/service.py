"""``monitor run``: the long-running service, on APScheduler 3.

Jobs live in the ``apscheduler_jobs`` table of the monitor's own database, so a
restart picks up where the last process stopped; missed runs are coalesced into one.
There is one collection job per distinct poll interval in feeds.yaml. Job state is
pickled by APScheduler, so jobs are module-level functions whose only argument is the
interval: settings (and any database password) are never written into the job table.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from monitor.collect import CollectOptions, Collector
from monitor.config import ConfigError, MonitorConfig, load_config
from monitor.settings import Settings
from monitor.store.db import Database
from monitor.store.sync import sync_feeds

log = logging.getLogger("monitor.service")

COLLECT_PREFIX = "collect-every-"
MISFIRE_GRACE = 6 * 3600

_runtime: dict[str, Any] = {}

# Stages that run after each collection (enrichment, classification, assessment...).
# Each takes the settings, the loaded configuration and the database.
PostCollectHook = Callable[[Settings, MonitorConfig, Database], None]
post_collect_hooks: list[PostCollectHook] = []


# Later stages add their own scheduled jobs (e.g. the daily briefing) through these.
ServiceSetupHook = Callable[[BackgroundScheduler, Settings, MonitorConfig], list[str]]
_service_setup_hooks: list[ServiceSetupHook] = []


def add_service_setup_hook(hook: ServiceSetupHook) -> None:
    if hook not in _service_setup_hooks:
        _service_setup_hooks.append(hook)


def configure_runtime(settings: Settings, db: Database) -> None:
    _runtime["settings"] = settings
    _runtime["db"] = db


def _settings_and_db() -> tuple[Settings, Database]:
    try:
        return _runtime["settings"], _runtime["db"]
    except KeyError:
        raise RuntimeError("the service runtime is not configured") from None


def collect_job(poll_interval: int) -> None:
    """Collect the due feeds polled every ``poll_interval`` seconds, then run the stages."""
    settings, db = _settings_and_db()
    try:
        config = load_config(settings.config_path)
    except ConfigError as exc:
        log.error("skipping this run: %s", exc)
        return
    with db.session() as session:
        sync_feeds(session, config)
    summary = Collector(db, config.collector).collect(CollectOptions(poll_interval=poll_interval))
    log.info("collected (every %ss): %s", poll_interval, summary.as_dict())
    for hook in post_collect_hooks:
        try:
            hook(settings, config, db)
        except Exception:
            log.exception(
                "stage %s failed; the next run will retry it", getattr(hook, "__name__", hook)
            )


CONFIG_CHECK_SECONDS = 30


def job_id(poll_interval: int) -> str:
    return f"{COLLECT_PREFIX}{poll_interval}s"


def build_scheduler(db: Database) -> BackgroundScheduler:
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=db.engine, tablename="apscheduler_jobs")},
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE},
        timezone=UTC,
    )


def schedule_collection(scheduler: BackgroundScheduler, config: MonitorConfig) -> list[str]:
    """One job per distinct poll interval; jobs for intervals no longer used are removed.

    A job that already exists keeps its next run time, so restarting the service does not
    trigger every collection at once; a new interval runs at once.
    """
    intervals = sorted({f.poll_interval for f in config.feeds if f.enabled})
    wanted = {job_id(i): i for i in intervals}
    for job in scheduler.get_jobs():
        if job.id.startswith(COLLECT_PREFIX) and job.id not in wanted:
            job.remove()
    for ident, interval in wanted.items():
        existing = scheduler.get_job(ident)
        if existing is None:
            scheduler.add_job(
                collect_job,
                "interval",
                seconds=interval,
                args=[interval],
                id=ident,
                name=f"collect feeds polled every {interval}s",
                next_run_time=datetime.now(UTC),
            )
        else:
            existing.modify(args=[interval])
    return list(wanted)


class Service:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self.stop_event = threading.Event()

    def run(self, install_signals: bool = True) -> None:
        config = load_config(self.settings.config_path)
        configure_runtime(self.settings, self.db)
        with self.db.session() as session:
            sync_feeds(session, config)
        scheduler = build_scheduler(self.db)
        if install_signals:
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, self._on_signal)
        scheduler.start(paused=True)
        jobs = schedule_collection(scheduler, config)
        for hook in _service_setup_hooks:
            jobs += hook(scheduler, self.settings, config)
        scheduler.resume()
        log.info("monitor service started with jobs: %s", ", ".join(jobs))
        stamp = self._config_stamp()
        try:
            ticks = 0
            while not self.stop_event.wait(1.0):
                ticks += 1
                if ticks % CONFIG_CHECK_SECONDS == 0 and self._config_stamp() != stamp:
                    stamp = self._config_stamp()
                    self.reschedule(scheduler)
        finally:
            log.info("stopping: waiting for running jobs to finish")
            scheduler.shutdown(wait=True)
            self.db.dispose()
            log.info("stopped")

    def _config_stamp(self) -> tuple[float, int] | None:
        try:
            info = self.settings.config_path.stat()
        except OSError:
            return None
        return (info.st_mtime, info.st_size)

    def reschedule(self, scheduler: BackgroundScheduler) -> list[str]:
        """Apply an edited feeds.yaml without a restart: new poll intervals, briefing time.

        A file that no longer validates is reported and the running schedule is kept.
        """
        try:
            config = load_config(self.settings.config_path)
        except ConfigError as exc:
            log.error("feeds.yaml changed but is not valid; keeping the schedule: %s", exc)
            return []
        with self.db.session() as session:
            sync_feeds(session, config)
        jobs = schedule_collection(scheduler, config)
        for hook in _service_setup_hooks:
            jobs += hook(scheduler, self.settings, config)
        log.info("feeds.yaml changed; jobs now: %s", ", ".join(jobs))
        return jobs

    def _on_signal(self, signum: int, _frame: object) -> None:
        log.info("received %s", signal.Signals(signum).name)
        self.stop_event.set()
