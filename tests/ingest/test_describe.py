"""Asset metadata never shows member identifiers."""

import duckdb

from pipelines.contract import SOURCES

from pipelines.ingest.describe import IDENTIFYING_COLUMNS, date_range, preview_markdown, previewable_columns


def test_previews_leave_out_identifiers_and_id_columns():
    for source in ("eligibility", "medical_claim", "lab_result", "survey_response"):
        columns = previewable_columns(source)
        assert columns
        assert not set(columns) & IDENTIFYING_COLUMNS
        assert not [c for c in columns if c.endswith("_id")]


def test_the_preview_holds_no_member_value():
    con = duckdb.connect()
    columns = SOURCES["eligibility"].column_names
    con.execute(f"create table t ({', '.join(f'{c} varchar' for c in columns)})")
    values = {"person_id": "M-SECRET-1", "member_id": "M-SECRET-2", "first_name": "Jane", "gender": "female",
              "birth_date": "1970-01-01", "payer_type": "commercial", "enrollment_start_date": "2024-01-01"}
    con.execute(f"insert into t ({', '.join(values)}) values ({', '.join('?' for _ in values)})", list(values.values()))
    text = preview_markdown(con, "t", "eligibility")
    assert "female" in text and "commercial" in text
    assert "M-SECRET" not in text and "Jane" not in text and "1970" not in text
    assert date_range(con, "t", "eligibility") == "2024-01-01 .. 2024-01-01"
