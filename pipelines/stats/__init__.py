"""Statistical core for rates, provider scores, hybrid samples, chart audits and member experience.

Plain NumPy / Polars modules with no Dagster imports, so they can be tested against hand-worked
examples and reused by any layer. Methods, formulas and the choices behind them are written up for a
quality director in docs/statistics.md.
"""
