"""Attribution on hand-written members, providers and claims (answers worked out in the comments)."""

import datetime as dt

import pytest

from pipelines.duck import transaction
from pipelines.scores.attribution import build_attribution
from tests.scores.support import claim, insert, member, provider, scores_db

P1, P2, P3, P4 = "1000000001", "1000000002", "1000000003", "1000000004"


@pytest.fixture()
def con(tmp_path):
    con = scores_db(tmp_path / "hmoqa.duckdb")
    insert(con, "provider", [provider(P1), provider(P2), provider(P3, in_network=False), provider(P4, pcp=False)])
    insert(con, "eligibility", [
        member("m01", "2025-01-01", "2025-12-31"), member("m02", "2025-01-01", "2025-12-31"),
        member("m03", "2025-01-01", "2025-12-31"),
        member("m04", "2025-01-01", "2025-06-30", pcp_npi=P1), member("m04", "2025-07-01", "2026-06-30", pcp_npi=P2),
        member("m05", "2025-03-01", "2025-04-30"), member("m06", "2024-01-01", "2025-12-31"),
        member("m07", "2025-01-01", "2025-12-31"), member("m08", "2025-01-01", "2025-12-31"),
        member("m09", "2023-01-01", "2023-12-31", pcp_npi=P1), member("m10", "2025-01-01", "2025-12-31"),
        member("m11", "2025-01-01", "2025-05-31", pcp_npi=P2), member("m11", "2025-06-01", "2025-09-30", pcp_npi=P1),
    ])
    insert(con, "medical_claim", [
        # m01: P1 twice, P2 once -> P1 by plurality (2 of 3 visits, 2 PCPs seen).
        claim("m01", "2025-02-01", rendering=P1), claim("m01", "2025-03-01", rendering=P1),
        claim("m01", "2025-09-01", rendering=P2),
        # m02: one visit each; P2's is more recent -> P2.
        claim("m02", "2025-03-01", rendering=P1), claim("m02", "2025-06-01", rendering=P2, hcpcs="G0439"),
        # m03: an out-of-network PCP (3 visits) and an in-network specialist (2) are ignored -> P1.
        claim("m03", "2025-01-10", rendering=P3), claim("m03", "2025-02-10", rendering=P3),
        claim("m03", "2025-03-10", rendering=P3), claim("m03", "2025-04-10", rendering=P4),
        claim("m03", "2025-05-10", rendering=P4), claim("m03", "2025-06-10", rendering=P1, hcpcs="99442"),
        # m05: a visit before the look-back (2023) and an ED code with P1 do not count -> unattributed.
        claim("m05", "2023-12-31", rendering=P1), claim("m05", "2025-03-15", rendering=P1, hcpcs="99285"),
        # m06: a visit in the first year of the 24-month look-back counts -> P2.
        claim("m06", "2024-01-01", rendering=P2, hcpcs="99396"),
        # m07: two lines on one day with P1 are one visit; P2 has two days -> P2.
        claim("m07", "2025-05-01", rendering=P1, claim_id="K7", line=1),
        claim("m07", "2025-05-01", rendering=P1, hcpcs="99214", claim_id="K7", line=2),
        claim("m07", "2025-01-01", rendering=P2), claim("m07", "2025-02-01", rendering=P2),
        # m08: P1's May visit is reversed (both lines dropped): 1-1 tie, P2's April visit is later -> P2.
        claim("m08", "2025-02-01", rendering=P1), claim("m08", "2025-05-01", rendering=P1, claim_id="K8"),
        claim("m08", "2025-05-01", rendering=P1, claim_id="K8", paid=-100.0),
        claim("m08", "2025-04-01", rendering=P2),
        # m09 is not enrolled in 2025: no row, and its visit is not counted.
        claim("m09", "2025-04-01", rendering=P1),
        # m10: same day with both -> tie on visits and date -> lowest NPI, P1.
        claim("m10", "2025-08-08", rendering=P2), claim("m10", "2025-08-08", rendering=P1),
    ])
    yield con
    con.close()


def attribution_rows(con, year=2025):
    rows = con.execute("select person_id, pcp_npi, attribution_method, attributed_visits, total_visits, pcps_seen, "
                       "last_visit_date from scores.attribution where measurement_year = ? order by 1", [year]).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_attribution_rules(con):
    with transaction(con):
        summary = build_attribution(con, 2025)
    rows = attribution_rows(con)
    d = dt.date
    assert rows == {
        "m01": (P1, "plurality_of_visits", 2, 3, 2, d(2025, 3, 1)),
        "m02": (P2, "plurality_of_visits", 1, 2, 2, d(2025, 6, 1)),
        "m03": (P1, "plurality_of_visits", 1, 1, 1, d(2025, 6, 10)),
        "m04": (P2, "assigned_pcp", 0, 0, 0, None),          # the segment covering Dec 31
        "m05": (None, "unattributed", 0, 0, 0, None),
        "m06": (P2, "plurality_of_visits", 1, 1, 1, d(2024, 1, 1)),
        "m07": (P2, "plurality_of_visits", 2, 3, 2, d(2025, 2, 1)),
        "m08": (P2, "plurality_of_visits", 1, 2, 2, d(2025, 4, 1)),
        "m10": (P1, "plurality_of_visits", 1, 2, 2, d(2025, 8, 8)),
        "m11": (P1, "assigned_pcp", 0, 0, 0, None),          # no segment covers Dec 31: the latest one
    }
    assert summary == {"assigned_pcp": 2, "plurality_of_visits": 7, "unattributed": 1}


def test_visit_counts_explain_the_choice(con):
    with transaction(con):
        build_attribution(con, 2025)
    rows = con.execute("select provider_npi, visits, visit_rank, attributed from scores.attribution_visit "
                       "where person_id = 'm01' order by visit_rank").fetchall()
    assert rows == [(P1, 2, 1, True), (P2, 1, 2, False)]
    # every attributed-by-visits member has exactly one attributed visit row, naming the same PCP
    mismatched = con.execute("""
        select count(*) from scores.attribution a
        left join scores.attribution_visit v
          on v.measurement_year = a.measurement_year and v.person_id = a.person_id and v.attributed
        where a.attribution_method = 'plurality_of_visits' and v.provider_npi is distinct from a.pcp_npi""").fetchone()
    assert mismatched == (0,)


def test_rerunning_a_year_replaces_its_rows(con):
    for _ in range(2):
        with transaction(con):
            build_attribution(con, 2025)
    assert con.execute("select count(*), count(distinct person_id) from scores.attribution").fetchone() == (10, 10)
    with transaction(con):
        build_attribution(con, 2024)
    # 2024: only m06 is enrolled (m09 ended in 2023); its 2024 visit with P2 attributes it.
    assert attribution_rows(con, 2024) == {"m06": (P2, "plurality_of_visits", 1, 1, 1, dt.date(2024, 1, 1))}
    assert con.execute("select count(*) from scores.attribution where measurement_year = 2025").fetchone() == (10,)


def test_code_lists_cover_the_documented_ranges():
    from pipelines.scores.code_lists import codes

    visit = set(codes("primary_care_visit"))
    spec = ({str(c) for c in range(99202, 99206)} | {str(c) for c in range(99211, 99216)}
            | {str(c) for c in range(99381, 99388)} | {str(c) for c in range(99391, 99398)}
            | {"G0438", "G0439", "99441", "99442", "99443", "98966", "98967", "98968", "99421", "99422", "99423"})
    assert spec <= visit
    assert not visit & {"99281", "99285", "99221", "99232"}          # ED and hospital E&M are not primary care
    assert "Z5111" in codes("planned_readmission", "ICD10CM") and "470" in codes("planned_readmission", "MSDRG")
    assert not set(codes("planned_readmission", "MSDRG")) & set(codes("planned_readmission", "ICD10CM"))
