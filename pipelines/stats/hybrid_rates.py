"""Administrative rate, hybrid rate and lift for a hybrid-method measure.

The administrative rate is measured on the whole eligible population: administrative numerator hits
(claims, labs, immunisations) / eligible members. The hybrid rate is measured on the final sample
(main-sample members not excluded, plus their replacements): sampled members with an administrative
hit count first; for the rest the medical-record abstraction can close the gap. Lift = hybrid rate -
administrative rate: what chart review added.

What counts as a record hit is the measure's business (for example GSD uses the most recent result
in the year) and is decided upstream; here a record hit is a boolean per member. Each group gets a
Wilson interval on both rates. Draw the sample separately per product line when rates are reported
per product line, as HEDIS does, and pass `by=("product_line",)`.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from pipelines.stats.rates import wilson_exprs


def hybrid_rates(final_draw: pl.DataFrame, members: pl.DataFrame, *, by: Sequence[str] = (),
                 member: str = "member_id", administrative: str = "administrative_numerator",
                 record: str = "record_numerator") -> pl.DataFrame:
    """Rates per `by` group (or one row overall).

    `final_draw` is the draw table of `replace_excluded` (or `draw_hybrid_sample` when nothing was
    excluded); only rows with in_final_sample count. `members` has one row per eligible member with
    the `by` columns and two booleans: an administrative numerator hit and a record (chart) hit.
    Columns: eligible, administrative_hits, administrative_rate, sample_size, sample_administrative_hits,
    record_hits (record hits among sampled members without an administrative hit), hybrid_numerator,
    hybrid_rate, lift and the Wilson bounds of both rates.
    """
    keys = list(by)
    population = members.select(*keys, member, pl.col(administrative).fill_null(False).alias("_admin"),
                                pl.col(record).fill_null(False).alias("_record"))
    sampled = (final_draw.filter(pl.col("in_final_sample")).select(pl.col("member_id").alias(member))
               .join(population, on=member, how="inner"))
    population_counts = population.group_by(keys or pl.lit(1).alias("_all")).agg(
        pl.len().alias("eligible"), pl.col("_admin").sum().alias("administrative_hits"))
    sample_counts = sampled.group_by(keys or pl.lit(1).alias("_all")).agg(
        pl.len().alias("sample_size"), pl.col("_admin").sum().alias("sample_administrative_hits"),
        (~pl.col("_admin") & pl.col("_record")).sum().alias("record_hits"))
    join_keys = keys or ["_all"]
    result = population_counts.join(sample_counts, on=join_keys, how="left").with_columns(
        pl.col("sample_size", "sample_administrative_hits", "record_hits").fill_null(0))
    admin_lower, admin_upper = wilson_exprs("administrative_hits", "eligible")
    hybrid_lower, hybrid_upper = wilson_exprs("hybrid_numerator", "sample_size")
    result = (result
              .with_columns((pl.col("sample_administrative_hits") + pl.col("record_hits")).alias("hybrid_numerator"))
              .with_columns(
                  pl.when(pl.col("eligible") > 0).then(pl.col("administrative_hits") / pl.col("eligible"))
                  .alias("administrative_rate"),
                  admin_lower.alias("administrative_lower"), admin_upper.alias("administrative_upper"),
                  pl.when(pl.col("sample_size") > 0).then(pl.col("hybrid_numerator") / pl.col("sample_size"))
                  .alias("hybrid_rate"),
                  hybrid_lower.alias("hybrid_lower"), hybrid_upper.alias("hybrid_upper"))
              .with_columns((pl.col("hybrid_rate") - pl.col("administrative_rate")).alias("lift")))
    if not keys:
        result = result.drop("_all")
    return result.sort(keys) if keys else result
