"""Pages built from tiny hand-written tables whose figures can be checked by hand."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from pipelines.dashboards.pages import care_gaps, measure_drilldown, plan_overview, provider_scorecards, utilization
from pipelines.dashboards.privacy import SUPPRESSED_LABEL
from pipelines.dashboards.shell import Provenance, render_page
from pipelines.dashboards.scan import figures_of, member_ids_in, small_cells
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


def test_measure_pages_say_which_table_is_missing(con):
    for module, table in ((plan_overview, "measures.plan_rate"), (care_gaps, "measures.care_gap"),
                          (provider_scorecards, "scores.provider_measure_score")):
        text = render_page(module.build(con, 2025), PROVENANCE)
        assert "Not available yet" in text and table in text and not figures_of(text)


def test_plan_overview_rates_targets_and_the_inverse_measure(con):
    con.execute("""create table measures.plan_rate (measurement_year integer, measure_id varchar, product_line varchar,
                   eligible_population integer, denominator integer, numerator integer, rate double, rate_low double,
                   rate_high double, reportable boolean)""")
    con.execute("""insert into measures.plan_rate values
        (2025, 'BCS', 'commercial', 120, 100, 70, 0.70, 0.60, 0.78, true),
        (2025, 'BCS', 'medicaid', 20, 15, 4, 0.2667, 0.1, 0.5, false),
        (2025, 'GSD', 'commercial', 60, 50, 15, 0.30, 0.19, 0.44, true)""")
    page = plan_overview.build(con, 2025)
    rates = section(page, "Rates by measure").figure
    commercial = next(t for t in rates.data if t.name == "commercial")
    medicaid = next(t for t in rates.data if t.name == "medicaid")
    assert list(commercial.y) == [0.70, 0.30] and list(medicaid.y) == [None]
    assert commercial.x[1].endswith("(lower is better)") and not commercial.x[0].endswith("(lower is better)")
    target = next(t for t in rates.data if t.name == "plan target")
    assert list(target.y) == [0.74, 0.30]
    assert "measures.plan_rate_monthly" in section(page, "Rolling").unavailable
    assert small_cells(render_page(page, PROVENANCE)) == []


def test_care_gaps_hide_a_second_pcp_when_one_could_be_derived(con):
    con.execute("create table measures.care_gap (measurement_year integer, measure_id varchar, pcp_npi varchar, "
                "close_by date, person_id varchar)")
    rows = ([(2025, "BCS", "1111111111", dt.date(2025, 12, 31), f"M{i}") for i in range(15)]
            + [(2025, "BCS", "2222222222", dt.date(2025, 12, 31), f"N{i}") for i in range(4)]
            + [(2025, "BCS", "3333333333", dt.date(2025, 11, 30), f"O{i}") for i in range(12)])
    con.executemany("insert into measures.care_gap values (?, ?, ?, ?, ?)", rows)
    page = care_gaps.build(con, 2025)
    assert list(section(page, "Open gaps by measure").figure.data[0].y) == [31]
    by_pcp = section(page, "Open gaps by PCP").table.rows
    assert by_pcp == [["1111111111", "BCS", "15"], ["2222222222", "BCS", SUPPRESSED_LABEL],
                      ["3333333333", "BCS", SUPPRESSED_LABEL]]
    text = render_page(page, PROVENANCE)
    assert small_cells(text) == [] and not member_ids_in(text, {person for *_, person in rows})


def test_waterfall_from_member_results_with_complementary_suppression(con):
    con.execute("""create table measures.measure_result (program varchar, measure_id varchar, patient_key varchar,
                   period_end timestamp, stratum varchar, initial_population boolean, denominator boolean,
                   denominator_exclusion boolean, denominator_exception boolean, numerator boolean,
                   exclusion_reason varchar)""")
    end = dt.datetime(2025, 12, 31)
    rows = ([("plan", "BCS", f"h{i}", end, None, True, True, True, False, False, "hospice") for i in range(12)]
            + [("plan", "BCS", f"f{i}", end, None, True, True, True, False, False, "frailty") for i in range(3)]
            + [("plan", "BCS", f"n{i}", end, None, True, True, False, False, True, None) for i in range(11)]
            + [("plan", "BCS", f"d{i}", end, None, True, True, False, False, False, None) for i in range(4)])
    con.executemany("insert into measures.measure_result values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    page = measure_drilldown.build(con, 2025)
    steps = section(page, "Population waterfall: BCS").table.rows
    # 30 eligible = 12 hospice + 3 frailty + 15 in the denominator: frailty (3) is suppressed, and since the
    # eligible total would give it away, the next smallest cell of the sum (hospice, 12) is suppressed too.
    assert steps == [["eligible (initial population)", "30"], ["excluded: frailty", SUPPRESSED_LABEL],
                     ["excluded: hospice", SUPPRESSED_LABEL], ["denominator", "15"], ["numerator", "11"]]
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


def test_provider_scorecards_funnel_caterpillar_and_unranked_providers(con):
    con.execute("""create table scores.provider_measure_score (measurement_year integer, measure_id varchar,
                   provider_npi varchar, numerator integer, denominator integer, raw_rate double,
                   shrunken_rate double, shrunken_lower double, shrunken_upper double, ranked boolean)""")
    con.execute("""insert into scores.provider_measure_score values
        (2025, 'BCS', '1111111111', 30, 100, 0.30, 0.32, 0.25, 0.40, true),
        (2025, 'BCS', '2222222222', 60, 120, 0.50, 0.48, 0.40, 0.56, true),
        (2025, 'BCS', '3333333333', 5, 20, 0.25, 0.38, 0.20, 0.55, false)""")
    con.execute("create table scores.provider_composite (measurement_year integer, provider_npi varchar, "
                "opportunity_weighted_score double, stars integer, ranked boolean)")
    con.execute("insert into scores.provider_composite values (2025, '2222222222', 0.61, 4, true), "
                "(2025, '1111111111', 0.42, 2, true), (2025, '3333333333', null, null, false)")
    page = provider_scorecards.build(con, 2025)
    funnel = section(page, "BCS Breast Cancer Screening: funnel").figure
    points = funnel.data[0]
    # Provider 3 has 5 hits: suppressed, so not plotted. Plan rate = 95 / 240.
    assert list(points.x) == [100, 120] and list(points.y) == [0.30, 0.50]
    assert {t.meta["kind"] for t in funnel.data[1:]} == {"reference"}
    caterpillar = section(page, "BCS Breast Cancer Screening: shrunken")
    assert list(caterpillar.figure.data[0].y) == ["1111111111", "2222222222"]
    assert caterpillar.table.rows[2][-1] == "too few cases: not ranked"
    assert caterpillar.figure.layout.shapes[0].x0 == pytest.approx(95 / 240)
    stars = section(page, "Composite ranking").table.rows
    assert stars == [["2222222222", "0.610", "\u2605" * 4], ["1111111111", "0.420", "\u2605" * 2],
                     ["3333333333", "not ranked", "too few cases: not ranked"]]
    assert small_cells(render_page(page, PROVENANCE)) == []


def test_hybrid_lift_each_rate_with_its_own_counts(con):
    from pipelines.dashboards.pages import audits
    con.execute("""create table measures.hybrid_rate (measurement_year integer, measure_id varchar, eligible integer,
                   administrative_hits integer, sample_size integer, hybrid_numerator integer,
                   administrative_rate double, hybrid_rate double, lift double)""")
    con.execute("""insert into measures.hybrid_rate values
        (2025, 'CBP', 1000, 500, 411, 288, 0.5, 0.70073, 0.20073),
        (2025, 'CCS', 200, 120, 8, 6, 0.6, 0.75, 0.15)""")
    lift = section(audits.build(con, 2025), "Hybrid lift")
    administrative, hybrid = lift.figure.data[0], lift.figure.data[1]
    assert list(administrative.y) == [0.5, 0.6] and list(hybrid.y) == [0.70073, None]
    assert lift.table.rows == [["CBP", "1,000", "50.0%", "411", "70.1%", "20.1%"],
                               ["CCS", "200", "60.0%", SUPPRESSED_LABEL, SUPPRESSED_LABEL, SUPPRESSED_LABEL]]


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
