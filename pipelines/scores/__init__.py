"""The scores layer: attribution, chart audits, member experience, utilization and cost.

Plain modules (no Dagster) that read the staging tables, call the statistics library in
`pipelines.stats`, and persist one measurement year at a time into the `scores` schema. The rules
are written up in docs/scores.md; the Dagster assets in `assets.py` are thin wrappers.
"""
