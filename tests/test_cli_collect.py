"""The collector's commands end to end: init, collect, status, stats, feeds check."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.collect.health import FeedStats, HealthStatus, assess
from monitor.config.schema import CollectorSettings
from tests.cli import run_cli, run_monitor
from tests.feedserver import Route, rss

ITEMS = [{"title": f"Item {i}", "guid": f"g{i}", "description": "x"} for i in range(3)]


def setup_config(tmp_path: Path, server) -> Path:  # type: ignore[no-untyped-def]
    good = server.add("/good.xml", body=rss(ITEMS))
    bad = server.add("/bad.xml", Route(status=500))
    path = tmp_path / "feeds.yaml"
    path.write_text(
        f"feeds:\n  - id: good\n    url: {good}\n  - id: bad\n    url: {bad}\n"
        "  - id: off\n    url: https://off.example.org/rss\n    enabled: false\n"
    )
    return path


def test_collect_status_and_stats(tmp_path, server, database_url):
    config = setup_config(tmp_path, server)
    env = {
        "MONITOR_CONFIG": str(config),
        "MONITOR_DATABASE_URL": database_url,
        "MONITOR_HOME": str(tmp_path),
    }
    refused = run_monitor(["collect"], env)
    assert refused.returncode == 2 and "Run `monitor init`" in refused.stderr
    assert run_monitor(["init"], env).returncode == 0
    collected = run_monitor(["collect"], env)
    assert collected.returncode == 0, collected.stderr
    assert "1 fetched, 0 not modified, 1 failed" in collected.stdout
    assert "3 new and 0 updated items" in collected.stdout
    assert "bad" in collected.stdout and "HTTP 500" in collected.stdout
    stats = json.loads(run_monitor(["stats", "--json"], env).stdout)
    assert stats == {
        "feeds": 3,
        "feeds_enabled": 2,
        "feeds_failing": 1,
        "feeds_unhealthy": 0,
        "items": 3,
    }
    status = json.loads(run_monitor(["status", "--json"], env).stdout)
    by_id = {row["id"]: row for row in status}
    assert by_id["good"]["health"] == "ok" and by_id["good"]["items"] == 3
    assert by_id["bad"]["health"] == "failing" and by_id["bad"]["consecutive_failures"] == 1
    assert by_id["off"]["health"] == "disabled"
    table = run_monitor(["status"], env)
    assert table.returncode == 0 and "failing" in table.stdout
    again = json.loads(run_monitor(["collect", "--json"], env).stdout)
    assert again["skipped"] == 2  # nothing is due yet


def test_collect_one_feed_and_unknown_feed(tmp_path, server, sqlite_url):
    config = setup_config(tmp_path, server)
    env = {"MONITOR_CONFIG": str(config), "MONITOR_DATABASE_URL": sqlite_url}
    assert run_cli(["init"], env).exit_code == 0
    result = run_cli(["collect", "--feed", "good", "--json"], env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["new_items"] == 3
    assert len(server.hits("/bad.xml")) == 0
    unknown = run_cli(["collect", "--feed", "nope"], env)
    assert unknown.exit_code == 2 and "no feed with id 'nope'" in unknown.output


def test_feeds_check_reports_each_feed_without_storing(tmp_path, server, sqlite_url):
    config = setup_config(tmp_path, server)
    env = {"MONITOR_CONFIG": str(config), "MONITOR_DATABASE_URL": sqlite_url}
    result = run_cli(["feeds", "check", "--feed", "good", "--feed", "bad", "--json"], env)
    assert result.exit_code == 1  # one feed failed
    rows = {r["id"]: r for r in json.loads(result.output)}
    assert rows["good"]["ok"] and rows["good"]["entries"] == 3 and rows["good"]["format"] == "rss20"
    assert not rows["bad"]["ok"] and rows["bad"]["status"] == 500


def test_every_command_has_help():
    for args in (
        ["--help"],
        ["init", "--help"],
        ["collect", "--help"],
        ["run", "--help"],
        ["status", "--help"],
        ["stats", "--help"],
        ["feeds", "--help"],
        *[
            ["feeds", sub, "--help"]
            for sub in (
                "list",
                "add",
                "remove",
                "enable",
                "disable",
                "check",
                "import-opml",
                "export-opml",
            )
        ],
    ):
        result = run_cli(args)
        assert result.exit_code == 0 and "Usage" in result.output, args


def test_version():
    result = run_cli(["--version"])
    assert result.exit_code == 0 and result.output.startswith("monitor ")


NOW = datetime(2026, 1, 10, 12, tzinfo=UTC)
SETTINGS = CollectorSettings(unhealthy_after="1d", silence_factor=5, min_silence="2d")


def health(**kwargs):  # type: ignore[no-untyped-def]
    base = dict(
        enabled=True,
        disabled_reason=None,
        last_success_at=NOW,
        failing_since=None,
        consecutive_failures=0,
        last_error=None,
        created_at=NOW - timedelta(days=60),
        stats=FeedStats(
            items_in_window=300, window_days=30, last_new_item_at=NOW - timedelta(hours=3)
        ),
        settings=SETTINGS,
        now=NOW,
    )
    return assess(**{**base, **kwargs})


def test_health_rules():
    assert health().status is HealthStatus.ok
    assert (
        health(consecutive_failures=2, failing_since=NOW - timedelta(hours=5)).status
        is HealthStatus.failing
    )
    assert (
        health(consecutive_failures=9, failing_since=NOW - timedelta(days=2)).status
        is HealthStatus.unhealthy
    )
    # 10 items a day: silent after max(2 days, 5 x 2.4 h) = 2 days
    quiet = FeedStats(items_in_window=300, window_days=30, last_new_item_at=NOW - timedelta(days=3))
    assert health(stats=quiet).status is HealthStatus.silent
    # one item every 3 days: 3 days of quiet is normal
    sparse = FeedStats(items_in_window=10, window_days=30, last_new_item_at=NOW - timedelta(days=3))
    assert health(stats=sparse).status is HealthStatus.ok
    assert health(disabled_reason="HTTP 410 Gone").status is HealthStatus.disabled
    assert health(last_success_at=None).status is HealthStatus.new
