"""Enrich and classify stages on the real store: idempotent, incremental, reprocessable."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select, update

from monitor.classify.persist import load_model
from monitor.classify.stage import classify_items
from monitor.collect.model import NormalizedEntry
from monitor.collect.storage import store_entries
from monitor.config.schema import FeedConfig, MonitorConfig
from monitor.enrich.stage import enrich_items
from monitor.resources import models_dir
from monitor.store.models import Classification, Enrichment, Item, ItemCountry, ItemFactor
from monitor.store.sync import sync_feeds

TEXTS = [
    (
        "Armed men kill 12 civilians in Bama, Borno",
        "Gunmen attacked Kalaya village on Monday, residents said.",
    ),
    (
        "Des combats reprennent au Nord-Kivu",
        "L'armée congolaise et les rebelles du M23 s'affrontent près de Goma.",
    ),
    ("Arsenal win the derby 3-0", "A dominant display at the Emirates stadium."),
]


def seed_items(db) -> None:  # type: ignore[no-untyped-def]
    with db.session() as session:
        sync_feeds(
            session,
            MonitorConfig(
                feeds=[FeedConfig(id="f", url="https://example.org/rss", countries=["NGA"])]
            ),
        )
    entries = [
        NormalizedEntry(
            key=f"k{i}",
            guid=f"g{i}",
            url=f"https://example.org/{i}",
            title=title,
            summary_html=f"<p>{body}</p>",
            summary_text=body,
            author=None,
            published_at=datetime(2025, 10, 1, tzinfo=UTC),
            lang_hint=None,
            content_hash=f"h{i}",
        )
        for i, (title, body) in enumerate(TEXTS)
    ]
    with db.engine.begin() as conn:
        store_entries(conn, "f", entries, datetime(2025, 10, 1, 12, tzinfo=UTC))


def count(db, table) -> int:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(table)))


def test_enrich_then_classify_is_idempotent_and_incremental(db):
    seed_items(db)
    model, info = load_model(models_dir())
    assert enrich_items(db).items == 3
    assert classify_items(db, model, info).items == 3
    assert enrich_items(db).items == 0 and classify_items(db, model, info).items == 0
    with db.session() as session:
        enrichments = {e.item_id: e for e in session.scalars(select(Enrichment))}
        items = {i.title: i.id for i in session.scalars(select(Item))}
        results = {c.item_id: c for c in session.scalars(select(Classification))}
    assert enrichments[items[TEXTS[0][0]]].language == "en"
    assert enrichments[items[TEXTS[0][0]]].primary_country == "NGA"
    assert enrichments[items[TEXTS[1][0]]].language == "fr"
    assert enrichments[items[TEXTS[1][0]]].primary_country == "COD"
    first = results[items[TEXTS[0][0]]]
    assert first.relevant and "RF11" in first.labels and first.model_version == info.version
    assert first.explanations["RF11"]["terms"]
    assert not results[items[TEXTS[2][0]]].relevant
    assert count(db, ItemFactor) == sum(len(r.labels) for r in results.values())
    # a changed item is redone, and only that one
    with db.engine.begin() as conn:
        conn.execute(
            update(Item).where(Item.id == items[TEXTS[2][0]]).values(content_hash="changed")
        )
    assert enrich_items(db).items == 1 and classify_items(db, model, info).items == 1
    # a new model version redoes everything; --reprocess too
    info.version = "rm-another"
    assert classify_items(db, model, info).items == 3
    assert enrich_items(db, reprocess=True).items == 3
    assert count(db, ItemCountry) >= 2
    assert count(db, Classification) == 3


def _results(db):  # type: ignore[no-untyped-def]
    with db.session() as session:
        enrichments = {
            e.item_id: (e.language, e.primary_country) for e in session.scalars(select(Enrichment))
        }
        results = {
            c.item_id: (c.relevant, tuple(c.labels))
            for c in session.scalars(select(Classification))
        }
    return enrichments, results


def test_streaming_workers_give_what_the_stages_give(db, tmp_path):
    """Items enriched in worker processes while collection goes on (the path `monitor run`
    and the collect benchmark take) get exactly what the in-process stages give."""
    from monitor.pipeline import StreamingEnricher, process_new_items

    streamer = StreamingEnricher(db, workers=1, batch=1)
    seed_items(db)  # stored after the streamer started, as a collection pass would
    report = type("Report", (), {"new_items": 3})()
    streamer.after_write(report)
    totals = streamer.finish()
    assert totals["enriched"] == 3 and totals["classified"] == 3
    streamed = _results(db)
    assert process_new_items(db, None, (0, 10**9)) == {
        "enriched": 0,
        "classified": 0,
        "relevant": 0,
    }
    with db.engine.begin() as conn:
        conn.execute(Classification.__table__.delete())
        conn.execute(Enrichment.__table__.delete())
    model, info = load_model(models_dir())
    enrich_items(db)
    classify_items(db, model, info)
    assert _results(db) == streamed
    assert len(streamed[0]) == 3
