"""Enrichment throughput: language + countries + classification, items per second.

Runs the three steps the enrich and classify stages run, in-process, on one core,
over N items (default 10,000) taken from generated feeds (``../shared/bench``
generator: ~80-word HTML summaries with conflict vocabulary and place names) or from
a JSON Lines file (``--data``). Prints items/s for each step and for the whole.
Target: >= 2,000 items/s on one core.

    python bench/enrich.py                  # 10,000 generated items, pinned to one core
    python bench/enrich.py --data tests/data/heldout-authored.jsonl --repeat 15
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

SHARED_BENCH = (
    Path(os.environ.get("MONITOR_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
    / "bench"
)
sys.path.insert(0, str(SHARED_BENCH))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def generated_items(n: int) -> list[tuple[str, str]]:
    import feedgen

    from monitor.collect.normalize import normalize_entries
    from monitor.collect.parse import parse_document

    folder = Path(tempfile.gettempdir()) / "monitor-bench-feeds-200x50"
    manifest = feedgen.ensure(folder, 200, 50, 1)
    items: list[tuple[str, str]] = []
    for entry in manifest["files"]:
        body = (folder / entry["name"]).read_bytes()
        parsed = parse_document(body, "http://127.0.0.1/" + entry["name"])
        for e in normalize_entries(parsed.entries, parsed.language, 1000)[0]:
            items.append((e.title, e.summary_text))
    while len(items) < n:
        items += items
    return items[:n]


def file_items(path: Path, n: int, repeat: int) -> list[tuple[str, str]]:
    rows = [
        json.loads(line)["text"]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    items = [(text[:120], text) for text in rows] * repeat
    return items[:n] if n else items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--all-cores", action="store_true", help="do not pin to one core")
    args = parser.parse_args(argv)
    if not args.all_cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    from monitor.classify.persist import load_current_model
    from monitor.classify.stage import item_text
    from monitor.enrich.countries import default_tagger
    from monitor.enrich.language import default_identifier

    items = file_items(args.data, args.n, args.repeat) if args.data else generated_items(args.n)
    t0 = time.perf_counter()
    identifier, tagger = default_identifier(), default_tagger()
    model, info = load_current_model(None)
    identifier.identify("warm up the language models with a sentence")
    tagger.tag("Warm-up", "loads the gazetteer automaton")
    model.classify(["warm up: loads the taxonomy and the cue lexicon"])
    load = time.perf_counter() - t0
    texts = [item_text(title, summary) for title, summary in items]

    t = time.perf_counter()
    for text in texts:
        identifier.identify(text)
    language = time.perf_counter() - t
    t = time.perf_counter()
    for title, summary in items:
        tagger.tag(title, summary)
    countries = time.perf_counter() - t
    t = time.perf_counter()
    for start in range(0, len(texts), 2000):
        model.classify(texts[start : start + 2000])
    classify = time.perf_counter() - t
    total = language + countries + classify
    n = len(items)
    print(
        f"items: {n} ({'from ' + str(args.data) if args.data else 'generated feeds'}), model {info.version}, "
        f"cores: {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'}"
    )
    print(f"start-up (load gazetteer, lexicon, language models, classifier): {load:.2f} s")
    for name, seconds in (
        ("language", language),
        ("countries", countries),
        ("classification", classify),
    ):
        print(f"{name:<16}{seconds:8.2f} s {n / seconds:10,.0f} items/s")
    print(
        f"{'all three':<16}{total:8.2f} s {n / total:10,.0f} items/s   (target >= 2,000 items/s on one core)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
