"""``monitor run``: scheduled collection with a persistent job store, clean shutdown."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from monitor.config import load_config
from monitor.service import (
    Service,
    add_service_setup_hook,
    build_scheduler,
    configure_runtime,
    job_id,
    schedule_collection,
)
from monitor.settings import Settings
from tests.feedserver import rss
from tests.helpers import fetch_log, item_count

ITEMS = [{"title": "Item", "guid": "g1", "description": "x"}]


def write_config(path: Path, url: str, interval: str = "3s") -> Path:
    path.write_text(f"feeds:\n  - id: f\n    url: {url}\n    poll_interval: {interval}\n")
    return path


def test_run_collects_on_schedule_and_stops_cleanly_on_sigterm(db, server, tmp_path):
    url = server.add("/feed.xml", body=rss(ITEMS))
    config = write_config(tmp_path / "feeds.yaml", url)
    env = {**os.environ, "MONITOR_CONFIG": str(config), "MONITOR_DATABASE_URL": db.url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while len(server.hits("/feed.xml")) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(server.hits("/feed.xml")) >= 2, "the feed was not polled on its interval"
        assert item_count(db) == 1
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stopped" in err
    with db.engine.connect() as conn:
        ids = [row[0] for row in conn.execute(text("SELECT id FROM apscheduler_jobs"))]
    assert sorted(ids) == sorted([job_id(3), "daily-briefing"])


def test_missed_runs_are_coalesced_after_downtime(db, server, tmp_path):
    url = server.add("/feed.xml", body=rss(ITEMS))
    config_path = write_config(tmp_path / "feeds.yaml", url, "2s")
    config = load_config(config_path)
    configure_runtime(Settings(home=tmp_path, config_path=config_path, database_url=db.url), db)
    scheduler = build_scheduler(db)
    scheduler.start(paused=True)
    schedule_collection(scheduler, config)
    scheduler.resume()
    time.sleep(1.0)
    scheduler.shutdown(wait=True)
    assert len(fetch_log(db, "f")) == 1
    time.sleep(7)  # three runs missed while "down"
    scheduler = build_scheduler(db)
    scheduler.start(paused=True)
    schedule_collection(scheduler, config)  # keeps the stored next run time
    scheduler.resume()
    time.sleep(1.2)
    scheduler.shutdown(wait=True)
    assert len(fetch_log(db, "f")) == 2  # one coalesced run, not three


def test_jobs_follow_the_configured_intervals(db, tmp_path):
    path = tmp_path / "feeds.yaml"
    path.write_text(
        "feeds:\n  - {id: a, url: 'https://a.example/rss', poll_interval: 30m}\n"
        "  - {id: b, url: 'https://b.example/rss', poll_interval: 2h}\n"
        "  - {id: c, url: 'https://c.example/rss', poll_interval: 2h}\n"
    )
    scheduler = build_scheduler(db)
    scheduler.start(paused=True)
    try:
        assert sorted(schedule_collection(scheduler, load_config(path))) == [
            job_id(1800),
            job_id(7200),
        ]
        path.write_text("feeds:\n  - {id: a, url: 'https://a.example/rss', poll_interval: 1h}\n")
        schedule_collection(scheduler, load_config(path))
        assert [j.id for j in scheduler.get_jobs()] == [job_id(3600)]
    finally:
        scheduler.shutdown(wait=False)


def test_an_edited_feeds_yaml_is_applied_without_a_restart(db, tmp_path, caplog):
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds:\n  - {id: a, url: 'https://a.example/rss', poll_interval: 30m}\n")
    from monitor.brief.daily import schedule_briefing

    add_service_setup_hook(schedule_briefing)  # as `monitor run` does
    settings = Settings(home=tmp_path, config_path=path, database_url=db.url)
    service = Service(settings, db)
    scheduler = build_scheduler(db)
    scheduler.start(paused=True)
    try:
        schedule_collection(scheduler, load_config(path))
        path.write_text(
            "feeds:\n  - {id: a, url: 'https://a.example/rss', poll_interval: 30m}\n"
            "  - {id: b, url: 'https://b.example/rss', poll_interval: 2h}\n"
            "briefing: {time: '07:15'}\n"
        )
        jobs = service.reschedule(scheduler)
        assert {job_id(1800), job_id(7200), "daily-briefing"} <= set(jobs)
        briefing = scheduler.get_job("daily-briefing")
        assert "hour='7'" in str(briefing.trigger) and "minute='15'" in str(briefing.trigger)
        path.write_text("feeds: [{id: a, url: 'not a url'}]\n")
        assert service.reschedule(scheduler) == []
        assert "not valid; keeping the schedule" in caplog.text
        assert {j.id for j in scheduler.get_jobs()} >= {job_id(1800), job_id(7200)}
    finally:
        scheduler.shutdown(wait=False)
