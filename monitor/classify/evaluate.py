"""Scoring the whole enrichment (language, countries, classifier) on labelled text.

Only ``text`` is given to the system; ``lang`` and ``country`` are gold labels. Results
are plain numbers so the CLI can print them as a table or as JSON.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from monitor.classify.corpus import Example
from monitor.classify.model import RiskModel
from monitor.enrich.countries import CountryTagger
from monitor.enrich.language import LanguageIdentifier


@dataclass(frozen=True)
class SystemOutput:
    language: str
    country: str | None
    relevant: bool
    labels: tuple[str, ...]


def run_system(
    examples: Sequence[Example],
    model: RiskModel,
    tagger: CountryTagger,
    identifier: LanguageIdentifier,
) -> list[SystemOutput]:
    predictions = []
    texts = [e.text for e in examples]
    for start in range(0, len(texts), 2000):
        predictions.extend(model.predictions(texts[start : start + 2000]))
    outputs = []
    for example, prediction in zip(examples, predictions, strict=True):
        outputs.append(
            SystemOutput(
                language=identifier.identify(example.text).language,
                country=tagger.tag(example.text).primary,
                relevant=bool(prediction.labels),
                labels=tuple(prediction.labels),
            )
        )
    return outputs


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def score(
    examples: Sequence[Example], outputs: Sequence[SystemOutput], factor_ids: Sequence[str]
) -> dict[str, object]:
    gold = np.array([[f in e.labels for f in factor_ids] for e in examples], dtype=bool).reshape(
        -1, len(factor_ids)
    )
    pred = np.array([[f in o.labels for f in factor_ids] for o in outputs], dtype=bool).reshape(
        -1, len(factor_ids)
    )
    gold_rel = np.array([e.relevant for e in examples], dtype=bool)
    pred_rel = np.array([o.relevant for o in outputs], dtype=bool)
    relevance = _prf(
        int((gold_rel & pred_rel).sum()),
        int((~gold_rel & pred_rel).sum()),
        int((gold_rel & ~pred_rel).sum()),
    )
    relevance["support"] = int(gold_rel.sum())
    per_factor = {}
    f1s = []
    for column, factor in enumerate(factor_ids):
        g, p = gold[:, column], pred[:, column]
        stats = _prf(int((g & p).sum()), int((~g & p).sum()), int((g & ~p).sum()))
        stats["support"] = int(g.sum())
        per_factor[factor] = stats
        if stats["support"]:
            f1s.append(stats["f1"])
    micro = _prf(int((gold & pred).sum()), int((~gold & pred).sum()), int((gold & ~pred).sum()))
    with_country = [(e, o) for e, o in zip(examples, outputs, strict=True) if e.country]
    correct = sum(1 for e, o in with_country if o.country == e.country)
    with_lang = [(e, o) for e, o in zip(examples, outputs, strict=True) if e.lang]
    return {
        "n": len(examples),
        "relevance": relevance,
        "risk_factors": {
            "micro_f1": micro["f1"],
            "micro_precision": micro["precision"],
            "micro_recall": micro["recall"],
            "macro_f1": round(float(np.mean(f1s)), 4) if f1s else 0.0,
            "per_factor": per_factor,
        },
        "country": {
            "accuracy": round(correct / len(with_country), 4) if with_country else None,
            "n": len(with_country),
        },
        "language_id": {
            "accuracy": round(
                sum(1 for e, o in with_lang if o.language == e.lang) / len(with_lang), 4
            )
            if with_lang
            else None,
            "n": len(with_lang),
        },
    }


def evaluate(
    examples: Sequence[Example],
    model: RiskModel,
    tagger: CountryTagger,
    identifier: LanguageIdentifier,
) -> dict[str, object]:
    outputs = run_system(examples, model, tagger, identifier)
    factor_ids = list(model.factor_ids)
    report = score(examples, outputs, factor_ids)
    groups: dict[str, list[int]] = defaultdict(list)
    for index, (example, output) in enumerate(zip(examples, outputs, strict=True)):
        groups[example.lang or output.language].append(index)
    by_language = {}
    for lang, indices in sorted(groups.items()):
        sub = score([examples[i] for i in indices], [outputs[i] for i in indices], factor_ids)
        sub["risk_factors"].pop("per_factor")  # type: ignore[attr-defined]
        by_language[lang] = sub
    report["by_language"] = by_language
    return report
