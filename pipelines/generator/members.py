"""Members of one block: demographics, conditions, PCP, deaths, hospice and enrollment segments.

Everything is drawn column-wise with NumPy for a block of consecutive member numbers; nothing loops
over members. Dates are int32 day numbers (see `arrays`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from pipelines.generator.arrays import NO_DATE, day_number
from pipelines.generator.providers import PLANTED_SHIFT, PLANTED_SHIFT_SCALE, Roster

COMMERCIAL, MEDICAID, MEDICARE = 0, 1, 2
LINE_NAMES = ("commercial", "medicaid", "medicare")
LINE_SHARE = np.array([0.55, 0.25, 0.20])
MEASURES = ("BCS", "COL", "CCS", "CBP", "EED", "GSD", "CIS")
SHORT_GAP_MAX_DAYS = 44
LONG_GAP_MIN_DAYS = 46


@dataclass(frozen=True)
class Window:
    """The calendar years generated."""

    first_year: int
    last_year: int

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))

    @property
    def start(self) -> int:
        return day_number(dt.date(self.first_year, 1, 1))

    @property
    def end(self) -> int:
        return day_number(dt.date(self.last_year, 12, 31))

    def year_start(self, year: int) -> int:
        return day_number(dt.date(year, 1, 1))

    def year_starts(self) -> np.ndarray:
        return np.array([self.year_start(y) for y in self.years + [self.last_year + 1]], dtype=np.int32)


@dataclass
class Members:
    number: np.ndarray          # global member number (int64); person_id is derived from it
    female: np.ndarray          # bool
    birth: np.ndarray           # day number
    age_end: np.ndarray         # age in whole years on Dec 31 of the last year
    line_first: np.ndarray      # product line at enrollment start
    line_second: np.ndarray     # product line after `switch_day`
    switch_day: np.ndarray      # NO_DATE = never switches
    death: np.ndarray           # NO_DATE = alive at the end of the window
    hospice_start: np.ndarray   # NO_DATE = never in hospice
    institutional: np.ndarray   # bool: institutional SNP / long-term institutional (66+, medicare)
    pcp: np.ndarray             # provider index
    diabetes: np.ndarray
    hypertension: np.ndarray
    retinopathy: np.ndarray
    frailty: np.ndarray
    advanced_illness: np.ndarray
    dementia: np.ndarray
    esrd: np.ndarray
    mastectomy: np.ndarray
    # member-level propensities (probabilities per year) after planted-provider shifts
    propensity: dict[str, np.ndarray]
    # enrollment: padded segment matrices (members x K); unused slots have start NO_DATE, end -1
    seg_start: np.ndarray
    seg_end: np.ndarray
    seg_hospice: np.ndarray
    gap_length: np.ndarray      # days of the planted gap (0 = none)
    overlapping: np.ndarray     # bool: segments were written overlapping

    def __len__(self) -> int:
        return len(self.number)

    def line_on(self, member: np.ndarray, day: np.ndarray) -> np.ndarray:
        switched = day >= self.switch_day[member]
        return np.where(switched, self.line_second[member], self.line_first[member])

    def covered(self, member: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Whether each (member, day) falls inside one of the member's enrollment segments."""
        day = day[:, None]
        return ((self.seg_start[member] <= day) & (day <= self.seg_end[member])).any(axis=1)

    def age_on(self, member: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Whole years completed on `day`."""
        birth = self.birth[member].astype("datetime64[D]")
        on = np.asarray(day).astype("datetime64[D]")
        years = on.astype("datetime64[Y]").astype(int) - birth.astype("datetime64[Y]").astype(int)
        return years - (_month_day(on) < _month_day(birth))


def _month_day(days: np.ndarray) -> np.ndarray:
    months = days.astype("datetime64[M]")
    return (months.astype(int) % 12) * 100 + (days - months.astype("datetime64[D]")).astype(int) + 1


def _uniform_days(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """A uniform day in [low, high] per row (high >= low)."""
    span = np.maximum(high - low, 0).astype(np.int64) + 1
    return (low + (rng.random(len(span)) * span).astype(np.int64)).astype(np.int32)


def _ages(rng: np.random.Generator, line: np.ndarray, years: int) -> np.ndarray:
    """Age on Dec 31 of the last year, realistic for each product line."""
    n = len(line)
    age = np.empty(n, dtype=np.int32)
    u = rng.random(n)
    # Commercial: working adults 19-64 and their children (with newborns so that children turn 2 every year).
    com = line == COMMERCIAL
    adult = u < 0.72
    age[com & adult] = rng.integers(19, 65, size=(com & adult).sum())
    young = com & ~adult & (u < 0.80)
    age[young] = rng.integers(0, max(years, 3) + 2, size=young.sum())
    child = com & ~adult & ~(u < 0.80)
    age[child] = rng.integers(0, 19, size=child.sum())
    # Medicaid: many children, young adults, some older adults.
    mcd = line == MEDICAID
    kids = mcd & (u < 0.50)
    age[kids] = rng.integers(0, 19, size=kids.sum())
    babies = mcd & (u >= 0.50) & (u < 0.60)
    age[babies] = rng.integers(0, max(years, 3) + 2, size=babies.sum())
    grown = mcd & (u >= 0.60)
    age[grown] = np.minimum(19 + rng.gamma(2.0, 10.0, size=grown.sum()).astype(np.int32), 64)
    # Medicare: mostly 65+, some under 65 with disability.
    mcr = line == MEDICARE
    disabled = mcr & (u < 0.10)
    age[disabled] = rng.integers(30, 65, size=disabled.sum())
    senior = mcr & (u >= 0.10)
    age[senior] = np.minimum(65 + rng.gamma(1.6, 7.0, size=senior.sum()).astype(np.int32), 100)
    return age


def build_members(first_number: int, count: int, window: Window, roster: Roster,
                  rng: np.random.Generator) -> Members:
    n = count
    years = len(window.years)
    number = np.arange(first_number, first_number + n, dtype=np.int64)
    line = rng.choice(3, size=n, p=LINE_SHARE).astype(np.int8)
    female = rng.random(n) < 0.52
    age_end = _ages(rng, line, years)
    end_of_last_year = window.end
    birth_year = window.last_year - age_end
    jan1 = (birth_year - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int32)
    dec31 = (birth_year - 1970 + 1).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int32) - 1
    birth = _uniform_days(rng, jan1, dec31)
    birth = np.minimum(birth, end_of_last_year - 20)  # newborns are at least a few weeks old at the end

    # Conditions (prevalence rises with age).
    ages = age_end.astype(np.float64)
    diabetes = (rng.random(n) < np.select([ages < 18, ages < 40, ages < 65], [0.003, 0.03, 0.11], 0.24))
    hypertension = (rng.random(n) < np.select([ages < 18, ages < 40, ages < 65], [0.002, 0.08, 0.32], 0.62))
    retinopathy = diabetes & (rng.random(n) < 0.12)
    senior = ages >= 66
    frailty = senior & (rng.random(n) < np.where(ages >= 80, 0.30, 0.12))
    advanced_illness = senior & (rng.random(n) < np.where(frailty, 0.45, 0.05))
    dementia = advanced_illness & (rng.random(n) < 0.35)
    esrd = (ages >= 40) & (rng.random(n) < 0.004)
    mastectomy = female & (ages >= 40) & (rng.random(n) < 0.008)
    institutional = senior & (line == MEDICARE) & (rng.random(n) < np.where(frailty, 0.15, 0.015))

    # Deaths and hospice: mostly the old and the very ill.
    death_rate = np.select([ages < 50, ages < 65, ages < 80], [0.001, 0.004, 0.02], 0.06) * years
    death_rate = np.where(advanced_illness, np.minimum(death_rate * 4, 0.8), death_rate)
    dies = rng.random(n) < death_rate
    hospice = senior & (rng.random(n) < np.where(advanced_illness, 0.35, 0.015))
    hospice_start = np.full(n, NO_DATE, dtype=np.int32)
    hospice_start[hospice] = _uniform_days(rng, np.full(hospice.sum(), window.start + 30),
                                           np.full(hospice.sum(), end_of_last_year - 10))
    death = np.full(n, NO_DATE, dtype=np.int32)
    death[dies] = _uniform_days(rng, np.maximum(np.full(dies.sum(), window.start + 20), birth[dies] + 10),
                                np.full(dies.sum(), end_of_last_year))
    # Most hospice members die within six months of starting hospice.
    hospice_death = hospice & (rng.random(n) < 0.65)
    death[hospice_death] = np.minimum(hospice_start[hospice_death] + rng.integers(5, 180, hospice_death.sum()),
                                      end_of_last_year).astype(np.int32)
    hospice_start[hospice & (death < hospice_start)] = NO_DATE

    # PCP assignment: pediatric PCPs for children, adult PCPs otherwise.
    child = age_end < 18
    pcp = np.empty(n, dtype=np.int32)
    pcp[child] = rng.choice(roster.pediatric_pcps, size=child.sum(), p=roster.pcp_weights_pediatric)
    pcp[~child] = rng.choice(roster.adult_pcps, size=(~child).sum(), p=roster.pcp_weights_adult)

    # Yearly propensities, shifted strongly for the panels of planted providers.
    # CIS: the share of children who get every dose on schedule (all ten antigens, Combo 10 style).
    base = {"BCS": 0.45, "COL": 0.22, "CCS": 0.33, "CBP": 0.62, "EED": 0.45, "GSD": 0.30, "CIS": 0.45}
    noise = rng.normal(0.0, 0.05, size=(len(MEASURES), n))
    propensity = {}
    for k, measure in enumerate(MEASURES):
        shift = roster.shift[measure][pcp].astype(np.float64) * PLANTED_SHIFT * PLANTED_SHIFT_SCALE[measure]
        if measure == "GSD":
            shift = -shift  # GSD counts poor control: a better provider has fewer members above 9%
        propensity[measure] = np.clip(base[measure] + noise[k] + shift, 0.02, 0.98)

    # Enrollment: coverage from S to E with an optional gap, product-line switch and hospice flag.
    start = np.maximum(window.start, birth).astype(np.int32)
    late = rng.random(n) < 0.10
    span = end_of_last_year - window.start
    start[late] = np.maximum(start[late], _uniform_days(rng, np.full(late.sum(), window.start + 1),
                                                        np.full(late.sum(), window.start + int(span * 0.8))))
    end = np.full(n, end_of_last_year, dtype=np.int32)
    leaves = rng.random(n) < 0.07
    end[leaves] = _uniform_days(rng, np.minimum(start[leaves] + 60, end_of_last_year),
                                np.full(leaves.sum(), end_of_last_year))
    death[death < start] = NO_DATE  # nobody dies before joining
    end = np.minimum(end, death)
    hospice_start[hospice_start > end] = NO_DATE

    # Product-line switches: turning 65 moves to Medicare; some others move between commercial and Medicaid.
    birthday_65 = (birth.astype("datetime64[D]").astype("datetime64[M]") + 65 * 12).astype("datetime64[D]").astype(np.int32)
    turns_65 = (line != MEDICARE) & (birthday_65 > start) & (birthday_65 <= end)
    switch_day = np.full(n, NO_DATE, dtype=np.int32)
    line_second = line.copy()
    switch_day[turns_65] = birthday_65[turns_65]
    line_second[turns_65] = MEDICARE
    long_enough = (end - start) > 90
    other = ~turns_65 & (line != MEDICARE) & long_enough & (rng.random(n) < 0.05)
    switch_day[other] = _uniform_days(rng, start[other] + 30, end[other] - 30)
    line_second[other] = np.where(line[other] == COMMERCIAL, MEDICAID, COMMERCIAL)

    # Gaps: mostly short (allowed by continuous enrollment), some long (breaking it).
    has_gap = ((end - start) > 240) & (rng.random(n) < 0.12)
    short = rng.random(n) < 0.55
    gap_length = np.where(has_gap, np.where(short, rng.integers(3, SHORT_GAP_MAX_DAYS + 1, n),
                                            rng.integers(LONG_GAP_MIN_DAYS, 200, n)), 0).astype(np.int32)
    gap_start = np.full(n, NO_DATE, dtype=np.int32)
    gap_start[has_gap] = _uniform_days(rng, start[has_gap] + 30, end[has_gap] - gap_length[has_gap] - 30)
    gap_after = np.where(has_gap, gap_start + gap_length, NO_DATE).astype(np.int32)

    # Cut points: enrollment start, each Jan 1 (plans renew segments yearly), switch, hospice, gap.
    year_starts = window.year_starts()[1:-1]
    cuts = np.concatenate([
        start[:, None],
        np.broadcast_to(year_starts, (n, len(year_starts))),
        switch_day[:, None], hospice_start[:, None], gap_start[:, None], gap_after[:, None],
        (end + 1)[:, None]], axis=1).astype(np.int64)
    inside = (cuts > start[:, None]) & (cuts <= end[:, None])
    inside[:, 0] = True
    cuts = np.where(inside, cuts, NO_DATE)
    cuts[:, -1] = end + 1
    cuts.sort(axis=1)
    seg_start = cuts[:, :-1].copy()
    next_cut = cuts[:, 1:]
    seg_end = next_cut - 1
    valid = (seg_start != NO_DATE) & (next_cut != NO_DATE) & (seg_start <= seg_end)
    valid &= seg_start != gap_start[:, None]
    # Duplicate cut points leave empty slots; they are invalid by start > end.
    seg_start = np.where(valid, seg_start, NO_DATE).astype(np.int32)
    seg_end = np.where(valid, seg_end, -1).astype(np.int32)
    seg_hospice = valid & (seg_start >= hospice_start[:, None])

    # Some plans send overlapping segments: extend a segment past the start of the touching next one.
    overlapping = rng.random(n) < 0.04
    following = np.roll(seg_start, -1, axis=1)
    following[:, -1] = NO_DATE
    touching = valid & (following == seg_end + 1)
    stretch = overlapping[:, None] & touching
    seg_end_written = np.where(stretch, seg_end + rng.integers(1, 20, size=seg_end.shape), seg_end).astype(np.int32)
    overlapping &= stretch.any(axis=1)

    return Members(number=number, female=female, birth=birth, age_end=age_end, line_first=line,
                   line_second=line_second, switch_day=switch_day, death=death, hospice_start=hospice_start,
                   institutional=institutional, pcp=pcp, diabetes=diabetes, hypertension=hypertension,
                   retinopathy=retinopathy, frailty=frailty, advanced_illness=advanced_illness,
                   dementia=dementia, esrd=esrd, mastectomy=mastectomy, propensity=propensity,
                   seg_start=seg_start, seg_end=np.maximum(seg_end_written, seg_end), seg_hospice=seg_hospice,
                   gap_length=gap_length, overlapping=overlapping)
