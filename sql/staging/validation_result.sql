-- staging.validation_result: one row per GX expectation per validated source partition, with the
-- quarantine's count for the same rule, for the data-quality dashboard. Re-validating replaces.
create table if not exists staging.validation_result (
    source            varchar not null,
    partition_key     varchar,          -- null for unpartitioned sources
    expectation       varchar not null,
    column_name       varchar not null,
    rule              varchar not null,
    success           boolean not null,
    element_count     bigint not null,
    unexpected_count  bigint not null,
    quarantined_count bigint not null,
    agrees            boolean not null, -- GX's unexpected count equals the quarantine's count
    run_at            timestamp not null
);
