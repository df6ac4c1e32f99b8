"""feeds.yaml: validation, round-trip edits, OPML import and export."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import ConfigError, load_config
from monitor.config.opml import parse_opml, render_opml
from monitor.config.schema import parse_duration, parse_size
from monitor.resources import default_feeds_file
from tests.cli import run_cli
from tests.helpers import write

GOOD = """\
# Watched feeds
defaults:
  kind: ngo
  poll_interval: 2h
  reliability: 0.8
feeds:
  # United Nations
  - id: un-news
    url: https://news.un.org/feed/subscribe/en/news/all/rss.xml
    kind: un
    countries: [sdn, SSD]
    tags: [un, global]
  - id: hrw
    url: https://www.hrw.org/rss/news
"""


def test_defaults_fill_missing_fields(tmp_path: Path):
    config = load_config(write(tmp_path / "feeds.yaml", GOOD))
    un, hrw = config.feeds
    assert un.kind.value == "un" and un.countries == ["SDN", "SSD"]
    assert hrw.kind.value == "ngo" and hrw.poll_interval == 7200 and hrw.reliability == 0.8


def test_the_shipped_feed_list_is_valid_and_large_enough():
    config = load_config(default_feeds_file())
    assert len([f for f in config.feeds if f.enabled]) >= 25
    languages = {f.language for f in config.feeds if f.enabled}
    assert {"en", "fr", "es", "pt", "ar"} <= languages
    assert all(f.listed is not None for f in config.feeds)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        ("reliability: 1.5", "feed 'bad' (feeds[2]): reliability"),
        ("countries: [XXX]", "feed 'bad' (feeds[2]): countries: 'XXX' is not an ISO 3166-1"),
        ("poll_interval: soon", "feed 'bad' (feeds[2]): poll_interval"),
        ("kind: blog", "feed 'bad' (feeds[2]): kind"),
        ("colour: red", "feed 'bad' (feeds[2]): colour: unknown field"),
        ("language: english", "feed 'bad' (feeds[2]): language"),
    ],
)
def test_a_bad_field_names_the_feed_and_the_field(tmp_path: Path, edit: str, expected: str):
    text = GOOD + f"  - id: bad\n    url: https://bad.example.org/rss\n    {edit}\n"
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path / "feeds.yaml", text))
    assert expected in str(info.value)


def test_duplicate_ids_and_urls_are_errors(tmp_path: Path):
    dup_id = GOOD + "  - id: hrw\n    url: https://other.example.org/rss\n"
    with pytest.raises(
        ConfigError, match="feed 'hrw' \\(feeds\\[2\\]\\): id: duplicate of feeds\\[1\\]"
    ):
        load_config(write(tmp_path / "a.yaml", dup_id))
    dup_url = GOOD + "  - id: hrw2\n    url: https://www.hrw.org/rss/news/\n"
    with pytest.raises(ConfigError, match="already watched by feed 'hrw'"):
        load_config(write(tmp_path / "b.yaml", dup_url))


def test_missing_url_and_bad_yaml(tmp_path: Path):
    with pytest.raises(
        ConfigError, match="feed 'x' \\(feeds\\[0\\]\\): url: required field is missing"
    ):
        load_config(write(tmp_path / "a.yaml", "feeds:\n  - id: x\n"))
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(write(tmp_path / "b.yaml", "feeds: [\n"))
    with pytest.raises(ConfigError, match="No configuration file"):
        load_config(tmp_path / "missing.yaml")


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "briefing:\n  calendar: [{country: ETH, date: 2027-02-30, event: x}]\n",
            "day is out of range",
        ),
        ("briefing: {timezone: Mars/Olympus}\n", "briefing.timezone: .*not a time zone"),
        (
            "alerts:\n  rules: [{id: r, query: militia, factors: [RF99]}]\n",
            "unknown risk factor",
        ),
        ("alerts:\n  rules: [{id: r, query: 'a (b OR c)'}]\n", "brackets are not supported"),
        ("alerts:\n  watchlist: [{country: XXX}]\n", "XXX"),
        ("briefing: {time: '25:00'}\n", "not a time like 06:30"),
        ("briefing: {smtp: {port: seventy}}\n", "briefing.smtp.port"),
    ],
)
def test_bad_alert_and_briefing_settings_are_named(tmp_path: Path, text: str, expected: str):
    with pytest.raises(ConfigError, match=expected):
        load_config(write(tmp_path / "c.yaml", text + "feeds: []\n"))


def test_durations_and_sizes():
    assert (
        parse_duration("90s") == 90 and parse_duration("1h30m") == 5400 and parse_duration(60) == 60
    )
    assert parse_size("10MB") == 10_000_000 and parse_size("500kB") == 500_000
    for bad in ("0", "-1h", "soon", "1x"):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_add_keeps_comments_and_order_and_validates(tmp_path: Path):
    path = write(tmp_path / "feeds.yaml", GOOD)
    result = run_cli(
        [
            "--config",
            str(path),
            "feeds",
            "add",
            "https://www.icc-cpi.int/rss.xml",
            "--title",
            "ICC news",
            "--kind",
            "un",
            "--countries",
            "uga,cod",
            "--interval",
            "6h",
        ]
    )
    assert result.exit_code == 0, result.output
    text = path.read_text()
    assert text.startswith(GOOD)  # nothing before the new entry changed, comments included
    assert "id: icc-news" in text and "countries: [UGA, COD]" in text
    assert "poll_interval: 6h" in text
    assert load_config(path).feed("icc-news").poll_interval == 6 * 3600
    before = path.read_text()
    result = run_cli(["--config", str(path), "feeds", "add", "https://www.hrw.org/rss/news"])
    assert result.exit_code != 0 and "already watched" in result.output
    assert path.read_text() == before  # a rejected edit leaves the file untouched


def test_add_creates_the_file(tmp_path: Path):
    path = tmp_path / "new" / "feeds.yaml"
    result = run_cli(
        ["--config", str(path), "feeds", "add", "https://example.org/rss", "--id", "ex"]
    )
    assert result.exit_code == 0, result.output
    assert [f.id for f in load_config(path).feeds] == ["ex"]
    assert path.read_text().startswith("# Watched feeds")


def test_remove_enable_disable(tmp_path: Path):
    path = write(tmp_path / "feeds.yaml", GOOD)
    assert run_cli(["--config", str(path), "feeds", "disable", "hrw"]).exit_code == 0
    assert load_config(path).feed("hrw").enabled is False
    assert run_cli(["--config", str(path), "feeds", "enable", "hrw"]).exit_code == 0
    assert load_config(path).feed("hrw").enabled is True
    assert run_cli(["--config", str(path), "feeds", "remove", "un-news"]).exit_code == 0
    assert [f.id for f in load_config(path).feeds] == ["hrw"]
    assert "# Watched feeds" in path.read_text()
    missing = run_cli(["--config", str(path), "feeds", "remove", "nope"])
    assert missing.exit_code == 2 and "No feed with id 'nope'" in missing.output


OPML = b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>x</title></head><body>
  <outline text="Africa">
    <outline text="Sahel" title="Sahel">
      <outline type="rss" text="Radio Sahel" xmlUrl="https://sahel.example.org/rss" category="Mali,/News/Security"/>
    </outline>
    <outline type="rss" text="No URL here"/>
    <outline type="rss" text="Bad URL" xmlUrl="javascript:alert(1)"/>
  </outline>
  <outline type="rss" text="Le Desk" xmlUrl="https://desk.example.org/feed" language="fr-FR"/>
  <outline type="rss" text="HRW again" xmlUrl="https://www.hrw.org/rss/news"/>
</body></opml>"""


def test_opml_import_keeps_categories_and_reports_bad_entries(tmp_path: Path):
    path = write(tmp_path / "feeds.yaml", GOOD)
    source = tmp_path / "in.opml"
    source.write_bytes(OPML)
    result = run_cli(["--config", str(path), "feeds", "import-opml", str(source)])
    assert result.exit_code == 0, result.output
    assert "Imported 2 feed(s)" in result.output
    assert "No URL here" in result.output and "javascript:alert(1)" in result.output
    assert "already watched as 'hrw'" in result.output
    config = load_config(path)
    sahel = config.feed("radio-sahel")
    assert sahel is not None and sahel.tags == ["africa", "mali", "news", "sahel", "security"]
    assert config.feed("le-desk").language == "fr"
    assert path.read_text().startswith(GOOD)


def test_opml_export_round_trips(tmp_path: Path):
    config = load_config(write(tmp_path / "feeds.yaml", GOOD))
    parsed = parse_opml(render_opml(config.feeds).encode())
    assert parsed.problems == []
    assert [(e.url, e.tags) for e in parsed.entries] == [(f.url, f.tags) for f in config.feeds]


def test_opml_that_is_not_xml_is_a_clear_error(tmp_path: Path):
    path = write(tmp_path / "feeds.yaml", GOOD)
    source = tmp_path / "in.opml"
    source.write_bytes(b"<opml><body><outline")
    result = run_cli(["--config", str(path), "feeds", "import-opml", str(source)])
    assert result.exit_code == 2 and "not well-formed XML" in result.output
