"""Saving and loading the classifier with skops, never pickle.

Loading checks the file's types against an explicit allow-list: scikit-learn, NumPy and
SciPy types that skops already trusts, plus the project's own feature code named
below. Any other type in a model file is refused with the list of what was found.
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import skops.io as sio

from monitor.classify.model import RiskModel
from monitor.errors import MonitorError
from monitor.resources import models_dir

MODEL_FILE = "risk-model.skops"
INFO_FILE = "risk-model.json"

ALLOWED_TYPES = frozenset(
    {
        "monitor.classify.model.RiskModel",
        "monitor.classify.features.CueFeatures",
        "monitor.classify.features.analyze",
        "monitor.classify.features.prepare_all",
        "builtins.slice",
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
    }
)


class ModelError(MonitorError):
    pass


@dataclass
class ModelInfo:
    version: str
    trained_at: str
    seed: int
    factors: list[str]
    corpus_sha256: str
    taxonomy_fingerprint: str
    examples: int
    relevant_examples: int
    feedback_items: int
    languages: dict[str, int]
    parameters: dict[str, Any]
    metrics: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _estimators(model: RiskModel):  # type: ignore[no-untyped-def]
    for calibrated in [model.relevance_, *model.factor_models_]:
        for part in calibrated.calibrated_classifiers_:
            yield part.estimator


def _shrink(model: RiskModel) -> None:
    """Drop what prediction never reads and store linear weights in half precision.

    Half precision keeps three significant digits of each weight; the probabilities it
    gives differ from full precision by well under 0.01 (checked in the tests).
    """
    words = _words(model)
    if hasattr(words, "stop_words_"):
        del words.stop_words_  # every pruned term, kept by scikit-learn for introspection only
    for estimator in _estimators(model):
        estimator.coef_ = estimator.coef_.astype(np.float16)


def _words(model: RiskModel):  # type: ignore[no-untyped-def]
    return model.features_.named_steps["union"].transformer_list[0][1]


def save_model(model: RiskModel, info: ModelInfo, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    _shrink(model)
    path = folder / MODEL_FILE
    tmp = path.with_suffix(".tmp")
    words = _words(model)
    vocabulary = words.vocabulary_
    # A dict of 30,000 terms costs seconds to read back from skops' schema; one string
    # of terms in index order costs nothing. load_model() rebuilds the dict.
    model.vocabulary_terms_ = "\n".join(sorted(vocabulary, key=vocabulary.__getitem__))
    del words.vocabulary_
    try:
        sio.dump(model, tmp, compression=8)
    finally:
        words.vocabulary_ = vocabulary
        del model.vocabulary_terms_
    tmp.replace(path)
    (folder / INFO_FILE).write_text(json.dumps(info.as_dict(), indent=2, ensure_ascii=False) + "\n")
    return path


def load_model(folder: Path) -> tuple[RiskModel, ModelInfo]:
    path = folder / MODEL_FILE
    if not path.exists():
        raise ModelError(f"no trained model at {path}; run `monitor train`")
    try:
        found = set(sio.get_untrusted_types(file=path))
    except Exception as exc:
        raise ModelError(f"{path} is not a readable skops model file: {exc}") from None
    unexpected = sorted(found - ALLOWED_TYPES)
    if unexpected:
        raise ModelError(f"{path} contains types outside the allow-list: {', '.join(unexpected)}")
    model = sio.load(path, trusted=sorted(found))
    if not isinstance(model, RiskModel):
        raise ModelError(f"{path} does not hold a RiskModel")
    for estimator in _estimators(model):
        estimator.coef_ = estimator.coef_.astype(np.float32)
    terms = getattr(model, "vocabulary_terms_", None)
    if not isinstance(terms, str):
        raise ModelError(f"{path} has no vocabulary; retrain it with `monitor train`")
    _words(model).vocabulary_ = {term: index for index, term in enumerate(terms.split("\n"))}
    del model.vocabulary_terms_
    try:
        info = ModelInfo(**json.loads((folder / INFO_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as exc:
        raise ModelError(f"{folder / INFO_FILE} is missing or invalid: {exc}") from None
    return model, info


def model_folders(home: Path | None) -> list[Path]:
    """Where to look for the model: the installation's own training first, then the shipped one."""
    folders = []
    if home is not None:
        folders.append(home / "models")
    folders.append(models_dir())
    return folders


def load_current_model(home: Path | None) -> tuple[RiskModel, ModelInfo]:
    """The model in use, loaded once per process and again only when its file changes."""
    for folder in model_folders(home):
        path = folder / MODEL_FILE
        if path.exists():
            stat = path.stat()
            return _load_cached(folder, stat.st_mtime_ns, stat.st_size)
    raise ModelError("no trained model found; run `monitor train`")


@functools.lru_cache(maxsize=2)
def _load_cached(folder: Path, mtime_ns: int, size: int) -> tuple[RiskModel, ModelInfo]:
    return load_model(folder)
