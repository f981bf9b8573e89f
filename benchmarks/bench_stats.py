"""Benchmark of the statistics library at the scale of a 1,000,000-member plan; prints figures.

Run: .venv/bin/python benchmarks/bench_stats.py [--members 1000000] [--providers 5000] [--seed 1]

Sizes assumed for a 1M-member plan (generous): one row per provider x measure for 7 measures,
a hybrid eligible population of 10% of members for one measure, survey answers from 5% of members
on 14 items, and 20 audited charts x 8 elements per provider with 10% re-reviewed. Synthetic inputs
are generated first and not timed. Never run as a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable

import numpy as np
import polars as pl

from pipelines.contract import MEASURE_IDS, SURVEY_ITEMS
from pipelines.stats.agreement import agreement_by_element, agreement_by_reviewer_pair, reviewer_agreement
from pipelines.stats.casemix import ADJUSTER_CODES
from pipelines.stats.experience_scores import experience_scores
from pipelines.stats.composite import percentile_rank, provider_composites
from pipelines.stats.hybrid_sample import draw_hybrid_sample, replace_excluded
from pipelines.stats.provider_scores import provider_measure_scores
from pipelines.stats.stars import assign_stars


def _timed(label: str, work: Callable[[], object], timings: list[tuple[str, float]]) -> object:
    started = time.perf_counter()
    result = work()
    timings.append((label, time.perf_counter() - started))
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--providers", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)

    providers = np.array([f"{1_000_000_000 + i}" for i in range(args.providers)])
    scores_input = pl.DataFrame({
        "provider_npi": np.repeat(providers, len(MEASURE_IDS)),
        "measure_id": np.tile(np.array(MEASURE_IDS), args.providers),
    })
    denominators = rng.poisson(args.members / args.providers * 0.15, scores_input.height)
    numerators = rng.binomial(denominators, np.clip(rng.normal(0.6, 0.08, scores_input.height), 0, 1))
    scores_input = scores_input.with_columns(pl.Series("denominator", denominators), pl.Series("numerator", numerators))

    eligible = [f"P{i:08d}" for i in range(args.members // 10)]

    respondents = args.members // 20
    items = len(SURVEY_ITEMS)
    item_ids = np.array(list(SURVEY_ITEMS))
    item_is_rating = np.array([kind == "rating" for kind in SURVEY_ITEMS.values()])
    answer_rows = respondents * items
    survey = pl.DataFrame({
        "respondent_id": np.repeat(np.arange(respondents), items),
        "provider_npi": np.repeat(rng.choice(providers, respondents), items),
        "item_id": np.tile(item_ids, respondents),
        "response": np.where(np.tile(item_is_rating, respondents), rng.integers(0, 11, answer_rows),
                             rng.integers(1, 5, answer_rows)),
        **{name: np.repeat(rng.choice(list(codes), respondents), items) for name, codes in ADJUSTER_CODES.items()},
    })

    audits_per_provider, elements = 20, 8
    audit_count = args.providers * audits_per_provider
    audit_ids = np.repeat(np.arange(audit_count), elements)
    first_round = pl.DataFrame({
        "audit_id": audit_ids, "review_round": 1,
        "provider_npi": np.repeat(providers, audits_per_provider * elements),
        "reviewer_id": np.repeat(rng.integers(0, 40, audit_count), elements).astype(str),
        "element": np.tile(np.arange(elements), audit_count).astype(str),
        "result": rng.choice(["pass", "fail", "not_applicable"], audit_count * elements, p=[0.8, 0.15, 0.05]),
    })
    second_round = (first_round.filter(pl.col("audit_id") % 10 == 0)
                    .with_columns(pl.lit(2).alias("review_round"),
                                  ((pl.col("reviewer_id").cast(pl.Int64) + 1) % 40).cast(pl.String).alias("reviewer_id")))
    audits = pl.concat([first_round, second_round])

    timings: list[tuple[str, float]] = []
    started = time.perf_counter()
    shrunk = _timed(f"provider x measure scores: Wilson, shrinkage, funnel ({scores_input.height:,} rows)",
                    lambda: provider_measure_scores(scores_input), timings)
    composites = _timed("provider composites", lambda: provider_composites(shrunk), timings)  # type: ignore[arg-type]
    composite_scores = composites["mean_shrunken_score"].to_numpy()  # type: ignore[index]
    _timed("percentile ranks + k-means stars",
           lambda: (percentile_rank(composite_scores), assign_stars(composite_scores)), timings)
    sample = _timed(f"hybrid sample draw ({len(eligible):,} eligible)",
                    lambda: draw_hybrid_sample(eligible, measure_id="CBP", measurement_year=2025, seed=args.seed),
                    timings)
    main_ids = sample.draw["member_id"].to_list()[:30]  # type: ignore[attr-defined]
    _timed("hybrid replacements", lambda: replace_excluded(sample, main_ids), timings)  # type: ignore[arg-type]
    _timed(f"member experience, case-mix adjusted ({respondents:,} respondents x {items} items)",
           lambda: experience_scores(survey, unit="provider_npi"), timings)
    _timed(f"chart-audit agreement ({audits.height:,} audit rows)",
           lambda: (agreement_by_element(audits), agreement_by_reviewer_pair(audits), reviewer_agreement(audits)),
           timings)
    total = time.perf_counter() - started

    print(f"statistics benchmark: {args.members:,} members, {args.providers:,} providers, seed {args.seed}")
    for label, seconds in timings:
        print(f"  {label:<70} {seconds:8.2f} s")
    print(f"  {'total':<70} {total:8.2f} s")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak resident memory {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
