"""Small code lists of the scores layer, kept as CSV files that a reviewer can read and edit.

primary_care_visit.csv: the primary-care E&M codes that count as attribution visits.
planned_readmission.csv: principal diagnoses (ICD10CM) and MS-DRGs whose stays are planned, so they
are not counted as readmissions (docs/scores.md).
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

FOLDER = Path(__file__).resolve().parent


@cache
def codes(list_name: str, code_system: str | None = None) -> tuple[str, ...]:
    """The codes of one list (optionally of one code system), normalised like staging: upper case, no dots."""
    with (FOLDER / f"{list_name}.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(sorted({r["code"].strip().upper().replace(".", "") for r in rows
                         if code_system is None or r["code_system"] == code_system}))
