-- Problems met while loading: bad files, unknown types, missing subjects, partial dates.
create table if not exists clinical.load_issue (
    source_kind varchar,
    source_file varchar,
    resource_type varchar,
    resource_id varchar,
    severity varchar,
    message varchar
)
