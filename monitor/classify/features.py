"""Feature extraction for the risk classifier, as scikit-learn transformers.

- :func:`prepare_all` folds every text once; the other steps read its output.
- :func:`analyze`: words, word pairs and word stems of folded text (accents and case
  removed, digits collapsed), for a TF-IDF vectoriser. Stems (the first letters of
  long words, Arabic words without their article) let ``massacre``, ``massacred``
  and ``massacrés`` share weight.
- :class:`CueFeatures`: counts of the taxonomy's indicator cues per risk factor and
  of context cues (sport, business, historical ...), plus "risk vocabulary inside a
  context" interactions, so a linear model can learn that a massacre in a match
  report is not a signal.

Both are stateless apart from scikit-learn's fitted vocabulary, and are saved with
skops under an explicit allow-list (see :mod:`monitor.classify.persist`).
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from monitor.classify.cues import CueMatches, default_lexicon
from monitor.enrich.language import FUNCTION_WORDS
from monitor.enrich.text import fold, spaced_words
from monitor.taxonomy import load_contexts, load_taxonomy

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_DIGITS = re.compile(r"\d+")
MAX_CHARS = 600  # headline and lede; the rest of a long article adds cost, not signal
STEM = 5
STOPWORDS = frozenset().union(*FUNCTION_WORDS.values()) | frozenset(
    [
        "i",
        "you",
        "he",
        "she",
        "we",
        "our",
        "your",
        "my",
        "me",
        "him",
        "her",
        "them",
        "us",
        "it's",
        "i'm",
        "don't",
        "can",
        "could",
        "would",
        "should",
        "or",
        "if",
        "so",
        "do",
        "does",
        "did",
        "just",
        "also",
        "very",
        "more",
        "most",
        "than",
        "then",
        "there",
        "here",
        "what",
        "when",
        "where",
        "how",
        "all",
        "any",
        "some",
        "no",
        "nor",
        "only",
        "own",
        "same",
        "too",
        "s",
        "t",
        "now",
        "about",
        "into",
        "over",
        "under",
        "again",
        "further",
        "once",
        "je",
        "tu",
        "nous",
        "vous",
        "mon",
        "ma",
        "mes",
        "ton",
        "ta",
        "tes",
        "son",
        "sa",
        "ses",
        "notre",
        "votre",
        "leurs",
        "y",
        "en",
        "ne",
        "ou",
        "mais",
        "donc",
        "yo",
        "tú",
        "él",
        "ella",
        "nosotros",
        "ellos",
        "mi",
        "mis",
        "tu",
        "tus",
        "nuestro",
        "pero",
        "o",
        "ni",
        "muy",
        "ya",
        "también",
        "eu",
        "ele",
        "ela",
        "nós",
        "eles",
        "meu",
        "minha",
        "seu",
        "sua",
        "nosso",
        "mas",
        "ou",
        "nem",
        "muito",
        "já",
        "também",
        "في",
        "من",
        "على",
        "الى",
        "إلى",
        "عن",
        "مع",
        "هذا",
        "هذه",
        "ذلك",
        "التي",
        "الذي",
        "ان",
        "أن",
        "كان",
        "قد",
        "لا",
        "ما",
        "هو",
        "هي",
    ]
)


def prepare(text: str) -> str:
    """Folded, lower-cased, digits collapsed: what every feature is computed on."""
    return _DIGITS.sub("0", fold(text[:MAX_CHARS]).lower())


def prepare_all(texts):  # type: ignore[no-untyped-def]
    return [prepare(t) for t in texts]


def analyze(doc: str) -> list[str]:
    """Tokens, bigrams and stems of one prepared document (function words left out)."""
    tokens = _TOKEN.findall(doc)
    features = [t for t in tokens if t not in STOPWORDS]
    features.extend(
        f"{a} {b}" for a, b in itertools.pairwise(tokens) if not (a in STOPWORDS and b in STOPWORDS)
    )
    for token in tokens:
        if len(token) > STEM + 1 and token.isascii():
            features.append("~" + token[:STEM])
        elif token.startswith("ال") and len(token) > 4:
            features.append("~" + token[2:])
        elif len(token) > 4 and token[0] in "وبل" and token[1:3] == "ال":
            features.append("~" + token[3:])
    return features


class TermIndex:
    """A fitted TF-IDF vectoriser's transform, with the terms looked up in C loops.

    Equivalent to the vectoriser's ``transform`` over :func:`analyze`: function-word
    unigrams and pairs of two function words are never in the vocabulary, so every
    token and pair can be looked up without filtering, and each token's stem column is
    remembered. The matrix is the vectoriser's own (sublinear tf, idf, l2 norm).
    """

    MEMO = 200_000

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray) -> None:
        self.vocabulary = vocabulary
        self.idf = np.asarray(idf, dtype=np.float64)
        self.stems: dict[str, int | None] = {}

    def _stem_column(self, token: str) -> int | None:
        if len(token) > STEM + 1 and token.isascii():
            return self.vocabulary.get("~" + token[:STEM])
        if token.startswith("ال") and len(token) > 4:
            return self.vocabulary.get("~" + token[2:])
        if len(token) > 4 and token[0] in "وبل" and token[1:3] == "ال":
            return self.vocabulary.get("~" + token[3:])
        return None

    def columns(self, doc: str) -> list[int]:
        tokens = spaced_words(doc).split()
        get, stems = self.vocabulary.get, self.stems
        found = list(map(get, tokens))
        found += map(get, map(" ".join, itertools.pairwise(tokens)))
        if len(stems) > self.MEMO:
            stems.clear()
        for token in tokens:
            if token not in stems:
                stems[token] = self._stem_column(token)
        found += map(stems.__getitem__, tokens)
        return [c for c in found if c is not None]

    def transform(self, docs: list[str]) -> sp.csr_matrix:
        indptr, indices = [0], []
        for doc in docs:
            indices.extend(self.columns(doc))
            indptr.append(len(indices))
        counts = sp.csr_matrix(
            (np.ones(len(indices)), np.array(indices, dtype=np.int64), np.array(indptr)),
            shape=(len(docs), len(self.vocabulary)),
        )
        counts.sum_duplicates()
        counts.data = (np.log(counts.data) + 1.0) * self.idf[counts.indices]
        norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        counts.data /= np.repeat(norms, np.diff(counts.indptr))
        return counts.astype(np.float32)


class CueFeatures(TransformerMixin, BaseEstimator):
    """Cue counts per risk factor and per context; fit learns nothing."""

    def fit(self, X, y=None):  # type: ignore[no-untyped-def]
        self.n_features_in_ = 1
        return self

    @staticmethod
    def feature_names() -> list[str]:
        factors = load_taxonomy().factor_ids
        contexts = list(load_contexts().contexts)
        return (
            [f"cue:{f}" for f in factors]
            + [f"context:{c}" for c in contexts]
            + [f"cue-in-context:{c}" for c in contexts]
            + ["cue:any", "cue:indicators"]
        )

    def transform(self, X):  # type: ignore[no-untyped-def]
        lexicon = default_lexicon()
        return self.from_matches([lexicon.match(doc, folded=doc) for doc in X])

    def from_matches(self, all_matches: list[CueMatches]) -> sp.csr_matrix:
        """The feature rows for cue matches already computed (prediction reuses them)."""
        factors = load_taxonomy().factor_ids
        contexts = list(load_contexts().contexts)
        rows, cols, values = [], [], []
        width = len(self.feature_names())
        for row, matches in enumerate(all_matches):
            counts = matches.factor_counts()
            total = sum(counts.values())
            for col, factor in enumerate(factors):
                if counts[factor]:
                    rows.append(row)
                    cols.append(col)
                    values.append(np.log1p(counts[factor]))
            base = len(factors)
            for offset, context in enumerate(contexts):
                n = matches.contexts[context]
                if n:
                    rows += [row]
                    cols += [base + offset]
                    values += [np.log1p(n)]
                    if total:
                        rows += [row]
                        cols += [base + len(contexts) + offset]
                        values += [1.0]
            if total:
                rows += [row, row]
                cols += [width - 2, width - 1]
                values += [np.log1p(total), np.log1p(len(matches.indicators))]
        return sp.csr_matrix(
            (values, (rows, cols)), shape=(len(all_matches), width), dtype=np.float64
        )

    def get_feature_names_out(self, input_features=None):  # type: ignore[no-untyped-def]
        return np.array(self.feature_names(), dtype=object)
