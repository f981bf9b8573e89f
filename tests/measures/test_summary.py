"""Population counts and the consistency rules checked on measures.measure_result."""

from datetime import datetime

import duckdb

from pipelines.measures.engine import create_measure_tables, year_period
from pipelines.measures.summary import consistency_problems, population_counts

COLUMNS = ("program, measure_id, patient_key, period_start, period_end, stratum, initial_population, denominator, "
           "denominator_exclusion, denominator_exception, numerator, numerator_row_id")


def test_counts_rates_and_broken_rows():
    con = duckdb.connect()
    create_measure_tables(con)
    start, end = year_period(2025)
    rows = [
        ("ecqm", "COL", "a", start, end, "46-49", True, True, False, False, True, 7),
        ("ecqm", "COL", "b", start, end, "46-49", True, True, True, False, False, None),
        ("ecqm", "COL", "c", start, end, "46-49", True, True, False, False, False, None),
        ("ecqm", "COL", "d", start, end, None, False, False, False, False, False, None),
        ("ecqm", "COL", "e", datetime(2024, 1, 1), datetime(2024, 12, 31), None, True, True, False, False, True, None),
    ]
    con.executemany(f"insert into measures.measure_result ({COLUMNS}) values ({', '.join('?' * 12)})", rows)
    counts = population_counts(con, "ecqm", start, end)
    assert counts == [
        {"measure": "COL", "stratum": "", "ip": 0, "den": 0, "denex": 0, "num": 0, "rate": None, "evaluation_errors": 0},
        {"measure": "COL", "stratum": "46-49", "ip": 3, "den": 3, "denex": 1, "num": 1, "rate": 0.5,
         "evaluation_errors": 0},
    ]
    assert not any(consistency_problems(con, "ecqm", start, end).values())
    con.execute(f"insert into measures.measure_result ({COLUMNS}) values "
                "('ecqm', 'COL', 'a', $s, $e, null, false, false, false, false, true, 9)", {"s": start, "e": end})
    problems = consistency_problems(con, "ecqm", start, end)
    assert problems == {"denominator_not_ip": 0, "exclusion_outside_denominator": 0, "numerator_outside": 1,
                        "evidence_without_numerator": 0, "denominator_without_product_line": 0,
                        "duplicate_patient_rows": 1}


def test_plan_denominator_rows_need_a_product_line():
    con = duckdb.connect()
    create_measure_tables(con)
    start, end = year_period(2025)
    rows = [("plan", "BCS", "m1", start, end, None, True, True, False, False, False, None, "medicaid"),
            ("plan", "BCS", "m2", start, end, None, True, True, False, False, False, None, None),
            ("plan", "BCS", "m3", start, end, None, False, False, False, False, False, None, None)]
    con.executemany(f"insert into measures.measure_result ({COLUMNS}, product_line) values ({', '.join('?' * 13)})",
                    rows)
    assert consistency_problems(con, "plan", start, end)["denominator_without_product_line"] == 1
