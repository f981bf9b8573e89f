"""Pages built from tiny hand-written tables whose figures can be checked by hand."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from pipelines.dashboards.pages import care_gaps, measure_drilldown, plan_overview, provider_scorecards, utilization
from pipelines.dashboards.privacy import SUPPRESSED_LABEL
from pipelines.dashboards.shell import Provenance, render_page
from pipelines.dashboards.scan import figures_of, member_ids_in, small_cells
from pipelines.measures.care_gaps import create_care_gap_table
from pipelines.measures.rates import create_plan_rate_tables
from pipelines.scores.store import create_score_tables

PROVENANCE = Provenance("landing", "test.duckdb", "test", "2026-01-01T00:00:00Z", 2025)


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "pages.duckdb"))
    create_score_tables(connection)
    yield connection
    connection.close()


def section(page, title_start):
    return next(s for s in page.sections if s.title.startswith(title_start))


def metric_row(level, unit, metric, members, numerator, denominator, scale, category="inpatient"):
    observed = numerator / denominator * scale
    return (2025, level, unit, metric, category, members, denominator, numerator, denominator, "member_months",
            scale, observed, numerator, observed, 1.0)


def test_utilization_rates_by_product_line_with_a_small_line_suppressed(con):
    rows = [metric_row("plan", "plan", "admissions_per_1000", 60, 15, 700, 12000),
            metric_row("product_line", "commercial", "admissions_per_1000", 50, 12, 600, 12000),
            metric_row("product_line", "medicaid", "admissions_per_1000", 10, 3, 100, 12000)]
    con.executemany("insert into scores.utilization_metric values (" + ",".join(["?"] * 15) + ")", rows)
    page = utilization.build(con, 2025)
    admissions = section(page, "Admissions per 1,000")
    bars = admissions.figure.data[0]
    assert list(bars.x) == ["whole plan", "commercial", "medicaid"]
    # 15 / 700 x 12,000 = 257.14; 12 / 600 x 12,000 = 240; medicaid: 3 admissions among 10 members.
    assert bars.y[0] == pytest.approx(257.142857) and bars.y[1] == pytest.approx(240.0) and bars.y[2] is None
    assert bars.customdata[2][0] == SUPPRESSED_LABEL and bars.customdata[1][1] == "12"
    assert admissions.figure.data[1].meta["kind"] == "suppressed"
    assert "No data" in section(page, "Medical paid PMPM by service category, month").unavailable
    assert small_cells(render_page(page, PROVENANCE)) == []


def test_experience_scores_shown_withheld_below_30_and_suppressed_below_11(con):
    from pipelines.dashboards.pages import experience
    rows = [
        (2025, "clinician_group", "provider_npi", "1111111111", "doctor_communication", "top_box", 40, 80.0, 1.5, 81.5,
         0.8, False, "shown", 81.5, None),
        (2025, "clinician_group", "provider_npi", "2222222222", "doctor_communication", "top_box", 20, 70.0, 0.5, 70.5,
         0.6, True, "too_few_respondents", None, "too_few_respondents"),
        (2025, "clinician_group", "provider_npi", "3333333333", "doctor_communication", "top_box", 6, None, None, None,
         None, None, "suppressed_privacy", None, "suppressed_privacy"),
    ]
    con.executemany("insert into scores.experience_score values (" + ",".join(["?"] * 15) + ")", rows)
    page = experience.build(con, 2025)
    providers = section(page, "Clinician-group survey")
    assert [list(t.y) for t in providers.figure.data] == [[81.5]]
    assert [row[2:5] for row in providers.table.rows] == [
        ["40", "80.0", "81.5"], ["20", experience.WITHHELD_LABEL, experience.WITHHELD_LABEL],
        [SUPPRESSED_LABEL, SUPPRESSED_LABEL, SUPPRESSED_LABEL]]
    assert "No data" in section(page, "Health-plan survey").unavailable
    assert small_cells(render_page(page, PROVENANCE)) == []


def test_audit_compliance_goes_with_passes_and_applicable_not_with_charts(con):
    from pipelines.dashboards.pages import audits
    con.execute("""insert into scores.chart_audit_provider_compliance values
        (2025, '1111111111', 12, 80, 100, 0.8, true, 10, 0.8),
        (2025, '2222222222', 4, 30, 40, 0.75, false, 10, null),
        (2025, '3333333333', 2, 5, 12, 0.41667, false, 10, null)""")
    providers = section(audits.build(con, 2025), "Compliance by provider")
    assert providers.table.rows == [
        ["1111111111", "12", "80", "100", "80.0%", "scored"],
        ["2222222222", SUPPRESSED_LABEL, "30", "40", "75.0%", "fewer than 10 charts: not scored"],
        ["3333333333", SUPPRESSED_LABEL, SUPPRESSED_LABEL, "12", SUPPRESSED_LABEL, "fewer than 10 charts: not scored"]]


def bare_con():
    connection = duckdb.connect()
    connection.execute("create schema measures; create schema scores")
    return connection


def test_measure_pages_say_which_table_is_missing():
    con = bare_con()
    for module, table in ((plan_overview, "measures.plan_rate"), (care_gaps, "measures.care_gap"),
                          (provider_scorecards, "scores.provider_measure_score")):
        text = render_page(module.build(con, 2025), PROVENANCE)
        assert "Not available yet" in text and table in text and not figures_of(text)


def plan_rate_row(measure, line, eligible, exclusions, numerator, inverse=False):
    denominator = eligible - exclusions
    rate = numerator / denominator
    return (2025, measure, line, eligible, exclusions, denominator, numerator, rate, rate - 0.05, rate + 0.05,
            denominator >= 30, inverse, "lower_is_better" if inverse else "higher_is_better")


def test_plan_overview_rates_targets_lines_and_the_inverse_measure(con):
    create_plan_rate_tables(con)
    con.executemany("insert into measures.plan_rate values (" + ",".join(["?"] * 13) + ")", [
        plan_rate_row("BCS", "all", 140, 20, 74), plan_rate_row("BCS", "commercial", 105, 5, 70),
        plan_rate_row("BCS", "medicaid", 35, 15, 4),
        plan_rate_row("GSD", "all", 60, 10, 15, True), plan_rate_row("GSD", "commercial", 60, 10, 15, True)])
    # BCS numerators by month end (commercial + medicaid): 30, 35, 60, 74 over a denominator of 120.
    months = [(dt.date(2025, 1, 31), 25, 5), (dt.date(2025, 2, 28), 31, 4), (dt.date(2025, 3, 31), 56, 4),
              (dt.date(2025, 4, 30), 70, 4)]
    con.executemany("insert into measures.plan_rate_monthly values (2025, 'BCS', ?, ?, ?, ?, null, false)",
                    [row for end, c, m in months for row in (("commercial", end, 100, c), ("medicaid", end, 20, m))])
    page = plan_overview.build(con, 2025)
    rates = section(page, "Rates by measure").figure
    by_line = {t.name: t for t in rates.data}
    # Medicaid's 4 screened members are suppressed; the 'all' row (74) would give them away from commercial's 70,
    # so commercial's numerator and rate are suppressed too. GSD is inverse and says so.
    assert list(by_line["all"].y) == [pytest.approx(74 / 120), pytest.approx(15 / 50)]
    assert list(by_line["commercial"].y) == [None, pytest.approx(0.30)] and list(by_line["medicaid"].y) == [None]
    assert by_line["all"].x[1].endswith("(lower is better)") and not by_line["all"].x[0].endswith("(lower is better)")
    assert list(by_line["plan target"].y) == [0.74, 0.30]
    rows = {(r[0][:3], r[1]): r for r in section(page, "Rates by measure").table.rows}
    # commercial: exclusions 5 suppressed, so eligible (= exclusions + denominator) is suppressed with it.
    assert rows[("BCS", "commercial")][2:7] == [SUPPRESSED_LABEL, SUPPRESSED_LABEL, "100", SUPPRESSED_LABEL,
                                                SUPPRESSED_LABEL]
    assert rows[("BCS", "medicaid")][2:5] == [SUPPRESSED_LABEL, SUPPRESSED_LABEL, "20"]
    assert rows[("GSD", "all")][2:6] == [SUPPRESSED_LABEL, SUPPRESSED_LABEL, "50", "15"]
    assert rows[("GSD", "all")][-1] == "lower is better"
    # Walking back from April (74): March 60 and February 35 differ by 11 or more; January (30) is only 5 below
    # February, which would show 5 members screened in February: suppressed.
    trend = section(page, "Rolling").figure.data[0]
    assert list(trend.x) == ["2025-01", "2025-02", "2025-03", "2025-04"]
    assert list(trend.y) == [None, pytest.approx(35 / 120), pytest.approx(60 / 120), pytest.approx(74 / 120)]
    assert trend.customdata[0][0] == SUPPRESSED_LABEL
    assert small_cells(render_page(page, PROVENANCE)) == []


def care_gap_row(measure, person, pcp, close_by=dt.date(2025, 12, 31), line="commercial"):
    return (2025, measure, person, line, None, False, "no_mammogram", "no mammogram", close_by, pcp,
            "attributed" if pcp else "none", None, None)


def test_care_gaps_hide_a_second_pcp_when_one_could_be_derived(con):
    create_care_gap_table(con)
    rows = ([care_gap_row("BCS", f"M{i}", "1111111111") for i in range(15)]
            + [care_gap_row("BCS", f"N{i}", "2222222222") for i in range(4)]
            + [care_gap_row("BCS", f"O{i}", "3333333333", dt.date(2025, 11, 30)) for i in range(12)])
    con.executemany("insert into measures.care_gap values (" + ",".join(["?"] * 13) + ")", rows)
    page = care_gaps.build(con, 2025)
    assert list(section(page, "Open gaps by measure").figure.data[0].y) == [31]
    assert section(page, "Open gaps by measure").table.rows == [["BCS", "31", "31"]]
    by_pcp = section(page, "Open gaps by PCP").table.rows
    assert by_pcp == [["1111111111", "15"], ["2222222222", SUPPRESSED_LABEL], ["3333333333", SUPPRESSED_LABEL]]
    by_month = section(page, "Open gaps by the month").figure.data
    assert list(by_month[0].x) == ["2025-11", "2025-12"] and list(by_month[0].y) == [12, 19]
    text = render_page(page, PROVENANCE)
    assert small_cells(text) == [] and not member_ids_in(text, {row[2] for row in rows})


RESULT_COLUMNS = ("program", "measure_id", "patient_key", "period_start", "period_end", "measurement_year",
                  "product_line", "initial_population", "denominator", "denominator_exclusion", "denominator_exception",
                  "numerator", "exclusion_reason")


def member_result(member, measure="BCS", *, excluded=None, numerator=False, program="plan"):
    return (program, measure, member, dt.datetime(2025, 1, 1), dt.datetime(2025, 12, 31), 2025,
            "commercial" if program == "plan" else None, True, True, excluded is not None, False, numerator, excluded)


def insert_results(con, rows):
    con.executemany(f"insert into measures.measure_result ({', '.join(RESULT_COLUMNS)}) values "
                    f"({', '.join('?' * len(RESULT_COLUMNS))})", rows)


def test_waterfall_from_member_results_with_complementary_suppression(con):
    insert_results(con, [member_result(f"h{i}", excluded="hospice") for i in range(12)]
                   + [member_result(f"f{i}", excluded="advanced_illness_frailty") for i in range(2)]
                   + [member_result("hf", excluded="hospice, advanced_illness_frailty")]
                   + [member_result(f"n{i}", numerator=True) for i in range(11)]
                   + [member_result(f"d{i}") for i in range(14)]
                   + [member_result(f"e{i}", program="ecqm", numerator=True) for i in range(25)])
    page = measure_drilldown.build(con, 2025)
    waterfall = section(page, "Population waterfall: BCS")
    # Plan: 40 eligible = 15 excluded + 25 in the denominator; 'hf' counts under both reasons. Frailty (3) is
    # suppressed, and hospice (13) with it, or the 15 excluded would give frailty away.
    assert [c.name for c in waterfall.table.columns] == ["step", "members, plan program", "members, eCQM program"]
    assert waterfall.table.rows == [
        ["eligible (initial population)", "40", "25"], ["excluded (any reason)", "15", "0"],
        ["excluded: advanced_illness_frailty", SUPPRESSED_LABEL, "0"],
        ["excluded: hospice", SUPPRESSED_LABEL, "0"],
        ["denominator", "25", "25"], ["numerator", "11", "25"]]
    assert {t.name for t in waterfall.figure.data} == {"plan program", "eCQM program", SUPPRESSED_LABEL}
    assert small_cells(render_page(page, PROVENANCE)) == []


def test_rates_by_age_band_and_sex_hide_a_group_that_could_be_derived(con):
    members = ([(f"a{i}", "female", dt.date(1960, 6, 1), i < 20) for i in range(30)]      # 65 on Dec 31: 65-74
               + [(f"b{i}", "female", dt.date(1970, 6, 1), i < 14) for i in range(25)]    # 55: 50-64
               + [(f"c{i}", "male", dt.date(1990, 6, 1), i < 5) for i in range(15)])      # 35: 35-49
    con.executemany("insert into staging.eligibility (person_id, gender, birth_date, enrollment_start_date, "
                    "enrollment_end_date, payer_type, _source_file, _source_row, _loaded_at) values "
                    "(?, ?, ?, '2025-01-01', '2025-12-31', 'commercial', 'eligibility.csv', ?, now())",
                    [(m, sex, born, n) for n, (m, sex, born, _) in enumerate(members)])
    insert_results(con, [member_result(m, "CBP", numerator=hit) for m, _, _, hit in members])
    page = measure_drilldown.build(con, 2025)
    ages = section(page, "Rates by age band")
    # 35-49 has 5 controlled members: suppressed, and the next smallest numerator (50-64: 14) with it, since the
    # bands add up to the measure's numerator.
    assert ages.table.rows == [["CBP Controlling High Blood Pressure", "35-49", "15", SUPPRESSED_LABEL, SUPPRESSED_LABEL],
                               ["CBP Controlling High Blood Pressure", "50-64", "25", SUPPRESSED_LABEL, SUPPRESSED_LABEL],
                               ["CBP Controlling High Blood Pressure", "65-74", "30", "20", "66.7%"]]
    # By sex: male 5 of 15 is suppressed, and female (34 of 55) is the other part of the same total.
    assert "Every cell" in section(page, "Rates by sex").unavailable
    assert small_cells(render_page(page, PROVENANCE)) == []


SCORE_COLUMNS = ("measurement_year", "measure_id", "provider_npi", "program", "inverse", "initial_population",
                 "exclusions", "denominator", "numerator", "raw_rate", "shrunken_rate", "shrunken_lower",
                 "shrunken_upper", "reliability", "plan_rate", "funnel_tau2", "flag", "too_few_cases", "ranked")


def test_provider_scorecards_funnel_caterpillar_and_unranked_providers(con):
    plan_rate = 95 / 240
    con.executemany(f"insert into scores.provider_measure_score ({', '.join(SCORE_COLUMNS)}) values "
                    f"({', '.join('?' * len(SCORE_COLUMNS))})", [
        (2025, "BCS", "1111111111", "plan", False, 100, 0, 100, 30, 0.30, 0.32, 0.25, 0.40, 0.8, plan_rate, 0.0,
         "worse", False, True),
        (2025, "BCS", "2222222222", "plan", False, 120, 0, 120, 60, 0.50, 0.48, 0.40, 0.56, 0.85, plan_rate, 0.0,
         "better", False, True),
        (2025, "BCS", "3333333333", "plan", False, 20, 0, 20, 5, 0.25, 0.38, 0.20, 0.55, 0.3, plan_rate, 0.0,
         "as_expected", True, False)])
    con.execute("""insert into scores.provider_composite (measurement_year, provider_npi, program, measures,
                   reliable_measures, opportunities, performance_successes, opportunity_weighted_score,
                   mean_shrunken_score, percentile_rank, stars, ranked) values
                   (2025, '2222222222', 'plan', 1, 1, 120, 60, 0.61, 0.60, 75, 4, true),
                   (2025, '1111111111', 'plan', 1, 1, 100, 30, 0.42, 0.45, 25, 2, true),
                   (2025, '3333333333', 'plan', 1, 0, 20, 5, null, 0.30, null, null, false)""")
    page = provider_scorecards.build(con, 2025)
    funnel = section(page, "BCS Breast Cancer Screening: funnel").figure
    points = {t.name: t for t in funnel.data if t.meta["kind"] == "derived"}
    # Provider 3 has 5 hits: suppressed, so not plotted; points are coloured by their flag.
    assert {name: (list(t.x), list(t.y)) for name, t in points.items()} == {
        "worse than the plan": ([100], [0.30]), "better than the plan": ([120], [0.50])}
    assert funnel.layout.shapes[0].y0 == pytest.approx(plan_rate)
    caterpillar = section(page, "BCS Breast Cancer Screening: shrunken")
    assert list(caterpillar.figure.data[0].y) == [0.32, 0.48]
    assert [row[1] for row in caterpillar.figure.data[0].customdata] == ["1111111111", "2222222222"]
    # Listed but not ranked; with 5 hits its rates and reliability are suppressed.
    assert caterpillar.table.rows == [["3333333333", SUPPRESSED_LABEL, "20", SUPPRESSED_LABEL, SUPPRESSED_LABEL,
                                       SUPPRESSED_LABEL, "too few cases: not ranked"]]
    stars = section(page, "Composite ranking").table.rows
    assert stars == [["2222222222", "0.600", "0.610", "75", "\u2605" * 4], ["1111111111", "0.450", "0.420", "25", "\u2605" * 2],
                     ["3333333333", "not ranked", "not ranked", "not ranked", "too few cases: not ranked"]]
    assert small_cells(render_page(page, PROVENANCE)) == []


HYBRID_COLUMNS = ("measurement_year", "measure_id", "product_line", "program", "inverse", "eligible_population",
                  "administrative_exclusions", "eligible", "administrative_hits", "administrative_rate", "sample_size",
                  "sample_administrative_hits", "record_hits", "hybrid_numerator", "hybrid_rate", "lift", "shortfall")


def test_hybrid_lift_each_rate_with_its_own_counts(con):
    from pipelines.dashboards.pages import audits
    con.executemany(f"insert into measures.hybrid_rate ({', '.join(HYBRID_COLUMNS)}) values "
                    f"({', '.join('?' * len(HYBRID_COLUMNS))})", [
        (2025, "CBP", "commercial", "plan", False, 1000, 0, 1000, 500, 0.5, 411, 200, 88, 288, 0.70073, 0.20073, 0),
        (2025, "CCS", "commercial", "plan", False, 200, 0, 200, 120, 0.6, 8, 5, 1, 6, 0.75, 0.15, 0),
        (2025, "CCS", "medicaid", "plan", False, 30, 0, 30, 9, 0.3, 30, 9, 3, 12, 0.4, 0.1, 0),
        (2025, "CCS", "medicare", "plan", False, 300, 0, 300, 150, 0.5, 300, 150, 0, 150, 0.5, 0.0, 0)])
    lift = section(audits.build(con, 2025), "Administrative vs hybrid")
    administrative, hybrid = lift.figure.data[0], lift.figure.data[1]
    assert list(administrative.x) == ["CBP commercial", "CCS commercial", "CCS medicaid", "CCS medicare"]
    # CCS medicaid has 9 administrative hits: suppressed, and commercial's 120 (the next smallest of the lines,
    # whose total is the plan rate's numerator) with them. Commercial's hybrid rate goes with its sample of 8.
    assert list(administrative.y) == [0.5, None, None, 0.5] and list(hybrid.y) == [0.70073, None, 0.4, 0.5]
    assert lift.table.rows == [
        ["CBP Controlling High Blood Pressure", "commercial", "1,000", "500", "50.0%", "411", "288", "70.1%", "20.1%"],
        ["CCS Cervical Cancer Screening", "commercial", "200", SUPPRESSED_LABEL, SUPPRESSED_LABEL, SUPPRESSED_LABEL,
         SUPPRESSED_LABEL, SUPPRESSED_LABEL, SUPPRESSED_LABEL],
        ["CCS Cervical Cancer Screening", "medicaid", "30", SUPPRESSED_LABEL, SUPPRESSED_LABEL, "30", "12", "40.0%",
         SUPPRESSED_LABEL],
        ["CCS Cervical Cancer Screening", "medicare", "300", "150", "50.0%", "300", "150", "50.0%", "0.0%"]]


def test_a_waterfall_with_only_zeros_and_small_steps_says_so_instead_of_plotting(con):
    insert_results(con, [member_result(f"s{i}", numerator=i < 2) for i in range(6)])
    waterfall = section(measure_drilldown.build(con, 2025), "Population waterfall: BCS")
    assert waterfall.figure is None and "too few members" in waterfall.unavailable
