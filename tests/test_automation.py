"""The monthly schedule and the landing sensor request every stage, in pipeline order."""

import datetime as dt

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from pipelines import automation
from pipelines.definitions import all_assets, all_checks
from pipelines.partitions import measurement_year_partitions, service_month_partitions
from pipelines.resources import HmoqaConfig

ASSETS = [*all_assets(), *all_checks()]


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


def test_the_sensor_requests_every_stage_once_per_change_of_the_landing_folder(tmp_path):
    landing = _landing(tmp_path)
    sensor = automation.sensors(ASSETS)[0]
    resources = {"hmoqa": HmoqaConfig(landing_dir=str(landing), output_dir=str(tmp_path / "out"))}

    result = sensor(dg.build_sensor_context(cursor=None, resources=resources))
    jobs = [r.job_name for r in result.run_requests]
    assert jobs == [job.name for job in automation.jobs(ASSETS)]
    months = [r for r in result.run_requests if r.job_name == "refresh_service_months"]
    assert months[0].tags[ASSET_PARTITION_RANGE_START_TAG] == "2024-03-01"
    assert months[0].tags[ASSET_PARTITION_RANGE_END_TAG] == "2024-07-01"

    again = sensor(dg.build_sensor_context(cursor=result.cursor, resources=resources))
    assert isinstance(again, dg.SkipReason)

    (landing / "pharmacy_claim.csv").write_text(
        "claim_id,claim_line_number,person_id,dispensing_date,ndc_code\nr1,1,1,2024-08-01,00002771501\n")
    changed = sensor(dg.build_sensor_context(cursor=result.cursor, resources=resources))
    assert changed.cursor != result.cursor
    assert [r for r in changed.run_requests if r.job_name == "refresh_service_months"][0].tags[
        ASSET_PARTITION_RANGE_END_TAG] == "2024-08-01"


def _asset(name, deps=(), partitions_def=None):
    @dg.asset(name=name, deps=list(deps), partitions_def=partitions_def)
    def _a():
        return None

    return _a


def test_the_monthly_schedule_refreshes_the_month_that_just_closed():
    small_graph = [
        _asset("eligibility"),
        _asset("claims", deps=["eligibility"], partitions_def=service_month_partitions),
        _asset("results", deps=["claims"], partitions_def=measurement_year_partitions),
        _asset("page", deps=["results"]),
    ]
    schedule = automation.schedules(small_graph)[0]
    context = dg.build_schedule_context(scheduled_execution_time=dt.datetime(2026, 3, 5, 6, tzinfo=dt.timezone.utc))
    requests = list(schedule(context))
    months = [r for r in requests if r.job_name == "refresh_service_months"]
    assert months[0].tags[ASSET_PARTITION_RANGE_START_TAG] == "2026-02-01"
    assert months[0].tags[ASSET_PARTITION_RANGE_END_TAG] == "2026-02-01"
    years = [r for r in requests if r.job_name == "refresh_measurement_year"]
    assert [r.partition_key for r in years] == ["2026"]
    assert [r.job_name for r in requests] == [
        "refresh_inputs", "refresh_service_months", "refresh_measurement_year", "refresh_outputs_3"]
