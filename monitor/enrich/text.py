"""Text folding and phrase matching shared by the cue lexicon and the country tagger.

:func:`fold` lower-cases, strips accents, unifies apostrophes and dashes and
normalises Arabic letter variants, character for character (Arabic diacritics and
tatweel are dropped), so that ``Ségou``, ``SEGOU`` and ``Segou`` compare equal.
:class:`PhraseMatcher` finds folded phrases on word boundaries with an Aho-Corasick
automaton; a phrase ending in ``*`` matches any word that starts with it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

import ahocorasick

T = TypeVar("T")

ARABIC_DIACRITICS = {*range(0x064B, 0x0660), 0x0670, 0x0640}
ARABIC_LETTERS = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"}
APOSTROPHES = "'’‘ʼʽʻ`´"
DASHES = "-‐‑‒–—"
ARABIC_PROCLITICS = set("وبفلك")


def _build_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for code in (
        list(range(0x00C0, 0x0250)) + list(range(0x1E00, 0x1F00)) + list(range(0x0370, 0x0530))
    ):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0]
        lower = base.lower()
        if len(lower) == 1 and lower != char:
            table[code] = lower
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code + 32)
    table.update(
        {
            ord("ß"): "s",
            ord("ø"): "o",
            ord("Ø"): "o",
            ord("æ"): "a",
            ord("Æ"): "a",
            ord("œ"): "o",
            ord("Œ"): "o",
            ord("ł"): "l",
            ord("Ł"): "l",
            ord("đ"): "d",
            ord("Đ"): "d",
            ord("ı"): "i",
            ord("İ"): "i",
            ord("ð"): "d",
            ord("þ"): "t",
        }
    )
    for char in APOSTROPHES:
        table[ord(char)] = "'"
    for char in DASHES:
        table[ord(char)] = " "
    for code in ARABIC_DIACRITICS:
        table[code] = None
    for char, replacement in ARABIC_LETTERS.items():
        table[ord(char)] = replacement
    table[0x00A0] = " "
    return table


FOLD_TABLE = _build_table()


_ASCII_FIXES = str.maketrans({"`": "'", "-": " "})


def fold(text: str) -> str:
    if text.isascii():
        return text.lower().translate(_ASCII_FIXES)
    return text.translate(FOLD_TABLE)


def is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def has_arabic(text: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" for c in text)


@dataclass(frozen=True)
class Match(Generic[T]):
    start: int
    end: int
    payloads: tuple[T, ...]


class PhraseMatcher(Generic[T]):
    """Folded phrases -> payloads. Several payloads may share one phrase."""

    def __init__(self, entries: Iterable[tuple[str, T]]) -> None:
        grouped: dict[str, list[T]] = {}
        for phrase, payload in entries:
            key = fold(phrase).strip()
            if key.endswith("*"):
                key = key[:-1] + "\x00"  # marks a prefix phrase inside the automaton value
            if len(key.rstrip("\x00")) < 2:
                continue
            grouped.setdefault(key, []).append(payload)
        self._automaton = ahocorasick.Automaton()
        for key, payloads in grouped.items():
            prefix = key.endswith("\x00")
            word = key.rstrip("\x00")
            existing = self._automaton.get(word, None)
            if existing is not None:
                payloads = [*existing[2], *payloads]
                prefix = prefix or existing[1]
            self._automaton.add_word(word, (len(word), prefix, tuple(payloads)))
        self.size = len(grouped)
        if self.size:
            self._automaton.make_automaton()

    def _bounded(self, text: str, start: int, end: int, prefix: bool) -> int | None:
        """End of the match if it sits on word boundaries, else None."""
        if start > 0 and is_word_char(text[start - 1]):
            before = text[start - 1]
            if not (
                before in ARABIC_PROCLITICS and (start == 1 or not is_word_char(text[start - 2]))
            ):
                return None
        if prefix:
            while end < len(text) and is_word_char(text[end]):
                end += 1
            return end
        if end < len(text) and is_word_char(text[end]):
            return None
        return end

    def find_all(self, folded: str) -> Iterator[Match[T]]:
        """Every bounded match, overlapping ones included."""
        if not self.size:
            return
        for last, (length, prefix, payloads) in self._automaton.iter(folded):
            start = last - length + 1
            end = self._bounded(folded, start, last + 1, prefix)
            if end is not None:
                yield Match(start, end, payloads)

    def find_longest(self, folded: str) -> Iterator[Match[T]]:
        """Bounded matches, longest first at each position, never overlapping."""
        if not self.size:
            return
        taken_until = -1
        candidates = []
        for last, (length, prefix, payloads) in self._automaton.iter(folded):
            start = last - length + 1
            if (
                start > 0
                and is_word_char(folded[start - 1])
                and folded[start - 1] not in ARABIC_PROCLITICS
            ):
                continue  # inside a word: cheap to rule out before sorting
            candidates.append((start, -length, last, prefix, payloads))
        candidates.sort()
        for start, _neg_length, last, prefix, payloads in candidates:
            if start <= taken_until:
                continue
            end = self._bounded(folded, start, last + 1, prefix)
            if end is None:
                continue
            taken_until = end - 1
            yield Match(start, end, payloads)


_NON_WORD = re.compile(r"[\W_]", re.UNICODE)
_ASCII_SPACED = bytes(c if c < 128 and chr(c).isalnum() else 32 for c in range(256))


def spaced_words(text: str) -> str:
    """``text`` with every character that is not a letter or digit turned into a space.

    ASCII text, the common case once folded, is done in C with a byte table; the regex
    gives the same result for the rest.
    """
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_SPACED).decode("ascii")
    return _NON_WORD.sub(" ", text)


class TokenMatcher(Generic[T]):
    """Whole-word phrases -> payloads, longest match first, never overlapping.

    Phrases and text are reduced to words separated by single spaces and padded with a
    space at each end before matching, so the Aho-Corasick automaton only ever reports
    whole-word hits ("sudan" never fires inside "sudanese"): far fewer candidates to sort
    than with a boundary check after the fact. An Arabic word may carry one proclitic
    letter (و ب ف ل ك) or the contraction لل for ل + ال; both are indexed as variants.
    """

    def __init__(self, entries: Iterable[tuple[str, T]]) -> None:
        grouped: dict[str, list[T]] = {}
        for phrase, payload in entries:
            words = _NON_WORD.sub(" ", fold(phrase)).split()
            if not words or sum(len(w) for w in words) < 2:
                continue
            key = " ".join(words)
            for variant in _arabic_variants(key):
                grouped.setdefault(f" {variant} ", []).append(payload)
        self._automaton = ahocorasick.Automaton()
        for key, payloads in grouped.items():
            self._automaton.add_word(key, (len(key), tuple(payloads)))
        self.size = len(grouped)
        if self.size:
            self._automaton.make_automaton()

    def find_longest(self, folded: str) -> Iterator[Match[T]]:
        if not self.size:
            return
        padded = " " + spaced_words(folded) + " "
        hits = sorted(
            (last - length + 1, -length, payloads)
            for last, (length, payloads) in self._automaton.iter(padded)
        )
        taken_until = -1
        for start, neg_length, payloads in hits:
            if start < taken_until:
                continue
            end = start - neg_length  # one past the closing space, in padded coordinates
            taken_until = end - 1  # the closing space may open the next match
            yield Match(start, end - 2, payloads)  # back to text coordinates (padding removed)


def _arabic_variants(key: str) -> list[str]:
    variants = [key]
    if key and "\u0600" <= key[0] <= "\u06ff":
        variants += [p + key for p in ARABIC_PROCLITICS]
        if key.startswith("ال"):
            variants.append("لل" + key[2:])
    return variants
