-- raw.landing_inventory: what landed, per source file and service month (one row per file for
-- unpartitioned sources). Rows without a usable service month are listed in raw.rejected_rows.
create table if not exists raw.landing_inventory (
    source          varchar not null,
    source_file     varchar not null,
    file_bytes      bigint not null,
    file_modified   timestamp not null,
    service_month   date,              -- null for unpartitioned sources and for rejected rows
    row_status      varchar not null,  -- unpartitioned | in_partitions | no_service_month | outside_partitions
    rows            bigint not null,
    inventoried_at  timestamp not null
);
