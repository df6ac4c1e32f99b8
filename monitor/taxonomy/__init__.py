"""The UN Framework's risk factors, indicators and cue phrases, loaded once.

Every other module takes risk-factor, indicator and commitment ids from here, never
from string literals: :func:`load_taxonomy` is the single source of truth.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from monitor.resources import package_data
from monitor.yamlfiles import read_yaml

LANGUAGES = ("en", "fr", "es", "pt", "ar")
Crime = Literal["genocide", "crimes_against_humanity", "war_crimes"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Localized(_Model):
    en: str
    fr: str

    def get(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en


class LocalizedList(_Model):
    en: list[str]
    fr: list[str]

    def get(self, lang: str) -> list[str]:
        return self.fr if lang == "fr" else self.en


class Cues(_Model):
    en: list[str]
    fr: list[str]
    es: list[str]
    pt: list[str]
    ar: list[str]

    def by_language(self) -> dict[str, list[str]]:
        return {lang: getattr(self, lang) for lang in LANGUAGES}


class Commitment(_Model):
    id: str
    short: Localized
    text: Localized
    actions: LocalizedList


class Indicator(_Model):
    id: str
    text: Localized
    verification: Literal["checked", "checked_partial", "unverified_high", "unverified_low"]
    signal: Literal["event", "condition", "mixed"]
    cues: Cues

    @property
    def risk_factor(self) -> str:
        return self.id.split(".")[0]


class RiskFactor(_Model):
    id: str
    number: int
    name: Localized
    group: Literal["common", "specific"]
    crimes: list[Crime]
    kind: Literal["structural", "dynamic", "trigger"]
    commitments: list[str]
    description: Localized
    indicators: list[Indicator]

    @property
    def is_specific(self) -> bool:
        return self.group == "specific"


class Crimes(_Model):
    genocide: Localized
    crimes_against_humanity: Localized
    war_crimes: Localized


class Taxonomy(_Model):
    version: int
    title: str
    based_on: str
    sources: list[str]
    commitments: list[Commitment]
    crimes: Crimes
    risk_factors: list[RiskFactor]

    @model_validator(mode="after")
    def _consistent(self) -> Taxonomy:
        commitment_ids = {c.id for c in self.commitments}
        seen: set[str] = set()
        for number, factor in enumerate(self.risk_factors, start=1):
            if factor.id != f"RF{number}" or factor.number != number:
                raise ValueError(f"risk factor {factor.id}: expected RF{number} in order")
            unknown = set(factor.commitments) - commitment_ids
            if unknown:
                raise ValueError(f"{factor.id}: unknown commitments {sorted(unknown)}")
            for indicator in factor.indicators:
                if indicator.risk_factor != factor.id or indicator.id in seen:
                    raise ValueError(f"indicator {indicator.id}: wrong factor or duplicate id")
                seen.add(indicator.id)
        return self

    @property
    def factor_ids(self) -> list[str]:
        return [f.id for f in self.risk_factors]

    def factor(self, factor_id: str) -> RiskFactor:
        for factor in self.risk_factors:
            if factor.id == factor_id:
                return factor
        raise KeyError(f"unknown risk factor {factor_id!r}")

    def indicator(self, indicator_id: str) -> Indicator:
        for indicator in self.factor(indicator_id.split(".")[0]).indicators:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(f"unknown indicator {indicator_id!r}")

    def commitment(self, commitment_id: str) -> Commitment:
        for commitment in self.commitments:
            if commitment.id == commitment_id:
                return commitment
        raise KeyError(f"unknown commitment {commitment_id!r}")

    @property
    def specific_factor_ids(self) -> list[str]:
        """Factors that point to a particular crime (RF9 to RF14)."""
        return [f.id for f in self.risk_factors if f.is_specific]

    @property
    def trigger_factor_ids(self) -> list[str]:
        return [f.id for f in self.risk_factors if f.kind == "trigger"]


class ContextCues(_Model):
    version: int
    contexts: dict[str, Cues]


def _read(name: str) -> tuple[dict, str]:  # type: ignore[type-arg]
    path = package_data("taxonomy", name)
    return read_yaml(path), hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@cache
def load_taxonomy() -> Taxonomy:
    data, _ = _read("taxonomy.yaml")
    return Taxonomy.model_validate(data)


@cache
def load_contexts() -> ContextCues:
    data, _ = _read("context.yaml")
    return ContextCues.model_validate(data)


@cache
def taxonomy_fingerprint() -> str:
    """Changes whenever the cue lists change, so models trained on old cues are noticed."""
    return _read("taxonomy.yaml")[1] + _read("context.yaml")[1]
