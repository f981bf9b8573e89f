"""Turning NumPy columns into Arrow columns cheaply, and writing Parquet in bounded chunks.

Dates are int32 day numbers (days since 1970-01-01) with `NO_DATE` for null. They are written as ISO
text through a dictionary of the distinct days, so formatting costs one string per distinct day, not
one per row. Files are written without the Arrow schema, so readers see plain text columns.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

NO_DATE = np.int32(2**31 - 1)
EPOCH = dt.date(1970, 1, 1)
TEXT = pa.string()
CODED = pa.dictionary(pa.int32(), pa.string())


def day_number(value: dt.date) -> int:
    return (value - EPOCH).days


def iso_dates(days: np.ndarray, with_time: str | None = None) -> pa.DictionaryArray:
    """ISO `YYYY-MM-DD` text (or `YYYY-MM-DD HH:MM:SS` when `with_time` is given) for day numbers."""
    days = np.asarray(days, dtype=np.int32)
    missing = days == NO_DATE
    present = days[~missing]
    low = int(present.min()) if present.size else 0
    high = int(present.max()) if present.size else 0
    labels = np.arange(low, high + 1, dtype="int64").astype("datetime64[D]").astype(str)
    if with_time is not None:
        labels = np.char.add(labels, " " + with_time)
    indices = np.where(missing, 0, days - low).astype(np.int32)
    return pa.DictionaryArray.from_arrays(pa.array(indices, mask=missing), pa.array(labels.tolist(), TEXT))


def coded(indices: np.ndarray, vocabulary: pa.Array) -> pa.DictionaryArray:
    """A dictionary column from int32 indices into `vocabulary` (-1 = null).

    The dictionary is made unique first: Parquet output of a dictionary holding the same text twice
    is not byte-reproducible.
    """
    values, inverse = np.unique(np.asarray(vocabulary.to_pylist(), dtype=object).astype(str), return_inverse=True)
    indices = np.asarray(indices, dtype=np.int32)
    missing = indices < 0
    remapped = inverse.astype(np.int32)[np.where(missing, 0, indices)] if len(inverse) else np.zeros(len(indices), np.int32)
    return pa.DictionaryArray.from_arrays(
        pa.array(remapped, mask=missing if missing.any() else None), pa.array(values.tolist(), TEXT))


def constant(value: str | None, length: int) -> pa.DictionaryArray:
    if value is None:
        return pa.DictionaryArray.from_arrays(pa.nulls(length, pa.int32()), pa.array([], TEXT))
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(length, np.int32)), pa.array([value], TEXT))


def prefixed_ids(prefix: str, numbers: np.ndarray, width: int = 9) -> pa.Array:
    """Identifiers like `P000000123`: a prefix and a zero-padded number."""
    text = pc.utf8_lpad(pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), TEXT), width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), text, "")


def money(values: np.ndarray) -> pa.Array:
    values = np.round(np.asarray(values, dtype=np.float64), 2)
    missing = np.isnan(values)
    return pa.array(values, mask=missing if missing.any() else None, type=pa.float64())


def integers(values: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.int64), mask=missing, type=pa.int64())


def arrow_type(kind: str) -> pa.DataType:
    return {"coded": CODED, "text": TEXT, "int": pa.int64(), "float": pa.float64()}[kind]


class ChunkedParquetWriter:
    """Appends tables of a fixed schema to one Parquet file; remembers how many rows it wrote."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.path = path
        self.schema = schema
        self.rows = 0
        self._writer = pq.ParquetWriter(str(path), schema, compression="snappy", store_schema=False)

    def write(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        self._writer.write_table(table.select(self.schema.names).cast(self.schema))
        self.rows += table.num_rows

    def close(self) -> None:
        self._writer.close()
