"""Spike detection against a country's own baseline (pure functions).

The method is the reweighted EARS test used by ECDC's epitweetr: today's count is
compared with a one-sided prediction interval over the previous ``n`` days,

    U = mean + t(1 - alpha, n - 1) * sd * sqrt(1 + 1/n),

where past days that were themselves outliers (studentised residual above
t(0.95, n - 2)) are down-weighted by (threshold / residual)^4 before the mean and
standard deviation are taken, so one old flare-up does not hide the next one.
Source: epitweetr, R/alert.R (EU-ECDC, EUPL-1.2), as summarised in the project's
reference notes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.stats import t as student_t


@dataclass(frozen=True)
class SpikeTest:
    value: float
    threshold: float
    mean: float
    sd: float
    n: int
    spike: bool

    @property
    def ratio(self) -> float:
        return (
            self.value / self.threshold
            if self.threshold > 0
            else math.inf
            if self.value > 0
            else 0.0
        )


def _weighted_stats(values: Sequence[float], weights: Sequence[float]) -> tuple[float, float]:
    total = sum(weights)
    mean = sum(w * v for w, v in zip(weights, values, strict=True)) / total
    if len(values) < 2:
        return mean, 0.0
    variance = sum(w * (v - mean) ** 2 for w, v in zip(weights, values, strict=True)) / max(
        total - 1, 1e-9
    )
    return mean, math.sqrt(max(variance, 0.0))


def ears_threshold(baseline: Sequence[float], alpha: float = 0.025) -> tuple[float, float, float]:
    """(threshold, weighted mean, weighted sd) for the day after ``baseline``."""
    n = len(baseline)
    if n < 3:
        raise ValueError("the baseline needs at least three days")
    weights = [1.0] * n
    mean, sd = _weighted_stats(baseline, weights)
    if sd > 0:
        cutoff = float(student_t.ppf(0.95, n - 2))
        scale = sd * math.sqrt(1 - 1 / n)
        for index, value in enumerate(baseline):
            residual = (value - mean) / scale
            if residual > cutoff:
                weights[index] = (cutoff / residual) ** 4
        mean, sd = _weighted_stats(baseline, weights)
    threshold = mean + float(student_t.ppf(1 - alpha, n - 1)) * sd * math.sqrt(1 + 1 / n)
    return threshold, mean, sd


def spike_test(today: float, baseline: Sequence[float], alpha: float = 0.025) -> SpikeTest:
    threshold, mean, sd = ears_threshold(baseline, alpha)
    return SpikeTest(today, threshold, mean, sd, len(baseline), today > threshold)
