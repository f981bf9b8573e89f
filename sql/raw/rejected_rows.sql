-- raw.rejected_rows: rows of partitioned sources that cannot belong to any service-month partition
-- (no parseable partition date, or a month outside the partitions), so they never reach raw.<source>.
-- Kept here, with their reason, so that rows read = rows loaded + rows rejected + rows quarantined.
create table if not exists raw.rejected_rows (
    source          varchar not null,
    source_file     varchar not null,
    source_row      bigint not null,
    column_name     varchar not null,  -- the partition date columns, in order of preference
    rule            varchar not null,  -- no_service_month | outside_partitions
    value           varchar,           -- the partition date columns' values as read
    reason          varchar not null,
    loaded_at       timestamp not null
);
