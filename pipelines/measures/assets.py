"""Dagster assets and checks of the measures layer (thin wrappers over the plain modules beside them)."""

ASSETS: list = []
CHECKS: list = []
