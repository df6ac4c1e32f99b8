"""Briefings from a real demo workspace: every format, both languages, hostile feed text,
the PDF through poppler, the HTML in a real chromium, archive, SMTP and the daily job."""

from __future__ import annotations

import copy
import html
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from dataclasses import replace
from datetime import date, timedelta
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

import pytest
from lxml import etree
from lxml import html as lxml_html
from markdown_it import MarkdownIt
from sqlalchemy import update

from monitor.assess.run import cluster_and_assess
from monitor.brief import produce
from monitor.brief.archive import listing
from monitor.brief.i18n import Localizer
from monitor.brief.model import Briefing, FeedHealthRow, Source, TriggerEvent
from monitor.brief.render import markdown_text, render
from monitor.brief.send import with_environment
from monitor.config import load_config
from monitor.config.schema import AlertSettings, MonitorConfig, SmtpSettings, WatchEntry
from monitor.demo.run import SCRIPT, DemoResult, feeds_yaml, run_demo
from monitor.demo.scenario import CountryScript, generate, outlet_config, store_items
from monitor.errors import MonitorError
from monitor.pipeline import enrich_and_classify
from monitor.store.db import Database
from monitor.store.models import Classification
from tests.cli import run_cli

DAY = date(2026, 11, 27)
ARTIFACTS = Path(
    os.environ.get("MONITOR_TEST_ARTIFACTS", Path(__file__).resolve().parents[1] / "artifacts")
)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm") and shutil.which("pdfinfo")
ARABIC = "مقتل مدنيين في هجوم على قرية قرب الحدود"
PWNED = "PWNED"


def need_poppler() -> None:
    if not POPPLER:
        if os.environ.get("MONITOR_REQUIRE_BROWSER"):
            pytest.fail("poppler-utils (pdftotext, pdftoppm, pdfinfo) are required here")
        pytest.skip("poppler-utils are not installed")


def need_chromium() -> str:
    if not CHROMIUM:
        if os.environ.get("MONITOR_REQUIRE_BROWSER"):
            pytest.fail("chromium is required here (MONITOR_REQUIRE_BROWSER is set)")
        pytest.skip("chromium is not installed")
    return CHROMIUM


# -- a local server that records every request ----------------------------------------


class Recorder:
    """Serves the given files on 127.0.0.1 and records every path asked for."""

    def __init__(self, files: dict[str, bytes] | None = None) -> None:
        self.files = dict(files or {})
        self.paths: list[str] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                recorder.paths.append(self.path)
                body = recorder.files.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def recorder():
    server = Recorder()
    yield server
    server.close()


# -- the demo workspace, built once -----------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    return run_demo(tmp_path_factory.mktemp("demo") / "workspace", today=DAY)


@pytest.fixture(scope="module")
def briefings(demo: DemoResult) -> dict[str, Briefing]:
    db = Database(f"sqlite:///{demo.database}")
    try:
        config = load_config(demo.config)
        return {lang: produce(db, config, DAY, lang).briefing for lang in ("en", "fr")}
    finally:
        db.dispose()


@pytest.fixture
def workspace(demo: DemoResult, tmp_path: Path) -> Path:
    """A private copy of the demo workspace for tests that change it."""
    folder = tmp_path / "ws"
    shutil.copytree(demo.folder, folder)
    return folder


def workspace_env(folder: Path, **extra: str) -> dict[str, str]:
    return {
        "MONITOR_HOME": str(folder),
        "MONITOR_CONFIG": str(folder / "feeds.yaml"),
        "MONITOR_DATABASE_URL": "",
        **extra,
    }


# -- reading each format back as text --------------------------------------------------


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def html_text(data: bytes) -> str:
    return squash(lxml_html.fromstring(data).text_content())


def md_text(data: bytes) -> str:
    return squash(html.unescape(re.sub(r"\\(.)", r"\1", data.decode("utf-8"))))


def pdf_pages(data: bytes, tmp_path: Path) -> list[str]:
    need_poppler()
    path = tmp_path / "briefing.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    return [page for page in out.split("\f") if page.strip()]


def as_text(briefing: Briefing, fmt: str, tmp_path: Path) -> str:
    data = render(briefing, fmt)
    if fmt == "html":
        return html_text(data)
    if fmt == "pdf":
        pages = pdf_pages(data, tmp_path)
        # Drop the running header and footer lines so wrapped text joins up again.
        return squash(" ".join("\n".join(p.splitlines()[1:-1]) for p in pages))
    if fmt == "md":
        return md_text(data)
    return squash(data.decode("utf-8"))


def opening(text: str, words: int = 4) -> str:
    return " ".join(text.split()[:words])


# -- the demo -----------------------------------------------------------------------------


def test_demo_makes_a_complete_workspace(demo: DemoResult) -> None:
    assert demo.items > 1000
    assert demo.alerts > 0
    assert demo.outputs["pdf"].read_bytes().startswith(b"%PDF")
    assert b"<html" in demo.outputs["html"].read_bytes()
    levels = {iso3: level for iso3, level, _ in demo.levels}
    # Countries without any signal in 30 days have no level row at all.
    assert set(levels) <= {iso3 for iso3, *_ in SCRIPT}
    # The escalating situation stands out; most quiet countries stay quiet.
    assert levels["ETH"] in ("imminent_risk", "ongoing_crisis")
    quiet = [iso3 for iso3, profile, *_ in SCRIPT if profile == "quiet"]
    assert sum(levels.get(c, "none") in ("none", "monitoring") for c in quiet) >= len(quiet) - 2
    # The fictional outlets are switched off once their server is gone.
    config = load_config(demo.config)
    assert config.feeds and not any(f.enabled for f in config.feeds)
    assert config.briefing.exercise


def test_every_command_keeps_working_on_the_demo_workspace(workspace: Path) -> None:
    env = workspace_env(workspace)
    listed = run_cli(["alerts", "list", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    alerts = json.loads(listed.output)
    assert alerts and all(a["country"] for a in alerts)
    out = workspace / "export"
    for fmt, name in (("json", "alerts.json"), ("csv", "alerts.csv"), ("atom", "alerts.atom")):
        result = run_cli(["alerts", "export", "--format", fmt, "--out", str(out / name)], env=env)
        assert result.exit_code == 0, result.output
    assert len(json.loads((out / "alerts.json").read_text())) == len(alerts)
    etree.fromstring((out / "alerts.atom").read_bytes())
    result = run_cli(["alerts", "export", "--format", "cap", "--out", str(out / "cap")], env=env)
    assert result.exit_code == 0, result.output
    assert len(list((out / "cap").glob("*.xml"))) == len(alerts)
    for args in (["status"], ["countries"], ["briefings", "list"], ["collect"]):
        result = run_cli(args, env=env)
        assert result.exit_code == 0, (args, result.output)
    result = run_cli(["brief", "--format", "txt", "--out", str(workspace / "b.txt")], env=env)
    assert result.exit_code == 0, result.output
    assert "Ethiopia" in (workspace / "b.txt").read_text()


# -- content in every format -----------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_format_carries_the_same_content(
    briefings: dict[str, Briefing], lang: str, tmp_path: Path
) -> None:
    b = briefings[lang]
    assert b.countries and b.sections and b.alerts and b.stories and b.bottom_line
    localizer = Localizer(lang)
    expected = [b.marking, localizer.day(b.date, "full")]
    expected += [s.text for s in b.bottom_line]
    expected += [c.name for c in b.countries]
    expected += [a.title for a in b.alerts]
    expected += [s.name for s in b.sections] + [s.level_label for s in b.sections]
    expected += [opening(x.text, 6) for s in b.sections for x in s.developments]
    expected += [opening(a.text, 5) for s in b.sections for a in s.actions]
    expected += [opening(st.title, 4) for st in b.stories]
    expected += [lvl.label for lvl in b.levels]
    expected += [opening(c, 6) for c in b.caveats]
    for fmt in ("html", "pdf", "md", "txt"):
        text = as_text(b, fmt, tmp_path)
        missing = [e for e in expected if squash(e) not in text]
        assert not missing, (fmt, missing[:5])
        # Every citation in the text has its source in the list.
        for n in {int(m) for m in re.findall(r"\[(\d+)\]", text)}:
            assert 1 <= n <= len(b.stories), (fmt, n)


def test_claims_cite_stories_and_single_sources_are_marked(
    briefings: dict[str, Briefing],
) -> None:
    b = briefings["en"]
    numbers = {st.number: st for st in b.stories}
    for section in b.sections:
        for sentence in section.developments:
            assert sentence.citations, sentence.text
            cited = [numbers[n] for n in sentence.citations]
            domains = {s.domain for st in cited for s in st.sources}
            assert sentence.single_source == (len(domains) < 2)
    singles = [st for st in b.stories if st.independent_sources < 2]
    text = render(b, "txt").decode("utf-8")
    for st in singles:
        line = next(x for x in text.splitlines() if x.startswith(f"[{st.number}] "))
        assert "1 independent source)" in line
    assert "genocide is" not in text.lower()
    assert "not a legal determination" in text


def test_french_catalog_is_complete_and_current(tmp_path: Path) -> None:
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[1]
    locale = root / "monitor" / "brief" / "locale"
    pybabel = Path(sys.executable).with_name("pybabel")
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(pybabel),
            "extract",
            "-F",
            "babel.cfg",
            "--omit-header",
            "--sort-output",
            "--no-location",
            "-k",
            "N_",
            "-k",
            "_",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=root,
        check=True,
        capture_output=True,
    )
    assert fresh.read_text() == (locale / "messages.pot").read_text(), (
        "messages.pot is stale: run the command at the top of babel.cfg"
    )
    with open(locale / "fr" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        french = read_po(handle)
    with open(fresh, "rb") as handle:
        template = read_po(handle)
    for message in template:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        translated = french.get(key)
        assert translated is not None and not translated.fuzzy, key
        strings = [translated.string] if isinstance(translated.string, str) else translated.string
        assert all(strings), key
        for placeholder in re.findall(r"\{\w+\}|%\(\w+\)d", key):
            assert all(placeholder in s for s in strings), (key, placeholder)


def test_french_briefing_is_localised(briefings: dict[str, Briefing], tmp_path: Path) -> None:
    fr = briefings["fr"]
    text = as_text(fr, "txt", tmp_path)
    assert "vendredi 27 novembre 2026" in text
    assert "EN BREF" in text and "BOTTOM LINE" not in text
    assert "Éthiopie" in text
    assert Localizer("fr").number(1234.5) == "1\u202f234,5"
    assert Localizer("en").number(1234.5) == "1,234.5"


# -- PDF --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_pdf_has_sections_running_header_page_numbers_and_images(
    briefings: dict[str, Briefing], lang: str, tmp_path: Path
) -> None:
    b = briefings[lang]
    data = render(b, "pdf")
    pages = pdf_pages(data, tmp_path)
    assert len(pages) >= 2
    localizer = Localizer(lang)
    for number, page in enumerate(pages, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        assert lines[0].startswith(b.marking), lines[:2]
        assert f"{b.title} · {localizer.day(b.date, 'medium')}" in lines, lines[:4]
        assert f"{localizer.gettext('Page')} {number} / {len(pages)}" in page
    whole = squash(" ".join(pages))
    headings = [
        "Bottom line",
        "Countries by risk level",
        "New and escalated alerts",
        "Countries that changed, have new alerts or are on the watchlist",
        "Sources",
        "Feed health",
        "Method and caveats",
    ]
    positions = [whole.find(localizer.gettext(h)) for h in headings]
    assert all(p >= 0 for p in positions), dict(zip(headings, positions, strict=True))
    assert positions == sorted(positions)

    folder = ARTIFACTS / f"briefing-pdf-{lang}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "briefing.pdf").write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-r", "70", "-png", str(folder / "briefing.pdf"), str(folder / "page")],
        check=True,
    )
    from PIL import Image

    images = sorted(folder.glob("page-*.png"))
    assert len(images) == len(pages)
    for path in images:
        with Image.open(path) as image:
            width, height = image.size
            assert 1.35 < height / width < 1.48  # A4 portrait
            low, high = image.convert("L").getextrema()
            assert low < 100 < high  # ink on paper, not a blank page


# -- untrusted feed text ---------------------------------------------------------------


def hostile(b: Briefing, port: int) -> Briefing:
    """The briefing with attacker-controlled text everywhere feed text can appear."""
    leak = f"http://127.0.0.1:{port}"
    payloads = [
        f'<script>document.title="{PWNED}";fetch("{leak}/script")</script>',
        f'<img src="{leak}/img" onerror="document.title=\'{PWNED}\'">',
        f"</style><style>body{{background:url({leak}/css)}}</style>",
        f'"><svg onload="document.title=\'{PWNED}\'">',
        f"[click](javascript:alert(1)) ![x]({leak}/md) <{leak}/auto>",
        "\x1b[31m\u202eevil",
    ]
    evil = " ".join(payloads)
    b = copy.deepcopy(b)
    b.marking = f'RESTRICTED</title><script>alert(1)</script>"; }} body {{ background:url({leak}/marking) }}'
    b.title = f"Briefing {payloads[0]}"
    for story in b.stories[:3]:
        story.title = f"{evil} {story.title}"
        story.sources = [
            Source(
                name=f"Outlet {payloads[1]}", url="javascript:alert(document.domain)", domain="x"
            ),
            Source(
                name="Data URL outlet", url="data:text/html,<script>alert(1)</script>", domain="y"
            ),
            *story.sources,
        ]
    b.stories[3].title = f"{ARABIC} ({b.stories[3].title})"
    b.sections[0].developments[0].text = f"{evil} {b.sections[0].developments[0].text}"
    b.sections[0].triggers.append(TriggerEvent(date=b.date, event=evil, kind="election"))
    b.alerts[0].title = f"{evil} {b.alerts[0].title}"
    b.alerts[0].reason = evil
    b.feed_health.append(
        FeedHealthRow(id="evil", title=f"Feed {payloads[1]}", status="failing", reason=evil)
    )
    return b


def assert_inert_html(document: bytes, leak_port: int) -> None:
    tree = lxml_html.fromstring(document)
    assert not tree.xpath(
        "//script | //iframe | //object | //embed | //img | //link | //svg//script"
    )
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            if name in ("href", "src", "action", "formaction", "xlink:href"):
                assert value.startswith(("http://", "https://", "#")), (element.tag, value)
                assert f":{leak_port}" not in value
    styles = tree.xpath("//style")
    assert len(styles) <= 1
    for style in styles:
        # Feed text may only sit inside CSS strings (the running header), where it is
        # content, not code.
        code = re.sub(r'"[^"\n]*"', '""', style.text or "")
        assert f":{leak_port}" not in code and "</" not in code


def test_hostile_feed_text_is_inert_in_every_format(
    briefings: dict[str, Briefing], recorder: Recorder, tmp_path: Path
) -> None:
    b = hostile(briefings["en"], recorder.port)

    page = render(b, "html")
    assert_inert_html(page, recorder.port)
    assert PWNED in html_text(page)  # shown as text, not dropped

    markdown = render(b, "md").decode("utf-8")
    assert not re.search(r"(?<!\\)\]\((javascript|data):", markdown)
    # Rendered by a CommonMark renderer that passes raw HTML through, it stays inert.
    assert_inert_html(
        b"<div>" + MarkdownIt("commonmark").render(markdown).encode("utf-8") + b"</div>",
        recorder.port,
    )

    text = render(b, "txt").decode("utf-8")
    assert "\x1b" not in text and "\u202e" not in text
    # Source lines give a link only when it is http(s).
    assert "    Data URL outlet\n" in text
    assert not re.search(r"^ {4}.*: (javascript|data):", text, re.M)

    pdf = render(b, "pdf")
    need_poppler()
    path = tmp_path / "hostile.pdf"
    path.write_bytes(pdf)
    urls = subprocess.run(
        ["pdfinfo", "-url", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "javascript:" not in urls and "data:" not in urls
    scripts = subprocess.run(
        ["pdfinfo", "-js", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "alert" not in scripts and PWNED not in scripts
    assert PWNED in squash(" ".join(pdf_pages(pdf, tmp_path)))
    assert recorder.paths == []  # nothing was fetched while rendering


@pytest.mark.browser
def test_briefing_in_chromium_runs_nothing_and_fetches_nothing(
    briefings: dict[str, Briefing], recorder: Recorder
) -> None:
    executable = need_chromium()
    from playwright.sync_api import sync_playwright

    b = hostile(briefings["en"], recorder.port)
    recorder.files["/briefing.html"] = render(b, "html")
    requests: list[str] = []
    dialogs: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(recorder.url("/briefing.html"), wait_until="networkidle")
            page.wait_for_timeout(300)
            assert page.title() != PWNED and page.title().startswith("Briefing <script>")
            assert page.evaluate("document.scripts.length") == 0
            assert page.evaluate("document.querySelectorAll('img, iframe, object').length") == 0
            # Right-to-left titles run right to left inside the left-to-right page.
            direction = page.evaluate(
                """(text) => {
                    const el = [...document.querySelectorAll('[dir=auto]')]
                        .find(e => e.textContent.includes(text));
                    return el ? getComputedStyle(el).direction : null;
                }""",
                ARABIC,
            )
            assert direction == "rtl"
            assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"
            page.screenshot(path=str(ARTIFACTS / "briefing-hostile-chromium.png"), full_page=True)
            # The genuine briefing, for people to look at.
            recorder.files["/demo.html"] = render(briefings["en"], "html")
            page.goto(recorder.url("/demo.html"), wait_until="networkidle")
            page.screenshot(path=str(ARTIFACTS / "briefing-demo-chromium.png"), full_page=True)
        finally:
            browser.close()
    assert dialogs == []
    own = {recorder.url("/briefing.html"), recorder.url("/demo.html")}
    assert [u for u in requests if u not in own] == []
    assert [p for p in recorder.paths if p not in ("/briefing.html", "/demo.html")] == []


def test_hostile_titles_from_feeds_come_out_inert_end_to_end(sqlite_db: Database) -> None:
    """Through the store, classifier and assessment, not injected into the model."""
    start = DAY - timedelta(days=34)
    items = generate([CountryScript("ETH", "escalation", peak=DAY)], start, 35, seed=3)
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    items = [
        replace(i, title=f"{payload} {i.title}") if i.day >= DAY - timedelta(days=2) else i
        for i in items
    ]
    store_items(sqlite_db, items)
    enrich_and_classify(sqlite_db)
    config = MonitorConfig(
        feeds=outlet_config(),
        alerts=AlertSettings(watchlist=[WatchEntry(country="ETH", level="serious_concern")]),
    )
    cluster_and_assess(sqlite_db, config, first=start, last=DAY)
    b = produce(sqlite_db, config, DAY, "en").briefing
    assert any(payload in st.title for st in b.stories), [st.title for st in b.stories]
    assert all(
        src.url is None or src.url.startswith("https://") for st in b.stories for src in st.sources
    )
    page = render(b, "html")
    assert_inert_html(page, 0)
    assert b"&lt;script&gt;" in page
    assert "<script>" not in render(b, "md").decode("utf-8")


def test_a_watchlisted_country_without_signal_says_so_plainly(sqlite_db: Database) -> None:
    start = DAY - timedelta(days=9)
    store_items(sqlite_db, generate([CountryScript("GHA", "quiet")], start, 10, seed=4))
    enrich_and_classify(sqlite_db)
    config = MonitorConfig(
        feeds=outlet_config(),
        alerts=AlertSettings(watchlist=[WatchEntry(country="NOR", level="serious_concern")]),
    )
    cluster_and_assess(sqlite_db, config, first=start, last=DAY)
    for lang, expected in (("en", "no corroborated risk signal"), ("fr", "aucun signal")):
        b = produce(sqlite_db, config, DAY, lang, rebuild=True).briefing
        section = next(s for s in b.sections if s.iso3 == "NOR")
        assert expected in section.summary[0].text, section.summary[0].text
        assert "remains" not in section.summary[0].text


def test_markdown_escaping_keeps_plain_text_readable() -> None:
    assert markdown_text("Ethiopia (ongoing crisis).") == "Ethiopia (ongoing crisis)."
    assert markdown_text("# not a heading") == "\\# not a heading"
    assert markdown_text("1. not a list") == "1\\. not a list"
    assert markdown_text("[a](javascript:x)") == "\\[a\\](javascript:x)"
    assert markdown_text("<b>") == "&lt;b&gt;"


# -- archive, re-rendering, delivery ---------------------------------------------------


def test_archived_briefing_renders_identically_after_the_store_changes(
    db: Database, tmp_path: Path
) -> None:
    start = DAY - timedelta(days=34)
    scripts = [
        CountryScript("ETH", "escalation", peak=DAY),
        CountryScript("GHA", "quiet"),
    ]
    store_items(db, generate(scripts, start, 35, seed=2))
    enrich_and_classify(db)
    config = MonitorConfig(feeds=outlet_config())
    cluster_and_assess(db, config, first=start, last=DAY)
    first = produce(db, config, DAY, "en")
    assert not first.reused and first.briefing.countries and first.briefing.stories
    before = {fmt: render(first.briefing, fmt) for fmt in ("html", "md", "txt")}

    # The store changes under it: every signal withdrawn, the days assessed again.
    with db.session() as session:
        session.execute(update(Classification).values(relevant=False))
    cluster_and_assess(db, config, first=start, last=DAY)

    again = produce(db, config, DAY, "en")
    assert again.reused and again.archive_id == first.archive_id
    assert {fmt: render(again.briefing, fmt) for fmt in before} == before

    env = {"MONITOR_DATABASE_URL": db.url, "MONITOR_HOME": str(tmp_path)}
    out = tmp_path / "again.html"
    result = run_cli(
        ["briefings", "render", str(first.archive_id), "--format", "html", "--out", str(out)],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == before["html"]
    # The format follows the file name unless given.
    md = tmp_path / "again.md"
    result = run_cli(["briefings", "render", str(first.archive_id), "-o", str(md)], env=env)
    assert result.exit_code == 0 and md.read_bytes() == before["md"], result.output
    result = run_cli(
        ["briefings", "render", str(first.archive_id), "-o", str(tmp_path / "x.docx")], env=env
    )
    assert result.exit_code == 2 and "--format" in result.output

    # A one-off marking is archived separately and does not stick to the day.
    marked = produce(db, config, DAY, "en", marking="OFFICIAL")
    assert not marked.reused and marked.briefing.marking == "OFFICIAL"
    assert produce(db, config, DAY, "en").archive_id == first.archive_id

    rebuilt = produce(db, config, DAY, "en", rebuild=True)
    assert rebuilt.archive_id != first.archive_id
    assert rebuilt.briefing.countries == [] and rebuilt.briefing.stories == []
    assert [r.id for r in listing(db)][:3] == [
        rebuilt.archive_id,
        marked.archive_id,
        first.archive_id,
    ]


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []
        self.port = 0

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticate(server, session, envelope, mechanism, data):  # type: ignore[no-untyped-def]
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            b"focal",
            b"s3cret",
        )
        return AuthResult(success=ok)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        auth_require_tls=False,
    )
    controller.start()
    mailbox.port = port
    yield mailbox
    controller.stop()


def test_brief_send_delivers_text_html_and_pdf(workspace: Path, smtp_server: Mailbox) -> None:
    config = workspace / "feeds.yaml"
    config.write_text(
        config.read_text().replace(
            "briefing:\n",
            "briefing:\n  smtp:\n    starttls: false\n    username: focal\n"
            "    recipients: [minister@example.org, desk@example.org]\n",
        )
    )
    env = workspace_env(
        workspace,
        MONITOR_SMTP_HOST="127.0.0.1",
        MONITOR_SMTP_PORT=str(smtp_server.port),
        MONITOR_SMTP_PASSWORD="s3cret",
    )
    result = run_cli(["brief", "--format", "txt", "--send"], env=env)
    assert result.exit_code == 0, result.output
    assert len(smtp_server.messages) == 1
    recipients, message = smtp_server.messages[0]
    assert recipients == ["minister@example.org", "desk@example.org"]
    assert message["Subject"].startswith("[RESTRICTED] ")
    parts = {part.get_content_type(): part for part in message.walk()}
    assert {"text/plain", "text/html", "application/pdf"} <= set(parts)
    assert "Ethiopia" in parts["text/plain"].get_payload(decode=True).decode("utf-8")
    assert b"<html" in parts["text/html"].get_payload(decode=True)
    assert parts["application/pdf"].get_payload(decode=True).startswith(b"%PDF")
    assert parts["application/pdf"].get_filename() == f"briefing-{DAY}-en.pdf"
    db = Database(f"sqlite:///{workspace / 'monitor.db'}")
    try:
        sent = [r for r in listing(db) if r.sent_at is not None]
    finally:
        db.dispose()
    assert [(r.lang, r.countries) for r in sent] == [("en", "")]

    bad = run_cli(
        ["brief", "--format", "txt", "--send"], env={**env, "MONITOR_SMTP_PASSWORD": "wrong"}
    )
    assert bad.exit_code != 0 and "Could not send" in bad.output
    assert len(smtp_server.messages) == 1


def test_smtp_environment_overrides_and_errors() -> None:
    base = SmtpSettings(host="mail.example.org", recipients=["a@example.org"])
    merged = with_environment(
        base, {"MONITOR_SMTP_PORT": "2525", "MONITOR_SMTP_RECIPIENTS": "x@e.org, y@e.org"}
    )
    assert (merged.host, merged.port, merged.recipients) == (
        "mail.example.org",
        2525,
        ["x@e.org", "y@e.org"],
    )
    with pytest.raises(MonitorError, match="MONITOR_SMTP_PORT"):
        with_environment(base, {"MONITOR_SMTP_PORT": "seventy"})


def test_brief_options_are_checked(workspace: Path) -> None:
    env = workspace_env(workspace)
    for args, message in (
        (["--lang", "de"], "--lang"),
        (["--format", "docx"], "docx"),
        (["--countries", "ETH,XXX"], "XXX"),
        (["--date", "27/11/2026"], "--date"),
    ):
        result = run_cli(["brief", *args], env=env)
        assert result.exit_code == 2 and message in result.output, (args, result.output)
    out = workspace / "eth.md"
    result = run_cli(
        ["brief", "--countries", "ETH", "--format", "md", "--out", str(out), "--lang", "fr"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "Éthiopie" in text and "Birmanie" not in text


def test_daily_job_writes_and_sends_the_briefing(workspace: Path, smtp_server: Mailbox) -> None:
    from monitor.brief.daily import briefing_job
    from monitor.service import configure_runtime
    from monitor.settings import Settings
    from monitor.store.types import utcnow

    text = feeds_yaml(None, DAY).replace(
        "briefing:\n",
        "briefing:\n  send: true\n  formats: [html, md]\n"
        f"  smtp: {{host: 127.0.0.1, port: {smtp_server.port}, starttls: false, "
        "recipients: [desk@example.org]}\n",
    )
    (workspace / "feeds.yaml").write_text(text)
    db = Database(f"sqlite:///{workspace / 'monitor.db'}")
    configure_runtime(
        Settings(home=workspace, config_path=workspace / "feeds.yaml", database_url=db.url), db
    )
    started = utcnow().date()
    try:
        briefing_job()
    finally:
        db.dispose()
    days = {started, utcnow().date()}  # the job may straddle midnight
    written = {p.name for p in (workspace / "outputs").iterdir()}
    assert any({f"briefing-{d}-en.html", f"briefing-{d}-en.md"} <= written for d in days)
    assert len(smtp_server.messages) == 1
