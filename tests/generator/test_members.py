"""Members and enrollment as written to eligibility: lines, ages, gaps, overlaps, deaths, hospice."""

from __future__ import annotations

from tests.generator.support import CLEAN_ELIGIBILITY, internal_gaps, scalar

AGE_AT_END = "(2025 - year(cast(birth_date as date)))"  # whole years on 2025-12-31


def _first_segments(con) -> str:
    return f"""(select person_id, arg_min(payer_type, enrollment_start_date) as first_line,
                       any_value(gender) as gender, any_value({AGE_AT_END}) as age
                from ({CLEAN_ELIGIBILITY}) group by person_id)"""


def test_product_lines_have_realistic_ages_and_both_sexes(con):
    members = _first_segments(con)
    rows = {line: (n, seniors, children, adults) for line, n, seniors, children, adults in con.execute(f"""
        select first_line, count(*), avg((age >= 65)::int), avg((age < 18)::int), avg((age between 19 and 64)::int)
        from {members} group by 1""").fetchall()}
    assert set(rows) == {"commercial", "medicaid", "medicare"}
    assert rows["medicare"][1] > 0.8          # Medicare: mostly 65+
    assert rows["medicaid"][2] > 0.35         # Medicaid: many children
    assert rows["commercial"][3] > 0.6        # commercial: working-age adults ...
    assert rows["commercial"][2] > 0.1        # ... and their children
    assert scalar(con, f"select max(age) from {members} where first_line = 'commercial'") < 66
    assert scalar(con, f"select count(distinct gender) from {members}") == 2


def test_children_turn_two_in_every_year(con, manifest):
    for year in (2023, 2024, 2025):
        born = scalar(con, f"select count(distinct person_id) from ({CLEAN_ELIGIBILITY}) "
                           f"where year(cast(birth_date as date)) = {year - 2}")
        assert born >= 10, year
        assert manifest["members"]["children_turning_2"][str(year)] == born


def test_enrollment_has_short_and_long_gaps(con):
    gaps = internal_gaps(con)
    assert any(0 < g < 45 for g in gaps)
    assert any(g > 45 for g in gaps)


def test_segments_overlap_touch_and_switch_product_line(con):
    ordered = f"""(select person_id, payer_type, cast(enrollment_start_date as date) s, cast(enrollment_end_date as date) e,
                   lag(cast(enrollment_end_date as date)) over (partition by person_id order by enrollment_start_date) prev_end
                   from ({CLEAN_ELIGIBILITY}))"""
    assert scalar(con, f"select count(*) from {ordered} where s <= prev_end") > 0          # overlap
    assert scalar(con, f"select count(*) from {ordered} where s = prev_end + 1") > 0       # touch
    assert scalar(con, f"select count(*) from (select person_id from ({CLEAN_ELIGIBILITY}) "
                       f"group by 1 having count(distinct payer_type) > 1)") > 0
    assert scalar(con, f"select count(*) from {ordered} where e < s") == 0


def test_deaths_are_flagged_and_end_enrollment(con):
    assert scalar(con, f"select count(*) from ({CLEAN_ELIGIBILITY}) where (death_flag = 1) != (death_date is not null)") == 0
    assert scalar(con, f"select count(distinct person_id) from ({CLEAN_ELIGIBILITY}) where death_flag = 1") >= 10
    assert scalar(con, f"select count(*) from ({CLEAN_ELIGIBILITY}) "
                       f"where cast(enrollment_end_date as date) > cast(death_date as date)") == 0


def test_hospice_members_have_hospice_flag_and_hospice_claims(con):
    flagged = scalar(con, f"select count(distinct person_id) from ({CLEAN_ELIGIBILITY}) where hospice_flag = 1")
    assert flagged > 0
    with_claims = scalar(con, f"""
        select count(distinct e.person_id) from ({CLEAN_ELIGIBILITY}) e
        join medical_claim c on c.person_id = e.person_id
        where e.hospice_flag = 1 and c.revenue_center_code = '0651' and c.bill_type_code like '81%'""")
    assert with_claims == flagged


def test_institutional_flags_only_for_medicare_members_66_and_older(con):
    rows = con.execute(f"""select payer_type, min({AGE_AT_END}), count(*) from ({CLEAN_ELIGIBILITY})
                           where institutional_snp_flag = 1 or long_term_institutional_flag = 1 group by 1""").fetchall()
    assert rows, "no institutional members"
    assert all(line == "medicare" and min_age >= 66 for line, min_age, _ in rows)


def test_every_member_has_a_primary_care_provider_from_the_roster(con):
    assert scalar(con, f"""select count(*) from ({CLEAN_ELIGIBILITY}) e left join provider p on p.npi = e.pcp_npi
                           where p.npi is null or p.primary_care_flag != 1""") == 0
    child_specialties = {row[0] for row in con.execute(f"""
        select distinct p.specialty from ({CLEAN_ELIGIBILITY}) e join provider p on p.npi = e.pcp_npi
        where {AGE_AT_END} < 10""").fetchall()}
    assert child_specialties <= {"pediatrics", "family medicine"}
