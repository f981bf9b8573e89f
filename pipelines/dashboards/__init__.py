"""Dashboards: self-contained Plotly pages built from the DuckDB tables (aggregates only, small cells
suppressed). Plain modules here and in `pages/`; the Dagster assets are in `assets.py`."""
