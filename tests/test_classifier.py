"""The shipped classifier: safe loading, behaviour on hard cases, explanations, training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from sklearn.base import BaseEstimator

from monitor.classify.corpus import read_examples
from monitor.classify.persist import ModelError, load_model
from monitor.resources import models_dir


@pytest.fixture(scope="module")
def shipped():  # type: ignore[no-untyped-def]
    return load_model(models_dir())


def relevant(model, text: str) -> bool:  # type: ignore[no-untyped-def]
    prediction, _ = model.explain(text)
    return bool(prediction.labels)


@pytest.mark.parametrize(
    "text",
    [
        "Liverpool massacre Leeds 6-0 as the striker scores a hat-trick in the derby",
        "Le PSG a massacré Lyon 5-0 dimanche soir au Parc des Princes",
        "Price war: supermarkets slash costs as the battle for market share heats up",
        "Survivors gather in Kigali to commemorate the victims of the 1994 genocide against the Tutsi, thirty years on",
        "Voters queued peacefully and the opposition accepted the results of the presidential election in Ghana",
        "Police arrest a man after a robbery at a petrol station in Manchester left the cashier injured",
        "Festival de cine: la película sobre la guerra civil española gana el premio del público",
    ],
)
def test_hard_negatives_are_not_signals(shipped, text: str):
    model, _ = shipped
    assert not relevant(model, text)


@pytest.mark.parametrize(
    ("text", "factor"),
    [
        (
            "On 3 May 2024, armed men attacked Kalaya village (Bama, Borno) and killed 12 civilians.",
            "RF11",
        ),
        (
            "Militia fighters burned Masalit homes and killed men of the community in El Geneina, West Darfur",
            "RF9",
        ),
        (
            "Un convoi humanitaire de l'ONU a été attaqué et pillé près de Bunia ; deux travailleurs humanitaires enlevés",
            "RF14",
        ),
        ("Bombardeo aéreo contra un mercado y un hospital deja decenas de civiles muertos", "RF13"),
        (
            "Heavy clashes erupted between the army and rebels near the border, with shelling reported overnight",
            "RF1",
        ),
    ],
)
def test_signals_are_flagged_with_their_factor_and_explained(shipped, text: str, factor: str):
    model, _ = shipped
    prediction, explanations = model.explain(text)
    assert factor in prediction.labels
    assert 0.5 <= prediction.relevance <= 1
    explained = {e.factor: e for e in explanations}
    assert set(explained) == set(prediction.labels)
    assert explained[factor].terms  # the strongest terms are named


def test_probabilities_are_probabilities(shipped):
    model, _ = shipped
    probabilities = model.predict_proba(
        ["Shelling hit a market in Kharkiv", "Recipe: banana bread"]
    )
    assert probabilities.shape == (2, 14)
    assert np.all((probabilities >= 0) & (probabilities <= 1))
    assert probabilities[0].max() > probabilities[1].max()


class Stowaway(BaseEstimator):
    """A type nobody allowed: loading a file that holds it must fail."""


def test_model_files_with_unlisted_types_are_refused(tmp_path: Path):
    sio.dump(Stowaway(), tmp_path / "risk-model.skops")
    (tmp_path / "risk-model.json").write_text("{}")
    with pytest.raises(
        ModelError, match=r"outside the allow-list: tests\.test_classifier\.Stowaway"
    ):
        load_model(tmp_path)


def test_missing_model_says_how_to_fix(tmp_path: Path):
    with pytest.raises(ModelError, match="monitor train"):
        load_model(tmp_path)


@pytest.mark.slow
def test_the_shipped_model_is_reproducible_from_the_repository(shipped):
    from monitor.classify.train import train

    model, info = shipped
    retrained, new_info = train(db=None, seed=info.seed)
    assert new_info.version == info.version, (
        "the corpus or code changed: run `monitor train --no-feedback --out models`"
    )
    texts = [
        "On 3 May, armed men attacked a village and killed 12 civilians.",
        "Markets rallied on Friday.",
    ]
    assert np.allclose(retrained.predict_proba(texts), model.predict_proba(texts), atol=1e-4)


def test_fast_term_index_is_the_vectoriser(shipped):
    """classify() uses TermIndex instead of the fitted TF-IDF transform: same matrix."""
    from monitor.classify.features import prepare_all
    from monitor.classify.model import _term_index

    texts = [
        e.text for e in read_examples(Path(__file__).parent / "data" / "heldout-authored.jsonl")
    ]
    texts += ["", "   ", "___ 12 __", "a_b c_d killed_killed", "massacre massacre massacre"]
    words = shipped[0].features_.named_steps["union"].transformer_list[0][1]
    docs = prepare_all(texts)
    expected, got = words.transform(docs), _term_index(words).transform(docs)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    assert (got != 0).sum() == (expected != 0).sum() > 10_000
    assert abs(got - expected).max() < 1e-6
