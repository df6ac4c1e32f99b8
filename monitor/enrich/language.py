"""Language identification for every item.

Three steps, cheapest first:

1. Script. Text mostly in Cyrillic, CJK, Devanagari, Ethiopic, Hebrew, ... gets the
   language of its script; Arabic script is Arabic unless letters peculiar to Persian
   or Urdu dominate.
2. Function words. In Latin script, counts of very common words identify ten
   languages (the five the classifier knows plus Swahili and frequent others) when
   the evidence is clear. Failing that, common words that the authored corpus only
   ever uses in one of en, fr, es or pt (:mod:`monitor.enrich.wordlists`) settle
   headlines and terse notes that have few function words.
3. lingua, limited to en, fr, es, pt and sw, settles short or mixed texts; its answer
   is kept only above a confidence floor. Otherwise the feed's declared language is
   used, and failing that the result is ``und`` (unknown).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from lingua import Language, LanguageDetectorBuilder

UNKNOWN = "und"
SUPPORTED = ("en", "fr", "es", "pt", "ar", "sw")
MIN_LETTERS = 12
LINGUA_FLOOR = 0.55
# lingua's cost grows with length; 150 characters settle the language, and on texts that
# long its trigram-only mode is as accurate and twice as fast.
LINGUA_CHARS = 150
_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)
_ASCII_NON_LETTERS = bytes(c for c in range(128) if not chr(c).isalpha())
_ASCII_SPACES = bytes(c if c < 128 and chr(c).isalpha() else 32 for c in range(256))


def _ascii_letters(text: str) -> int:
    """How many of ``text``'s characters are ASCII letters (counted in C)."""
    return len(text.encode("ascii", "ignore").translate(None, _ASCII_NON_LETTERS))


FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "the",
            "of",
            "and",
            "to",
            "in",
            "is",
            "was",
            "for",
            "on",
            "that",
            "with",
            "by",
            "as",
            "at",
            "from",
            "are",
            "were",
            "has",
            "have",
            "had",
            "been",
            "said",
            "it",
            "its",
            "this",
            "after",
            "which",
            "but",
            "their",
            "they",
            "who",
            "will",
            "not",
            "an",
            "be",
        ]
    ),
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "des",
            "du",
            "de",
            "et",
            "un",
            "une",
            "est",
            "dans",
            "pour",
            "que",
            "qui",
            "sur",
            "au",
            "aux",
            "par",
            "avec",
            "pas",
            "ont",
            "été",
            "il",
            "elle",
            "ils",
            "se",
            "ce",
            "sont",
            "cette",
            "selon",
            "leur",
            "plus",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "la",
            "los",
            "las",
            "del",
            "de",
            "y",
            "en",
            "un",
            "una",
            "es",
            "por",
            "para",
            "que",
            "con",
            "se",
            "al",
            "su",
            "sus",
            "fue",
            "como",
            "más",
            "según",
            "han",
            "este",
            "esta",
            "sobre",
            "entre",
            "tras",
            "desde",
        ]
    ),
    "pt": frozenset(
        [
            "o",
            "a",
            "os",
            "as",
            "do",
            "da",
            "dos",
            "das",
            "de",
            "e",
            "em",
            "um",
            "uma",
            "é",
            "para",
            "que",
            "com",
            "se",
            "ao",
            "no",
            "na",
            "nos",
            "nas",
            "pelo",
            "pela",
            "foi",
            "como",
            "mais",
            "segundo",
            "sobre",
            "entre",
            "após",
            "não",
        ]
    ),
    "sw": frozenset(
        [
            "na",
            "ya",
            "wa",
            "kwa",
            "za",
            "la",
            "katika",
            "ni",
            "kuwa",
            "hiyo",
            "huo",
            "hii",
            "kama",
            "cha",
            "vya",
            "watu",
            "wakati",
            "baada",
            "pia",
            "lakini",
            "ambao",
            "ambayo",
            "alisema",
            "kwamba",
            "zaidi",
            "serikali",
        ]
    ),
    "de": frozenset(
        [
            "der",
            "die",
            "das",
            "und",
            "ist",
            "nicht",
            "mit",
            "den",
            "dem",
            "des",
            "ein",
            "eine",
            "auf",
            "für",
            "von",
            "zu",
            "sich",
            "im",
            "wurde",
            "werden",
            "auch",
            "nach",
            "bei",
            "aus",
            "wie",
        ]
    ),
    "it": frozenset(
        [
            "il",
            "lo",
            "la",
            "gli",
            "le",
            "di",
            "del",
            "della",
            "dei",
            "che",
            "e",
            "è",
            "per",
            "con",
            "non",
            "un",
            "una",
            "sono",
            "nel",
            "nella",
            "alla",
            "dal",
            "anche",
            "come",
            "più",
            "stato",
        ]
    ),
    "nl": frozenset(
        [
            "de",
            "het",
            "een",
            "en",
            "van",
            "in",
            "is",
            "op",
            "dat",
            "die",
            "niet",
            "met",
            "voor",
            "zijn",
            "aan",
            "er",
            "ook",
            "als",
            "bij",
            "door",
            "wordt",
            "werd",
            "naar",
        ]
    ),
    "id": frozenset(
        [
            "yang",
            "dan",
            "di",
            "ke",
            "dari",
            "dengan",
            "untuk",
            "ini",
            "itu",
            "tidak",
            "dalam",
            "pada",
            "adalah",
            "akan",
            "oleh",
            "juga",
            "sudah",
            "karena",
            "bahwa",
            "mereka",
        ]
    ),
    "tr": frozenset(
        [
            "ve",
            "bir",
            "bu",
            "da",
            "de",
            "için",
            "ile",
            "olarak",
            "çok",
            "daha",
            "gibi",
            "en",
            "sonra",
            "kadar",
            "ise",
            "olan",
            "ancak",
            "değil",
            "göre",
        ]
    ),
}
_WORD_LANGS: dict[str, tuple[str, ...]] = {}
for _lang, _words in FUNCTION_WORDS.items():
    for _word in _words:
        _WORD_LANGS[_word] = (*_WORD_LANGS.get(_word, ()), _lang)

_SCRIPTS: list[tuple[str, int, int]] = [
    ("ru", 0x0400, 0x04FF),
    ("he", 0x0590, 0x05FF),
    ("ar", 0x0600, 0x06FF),
    ("ar", 0x0750, 0x077F),
    ("ar", 0xFB50, 0xFDFF),
    ("ar", 0xFE70, 0xFEFF),
    ("hi", 0x0900, 0x097F),
    ("bn", 0x0980, 0x09FF),
    ("ta", 0x0B80, 0x0BFF),
    ("th", 0x0E00, 0x0E7F),
    ("my", 0x1000, 0x109F),
    ("ka", 0x10A0, 0x10FF),
    ("am", 0x1200, 0x139F),
    ("km", 0x1780, 0x17FF),
    ("ja", 0x3040, 0x30FF),
    ("zh", 0x4E00, 0x9FFF),
    ("ko", 0xAC00, 0xD7AF),
    ("hy", 0x0530, 0x058F),
]
_PERSIAN = set("پچژگکی")
_URDU = set("ٹڈڑںےھہۓ")
_UKRAINIAN = set("іїєґІЇЄҐ")


@dataclass(frozen=True)
class LanguageGuess:
    language: str
    confidence: float
    method: str


def _script_of(char: str) -> str | None:
    code = ord(char)
    if code < 0x0250:
        return "latin" if char.isalpha() else None
    for lang, low, high in _SCRIPTS:
        if low <= code <= high:
            return lang
    if 0x1E00 <= code <= 0x1EFF:
        return "latin"
    return None


def _clear_vote(
    votes: Counter[str], words: int, min_hits: int, margin: int, share: float
) -> tuple[str, float] | None:
    """(language, confidence) when one language has ``min_hits`` votes, ``margin`` times
    the runner-up's, and ``share`` of all words; else None."""
    ranked = votes.most_common(2)
    if not ranked:
        return None
    best, hits = ranked[0]
    runner = ranked[1][1] if len(ranked) > 1 else 0
    if hits >= min_hits and hits >= margin * runner and hits / max(words, 1) >= share:
        return best, round(min(1.0, hits / (hits + runner + 1)), 3)
    return None


@cache
def _common_words() -> dict[str, str]:
    from monitor.enrich.wordlists import word_file

    lists = json.loads(word_file().read_text(encoding="utf-8"))
    return {word: lang for lang, words in lists.items() for word in words}


@cache
def _lingua(low_accuracy: bool = False):  # type: ignore[no-untyped-def]
    languages = [
        Language.ENGLISH,
        Language.FRENCH,
        Language.SPANISH,
        Language.PORTUGUESE,
        Language.SWAHILI,
    ]
    builder = LanguageDetectorBuilder.from_languages(*languages)
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    return builder.with_preloaded_language_models().build()


class LanguageIdentifier:
    """Callable language identifier; ``identify(text, hint)`` never raises."""

    def identify(self, text: str, hint: str | None = None) -> LanguageGuess:
        sample = text[:600]
        ascii_sample = sample.isascii()
        if ascii_sample:
            letters = _ascii_letters(sample[:400])
            script, count = "latin", letters
        else:
            head = sample[:400]
            scripts = Counter(s for s in map(_script_of, (c for c in head if c > "\x7f")) if s)
            scripts["latin"] += _ascii_letters(head)
            letters = sum(scripts.values())
            script, count = scripts.most_common(1)[0] if letters else ("latin", 0)
        if letters < MIN_LETTERS:
            return self._fallback(hint, "too short")
        if script != "latin" and count / letters >= 0.5:
            return LanguageGuess(
                self._refine_script(script, sample), round(count / letters, 3), "script"
            )
        if ascii_sample:
            words = sample[:300].lower().encode("ascii").translate(_ASCII_SPACES).decode().split()
        else:
            words = _WORDS.findall(sample.lower(), 0, 300)
        votes = Counter(lang for word in words for lang in _WORD_LANGS.get(word, ()))
        guess = _clear_vote(votes, len(words), min_hits=4, margin=2, share=0.12)
        if guess:
            return LanguageGuess(*guess, "function-words")
        marked = Counter(lang for lang in map(_common_words().get, words) if lang)
        guess = _clear_vote(marked, len(words), min_hits=5, margin=4, share=0.25)
        if guess:
            return LanguageGuess(*guess, "common-words")
        if len(sample) >= LINGUA_CHARS:
            values = _lingua(low_accuracy=True).compute_language_confidence_values(
                sample[:LINGUA_CHARS]
            )
        else:
            values = _lingua().compute_language_confidence_values(sample)
        if values:
            top = values[0]
            if top.value >= LINGUA_FLOOR:
                return LanguageGuess(
                    top.language.iso_code_639_1.name.lower(), round(top.value, 3), "lingua"
                )
        return self._fallback(hint, "unsure")

    @staticmethod
    def _refine_script(script: str, sample: str) -> str:
        if script == "ar":
            persian = sum(c in _PERSIAN for c in sample)
            urdu = sum(c in _URDU for c in sample)
            if urdu >= 2 and urdu >= persian / 3:
                return "ur"
            if persian >= 3:
                return "fa"
            return "ar"
        if script == "ru" and any(c in _UKRAINIAN for c in sample):
            return "uk"
        if script == "zh" and any(0x3040 <= ord(c) <= 0x30FF for c in sample):
            return "ja"
        return script

    @staticmethod
    def _fallback(hint: str | None, why: str) -> LanguageGuess:
        if hint:
            return LanguageGuess(hint, 0.0, f"feed hint ({why})")
        return LanguageGuess(UNKNOWN, 0.0, why)


@cache
def default_identifier() -> LanguageIdentifier:
    return LanguageIdentifier()
