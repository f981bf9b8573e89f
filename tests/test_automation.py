"""The monthly schedule and the landing sensor start the first stage; the chain sensor the rest."""

import datetime as dt

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from pipelines import automation
from pipelines.definitions import all_assets, all_checks
from pipelines.partitions import measurement_year_partitions, service_month_partitions
from pipelines.resources import HmoqaConfig


def _asset(name, deps=(), partitions_def=None):
    @dg.asset(name=name, deps=list(deps), partitions_def=partitions_def)
    def _a():
        return None

    return _a


SMALL_GRAPH = [
    _asset("eligibility"),
    _asset("claims", deps=["eligibility"], partitions_def=service_month_partitions),
    _asset("results", deps=["claims"], partitions_def=measurement_year_partitions),
    _asset("page", deps=["results"]),
]


def _landing(tmp_path):
    (tmp_path / "eligibility.csv").write_text(
        "person_id,gender,birth_date,enrollment_start_date,enrollment_end_date,payer_type\n"
        "1,female,1970-01-01,2024-01-01,2024-12-31,commercial\n")
    (tmp_path / "medical_claim.csv").write_text(
        "claim_id,claim_line_number,claim_type,person_id,claim_start_date,claim_end_date,hcpcs_code,"
        "diagnosis_code_1,paid_amount\n"
        "c1,1,professional,1,2024-03-05,2024-03-05,99213,I10,50\n"
        "c2,1,professional,1,2024-07-20,2024-07-20,99213,I10,50\n")
    return tmp_path


def test_the_landing_sensor_starts_the_pipeline_once_per_change_of_the_folder(tmp_path):
    assets = [*all_assets(), *all_checks()]
    landing = _landing(tmp_path)
    sensor = automation.build(assets).sensors[0]
    resources = {"hmoqa": HmoqaConfig(landing_dir=str(landing), output_dir=str(tmp_path / "out"))}

    result = sensor(dg.build_sensor_context(cursor=None, resources=resources))
    [request] = result.run_requests
    assert request.job_name == "refresh_inputs"
    assert request.tags[automation.FIRST_MONTH_TAG] == "2024-03-01"
    assert request.tags[automation.LAST_MONTH_TAG] == "2024-07-01"
    assert request.tags[automation.YEAR_TAG] == "2024"

    again = sensor(dg.build_sensor_context(cursor=result.cursor, resources=resources))
    assert isinstance(again, dg.SkipReason)

    (landing / "pharmacy_claim.csv").write_text(
        "claim_id,claim_line_number,person_id,dispensing_date,ndc_code\nr1,1,1,2024-08-01,00002771501\n")
    changed = sensor(dg.build_sensor_context(cursor=result.cursor, resources=resources))
    assert changed.cursor != result.cursor
    assert changed.run_requests[0].tags[automation.LAST_MONTH_TAG] == "2024-08-01"


def test_the_monthly_schedule_starts_with_the_month_that_just_closed():
    schedule = automation.build(SMALL_GRAPH).schedules[0]
    context = dg.build_schedule_context(scheduled_execution_time=dt.datetime(2026, 1, 5, 6, tzinfo=dt.timezone.utc))
    request = schedule(context)
    assert request.job_name == "refresh_inputs"
    assert request.tags[automation.FIRST_MONTH_TAG] == request.tags[automation.LAST_MONTH_TAG] == "2025-12-01"
    assert request.tags[automation.YEAR_TAG] == "2025"


JOBS = automation.stage_jobs(SMALL_GRAPH)


def test_the_chain_runs_each_stage_after_the_previous_with_the_same_window():
    tags = automation.window("2025-12-01", "2025-12-01", 2025)
    months = automation.next_request(JOBS, "refresh_inputs", tags, "r1")
    assert months.job_name == "refresh_service_months"
    assert months.tags[ASSET_PARTITION_RANGE_START_TAG] == months.tags[ASSET_PARTITION_RANGE_END_TAG] == "2025-12-01"
    year = automation.next_request(JOBS, months.job_name, months.tags, "r2")
    assert (year.job_name, year.partition_key) == ("refresh_measurement_year", "2025")
    outputs = automation.next_request(JOBS, year.job_name, year.tags, "r3")
    assert outputs.job_name == "refresh_page"
    assert automation.next_request(JOBS, outputs.job_name, outputs.tags, "r4") is None


def test_without_dated_rows_the_chain_skips_the_monthly_stage():
    tags = automation.window(None, None, 2025)
    nxt = automation.next_request(JOBS, "refresh_inputs", tags, "r1")
    assert nxt.job_name == "refresh_measurement_year"
