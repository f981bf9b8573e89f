"""Attribution of each member to one primary-care provider per measurement year (docs/scores.md).

Plurality of primary-care E&M visits (code_lists/primary_care_visit.csv) with in-network PCPs
(staging.provider primary_care_flag = 1 and in_network, matched on the claim's rendering_npi) over
the 24 months ending Dec 31 of the year; ties go to the most recent visit, then the lowest NPI.
Members without such visits fall back to the PCP assigned on enrollment (eligibility.pcp_npi of the
segment covering Dec 31, else of the latest segment in the year), else they are unattributed.
Every member enrolled at any time in the year has exactly one row in scores.attribution;
scores.attribution_visit keeps the visit counts behind it.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from pipelines.duck import run_sql_file
from pipelines.scores.code_lists import codes
from pipelines.scores.store import clear_year, year_params

LOOKBACK_YEARS = 2
TABLES = ("scores.attribution_visit", "scores.attribution")


def attribution_params(year: int) -> dict[str, object]:
    return {**year_params(year), "lookback_start": dt.date(year - LOOKBACK_YEARS + 1, 1, 1),
            "visit_codes": list(codes("primary_care_visit"))}


def build_attribution(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, int]:
    """Replace the year's attribution rows (call inside a transaction); returns members per method."""
    clear_year(con, TABLES, year)
    params = attribution_params(year)
    run_sql_file(con, "scores/attribution_visit.sql", params)
    run_sql_file(con, "scores/attribution.sql",
                 {k: params[k] for k in ("year", "year_start", "year_end", "lookback_start")})
    return attribution_summary(con, year)


def attribution_summary(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, int]:
    """Members per attribution method for the year (counts only, no identifiers)."""
    rows = con.execute("select attribution_method, count(*) from scores.attribution where measurement_year = ? "
                       "group by 1 order by 1", [year]).fetchall()
    return {method: int(n) for method, n in rows}
