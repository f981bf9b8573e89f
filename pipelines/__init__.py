"""hmoqa: quality analytics for HMOs on Dagster + DuckDB.

Flow: landing files -> raw -> staging (validated, quarantine) -> clinical -> measures -> scores
-> dashboards. Plain logic lives in modules without Dagster imports; each layer's `assets.py`
wraps it thinly.
"""
