"""Utilization and cost on hand-written members and claims (answers worked out in the comments)."""

import datetime as dt

import pytest

from pipelines.duck import transaction
from pipelines.scores.attribution import build_attribution
from pipelines.scores.utilization import build_utilization
from tests.scores.support import claim, insert, member, scores_db

H1, H2 = "4000000001", "4000000002"
X, Y = "5000000001", "5000000002"


@pytest.fixture()
def con(tmp_path):
    con = scores_db(tmp_path / "hmoqa.duckdb")
    yield con
    con.close()


def build(con, year=2025):
    with transaction(con):
        build_attribution(con, year)
        return build_utilization(con, year)


def metric(con, metric_name, category, level="plan", unit="plan"):
    return con.execute(
        "select numerator, denominator, observed, expected_numerator, observed_to_expected, members "
        "from scores.utilization_metric where metric = ? and service_category = ? and level = ? and unit_id = ?",
        [metric_name, category, level, unit]).fetchone()


def test_member_months_merge_overlapping_segments(con):
    insert(con, "eligibility", [
        # u1: Jan 1 - Mar 31 and Feb 15 - Apr 15 overlap: Jan, Feb, Mar whole, Apr 15/30 -> 3.5
        member("u1", "2025-01-01", "2025-03-31"), member("u1", "2025-02-15", "2025-04-15"),
        # u2: commercial to Jun 10, medicaid from Jun 1: the later segment takes Jun 1-10 ->
        #     commercial Jan-May = 5.0, medicaid Jun-Dec = 7.0 (2024 days are another year)
        member("u2", "2024-07-01", "2025-06-10"), member("u2", "2025-06-01", "2025-12-31", payer_type="medicaid"),
        # u3: Feb 10-20 = 11 of February's 28 days
        member("u3", "2025-02-10", "2025-02-20", payer_type="medicare"),
    ])
    build(con)
    rows = con.execute("select person_id, product_line, sum(covered_days), round(sum(member_months), 6) "
                       "from scores.utilization_member_month group by 1, 2 order by 1, 2").fetchall()
    assert rows == [("u1", "commercial", 105, 3.5), ("u2", "commercial", 151, 5.0), ("u2", "medicaid", 214, 7.0),
                    ("u3", "medicare", 11, round(11 / 28, 6))]
    june = con.execute("select product_line, covered_days from scores.utilization_member_month "
                       "where person_id = 'u2' and month_start = '2025-06-01'").fetchall()
    assert june == [("medicaid", 30)]
    # member months = covered days / days in the month, for every row
    assert con.execute("select count(*) from scores.utilization_member_month "
                       "where abs(member_months - covered_days / dayofmonth(last_day(month_start))) > 1e-9"
                       ).fetchone() == (0,)
    by_line = dict(con.execute("select unit_id, round(member_months, 6) from scores.utilization_metric "
                               "where level = 'product_line' and metric = 'paid_pmpm' and service_category = 'all'"
                               ).fetchall())
    assert by_line == {"commercial": 8.5, "medicaid": 7.0, "medicare": round(11 / 28, 6)}


def test_pmpm_by_service_category(con):
    insert(con, "provider", [{"npi": H1, "provider_name": "Hospital", "specialty": "hospital",
                              "network_status": "in_network", "primary_care_flag": 0}])
    insert(con, "eligibility", [member("p1", "2025-01-01", "2025-12-31"),       # 12 member months
                                member("p2", "2025-01-01", "2025-06-30")])      # 6 member months
    insert(con, "medical_claim", [
        claim("p1", "2025-02-01", paid=100.0, allowed=120.0),                                   # professional
        claim("p1", "2025-03-01", claim_type="institutional", hcpcs=None, bill_type_code="131",
              revenue_center_code="0320", facility_npi=H1, paid=500.0, in_network_flag=0),     # outpatient, OON
        claim("p1", "2025-04-01", claim_type="institutional", hcpcs="99284", bill_type_code="131",
              revenue_center_code="0450", facility_npi=H1, paid=300.0, claim_id="ED1", line=1),
        claim("p1", "2025-04-01", claim_type="institutional", hcpcs=None, bill_type_code="131",
              revenue_center_code="0250", facility_npi=H1, paid=200.0, claim_id="ED1", line=2),   # ED claim: 500
        claim("p1", "2025-04-01", hcpcs="99284", place_of_service_code="23", paid=150.0),        # same ED visit
        claim("p1", "2025-05-01", hcpcs="E0601", paid=90.0),                                    # DME: other
        claim("p2", "2025-02-01", paid=40.0),
        claim("p2", "2025-03-01", paid=100.0, claim_id="R1"), claim("p2", "2025-03-01", paid=-100.0, claim_id="R1"),
        claim("p2", "2025-08-01", paid=1000.0),                                                 # not enrolled
    ])
    insert(con, "pharmacy_claim", [{"claim_id": "RX1", "claim_line_number": 1, "person_id": "p2",
                                    "dispensing_date": dt.date(2025, 3, 3), "ndc_code": "00000000001",
                                    "paid_amount": 60.0, "allowed_amount": 80.0}])
    build(con)
    # paid: professional 100 + 40 = 140, outpatient 500, ED 300 + 200 + 150 = 650, other 90, pharmacy 60
    # total 1440 over 18 member months = 80.00 PMPM
    expected = {"professional": 140.0, "outpatient": 500.0, "ed": 650.0, "other": 90.0, "pharmacy": 60.0,
                "inpatient": 0.0, "all": 1440.0}
    for category, paid in expected.items():
        numerator, denominator, observed, *_ = metric(con, "paid_pmpm", category)
        assert (numerator, denominator) == (pytest.approx(paid), pytest.approx(18.0)), category
        assert observed == pytest.approx(paid / 18.0), category
    assert metric(con, "allowed_pmpm", "all")[0] == pytest.approx(1440.0 + 20.0 + 20.0)   # 120 and 80 allowed
    # one ED visit (facility and physician claims on one day) in 18 member months -> 1 / 18 x 12,000
    assert metric(con, "ed_visits_per_1000", "ed")[:3] == (1.0, pytest.approx(18.0), pytest.approx(12000 / 18))
    # out-of-network share of medical paid: 500 / 1380
    assert metric(con, "out_of_network_share", "all")[:3] == (500.0, 1380.0, pytest.approx(500 / 1380))


def stay(person, admit, discharge, facility, *, drg="291", disposition="01", claim_id=None):
    return claim(person, admit, end=discharge, claim_type="institutional", hcpcs=None, bill_type_code="111",
                 revenue_center_code="0120", facility_npi=facility, drg_code=drg, admission_date=admit,
                 discharge_date=discharge, discharge_disposition_code=disposition, paid=5000.0, claim_id=claim_id)


def test_readmissions_with_a_transfer_and_a_planned_readmission(con):
    insert(con, "eligibility", [member("r1", "2025-01-01", "2025-12-31", payer_type="medicare"),
                                member("r2", "2025-01-01", "2025-12-31", payer_type="medicare"),
                                member("r3", "2025-01-01", "2025-12-31", payer_type="medicare")])
    insert(con, "medical_claim", [
        # r1, stay A: H1 Mar 1-5 then H2 from Mar 6 (the day after, another facility): one stay, Mar 1-10.
        stay("r1", "2025-03-01", "2025-03-05", H1), stay("r1", "2025-03-06", "2025-03-10", H2),
        # stay B, 10 days after A: an unplanned readmission of A.
        stay("r1", "2025-03-20", "2025-03-22", H1),
        # stay C, 19 days after B, DRG 470 (joint replacement): planned, so B is not readmitted.
        stay("r1", "2025-04-10", "2025-04-12", H1, drg="470"),
        # stay D: discharged after Dec 1, an admission of the year but not an index stay.
        stay("r1", "2025-12-15", "2025-12-18", H1),
        # r2: died in hospital (disposition 20): an admission, not an index stay.
        stay("r2", "2025-05-01", "2025-05-03", H1, disposition="20"),
        # r3: the same facility the day after discharge is a readmission, not a transfer.
        stay("r3", "2025-06-01", "2025-06-03", H1), stay("r3", "2025-06-04", "2025-06-06", H1),
    ])
    build(con)
    stays = con.execute("select person_id, admission_date, discharge_date, transfer, planned, counted_admission, "
                        "index_stay, readmitted from scores.utilization_inpatient_stay order by 1, 2").fetchall()
    d = dt.date
    assert stays == [
        ("r1", d(2025, 3, 1), d(2025, 3, 10), True, False, True, True, True),
        ("r1", d(2025, 3, 20), d(2025, 3, 22), False, False, True, True, False),
        ("r1", d(2025, 4, 10), d(2025, 4, 12), False, True, True, True, False),
        ("r1", d(2025, 12, 15), d(2025, 12, 18), False, False, True, False, False),
        ("r2", d(2025, 5, 1), d(2025, 5, 3), False, False, True, False, False),
        ("r3", d(2025, 6, 1), d(2025, 6, 3), False, False, True, True, True),
        ("r3", d(2025, 6, 4), d(2025, 6, 6), False, False, True, True, False),
    ]
    # 2 readmissions over 5 index stays; 7 admissions in 36 member months -> 7 / 36 x 12,000
    assert metric(con, "readmission_rate", "inpatient")[:3] == (2.0, 5.0, pytest.approx(0.4))
    assert metric(con, "admissions_per_1000", "inpatient")[:3] == (7.0, pytest.approx(36.0), pytest.approx(7000 / 3))


def test_a_stay_without_a_drg_is_an_unplanned_admission(con):
    # The contract allows a null DRG (the Tuva sample has such stays); list_contains(.., null) is null.
    insert(con, "eligibility", [member("n1", "2025-01-01", "2025-12-31", payer_type="medicare")])
    insert(con, "medical_claim", [stay("n1", "2025-02-01", "2025-02-03", H1, drg=None),
                                  stay("n1", "2025-02-10", "2025-02-12", H1, drg=None)])
    build(con)
    stays = con.execute("select planned, readmitted from scores.utilization_inpatient_stay order by admission_date").fetchall()
    assert stays == [(False, True), (False, False)]


def test_expected_values_from_the_panel_mix(con):
    # All commercial women enrolled all year (12 member months); ED visits per member month by age band:
    #   18-34: a1 (PCP X) 1 visit, a2 (PCP Y) 0                              -> 1 / 24
    #   65-74: b1 (PCP X) 0, b2 (PCP Y) 3, b3 (PCP Y) 1, n1 (unattributed) 0  -> 4 / 48
    # X: observed 1, expected 12 x 1/24 + 12 x 4/48 = 1.5, O/E = 0.667
    # Y: observed 4, expected 12 x 1/24 + 24 x 4/48 = 2.5, O/E = 1.6
    # unattributed: observed 0, expected 12 x 4/48 = 1 ; the plan: 5 observed, 5 expected
    insert(con, "eligibility", [
        member("a1", "2025-01-01", "2025-12-31", birth_date="1995-03-01", pcp_npi=X),
        member("a2", "2025-01-01", "2025-12-31", birth_date="1995-03-01", pcp_npi=Y),
        member("b1", "2025-01-01", "2025-12-31", birth_date="1955-03-01", pcp_npi=X),
        member("b2", "2025-01-01", "2025-12-31", birth_date="1955-03-01", pcp_npi=Y),
        member("b3", "2025-01-01", "2025-12-31", birth_date="1955-03-01", pcp_npi=Y),
        member("n1", "2025-01-01", "2025-12-31", birth_date="1955-03-01"),           # unattributed, 0 visits
    ])
    ed = [("a1", "2025-02-01"), ("b2", "2025-02-01"), ("b2", "2025-05-01"), ("b2", "2025-09-01"), ("b3", "2025-03-01")]
    insert(con, "medical_claim", [claim(p, day, hcpcs="99283", place_of_service_code="23") for p, day in ed])
    build(con)
    x = metric(con, "ed_visits_per_1000", "ed", "pcp", X)
    y = metric(con, "ed_visits_per_1000", "ed", "pcp", Y)
    assert (x[0], x[3], x[4]) == (1.0, pytest.approx(1.5), pytest.approx(1 / 1.5))
    assert (y[0], y[3], y[4]) == (4.0, pytest.approx(2.5), pytest.approx(1.6))
    assert x[2] == pytest.approx(12000 / 24) and x[5] == 2          # observed per 1,000 member-years
    unattributed = metric(con, "ed_visits_per_1000", "ed", "unattributed", "unattributed")
    assert (unattributed[0], unattributed[3], unattributed[4]) == (0.0, pytest.approx(1.0), 0.0)
    assert metric(con, "ed_visits_per_1000", "ed")[3:5] == (pytest.approx(5.0), pytest.approx(1.0))
    cells = con.execute("select person_id, age_band, sex, product_line, pcp_npi from scores.utilization_member "
                        "order by 1").fetchall()
    assert cells[0] == ("a1", "18-34", "female", "commercial", X) and cells[-1] == ("n1", "65-74", "female",
                                                                                     "commercial", None)


def test_a_line_counts_in_the_year_of_its_line_date(con):
    # The year's lines are picked on the line's service date (line start, else claim start), also when the
    # claim started in another year: q1's line of Jan 2 2025 on a claim from Dec 20 2024 is 2025 paid (70);
    # its line of Dec 28 2024 on the same claim and a 2026 line of a 2025 claim are not.
    insert(con, "eligibility", [member("q1", "2024-01-01", "2026-12-31")])
    insert(con, "medical_claim", [
        claim("q1", "2024-12-20", end="2025-01-05", claim_id="Y1", line=1, claim_line_start_date="2024-12-28", paid=11.0),
        claim("q1", "2024-12-20", end="2025-01-05", claim_id="Y1", line=2, claim_line_start_date="2025-01-02", paid=70.0),
        claim("q1", "2025-12-30", end="2026-01-03", claim_id="Y2", line=1, claim_line_start_date="2026-01-02", paid=13.0),
    ])
    build(con)
    assert metric(con, "paid_pmpm", "professional")[:2] == (pytest.approx(70.0), pytest.approx(12.0))
