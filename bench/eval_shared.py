"""Convert the third-party labelled text in ``../shared/data`` into evaluation files.

Reads the data in place and writes JSON Lines in the project's format (``id``,
``text``, ``lang``, ``labels``, ``country``) to ``--out`` (default: a temporary
folder), one file per source plus ``all.jsonl``. Nothing here is committed or used
for training: the licences forbid redistribution, and the point is to measure the
shipped model on text nobody on the team wrote.

    python bench/eval_shared.py --out /tmp/eval
    monitor evaluate --data /tmp/eval/all.jsonl --json

Labels come from each source's own annotation, mapped to the Framework's risk
factors as follows (after ``data/acled_global_2020/README.md``; weak labels, not a
gold standard):

ACLED (both exports; notes de-duplicated):
- Battles (any)                                   -> RF1
- Shelling/artillery, air/drone strikes, remote
  explosives, grenades, suicide bombs             -> RF1, plus RF13 when civilians are
                                                     the target (actor 2 is civilians)
- Violence against civilians (attacks,
  abductions, disappearances)                     -> RF11, plus RF13 when the
                                                     perpetrator is a party to armed
                                                     conflict (state forces, rebels,
                                                     external forces)
- Sexual violence                                  -> RF7, RF11 (+ RF13 as above)
- Any event whose actor 2 is a peacekeeping
  mission or aid workers                           -> + RF14
- Riots (mob violence, violent demonstrations)
  with an identity militia or communal actor       -> RF9; other riots -> RF1
- Protest with intervention, excessive force
  against protesters                               -> RF1, RF2
- Peaceful protest (2020 export: sub-event type;
  2015 export: protesters with no opposing actor)  -> negative
- Looting/property destruction                     -> RF7
- Change to group/activity, headquarters or base
  established, disrupted weapons use               -> RF5
- Arrests                                          -> RF2
- Agreements, other strategic developments,
  non-violent transfers of territory               -> left out (no clear label)

MasakhaNEWS: business, health, sports, technology and entertainment headlines and
articles are negatives; politics is left out (it mixes negatives with coups and
election violence).

MLMA: tweets whose only sentiment is ``normal`` are negatives; tweets labelled
hateful (alone or with other sentiments) that target origin or religion -> RF9; the
rest (offensive, abusive, other targets) are left out.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

csv.field_size_limit(sys.maxsize)
SHARED = Path(os.environ.get("MONITOR_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
DATA = SHARED / "data"

ASIA_ISO3 = {
    "India": "IND",
    "Pakistan": "PAK",
    "Bangladesh": "BGD",
    "Nepal": "NPL",
    "Myanmar": "MMR",
    "Thailand": "THA",
    "Cambodia": "KHM",
    "Sri Lanka": "LKA",
    "Vietnam": "VNM",
    "Laos": "LAO",
}
PEACEKEEPING = re.compile(
    r"\b(UN|United Nations|MONUSCO|MINUSMA|MINUSCA|UNMISS|UNISFA|UNIFIL|UNAMID|AMISOM|ATMIS|"
    r"peacekeep\w*|Aid Workers|Humanitarian|NGO|Red Cross|MSF|ICRC)\b",
    re.I,
)
COMMUNAL = re.compile(
    r"\b(Communal|Ethnic|Tribal|Clan|Muslim|Hindu|Christian|Buddhist|Sikh|"
    r"Rohingya|Fulani|Herders?|Religious)\b",
    re.I,
)
CONFLICT_PARTY = {"1", "2", "8"}
SIZE_TAG = re.compile(r"\s*\[size=[^\]]*\]\s*$")


def _clean(note: str) -> str:
    return SIZE_TAG.sub("", note or "").strip()


def acled_labels(
    event: str, sub: str, inter1: str, inter2: str, actor1: str, actor2: str
) -> list[str] | None:
    labels: set[str] = set()
    if event.startswith("Battle"):
        labels.add("RF1")
    elif event in ("Explosions/Remote violence", "Remote violence"):
        labels.add("RF1")
        if inter2 == "7":
            labels.add("RF13")
    elif event == "Violence against civilians":
        labels.add("RF11")
        if sub == "Sexual violence":
            labels.add("RF7")
        if inter1 in CONFLICT_PARTY:
            labels.add("RF13")
    elif event == "Riots" or (event == "Riots/Protests" and inter1 == "5"):
        communal = (
            inter1 == "4" or inter2 == "4" or COMMUNAL.search(actor1) or COMMUNAL.search(actor2)
        )
        labels.add("RF9" if communal else "RF1")
    elif event == "Protests":
        if sub == "Peaceful protest":
            return []
        labels.update({"RF1", "RF2"})
    elif event == "Riots/Protests":  # 2015 export: protesters
        if inter2 in ("", "0"):
            return []
        if inter2 == "1":
            labels.update({"RF1", "RF2"})
        else:
            return None
    elif event in ("Strategic developments", "Strategic development"):
        if sub == "Looting/property destruction":
            labels.add("RF7")
        elif sub in (
            "Change to group/activity",
            "Headquarters or base established",
            "Disrupted weapons use",
        ):
            labels.add("RF5")
        elif sub == "Arrests":
            labels.add("RF2")
        else:
            return None
    else:
        return None
    if PEACEKEEPING.search(actor2 or ""):
        labels.add("RF14")
    return sorted(labels, key=lambda f: int(f[2:]))


def convert_acled_2020() -> list[dict]:
    out, seen = [], set()
    with open(DATA / "acled_global_2020" / "acled_2020-05_global.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            text = _clean(row["notes"])
            if not text or text in seen:
                continue
            seen.add(text)
            labels = acled_labels(
                row["event_type"],
                row["sub_event_type"],
                row["inter1"],
                row["inter2"],
                row["actor1"] + " " + row["assoc_actor_1"],
                row["actor2"] + " " + row["assoc_actor_2"],
            )
            if labels is None:
                continue
            out.append(
                {
                    "id": f"acled20-{row['data_id']}",
                    "text": text,
                    "lang": "en",
                    "labels": labels,
                    "country": row["iso3"],
                    "source": "acled-2020",
                }
            )
    return out


def convert_acled_2015() -> list[dict]:
    out, seen = [], set()
    with open(DATA / "acled_asia_2015" / "acled_2015_asia.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            text = _clean(row["NOTES"])
            if not text or text in seen or row["COUNTRY"] not in ASIA_ISO3:
                continue
            seen.add(text)
            labels = acled_labels(
                row["EVENT_TYPE"].strip(),
                "",
                row["INTER1"],
                row["INTER2"],
                row["ACTOR1"] + " " + row["ALLY_ACTOR_1"],
                row["ACTOR2"] + " " + row["ALLY_ACTOR_2"],
            )
            if labels is None:
                continue
            out.append(
                {
                    "id": f"acled15-{row['EVENT_ID_CNTY']}",
                    "text": text,
                    "lang": "en",
                    "labels": labels,
                    "country": ASIA_ISO3[row["COUNTRY"]],
                    "source": "acled-2015",
                }
            )
    return out


def convert_masakhanews() -> list[dict]:
    out = []
    for lang, prefix in (("fr", "fra"), ("en", "eng")):
        for split in ("test", "dev"):
            with open(
                DATA / "masakhanews_fr_en" / f"{prefix}_{split}.tsv", encoding="utf-8"
            ) as handle:
                for number, row in enumerate(csv.DictReader(handle, delimiter="\t")):
                    if row["category"] == "politics":
                        continue
                    text = f"{row['headline'].strip()}. {row['text'].strip()}"
                    out.append(
                        {
                            "id": f"masakha-{prefix}-{split}-{number}",
                            "text": text,
                            "lang": lang,
                            "labels": [],
                            "source": f"masakhanews-{row['category']}",
                        }
                    )
    return out


def convert_mlma() -> list[dict]:
    out = []
    for lang in ("ar", "fr", "en"):
        with open(DATA / "mlma_hate_speech" / f"{lang}_dataset.csv", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                sentiments = set(row["sentiment"].split("_"))
                if sentiments == {"normal"}:
                    labels = []
                elif "hateful" in sentiments and row["target"] in ("origin", "religion"):
                    labels = ["RF9"]
                else:
                    continue
                out.append(
                    {
                        "id": f"mlma-{lang}-{row['HITId']}",
                        "text": row["tweet"],
                        "lang": lang,
                        "labels": labels,
                        "source": "mlma",
                    }
                )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="monitor-eval-"))
    out.mkdir(parents=True, exist_ok=True)
    sources = {
        "acled-2020": convert_acled_2020(),
        "acled-2015": convert_acled_2015(),
        "masakhanews": convert_masakhanews(),
        "mlma": convert_mlma(),
    }
    everything = []
    for name, rows in sources.items():
        with open(out / f"{name}.jsonl", "w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        everything.extend(rows)
        positives = sum(1 for r in rows if r["labels"])
        print(
            f"{name}: {len(rows)} items ({positives} relevant), "
            f"labels {dict(Counter(label for r in rows for label in r['labels']).most_common())}"
        )
    with open(out / "all.jsonl", "w", encoding="utf-8") as handle:
        for row in everything:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(everything)} items to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
