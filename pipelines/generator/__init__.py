"""The seeded synthetic health plan (`hmoqa generate`): one Parquet file per contract source."""

from pipelines.generator.plan import GenerationSummary, generate_plan

__all__ = ["GenerationSummary", "generate_plan"]
