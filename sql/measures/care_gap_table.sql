-- Open care gaps of the plan program (PHI: one row per member x measure x year with the member's
-- id; dashboards show counts only). A run of a year replaces that year's rows.
create table if not exists measures.care_gap (
    measurement_year integer not null,
    measure_id varchar not null,
    person_id varchar not null,
    product_line varchar not null,
    stratum varchar,                  -- COL age stratum
    inverse boolean not null,         -- GSD: the gap is the numerator (poor control or no test)
    gap_code varchar not null,        -- short name of what is missing, for grouping
    gap varchar not null,             -- what is missing, in plain words
    close_by date not null,           -- last day the gap can be closed within the measurement year
    pcp_npi varchar,
    pcp_source varchar not null,      -- attributed | assigned | none
    last_service_date date,           -- latest encounter in the measure's look-back (docs/plan-reporting.md)
    last_assessment_date date         -- GSD: the most recent assessment that left the gap open
);
