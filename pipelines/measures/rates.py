"""Plan rates (plan-program.md 6): per measure x product line x measurement year, from the plan
program's member results in measures.measure_result.

- `measures.plan_rate`: eligible population, exclusions (members, once each), denominator =
  eligible - exclusions, numerator, rate = numerator / denominator with its Wilson 95% interval,
  reportable (denominator >= 30), inverse flag; product line 'all' for every line together.
- `measures.plan_rate_stratum`: the same by stratum (COL).
- `measures.plan_rate_exclusion`: exclusions by reason (a member with two reasons counts under both).
- `measures.plan_rate_monthly`: the rolling rate as of each month end of the year.

Counts come from SQL (sql/measures/plan_rate*.sql); the interval and reportability from
pipelines/stats/rates.py. `build_plan_rates` and `build_plan_rate_monthly` replace one year's rows; call them in a transaction.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from pipelines.duck import run_sql_file, sql_text
from pipelines.measures.engine import create_measure_tables
from pipelines.stats.rates import INVERSE_MEASURES, REPORTABLE_MIN_DENOMINATOR, wilson_exprs

PROGRAM_PLAN = "plan"
ALL_LINES = "all"
RATE_TABLES = ("measures.plan_rate", "measures.plan_rate_stratum", "measures.plan_rate_exclusion",
               "measures.plan_rate_monthly")
RATE_COLUMNS = ("measurement_year", "measure_id", "product_line", "eligible_population", "exclusions",
                "denominator", "numerator", "rate", "rate_low", "rate_high", "reportable", "inverse", "direction")


def create_plan_rate_tables(con: duckdb.DuckDBPyConnection) -> None:
    """measure_result (and the clinical and value-set tables it sits on) and the plan rate tables."""
    create_measure_tables(con)
    run_sql_file(con, "measures/plan_rate_tables.sql")


def year_params(year: int, program: str = PROGRAM_PLAN) -> dict[str, object]:
    return {"program": program, "year": year, "year_start": dt.date(year, 1, 1), "year_end": dt.date(year, 12, 31)}


def with_rates(counts: pl.DataFrame) -> pl.DataFrame:
    """Counts (numerator, denominator, measure_id) with rate, Wilson interval, reportable and direction."""
    low, high = wilson_exprs("numerator", "denominator")
    inverse = pl.col("measure_id").str.to_uppercase().is_in(sorted(INVERSE_MEASURES))
    return counts.with_columns(
        pl.when(pl.col("denominator") > 0).then(pl.col("numerator") / pl.col("denominator")).otherwise(None)
        .alias("rate"),
        low.alias("rate_low"),
        high.alias("rate_high"),
        (pl.col("denominator") >= REPORTABLE_MIN_DENOMINATOR).alias("reportable"),
        inverse.alias("inverse"),
        pl.when(inverse).then(pl.lit("lower_is_better")).otherwise(pl.lit("higher_is_better")).alias("direction"),
    )


def rate_counts(con: duckdb.DuckDBPyConnection, year: int, program: str = PROGRAM_PLAN) -> pl.DataFrame:
    """The counts of sql/measures/plan_rate.sql for one year (overall and by stratum)."""
    return con.execute(sql_text("measures/plan_rate.sql"), {"program": program, "year": year}).pl()


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, columns: tuple[str, ...]) -> int:
    if frame.is_empty():
        return 0
    con.register("plan_rate_frame", frame.select(columns).to_arrow())
    try:
        quoted = ", ".join(columns)
        con.execute(f"insert into {table} ({quoted}) select {quoted} from plan_rate_frame")
    finally:
        con.unregister("plan_rate_frame")
    return frame.height


def _clear(con: duckdb.DuckDBPyConnection, tables: tuple[str, ...], year: int) -> None:
    for table in tables:
        con.execute(f"delete from {table} where measurement_year = ?", [year])


def _rows(con: duckdb.DuckDBPyConnection, table: str, year: int) -> int:
    return int(con.execute(f"select count(*) from {table} where measurement_year = ?", [year]).fetchone()[0])


def build_plan_rates(con: duckdb.DuckDBPyConnection, year: int, program: str = PROGRAM_PLAN) -> dict[str, int]:
    """Replace the year's plan_rate, plan_rate_stratum and plan_rate_exclusion rows (call inside a
    transaction); returns rows written per table."""
    create_plan_rate_tables(con)
    _clear(con, RATE_TABLES[:3], year)
    rates = with_rates(rate_counts(con, year, program)).with_columns(pl.lit(year).alias("measurement_year"))
    written = {
        "plan_rate": _insert(con, "measures.plan_rate", rates.filter(~pl.col("by_stratum")), RATE_COLUMNS),
        "plan_rate_stratum": _insert(con, "measures.plan_rate_stratum", rates.filter(pl.col("by_stratum")),
                                     (*RATE_COLUMNS[:3], "stratum", *RATE_COLUMNS[3:])),
    }
    run_sql_file(con, "measures/plan_rate_exclusion.sql", {"program": program, "year": year})
    written["plan_rate_exclusion"] = _rows(con, "measures.plan_rate_exclusion", year)
    return written


def build_plan_rate_monthly(con: duckdb.DuckDBPyConnection, year: int, program: str = PROGRAM_PLAN) -> int:
    """Replace the year's rolling monthly rates (call inside a transaction); returns rows written."""
    create_plan_rate_tables(con)
    _clear(con, ("measures.plan_rate_monthly",), year)
    run_sql_file(con, "measures/plan_rate_monthly.sql",
                 {**year_params(year, program), "inverse_measures": sorted(INVERSE_MEASURES)})
    return _rows(con, "measures.plan_rate_monthly", year)


def rate_preview(con: duckdb.DuckDBPyConnection, year: int) -> list[dict]:
    """Aggregates of the year for asset metadata: one row per measure x product line (no member ids)."""
    rows = con.execute("""
        select measure_id, product_line, eligible_population, exclusions, denominator, numerator,
               round(rate, 4), round(rate_low, 4), round(rate_high, 4), reportable, direction
        from measures.plan_rate where measurement_year = ?
        order by measure_id, product_line = 'all' desc, product_line""", [year]).fetchall()
    names = ("measure", "product_line", "eligible", "exclusions", "denominator", "numerator", "rate", "low",
             "high", "reportable", "direction")
    return [dict(zip(names, row)) for row in rows]


def monthly_preview(con: duckdb.DuckDBPyConnection, year: int) -> list[dict]:
    """The plan's rolling rate per measure (product lines summed) as of each month end, one row per
    measure with a column per month: aggregates only, for asset metadata."""
    frame = con.execute("""
        select measure_id as measure, strftime(month_end, '%m') as month,
               round(sum(numerator) / nullif(sum(denominator), 0), 4) as rate
        from measures.plan_rate_monthly where measurement_year = ? group by all order by all""", [year]).pl()
    if frame.is_empty():
        return []
    return frame.pivot(on="month", index="measure", values="rate").to_dicts()


def rate_problems(con: duckdb.DuckDBPyConnection, year: int, program: str = PROGRAM_PLAN) -> dict[str, int]:
    """Rows breaking the rules of the rate tables, and disagreements with measure_result (0 = fine)."""
    bad = con.execute("""
        select
            count(*) filter (where rate < 0 or rate > 1) as rate_outside_0_1,
            count(*) filter (where numerator > denominator) as numerator_above_denominator,
            count(*) filter (where denominator <> eligible_population - exclusions) as denominator_not_eligible_minus_exclusions,
            count(*) filter (where rate is not null and not (rate_low <= rate + 1e-12 and rate <= rate_high + 1e-12))
                as interval_misses_rate,
            count(*) filter (where reportable <> (denominator >= $minimum)) as reportable_wrong
        from (select * from measures.plan_rate where measurement_year = $year
              union all by name
              select * exclude (stratum) from measures.plan_rate_stratum where measurement_year = $year)""",
                      {"year": year, "minimum": REPORTABLE_MIN_DENOMINATOR}).fetchone()
    names = ("rate_outside_0_1", "numerator_above_denominator", "denominator_not_eligible_minus_exclusions",
             "interval_misses_rate", "reportable_wrong")
    problems = dict(zip(names, (int(v) for v in bad)))
    # The 'all' rows against measure_result, and the product lines against their 'all' row.
    problems["all_lines_differ_from_measure_result"] = int(con.execute("""
        with member_count as (
            select measure_id,
                   count(*) as eligible_population,
                   count(*) filter (where denominator_exclusion) as exclusions,
                   count(*) filter (where not denominator_exclusion and numerator) as numerator
            from measures.measure_result
            where program = $program and measurement_year = $year and initial_population
            group by measure_id
        )
        select count(*)
        from member_count as m
        full join (select * from measures.plan_rate where measurement_year = $year and product_line = 'all') as r
            using (measure_id)
        where r.measure_id is null or m.measure_id is null
           or (m.eligible_population, m.exclusions, m.numerator) <> (r.eligible_population, r.exclusions, r.numerator)
        """, {"program": program, "year": year}).fetchone()[0])
    problems["lines_do_not_sum_to_all"] = int(con.execute("""
        select count(*) from (
            select measure_id, sum(eligible_population) as e, sum(exclusions) as x, sum(numerator) as n
            from measures.plan_rate where measurement_year = $year and product_line <> 'all' group by measure_id
        ) as lines
        join measures.plan_rate as a on a.measure_id = lines.measure_id and a.measurement_year = $year
                                     and a.product_line = 'all'
        where (lines.e, lines.x, lines.n) <> (a.eligible_population, a.exclusions, a.numerator)""",
                                                                  {"year": year}).fetchone()[0])
    return problems


def monthly_problems(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, int]:
    """The rolling table against plan_rate: same denominators, numerators moving one way only, and the
    last month's numerator equal to the year's."""
    row = con.execute("""
        with monthly as (
            select *, lag(numerator) over (partition by measure_id, product_line order by month_end) as previous,
                   month_end = max(month_end) over (partition by measure_id, product_line) as last_month
            from measures.plan_rate_monthly where measurement_year = $year
        )
        select
            count(*) filter (where m.denominator <> r.denominator or r.measure_id is null) as monthly_denominator_differs,
            count(*) filter (where m.numerator > m.denominator) as monthly_numerator_above_denominator,
            count(*) filter (where m.previous is not null and
                             case when m.inverse then m.numerator > m.previous else m.numerator < m.previous end)
                as monthly_numerator_moves_backwards,
            count(*) filter (where m.last_month and m.numerator <> r.numerator) as last_month_numerator_differs
        from monthly as m
        left join measures.plan_rate as r
            on r.measurement_year = $year and r.measure_id = m.measure_id and r.product_line = m.product_line""",
                      {"year": year}).fetchone()
    names = ("monthly_denominator_differs", "monthly_numerator_above_denominator",
             "monthly_numerator_moves_backwards", "last_month_numerator_differs")
    return dict(zip(names, (int(v) for v in row)))
