"""Training the shipped classifier, reproducibly, from the corpus and analyst feedback."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

import sklearn
from sqlalchemy import select

from monitor.classify.corpus import Example, label_matrix, load_training_corpus
from monitor.classify.model import RiskModel
from monitor.classify.persist import ModelInfo
from monitor.store.db import Database
from monitor.store.models import Classification, Feedback, Item
from monitor.taxonomy import load_taxonomy, taxonomy_fingerprint

DEFAULT_SEED = 0


@dataclass
class _Correction:
    text: str
    predicted: list[str]
    relevant: bool | None = None
    factors: list[str] | None = None


def feedback_examples(db: Database) -> list[Example]:
    """Analyst corrections as training examples; for each item, the latest word on
    relevance and on risk factors counts."""
    with db.session() as session:
        rows = session.execute(
            select(Feedback, Item.title, Item.summary_text, Classification.labels)
            .join(Item, Item.id == Feedback.item_id)
            .outerjoin(Classification, Classification.item_id == Feedback.item_id)
            .order_by(Feedback.item_id, Feedback.created_at, Feedback.id)
        ).all()
    # Corrections accumulate: a later country-only note keeps an earlier factor correction.
    merged: dict[int, _Correction] = {}
    for feedback, title, summary, predicted in rows:
        entry = merged.setdefault(
            feedback.item_id, _Correction(f"{title}. {summary}", list(predicted or []))
        )
        if feedback.factors is not None:
            entry.factors = list(feedback.factors)
            entry.relevant = True if feedback.relevant is None else feedback.relevant
        elif feedback.relevant is not None:
            entry.relevant = feedback.relevant
    examples = []
    factor_ids = set(load_taxonomy().factor_ids)
    for item_id, entry in sorted(merged.items()):
        text, predicted = entry.text, entry.predicted
        if entry.relevant is False:
            labels: tuple[str, ...] = ()
        elif entry.factors:
            labels = tuple(f for f in entry.factors if f in factor_ids)
        elif entry.relevant and predicted:
            labels = tuple(predicted)
        else:
            continue
        examples.append(
            Example(id=f"feedback-{item_id}", text=text, labels=labels, tags=("feedback",))
        )
    return examples


def _digest(examples: list[Example], parameters: dict[str, object]) -> str:
    payload = json.dumps(
        [[e.id, e.text, list(e.labels)] for e in examples]
        + [parameters, taxonomy_fingerprint(), sklearn.__version__],
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def train(db: Database | None = None, seed: int = DEFAULT_SEED) -> tuple[RiskModel, ModelInfo]:
    corpus = load_training_corpus()
    feedback = feedback_examples(db) if db is not None else []
    examples = sorted(corpus + feedback, key=lambda e: e.id)
    factors = load_taxonomy().factor_ids
    model = RiskModel(tuple(factors), random_state=seed)
    parameters = {k: v for k, v in model.get_params().items() if k != "factor_ids"}
    model.fit([e.text for e in examples], label_matrix(examples, factors))
    digest = _digest(examples, parameters)
    info = ModelInfo(
        version=f"rm-{digest[:12]}",
        trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
        seed=seed,
        factors=factors,
        corpus_sha256=digest,
        taxonomy_fingerprint=taxonomy_fingerprint(),
        examples=len(examples),
        relevant_examples=sum(1 for e in examples if e.relevant),
        feedback_items=len(feedback),
        languages=dict(Counter(e.lang or "feedback" for e in examples)),
        parameters={**parameters, "sklearn": sklearn.__version__},
    )
    return model, info
