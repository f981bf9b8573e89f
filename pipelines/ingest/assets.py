"""Dagster assets and checks of the ingest layer (thin wrappers over the plain modules beside them)."""

ASSETS: list = []
CHECKS: list = []
