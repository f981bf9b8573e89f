-- Every table of the scores layer. Each row carries its measurement_year, and a re-run of a year
-- deletes that year's rows and inserts the new ones in one transaction.

-- Attribution: why each member belongs to a PCP (one row per member x in-network PCP seen).
create table if not exists scores.attribution_visit (
    measurement_year integer not null,
    person_id varchar not null,
    provider_npi varchar not null,
    visits integer not null,             -- distinct visit dates with a primary-care E&M code
    last_visit_date date not null,
    visit_rank integer not null,         -- 1 = the plurality provider after the tie-breaks
    attributed boolean not null
);

-- Attribution: one row per member enrolled at any time in the measurement year.
create table if not exists scores.attribution (
    measurement_year integer not null,
    person_id varchar not null,
    pcp_npi varchar,                     -- null when unattributed
    attribution_method varchar not null, -- plurality_of_visits | assigned_pcp | unattributed
    attributed_visits integer not null,  -- visits with the attributed PCP (0 for the fallbacks)
    total_visits integer not null,       -- visits with any in-network PCP in the look-back
    pcps_seen integer not null,
    last_visit_date date,
    lookback_start date not null,
    lookback_end date not null
);

create table if not exists scores.chart_audit_element_compliance (
    measurement_year integer not null,
    element varchar not null,
    charts integer not null,
    passes integer not null,
    applicable integer not null,
    compliance double
);

create table if not exists scores.chart_audit_provider_compliance (
    measurement_year integer not null,
    provider_npi varchar not null,
    charts integer not null,
    passes integer not null,
    applicable integer not null,
    compliance double,
    scored boolean not null,             -- at least minimum_charts distinct charts
    minimum_charts integer not null,
    audit_score double                   -- compliance when scored, else null
);

create table if not exists scores.chart_audit_reviewer_compliance (
    measurement_year integer not null,
    reviewer_id varchar not null,
    charts integer not null,
    passes integer not null,
    applicable integer not null,
    compliance double
);

create table if not exists scores.chart_audit_element_agreement (
    measurement_year integer not null,
    element varchar not null,
    pairs_compared integer not null,
    agreements integer not null,
    percent_agreement double,
    expected_agreement double,
    kappa double
);

create table if not exists scores.chart_audit_reviewer_pair_agreement (
    measurement_year integer not null,
    reviewer_a varchar not null,
    reviewer_b varchar not null,
    pairs_compared integer not null,
    agreements integer not null,
    percent_agreement double,
    expected_agreement double,
    kappa double
);

create table if not exists scores.chart_audit_reviewer_agreement (
    measurement_year integer not null,
    reviewer_id varchar not null,
    pairs_compared integer not null,
    agreements integer not null,
    percent_agreement double,
    below_threshold boolean not null,
    threshold double not null
);

-- Member experience: one row per survey type x unit x measure x scoring (both scorings 0-100).
create table if not exists scores.experience_score (
    measurement_year integer not null,
    survey_type varchar not null,        -- health_plan | clinician_group
    unit_type varchar not null,          -- plan | product_line | provider_npi
    unit_id varchar not null,
    measure varchar not null,
    scoring varchar not null,            -- top_box | mean_0_100
    respondents integer not null,
    unadjusted_mean double,              -- null below the privacy floor
    adjustment double,
    adjusted_mean double,
    reliability double,
    low_reliability boolean,
    display_status varchar not null,     -- shown | too_few_respondents | suppressed_privacy
    shown_score double,                  -- adjusted mean when shown, else null
    suppressed_reason varchar            -- null when shown
);

-- Member months: one row per member x month x product line, from merged enrollment segments.
create table if not exists scores.utilization_member_month (
    measurement_year integer not null,
    person_id varchar not null,
    month_start date not null,
    product_line varchar not null,
    covered_days integer not null,
    member_months double not null        -- covered_days / days in the month
);

-- Inpatient stays after transfers are collapsed (one row per stay touching the year).
create table if not exists scores.utilization_inpatient_stay (
    measurement_year integer not null,
    person_id varchar not null,
    stay_number integer not null,        -- order of the member's stays
    admission_date date not null,
    discharge_date date not null,
    claims integer not null,
    facilities integer not null,         -- > 1 when the stay includes a transfer
    transfer boolean not null,
    principal_diagnosis varchar,
    drg_code varchar,
    discharge_disposition_code varchar,
    planned boolean not null,            -- planned readmission rule (docs/scores.md)
    counted_admission boolean not null,  -- admitted in the year while enrolled
    index_stay boolean not null,         -- discharged Jan 1 - Dec 1 alive while enrolled
    readmitted boolean not null          -- an unplanned stay admitted within 30 days of discharge
);

-- Per member x product line: exposure and events of the year, with the expected-model cell.
create table if not exists scores.utilization_member (
    measurement_year integer not null,
    person_id varchar not null,
    product_line varchar not null,
    age_band varchar not null,
    sex varchar not null,
    pcp_npi varchar,
    member_months double not null,
    admissions integer not null,
    ed_visits integer not null,
    index_stays integer not null,
    readmissions integer not null,
    paid_inpatient double not null,
    paid_outpatient double not null,
    paid_professional double not null,
    paid_ed double not null,
    paid_other double not null,
    paid_pharmacy double not null,
    allowed_inpatient double not null,
    allowed_outpatient double not null,
    allowed_professional double not null,
    allowed_ed double not null,
    allowed_other double not null,
    allowed_pharmacy double not null,
    medical_paid double not null,
    out_of_network_paid double not null
);

-- Observed and expected utilization per plan, product line and attributed PCP.
create table if not exists scores.utilization_metric (
    measurement_year integer not null,
    level varchar not null,              -- plan | product_line | pcp
    unit_id varchar not null,
    metric varchar not null,
    service_category varchar not null,   -- a category, or 'all'
    members integer not null,
    member_months double not null,
    numerator double not null,
    denominator double not null,
    denominator_unit varchar not null,   -- member_months | index_stays | medical_paid
    scale double not null,               -- observed = numerator / denominator x scale
    observed double,
    expected_numerator double,
    expected double,
    observed_to_expected double
);

-- Provider performance: one row per attributed PCP x measure with cases (docs/statistics.md 2).
-- Rates are in the measure's own orientation (GSD: share in poor control); `flag` names the
-- direction of performance (better / worse / as_expected, null without cases).
create table if not exists scores.provider_measure_score (
    measurement_year integer not null,
    measure_id varchar not null,
    provider_npi varchar not null,
    program varchar not null,
    inverse boolean not null,
    initial_population integer not null,
    exclusions integer not null,
    denominator integer not null,        -- in the denominator and not excluded
    numerator integer not null,
    raw_rate double,
    rate_low double,                     -- Wilson 95%
    rate_high double,
    shrunken_rate double,                -- beta-binomial empirical Bayes posterior mean
    shrunken_lower double,               -- 95% posterior interval
    shrunken_upper double,
    reliability double,
    prior_alpha double,
    prior_beta double,
    prior_method varchar,
    plan_rate double,                    -- the funnel target: the plan's rate over all members
    plan_denominator integer,
    z_score double,                      -- overdispersion-adjusted funnel z
    z_score_unadjusted double,
    funnel_phi double,
    funnel_tau2 double,
    limit_95_lower double,               -- funnel limits at this denominator (with tau2)
    limit_95_upper double,
    limit_998_lower double,
    limit_998_upper double,
    beyond_95 boolean,
    beyond_998 boolean,
    flag varchar,
    too_few_cases boolean,               -- denominator < 20 or reliability < 0.7
    ranked boolean not null
);

-- Provider composite over the measures, percentile rank and stars (docs/statistics.md 3).
create table if not exists scores.provider_composite (
    measurement_year integer not null,
    provider_npi varchar not null,
    program varchar not null,
    measures integer not null,
    reliable_measures integer not null,
    opportunities integer not null,
    performance_successes integer not null,
    opportunity_weighted_score double,   -- shown beside the ranking score (a provider can recompute it)
    mean_shrunken_score double,          -- ranks and stars are on this one
    percentile_rank double,
    stars integer,
    ranked boolean not null,
    star_method varchar,
    cut_point_2_stars double,
    cut_point_3_stars double,
    cut_point_4_stars double,
    cut_point_5_stars double
);

-- Hybrid method: one row per measure x product line x year with the draw's parameters, so any
-- sample can be audited and replayed (pipelines/stats/hybrid_sample.py).
create table if not exists measures.hybrid_sample_parameters (
    measurement_year integer not null,
    measure_id varchar not null,
    product_line varchar not null,
    program varchar not null,
    seed bigint not null,
    eligible_population integer not null,
    minimum_required_sample integer not null,
    oversample_percentage integer not null,
    oversample_size integer not null,
    sample_size integer not null,
    interval integer not null,
    random_number double,                -- null when everyone was drawn
    start integer not null,
    everyone_sampled boolean not null,
    excluded_in_main_sample integer not null,
    replacements_made integer not null,
    shortfall integer not null
);

-- Hybrid method, member level (PHI: never on a dashboard). One row per drawn member.
create table if not exists measures.hybrid_sample (
    measurement_year integer not null,
    measure_id varchar not null,
    product_line varchar not null,
    person_id varchar not null,
    sort_key varchar not null,           -- sha256(person_id|measure_id|year|seed)
    sort_position integer not null,
    draw_order integer not null,
    selection varchar not null,          -- main | oversample | replacement
    excluded boolean not null,
    exclusion_source varchar,            -- administrative | medical_record
    replaces_draw_order integer,
    replaced_by_draw_order integer,
    in_final_sample boolean not null,
    administrative_hit boolean,          -- measure orientation (GSD: poor control)
    hybrid_hit boolean,                  -- after the record review, measure orientation; final sample only
    gap_closed_by varchar,               -- administrative | medical_record; null if the gap stayed open
    reason varchar not null
);

-- Hybrid method: administrative vs hybrid rate per measure x product line x year, measure orientation.
create table if not exists measures.hybrid_rate (
    measurement_year integer not null,
    measure_id varchar not null,
    product_line varchar not null,
    program varchar not null,
    inverse boolean not null,
    eligible_population integer not null,   -- initial population the sample was drawn from
    administrative_exclusions integer not null,
    eligible integer not null,              -- eligible population less administrative exclusions
    administrative_hits integer not null,
    administrative_rate double,
    administrative_lower double,
    administrative_upper double,
    sample_size integer not null,           -- final sample: main sample not excluded + replacements
    sample_administrative_hits integer not null,
    record_hits integer not null,           -- gaps closed by the medical record
    hybrid_numerator integer not null,
    hybrid_rate double,
    hybrid_lower double,
    hybrid_upper double,
    lift double,                            -- hybrid_rate - administrative_rate (negative is better for GSD)
    shortfall integer not null
);
