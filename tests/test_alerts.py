"""Alerts end to end on the real store: raised once, updated when worse, triaged, exported."""

from __future__ import annotations

import csv
import io
import json
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from lxml import etree
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from monitor.alerts.engine import AlertEngine, Condition
from monitor.alerts.triage import TriageError, add_note, assign, change_status
from monitor.assess.run import cluster_and_assess
from monitor.collect.model import NormalizedEntry
from monitor.collect.storage import store_entries
from monitor.config.schema import AlertSettings, FeedConfig, MonitorConfig, QueryRule, WatchEntry
from monitor.export.formats import to_atom, to_cap, to_csv, to_json
from monitor.export.records import load_alert_records
from monitor.pipeline import enrich_and_classify
from monitor.store.models import Alert, AlertEvent, CountryDay, Item
from monitor.store.sync import sync_feeds
from tests.corpus import SHARED

START = date(2026, 2, 1)
CAP_SCHEMA = SHARED / "reference" / "cap" / "CAP-v1.2-extended.xsd"

ROUTINE = [
    (
        "Ghana's central bank holds interest rates steady",
        "Officials in Accra expect inflation to ease this year.",
    ),
    (
        "Kumasi market traders welcome new stalls",
        "The city council opened a renovated market hall.",
    ),
]
ATTACKS = [
    (
        "Gunmen kill 14 villagers near Tamale",
        "Armed men attacked a village outside Tamale overnight, killing 14 civilians, residents said.",
    ),
    (
        "Armed men kill 8 civilians in Bolgatanga district",
        "Fighters of an armed group shot dead farmers in their fields near Bolgatanga.",
    ),
    (
        "Massacre of civilians reported in Yendi",
        "Survivors said armed men executed 22 civilians in Yendi and burned homes.",
    ),
    (
        "Armed men attack displacement camp near Bawku",
        "At least 9 displaced civilians were killed when gunmen raided the camp at Bawku.",
    ),
]


def entry(
    key: str, title: str, body: str, when: datetime, site: str = "wire.example.org"
) -> NormalizedEntry:
    return NormalizedEntry(
        key=key,
        guid=key,
        url=f"https://{site}/{key}",
        title=title,
        summary_html=f"<p>{body}</p>",
        summary_text=body,
        author=None,
        published_at=when,
        lang_hint="en",
        content_hash=key,
    )


def config(**alerts) -> MonitorConfig:  # type: ignore[no-untyped-def]
    return MonitorConfig(
        feeds=[
            FeedConfig(id="wire", url="https://wire.example.org/rss", reliability=0.8),
            FeedConfig(id="ngo", url="https://ngo.example.net/rss", reliability=0.85),
        ],
        alerts=AlertSettings(**alerts),
    )


def seed(db, cfg: MonitorConfig, attack_day: date) -> None:  # type: ignore[no-untyped-def]
    with db.session() as session:
        sync_feeds(session, cfg)
    for offset in range((attack_day - START).days + 1):
        day = START + timedelta(days=offset)
        when = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
        entries = [entry(f"r{offset}-{i}", t, b, when) for i, (t, b) in enumerate(ROUTINE)]
        if day == attack_day:
            entries += [entry(f"a{i}", t, b, when) for i, (t, b) in enumerate(ATTACKS)]
        with db.engine.begin() as conn:
            store_entries(conn, "wire", entries, when)
            if day == attack_day:
                store_entries(
                    conn,
                    "ngo",
                    [
                        entry(f"n{i}", t, b, when, "ngo.example.net")
                        for i, (t, b) in enumerate(ATTACKS)
                    ],
                    when,
                )
    enrich_and_classify(db)


def test_spike_first_signal_and_level_alerts_raised_once(db):
    attack_day = START + timedelta(days=35)
    cfg = config(
        watchlist=[WatchEntry(country="GHA", level="serious_concern")],
        rules=[
            QueryRule(
                id="camps", query='"displacement camp" OR "displaced civilians"', countries=["GHA"]
            )
        ],
    )
    seed(db, cfg, attack_day)
    cluster_and_assess(db, cfg, START, attack_day)
    with db.session() as session:
        every = list(session.scalars(select(Alert)))
        alerts = {a.key.replace(":GHA", ""): a for a in every}
        level = session.get(CountryDay, ("GHA", attack_day))
    assert {"spike:RF11", "first_signal:RF11", "level", "watchlist", "rule:camps"} <= set(alerts)
    assert all(a.date == attack_day and a.country == "GHA" for a in every)
    assert level.level >= 2 and level.explanation["reasons"]
    spike = alerts["spike:RF11"]
    assert spike.factors == ["RF11"] and "4 stories from 2 independent sources" in spike.reason
    first = alerts["first_signal:RF11"]
    assert first.factors == ["RF11"] and "first time in 90 days" in first.reason
    # rerunning the same days, or the last day alone, raises nothing new
    cluster_and_assess(db, cfg, START, attack_day)
    cluster_and_assess(db, cfg, attack_day, attack_day)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == len(every)
        raised = session.scalars(select(AlertEvent).where(AlertEvent.action == "raised")).all()
        assert len(raised) == len(every)
    records = load_alert_records(db, ids=[spike.id])
    story = records[0].stories[0]
    assert len(records[0].stories) == 4 and story.source_count == 2
    assert sorted(story.sources) == ["example.net", "example.org"]  # two publishers, not two feeds
    assert {i.feed for i in story.items} == {"wire", "ngo"}


def test_triage_is_audited_and_guarded(db):
    attack_day = START + timedelta(days=30)
    cfg = config()
    seed(db, cfg, attack_day)
    cluster_and_assess(db, cfg, START, attack_day)
    with db.session() as session:
        alert = session.scalars(select(Alert).where(Alert.key == "spike:GHA:RF11")).one()
    with pytest.raises(TriageError, match="needs a reason"):
        change_status(db, alert.id, "dismiss", "ana")
    change_status(db, alert.id, "ack", "ana", "looking")
    assign(db, alert.id, "ben", "ana")
    add_note(db, alert.id, "called the embassy", "ben")
    change_status(db, alert.id, "escalate", "ben")
    with pytest.raises(TriageError, match="is escalated; ack applies to new alerts"):
        change_status(db, alert.id, "ack", "ben")
    change_status(db, alert.id, "close", "ben", "briefed the minister")
    record = load_alert_records(db, ids=[alert.id])[0]
    actions = [(e.actor, e.action) for e in record.history]
    assert actions == [
        ("system", "raised"),
        ("ana", "ack"),
        ("ana", "assign"),
        ("ben", "note"),
        ("ben", "escalate"),
        ("ben", "close"),
    ]
    ack = record.history[1]
    assert ack.before["status"] == "new" and ack.after["status"] == "acknowledged"
    assert record.status == "closed" and record.assignee == "ben"
    # a closed condition does not come back within the cool-down
    cluster_and_assess(db, cfg, attack_day, attack_day)
    with db.session() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(Alert).where(Alert.key == "spike:GHA:RF11")
            )
            == 1
        )


@pytest.mark.skipif(
    not CAP_SCHEMA.exists(), reason="CAP schema not available in ../shared/reference"
)
def test_exports_are_valid(db, tmp_path: Path):
    attack_day = START + timedelta(days=30)
    cfg = config()
    seed(db, cfg, attack_day)
    cluster_and_assess(db, cfg, START, attack_day)
    with db.session() as session:
        spike = session.scalars(select(Alert).where(Alert.key == "spike:GHA:RF11")).one()
    change_status(db, spike.id, "dismiss", "ana", "duplicate of a known incident")
    records = load_alert_records(db)
    assert records
    exported = json.loads(to_json(records))
    for row in exported:
        assert {
            "id",
            "country",
            "rule",
            "severity",
            "status",
            "date",
            "risk_factors",
            "reason",
            "stories",
        } <= set(row)
        assert row["date"] == attack_day.isoformat()
    assert exported[0]["stories"][0]["items"][0]["url"].startswith("https://")
    # A link stored before the collector dropped other schemes is not exported either.
    with db.session() as session:
        session.execute(update(Item).values(url="javascript:alert(1)"))
    hostile = load_alert_records(db)
    outputs = [to_json(hostile), to_csv(hostile), to_atom(hostile, "urn:test:alerts")]
    outputs += [to_cap(r, "focal-point@example.org", "Focal point") for r in hostile]
    for output in outputs:
        text = output.decode("utf-8") if isinstance(output, bytes) else output
        assert "javascript:" not in text
    schema = etree.XMLSchema(etree.parse(str(CAP_SCHEMA)))
    for record in records:
        document = etree.fromstring(to_cap(record, "focal-point@example.org", "Focal point"))
        assert schema.validate(document), schema.error_log
        ns = {"c": "urn:oasis:names:tc:emergency:cap:1.2"}
        msg_type = document.findtext("c:msgType", namespaces=ns)
        assert msg_type == ("Cancel" if record.status == "dismissed" else "Alert")
        if msg_type == "Cancel":
            references = document.findtext("c:references", namespaces=ns)
            identifier = document.findtext("c:identifier", namespaces=ns)
            assert references.startswith("focal-point@example.org,")
            # It cancels an earlier message, so it cannot be that message.
            assert references.split(",")[1] != identifier
        assert document.findtext("c:info/c:area/c:geocode/c:value", namespaces=ns) == "GHA"
        assert document.findtext("c:sent", namespaces=ns).endswith("-00:00")
    text = to_csv(records, bom=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == len(records) and rows[0]["date"] == attack_day.isoformat()
    feed = feedparser.parse(to_atom(records, "urn:test:alerts"))
    assert not feed.bozo, feed.bozo_exception
    assert len(feed.entries) == len(records) and feed.entries[0].title


def test_worsening_updates_the_open_alert_with_history(db):
    attack_day = START + timedelta(days=30)
    cfg = config()
    seed(db, cfg, attack_day)
    cluster_and_assess(db, cfg, START, attack_day)
    with db.session() as session:
        level = session.scalars(select(Alert).where(Alert.rule == "level")).one()
    before = level.severity
    # three more days of attacks: the level rises further; the same alert is updated
    for k in range(1, 4):
        day = attack_day + timedelta(days=k)
        when = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
        with db.engine.begin() as conn:
            store_entries(
                conn,
                "wire",
                [
                    entry(f"x{k}-{i}", f"{t} (day {k})", f"{b} New toll {k}.", when)
                    for i, (t, b) in enumerate(ATTACKS)
                ],
                when,
            )
            store_entries(
                conn,
                "ngo",
                [
                    entry(
                        f"y{k}-{i}", f"{t} (day {k})", f"{b} New toll {k}.", when, "ngo.example.net"
                    )
                    for i, (t, b) in enumerate(ATTACKS)
                ],
                when,
            )
    enrich_and_classify(db)
    cluster_and_assess(db, cfg, attack_day + timedelta(days=1), attack_day + timedelta(days=3))
    with db.session() as session:
        levels = session.scalars(select(Alert).where(Alert.rule == "level")).all()
    assert len(levels) == 1
    updated = levels[0]
    assert updated.version > 1 and updated.severity != before
    record = load_alert_records(db, ids=[updated.id])[0]
    assert [e.action for e in record.history].count("worsened") == updated.version - 1


def _condition(day: date, severity: str = "medium") -> Condition:
    return Condition(
        rule="level",
        key="level:SDN",
        day=day,
        severity=severity,
        title="Sudan: level rose",
        reason="test condition",
        country="SDN",
    )


def test_assessors_running_at_once_raise_one_alert(db):
    """Several assessors applying the same condition at once leave one open alert."""
    engine = AlertEngine(db, MonitorConfig())
    day = date(2026, 3, 1)
    start = threading.Barrier(6)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def assess() -> None:
        start.wait()
        try:
            outcomes.append(engine.apply(_condition(day)))
        except BaseException as exc:
            errors.append(exc)

    for _round in range(3):
        threads = [threading.Thread(target=assess) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        start.reset()
    assert not errors
    with db.session() as session:
        alerts = session.scalars(select(Alert).where(Alert.key == "level:SDN")).all()
        assert len(alerts) == 1
        assert outcomes.count("raised") == 1 and len(outcomes) == 18


def test_the_database_refuses_a_second_open_alert_and_reopen_says_why(db):
    engine = AlertEngine(db, MonitorConfig())
    assert engine.apply(_condition(date(2026, 3, 1))) == "raised"
    with db.session() as session:
        first = session.scalars(select(Alert)).one()
        first_id = first.id
    change_status(db, first_id, "close", "ana")
    assert engine.apply(_condition(date(2026, 5, 1), "high")) == "raised"
    with pytest.raises(TriageError, match="cannot be reopened: alert"):
        change_status(db, first_id, "reopen", "ana")
    with pytest.raises(IntegrityError), db.session() as session:
        session.execute(update(Alert).where(Alert.id == first_id).values(status="new"))


def test_upgrade_closes_duplicate_open_alerts_it_finds(database_url: str):
    """Alerts duplicated by concurrent assessments before 0006 are merged by the upgrade."""
    from alembic import command

    from monitor.store.db import Database, alembic_config

    database = Database(database_url)
    try:
        command.upgrade(alembic_config(database.engine), "0005")
        now = datetime(2026, 3, 1, 12, tzinfo=UTC)
        with database.session() as session:
            for _ in range(2):
                session.add(
                    Alert(
                        rule="level",
                        key="level:SDN",
                        country="SDN",
                        severity="medium",
                        status="new",
                        date=now.date(),
                        last_date=now.date(),
                        title="Sudan",
                        reason="duplicate",
                        created_at=now,
                        updated_at=now,
                    )
                )
        database.upgrade()
        with database.session() as session:
            alerts = session.scalars(select(Alert).order_by(Alert.id)).all()
            assert [a.status for a in alerts] == ["closed", "new"]
            event = session.scalars(select(AlertEvent)).one()
            assert event.alert_id == alerts[0].id
            assert f"Duplicate of alert {alerts[1].id}" in (event.note or "")
    finally:
        database.dispose()
