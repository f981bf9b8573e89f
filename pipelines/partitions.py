"""Partitions shared by every layer.

Claims, pharmacy claims and lab results are partitioned by service month so a data engineer can
backfill any range in one run; measure results and scores by measurement year.
"""

from __future__ import annotations

import os
import warnings

import dagster as dg

# Single-run backfills and partitioned asset checks are marked beta/preview in Dagster 1.13; they are
# what this project relies on, so the warnings say nothing new on every import.
warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)

# The earliest service month the pipeline knows about (the public Tuva sample has labs from 2014); plans
# with older history set HMOQA_FIRST_MONTH (YYYY-MM-01).
FIRST_MONTH = os.environ.get("HMOQA_FIRST_MONTH", "2010-01-01")

service_month_partitions = dg.MonthlyPartitionsDefinition(start_date=FIRST_MONTH, end_offset=1)

measurement_year_partitions = dg.TimeWindowPartitionsDefinition(
    start=FIRST_MONTH[:4], fmt="%Y", cron_schedule="0 0 1 1 *", end_offset=1
)

# A backfill over many months runs as one run that replaces the whole range in one transaction.
single_run_backfill = dg.BackfillPolicy.single_run()
