"""Analyst keyword rules: a small, predictable query language.

``"Africa Corps" OR Wagner``, ``militia* AND (Ituri OR Djugu)`` is not supported on
purpose: a query is alternatives separated by ``OR``; each alternative is terms that
must all appear (``AND`` is optional); a term is a word, a ``"quoted phrase"``, a word
ending in ``*`` (prefix), or any of those preceded by ``-`` (must not appear).
Matching ignores case and accents and respects word boundaries.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from monitor.enrich.text import fold


@dataclass(frozen=True)
class Term:
    pattern: re.Pattern[str]
    negated: bool
    text: str


@dataclass(frozen=True)
class Query:
    source: str
    alternatives: tuple[tuple[Term, ...], ...]

    def matches(self, text: str) -> bool:
        folded = fold(text)
        return any(
            all(bool(term.pattern.search(folded)) != term.negated for term in group)
            for group in self.alternatives
        )


def _term(token: str) -> Term:
    negated = token.startswith("-") and len(token) > 1
    word = token[1:] if negated else token
    prefix = word.endswith("*")
    word = word.rstrip("*")
    folded = fold(word).strip()
    if not folded:
        raise ValueError(f"empty term in query near {token!r}")
    body = r"\s+".join(re.escape(part) for part in folded.split())
    pattern = re.compile(rf"(?<!\w){body}" + (r"\w*" if prefix else r"(?!\w)"))
    return Term(pattern, negated, token)


def parse_query(source: str) -> Query:
    try:
        lexer = shlex.shlex(source, posix=True, punctuation_chars="()")
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError as exc:
        raise ValueError(f"query {source!r}: {exc} (check the quotes)") from None
    if any(token in ("(", ")") for token in tokens):
        raise ValueError(
            f"query {source!r}: brackets are not supported; write alternatives with OR, "
            'e.g. militia* Ituri OR militia* Djugu (quote a phrase: "Africa Corps")'
        )
    unquoted = re.sub(r'"[^"]*"', " ", source)
    lower = re.findall(r"(?<![\w*-])(or|and|Or|And)(?![\w*])", unquoted)
    if lower:
        raise ValueError(
            f"query {source!r}: write the operators in capitals (OR, AND); "
            f'to search for the word itself, quote it: "{lower[0]}"'
        )
    groups: list[list[Term]] = [[]]
    for token in tokens:
        if token == "OR":
            if not groups[-1]:
                raise ValueError(f"query {source!r}: OR needs terms on both sides")
            groups.append([])
        elif token == "AND":
            continue
        else:
            groups[-1].append(_term(token))
    if not groups[-1]:
        raise ValueError(
            f"query {source!r}: nothing to match"
            if len(groups) == 1
            else f"query {source!r}: OR needs terms on both sides"
        )
    for group in groups:
        if all(term.negated for term in group):
            raise ValueError(
                f"query {source!r}: each alternative needs at least one term that must appear"
            )
    return Query(source, tuple(tuple(g) for g in groups))
