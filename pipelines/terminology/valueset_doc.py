"""The generated parts of docs/value-sets.md: the value sets the seven measures need (from the measure
catalog) and the administrative code supplement (from its file). A test keeps the document in step;
`python -m pipelines.terminology.valueset_doc docs/value-sets.md` rewrites the generated parts."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from pipelines.measures.catalog import MEASURES
from pipelines.terminology.supplements import read_supplement
from pipelines.terminology.valuesets import read_starter_codes

REQUIRED_MARKERS = ("<!-- required-valuesets:start -->", "<!-- required-valuesets:end -->")
SUPPLEMENT_MARKERS = ("<!-- supplement:start -->", "<!-- supplement:end -->")
SYSTEM_NAMES = {
    "http://www.ama-assn.org/go/cpt": "CPT",
    "http://www.nlm.nih.gov/research/umls/hcpcs": "HCPCS",
    "https://www.nubc.org/CodeSystem/RevenueCodes": "revenue code",
}


def required_valuesets() -> dict[str, list[str]]:
    """OID -> the measures whose SQL (with the shared blocks) refers to it."""
    used_by: dict[str, list[str]] = {}
    for measure in MEASURES.values():
        for oid in measure.required_valueset_oids():
            used_by.setdefault(oid, []).append(measure.measure_id)
    return used_by


def render_required_valuesets() -> str:
    names = {vs.oid: vs.name for vs in read_starter_codes()}
    starter_counts = {vs.oid: len(vs.codes) for vs in read_starter_codes()}
    all_measures = len(MEASURES)
    lines = ["| OID | value set | measures | starter codes |", "|---|---|---|---|"]
    for oid, measures in sorted(required_valuesets().items(), key=lambda item: (names.get(item[0], ""), item[0])):
        used = "all seven" if len(measures) == all_measures else ", ".join(measures)
        lines.append(f"| {oid} | {names.get(oid, '(not in the starter list)')} | {used} | "
                     f"{starter_counts.get(oid, 0)} |")
    return "\n".join(lines)


def render_supplement_table() -> str:
    supplement = read_supplement()
    counts = Counter()
    lines = [f"Supplement version **{supplement.version}**.", "",
             "| value set (OID) | codes | requires | note | source |", "|---|---|---|---|---|"]
    for row in supplement.rows:
        system = SYSTEM_NAMES.get(row.code_system, row.code_system)
        codes = f"{system} {row.code_low}" + (f"-{row.code_high}" if row.code_high else "")
        counts[row.valueset_oid] += len(row.codes())
        lines.append(f"| {row.valueset_name} ({row.valueset_oid}) | {codes} | {row.requires or ''} | "
                     f"{row.note} | {row.source} |")
    total = sum(counts.values())
    lines += ["", f"{total} codes after range expansion, in {len(counts)} value sets."]
    return "\n".join(lines)


def _replace_between(text: str, markers: tuple[str, str], body: str) -> str:
    start, end = markers
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def render_document(text: str) -> str:
    """`text` with both generated sections replaced by their current rendering."""
    text = _replace_between(text, REQUIRED_MARKERS, render_required_valuesets())
    return _replace_between(text, SUPPLEMENT_MARKERS, render_supplement_table())


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else Path("docs/value-sets.md")
    path.write_text(render_document(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
