"""Jobs, the monthly schedule and the landing-folder sensor."""

from __future__ import annotations


def jobs() -> list:
    return []


def schedules() -> list:
    return []


def sensors() -> list:
    return []
