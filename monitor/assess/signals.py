"""Daily signals: per country, day and risk factor, how many stories and how strong.

A story counts on a day when one of its relevant items is dated that day. Its weight
for a factor is the highest probability any of those items gives the factor, times
the combined reliability of the story's independent sources that day (noisy-or:
two sources of 0.7 give 0.91). Days are items' publication days in UTC.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, insert

from monitor.assess.stories import relevant_story_items, source_key
from monitor.store.db import Database
from monitor.store.models import Classification, Feed, Item, SignalDay, Story

SIGNALS = SignalDay.__table__


@dataclass
class _Accumulator:
    probability: float = 0.0
    reliability: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class DailySignal:
    country: str
    day: date
    factor: str
    stories: int
    sources: int
    weighted: float
    story_ids: tuple[int, ...]


def compute_signals(db: Database, first: date, last: date) -> list[DailySignal]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            relevant_story_items(
                first,
                last,
                Story.id,
                Story.country,
                Item.day,
                Item.url,
                Feed.url,
                Feed.reliability,
                Classification.labels,
                Classification.probabilities,
            )
        ).all()
    per_story: dict[tuple[str, date, str, int], _Accumulator] = defaultdict(_Accumulator)
    for story_id, country, day, url, feed_url, reliability, labels, probabilities in rows:
        source = source_key(url, feed_url)
        for factor in labels or ():
            acc = per_story[(country, day, factor, story_id)]
            acc.probability = max(acc.probability, float(probabilities.get(factor, 0.0)))
            acc.reliability[source] = max(acc.reliability.get(source, 0.0), float(reliability))
    grouped: dict[tuple[str, date, str], list[tuple[int, _Accumulator]]] = defaultdict(list)
    for (country, day, factor, story_id), acc in per_story.items():
        grouped[(country, day, factor)].append((story_id, acc))
    signals = []
    for (country, day, factor), stories in sorted(grouped.items()):
        sources: set[str] = set()
        weighted = 0.0
        for _, acc in stories:
            unreliable = 1.0
            for value in acc.reliability.values():
                unreliable *= 1.0 - min(max(value, 0.0), 1.0)
            weighted += acc.probability * (1.0 - unreliable)
            sources.update(acc.reliability)
        signals.append(
            DailySignal(
                country,
                day,
                factor,
                len(stories),
                len(sources),
                round(weighted, 4),
                tuple(sorted(sid for sid, _ in stories)),
            )
        )
    return signals


def store_signals(db: Database, first: date, last: date) -> int:
    """Recompute and replace the stored signals of these days (idempotent)."""
    signals = compute_signals(db, first, last)
    with db.engine.begin() as conn:
        conn.execute(delete(SIGNALS).where(SIGNALS.c.day >= first, SIGNALS.c.day <= last))
        if signals:
            conn.execute(
                insert(SIGNALS),
                [
                    {
                        "country": s.country,
                        "day": s.day,
                        "factor": s.factor,
                        "stories": s.stories,
                        "sources": s.sources,
                        "weighted": s.weighted,
                        "story_ids": list(s.story_ids),
                    }
                    for s in signals
                ],
            )
    return len(signals)
