"""Terminology: value-set expansions and code normalisation (no Dagster imports)."""
