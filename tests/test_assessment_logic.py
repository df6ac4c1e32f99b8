"""Pure assessment logic: the reweighted EARS test, country levels, keyword queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from monitor.alerts.query import parse_query
from monitor.assess.baseline import ears_threshold, spike_test
from monitor.assess.levels import DayFactor, assess_level

DAY = date(2026, 3, 31)


def test_ears_threshold_matches_the_formula_without_outliers():
    baseline = [2, 3, 2, 4, 3, 2, 3]
    threshold, mean, sd = ears_threshold(baseline, alpha=0.025)
    # mean 2.714, sd 0.756; t(0.975, 6) = 2.447; sqrt(1 + 1/7) = 1.069
    assert mean == pytest.approx(2.714, abs=1e-3)
    assert sd == pytest.approx(0.756, abs=1e-3)
    assert threshold == pytest.approx(2.714 + 2.447 * 0.756 * 1.069, abs=2e-3)
    assert spike_test(6, baseline).spike and not spike_test(4, baseline).spike


def test_past_outliers_are_down_weighted():
    quiet = [1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1]
    with_flare = [*quiet[:-1], 30]
    plain_threshold = 1.357 + 2.160 * 30  # what an unweighted flare-up would allow, roughly
    threshold, _mean, _ = ears_threshold(with_flare)
    assert threshold < plain_threshold / 4
    assert spike_test(12, with_flare).spike  # a new flare is still seen


def test_zero_baseline_flags_any_activity_so_corroboration_must_gate_it():
    assert spike_test(0.5, [0.0] * 28).spike
    assert not spike_test(0.0, [0.0] * 28).spike


def window(days: dict[int, dict[str, tuple[float, int, int]]]) -> dict[date, dict[str, DayFactor]]:
    return {
        DAY - timedelta(days=k): {f: DayFactor(*v) for f, v in factors.items()}
        for k, factors in days.items()
    }


def test_levels_grow_with_factors_specific_factors_triggers_and_violence():
    assert assess_level(DAY, {}, 0).name == "none"
    assert assess_level(DAY, window({10: {"RF1": (1.2, 2, 2)}}), 0.5).name == "monitoring"
    assert assess_level(DAY, window({10: {"RF9": (1.5, 2, 2)}}), 0.5).name == "serious_concern"
    common = {"RF1": (1.2, 2, 2), "RF5": (1.1, 2, 2), "RF7": (1.3, 2, 2)}
    assert (
        assess_level(DAY, window({20: common, 2: {"RF8": (1.1, 2, 2)}}), 5.0).name
        == "imminent_risk"
    )
    assert assess_level(DAY, window({1: {"RF12": (1.0, 2, 2)}}), 0).name == "imminent_risk"
    violence = {k: {"RF11": (0.9, 2, 2)} for k in (0, 2, 4)}
    result = assess_level(DAY, window(violence), 10.0)
    assert result.name == "ongoing_crisis"
    assert any("3 of the last 7 days" in r for r in result.reasons)


def test_a_single_weak_signal_is_not_present():
    assert assess_level(DAY, window({3: {"RF11": (0.4, 1, 1)}}), 0).name == "none"


def test_surge_against_the_baseline():
    busy = window({k: {"RF1": (1.0, 2, 2)} for k in range(7)})
    assert assess_level(DAY, busy, baseline_weekly=7.0).name == "monitoring"
    assert assess_level(DAY, busy, baseline_weekly=2.0).name == "serious_concern"


def test_keyword_queries():
    query = parse_query('"Africa Corps" OR wagner -opera')
    assert query.matches("Des paramilitaires d'Africa Corps déployés à Kidal")
    assert query.matches("WAGNER fighters seen near Bamako")
    assert not query.matches("Wagner opera season opens")
    assert parse_query("militia* Ituri").matches("Militiamen attacked a camp in Ituri")
    for bad in ('"unclosed', "OR x", "-only"):
        with pytest.raises(ValueError):
            parse_query(bad)
    # Syntax people expect from search engines is refused, not silently misread.
    with pytest.raises(ValueError, match="brackets"):
        parse_query("militia* (Ituri OR Djugu)")
    with pytest.raises(ValueError, match="capitals"):
        parse_query("Ituri or Djugu")
    assert parse_query('"or" gold').matches("Le cours de l'or et gold")
