"""Member-experience (CAHPS-style) scores of one measurement year, from staging.survey_response.

Surveys dated in the year are scored by `stats.experience_scores` (composites at the respondent
level, ratings, top-box % and 0-100 means, case-mix adjustment on age, education, general and
mental health, reliability, respondent minimums):

* health_plan surveys at plan level, with two unit types: `product_line` (the member's payer_type
  on the survey date, else on their latest segment) and `plan` (every respondent in one unit);
* clinician_group surveys at provider level, unit `provider_npi` (answers without an NPI dropped).

A score below the publication minimum is stored with a null `shown_score` and a
`suppressed_reason`; under the privacy floor the means themselves are nulled too, because a
handful of answers can identify a member.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.scores.store import clear_year, insert_frame, read_frame, year_params
from pipelines.stats.experience_scores import experience_scores

TABLE = "scores.experience_score"
PLAN_UNIT = "plan"

RESPONSES_OF_YEAR = """
with survey_answer as (
    select respondent_id, person_id, survey_type, provider_npi, survey_date, item_id, response,
           age_band, education, general_health, mental_health
    from staging.survey_response
    where survey_date between $year_start and $year_end
),
respondent_product_line as (
    select s.respondent_id,
           arg_max(e.payer_type, struct_pack(covers := s.survey_date between e.enrollment_start_date
                                                                         and e.enrollment_end_date,
                                             e.enrollment_end_date, e.enrollment_start_date)) as product_line
    from (select distinct respondent_id, person_id, survey_date from survey_answer) as s
    join staging.eligibility as e using (person_id)
    group by s.respondent_id
)
select a.respondent_id, a.survey_type, a.provider_npi, a.item_id, a.response,
       a.age_band, a.education, a.general_health, a.mental_health,
       coalesce(p.product_line, 'unknown') as product_line
from survey_answer as a
left join respondent_product_line as p using (respondent_id)
"""

UNITS = (("health_plan", "product_line", "product_line"),
         ("health_plan", PLAN_UNIT, "_plan"),
         ("clinician_group", "provider_npi", "provider_npi"))


def responses_of_year(con: duckdb.DuckDBPyConnection, year: int) -> pl.DataFrame:
    params = year_params(year)
    return read_frame(con, RESPONSES_OF_YEAR, {"year_start": params["year_start"], "year_end": params["year_end"]})


def experience_table(responses: pl.DataFrame) -> pl.DataFrame:
    """One row per survey type x unit type x unit x measure x scoring, ready for scores.experience_score."""
    parts = []
    responses = responses.with_columns(pl.lit(PLAN_UNIT).alias("_plan"))
    for survey_type, unit_type, unit_column in UNITS:
        answers = responses.filter((pl.col("survey_type") == survey_type) & pl.col(unit_column).is_not_null())
        if answers.is_empty():
            continue
        scored = experience_scores(answers, unit=unit_column)
        if scored.is_empty():
            continue
        parts.append(scored.rename({unit_column: "unit_id"}).with_columns(
            pl.col("unit_id").cast(pl.String), pl.lit(survey_type).alias("survey_type"),
            pl.lit(unit_type).alias("unit_type")))
    if not parts:
        return pl.DataFrame()
    private = pl.col("display_status") == "suppressed_privacy"
    return pl.concat(parts, how="diagonal").with_columns(
        *[pl.when(private).then(None).otherwise(pl.col(c)).alias(c)
          for c in ("unadjusted_mean", "adjustment", "adjusted_mean", "reliability", "low_reliability")],
        pl.when(pl.col("display_status") == "shown").then(None).otherwise(pl.col("display_status"))
        .alias("suppressed_reason"))


def build_experience(con: duckdb.DuckDBPyConnection, year: int) -> int:
    """Replace the year's experience scores (call inside a transaction); returns rows written."""
    table = experience_table(responses_of_year(con, year))
    clear_year(con, (TABLE,), year)
    return insert_frame(con, TABLE, table, year)


def experience_summary(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, object]:
    """Plan-wide shown top-box scores per measure and counts of units by display status (no member ids)."""
    plan = con.execute(
        "select measure, round(shown_score, 1) from scores.experience_score where measurement_year = ? "
        "and unit_type = 'plan' and scoring = 'top_box' order by 1", [year]).fetchall()
    status = con.execute(
        "select unit_type || ':' || display_status, count(*) from scores.experience_score "
        "where measurement_year = ? group by 1 order by 1", [year]).fetchall()
    return {"plan_top_box": {m: s for m, s in plan}, "rows_by_status": {k: int(n) for k, n in status}}
