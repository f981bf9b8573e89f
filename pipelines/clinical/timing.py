"""FHIR date/time values as uncertainty intervals in UTC.

Every FHIR date or dateTime becomes a pair (lo, hi) of naive UTC timestamps: the first and the
last millisecond the value can stand for. A full timestamp with milliseconds has lo == hi; a
date-only value covers its whole day; a partial date (2025, 2025-06) its whole year or month.
Measures test criteria against the bound that makes them certain, which reproduces the reference
engines' "uncertain means not met" behaviour at exact boundaries.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta, timezone

BEGINNING_OF_TIME = datetime(1, 1, 1)
END_OF_TIME = datetime(9999, 12, 31, 23, 59, 59, 999000)
ONE_MS = timedelta(milliseconds=1)

_DATETIME = re.compile(
    r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d+))?)?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)


class TimingError(ValueError):
    pass


def parse_datetime(text: str) -> tuple[datetime, datetime, str, bool]:
    """(lo, hi, precision, had_time_zone) of a FHIR date / dateTime / instant, in naive UTC.

    A time without a zone is read as UTC (the evaluation time zone); the flag lets the caller report it.
    """
    match = _DATETIME.match(str(text).strip())
    if not match:
        raise TimingError(f"not a FHIR date/dateTime: {text!r}")
    g = match.groupdict()
    year = int(g["year"])
    if g["month"] is None:
        return datetime(year, 1, 1), datetime(year, 12, 31, 23, 59, 59, 999000), "year", True
    month = int(g["month"])
    if g["day"] is None:
        last = calendar.monthrange(year, month)[1]
        return (datetime(year, month, 1), datetime(year, month, last, 23, 59, 59, 999000),
                "month", True)
    day = int(g["day"])
    if g["hour"] is None:
        return datetime(year, month, day), datetime(year, month, day, 23, 59, 59, 999000), "day", True
    lo = datetime(year, month, day, int(g["hour"]), int(g["minute"]))
    if g["second"] is None:
        width, precision = timedelta(seconds=59, milliseconds=999), "minute"
    elif g["fraction"] is None:
        lo = lo.replace(second=int(g["second"]))
        width, precision = timedelta(milliseconds=999), "second"
    else:
        millis = int((g["fraction"] + "00")[:3])
        lo = lo.replace(second=int(g["second"]), microsecond=millis * 1000)
        width, precision = timedelta(0), "millisecond"
    tz = g["tz"]
    if tz and tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        hours, minutes = int(tz[1:3]), int(tz[4:6])
        lo = lo - sign * timedelta(hours=hours, minutes=minutes)
    return lo, lo + width, precision, tz is not None


def parse_date(text: str) -> tuple[date | None, str]:
    """A FHIR `date` (birthDate): the date when complete, else None with the partial precision."""
    lo, _hi, precision, _tz = parse_datetime(text)
    return (lo.date() if precision == "day" else None), precision


def add_years(day: date, years: int) -> date:
    """Calendar year shift; 29 February maps to 28 February in a non-leap year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def start_of_day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def end_of_day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, 999000)


__all__ = ["BEGINNING_OF_TIME", "END_OF_TIME", "ONE_MS", "TimingError", "parse_datetime",
           "parse_date", "add_years", "start_of_day", "end_of_day", "timezone"]
