"""The project's taxonomy: complete, consistent, and the single source of ids."""

from __future__ import annotations

from monitor.taxonomy import LANGUAGES, load_contexts, load_taxonomy


def test_fourteen_factors_with_indicators_and_cues_in_five_languages():
    taxonomy = load_taxonomy()
    assert taxonomy.factor_ids == [f"RF{n}" for n in range(1, 15)]
    assert [c.id for c in taxonomy.commitments] == ["C1", "C2", "C3", "C4", "C5"]
    for factor in taxonomy.risk_factors:
        assert factor.indicators, factor.id
        assert set(factor.commitments) <= {"C1", "C2", "C3", "C4", "C5"}
        for indicator in factor.indicators:
            assert indicator.id.startswith(factor.id + ".")
            for lang in LANGUAGES:
                cues = getattr(indicator.cues, lang)
                assert cues, (indicator.id, lang)
                assert all(c == c.lower() for c in cues), (indicator.id, lang)


def test_specific_factors_and_kinds_follow_the_framework():
    taxonomy = load_taxonomy()
    assert taxonomy.specific_factor_ids == ["RF9", "RF10", "RF11", "RF12", "RF13", "RF14"]
    assert taxonomy.trigger_factor_ids == ["RF8"]
    assert taxonomy.factor("RF9").crimes == ["genocide"]
    assert taxonomy.factor("RF13").crimes == ["war_crimes"]
    assert taxonomy.indicator("RF7.14").risk_factor == "RF7"


def test_context_cues_cover_every_language():
    contexts = load_contexts().contexts
    assert {"historical", "sport", "business"} <= set(contexts)
    for name, cues in contexts.items():
        for lang in LANGUAGES:
            assert getattr(cues, lang), (name, lang)
