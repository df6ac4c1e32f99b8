"""The daily briefing job of ``monitor run``: assess today, write the briefing, send it."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from monitor.config import ConfigError, load_config
from monitor.config.schema import MonitorConfig
from monitor.errors import MonitorError
from monitor.settings import Settings

log = logging.getLogger("monitor.brief")
JOB_ID = "daily-briefing"


def briefing_job() -> None:
    from monitor.assess.run import cluster_and_assess
    from monitor.brief import archive, default_path, produce, write
    from monitor.service import _settings_and_db
    from monitor.store.types import utcnow

    settings, db = _settings_and_db()
    try:
        config = load_config(settings.config_path)
    except ConfigError as exc:
        log.error("no briefing today: %s", exc)
        return
    # The briefing is for the focal point's own day, in the configured time zone.
    today = utcnow().astimezone(ZoneInfo(config.briefing.timezone)).date()
    cluster_and_assess(db, config, last=today)
    produced = produce(db, config, today, config.briefing.language, rebuild=True)
    for fmt in config.briefing.formats:
        path = write(
            produced.briefing, fmt, default_path(settings.outputs_dir, produced.briefing, fmt)
        )
        log.info("wrote the %s briefing to %s", fmt, path)
    if config.briefing.send:
        import os

        from monitor.brief.send import send, with_environment

        try:
            recipients = send(produced.briefing, with_environment(config.briefing.smtp, os.environ))
        except MonitorError as exc:
            log.error("the briefing was written but not sent: %s", exc)
            return
        archive.mark_sent(db, produced.archive_id, recipients)
        log.info("sent the briefing to %s", ", ".join(recipients))


def schedule_briefing(
    scheduler: BaseScheduler, settings: Settings, config: MonitorConfig
) -> list[str]:
    hour, minute = (int(part) for part in config.briefing.time.split(":"))
    trigger = CronTrigger(hour=hour, minute=minute, timezone=config.briefing.timezone)
    scheduler.add_job(
        briefing_job, trigger, id=JOB_ID, name="daily briefing", replace_existing=True
    )
    return [JOB_ID]
