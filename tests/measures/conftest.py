from pathlib import Path

import duckdb
import pytest

from pipelines.measures.engine import create_measure_tables
from pipelines.terminology.valuesets import load_valuesets


@pytest.fixture(scope="module")
def engine_con(shared_dir: Path):
    """One connection per module with the published value sets loaded (read in place from ../shared)."""
    con = duckdb.connect()
    create_measure_tables(con)
    load_valuesets(con, shared_dir / "valuesets")
    yield con
    con.close()
