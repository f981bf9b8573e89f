"""The runner's stage planning: same-kind stages in dependency order, as few as the graph allows."""

import dagster as dg
import pytest

from pipelines.partitions import measurement_year_partitions, service_month_partitions
from pipelines.runner import plan_stages


def _asset(name, deps=(), partitions_def=None):
    @dg.asset(name=name, deps=list(deps), partitions_def=partitions_def)
    def _a():
        return None

    return _a


def test_stages_follow_dependencies_and_group_by_partitioning():
    assets = [
        _asset("eligibility"),
        _asset("provider"),
        _asset("claims", deps=["eligibility"], partitions_def=service_month_partitions),
        _asset("claims_staged", deps=["claims"], partitions_def=service_month_partitions),
        _asset("valuesets"),
        _asset("results", deps=["claims_staged", "valuesets"], partitions_def=measurement_year_partitions),
        _asset("index_page", deps=["results"]),
    ]
    stages = plan_stages(assets)
    assert [s.kind for s in stages] == ["unpartitioned", "month", "year", "unpartitioned"]
    assert [k.to_user_string() for k in stages[0].keys] == ["eligibility", "provider", "valuesets"]
    assert [k.to_user_string() for k in stages[1].keys] == ["claims", "claims_staged"]
    assert [k.to_user_string() for k in stages[3].keys] == ["index_page"]


def test_a_dependency_on_an_undefined_asset_is_an_error():
    with pytest.raises(ValueError, match="undefined"):
        plan_stages([_asset("a", deps=["missing"])])
