"""Plan rates, exclusions by reason, strata and the rolling monthly rate, from hand-written plan
program results whose counts can be checked by hand (measurement year 2025)."""

from datetime import date

import duckdb
import pytest

from pipelines.measures.engine import create_measure_tables, year_period
from pipelines.measures.rates import (build_plan_rate_monthly, build_plan_rates, monthly_problems, rate_preview,
                                      rate_problems)

COLUMNS = ("program", "measure_id", "patient_key", "period_start", "period_end", "measurement_year", "product_line",
           "stratum", "initial_population", "denominator", "denominator_exclusion", "denominator_exception",
           "numerator", "exclusion_reason", "numerator_date")
HBA1C_OID = "2.16.840.1.113883.3.464.1003.198.12.1013"


def result(measure: str, member: str, line: str | None, *, eligible: bool = True, excluded: str | None = None,
           numerator: bool = False, evidence: date | None = None, stratum: str | None = None,
           program: str = "plan", year: int = 2025) -> tuple:
    start, end = year_period(year)
    return (program, measure, member, start, end, year, line, stratum, eligible, eligible, excluded is not None,
            False, numerator, excluded, evidence)


def insert(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    con.executemany(f"insert into measures.measure_result ({', '.join(COLUMNS)}) "
                    f"values ({', '.join('?' * len(COLUMNS))})", rows)


def plan_results() -> list[tuple]:
    rows = [
        # BCS commercial: 4 eligible, 1 excluded for two reasons, 2 screened (one in the prior year).
        result("BCS", "c1", "commercial", numerator=True, evidence=date(2025, 3, 5)),
        result("BCS", "c2", "commercial", numerator=True, evidence=date(2024, 11, 20)),
        result("BCS", "c3", "commercial", excluded="hospice,palliative_care"),
        result("BCS", "c4", "commercial"),
        result("BCS", "c5", "commercial", eligible=False),              # not eligible: counts nowhere
        # BCS medicaid: 3 eligible, 1 excluded, 1 screened in July.
        result("BCS", "m1", "medicaid", numerator=True, evidence=date(2025, 7, 10)),
        result("BCS", "m2", "medicaid", excluded="hospice"),
        result("BCS", "m3", "medicaid"),
        # COL medicare with its two strata.
        result("COL", "g1", "medicare", stratum="46-49", numerator=True, evidence=date(2019, 5, 1)),
        result("COL", "g2", "medicare", stratum="50-75", numerator=True, evidence=date(2025, 2, 14)),
        result("COL", "g3", "medicare", stratum="50-75"),
        # GSD (inverse) medicaid: d1 no test (numerator); d2 controlled by an April test; d3 by a January one.
        result("GSD", "d1", "medicaid", numerator=True),
        result("GSD", "d2", "medicaid"),
        result("GSD", "d3", "medicaid"),
        # Other programs and years never count.
        result("BCS", "e1", None, numerator=True, evidence=date(2025, 3, 1), program="ecqm"),
        result("BCS", "y1", "commercial", numerator=True, evidence=date(2024, 3, 1), year=2024),
    ]
    # GSD medicare: 31 eligible, 1 excluded -> denominator 30 (reportable), 6 poorly controlled.
    rows += [result("GSD", f"r{i:02}", "medicare", excluded="nursing_home" if i == 0 else None, numerator=1 <= i <= 6)
             for i in range(31)]
    # GSD commercial: denominator 29, not reportable.
    rows += [result("GSD", f"s{i:02}", "commercial", numerator=i < 3) for i in range(29)]
    return rows


def add_glycemic_tests(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("insert into measures.valueset_code values (?, 'http://loinc.org', '4548-4', '4548-4')", [HBA1C_OID])
    for row_id, member, day in ((1, "d2", "2025-04-20"), (2, "d3", "2025-01-10"), (3, "d2", "2024-12-01")):
        con.execute("""insert into clinical.observation (row_id, patient_key, source_kind, status, value_type,
                           value_quantity, value_unit, start_lo, end_lo)
                       values (?, ?, 'lab_result', 'final', 'Quantity', 7.0, '%', ?::timestamp, ?::timestamp)""",
                    [row_id, member, day, day])
        con.execute("insert into clinical.coding values (?, ?, 'Observation', 'code', 'http://loinc.org', '4548-4', "
                    "'4548-4')", [row_id, member])
    # The year's data runs to September: the rolling rate stops there.
    con.execute("insert into clinical.encounter (row_id, patient_key, source_kind, status, start_lo) "
                "values (10, 'c4', 'medical_claim', 'finished', '2025-09-15 09:00')")


@pytest.fixture()
def con():
    connection = duckdb.connect()
    create_measure_tables(connection)
    insert(connection, plan_results())
    add_glycemic_tests(connection)
    yield connection
    connection.close()


def rate_rows(con, table: str = "measures.plan_rate", year: int = 2025) -> dict:
    cursor = con.execute(f"select * from {table} where measurement_year = ?", [year])
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, r)) for r in cursor.fetchall()]
    key = ("measure_id", "product_line", "stratum") if table.endswith("stratum") else ("measure_id", "product_line")
    return {tuple(r[k] for k in key): r for r in rows}


def counts(row: dict) -> tuple:
    return row["eligible_population"], row["exclusions"], row["denominator"], row["numerator"]


def test_counts_per_measure_and_product_line(con):
    written = build_plan_rates(con, 2025)
    rates = rate_rows(con)
    assert counts(rates["BCS", "commercial"]) == (4, 1, 3, 2)
    assert counts(rates["BCS", "medicaid"]) == (3, 1, 2, 1)
    assert counts(rates["BCS", "all"]) == (7, 2, 5, 3)       # the ecqm row and the 2024 row are not counted
    assert counts(rates["COL", "medicare"]) == counts(rates["COL", "all"]) == (3, 0, 3, 2)
    assert counts(rates["GSD", "medicare"]) == (31, 1, 30, 6)
    assert counts(rates["GSD", "commercial"]) == (29, 0, 29, 3)
    assert counts(rates["GSD", "all"]) == (63, 1, 62, 10)
    assert rates["BCS", "commercial"]["rate"] == pytest.approx(2 / 3)
    assert rates["GSD", "medicare"]["rate"] == pytest.approx(0.2)
    assert written == {"plan_rate": 9, "plan_rate_stratum": 4, "plan_rate_exclusion": 7}


def test_wilson_interval_reportable_and_inverse(con):
    build_plan_rates(con, 2025)
    rates = rate_rows(con)
    bcs_all = rates["BCS", "all"]
    # 3 of 5: the textbook Wilson 95% interval is 0.231 to 0.882.
    assert (bcs_all["rate_low"], bcs_all["rate_high"]) == (pytest.approx(0.2307, abs=1e-4), pytest.approx(0.8824, abs=1e-4))
    assert rates["GSD", "medicare"]["reportable"] and not rates["GSD", "commercial"]["reportable"]
    assert not rates["BCS", "all"]["reportable"]
    assert {k: (r["inverse"], r["direction"]) for k, r in rates.items() if k[0] in ("GSD", "BCS") and k[1] == "all"} == {
        ("GSD", "all"): (True, "lower_is_better"), ("BCS", "all"): (False, "higher_is_better")}


def test_exclusions_by_reason_count_a_member_once_in_the_total(con):
    build_plan_rates(con, 2025)
    by_reason = dict(((m, line, reason), n) for m, line, reason, n in con.execute(
        "select measure_id, product_line, exclusion_reason, members from measures.plan_rate_exclusion "
        "where measurement_year = 2025").fetchall())
    assert by_reason == {("BCS", "commercial", "hospice"): 1, ("BCS", "commercial", "palliative_care"): 1,
                         ("BCS", "medicaid", "hospice"): 1, ("BCS", "all", "hospice"): 2,
                         ("BCS", "all", "palliative_care"): 1, ("GSD", "medicare", "nursing_home"): 1,
                         ("GSD", "all", "nursing_home"): 1}
    assert rate_rows(con)["BCS", "commercial"]["exclusions"] == 1    # c3 has two reasons, one exclusion


def test_col_strata_apart_from_the_overall_rate(con):
    build_plan_rates(con, 2025)
    strata = rate_rows(con, "measures.plan_rate_stratum")
    assert {k: counts(r) for k, r in strata.items()} == {
        ("COL", "medicare", "46-49"): (1, 0, 1, 1), ("COL", "medicare", "50-75"): (2, 0, 2, 1),
        ("COL", "all", "46-49"): (1, 0, 1, 1), ("COL", "all", "50-75"): (2, 0, 2, 1)}
    assert con.execute("select count(*) from measures.plan_rate where measure_id = 'COL'").fetchone()[0] == 2


def test_rerun_replaces_the_year_and_checks_pass(con):
    build_plan_rates(con, 2025)
    build_plan_rate_monthly(con, 2025)
    con.execute("update measures.measure_result set numerator = true, numerator_date = date '2025-08-01' "
                "where patient_key = 'c4' and measure_id = 'BCS'")
    build_plan_rates(con, 2025)
    build_plan_rate_monthly(con, 2025)
    assert counts(rate_rows(con)["BCS", "commercial"]) == (4, 1, 3, 3)
    assert con.execute("select count(*) from measures.plan_rate where measure_id = 'BCS' and product_line = 'all'"
                       ).fetchone()[0] == 1
    assert not any(rate_problems(con, 2025).values())
    assert not any(monthly_problems(con, 2025).values())


def test_checks_find_broken_rows(con):
    build_plan_rates(con, 2025)
    build_plan_rate_monthly(con, 2025)
    con.execute("update measures.plan_rate set numerator = 9, rate = 1.5 where measure_id = 'BCS' and product_line = 'medicaid'")
    con.execute("update measures.plan_rate_monthly set numerator = 0 where measure_id = 'BCS' and month_end = '2025-09-30'")
    problems = rate_problems(con, 2025)
    assert problems["rate_outside_0_1"] == 1 and problems["numerator_above_denominator"] == 1
    assert problems["interval_misses_rate"] == 1 and problems["lines_do_not_sum_to_all"] == 1
    monthly = monthly_problems(con, 2025)
    assert monthly["monthly_numerator_moves_backwards"] == 2 and monthly["last_month_numerator_differs"] == 2


def monthly(con, measure: str, line: str) -> list[tuple]:
    return con.execute("select month_end, denominator, numerator from measures.plan_rate_monthly "
                       "where measurement_year = 2025 and measure_id = ? and product_line = ? order by month_end",
                       [measure, line]).fetchall()


def test_rolling_rate_counts_evidence_up_to_each_month_end(con):
    build_plan_rates(con, 2025)
    build_plan_rate_monthly(con, 2025)
    bcs = monthly(con, "BCS", "commercial")
    # January to September (the last encounter of the year); c2's 2024 screening counts from January.
    assert [m for m, _, _ in bcs] == [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30),
                                      date(2025, 5, 31), date(2025, 6, 30), date(2025, 7, 31), date(2025, 8, 31),
                                      date(2025, 9, 30)]
    assert [(d, n) for _, d, n in bcs] == [(3, 1), (3, 1)] + [(3, 2)] * 7
    assert [n for _, _, n in monthly(con, "BCS", "medicaid")] == [0] * 6 + [1] * 3
    assert con.execute("select count(distinct product_line) from measures.plan_rate_monthly "
                       "where product_line = 'all'").fetchone()[0] == 0


def test_rolling_rate_of_the_inverse_measure(con):
    build_plan_rates(con, 2025)
    build_plan_rate_monthly(con, 2025)
    # d1 (no test) is poorly controlled all year; d3 is controlled from January 10, d2 only from April 20
    # (its December 2024 test is outside the year).
    assert [n for _, _, n in monthly(con, "GSD", "medicaid")] == [2, 2, 2, 1, 1, 1, 1, 1, 1]
    rows = con.execute("select rate, inverse from measures.plan_rate_monthly where measure_id = 'GSD' and "
                       "product_line = 'medicaid' and month_end = '2025-03-31'").fetchone()
    assert rows == (pytest.approx(2 / 3), True)


def test_months_run_to_december_when_the_year_has_no_data():
    con = duckdb.connect()
    create_measure_tables(con)
    insert(con, [result("CCS", "w1", "commercial"), result("CCS", "w2", "commercial", numerator=True)])
    build_plan_rates(con, 2025)
    assert build_plan_rate_monthly(con, 2025) == 12
    assert con.execute("select min(numerator), max(numerator), max(month_end) from measures.plan_rate_monthly"
                       ).fetchone() == (1, 1, date(2025, 12, 31))       # undated numerator: from January


def test_preview_has_aggregates_only(con):
    build_plan_rates(con, 2025)
    preview = rate_preview(con, 2025)
    assert preview[0] == {"measure": "BCS", "product_line": "all", "eligible": 7, "exclusions": 2, "denominator": 5,
                          "numerator": 3, "rate": 0.6, "low": 0.2307, "high": 0.8824, "reportable": False,
                          "direction": "higher_is_better"}
    members = {r[2] for r in plan_results()}
    assert not members & {str(v) for row in preview for v in row.values()}
