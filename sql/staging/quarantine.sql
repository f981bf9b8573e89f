-- staging.quarantine: rows that broke a row-level rule, once per rule they broke (so a row can
-- appear more than once; count rows with count(distinct (source_file, source_row))).
-- Re-staging a source or partition replaces its rows here.
create table if not exists staging.quarantine (
    source          varchar not null,
    partition_key   varchar,            -- service month YYYY-MM-01; null for unpartitioned sources
    source_file     varchar not null,
    source_row      bigint not null,    -- 1-based data row in source_file
    column_name     varchar not null,
    rule            varchar not null,   -- not_null | type | allowed | pattern | minimum | known_member | duplicate
    expectation     varchar,            -- the GX expectation stating the rule (none for duplicates)
    value           varchar,            -- the offending value as staged (trimmed)
    reason          varchar not null,
    loaded_at       timestamp not null
);
