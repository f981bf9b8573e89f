"""The HEDIS hybrid-method systematic sample, drawn so that it can be audited and reproduced.

Steps (NCQA's systematic sampling, with the choices this project makes):

1. Sample size = minimum required sample (MRSS, 411) + oversample, where the oversample is 5, 10,
   15 or 20% of the MRSS rounded up (21, 42, 62 or 83 members).
2. The eligible population (N members) is ordered by a name-independent stable key:
   SHA-256 of "member_id|measure_id|measurement_year|seed" in hex (ties, which need a SHA-256
   collision, by member id). Names never enter, so the order cannot be steered, and anyone holding
   the member list and the seed can rebuild it (the same expression runs in DuckDB as `sha256(...)`).
3. Interval = floor(N / sample size), at least 1. Rounding down guarantees that
   start + (sample size - 1) x interval <= N, so every draw lands inside the list.
4. Start = ceil(R x interval) (at least 1), R a uniform number in [0, 1) from NumPy's
   default_rng(seed); R and the start are both recorded.
5. Members at sorted positions start, start + interval, start + 2 x interval, ... are drawn in that
   order; the first 411 draws are the main sample and the rest the oversample.
6. When N <= sample size, everyone is drawn (interval 1, start 1, no random number): the first 411
   in key order are the main sample and any others the oversample.
7. After chart review, members of the main sample found excluded (valid exclusions or data errors)
   are replaced from the oversample in order: the k-th excluded main-sample member (in draw order)
   is replaced by the k-th oversample member that is not itself excluded. If the oversample runs
   out, the shortfall is recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace

import duckdb
import numpy as np
import polars as pl

MINIMUM_REQUIRED_SAMPLE = 411
OVERSAMPLE_PERCENTAGES = (5, 10, 15, 20)

_DRAW_SCHEMA = {
    "member_id": pl.String, "sort_key": pl.String, "sort_position": pl.Int64, "draw_order": pl.Int64,
    "selection": pl.String, "excluded": pl.Boolean, "replaces_draw_order": pl.Int64,
    "replaced_by_draw_order": pl.Int64, "in_final_sample": pl.Boolean, "reason": pl.String,
}


@dataclass(frozen=True)
class HybridSampleParameters:
    """Everything needed to audit and reproduce a draw."""

    measure_id: str
    measurement_year: int
    seed: int
    eligible_population: int
    minimum_required_sample: int
    oversample_percentage: int
    oversample_size: int
    sample_size: int
    interval: int
    random_number: float | None
    start: int
    everyone_sampled: bool
    excluded_in_main_sample: int = 0
    replacements_made: int = 0
    shortfall: int = 0

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class HybridSample:
    """The draw (one row per drawn member, in draw order) and its parameters."""

    draw: pl.DataFrame
    parameters: HybridSampleParameters


def oversample_size(percentage: int, minimum_required_sample: int = MINIMUM_REQUIRED_SAMPLE) -> int:
    """percentage% of the MRSS rounded up, in integer arithmetic (411 x 5% = 20.55 -> 21)."""
    if percentage not in OVERSAMPLE_PERCENTAGES:
        raise ValueError(f"oversample must be one of {OVERSAMPLE_PERCENTAGES} percent, got {percentage}")
    return -(-minimum_required_sample * percentage // 100)


def sort_key_text(member_id: str, measure_id: str, measurement_year: int, seed: int) -> str:
    """The text whose SHA-256 orders a member (documented so an auditor can recompute one key by hand)."""
    return f"{member_id}|{measure_id}|{measurement_year}|{seed}"


def ordered_population(member_ids: Iterable[str] | pl.Series, measure_id: str, measurement_year: int, seed: int) -> pl.DataFrame:
    """The eligible population with its SHA-256 sort keys, sorted, with 1-based sort_position."""
    ids = member_ids if isinstance(member_ids, pl.Series) else pl.Series(list(member_ids))
    members = pl.DataFrame({"member_id": ids.cast(pl.String)}, schema={"member_id": pl.String})
    if members["member_id"].is_duplicated().any():
        raise ValueError("the eligible population lists a member more than once")
    suffix = f"|{measure_id}|{measurement_year}|{seed}"
    with duckdb.connect() as con:
        con.register("eligible_members", members.to_arrow())
        keyed = con.execute(
            "select member_id, sha256(member_id || $suffix) as sort_key from eligible_members "
            "order by sort_key, member_id", {"suffix": suffix}).pl()
    return keyed.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("sort_position"))


def draw_hybrid_sample(member_ids: Sequence[str] | pl.Series, *, measure_id: str, measurement_year: int,
                       seed: int, oversample_percentage: int = 10,
                       minimum_required_sample: int = MINIMUM_REQUIRED_SAMPLE,
                       start: int | None = None) -> HybridSample:
    """Draw the systematic sample (module docstring). Pass `start` only to replay a recorded draw."""
    population = ordered_population(member_ids, measure_id, measurement_year, seed)
    eligible = population.height
    extra = oversample_size(oversample_percentage, minimum_required_sample)
    sample_size = minimum_required_sample + extra
    everyone = eligible <= sample_size
    random_number: float | None = None
    if everyone:
        interval, start_position = 1, 1
        if start not in (None, 1):
            raise ValueError("when everyone is sampled the start is 1")
    else:
        interval = eligible // sample_size
        if start is None:
            random_number = float(np.random.default_rng(seed).random())
            start_position = max(1, int(np.ceil(random_number * interval)))
        else:
            if not 1 <= start <= interval:
                raise ValueError(f"start must lie in [1, {interval}], got {start}")
            start_position = start
    drawn = min(sample_size, eligible)
    positions = start_position + interval * np.arange(drawn, dtype=np.int64)
    draw = (pl.DataFrame({"sort_position": positions, "draw_order": np.arange(1, drawn + 1, dtype=np.int64)})
            .join(population, on="sort_position", how="left")
            .with_columns(
                pl.when(pl.col("draw_order") <= minimum_required_sample).then(pl.lit("main"))
                .otherwise(pl.lit("oversample")).alias("selection")))
    draw = _finalise(draw, set(), minimum_required_sample)
    parameters = HybridSampleParameters(
        measure_id=measure_id, measurement_year=measurement_year, seed=seed, eligible_population=eligible,
        minimum_required_sample=minimum_required_sample, oversample_percentage=oversample_percentage,
        oversample_size=extra, sample_size=sample_size, interval=interval, random_number=random_number,
        start=start_position, everyone_sampled=everyone)
    return HybridSample(draw=draw, parameters=parameters)


def _finalise(draw: pl.DataFrame, excluded_ids: set[str], minimum_required_sample: int) -> pl.DataFrame:
    base = draw.select("member_id", "sort_key", "sort_position", "draw_order").with_columns(
        pl.col("member_id").is_in(sorted(excluded_ids)).alias("excluded"))
    draw_order = base["draw_order"].to_numpy()
    excluded = base["excluded"].to_numpy()
    is_main = draw_order <= minimum_required_sample
    excluded_main = draw_order[is_main & excluded]
    usable_oversample = draw_order[~is_main & ~excluded]
    made = min(excluded_main.size, usable_oversample.size)
    replaced_by = dict(zip(excluded_main[:made].tolist(), usable_oversample[:made].tolist()))
    replaces = {new: old for old, new in replaced_by.items()}
    # oversample members up to the last one used were looked at; with a shortfall, all of them were
    if excluded_main.size > made:
        last_considered = np.inf
    else:
        last_considered = usable_oversample[made - 1] if made else minimum_required_sample

    selections, replaces_col, replaced_by_col, final, reasons = [], [], [], [], []
    for order, is_excluded in zip(draw_order.tolist(), excluded.tolist()):
        if order <= minimum_required_sample:
            selections.append("main")
            replaces_col.append(None)
            if is_excluded:
                new = replaced_by.get(order)
                replaced_by_col.append(new)
                final.append(False)
                reasons.append(f"excluded; replaced by draw {new}" if new is not None
                               else "excluded; oversample exhausted, not replaced")
            else:
                replaced_by_col.append(None)
                final.append(True)
                reasons.append("systematic draw, main sample")
        else:
            replaced_by_col.append(None)
            if order in replaces:
                selections.append("replacement")
                replaces_col.append(replaces[order])
                final.append(True)
                reasons.append(f"oversample used to replace excluded draw {replaces[order]}")
            else:
                selections.append("oversample")
                replaces_col.append(None)
                final.append(False)
                reasons.append("excluded oversample member, skipped" if is_excluded and order < last_considered
                               else ("excluded oversample member, not needed" if is_excluded
                                     else "oversample, not needed"))
    return base.with_columns(
        pl.Series("selection", selections, dtype=pl.String),
        pl.Series("replaces_draw_order", replaces_col, dtype=pl.Int64),
        pl.Series("replaced_by_draw_order", replaced_by_col, dtype=pl.Int64),
        pl.Series("in_final_sample", final, dtype=pl.Boolean),
        pl.Series("reason", reasons, dtype=pl.String),
    ).select(list(_DRAW_SCHEMA)).cast(_DRAW_SCHEMA)  # type: ignore[arg-type]


def replace_excluded(sample: HybridSample, excluded_member_ids: Iterable[str]) -> HybridSample:
    """Replace excluded main-sample members from the oversample in draw order (module docstring, step 7).

    Idempotent: it always starts again from the original draw, so calling it with the full list of
    exclusions known so far gives the same answer however the list was built up.
    """
    excluded_ids = {str(m) for m in excluded_member_ids}
    mrss = sample.parameters.minimum_required_sample
    draw = _finalise(sample.draw, excluded_ids, mrss)
    main = draw.filter(pl.col("draw_order") <= mrss)
    excluded_main = int(main["excluded"].sum())
    made = int((draw["selection"] == "replacement").sum())
    parameters = replace(sample.parameters, excluded_in_main_sample=excluded_main, replacements_made=made,
                         shortfall=excluded_main - made)
    return HybridSample(draw=draw, parameters=parameters)
