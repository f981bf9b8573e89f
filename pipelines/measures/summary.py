"""Population counts and consistency checks over measures.measure_result (no member identifiers)."""

from __future__ import annotations

from datetime import datetime

import duckdb

from pipelines.duck import run_sql_file


def population_counts(con: duckdb.DuckDBPyConnection, program: str, period_start: datetime,
                      period_end: datetime) -> list[dict]:
    rows = con.execute("""
        select measure_id, stratum,
               count(*) filter (where initial_population) as initial_population,
               count(*) filter (where denominator) as denominator,
               count(*) filter (where denominator_exclusion) as denominator_exclusion,
               count(*) filter (where numerator) as numerator,
               count(*) filter (where evaluation_error is not null) as evaluation_errors
        from measures.measure_result
        where program = $program and period_start = $start and period_end = $end
        group by all
        order by measure_id, stratum nulls first""",
                       {"program": program, "start": period_start, "end": period_end}).fetchall()
    result = []
    for measure_id, stratum, ip, den, denex, num, errors in rows:
        eligible = den - denex
        result.append({"measure": measure_id, "stratum": stratum or "", "ip": ip, "den": den, "denex": denex,
                       "num": num, "rate": round(num / eligible, 4) if eligible else None,
                       "evaluation_errors": errors})
    return result


def consistency_problems(con: duckdb.DuckDBPyConnection, program: str, period_start: datetime,
                         period_end: datetime) -> dict[str, int]:
    """Rows breaking the population rules of measures.md 1.9, duplicate patient rows, and (plan program)
    denominator rows without a product line."""
    params = {"program": program, "start": period_start, "end": period_end}
    where = "program = $program and period_start = $start and period_end = $end"
    broken = con.execute(f"""
        select
            count(*) filter (where denominator <> initial_population) as denominator_not_ip,
            count(*) filter (where denominator_exclusion and not denominator) as exclusion_outside_denominator,
            count(*) filter (where numerator and (not denominator or denominator_exclusion)) as numerator_outside,
            count(*) filter (where numerator_row_id is not null and not numerator) as evidence_without_numerator,
            count(*) filter (where program = 'plan' and denominator and product_line is null)
                as denominator_without_product_line
        from measures.measure_result where {where}""", params).fetchone()
    duplicates = con.execute(f"""
        select count(*) from (
            select measure_id, patient_key from measures.measure_result where {where}
            group by all having count(*) > 1)""", params).fetchone()[0]
    names = ("denominator_not_ip", "exclusion_outside_denominator", "numerator_outside",
             "evidence_without_numerator", "denominator_without_product_line")
    return {**dict(zip(names, (int(v) for v in broken))), "duplicate_patient_rows": int(duplicates)}


def plan_input_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Enrollment input counts of the plan run just evaluated on `con` (its temp tables): members,
    segments, segments merged, members with claims and no enrollment, claim lines outside every segment."""
    run_sql_file(con, "measures/plan/enrollment_input_count.sql")
    cursor = con.execute("select * from enrollment_input_count")
    return {d[0]: int(v) for d, v in zip(cursor.description, cursor.fetchone())}
