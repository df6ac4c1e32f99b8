"""The risk classifier: a relevance gate and one calibrated model per risk factor.

``RiskModel`` is a scikit-learn estimator. ``fit(texts, Y)`` takes texts and a binary
matrix over the taxonomy's factors (a row of zeros is a negative);
``predict_proba(texts)`` returns the probability that each text is relevant at all
and, per factor, the probability that it signals that factor. Features are word and
stem TF-IDF plus the cue lexicon (:mod:`monitor.classify.features`), so the model
works in every language the lexicon covers from day one and learns from examples.

The factor models are trained on relevant examples only, so they answer "given that
this is about atrocity risk, which factors?"; a factor's probability is the product
of the gate and that conditional probability.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from monitor.classify.cues import default_lexicon
from monitor.classify.features import CueFeatures, TermIndex, analyze, prepare_all

THRESHOLD = 0.5


def build_features(min_df: int = 2) -> Pipeline:
    return Pipeline(
        [
            ("prepare", FunctionTransformer(prepare_all)),
            (
                "union",
                FeatureUnion(
                    [
                        (
                            "words",
                            TfidfVectorizer(
                                analyzer=analyze,
                                min_df=min_df,
                                sublinear_tf=True,
                                max_features=200_000,
                                dtype=np.float32,
                            ),
                        ),
                        ("cues", CueFeatures()),
                    ]
                ),
            ),
        ]
    )


@dataclass(frozen=True)
class Prediction:
    relevance: float
    factors: dict[str, float]
    labels: list[str]


@dataclass
class Explanation:
    factor: str
    probability: float
    indicators: dict[str, list[str]] = field(default_factory=dict)
    terms: list[tuple[str, float]] = field(default_factory=list)


class RiskModel(ClassifierMixin, BaseEstimator):
    def __init__(
        self,
        factor_ids: tuple[str, ...] = (),
        c_relevance: float = 4.0,
        c_factor: float = 4.0,
        min_df: int = 2,
        keep_terms: int = 32_000,
        random_state: int = 0,
    ) -> None:
        self.factor_ids = factor_ids
        self.c_relevance = c_relevance
        self.c_factor = c_factor
        self.min_df = min_df
        self.keep_terms = keep_terms
        self.random_state = random_state

    def _linear(self, c: float) -> LogisticRegression:
        return LogisticRegression(
            C=c,
            class_weight="balanced",
            max_iter=5000,
            solver="liblinear",
            random_state=self.random_state,
        )

    def fit(self, X, Y):  # type: ignore[no-untyped-def]
        texts = list(X)
        Y = np.asarray(Y, dtype=int)
        if Y.shape != (len(texts), len(self.factor_ids)):
            raise ValueError(
                f"Y must be {len(texts)} x {len(self.factor_ids)} (one column per factor)"
            )
        self.features_ = build_features(self.min_df).fit(texts)
        matrix = self.features_.transform(texts)
        relevant = Y.any(axis=1)
        self.relevance_ = CalibratedClassifierCV(
            self._linear(self.c_relevance), method="sigmoid", cv=5, ensemble=False
        ).fit(matrix, relevant.astype(int))
        positives = matrix[relevant]
        self.factor_models_ = []
        for column in range(len(self.factor_ids)):
            target = Y[relevant, column]
            if target.sum() < 5 or target.sum() > len(target) - 5:
                raise ValueError(
                    f"{self.factor_ids[column]}: too few positive or negative examples"
                )
            folds = min(5, int(target.sum()), int(len(target) - target.sum()))
            model = CalibratedClassifierCV(
                self._linear(self.c_factor), method="sigmoid", cv=folds, ensemble=False
            ).fit(positives, target)
            self.factor_models_.append(model)
        self.classes_ = np.array(self.factor_ids)
        self._prune_terms(self.keep_terms)
        return self

    def _prune_terms(self, keep: int) -> None:
        """Keep the ``keep`` terms with the largest weight in any of the linear models.

        The long tail of rare terms carries almost no weight but most of the file size;
        dropping it keeps the shipped model small without changing what it predicts
        beyond rounding.
        """
        words = self.features_.named_steps["union"].transformer_list[0][1]
        size = len(words.vocabulary_)
        if size <= keep:
            return
        estimators = [
            part.estimator
            for m in [self.relevance_, *self.factor_models_]
            for part in m.calibrated_classifiers_
        ]
        importance = np.zeros(size)
        for estimator in estimators:
            importance = np.maximum(importance, np.abs(estimator.coef_.ravel()[:size]))
        kept = np.sort(np.argsort(-importance, kind="stable")[:keep])
        position = {old: new for new, old in enumerate(kept)}
        words.vocabulary_ = {t: position[i] for t, i in words.vocabulary_.items() if i in position}
        words.idf_ = words.idf_[kept]
        words._tfidf.n_features_in_ = len(kept)
        columns = np.concatenate([kept, np.arange(size, estimators[0].coef_.shape[1])])
        for estimator in estimators:
            estimator.coef_ = estimator.coef_[:, columns]
            estimator.n_features_in_ = len(columns)
        for model in [self.relevance_, *self.factor_models_]:
            model.n_features_in_ = len(columns)

    def transform_texts(self, texts):  # type: ignore[no-untyped-def]
        return self.features_.transform(list(texts))

    def predict_proba_matrix(self, matrix) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
        """(relevance, conditional factor probabilities) for a feature matrix.

        The same numbers as each calibrated model's ``predict_proba``, computed with one
        matrix product for all models instead of fifteen validated calls.
        """
        weights, intercepts, slopes, offsets = _stacked(self)
        scores = np.asarray(matrix @ weights.T) + intercepts
        probabilities = expit(-(slopes * scores + offsets))
        return probabilities[:, 0], probabilities[:, 1:]

    def predict_proba(self, X) -> np.ndarray:  # type: ignore[no-untyped-def]
        """Per factor, P(relevant) x P(factor | relevant)."""
        relevance, conditional = self.predict_proba_matrix(self.transform_texts(X))
        return relevance[:, None] * conditional

    def predict(self, X) -> np.ndarray:  # type: ignore[no-untyped-def]
        return np.array(
            [[f in p.labels for f in self.factor_ids] for p in self.predictions(X)], dtype=int
        )

    def predictions(self, texts) -> list[Prediction]:  # type: ignore[no-untyped-def]
        relevance, conditional = self.predict_proba_matrix(self.transform_texts(texts))
        return [self._prediction(r, c) for r, c in zip(relevance, conditional, strict=True)]

    def _prediction(self, relevance: float, conditional: np.ndarray) -> Prediction:
        joint = {f: float(relevance * p) for f, p in zip(self.factor_ids, conditional, strict=True)}
        labels: list[str] = []
        if relevance >= THRESHOLD:
            labels = [
                f for f, p in zip(self.factor_ids, conditional, strict=True) if p >= THRESHOLD
            ]
            if not labels:
                labels = [self.factor_ids[int(np.argmax(conditional))]]
        return Prediction(float(relevance), joint, labels)

    def classify(self, texts, top: int = 6) -> list[tuple[Prediction, list[Explanation]]]:  # type: ignore[no-untyped-def]
        """Predictions with, for each predicted factor, its matched cues and strongest terms.

        Computes the same features as the fitted pipeline, but matches cues once per
        text and reuses the matches for the explanations.
        """
        prepared = prepare_all(list(texts))
        union = self.features_.named_steps["union"]
        words, cues = union.transformer_list[0][1], union.transformer_list[1][1]
        lexicon = default_lexicon()
        matches = [lexicon.match(doc, folded=doc) for doc in prepared]
        matrix = sp.hstack(
            [_term_index(words).transform(prepared), cues.from_matches(matches)], format="csr"
        )
        relevance, conditional = self.predict_proba_matrix(matrix)
        weights = _stacked(self)[0]
        rows_of = {factor: 1 + i for i, factor in enumerate(self.factor_ids)}
        results = []
        for row_index, (r, c) in enumerate(zip(relevance, conditional, strict=True)):
            prediction = self._prediction(r, c)
            explanations: list[Explanation] = []
            if prediction.labels:
                names = _feature_names(self)
                start, stop = matrix.indptr[row_index], matrix.indptr[row_index + 1]
                indices, data = matrix.indices[start:stop], matrix.data[start:stop]
                rows = [rows_of[factor] for factor in prediction.labels]
                # float32, as the shipped coefficients are: the same figures as before
                contributions = weights[rows][:, indices].astype(np.float32) * data
                for factor, row in zip(prediction.labels, contributions, strict=True):
                    order = np.argsort(-row)[:top]
                    terms = [
                        (str(names[indices[i]]), round(float(row[i]), 3))
                        for i in order
                        if row[i] > 0
                    ]
                    explanations.append(
                        Explanation(
                            factor,
                            prediction.factors[factor],
                            matches[row_index].for_factor(factor),
                            terms,
                        )
                    )
            results.append((prediction, explanations))
        return results

    def explain(self, text: str) -> tuple[Prediction, list[Explanation]]:
        return self.classify([text])[0]

    @property
    def feature_names_(self) -> np.ndarray:
        union = self.features_.named_steps["union"]
        words = union.transformer_list[0][1].get_feature_names_out()
        return np.concatenate([words, CueFeatures().get_feature_names_out()])


_STACKS: weakref.WeakKeyDictionary[RiskModel, tuple[np.ndarray, ...]] = weakref.WeakKeyDictionary()


_TERM_INDEXES: weakref.WeakKeyDictionary[TfidfVectorizer, TermIndex] = weakref.WeakKeyDictionary()


_NAMES: weakref.WeakKeyDictionary[RiskModel, np.ndarray] = weakref.WeakKeyDictionary()


def _feature_names(model: RiskModel) -> np.ndarray:
    names = _NAMES.get(model)
    if names is None or len(names) != _stacked(model)[0].shape[1]:
        names = _NAMES[model] = model.feature_names_
    return names


def _term_index(words: TfidfVectorizer) -> TermIndex:
    index = _TERM_INDEXES.get(words)
    if index is None or index.vocabulary is not words.vocabulary_:
        index = _TERM_INDEXES[words] = TermIndex(words.vocabulary_, words.idf_)
    return index


def _stacked(model: RiskModel) -> tuple[np.ndarray, ...]:
    """Weights, intercepts and sigmoid calibration of the gate and every factor, stacked."""
    cached = _STACKS.get(model)
    if cached is None:
        parts = [m.calibrated_classifiers_[0] for m in [model.relevance_, *model.factor_models_]]
        weights = np.vstack([p.estimator.coef_.ravel() for p in parts]).astype(np.float64)
        intercepts = np.array([float(p.estimator.intercept_[0]) for p in parts])
        slopes = np.array([float(p.calibrators[0].a_) for p in parts])
        offsets = np.array([float(p.calibrators[0].b_) for p in parts])
        cached = (weights, intercepts, slopes, offsets)
        _STACKS[model] = cached
    return cached
