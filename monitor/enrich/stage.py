"""The enrich stage: language and countries for every item that lacks them.

Reads items whose enrichment is missing or was computed on older content (content
hash), writes ``enrichments`` and ``item_countries`` for them in batches; rerunning
it changes nothing. ``reprocess=True`` redoes every item.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import or_, select

from monitor.enrich.countries import CountryTagger, default_tagger
from monitor.enrich.language import LanguageIdentifier, default_identifier
from monitor.store.db import Database, replace_item_results
from monitor.store.models import Enrichment, Feed, Item, ItemCountry
from monitor.store.types import utcnow

BATCH = 2000
ENRICHMENTS = Enrichment.__table__
ITEM_COUNTRIES = ItemCountry.__table__


@dataclass
class EnrichSummary:
    items: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"enriched": self.items}


def pending_query(reprocess: bool):  # type: ignore[no-untyped-def]
    query = (
        select(
            Item.id,
            Item.title,
            Item.summary_text,
            Item.lang_hint,
            Item.content_hash,
            Feed.countries,
        )
        .join(Feed, Feed.id == Item.feed_id)
        .outerjoin(Enrichment, Enrichment.item_id == Item.id)
        .order_by(Item.id)
    )
    if not reprocess:
        query = query.where(
            or_(Enrichment.item_id.is_(None), Enrichment.content_hash != Item.content_hash)
        )
    return query


def enrichment_rows(
    rows,
    identifier: LanguageIdentifier,
    tagger: CountryTagger,  # type: ignore[no-untyped-def]
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Language and country rows for (id, title, summary, hint, content hash, feed countries) rows."""
    now = utcnow()
    enrichments, countries = [], []
    for item_id, title, summary_text, hint, content_hash, feed_countries in rows:
        text = f"{title}. {summary_text}" if summary_text else title
        language = identifier.identify(text, hint)
        tags = tagger.tag(title, summary_text, feed_countries or ())
        enrichments.append(
            {
                "item_id": item_id,
                "content_hash": content_hash,
                "language": language.language,
                "language_confidence": language.confidence,
                "language_method": language.method,
                "primary_country": tags.primary,
                "country_source": tags.source,
                "enriched_at": now,
            }
        )
        countries.extend(
            {
                "item_id": item_id,
                "iso3": c.iso3,
                "rank": rank,
                "score": c.score,
                "evidence": c.evidence[:10],
            }
            for rank, c in enumerate(tags.ranked, start=1)
        )
    return enrichments, countries


def write_enrichments(
    conn, enrichments: list[dict[str, object]], countries: list[dict[str, object]]
) -> None:  # type: ignore[no-untyped-def]
    replace_item_results(conn, ENRICHMENTS, enrichments, ITEM_COUNTRIES, countries)


def enrich_items(
    db: Database,
    reprocess: bool = False,
    identifier: LanguageIdentifier | None = None,
    tagger: CountryTagger | None = None,
    progress: Callable[[int], None] | None = None,
    id_range: tuple[int, int] | None = None,
) -> EnrichSummary:
    identifier = identifier or default_identifier()
    tagger = tagger or default_tagger()
    summary = EnrichSummary()
    last_id = -1
    while True:
        query = pending_query(reprocess).where(Item.id > last_id)
        if id_range is not None:
            query = query.where(Item.id >= id_range[0], Item.id < id_range[1])
        with db.engine.connect() as conn:
            rows = conn.execute(query.limit(BATCH)).all()
        if not rows:
            return summary
        enrichments, countries = enrichment_rows(rows, identifier, tagger)
        with db.engine.begin() as conn:
            write_enrichments(conn, enrichments, countries)
        summary.items += len(rows)
        last_id = rows[-1][0]
        if progress:
            progress(summary.items)
