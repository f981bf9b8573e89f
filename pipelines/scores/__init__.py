"""The scores layer: attribution, provider performance, the hybrid method, chart audits, member
experience, utilization and cost.

Plain modules (no Dagster) that read the staging tables and the plan program's measure results, call
the statistics library in `pipelines.stats`, and persist one measurement year at a time into the
`scores` schema (the hybrid tables into `measures`). The rules
are written up in docs/scores.md; the Dagster assets in `assets.py` are thin wrappers.
"""
