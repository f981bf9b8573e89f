"""The impossible-value rules behind the scores asset checks fire on planted bad rows, and only on them."""

import pytest

from pipelines.duck import transaction
from pipelines.scores import validity
from pipelines.scores.attribution import build_attribution
from tests.scores.support import insert, member, scores_db


@pytest.fixture()
def con(tmp_path):
    con = scores_db(tmp_path / "hmoqa.duckdb")
    insert(con, "eligibility", [member("m1", "2025-01-01", "2025-12-31"), member("m2", "2025-01-01", "2025-12-31")])
    yield con
    con.close()


def broken(counts):
    return {rule: n for rule, n in counts.items() if n}


def test_clean_tables_break_no_rule(con):
    with transaction(con):
        build_attribution(con, 2025)
    for problems in (validity.attribution_problems, validity.chart_audit_problems, validity.experience_problems,
                     validity.utilization_problems):
        counts = problems(con, 2025)
        assert counts and broken(counts) == {}, problems.__name__


def test_attribution_rules(con):
    con.execute("insert into scores.attribution values (2025, 'm1', '1000000001', 'plurality_of_visits', 3, 2, 1, "
                "null, '2024-01-01', '2025-12-31'), (2025, 'm1', null, 'unattributed', 0, 0, 0, null, '2024-01-01', "
                "'2025-12-31'), (2025, 'x9', null, 'unattributed', 0, 0, -1, null, '2024-01-01', '2025-12-31')")
    assert broken(validity.attribution_problems(con, 2025)) == {
        "attribution: numerator > denominator": 1, "attribution: negative pcps_seen": 1,
        "attribution: enrolled member without a row": 1,            # m2
        "attribution: member with several rows": 1,                 # m1
        "attribution: row for a member not enrolled in the year": 1}  # x9


def test_chart_audit_and_experience_rules(con):
    con.execute("insert into scores.chart_audit_element_compliance values (2025, 'allergies', 3, 4, 3, 1.333)")
    con.execute("insert into scores.chart_audit_element_agreement values (2025, 'allergies', 5, 5, 1.0, 0.5, 1.5)")
    con.execute("insert into scores.experience_score values "
                "(2025, 'health_plan', 'plan', 'plan', 'rating_health_plan', 'top_box', 20, 104.0, 0, 104.0, 1.2, "
                "false, 'too_few_respondents', 50.0, 'too_few_respondents')")
    assert broken(validity.chart_audit_problems(con, 2025)) == {
        "element compliance: compliance outside 0-1": 1, "element compliance: numerator > denominator": 1,
        "element_agreement: kappa outside -1..1": 1}
    assert broken(validity.experience_problems(con, 2025)) == {
        "experience: reliability outside 0-1": 1, "experience: unadjusted_mean outside 0-100": 1,
        "experience: score shown below the minimum of respondents": 1}


def test_utilization_rules(con):
    con.execute("insert into scores.utilization_member_month values (2025, 'm1', '2025-01-01', 'commercial', 31, 1.0), "
                "(2025, 'm1', '2025-01-01', 'medicaid', 5, 0.2), (2025, 'm2', '2025-01-01', 'commercial', -1, -0.1)")
    con.execute("insert into scores.utilization_metric values "
                "(2025, 'plan', 'plan', 'readmission_rate', 'inpatient', 2, 12, 3, 2, 'index_stays', 1, 1.5, 2, 1, 1.5), "
                "(2025, 'plan', 'plan', 'ed_visits_per_1000', 'ed', 2, -12, -1, 12, 'member_months', 12000, -1000, "
                "1, 1000, -1)")
    assert broken(validity.utilization_problems(con, 2025)) == {
        "readmission rate / out-of-network share: rate outside 0-1": 1,
        "readmission rate / out-of-network share: numerator > denominator": 1,
        "member months: negative": 1, "member months: more than one per month": 1,
        "metrics: negative member months or events": 1}
    assert broken(validity.utilization_problems(con, 2024)) == {}
