"""Words that mark a language, drawn from the project's own authored corpus.

Function words settle most texts, but headlines, lists of place names and terse event
notes often have too few of them, and lingua is the slowest step of enrichment. A
common word of the corpus that only ever appears in one of its Latin-script languages
(``displaced``, ``déplacés``, ``desplazados``, ``deslocados``) is cheap evidence. A word
qualifies when it is written in lower case (names are not evidence of a language), is
three letters or more, appears in several texts of one language and never in another
language of the corpus.

``python -m monitor.enrich.wordlists`` rebuilds ``monitor/data/language-words.json``
from ``models/corpus``; a test checks that the shipped file is what the corpus gives.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from monitor.resources import models_dir, package_data

LANGUAGES = ("en", "fr", "es", "pt")
PER_LANGUAGE = 1500
MIN_TEXTS = 3
_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)


def word_file() -> Path:
    return package_data("data", "language-words.json")


def build(corpus: Path, per_language: int = PER_LANGUAGE) -> dict[str, list[str]]:
    from monitor.enrich.language import FUNCTION_WORDS

    function_words = frozenset().union(*FUNCTION_WORDS.values())
    texts: dict[str, Counter[str]] = defaultdict(Counter)
    lowered: Counter[str] = Counter()  # occurrences written in lower case
    seen: Counter[str] = Counter()  # all occurrences
    for path in sorted(corpus.glob("train-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            lang = row.get("lang")
            if lang not in LANGUAGES:
                continue
            words = _WORDS.findall(row["text"])
            for word in words:
                seen[word.lower()] += 1
                lowered[word.lower()] += word.islower()
            texts[lang].update({w.lower() for w in words})
    chosen: dict[str, list[str]] = {}
    for lang in LANGUAGES:
        others = [texts[o] for o in LANGUAGES if o != lang]
        candidates = [
            (n, word)
            for word, n in texts[lang].items()
            if n >= MIN_TEXTS
            and len(word) >= 3
            and word not in function_words
            and lowered[word] >= 0.8 * seen[word]
            and not any(word in other for other in others)
        ]
        chosen[lang] = sorted(word for _, word in sorted(candidates, reverse=True)[:per_language])
    return chosen


def main() -> int:
    words = build(models_dir() / "corpus")
    word_file().write_text(json.dumps(words, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {word_file()}: " + ", ".join(f"{k} {len(v)}" for k, v in words.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
