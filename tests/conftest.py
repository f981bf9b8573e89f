"""Shared fixtures. `../shared` (reference data) is read in place, never copied into the project."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def _shared_dir() -> Path:
    return Path(os.environ.get("HMOQA_SHARED_DIR", REPO_ROOT.parent / "shared")).resolve()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only reference folder. Missing is a failure, never a skip (CI must not go green without it)."""
    path = _shared_dir()
    if not path.is_dir():
        pytest.fail(f"reference data not found at {path}: tests that need ../shared cannot run "
                    f"(set HMOQA_SHARED_DIR to point at it)")
    return path


@pytest.fixture(scope="session")
def tuva_sample_dir(shared_dir: Path) -> Path:
    path = shared_dir / "samples" / "tuva-input-layer"
    if not path.is_dir():
        pytest.fail(f"public Tuva sample not found at {path}")
    return path
