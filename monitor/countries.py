"""ISO 3166-1 countries: codes and display names, loaded once from package data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from monitor.resources import package_data


@dataclass(frozen=True)
class Country:
    iso3: str
    iso2: str
    names: dict[str, str]
    capital: str | None
    continent: str | None
    population: int | None

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names["en"]


@cache
def all_countries() -> dict[str, Country]:
    raw = json.loads(package_data("data", "countries.json").read_text(encoding="utf-8"))
    return {
        row["iso3"]: Country(
            iso3=row["iso3"],
            iso2=row["iso2"],
            names=row["names"],
            capital=row.get("capital"),
            continent=row.get("continent"),
            population=row.get("population"),
        )
        for row in raw["countries"]
    }


def is_iso3(code: str) -> bool:
    return code in all_countries()


def get(iso3: str) -> Country:
    try:
        return all_countries()[iso3]
    except KeyError:
        raise KeyError(f"unknown ISO 3166-1 alpha-3 code {iso3!r}") from None


def country_name(iso3: str, lang: str = "en") -> str:
    country = all_countries().get(iso3)
    return country.name(lang) if country else iso3
