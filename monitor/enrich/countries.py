"""Country tagging: which countries an item concerns, ranked, with the evidence.

The gazetteer joins a generated list (ISO 3166 names and first-level subdivisions,
GeoNames capitals and cities, see ``scripts/build_gazetteer.py``) with the hand-kept
``data/countries.yaml`` (aliases, demonyms, regions, conflict places, armed actors,
ambiguous forms and stop words). Matching is on folded text, longest match first
(South Sudan is not Sudan, Guinea-Bissau is not Guinea), on word boundaries.

Each mention adds weight to its country: names count most, then demonyms, regions,
capitals and actors, then cities by size. Place names must be capitalised as in
running text (so "nice weather" is not France) unless the whole text is lower case.
A form several countries share counts only for a country the text supports
otherwise. Mentions in the title count more. Diplomatic and newsroom hubs (Geneva,
New York, Brussels ...) count little, since they are where news is reported, not
where it happens. A feed's focus countries are used only when the text names none.
"""

from __future__ import annotations

import gzip
import logging
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from monitor.countries import all_countries
from monitor.enrich.text import TokenMatcher, fold
from monitor.resources import package_data
from monitor.yamlfiles import read_yaml

log = logging.getLogger(__name__)

# Where an event happens (places) outweighs who takes part (demonyms, actors): "Turkish
# forces shelled Tal Rifaat (Aleppo)" is about Syria.
WEIGHTS = {
    "name": 2.5,
    "region": 2.0,
    "capital": 1.8,
    "admin1": 1.8,
    "admin2": 1.5,
    "place": 1.8,
    "demonym": 1.2,
    "actor": 1.2,
}
TITLE_BONUS = 1.5
HUB_WEIGHT = 0.25
HUBS = {
    "geneva",
    "geneve",
    "ginebra",
    "genebra",
    "new york",
    "nueva york",
    "nova iorque",
    "brussels",
    "bruxelles",
    "bruselas",
    "bruxelas",
    "washington",
    "london",
    "londres",
    "paris",
    "the hague",
    "la haye",
    "la haya",
    "haia",
    "vienna",
    "vienne",
    "viena",
    "rome",
    "roma",
    "berlin",
}
LOWER_CASE_LANGS = {"fr", "es", "pt", "sw"}


@dataclass(frozen=True)
class Entry:
    iso3: str
    kind: str
    weight: float
    case_sensitive: bool
    population: int = 0
    curated: bool = False


@dataclass(frozen=True)
class Ambiguous:
    countries: tuple[str, ...]


@dataclass(frozen=True)
class Stop:
    """A phrase that looks like a place but is not one ("guinea pig", "Indian Ocean")."""


@dataclass
class CountryScore:
    iso3: str
    score: float
    evidence: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CountryTags:
    """Countries ranked by score; ``primary`` is the first, if any."""

    ranked: list[CountryScore]
    source: str  # "text", "feed" or "none"

    @property
    def primary(self) -> str | None:
        return self.ranked[0].iso3 if self.ranked else None

    @property
    def codes(self) -> list[str]:
        return [c.iso3 for c in self.ranked]


ADMIN_SUFFIXES = (
    "state",
    "department",
    "province",
    "region",
    "governorate",
    "district",
    "county",
    "oblast",
    "prefecture",
    "division",
)
ADMIN_PREFIXES = (
    "departamento de",
    "departamento del",
    "estado de",
    "estado do",
    "estado da",
    "provincia de",
    "provincia del",
    "província de",
    "province de",
    "province du",
    "région de",
    "région du",
    "département de",
    "département du",
    "gouvernorat de",
    "wilaya de",
)


def admin_forms(name: str) -> list[tuple[str, bool]]:
    """A first-level division's name with the words that mark it as one, and whether
    the match must start with a capital (a prefix such as "estado de" is lower case)."""
    return [(f"{name} {word}", True) for word in ADMIN_SUFFIXES] + [
        (f"{word} {name}", False) for word in ADMIN_PREFIXES
    ]


def _city_weight(population: int) -> float:
    return min(1.5, 0.7 + 0.2 * math.log10(max(population, 5_000) / 5_000))


class CountryTagger:
    def __init__(self, curated: dict | None = None) -> None:  # type: ignore[type-arg]
        curated = curated if curated is not None else _load_curated()
        stop = {fold(w).strip() for words in (curated.get("stop") or {}).values() for w in words}
        entries: list[tuple[str, Entry | Ambiguous | Stop]] = [(w, Stop()) for w in stop]
        for line in _generated_lines():
            form, iso3, kind, population = line
            if kind == "admin1":
                # "Magdalena department", "estado de Bolívar": the administrative word
                # settles names that alone are common words or shared with towns.
                for qualified, sensitive in admin_forms(form):
                    entries.append((qualified, Entry(iso3, "region", WEIGHTS["region"], sensitive)))
            if fold(form).strip() in stop:
                continue
            weight = _city_weight(population) if kind == "city" else WEIGHTS[kind]
            entries.append((form, Entry(iso3, kind, weight, True, population)))
        known = all_countries()
        for iso3, country in known.items():
            for name in country.names.values():
                entries.append((name, Entry(iso3, "name", WEIGHTS["name"], True)))
        for iso3, spec in (curated.get("countries") or {}).items():
            if iso3 not in known:
                log.warning("countries.yaml: unknown country code %s ignored", iso3)
                continue
            for kind_key, kind in (("names", "name"), ("demonyms", "demonym")):
                for lang, forms in (spec.get(kind_key) or {}).items():
                    sensitive = kind == "name" or lang not in LOWER_CASE_LANGS
                    for form in forms or []:
                        entries.append(
                            (form, Entry(iso3, kind, WEIGHTS[kind], sensitive, curated=True))
                        )
            for kind_key, kind in (("regions", "region"), ("places", "place"), ("actors", "actor")):
                for form in spec.get(kind_key) or []:
                    entries.append((form, Entry(iso3, kind, WEIGHTS[kind], True, curated=True)))
        for item in curated.get("ambiguous") or []:
            codes = tuple(c for c in item.get("countries", []) if c in known)
            if item.get("form") and codes:
                entries.append((item["form"], Ambiguous(codes)))
        self._matcher: TokenMatcher[Entry | Ambiguous | Stop] = TokenMatcher(entries)

    def tag(
        self, title: str, body: str = "", feed_countries: Sequence[str] = (), limit: int = 5
    ) -> CountryTags:
        scores: dict[str, CountryScore] = {}
        pending: list[tuple[tuple[str, ...], float, str]] = []
        for part, bonus in ((title, TITLE_BONUS), (body, 1.0)):
            if part:
                self._scan(part, bonus, scores, pending)
        for candidates, weight, form in pending:
            supported = [c for c in candidates if c in scores]
            if supported:
                best = max(supported, key=lambda c: scores[c].score)
                scores[best].score += weight
                scores[best].evidence.append(form)
        ranked = sorted(scores.values(), key=lambda s: (-s.score, s.iso3))[:limit]
        for score in ranked:
            score.score = round(score.score, 3)
        if ranked:
            return CountryTags(ranked, "text")
        fallback = [
            CountryScore(c, 0.5, ["feed focus country"])
            for c in feed_countries
            if c in all_countries()
        ]
        return CountryTags(fallback[:limit], "feed" if fallback else "none")

    def _scan(
        self,
        text: str,
        bonus: float,
        scores: dict[str, CountryScore],
        pending: list[tuple[tuple[str, ...], float, str]],
    ) -> None:
        folded = fold(text)
        aligned = len(folded) == len(text)
        has_upper = any(c.isupper() for c in text)
        for match in self._matcher.find_longest(folded):
            if any(isinstance(p, Stop) for p in match.payloads):
                continue
            form = folded[match.start : match.end]
            first = text[match.start] if aligned else ""
            # Scripts without case (Arabic, ...) count as capitalised.
            capitalised = aligned and (first.isupper() or first.lower() == first.upper())
            per_country: dict[str, Entry] = {}
            ambiguous = next((p.countries for p in match.payloads if isinstance(p, Ambiguous)), ())
            for payload in match.payloads:
                if isinstance(payload, Ambiguous | Stop):
                    continue
                if ambiguous and not payload.curated:
                    continue  # a curated "ambiguous" outranks generated readings of the same form
                if (
                    payload.case_sensitive
                    and aligned
                    and not capitalised
                    and not (not has_upper and payload.kind != "city")
                ):
                    continue
                best = per_country.get(payload.iso3)
                if best is None or (payload.curated, payload.weight) > (best.curated, best.weight):
                    per_country[payload.iso3] = payload
            if not per_country:
                if ambiguous:
                    pending.append((ambiguous, WEIGHTS["region"] * bonus, form))
                continue
            if len(per_country) > 1:
                per_country = self._disambiguate(per_country)
            weight_scale = HUB_WEIGHT if form in HUBS else 1.0
            if len(per_country) == 1:
                ((iso3, entry),) = per_country.items()
                score = scores.setdefault(iso3, CountryScore(iso3, 0.0))
                score.score += entry.weight * bonus * weight_scale
                score.evidence.append(form)
            else:
                weight = max(e.weight for e in per_country.values()) * bonus * weight_scale
                pending.append((tuple(sorted(per_country)), weight, form))

    @staticmethod
    def _disambiguate(per_country: dict[str, Entry]) -> dict[str, Entry]:
        """Curated beats generated; names, regions, capitals and actors beat towns;
        a town much larger than its namesakes wins."""
        curated = {c: e for c, e in per_country.items() if e.curated}
        if curated:
            per_country = curated
            if len(per_country) == 1:
                return per_country
        non_city = {c: e for c, e in per_country.items() if e.kind not in ("city", "capital")}
        if non_city:
            if len(non_city) == 1:
                return non_city
            strongest = max(e.weight for e in non_city.values())
            top = {c: e for c, e in non_city.items() if e.weight == strongest}
            return top
        ranked = sorted(per_country.items(), key=lambda item: -item[1].population)
        if ranked[0][1].population >= 5 * max(ranked[1][1].population, 1):
            return dict(ranked[:1])
        return per_country


def _generated_lines() -> list[tuple[str, str, str, int]]:
    path = package_data("enrich", "data", "gazetteer.tsv.gz")
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            form, iso3, kind, population = line.rstrip("\n").split("\t")
            rows.append((form, iso3, kind, int(population)))
    return rows


def _load_curated() -> dict:  # type: ignore[type-arg]
    path = package_data("enrich", "data", "countries.yaml")
    if not path.exists():
        log.warning("no curated country file at %s; tagging with generated names only", path)
        return {}
    return read_yaml(path) or {}


@cache
def default_tagger() -> CountryTagger:
    return CountryTagger()


__all__ = ["CountryScore", "CountryTagger", "CountryTags", "default_tagger", "defaultdict"]
