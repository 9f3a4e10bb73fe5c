"""The statistical forecast of a monthly series (revenue, new customers): Holt's linear
exponential smoothing (statsmodels' ExponentialSmoothing, additive trend) fitted to the
months before this one, and its error on a held-back period: the same model fitted on all
but the last HOLDOUT months and compared with what those months really were.

Pure arithmetic on a list of numbers; which months and which records is the selectors'
business (analytics.forecast). A fit takes tens of milliseconds, so its result is cached
under the series itself: new data makes a new key, an unchanged history is not refitted.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache

HOLDOUT = 3  # months held back to measure the error
MIN_HISTORY = 6  # months the model needs to see before it says anything
HORIZON = 6  # months forecast, this one included
CACHE_SECONDS = 24 * 3600
CENT = Decimal("0.01")


@dataclass(frozen=True)
class BackTest:
    """The forecast of the held-back months from the months before them, beside what
    they were: the mean absolute error, and the mean absolute percentage error over the
    months that were not zero (None when every one was)."""

    predicted: tuple[Decimal, ...]
    actual: tuple[Decimal, ...]
    mae: Decimal
    mape: Decimal | None


@dataclass(frozen=True)
class Fit:
    forecast: tuple[Decimal, ...]  # HORIZON values, from the first month after the history
    backtest: BackTest | None  # None when the history is too short to hold months back


def _round(value: float) -> Decimal:
    """A forecast value to the cent, never below zero (no month sells less than nothing)."""
    return max(Decimal(repr(float(value))), Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)


def _predict(history: list[Decimal], horizon: int) -> list[Decimal]:
    # Heavy: loaded by the first forecast, not at start-up.
    import numpy as np
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    values = np.array([float(value) for value in history], dtype=float)
    if not values.any() or (values == values[0]).all():
        # A flat series (no sales at all, or the same every month) is its own forecast;
        # the optimiser has nothing to fit there and warns about it.
        return [_round(values[0])] * horizon
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence notes on short series
        model = ExponentialSmoothing(values, trend="add", initialization_method="estimated")
        predicted = model.fit().forecast(horizon)
    return [_round(value) for value in predicted]


def backtest(history: list[Decimal], holdout: int = HOLDOUT) -> BackTest | None:
    """Fit on all but the last `holdout` values, forecast those, and measure the miss."""
    if len(history) < MIN_HISTORY + holdout:
        return None
    known, actual = history[:-holdout], [Decimal(value) for value in history[-holdout:]]
    predicted = _predict(known, holdout)
    misses = [abs(p - a) for p, a in zip(predicted, actual, strict=True)]
    mae = (sum(misses, Decimal(0)) / holdout).quantize(CENT, rounding=ROUND_HALF_UP)
    shares = [miss / a for miss, a in zip(misses, actual, strict=True) if a]
    mape = (
        (sum(shares, Decimal(0)) * 100 / len(shares)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        if shares
        else None
    )
    return BackTest(tuple(predicted), tuple(actual), mae, mape)


def _key(history: list[Decimal], horizon: int, holdout: int) -> str:
    text = json.dumps([str(value) for value in history] + [horizon, holdout])
    return "forecast:" + hashlib.sha256(text.encode()).hexdigest()


def fit(history: list[Decimal], horizon: int = HORIZON, holdout: int = HOLDOUT) -> Fit | None:
    """The forecast of the next `horizon` values and the back-test, or None when there are
    fewer than MIN_HISTORY values to learn from."""
    if len(history) < MIN_HISTORY:
        return None
    key = _key(history, horizon, holdout)
    cached = cache.get(key)
    if isinstance(cached, Fit):
        return cached
    result = Fit(tuple(_predict(history, horizon)), backtest(history, holdout))
    cache.set(key, result, CACHE_SECONDS)
    return result
