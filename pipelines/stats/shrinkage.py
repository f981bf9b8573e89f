"""Beta-binomial empirical-Bayes (shrunken) provider rates, their intervals and reliability.

A provider with 8 patients who all met a measure has a raw rate of 100%, but that says little about
how it would do with the next 8. Empirical Bayes treats each provider's true rate as drawn from a
Beta(alpha, beta) distribution fitted across all providers and reports the posterior mean

    shrunken rate = (x + alpha) / (n + alpha + beta),

which pulls small providers toward the plan mean and leaves large providers almost where they are.

Prior estimation: method of moments on the binomial-weighted dispersion of provider rates (the
beta-binomial analogue of DerSimonian-Laird), no optimiser needed. With k providers, caseloads n_i,
rates p_i, pooled rate mu = sum x / sum n and N = sum n:

    S     = sum n_i (p_i - mu)^2
    E[S]  = (k - 1) mu (1 - mu) + tau^2 (N - sum n_i^2 / N - (k - 1))
    tau^2 = max(0, (S - (k - 1) mu (1 - mu)) / (N - sum n_i^2 / N - (k - 1)))     between-provider variance
    m     = alpha + beta = mu (1 - mu) / tau^2 - 1,   alpha = mu m,   beta = (1 - mu) m

m is capped at N (the prior never weighs more than the whole plan's caseload). Fallback when the
moments cannot identify a prior (fewer than 2 providers with cases, a pooled rate of exactly 0 or 1,
no excess variation so tau^2 = 0, or a degenerate design): Beta(X + 1/2, N - X + 1/2), i.e. the
plan's pooled rate weighted as all its cases, with Jeffreys' half case on each side so the prior is
always proper. In the fallback every provider shrinks (almost) fully to the plan rate, and
reliability is 0, so nobody is ranked: that is the honest answer when providers cannot be told apart.

Reliability = signal / (signal + noise) with signal = tau^2 and noise = mu (1 - mu) / n_i, using the
plan rate mu (not the provider's own rate, which would give a 0%- or 100%-provider a noise of zero
and a reliability of 1). It equals n / (n + m + 1): the shrinkage weight n / (n + m) with one more
case in the denominator. Providers with n < 20 or reliability < 0.7 are flagged "too few cases" and
are not ranked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import ArrayLike, NDArray

from pipelines.stats.beta_distribution import beta_quantile
from pipelines.stats.rates import as_float_array, observed_rate

MIN_CASES_FOR_RANKING = 20
MIN_RELIABILITY_FOR_RANKING = 0.7
_MIN_PRIOR_STRENGTH = 1e-3


@dataclass(frozen=True)
class BetaPrior:
    """The fitted Beta(alpha, beta) prior and how it was obtained (stored with the scores for audit)."""

    alpha: float
    beta: float
    plan_rate: float
    between_variance: float
    providers: int
    method: str  # "method_of_moments", "method_of_moments_capped" or "fallback_<reason>"

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    @property
    def strength(self) -> float:
        """alpha + beta: how many cases' worth of weight the prior carries."""
        return self.alpha + self.beta


def _fallback_prior(total_numerator: float, total_denominator: float, providers: int, reason: str) -> BetaPrior:
    plan_rate = total_numerator / total_denominator if total_denominator > 0 else float("nan")
    return BetaPrior(alpha=total_numerator + 0.5, beta=total_denominator - total_numerator + 0.5,
                     plan_rate=plan_rate, between_variance=0.0, providers=providers,
                     method=f"fallback_{reason}")


def estimate_beta_prior(numerator: ArrayLike, denominator: ArrayLike) -> BetaPrior:
    """Fit the Beta prior across providers by the method of moments (module docstring for the formulas)."""
    x = as_float_array(numerator)
    n = as_float_array(denominator)
    with_cases = n > 0
    x, n = x[with_cases], n[with_cases]
    providers = int(n.size)
    total_n = float(n.sum())
    total_x = float(x.sum())
    if providers < 2:
        return _fallback_prior(total_x, total_n, providers, "fewer_than_two_providers")
    plan_rate = total_x / total_n
    if plan_rate <= 0.0 or plan_rate >= 1.0:
        return _fallback_prior(total_x, total_n, providers, "plan_rate_at_boundary")
    binomial_variance = plan_rate * (1.0 - plan_rate)
    dispersion = float(np.sum(n * (x / n - plan_rate) ** 2))
    design = total_n - float(np.sum(n * n)) / total_n - (providers - 1)
    if design <= 0.0:
        return _fallback_prior(total_x, total_n, providers, "degenerate_caseloads")
    between_variance = (dispersion - (providers - 1) * binomial_variance) / design
    if between_variance <= 0.0:
        return _fallback_prior(total_x, total_n, providers, "no_between_provider_variation")
    strength = binomial_variance / between_variance - 1.0
    method = "method_of_moments"
    if strength > total_n:
        strength, method = total_n, "method_of_moments_capped"
    strength = max(strength, _MIN_PRIOR_STRENGTH)
    return BetaPrior(alpha=plan_rate * strength, beta=(1.0 - plan_rate) * strength, plan_rate=plan_rate,
                     between_variance=between_variance, providers=providers, method=method)


@dataclass(frozen=True)
class ShrunkenRates:
    """Per-provider results, aligned with the input arrays (NaN where a value does not exist)."""

    raw_rate: NDArray[np.float64]
    shrunken_rate: NDArray[np.float64]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    reliability: NDArray[np.float64]
    too_few_cases: NDArray[np.bool_]
    prior: BetaPrior


def reliability(denominator: ArrayLike, between_variance: float, plan_rate: float) -> NDArray[np.float64]:
    """signal / (signal + noise), signal = between-provider variance, noise = plan_rate (1 - plan_rate) / n.

    0 when n = 0 or when there is no signal (providers cannot be told apart).
    """
    n = as_float_array(denominator)
    noise_numerator = plan_rate * (1.0 - plan_rate)
    if not between_variance > 0.0 or not noise_numerator > 0.0:
        return np.zeros(n.shape)
    with np.errstate(divide="ignore"):
        noise = np.where(n > 0, noise_numerator / np.where(n > 0, n, 1.0), np.inf)
    return np.where(n > 0, between_variance / (between_variance + noise), 0.0)


def shrink_rates(numerator: ArrayLike, denominator: ArrayLike, prior: BetaPrior | None = None,
                 credibility: float = 0.95) -> ShrunkenRates:
    """Shrunken rate, equal-tailed posterior credible interval, reliability and the not-ranked flag.

    The posterior of a provider's true rate is Beta(x + alpha, n - x + beta); the interval is its
    (1 - credibility)/2 and (1 + credibility)/2 quantiles. Pass `prior` to score a subset against a
    prior fitted on all providers.
    """
    x = as_float_array(numerator)
    n = as_float_array(denominator)
    fitted = prior if prior is not None else estimate_beta_prior(x, n)
    posterior_alpha = x + fitted.alpha
    posterior_beta = n - x + fitted.beta
    shrunken = posterior_alpha / (posterior_alpha + posterior_beta)
    tail = (1.0 - credibility) / 2.0
    lower = beta_quantile(tail, posterior_alpha, posterior_beta)
    upper = beta_quantile(1.0 - tail, posterior_alpha, posterior_beta)
    provider_reliability = reliability(n, fitted.between_variance, fitted.plan_rate)
    too_few = (n < MIN_CASES_FOR_RANKING) | (provider_reliability < MIN_RELIABILITY_FOR_RANKING)
    return ShrunkenRates(raw_rate=observed_rate(x, n), shrunken_rate=shrunken, lower=lower, upper=upper,
                         reliability=provider_reliability, too_few_cases=too_few, prior=fitted)


def shrink_frame(frame: pl.DataFrame, *, group_by: Sequence[str] = ("measure_id",),
                 numerator: str = "numerator", denominator: str = "denominator",
                 credibility: float = 0.95) -> pl.DataFrame:
    """Add shrinkage columns to a provider x measure table, fitting one prior per `group_by` group.

    Adds raw_rate, shrunken_rate, shrunken_lower, shrunken_upper, reliability, too_few_cases and the
    prior (prior_alpha, prior_beta, prior_method) so each row can be re-derived by hand.
    """
    if frame.height == 0:
        return frame.with_columns(
            pl.lit(None, pl.Float64).alias(c) for c in
            ("raw_rate", "shrunken_rate", "shrunken_lower", "shrunken_upper", "reliability")
        ).with_columns(pl.lit(None, pl.Boolean).alias("too_few_cases"),
                       pl.lit(None, pl.Float64).alias("prior_alpha"), pl.lit(None, pl.Float64).alias("prior_beta"),
                       pl.lit(None, pl.String).alias("prior_method"))
    parts = []
    for _, group in frame.group_by(list(group_by), maintain_order=True):
        scored = shrink_rates(group[numerator], group[denominator], credibility=credibility)
        parts.append(group.with_columns(
            pl.Series("raw_rate", scored.raw_rate).fill_nan(None),
            pl.Series("shrunken_rate", scored.shrunken_rate),
            pl.Series("shrunken_lower", scored.lower),
            pl.Series("shrunken_upper", scored.upper),
            pl.Series("reliability", scored.reliability),
            pl.Series("too_few_cases", scored.too_few_cases),
            pl.lit(scored.prior.alpha).alias("prior_alpha"),
            pl.lit(scored.prior.beta).alias("prior_beta"),
            pl.lit(scored.prior.method).alias("prior_method"),
        ))
    return pl.concat(parts)
