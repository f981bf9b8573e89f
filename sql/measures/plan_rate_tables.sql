-- Tables of plan reporting (plan-program.md 6). Each row carries its measurement_year; a run of a
-- year deletes that year's rows and inserts the new ones in one transaction.
-- Counts: eligible_population = members in the eligible population (measure_result.initial_population);
-- exclusions = eligible members with any exclusion (once each, whatever the number of reasons);
-- denominator = eligible_population - exclusions, the base of the rate (HEDIS: numerator /
-- (eligible - exclusions)). product_line 'all' is every line together.
create table if not exists measures.plan_rate (
    measurement_year integer not null,
    measure_id varchar not null,
    product_line varchar not null,
    eligible_population bigint not null,
    exclusions bigint not null,
    denominator bigint not null,
    numerator bigint not null,
    rate double,                    -- numerator / denominator; null when the denominator is 0
    rate_low double,                -- Wilson 95% interval
    rate_high double,
    reportable boolean not null,    -- denominator >= 30
    inverse boolean not null,       -- lower is better (GSD)
    direction varchar not null      -- higher_is_better | lower_is_better
);

-- The same counts by stratum, for measures that have strata (COL: 46-49, 50-75). Kept apart from
-- plan_rate so that a reader summing plan_rate over a measure never counts a member twice.
create table if not exists measures.plan_rate_stratum (
    measurement_year integer not null,
    measure_id varchar not null,
    product_line varchar not null,
    stratum varchar not null,
    eligible_population bigint not null,
    exclusions bigint not null,
    denominator bigint not null,
    numerator bigint not null,
    rate double,
    rate_low double,
    rate_high double,
    reportable boolean not null,
    inverse boolean not null,
    direction varchar not null
);

-- Exclusions by reason: a member excluded for two reasons counts once under each reason here and
-- once in plan_rate.exclusions.
create table if not exists measures.plan_rate_exclusion (
    measurement_year integer not null,
    measure_id varchar not null,
    product_line varchar not null,
    exclusion_reason varchar not null,
    members bigint not null
);

-- The rolling rate as of each month end of the year, per product line (no 'all' row: summing the
-- lines gives the plan). Same denominator as plan_rate; the numerator counts only evidence dated on
-- or before the month end (docs/plan-reporting.md says how GSD, the inverse measure, is read).
create table if not exists measures.plan_rate_monthly (
    measurement_year integer not null,
    measure_id varchar not null,
    product_line varchar not null,
    month_end date not null,
    denominator bigint not null,
    numerator bigint not null,
    rate double,
    inverse boolean not null
);
