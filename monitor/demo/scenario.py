"""Generated news for fictional situations in real countries, day by day.

The text comes from ``templates.yaml`` (authored for this project); the generator only
picks templates, fills places, numbers and names, and decides how many items each
country gets each day. Profiles:

- ``quiet``: ordinary news, peaceful protests, ordinary crime;
- ``chronic``: a long-running armed conflict reported every day, at a steady rate;
- ``escalation``: ordinary news at first, then, over about six weeks to a peak, hate
  rhetoric, restrictions, mobilisation, a trigger, attacks on civilians and on a group,
  with more outlets reporting each event as it grows; decline after the peak.

Every outlet is fictional and says so. The same seed gives the same news.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache

from monitor.countries import all_countries
from monitor.resources import package_data
from monitor.yamlfiles import read_yaml

PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Outlet:
    id: str
    title: str
    kind: str
    language: str
    reliability: float


OUTLETS = (
    Outlet("demo-wire", "Continental Wire Service (fictional)", "news", "en", 0.8),
    Outlet("demo-observer", "The Regional Observer (fictional)", "news", "en", 0.7),
    Outlet("demo-rights", "Rights Watchers International (fictional NGO)", "ngo", "en", 0.85),
    Outlet("demo-un", "UN Humanitarian Desk (fictional)", "un", "en", 0.9),
    Outlet("demo-echo", "L'Écho du Continent (fictif)", "news", "fr", 0.7),
    Outlet("demo-veille", "Veille Humanitaire (ONG fictive)", "ngo", "fr", 0.85),
)

GROUPS = (
    "the minority community",
    "herding communities",
    "the religious minority",
    "the northern minority",
    "the eastern communities",
    "the riverside communities",
)
ARMED_GROUPS = (
    "the People's Defence Front",
    "the National Resistance Army",
    "the Liberation Movement",
    "the self-defence militia",
    "the Patriotic Brigades",
    "the Highland Front",
)
ORGS = (
    "the World Food Programme",
    "Médecins Sans Frontières",
    "the Red Cross",
    "UNICEF",
    "the Norwegian Refugee Council",
    "local aid groups",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FR_ARMED_GROUPS = (
    "le Front de défense populaire",
    "l'Armée de résistance nationale",
    "le Mouvement de libération",
    "la milice d'autodéfense",
    "les Brigades patriotiques",
    "le Front des hauts plateaux",
)
FR_ORGS = (
    "le Programme alimentaire mondial",
    "Médecins Sans Frontières",
    "la Croix-Rouge",
    "l'UNICEF",
    "le Conseil norvégien pour les réfugiés",
    "des organisations humanitaires locales",
)
FR_GROUPS = (
    "la communauté minoritaire",
    "les communautés d'éleveurs",
    "la minorité religieuse",
    "la minorité du nord",
    "les communautés de l'est",
    "les communautés riveraines",
)
FR_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

# (days before the peak, categories and daily probability of an event in each)
ARC = (
    (42, {"hate_rhetoric": 0.25}),
    (28, {"hate_rhetoric": 0.6, "restrictions": 0.3, "mobilisation": 0.25, "repression": 0.15}),
    (
        14,
        {
            "hate_rhetoric": 0.7,
            "restrictions": 0.5,
            "mobilisation": 0.5,
            "repression": 0.35,
            "trigger": 0.3,
            "attacks_civilians": 0.25,
        },
    ),
    (
        7,
        {
            "hate_rhetoric": 0.6,
            "attacks_civilians": 0.9,
            "targeted_group": 0.7,
            "repression": 0.4,
            "humanitarian_obstruction": 0.4,
            "displacement_crisis": 0.4,
            "mobilisation": 0.4,
        },
    ),
)
CHRONIC = {"chronic_conflict": 0.95, "conflict_civilians": 0.35, "humanitarian_obstruction": 0.08}
QUIET_EXTRA = {"protest_peaceful": 0.25, "crime": 0.3}


@dataclass(frozen=True)
class CountryScript:
    iso3: str
    profile: str  # quiet, chronic or escalation
    peak: date | None = None
    language: str = "en"


@dataclass(frozen=True)
class NewsItem:
    id: str
    day: date
    published: datetime
    outlet: Outlet
    country: str
    category: str
    title: str
    summary: str

    @property
    def url(self) -> str:
        return f"https://www.{self.outlet.id}.example/news/{self.day:%Y/%m/%d}/{self.id}"


@dataclass
class Templates:
    categories: dict[str, dict[str, list[dict[str, str]]]]
    labels: dict[str, list[str]] = field(default_factory=dict)


@cache
def load_templates() -> Templates:
    data = read_yaml(package_data("demo", "templates.yaml"))
    categories = {name: spec["templates"] for name, spec in data["categories"].items()}
    labels = {name: list(spec.get("labels") or []) for name, spec in data["categories"].items()}
    return Templates(categories, labels)


@cache
def _places() -> dict[str, dict[str, list[str]]]:
    data = read_yaml(package_data("enrich", "data", "countries.yaml"))
    return data.get("countries") or {}


def _fill_values(iso3: str, language: str, rng: random.Random) -> dict[str, str]:
    country = all_countries()[iso3]
    curated = _places().get(iso3, {})
    english = language != "fr"

    def usable(name: str) -> bool:
        return _plain_name(name) and not (english and (not name.isascii() or " de " in f" {name} "))

    places = [p for p in curated.get("places") or [] if usable(p)] or [
        country.capital or country.name("en")
    ]
    regions = [r for r in curated.get("regions") or [] if usable(r)] or places
    latin = places
    demonyms = (
        (curated.get("demonyms") or {}).get(language)
        or (curated.get("demonyms") or {}).get("en")
        or [country.name(language)]
    )
    place, place2 = rng.sample(latin, 2) if len(latin) >= 2 else (latin[0], latin[0])
    groups = FR_GROUPS if language == "fr" else GROUPS
    group, group2 = rng.sample(groups, 2)
    return {
        "country": country.name(language),
        "demonym": demonyms[0],
        "capital": country.capital or place,
        "place": place,
        "place2": place2,
        "region": rng.choice(regions),
        "group": group,
        "group2": group2,
        "armed_group": rng.choice(FR_ARMED_GROUPS if language == "fr" else ARMED_GROUPS),
        "n": str(rng.randint(2, 40)),
        "n2": str(rng.randint(50, 5000)),
        "org": rng.choice(FR_ORGS if language == "fr" else ORGS),
        "weekday": rng.choice(FR_WEEKDAYS if language == "fr" else WEEKDAYS),
    }


_NOT_A_TOWN = {
    "base",
    "gate",
    "airport",
    "camp",
    "bridge",
    "region",
    "province",
    "state",
    "district",
    "governorate",
    "county",
    "valley",
    "région",
    "estado",
    "territory",
    "zone",
    "city",
}


def _plain_name(name: str) -> bool:
    """A town or region name that reads well in any sentence: capitalised, short, Latin script."""
    words = name.replace("-", " ").split()
    return (
        0 < len(words) <= 3
        and all(w[0].isupper() or w in ("al", "el", "de", "du", "da", "do") for w in words)
        and not any(w.lower() in _NOT_A_TOWN for w in words)
        and not any("\u0600" <= c <= "\u06ff" for c in name)
    )


def fill(template: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def _event_probabilities(script: CountryScript, day: date) -> dict[str, float]:
    if script.profile == "chronic":
        return dict(CHRONIC)
    if script.profile == "escalation" and script.peak is not None:
        to_peak = (script.peak - day).days
        if to_peak < 0:
            fade = max(0.0, 1 + to_peak / 21)
            return {c: p * fade for c, p in ARC[-1][1].items()}
        phase = None
        for start, categories in ARC:
            if to_peak <= start:
                phase = categories
        return dict(phase or {})
    return {}


def _reach(script: CountryScript, day: date, category: str) -> int:
    """How many outlets report an event: more as a situation grows."""
    if category in ("routine", "protest_peaceful", "crime"):
        return 1
    if script.profile == "escalation" and script.peak is not None:
        to_peak = (script.peak - day).days
        return 1 + (to_peak <= 28) + (to_peak <= 14) + (to_peak <= 5)
    return 2 if category == "chronic_conflict" else 1


def generate(
    scripts: list[CountryScript],
    start: date,
    days: int,
    seed: int = 1,
    routine_per_day: float = 2.0,
) -> list[NewsItem]:
    templates = load_templates()
    items: list[NewsItem] = []
    for script in scripts:
        rng = random.Random(f"{seed}:{script.iso3}")
        outlets = [o for o in OUTLETS if o.language == script.language] or list(OUTLETS)
        for offset in range(days):
            day = start + timedelta(days=offset)
            events: list[str] = ["routine"] * _poisson(rng, routine_per_day)
            if script.profile != "escalation" or (script.peak and (script.peak - day).days > 42):
                events += [c for c, p in QUIET_EXTRA.items() if rng.random() < p]
            for category, probability in _event_probabilities(script, day).items():
                while probability > 0:
                    if rng.random() < min(probability, 1.0):
                        events.append(category)
                    probability -= 1.0
            for number, category in enumerate(events):
                pool = (
                    templates.categories[category].get(script.language)
                    or templates.categories[category]["en"]
                )
                template = rng.choice(pool)
                values = _fill_values(script.iso3, script.language, rng)
                title, summary = fill(template["title"], values), fill(template["summary"], values)
                for outlet in rng.sample(outlets, min(_reach(script, day, category), len(outlets))):
                    minute = rng.randint(0, 23 * 60)
                    published = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
                        minutes=minute
                    )
                    ident = hashlib.sha1(
                        f"{seed}:{script.iso3}:{day}:{number}:{outlet.id}".encode()
                    ).hexdigest()[:12]
                    items.append(
                        NewsItem(
                            ident, day, published, outlet, script.iso3, category, title, summary
                        )
                    )
    items.sort(key=lambda i: (i.published, i.id))
    return items


def _poisson(rng: random.Random, mean: float) -> int:
    count, threshold, product = 0, pow(2.718281828459045, -mean), rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count


def outlet_config(
    outlets: tuple[Outlet, ...] = OUTLETS, url_base: str = "https://www.{id}.example/feed.xml"
):  # type: ignore[no-untyped-def]
    """Feed entries for the fictional outlets (for feeds.yaml or a MonitorConfig)."""
    from monitor.config.schema import FeedConfig, FeedKind

    return [
        FeedConfig(
            id=o.id,
            url=url_base.format(id=o.id),
            title=o.title,
            kind=FeedKind(o.kind),
            language=o.language,
            reliability=o.reliability,
            tags=["demo", "fictional"],
            poll_interval=3600,
        )
        for o in outlets
    ]


def store_items(db, items: list[NewsItem]) -> int:  # type: ignore[no-untyped-def]
    """Write generated items straight into the store, as the collector would."""
    from collections import defaultdict

    from monitor.collect.model import NormalizedEntry
    from monitor.collect.normalize import content_hash, entry_key
    from monitor.collect.storage import store_entries
    from monitor.config.schema import MonitorConfig
    from monitor.store.sync import sync_feeds

    with db.session() as session:
        sync_feeds(session, MonitorConfig(feeds=outlet_config()))
    by_outlet: dict[str, list[NewsItem]] = defaultdict(list)
    for item in items:
        by_outlet[item.outlet.id].append(item)
    stored = 0
    for outlet_id, outlet_items in by_outlet.items():
        by_day: dict[date, list[NormalizedEntry]] = defaultdict(list)
        for item in outlet_items:
            html = f"<p>{item.summary}</p>"
            by_day[item.day].append(
                NormalizedEntry(
                    key=entry_key(item.url, item.url, item.title, item.published),
                    guid=item.url,
                    url=item.url,
                    title=item.title,
                    summary_html=html,
                    summary_text=item.summary,
                    author=None,
                    published_at=item.published,
                    lang_hint=item.outlet.language,
                    content_hash=content_hash(item.title, item.url, html, None, item.published),
                )
            )
        for day, entries in sorted(by_day.items()):
            fetched = datetime(day.year, day.month, day.day, 23, 30, tzinfo=UTC)
            with db.engine.begin() as conn:
                new, _ = store_entries(conn, outlet_id, entries, fetched)
            stored += new
    return stored
