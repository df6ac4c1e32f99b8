"""The multilingual cue lexicon: indicator cues and context cues found in a text.

Cues come from ``monitor/taxonomy`` (every indicator's phrases in five languages) and
the context file (sport, business, historical ... vocabulary that changes what a risk
term means). A match names the indicator, so every explanation can cite the
indicator it rests on.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from monitor.enrich.text import PhraseMatcher, fold
from monitor.taxonomy import load_contexts, load_taxonomy


@dataclass(frozen=True)
class CuePayload:
    kind: str  # "indicator" or "context"
    key: str  # indicator id or context name
    phrase: str


@dataclass
class CueMatches:
    indicators: dict[str, list[str]] = field(default_factory=dict)
    contexts: Counter[str] = field(default_factory=Counter)

    def factor_counts(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for indicator, phrases in self.indicators.items():
            counts[indicator.split(".")[0]] += len(phrases)
        return counts

    def for_factor(self, factor_id: str) -> dict[str, list[str]]:
        return {i: p for i, p in self.indicators.items() if i.split(".")[0] == factor_id}


class CueLexicon:
    def __init__(self) -> None:
        entries: list[tuple[str, CuePayload]] = []
        for factor in load_taxonomy().risk_factors:
            for indicator in factor.indicators:
                for phrases in indicator.cues.by_language().values():
                    entries += [(p, CuePayload("indicator", indicator.id, p)) for p in phrases]
        for name, cues in load_contexts().contexts.items():
            for phrases in cues.by_language().values():
                entries += [(p, CuePayload("context", name, p)) for p in phrases]
        self._matcher: PhraseMatcher[CuePayload] = PhraseMatcher(entries)

    def match(self, text: str, folded: str | None = None) -> CueMatches:
        folded = fold(text) if folded is None else folded
        result = CueMatches()
        for match in self._matcher.find_all(folded):
            seen_here: set[tuple[str, str]] = set()
            for payload in match.payloads:
                if (payload.kind, payload.key) in seen_here:
                    continue
                seen_here.add((payload.kind, payload.key))
                if payload.kind == "indicator":
                    result.indicators.setdefault(payload.key, []).append(
                        folded[match.start : match.end]
                    )
                else:
                    result.contexts[payload.key] += 1
        return result


@cache
def default_lexicon() -> CueLexicon:
    return CueLexicon()
