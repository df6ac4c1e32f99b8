"""Crash safety and concurrency with real processes: a killed run, two collectors at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from monitor.store.db import Database
from monitor.store.models import Item
from tests.feedserver import Route, rss
from tests.helpers import configure, item_count

N_FEEDS = 12


def feed_items(feed: int, n: int = 20) -> bytes:
    return rss(
        [
            {
                "title": f"Feed {feed} item {i}",
                "guid": f"f{feed}-i{i}",
                "link": f"https://example.org/{feed}/{i}",
                "pubDate": "Wed, 01 Oct 2025 08:00:00 GMT",
                "description": f"Body {feed}/{i}",
            }
            for i in range(n)
        ]
    )


def write_config(path: Path, server, delays: dict[int, float] | None = None) -> Path:  # type: ignore[no-untyped-def]
    lines = [
        "collector:\n  concurrency: 2\n  per_host: 2\n  read_timeout: 60\n  total_timeout: 120\nfeeds:\n"
    ]
    for n in range(N_FEEDS):
        url = server.add(
            f"/feed{n}.xml", Route(body=feed_items(n), delay=(delays or {}).get(n, 0.0))
        )
        lines.append(f"  - id: feed{n:02d}\n    url: {url}\n")
    path.write_text("".join(lines))
    return path


def monitor_process(args: list[str], config: Path, database_url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "MONITOR_CONFIG": str(config), "MONITOR_DATABASE_URL": database_url}
    return subprocess.Popen(
        [sys.executable, "-m", "monitor", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def duplicates(db: Database) -> int:
    with db.session() as session:
        rows = session.execute(
            select(Item.feed_id, Item.key, func.count())
            .group_by(Item.feed_id, Item.key)
            .having(func.count() > 1)
        ).all()
    return len(rows)


def test_killed_run_loses_nothing_and_duplicates_nothing_on_restart(db, server, tmp_path):
    # Feeds 0-3 answer at once, the rest slowly: the kill lands in the middle of the pass.
    config = write_config(tmp_path / "feeds.yaml", server, {n: 3.0 for n in range(4, N_FEEDS)})
    proc = monitor_process(["collect", "--no-progress"], config, db.url)
    deadline = time.monotonic() + 60
    while item_count(db) < 4 * 20 and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    stored_before = item_count(db)
    assert 4 * 20 <= stored_before < N_FEEDS * 20
    assert stored_before % 20 == 0  # each feed landed whole or not at all
    for n in range(4, N_FEEDS):
        server.routes[f"/feed{n}.xml"].delay = 0
    rerun = monitor_process(["collect", "--no-progress", "--force"], config, db.url)
    _out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert item_count(db) == N_FEEDS * 20
    assert duplicates(db) == 0


def test_two_collectors_at_once_never_duplicate(db, server, tmp_path):
    config = write_config(tmp_path / "feeds.yaml", server)
    configure_from_file = ["collect", "--no-progress", "--force"]
    first = monitor_process(configure_from_file, config, db.url)
    second = monitor_process(configure_from_file, config, db.url)
    for proc in (first, second):
        _out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
    assert item_count(db) == N_FEEDS * 20
    assert duplicates(db) == 0


@pytest.mark.parametrize("rounds", [3])
def test_repeated_concurrent_inserts_of_the_same_feed(db, server, rounds):
    """The same entries stored from several threads at once end up stored once."""
    import threading

    from monitor.collect import CollectOptions, Collector

    url = server.add("/same.xml", Route(body=feed_items(99, 50), etag=False, last_modified=None))
    config = configure(db, {"same": url})
    for _ in range(rounds):
        threads = [
            threading.Thread(
                target=Collector(db, config.collector).collect, args=(CollectOptions(force=True),)
            )
            for _ in range(3)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert item_count(db) == 50
    assert duplicates(db) == 0
