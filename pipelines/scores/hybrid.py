"""The hybrid method for CBP, CCS, CIS, EED and GSD: systematic sample, replacements, hybrid rates.

Per measure x product line x measurement year (docs/scores.md section 7):

1. The eligible population is the plan program's initial population (measures.measure_result,
   `program = 'plan'`), read with its administrative exclusions and numerator hits by
   sql/scores/hybrid_member.sql, which also reads the medical-record abstraction
   (staging.medical_record_abstraction) into a per-member "record closes the gap" and "record shows an
   exclusion".
2. The systematic sample (pipelines/stats/hybrid_sample.py): 411 + the configured oversample, members
   ordered by SHA-256 of "person_id|measure_id|year|seed", interval and random start recorded in
   measures.hybrid_sample_parameters; everyone when the population is smaller.
3. Members excluded administratively or by the record are replaced from the oversample in draw order.
4. Rates (pipelines/stats/hybrid_rates.py): administrative hits count first, the record closes the
   rest. Both run in the performance orientation; GSD (inverse) is turned back into its own
   orientation (share in poor control) before it is stored, so the hybrid table reads like every other
   rate table: lower is better for GSD, and its lift is negative when the charts helped.

The seed of each draw is derived from one base seed (default: the measurement year), the measure
and the product line, and stored with the draw, so anyone holding the member list can replay it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.duck import run_sql_file
from pipelines.scores.store import clear_year, insert_frame, year_params
from pipelines.stats.hybrid_rates import hybrid_rates
from pipelines.stats.hybrid_sample import (MINIMUM_REQUIRED_SAMPLE, HybridSample, draw_hybrid_sample,
                                           replace_excluded)
from pipelines.stats.rates import INVERSE_MEASURES

HYBRID_MEASURES = ("CBP", "CCS", "CIS", "EED", "GSD")
DEFAULT_OVERSAMPLE_PERCENTAGE = 10
TABLES = ("measures.hybrid_sample", "measures.hybrid_sample_parameters", "measures.hybrid_rate")


@dataclass(frozen=True)
class HybridSettings:
    """What an auditor needs besides the data to replay the year's draws."""

    oversample_percentage: int = DEFAULT_OVERSAMPLE_PERCENTAGE
    base_seed: int | None = None          # None: the measurement year
    program: str = "plan"
    minimum_required_sample: int = MINIMUM_REQUIRED_SAMPLE


def draw_seed(base_seed: int, measure_id: str, product_line: str) -> int:
    """A non-negative 63-bit seed per draw: the first 15 hex digits of sha256("base|measure|line")."""
    digest = hashlib.sha256(f"{base_seed}|{measure_id}|{product_line}".encode()).hexdigest()
    return int(digest[:15], 16)


def hybrid_members(con: duckdb.DuckDBPyConnection, year: int, program: str = "plan") -> pl.DataFrame:
    """One row per hybrid measure x eligible member: product line, exclusions, administrative and record hits."""
    params = {**year_params(year), "program": program, "inverse_measures": sorted(INVERSE_MEASURES),
              "hybrid_measures": list(HYBRID_MEASURES)}
    return run_sql_file(con, "scores/hybrid_member.sql", params).pl()


def _draw_rows(sample: HybridSample, members: pl.DataFrame, inverse: bool) -> pl.DataFrame:
    """The member-level table of one draw: the draw, why each member is excluded, and the hits."""
    facts = members.select(
        pl.col("person_id").alias("member_id"),
        pl.when(pl.col("administrative_exclusion")).then(pl.lit("administrative"))
        .when(pl.col("record_exclusion")).then(pl.lit("medical_record")).alias("exclusion_source"),
        "administrative_met", "record_met")
    draw = sample.draw.join(facts, on="member_id", how="left")
    final = pl.col("in_final_sample")
    met_after_review = pl.col("administrative_met") | pl.col("record_met")
    gap_closed_by = (pl.when(final & pl.col("administrative_met")).then(pl.lit("administrative"))
                     .when(final & pl.col("record_met")).then(pl.lit("medical_record")))
    # GSD: a "hit" in its own orientation is poor control, i.e. the care goal was NOT met.
    administrative_hit = ~pl.col("administrative_met") if inverse else pl.col("administrative_met")
    hybrid_hit = pl.when(final).then(~met_after_review if inverse else met_after_review)
    return draw.with_columns(
        pl.when(pl.col("excluded")).then(pl.col("exclusion_source")).alias("exclusion_source"),
        pl.when(pl.col("excluded")).then(None).otherwise(administrative_hit).alias("administrative_hit"),
        hybrid_hit.alias("hybrid_hit"),
        gap_closed_by.alias("gap_closed_by"),
    ).rename({"member_id": "person_id"}).sort("draw_order")


def _rates(sample: HybridSample, members: pl.DataFrame, inverse: bool) -> pl.DataFrame:
    """hybrid_rates in the performance orientation, then turned into the measure's own orientation."""
    kept = members.filter(~pl.col("administrative_exclusion")).rename({"person_id": "member_id"})
    rates = hybrid_rates(sample.draw, kept, administrative="administrative_met", record="record_met")
    if rates.is_empty():  # every eligible member excluded administratively
        rates = pl.DataFrame({"eligible": [0], "administrative_hits": [0], "sample_size": [0],
                              "sample_administrative_hits": [0], "record_hits": [0], "hybrid_numerator": [0]})
        return rates.with_columns(pl.lit(None, pl.Float64).alias(c) for c in (
            "administrative_rate", "administrative_lower", "administrative_upper",
            "hybrid_rate", "hybrid_lower", "hybrid_upper", "lift"))
    if not inverse:
        return rates
    # Complements: Wilson intervals are symmetric under x -> n - x, so the bounds swap.
    return rates.with_columns(
        (pl.col("eligible") - pl.col("administrative_hits")).alias("administrative_hits"),
        (pl.col("sample_size") - pl.col("sample_administrative_hits")).alias("sample_administrative_hits"),
        (pl.col("sample_size") - pl.col("hybrid_numerator")).alias("hybrid_numerator"),
        (1.0 - pl.col("administrative_rate")).alias("administrative_rate"),
        (1.0 - pl.col("administrative_upper")).alias("administrative_lower"),
        (1.0 - pl.col("administrative_lower")).alias("administrative_upper"),
        (1.0 - pl.col("hybrid_rate")).alias("hybrid_rate"),
        (1.0 - pl.col("hybrid_upper")).alias("hybrid_lower"),
        (1.0 - pl.col("hybrid_lower")).alias("hybrid_upper"),
        (-pl.col("lift")).alias("lift"),
    )


def hybrid_tables(members: pl.DataFrame, year: int,
                  settings: HybridSettings = HybridSettings()) -> dict[str, pl.DataFrame]:
    """Draw, replace and rate every measure x product line of `members` (the hybrid_members frame).

    Returns the three tables (without measurement_year): hybrid_sample (member level),
    hybrid_sample_parameters and hybrid_rate.
    """
    base_seed = year if settings.base_seed is None else settings.base_seed
    draws, parameters, rates = [], [], []
    for (measure_id, product_line), group in members.sort("measure_id", "product_line", "person_id").group_by(
            ["measure_id", "product_line"], maintain_order=True):
        inverse = measure_id.upper() in INVERSE_MEASURES
        seed = draw_seed(base_seed, measure_id, product_line)
        sample = draw_hybrid_sample(group["person_id"], measure_id=measure_id, measurement_year=year, seed=seed,
                                    oversample_percentage=settings.oversample_percentage,
                                    minimum_required_sample=settings.minimum_required_sample)
        excluded = group.filter(pl.col("administrative_exclusion") | pl.col("record_exclusion"))["person_id"]
        sample = replace_excluded(sample, excluded.to_list())
        keys = {"measure_id": measure_id, "product_line": product_line}
        draws.append(_draw_rows(sample, group, inverse).with_columns(pl.lit(v).alias(k) for k, v in keys.items()))
        parameters.append({**keys, "program": settings.program,
                           **{k: v for k, v in sample.parameters.as_dict().items()
                              if k not in ("measure_id", "measurement_year")}})
        rate = _rates(sample, group, inverse).with_columns(
            pl.lit(measure_id).alias("measure_id"), pl.lit(product_line).alias("product_line"),
            pl.lit(settings.program).alias("program"), pl.lit(inverse).alias("inverse"),
            pl.lit(group.height).alias("eligible_population"),
            pl.lit(int(group["administrative_exclusion"].sum())).alias("administrative_exclusions"),
            pl.lit(sample.parameters.shortfall).alias("shortfall"))
        rates.append(rate)
    if not draws:
        return {"measures.hybrid_sample": pl.DataFrame(), "measures.hybrid_sample_parameters": pl.DataFrame(),
                "measures.hybrid_rate": pl.DataFrame()}
    return {"measures.hybrid_sample": pl.concat(draws, how="diagonal_relaxed"),
            "measures.hybrid_sample_parameters": pl.DataFrame(parameters),
            "measures.hybrid_rate": pl.concat(rates, how="diagonal_relaxed")}


def build_hybrid(con: duckdb.DuckDBPyConnection, year: int,
                 settings: HybridSettings = HybridSettings()) -> dict[str, int]:
    """Replace the year's hybrid tables (call inside a transaction); returns rows written per table."""
    clear_year(con, TABLES, year)
    tables = hybrid_tables(hybrid_members(con, year, settings.program), year, settings)
    return {name.split(".")[1]: insert_frame(con, name, frame, year) for name, frame in tables.items()}


def hybrid_summary(con: duckdb.DuckDBPyConnection, year: int) -> list[dict]:
    """Per measure x product line: eligible, sample, administrative and hybrid rate, lift (no member ids)."""
    rows = con.execute("""
        select r.measure_id, r.product_line, r.eligible_population, r.sample_size, p.interval, p.start,
               round(r.administrative_rate, 4), round(r.hybrid_rate, 4), round(r.lift, 4)
        from measures.hybrid_rate as r
        join measures.hybrid_sample_parameters as p using (measurement_year, measure_id, product_line)
        where r.measurement_year = ? order by 1, 2""", [year]).fetchall()
    names = ("measure_id", "product_line", "eligible_population", "sample_size", "interval", "start",
             "administrative_rate", "hybrid_rate", "lift")
    return [dict(zip(names, row)) for row in rows]


__all__ = ["DEFAULT_OVERSAMPLE_PERCENTAGE", "HYBRID_MEASURES", "HybridSettings", "MINIMUM_REQUIRED_SAMPLE",
           "build_hybrid", "draw_seed", "hybrid_members", "hybrid_summary", "hybrid_tables"]
