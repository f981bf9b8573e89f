"""`generate_plan`: write a seeded synthetic health plan as one Parquet file per contract source.

Members are generated in blocks; each block draws its members, enrollment, claims and supplemental
data with its own seeded random stream and appends them to the open Parquet writers, so memory is
bounded by the block size whatever the plan size.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from pipelines.contract import SOURCES
from pipelines.generator.answer_key import ANSWER_KEY_NAME, MemberFrame, key_table, planted_facts, planted_rules
from pipelines.generator.arrays import NO_DATE, ChunkedParquetWriter, arrow_type, coded, iso_dates, prefixed_ids
from pipelines.generator.bad_rows import BREAKABLE, KINDS, QUARANTINE_RULE, UNKNOWN_MEMBER_BASE, BadRowInjector
from pipelines.generator.claims import MEDICAL_CLAIM_COLUMNS, BlockClaims
from pipelines.generator.drawn_key import drawn_facts
from pipelines.generator.edge_cases import (cases_for_window, planted_fhir_conditions, planted_frame_arrays,
                                           planted_tables)
from pipelines.generator.members import LINE_NAMES, MEASURES, MEDICARE, Members, Window, build_members
from pipelines.generator.providers import build_roster
from pipelines.generator.reviews import (ABSTRACTION_COLUMNS, AUDIT_COLUMNS, AUDITOR_AGREEMENT, AUDITORS,
                                         ELIGIBILITY_COLUMNS, RE_REVIEW_SHARE, SURVEY_COLUMNS, abstraction_table,
                                         audit_table, eligibility_table, survey_table)
from pipelines.generator.supplemental import (IMMUNIZATION_COLUMNS, LAB_COLUMNS, PHARMACY_COLUMNS,
                                              immunization_table, lab_table, pharmacy_table)

MANIFEST_NAME = "generator_manifest.json"
EXTRA_DIR = "_generator"
FHIR_DIR = "fhir"           # planted supplemental FHIR resources (only with edge members)
PLANTED_FHIR_NAME = "planted_conditions.ndjson"
DEFAULT_BLOCK_SIZE = 50_000
ID_SPACING = 100_000_000  # per block, so identifiers never collide between blocks

PROVIDER_COLUMNS = {"npi": "text", "provider_name": "text", "provider_type": "text", "specialty": "text",
                    "taxonomy_code": "text", "practice_id": "text", "practice_name": "text", "tin": "text",
                    "network_status": "text", "primary_care_flag": "int"}
OUTPUT_COLUMNS: dict[str, dict[str, str]] = {
    "eligibility": ELIGIBILITY_COLUMNS, "provider": PROVIDER_COLUMNS, "medical_claim": MEDICAL_CLAIM_COLUMNS,
    "pharmacy_claim": PHARMACY_COLUMNS, "lab_result": LAB_COLUMNS, "immunization": IMMUNIZATION_COLUMNS,
    "medical_record_abstraction": ABSTRACTION_COLUMNS, "chart_audit": AUDIT_COLUMNS,
    "survey_response": SURVEY_COLUMNS,
}


def output_schema(source: str) -> pa.Schema:
    return pa.schema([pa.field(name, arrow_type(kind)) for name, kind in OUTPUT_COLUMNS[source].items()])


@dataclass
class GenerationSummary:
    out_dir: Path
    members: int
    calendar_years: list[int]
    rows: dict[str, int]
    bad_rows: dict[str, dict[str, int]]
    seconds: float
    manifest_path: Path
    extras: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        width = max(len(s) for s in self.rows)
        lines = [f"Synthetic plan: {self.members:,} members, calendar years "
                 f"{self.calendar_years[0]}-{self.calendar_years[-1]}, written to {self.out_dir} "
                 f"in {self.seconds:.1f} s", f"{'source'.ljust(width)}  {'rows':>12}  {'bad rows':>9}"]
        for source, rows in self.rows.items():
            bad = sum(self.bad_rows.get(source, {}).values())
            lines.append(f"{source.ljust(width)}  {rows:>12,}  {bad:>9,}")
        if "claim_lines_per_member_year" in self.extras:
            lines.append(f"medical claim lines per member-year: {self.extras['claim_lines_per_member_year']:.1f}")
        lines.append(f"manifest: {self.manifest_path}")
        lines.append(f"answer key: {self.out_dir / EXTRA_DIR / ANSWER_KEY_NAME}"
                     f" (planted edge members: {int(self.extras.get('edge_members', 0))})")
        return "\n".join(lines)


def _member_years(members: Members) -> float:
    """Enrolled days / 365.25; overlapping segments count their shared days once."""
    valid = members.seg_start != NO_DATE
    following = np.roll(members.seg_start, -1, axis=1)
    following[:, -1] = NO_DATE
    end = np.minimum(members.seg_end, following.astype(np.int64) - 1)
    days = np.where(valid, end - members.seg_start + 1, 0)
    return float(days.sum() / 365.25)


def _rows_by_month(table: pa.Table, column: str, counts: dict[str, int]) -> None:
    """Add the table's rows per `YYYY-MM` of `column` (ISO text, dictionary-encoded) to `counts`."""
    array = table.column(column).combine_chunks()
    if not pa.types.is_dictionary(array.type):
        array = array.dictionary_encode()
    indices = array.indices.fill_null(len(array.dictionary)).to_numpy(zero_copy_only=False)
    per_value = np.bincount(indices, minlength=len(array.dictionary) + 1)
    for value, count in zip(array.dictionary.to_pylist() + [None], per_value.tolist()):
        if count:
            month = value[:7] if value else "null"
            counts[month] = counts.get(month, 0) + count


def _truth_table(members: Members, block: BlockClaims, person_ids: pa.Array, provider_npi: pa.Array,
                 planted_label: np.ndarray) -> pa.Table:
    columns = {
        "person_id": person_ids,
        "birth_date": iso_dates(members.birth),
        "gender": pa.array(np.where(members.female, "female", "male")),
        "product_line_first": pa.array(np.array(LINE_NAMES)[members.line_first]),
        "product_line_second": pa.array(np.array(LINE_NAMES)[members.line_second]),
        "switch_date": iso_dates(members.switch_day),
        "death_date": iso_dates(members.death),
        "hospice_start_date": iso_dates(members.hospice_start),
        "pcp_npi": coded(members.pcp, provider_npi),
        "pcp_planted_label": pa.array(planted_label[members.pcp]),
    }
    for name in ("diabetes", "hypertension", "retinopathy", "frailty", "advanced_illness", "dementia", "esrd",
                 "mastectomy", "institutional"):
        columns[name] = pa.array(getattr(members, name))
    columns["cis_complete"] = pa.array(block.cis_complete)
    columns["gap_days"] = pa.array(members.gap_length.astype(np.int64))
    columns["overlapping_segments"] = pa.array(members.overlapping)
    for measure in MEASURES:
        columns[f"propensity_{measure}"] = pa.array(np.round(members.propensity[measure], 4))
    return pa.table(columns)


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """`table` with every column of `schema` (missing ones null), cast to it."""
    columns = [table.column(f.name) if f.name in table.column_names else pa.nulls(table.num_rows, pa.string())
               for f in schema]
    plain = pa.table(columns, names=schema.names)
    return pa.table([plain.column(f.name).cast(f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
                     for f in schema], names=schema.names).cast(schema)


def _pharmacy_fills(table: pa.Table, person_ids: pa.Array) -> tuple[np.ndarray, ...]:
    """(block member index, fill day number, days supply, RxNorm text) of a block's pharmacy rows."""
    import pyarrow.compute as pc

    member = pc.index_in(table["person_id"], value_set=person_ids).to_numpy(zero_copy_only=False)
    fill = np.array(pc.cast(table["dispensing_date"], pa.string()).to_numpy(zero_copy_only=False), dtype="datetime64[D]")
    rxnorm = pc.fill_null(pc.cast(table["rxnorm_code"], pa.string()), "").to_numpy(zero_copy_only=False)
    return (member.astype(np.int64), fill.astype(np.int64), table["days_supply"].to_numpy().astype(np.int64),
            rxnorm.astype(str))


def _drawn_frame(members: Members, person_ids: pa.Array) -> MemberFrame:
    """The enrollment facts of drawn members exactly as `eligibility_table` writes them."""
    valid = members.seg_start != NO_DATE
    rows = np.broadcast_to(np.arange(len(members))[:, None], valid.shape)
    line = np.where(valid, members.line_on(rows.ravel(), members.seg_start.ravel()).reshape(valid.shape), 0)
    institutional = valid & members.institutional[:, None] & (line == MEDICARE)
    return MemberFrame(
        person_id=person_ids.to_pylist(), member_index=members.number, birth=members.birth.astype(np.int64),
        female=members.female, death=members.death.astype(np.int64), seg_start=members.seg_start,
        seg_end=members.seg_end, seg_line=2 - line.astype(np.int64), seg_hospice=members.seg_hospice & valid,
        seg_snp=institutional & ((members.number % 2) == 0)[:, None], seg_long_term=institutional,
        case=[None] * len(members))


def generate_plan(members: int, years: int, seed: int, out_dir: Path, end_year: int = 2025,
                  bad_row_share: float = 0.002, block_size: int = DEFAULT_BLOCK_SIZE,
                  edge_members: bool = False) -> GenerationSummary:
    """Write the synthetic plan to `out_dir` (one Parquet per source + manifest) and summarise it.

    `edge_members` adds the planted edge members of `edge_cases` (numbered after the drawn members).
    They break on purpose what drawn members never do (claims outside enrollment, an eye exam by a
    non-eye-care provider, enrollment continuing after death, ...), so they are off by default.
    The answer key (`_generator/answer_key.parquet`) is written either way.
    """
    if members < 1 or years < 1:
        raise ValueError("members and years must be positive")
    if members >= UNKNOWN_MEMBER_BASE:
        raise ValueError(f"at most {UNKNOWN_MEMBER_BASE - 1:,} members")
    if not 0.0 <= bad_row_share < 0.5:
        raise ValueError("bad_row_share must be in [0, 0.5)")
    began = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    extra_dir = out_dir / EXTRA_DIR
    extra_dir.mkdir(exist_ok=True)
    window = Window(end_year - years + 1, end_year)

    roster = build_roster(members, np.random.default_rng([seed, 0, 1]))
    provider_npi = pa.array(roster.npi)
    provider_tin = pa.array(roster.tin)
    planted_label = np.array([""] * len(roster), dtype=object)
    quality = np.full(len(roster), 0.86)
    experience = np.zeros(len(roster))
    for entry in roster.planted:
        index = roster.npi.index(entry["npi"])
        planted_label[index] = entry["label"]
        sign = 1.0 if entry["direction"] == "better" else -1.0
        quality[index] += 0.08 if sign > 0 else -0.2  # audit pass rates follow the planted direction
        experience[index] = 0.8 * sign
    planted_label = np.where(planted_label == "", None, planted_label)

    schemas = {source: output_schema(source) for source in OUTPUT_COLUMNS}
    writers = {source: ChunkedParquetWriter(out_dir / f"{source}.parquet", schemas[source]) for source in SOURCES}
    (out_dir / FHIR_DIR / PLANTED_FHIR_NAME).unlink(missing_ok=True)  # a re-run without edge members
    injectors = {source: BadRowInjector(source, bad_row_share, schemas[source], np.random.default_rng([seed, 0, 2, k]))
                 for k, source in enumerate(SOURCES)}
    truth_writer = None
    key_writer = None
    cases = []
    planted_rows = {source: 0 for source in SOURCES}
    stats = {"member_years": 0.0, "reversals": 0, "audits": 0, "re_reviewed": 0, "deaths": 0, "hospice": 0,
             "institutional": 0, "short_gaps": 0, "long_gaps": 0, "overlapping": 0, "switches": 0}
    line_counts = {name: 0 for name in LINE_NAMES}
    turning_two = {year: 0 for year in window.years}

    by_month: dict[str, dict[str, int]] = {s: {} for s in SOURCES if SOURCES[s].partitioned}

    def write(source: str, table: pa.Table) -> None:
        writers[source].write(table)
        bad = injectors[source].bad_rows_for(table)
        if bad is not None:
            writers[source].write(bad)
        if source in by_month:
            # The first partition column is never null in generated rows, bad rows included.
            partition_column = SOURCES[source].partition_date_columns[0]
            for part in (table, bad):
                if part is not None:
                    _rows_by_month(part, partition_column, by_month[source])

    try:
        write("provider", roster.table())
        for block_index, first in enumerate(range(0, members, block_size)):
            count = min(block_size, members - first)
            rng = np.random.default_rng([seed, block_index + 1])
            block_members = build_members(first, count, window, roster, rng)
            person_ids = prefixed_ids("P", block_members.number + 1)
            block = BlockClaims(block_members, roster, window, rng, person_ids)
            block.draw_all()
            base = (block_index + 1) * ID_SPACING
            write("eligibility", eligibility_table(block, person_ids, provider_npi))
            claims, reversals = block.table(base, person_ids, provider_npi, provider_tin, roster.in_network)
            write("medical_claim", claims)
            del claims
            pharmacy = pharmacy_table(block, base, person_ids, provider_npi)
            write("pharmacy_claim", pharmacy)
            write("lab_result", lab_table(block, base, person_ids, provider_npi, window.end + 40))
            write("immunization", immunization_table(block, base, person_ids))
            write("medical_record_abstraction", abstraction_table(block, base, person_ids, provider_npi))
            audits, audit_stats = audit_table(block, base, person_ids, provider_npi, quality)
            write("chart_audit", audits)
            write("survey_response", survey_table(block, base, person_ids, provider_npi, experience))

            facts = drawn_facts(block, window.last_year, _pharmacy_fills(pharmacy, person_ids))
            del pharmacy
            key = key_table(_drawn_frame(block_members, person_ids), window.last_year, facts)
            block.line_columns = None
            if key_writer is None:
                key_writer = ChunkedParquetWriter(extra_dir / ANSWER_KEY_NAME, key.schema)
            key_writer.write(key)

            truth = _truth_table(block_members, block, person_ids, provider_npi, planted_label)
            if truth_writer is None:
                truth_writer = ChunkedParquetWriter(extra_dir / "members.parquet", truth.schema)
            truth_writer.write(truth)

            m = block_members
            stats["member_years"] += _member_years(m)
            stats["reversals"] += reversals
            stats["audits"] += audit_stats["audits"]
            stats["re_reviewed"] += audit_stats["re_reviewed"]
            stats["deaths"] += int((m.death != NO_DATE).sum())
            stats["hospice"] += int((m.hospice_start != NO_DATE).sum())
            stats["institutional"] += int(m.institutional.sum())
            stats["short_gaps"] += int(((m.gap_length > 0) & (m.gap_length <= 44)).sum())
            stats["long_gaps"] += int((m.gap_length > 45).sum())
            stats["overlapping"] += int(m.overlapping.sum())
            stats["switches"] += int((m.switch_day != NO_DATE).sum())
            for k, name in enumerate(LINE_NAMES):
                line_counts[name] += int((m.line_first == k).sum())
            birth_year = m.birth.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970
            for year in window.years:
                turning_two[year] += int((birth_year == year - 2).sum())
        # Planted edge members: hand-written, numbered after the drawn members, never broken by bad rows.
        cases = cases_for_window(window.last_year, window.first_year) if edge_members else []
        if cases:
            numbers = np.arange(members, members + len(cases), dtype=np.int64)
            planted_ids = prefixed_ids("P", numbers + 1).to_pylist()
            base = (-(-members // block_size) + 1) * ID_SPACING
            for source, table in planted_tables(cases, planted_ids, roster, base).items():
                table = _conform(table, schemas[source])
                if table.num_rows == 0:
                    continue
                writers[source].write(table)
                planted_rows[source] = table.num_rows
                if source in by_month:
                    _rows_by_month(table, SOURCES[source].partition_date_columns[0], by_month[source])
            conditions = planted_fhir_conditions(cases, planted_ids)
            if conditions:
                # Supplemental data: FHIR R4 NDJSON under <out>/fhir, where the pipeline's FHIR load reads.
                (out_dir / FHIR_DIR).mkdir(exist_ok=True)
                (out_dir / FHIR_DIR / PLANTED_FHIR_NAME).write_text(
                    "".join(json.dumps(r, sort_keys=True) + "\n" for r in conditions), encoding="utf-8")
                planted_rows["fhir_condition"] = len(conditions)
            frame_arrays = planted_frame_arrays(cases)
            frame = MemberFrame(person_id=planted_ids, member_index=numbers, case=[c.name for c in cases],
                                case_rules=[planted_rules(c) for c in cases], **frame_arrays)
            key = key_table(frame, window.last_year, planted_facts(cases))
            if key_writer is None:
                key_writer = ChunkedParquetWriter(extra_dir / ANSWER_KEY_NAME, key.schema)
            key_writer.write(key)
    finally:
        if key_writer is not None:
            key_writer.close()
        for writer in writers.values():
            writer.close()
        if truth_writer is not None:
            truth_writer.close()

    rows = {source: writers[source].rows for source in SOURCES}
    bad = {source: {kind: v["count"] for kind, v in injectors[source].manifest().items()} for source in SOURCES}
    clean = {source: injectors[source].clean_rows + planted_rows[source] for source in SOURCES}
    lines_per_member_year = clean["medical_claim"] / stats["member_years"] if stats["member_years"] else 0.0
    seconds = time.perf_counter() - began
    manifest = {
        "generator": "hmoqa synthetic health plan",
        "parameters": {"members": members, "years": years, "seed": seed, "end_year": end_year,
                       "bad_row_share": bad_row_share, "block_size": block_size},
        "edge_members": edge_members,
        "calendar_years": window.years,
        "window": {"start": f"{window.first_year}-01-01", "end": f"{window.last_year}-12-31"},
        "files": {source: f"{source}.parquet" for source in SOURCES},
        "rows": rows,
        "clean_rows": clean,
        "bad_rows": {source: injectors[source].manifest() for source in SOURCES},
        "bad_rows_total": {source: injectors[source].injected for source in SOURCES},
        "rows_by_partition_month": {
            source: {"column": SOURCES[source].partition_date_columns[0], "rows": dict(sorted(counts.items()))}
            for source, counts in by_month.items()},
        "bad_row_rules": {
            "kinds": list(KINDS),
            "quarantine_rule": QUARANTINE_RULE,
            "applicable": {source: list(plan) for source, plan in BREAKABLE.items()},
            "placement": "appended after the clean rows of each chunk; the clean rows are unaffected",
            "broken_copies_get_fresh_ids": "row id + '-B<n>' (claim_id, lab_result_id, immunization_id, "
                                           "abstraction_id, audit_id, respondent_id)",
            "unknown_member_ids": f"P{UNKNOWN_MEMBER_BASE} and up (never in eligibility)",
            "duplicate": "an exact copy of a clean row of the same source",
            "count_rule": "per source, floor(bad_row_share x clean rows so far), kinds in rotation",
        },
        "planted_providers": roster.planted,
        "members": {
            "by_product_line_at_start": line_counts,
            "deaths": stats["deaths"], "hospice": stats["hospice"], "institutional_66_plus": stats["institutional"],
            "short_gaps_under_45_days": stats["short_gaps"], "long_gaps_over_45_days": stats["long_gaps"],
            "overlapping_segments": stats["overlapping"], "product_line_switches": stats["switches"],
            "children_turning_2": {str(y): v for y, v in turning_two.items()},
        },
        "member_years": round(stats["member_years"], 2),
        "medical_claim_lines_per_member_year": round(lines_per_member_year, 2),
        "medical_claim_reversal_lines": stats["reversals"],
        "chart_audit": {"audits": stats["audits"], "re_reviewed_round_2": stats["re_reviewed"],
                        "re_review_share": RE_REVIEW_SHARE,
                        "reviewer_agreement": dict(zip(AUDITORS, AUDITOR_AGREEMENT.tolist()))},
        "id_formats": {"person_id": "P + 9 digits (member number + 1)", "claim_id": "C + 10 digits",
                       "pharmacy claim_id": "R + 10 digits", "lab_result_id": "L + 10 digits",
                       "immunization_id": "I + 10 digits", "abstraction_id": "A + 10 digits",
                       "audit_id": "AU + 9 digits", "respondent_id": "SR + 9 digits"},
        "extras": {"member_truth_table": f"{EXTRA_DIR}/members.parquet",
                   "answer_key": f"{EXTRA_DIR}/{ANSWER_KEY_NAME}"},
        "planted_edge_members": {
            "count": len(cases), "first_member_index": members, "cases": [c.name for c in cases],
            "rows": planted_rows,
            "note": "hand-written members numbered after the drawn ones (docs/answer-key.md); their rows are "
                    "clean and never copied into bad rows, so bad rows are the share of the drawn clean rows"},
        "notes": [
            "Dates and timestamps are ISO text; other columns are typed.",
            "Claims exist only inside enrollment and inside the calendar years generated, so history before "
            "the first year (e.g. vaccines of children turning 2 in the first year) is not in the data.",
            "Reversal lines repeat claim_id and claim_line_number with negative paid, allowed and charge "
            "amounts; only evaluation-and-management lines are reversed.",
            "Unused contract columns (always null) are omitted from the files.",
        ],
    }
    manifest_path = out_dir / MANIFEST_NAME
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return GenerationSummary(out_dir=out_dir, members=members, calendar_years=window.years, rows=rows,
                             bad_rows=bad, seconds=seconds, manifest_path=manifest_path,
                             extras={"claim_lines_per_member_year": lines_per_member_year,
                                     "edge_members": float(len(cases))})
