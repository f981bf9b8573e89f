"""The dashboards layer fits the code location: group, partitioning, dependencies the runner accepts."""

from pipelines.dashboards.assets import ASSETS, CHECKS, INDEX_KEY
from pipelines.definitions import all_assets, all_checks
from pipelines.partitions import measurement_year_partitions
from pipelines.runner import plan_stages


def test_one_asset_per_page_in_group_dashboards_and_a_check_each():
    keys = {a.key.to_user_string() for a in ASSETS}
    assert keys == {"dashboards/data_quality", "dashboards/plan_overview", "dashboards/measure_drilldown",
                    "dashboards/care_gaps", "dashboards/provider_scorecards", "dashboards/experience",
                    "dashboards/audits", "dashboards/utilization", "dashboards/index"}
    assert {a.group_names_by_key[a.key] for a in ASSETS} == {"dashboards"}
    yearly = {a.key.to_user_string() for a in ASSETS if a.partitions_def == measurement_year_partitions}
    assert yearly == keys - {"dashboards/data_quality", "dashboards/index"}
    checked = {next(iter(c.check_keys)).asset_key for c in CHECKS}
    assert checked == {a.key for a in ASSETS} - {INDEX_KEY}


def test_the_runner_orders_pages_after_their_data_and_the_index_last():
    stages = plan_stages([*all_assets(), *ASSETS, *all_checks(), *CHECKS])
    order = [key.to_user_string() for stage in stages for key in stage.keys]
    assert order[-1] == "dashboards/index"
    assert order.index("dashboards/utilization") > order.index("scores/utilization")
    assert order.index("dashboards/data_quality") > max(i for i, k in enumerate(order) if k.startswith("staging/"))
