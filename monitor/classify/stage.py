"""The classify stage: risk factors for every item without a result from this model.

An item is (re)classified when it has no classification, when its stored result came
from another model version, or when its content changed since. ``reprocess=True``
redoes everything. Results carry the model version, every factor's probability and,
for predicted factors, the matched cues and strongest terms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import or_, select

from monitor.classify.model import RiskModel
from monitor.classify.persist import ModelInfo
from monitor.store.db import Database, replace_item_results
from monitor.store.models import Classification, Item, ItemFactor
from monitor.store.types import utcnow

BATCH = 2000
CLASSIFICATIONS = Classification.__table__
ITEM_FACTORS = ItemFactor.__table__


@dataclass
class ClassifySummary:
    items: int = 0
    relevant: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"classified": self.items, "relevant": self.relevant}


def item_text(title: str, summary: str) -> str:
    return f"{title}. {summary}" if summary else title


def classify_items(
    db: Database,
    model: RiskModel,
    info: ModelInfo,
    reprocess: bool = False,
    progress: Callable[[int], None] | None = None,
    id_range: tuple[int, int] | None = None,
) -> ClassifySummary:
    summary = ClassifySummary()
    query = (
        select(Item.id, Item.title, Item.summary_text, Item.content_hash)
        .outerjoin(Classification, Classification.item_id == Item.id)
        .order_by(Item.id)
    )
    if not reprocess:
        query = query.where(
            or_(
                Classification.item_id.is_(None),
                Classification.model_version != info.version,
                Classification.content_hash != Item.content_hash,
            )
        )
    if id_range is not None:
        query = query.where(Item.id >= id_range[0], Item.id < id_range[1])
    last_id = -1
    while True:
        with db.engine.connect() as conn:
            rows = conn.execute(query.where(Item.id > last_id).limit(BATCH)).all()
        if not rows:
            return summary
        results, factors = classification_rows(
            model,
            info,
            [
                (item_id, item_text(title, text), content_hash)
                for item_id, title, text, content_hash in rows
            ],
        )
        with db.engine.begin() as conn:
            write_classifications(conn, results, factors)
        summary.items += len(rows)
        summary.relevant += sum(1 for r in results if r["relevant"])
        last_id = rows[-1][0]
        if progress:
            progress(summary.items)


def classification_rows(
    model: RiskModel, info: ModelInfo, items: list[tuple[int, str, str]]
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Result rows for (item id, text, content hash) triples."""
    now = utcnow()
    results, factors = [], []
    for (item_id, _, content_hash), (prediction, explained) in zip(
        items, model.classify([text for _, text, _ in items]), strict=True
    ):
        results.append(
            {
                "item_id": item_id,
                "model_version": info.version,
                "content_hash": content_hash,
                "relevance": round(prediction.relevance, 4),
                "relevant": bool(prediction.labels),
                "labels": prediction.labels,
                "probabilities": {f: round(p, 4) for f, p in prediction.factors.items()},
                "explanations": {
                    e.factor: {"indicators": e.indicators, "terms": e.terms} for e in explained
                },
                "classified_at": now,
            }
        )
        factors.extend(
            {"item_id": item_id, "factor": f, "probability": round(prediction.factors[f], 4)}
            for f in prediction.labels
        )
    return results, factors


def write_classifications(
    conn, results: list[dict[str, object]], factors: list[dict[str, object]]
) -> None:  # type: ignore[no-untyped-def]
    replace_item_results(conn, CLASSIFICATIONS, results, ITEM_FACTORS, factors)
