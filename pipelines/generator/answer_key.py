"""The generator's answer key: per member x measure x measurement year, the outcome the plan program
(`../shared/spec/plan-program.md`) should reach, and the rule that decided it.

The key is written from what the generator decided to generate, never by querying its output:

* enrollment (sections 3-5: continuous enrollment, anchor date, product line, death, hospice and
  institutional flags) is computed here for every member from the segments the generator wrote;
* the clinical part (condition identification, clinical exclusions, numerators) is known exactly for
  the planted edge members (`edge_cases`), whose claims are hand-written; for the randomly drawn
  members it is left null (`key_scope = 'enrollment'`), except where an enrollment rule already
  decides the row (not eligible, or excluded by death / hospice flag / institutional flag).

Population columns follow measures.md 1.9: denominator = eligible population; exclusion and numerator
are only true inside the denominator, and numerator only when not excluded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipelines.generator.arrays import NO_DATE, day_number
from pipelines.generator.enrollment_rules import CoverageGrid, continuous_enrollment, product_line_on

ANSWER_KEY_NAME = "answer_key.parquet"
MEASURE_ORDER = ("BCS", "COL", "CCS", "CBP", "EED", "GSD", "CIS")


@dataclass(frozen=True)
class MeasureRules:
    low_age: int
    high_age: int
    female_only: bool
    years_back: int               # calendar years before MY in the enrollment window
    condition: str | None         # 'hypertension' or 'diabetes': identified from claims
    institutional: bool           # the 66+ institutional exclusion applies
    default_numerator: bool       # when no numerator evidence exists (GSD: no assessment = poor control)


MEASURES: dict[str, MeasureRules] = {
    "BCS": MeasureRules(52, 74, True, 2, None, True, False),
    "COL": MeasureRules(46, 75, False, 1, None, True, False),
    "CCS": MeasureRules(24, 64, True, 0, None, False, False),
    "CBP": MeasureRules(18, 85, False, 0, "hypertension", True, False),
    "EED": MeasureRules(18, 75, False, 0, "diabetes", True, False),
    "GSD": MeasureRules(18, 75, False, 0, "diabetes", True, True),
    "CIS": MeasureRules(2, 2, False, 0, None, False, False),
}
EXCLUSION_ORDER = ("death", "hospice", "long_term_institution")


@dataclass
class MemberFrame:
    """The enrollment-level facts of a set of members, as the generator wrote them."""

    person_id: list[str]
    member_index: np.ndarray       # int64: generator member number (planted members follow the drawn ones)
    birth: np.ndarray              # day numbers
    female: np.ndarray
    death: np.ndarray              # NO_DATE = none
    seg_start: np.ndarray          # members x K, NO_DATE = unused slot
    seg_end: np.ndarray
    seg_line: np.ndarray           # LINE_PRIORITY index (0 medicare, 1 medicaid, 2 commercial)
    seg_hospice: np.ndarray        # bool
    seg_snp: np.ndarray            # bool: institutional_snp_flag
    seg_long_term: np.ndarray      # bool: long_term_institutional_flag
    case: list[str | None]         # planted case name, None for drawn members
    case_rules: list[dict[str, tuple[str, ...]]] | None = None  # measure -> rules the case was planted for


@dataclass
class ClinicalFacts:
    """Per (member row, measure): what the planted claims show. None = unknown (drawn members)."""

    condition: dict[str, np.ndarray]          # measure -> object array of bool/None
    condition_rule: dict[str, np.ndarray]
    exclusion: dict[str, np.ndarray]          # measure -> object array of reason text or None ('' = none)
    exclusion_rule: dict[str, np.ndarray]
    numerator: dict[str, np.ndarray]
    numerator_rule: dict[str, np.ndarray]
    # measure -> source category of the numerator evidence: 'administrative' | 'supplemental', '' when no
    # evidence row decides (GSD with no assessment), None unknown
    numerator_source: dict[str, np.ndarray] = field(default_factory=dict)


def planted_facts(cases) -> ClinicalFacts:
    """The clinical facts of the planted cases' hand-written claims (`edge_cases.Case.expect`), with the
    defaults of a member who has no such evidence."""
    n = len(cases)
    facts = ClinicalFacts({}, {}, {}, {}, {}, {})
    for measure, spec in MEASURES.items():
        condition = np.empty(n, dtype=object)
        condition_rule = np.empty(n, dtype=object)
        exclusion = np.empty(n, dtype=object)
        exclusion_rule = np.empty(n, dtype=object)
        numerator = np.empty(n, dtype=object)
        numerator_rule = np.empty(n, dtype=object)
        source = np.empty(n, dtype=object)
        for i, case in enumerate(cases):
            if spec.condition is not None:
                default = (False, "cbp.no_hypertension_evidence" if spec.condition == "hypertension"
                           else "diabetes.no_evidence")
                condition[i], condition_rule[i] = case.expect.get(spec.condition, default)
            exclusion[i], exclusion_rule[i] = case.expect.get("exclusion", {}).get(measure, ("", None))
            default = (True, "gsd.no_assessment") if spec.default_numerator else \
                (False, f"{measure.lower()}.no_numerator_evidence")
            numerator[i], numerator_rule[i] = case.expect.get("numerator", {}).get(measure, default)
            # Planted evidence is claims, except the lab results of the supplemental-lab cases.
            source[i] = "" if numerator_rule[i] == "gsd.no_assessment" else \
                "supplemental" if numerator_rule[i] == "supplemental_lab_result" else "administrative"
        facts.condition[measure], facts.condition_rule[measure] = condition, condition_rule
        facts.exclusion[measure], facts.exclusion_rule[measure] = exclusion, exclusion_rule
        facts.numerator[measure], facts.numerator_rule[measure] = numerator, numerator_rule
        facts.numerator_source[measure] = source
    return facts


def planted_rules(case) -> dict[str, tuple[str, ...]]:
    """Measure -> the rules a case was planted for, on the measures its claims speak to ('*' = all)."""
    targets = set(case.expect.get("numerator", {})) | set(case.expect.get("exclusion", {}))
    if "hypertension" in case.expect:
        targets.add("CBP")
    if "diabetes" in case.expect:
        targets |= {"EED", "GSD"}
    if not targets:
        return {"*": case.rules}
    return {m: case.rules for m in targets}


def add_years(days: np.ndarray, years: int) -> np.ndarray:
    """Calendar arithmetic on day numbers; a 29 February maps to 28 February."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    day_of_month = (d - month.astype("datetime64[D]")).astype(np.int64)
    target = month + 12 * years
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    return (target.astype("datetime64[D]") + np.minimum(day_of_month, length - 1)).astype(np.int64)


def _year_bounds(year: int) -> tuple[int, int]:
    return day_number(dt.date(year, 1, 1)), day_number(dt.date(year, 12, 31))


def key_table(frame: MemberFrame, year: int, clinical: ClinicalFacts | None) -> pa.Table:
    """Answer-key rows of `frame` for measurement year `year` (members outside a measure's age/sex band
    are left out: they are in no population of that measure)."""
    n = len(frame.member_index)
    birth = frame.birth.astype(np.int64)
    birth_year = birth.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    age = year - birth_year  # age on Dec 31 of MY
    my_start, my_end = _year_bounds(year)
    # The widest window starts Oct 1 two years before MY (BCS); CIS children turning 2 in MY have their
    # 1st birthday in MY-1. One day of margin on each side shows gaps running across the window edges.
    first_day = _year_bounds(year - 2)[0] - 1
    grid = CoverageGrid(frame.seg_start, frame.seg_end, first_day, my_end + 1)
    anchor = np.full(n, my_end, dtype=np.int64)
    line, line_rule = product_line_on(frame.seg_start, frame.seg_end, frame.seg_line, anchor)

    in_my = (frame.seg_start != NO_DATE) & (frame.seg_start <= my_end) & (frame.seg_end >= my_start)
    died = (frame.death != NO_DATE) & (frame.death >= my_start) & (frame.death <= my_end)
    hospice_flag = (in_my & frame.seg_hospice).any(axis=1)
    snp = (in_my & frame.seg_snp).any(axis=1)
    long_term = (in_my & frame.seg_long_term).any(axis=1)
    institutional = (snp | long_term) & (age >= 66)
    institutional_young = (snp | long_term) & (age < 66)
    no_segments = ~(frame.seg_start != NO_DATE).any(axis=1)

    tables = []
    for measure in MEASURE_ORDER:
        spec = MEASURES[measure]
        band = (age >= spec.low_age) & (age <= spec.high_age) & (frame.female | (not spec.female_only))
        rows = np.flatnonzero(band)
        sub = grid.subset(rows)
        k_n = len(rows)
        ce, ce_rule = np.zeros(n, dtype=bool), np.full(n, "", dtype=object)
        if measure == "CIS":
            first, second = add_years(birth[rows], 1), add_years(birth[rows], 2)
            ce[rows], ce_rule[rows] = continuous_enrollment(sub, [(first, second)], second)
            line_m = np.full(n, None, dtype=object)
            line_rule_m = np.full(n, "", dtype=object)
            line_m[rows], line_rule_m[rows] = product_line_on(frame.seg_start[rows], frame.seg_end[rows],
                                                              frame.seg_line[rows], second)
        else:
            periods = [tuple(np.full(k_n, v, dtype=np.int64) for v in _year_bounds(y))
                       for y in range(year - min(spec.years_back, 1), year + 1)]
            no_gap = None
            if measure == "BCS":
                no_gap = (np.full(k_n, day_number(dt.date(year - 2, 10, 1))), np.full(k_n, _year_bounds(year - 2)[1]))
            ce[rows], ce_rule[rows] = continuous_enrollment(sub, periods, anchor[rows], no_gap)
            line_m, line_rule_m = line, line_rule
        rules = [["no_enrollment" if no_segments[i] else str(ce_rule[i])] for i in rows]
        exclusion = np.empty(len(rows), dtype=object)
        numerator = np.empty(len(rows), dtype=object)
        eligible = np.empty(len(rows), dtype=object)
        reason_text = np.empty(len(rows), dtype=object)
        for k, i in enumerate(rows):
            has = True
            if spec.condition is not None:
                has = None if clinical is None else clinical.condition[measure][i]
                if ce[i] and clinical is not None:
                    rules[k].append(str(clinical.condition_rule[measure][i]))
            eligible[k] = False if not ce[i] else (None if has is None else bool(has))
            if eligible[k] is False:
                exclusion[k], numerator[k], reason_text[k] = False, False, None
                continue
            found = []
            if died[i]:
                found.append("death")
            if hospice_flag[i]:
                found.append("hospice")
            if spec.institutional and institutional[i]:
                found.append("long_term_institution")
            if found and found[0] == "long_term_institution":
                rules[k] += (["institutional_snp_66_plus"] if snp[i] else []) + \
                    (["long_term_institutional_66_plus"] if long_term[i] and not snp[i] else [])
            elif found:
                rules[k].append({"death": "death", "hospice": "hospice_flag"}[found[0]])
            elif spec.institutional and institutional_young[i]:
                rules[k].append("institutional_under_66_not_excluded")
            extra = None if clinical is None else clinical.exclusion[measure][i]  # reason, '' = none, None = unknown
            if extra:
                found += [r for r in str(extra).split(";") if r not in found]
                rules[k].append(str(clinical.exclusion_rule[measure][i]))
            if found:
                # Excluded if eligible (eligibility may be unknown when the condition is).
                exclusion[k] = True if eligible[k] else None
                numerator[k], reason_text[k] = False, ";".join(found)
                continue
            reason_text[k] = None
            if extra is None or eligible[k] is None:
                if clinical is not None and extra is None:
                    rules[k].append(str(clinical.exclusion_rule[measure][i]))
                exclusion[k], numerator[k] = None, None
                continue
            exclusion[k] = False
            value = clinical.numerator[measure][i]
            numerator[k] = None if value is None else bool(value)
            rules[k].append(str(clinical.numerator_rule[measure][i]))
        source = np.full(len(rows), None, dtype=object)
        if clinical is not None and measure in clinical.numerator_source:
            for k, i in enumerate(rows):
                if numerator[k] is True and clinical.numerator_source[measure][i]:
                    source[k] = clinical.numerator_source[measure][i]
        known = np.array([e is not None and x is not None and v is not None
                          for e, x, v in zip(eligible, exclusion, numerator)], dtype=bool)
        scope = np.where(known, "full", "partial").astype(object)
        for k, i in enumerate(rows):
            if line_m[i] is not None:
                rules[k].append(str(line_rule_m[i]))
            if frame.case_rules is not None and frame.case_rules[i]:
                planted = frame.case_rules[i]
                rules[k] += list(planted.get(measure, ()) if "*" not in planted else planted["*"])
        tables.append(pa.table({
            "person_id": pa.array([frame.person_id[i] for i in rows], pa.string()),
            "member_index": pa.array(frame.member_index[rows], pa.int64()),
            "case": pa.array([frame.case[i] for i in rows], pa.string()),
            "measure": pa.array([measure] * len(rows), pa.string()),
            "measurement_year": pa.array(np.full(len(rows), year, dtype=np.int64)),
            "eligible_population": pa.array(eligible.tolist(), pa.bool_()),
            "denominator": pa.array(eligible.tolist(), pa.bool_()),
            "exclusion": pa.array(exclusion.tolist(), pa.bool_()),
            "exclusion_reason": pa.array([r.split(";")[0] if r else None for r in reason_text], pa.string()),
            "exclusion_reasons": pa.array(reason_text.tolist(), pa.string()),
            "numerator": pa.array(numerator.tolist(), pa.bool_()),
            "product_line": pa.array([line_m[i] for i in rows], pa.string()),
            "numerator_source_category": pa.array(source.tolist(), pa.string()),
            "rule": pa.array([";".join(dict.fromkeys(r)) for r in rules], pa.string()),
            "key_scope": pa.array(scope.tolist(), pa.string()),
        }))
    return pa.concat_tables(tables)


def answer_key_coverage(out_dir: Path) -> pa.Table:
    """Rule -> number of distinct members whose key rows name it (from `<out>/_generator/answer_key.parquet`)."""
    key = pq.read_table(Path(out_dir) / "_generator" / ANSWER_KEY_NAME, columns=["member_index", "rule"])
    rules = pc.split_pattern(key["rule"], ";")
    lengths = pc.list_value_length(rules).to_numpy(zero_copy_only=False)
    exploded = pa.table({"rule": pc.list_flatten(rules),
                         "member_index": np.repeat(key["member_index"].to_numpy(), lengths)})
    counted = exploded.group_by("rule").aggregate([("member_index", "count_distinct")])
    counted = counted.rename_columns(["rule", "members"])
    return counted.sort_by("rule")


COMPARED = ("denominator", "exclusion", "numerator", "product_line", "numerator_source_category")


def _all_null(table: pa.Table, column: str) -> pa.Table:
    """`table` with `column` (replaced or added) holding only nulls."""
    if column in table.column_names:
        table = table.drop_columns([column])
    return table.append_column(column, pa.nulls(table.num_rows, pa.string()))


def compare_with_key(key: pa.Table, results: pa.Table, reason_names: dict[str, str] | None = None):
    """Join member-level plan results to the key and judge every row.

    `results` has `person_id`, `measure`, `measurement_year`, `denominator`, `exclusion`, `numerator`,
    `product_line`, `exclusion_reason` and optionally `numerator_source_category` (one row per member x
    measure x year). A key row with no result
    row means the plan program put the member in no population (all false). Only the key's non-null
    columns are compared; for an excluded member the set of reasons the plan program lists
    (comma-separated, each renamed through `reason_names`, plan-program name -> key name) must equal the
    key's `exclusion_reasons`. Returns
    (per-measure summary: measure, cases, agree, disagree; list of disagreements as dicts).
    """
    import polars as pl

    # The source category is optional on both sides: compared only when both have the column.
    source = "numerator_source_category"
    if source not in key.column_names or source not in results.column_names:
        key, results = _all_null(key, source), _all_null(results, source)
    k = pl.from_arrow(key)
    r = pl.from_arrow(results.select(["person_id", "measure", "measurement_year", *COMPARED, "exclusion_reason"]))
    if reason_names:
        r = r.with_columns(pl.col("exclusion_reason").str.split(",").list.eval(
            pl.element().str.strip_chars().replace(reason_names)).list.join(","))
    r = r.rename({c: f"actual_{c}" for c in (*COMPARED, "exclusion_reason")})
    joined = k.join(r, on=["person_id", "measure", "measurement_year"], how="left")
    joined = joined.with_columns([pl.col(f"actual_{c}").fill_null(False) for c in ("denominator", "exclusion", "numerator")])
    checks = []
    for column in COMPARED:
        expected, actual = pl.col(column), pl.col(f"actual_{column}")
        if column == "product_line":
            # The product line only matters for members in the denominator.
            checks.append(~pl.col("denominator").fill_null(False) | (expected.eq_missing(actual)))
        else:
            checks.append(expected.is_null() | expected.eq_missing(actual))
    # The plan program lists every reason that holds (comma-separated); so does the key (';'): same set.
    def reason_set(column: str) -> pl.Expr:
        return (pl.col(column).fill_null("").str.replace_all(";", ",").str.split(",")
                .list.eval(pl.element().str.strip_chars().filter(pl.element() != "")).list.unique().list.sort())
    same_reasons = reason_set("exclusion_reasons") == reason_set("actual_exclusion_reason")
    checks.append(~pl.col("exclusion").fill_null(False) | pl.col("exclusion_reasons").is_null() | same_reasons)
    joined = joined.with_columns(pl.all_horizontal(checks).alias("agrees"))
    # A member outside every band of a measure has no key row: the plan program must not count it either.
    unexpected = r.filter(pl.col("actual_denominator").fill_null(False)).join(
        k.select("person_id", "measure", "measurement_year"), on=["person_id", "measure", "measurement_year"],
        how="anti").with_columns(pl.lit(False).alias("agrees"), pl.lit("outside_age_sex_band").alias("rule"))
    judged = pl.concat([joined.select("measure", "person_id", "agrees"),
                        unexpected.select("measure", "person_id", "agrees")])
    summary = (judged.group_by("measure").agg(pl.len().alias("cases"), pl.col("agrees").sum().alias("agree"))
               .with_columns((pl.col("cases") - pl.col("agree")).alias("disagree")).sort("measure"))
    wrong = joined.filter(~pl.col("agrees")).select(
        "measure", "member_index", "person_id", "case", "rule", *COMPARED, "exclusion_reasons",
        *[f"actual_{c}" for c in (*COMPARED, "exclusion_reason")])
    return summary, wrong.to_dicts() + unexpected.select("measure", "person_id", "rule",
                                                         *[f"actual_{c}" for c in COMPARED]).to_dicts()


def agreement_report(summary, wrong: list[dict], coverage: pa.Table, required: dict[str, tuple[str, str]]) -> str:
    """Plain-text report of a comparison (`compare_with_key`) and of the key's rule coverage: per measure
    cases / agree / disagree, every disagreement (synthetic members: ids are printed), then rule ->
    members for every rule the key names, the required rules (section, meaning) first."""
    lines = ["plan program vs answer key", f"{'measure':<8}{'cases':>8}{'agree':>8}{'disagree':>10}"]
    for row in summary.iter_rows(named=True):
        lines.append(f"{row['measure']:<8}{row['cases']:>8}{row['agree']:>8}{row['disagree']:>10}")
    total = sum(summary["cases"])
    agree = sum(summary["agree"])
    lines.append(f"{'all':<8}{total:>8}{agree:>8}{total - agree:>10}   ({100.0 * agree / max(total, 1):.2f} % agree)")
    if wrong:
        lines.append(f"disagreements ({len(wrong)}):")
        for w in wrong:
            expected = {c: w.get(c) for c in (*COMPARED, "exclusion_reasons")}
            actual = {c: w.get(f"actual_{c}") for c in (*COMPARED, "exclusion_reason")}
            lines.append(f"  {w['measure']} member {w.get('member_index')} {w['person_id']} case={w.get('case')} "
                         f"rule={w.get('rule')}\n      expected {expected}\n      actual   {actual}")
    counts = dict(zip(coverage["rule"].to_pylist(), coverage["members"].to_pylist()))
    lines.append("rule coverage (rule -> members whose key rows name it):")
    for rule, (section, meaning) in required.items():
        lines.append(f"  {counts.get(rule, 0):>6}  [{section}] {rule}: {meaning}")
    others = sorted(r for r in counts if r not in required)
    lines.append("  other rules the key names:")
    lines += [f"  {counts[r]:>6}  {r}" for r in others]
    return "\n".join(lines)
