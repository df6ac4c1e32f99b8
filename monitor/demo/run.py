"""``monitor demo``: a complete, fresh workspace with weeks of fictional news, end to end.

Nothing is configured and nothing leaves the machine. The demo writes ``feeds.yaml``
for six fictional outlets, serves their RSS feeds from a server on 127.0.0.1, collects
them with the real collector into ``monitor.db``, runs every stage (language, countries,
classifier, stories, levels, alerts) over the whole period, and writes the briefing in
HTML and PDF under ``outputs/``. Afterwards the folder is an ordinary workspace: point
MONITOR_HOME and MONITOR_CONFIG at it and every command works on it. The outlets'
feeds are switched off in its feeds.yaml once the demo server stops.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

from monitor.demo.scenario import OUTLETS, CountryScript, NewsItem, generate

DAYS = 42
SCRIPT = (
    ("ETH", "escalation", -2, "en"),
    ("MMR", "escalation", 9, "en"),
    ("SDN", "chronic", None, "en"),
    ("COD", "chronic", None, "fr"),
    ("MLI", "chronic", None, "fr"),
    ("GHA", "quiet", None, "en"),
    ("SEN", "quiet", None, "fr"),
    ("BWA", "quiet", None, "en"),
    ("CIV", "quiet", None, "fr"),
    ("NAM", "quiet", None, "en"),
    ("URY", "quiet", None, "en"),
    ("KEN", "quiet", None, "en"),
)
DEMO_FILES = ("monitor.db", "monitor.db-wal", "monitor.db-shm", "feeds.yaml", "outputs")


@dataclass
class DemoResult:
    folder: Path
    config: Path
    database: Path
    outputs: dict[str, Path]
    items: int
    alerts: int
    levels: list[tuple[str, str, str]] = field(default_factory=list)
    seconds: float = 0.0


def rss(outlet_title: str, items: list[NewsItem]) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{escape(outlet_title)}</title><link>https://www.example/</link>",
        "<description>Fictional outlet of the focalpoint-monitor demo</description>",
    ]
    for item in sorted(items, key=lambda i: i.published, reverse=True):
        parts.append(
            "<item>"
            f"<title>{escape(item.title)}</title><link>{escape(item.url)}</link>"
            f'<guid isPermaLink="true">{escape(item.url)}</guid>'
            f"<pubDate>{format_datetime(item.published, usegmt=True)}</pubDate>"
            f"<description>{escape('<p>' + escape(item.summary) + '</p>')}</description>"
            "</item>"
        )
    parts.append("</channel></rss>")
    return "\n".join(parts).encode("utf-8")


class _FeedServer:
    def __init__(self, bodies: dict[str, bytes]) -> None:
        bodies_by_path = {f"/{name}.xml": body for name, body in bodies.items()}

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                body = bodies_by_path.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                tag = '"' + hashlib.sha1(body).hexdigest() + '"'
                if self.headers.get("If-None-Match") == tag:
                    self.send_response(304)
                    self.send_header("ETag", tag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("ETag", tag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> _FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def feeds_yaml(port: int | None, today: date) -> str:
    lines = [
        "# Demo workspace of the focal-point monitor: FICTIONAL outlets and news.",
        "# Written by `monitor demo`. The feeds below were served from 127.0.0.1 while the demo ran;",
        "# they are switched off now. Copy the repository's feeds.yaml here to watch real sources.",
        "version: 1",
        "defaults:",
        "  poll_interval: 1h",
        "  enabled: " + ("true" if port else "false"),
        "alerts:",
        "  sender: demo@focalpoint-monitor.invalid",
        "  sender_name: Demo focal point (fictional)",
        "  watchlist:",
        "    - {country: MMR, level: serious_concern, note: fictional demo entry}",
        "briefing:",
        "  marking: RESTRICTED",
        "  exercise: true",
        "  calendar:",
        f"    - {{country: ETH, date: {(today + timedelta(days=18)).isoformat()}, event: Regional council elections (fictional), kind: election}}",
        f"    - {{country: MMR, date: {(today + timedelta(days=30)).isoformat()}, event: Verdict in a land-rights case (fictional), kind: verdict}}",
        "feeds:",
    ]
    for outlet in OUTLETS:
        url = (
            f"http://127.0.0.1:{port}/{outlet.id}.xml"
            if port
            else f"https://www.{outlet.id}.example/feed.xml"
        )
        lines += [
            f"  - id: {outlet.id}",
            f"    url: {url}",
            f'    title: "{outlet.title}"',
            f"    kind: {outlet.kind}",
            f"    language: {outlet.language}",
            f"    reliability: {outlet.reliability}",
            "    tags: [demo, fictional]",
        ]
    return "\n".join(lines) + "\n"


def prepare_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in DEMO_FILES:
        path = folder / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def run_demo(
    folder: Path, seed: int = 1, today: date | None = None, lang: str = "en"
) -> DemoResult:
    from sqlalchemy import func, select

    from monitor.assess.run import cluster_and_assess
    from monitor.brief import default_path, produce, write
    from monitor.collect import CollectOptions, Collector
    from monitor.config import load_config
    from monitor.pipeline import enrich_and_classify
    from monitor.settings import sqlite_url
    from monitor.store.db import Database
    from monitor.store.models import Alert, CountryDay, Item
    from monitor.store.sync import sync_feeds
    from monitor.store.types import utcnow

    started = time.perf_counter()
    folder = folder.resolve()
    prepare_folder(folder)
    today = today or utcnow().date()
    start = today - timedelta(days=DAYS - 1)
    scripts = [
        CountryScript(
            iso3,
            profile,
            peak=today + timedelta(days=peak) if peak is not None else None,
            language=language,
        )
        for iso3, profile, peak, language in SCRIPT
    ]
    items = [i for i in generate(scripts, start, DAYS, seed=seed) if i.day <= today]
    by_outlet: dict[str, list[NewsItem]] = defaultdict(list)
    for item in items:
        by_outlet[item.outlet.id].append(item)
    bodies = {o.id: rss(o.title, by_outlet.get(o.id, [])) for o in OUTLETS}
    config_path = folder / "feeds.yaml"
    db_path = folder / "monitor.db"
    db = Database(sqlite_url(db_path))
    try:
        db.upgrade()
        with _FeedServer(bodies) as server:
            config_path.write_text(feeds_yaml(server.port, today), encoding="utf-8")
            config = load_config(config_path)
            with db.session() as session:
                sync_feeds(session, config)
            config.collector.max_entries_per_feed = max(
                config.collector.max_entries_per_feed, len(items)
            )
            Collector(db, config.collector).collect(CollectOptions(force=True))
        config_path.write_text(feeds_yaml(None, today), encoding="utf-8")
        config = load_config(config_path)
        with db.session() as session:
            sync_feeds(session, config)
        enrich_and_classify(db, folder)
        cluster_and_assess(db, config, first=start, last=today)
        outputs = {}
        produced = produce(db, config, today, lang, rebuild=True)
        for fmt in ("html", "pdf"):
            outputs[fmt] = write(
                produced.briefing, fmt, default_path(folder / "outputs", produced.briefing, fmt)
            )
        with db.session() as session:
            stored = session.scalar(select(func.count()).select_from(Item))
            alerts = session.scalar(select(func.count()).select_from(Alert))
            rows = session.scalars(
                select(CountryDay).where(CountryDay.day == today).order_by(CountryDay.level.desc())
            ).all()
            levels = [
                (
                    r.country,
                    r.level_name,
                    ", ".join(sorted(r.factors_7d, key=lambda f: -r.factors_7d[f])[:4]),
                )
                for r in rows
            ]
    finally:
        db.dispose()
    return DemoResult(
        folder,
        config_path,
        db_path,
        outputs,
        int(stored or 0),
        int(alerts or 0),
        levels,
        time.perf_counter() - started,
    )
