"""Labelled examples in the project's JSON Lines format, read and validated.

One object per line: ``id``, ``text``, ``lang``, ``labels`` (risk-factor ids, empty for
a negative), optional ``country`` (ISO3) and ``tags``. The same format feeds
``monitor train`` and ``monitor evaluate``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from monitor.errors import MonitorError
from monitor.resources import models_dir
from monitor.taxonomy import load_taxonomy


class CorpusError(MonitorError):
    pass


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    labels: tuple[str, ...]
    lang: str | None = None
    country: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def relevant(self) -> bool:
        return bool(self.labels)


def read_examples(path: Path) -> list[Example]:
    factors = set(load_taxonomy().factor_ids)
    examples = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"cannot read {path}: {exc}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{where}: not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise CorpusError(f"{where}: each line must be a JSON object")
        text = row.get("text")
        if not isinstance(text, str) or not text.strip():
            raise CorpusError(f"{where}: `text` must be a non-empty string")
        labels = row.get("labels", [])
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise CorpusError(f'{where}: `labels` must be a list of risk-factor ids like ["RF11"]')
        unknown = [x for x in labels if x not in factors]
        if unknown:
            raise CorpusError(f"{where}: unknown risk factor(s) {unknown}; use RF1 to RF14")
        country = row.get("country")
        if country is not None and (not isinstance(country, str) or len(country) != 3):
            raise CorpusError(f"{where}: `country` must be an ISO 3166-1 alpha-3 code")
        examples.append(
            Example(
                id=str(row.get("id", f"{path.stem}-{number}")),
                text=text,
                labels=tuple(sorted(set(labels), key=lambda f: int(f[2:]))),
                lang=row.get("lang"),
                country=country.upper() if country else None,
                tags=tuple(row.get("tags") or ()),
            )
        )
    return examples


def training_corpus_files() -> list[Path]:
    return sorted((models_dir() / "corpus").glob("train-*.jsonl"))


def load_training_corpus() -> list[Example]:
    examples: list[Example] = []
    for path in training_corpus_files():
        examples.extend(read_examples(path))
    seen: set[str] = set()
    for example in examples:
        if example.id in seen:
            raise CorpusError(f"duplicate example id {example.id!r} in the training corpus")
        seen.add(example.id)
    return examples


def label_matrix(examples: Iterable[Example], factor_ids: list[str]) -> np.ndarray:
    index = {f: i for i, f in enumerate(factor_ids)}
    rows = list(examples)
    matrix = np.zeros((len(rows), len(factor_ids)), dtype=int)
    for r, example in enumerate(rows):
        for label in example.labels:
            matrix[r, index[label]] = 1
    return matrix
