"""The page shell: one self-contained HTML file per page, plotly.js embedded once, no network.

A page is a list of sections; each section holds a figure, a table, or a plain statement of why its data
is not shown (not available yet, or every cell suppressed). Figures are embedded as JSON
(`<script type="application/json">`) and drawn by one small script, so the figure data a reader
(or the privacy test) sees is exactly what was plotted. Every page writes a manifest beside it
(`<slug>.json`: title, provenance, figure count, size) from which the index is built.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import plotly.graph_objects as go
import plotly.offline

from pipelines.dashboards.privacy import MINIMUM_CELL, SUPPRESSED_LABEL

PRIVACY_NOTE = (
    f"Aggregates only. Any count from 1 to {MINIMUM_CELL - 1}, and any rate or average whose numerator or "
    f"denominator is under {MINIMUM_CELL}, is shown as \u201c{SUPPRESSED_LABEL}\u201d; where a total would let a "
    "suppressed cell be worked out, the next smallest cell is suppressed too. No member identifiers appear on "
    "this page. Share it only inside the organisation."
)


@dataclass(frozen=True)
class Provenance:
    """Which data, measurement year and run produced a page."""

    data_source: str          # the landing folder the pipeline read
    database: str             # the DuckDB file name
    run_id: str               # the Dagster run id (or "benchmark" / "test")
    generated_at: str         # UTC timestamp, ISO format
    measurement_year: int | None = None

    @classmethod
    def now(cls, data_source: str, database: str, run_id: str, measurement_year: int | None = None) -> "Provenance":
        stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        return cls(data_source=data_source, database=database, run_id=run_id, generated_at=stamp,
                   measurement_year=measurement_year)

    def for_year(self, year: int | None) -> "Provenance":
        return Provenance(self.data_source, self.database, self.run_id, self.generated_at, year)


@dataclass
class Column:
    name: str
    kind: str = "label"   # label | count | value (a derived value, already labelled)


@dataclass
class Table:
    columns: list[Column]
    rows: list[list]      # display values (strings or numbers)


@dataclass
class Section:
    title: str
    note: str = ""
    figure: go.Figure | None = None
    table: Table | None = None
    unavailable: str | None = None   # shown instead of a figure/table, in plain words


@dataclass
class Page:
    slug: str
    title: str
    description: str
    sections: list[Section] = field(default_factory=list)

    @property
    def figure_count(self) -> int:
        return sum(1 for s in self.sections if s.figure is not None)


@functools.cache
def plotly_bundle() -> str:
    return plotly.offline.get_plotlyjs()


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header,footer{background:#12355b;color:#fff;padding:12px 24px}
header h1{margin:0 0 4px 0;font-size:1.4em}
header a,footer a{color:#cfe3ff}
.provenance{font-size:.85em;opacity:.9}
main{padding:8px 24px;max-width:1400px}
section{background:#fff;border:1px solid #dde1e6;border-radius:6px;margin:16px 0;padding:12px 16px}
section h2{font-size:1.1em;margin:0 0 6px 0}
.note{color:#4a5561;font-size:.9em;margin:0 0 8px 0}
.unavailable{background:#fff7e0;border-left:4px solid #e0a800;padding:8px 12px;margin:4px 0}
.figure{width:100%;min-height:420px}
table{border-collapse:collapse;font-size:.85em}
th,td{border:1px solid #dde1e6;padding:3px 8px;text-align:left}
td.count,td.value{text-align:right}
td.suppressed{color:#8a6d00;font-style:italic}
footer{font-size:.85em;margin-top:24px}
ul.pages li{margin:4px 0}
"""

DRAW_SCRIPT = """
document.querySelectorAll('script.figure-data').forEach(function (node) {
  var spec = JSON.parse(node.textContent);
  var div = document.getElementById(node.dataset.target);
  Plotly.newPlot(div, spec.data, spec.layout, {responsive: true, displaylogo: false});
});
"""


def _provenance_html(p: Provenance) -> str:
    year = "not year-specific" if p.measurement_year is None else f"measurement year {p.measurement_year}"
    return (f'<div class="provenance">Data: {html.escape(p.data_source)} (database {html.escape(p.database)}) '
            f'&middot; {year} &middot; run {html.escape(p.run_id)} &middot; generated {html.escape(p.generated_at)} UTC</div>')


def _figure_json(figure: go.Figure) -> str:
    text = figure.to_json()
    # A figure string containing "</script>" would close the tag early.
    return text.replace("</", "<\\/")


def _table_html(table: Table) -> str:
    head = "".join(f"<th>{html.escape(c.name)}</th>" for c in table.columns)
    body = []
    for row in table.rows:
        cells = []
        for column, value in zip(table.columns, row):
            text = "" if value is None else str(value)
            classes = [column.kind]
            if text == SUPPRESSED_LABEL:
                classes.append("suppressed")
            cells.append(f'<td class="{" ".join(classes)}" data-kind="{column.kind}">{html.escape(text)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def render_page(page: Page, provenance: Provenance, index_href: str = "index.html") -> str:
    parts = []
    for number, section in enumerate(page.sections):
        body = [f"<h2>{html.escape(section.title)}</h2>"]
        if section.note:
            body.append(f'<p class="note">{html.escape(section.note)}</p>')
        if section.unavailable:
            body.append(f'<p class="unavailable">{html.escape(section.unavailable)}</p>')
        if section.figure is not None:
            target = f"figure-{number}"
            body.append(f'<div class="figure" id="{target}"></div>')
            body.append(f'<script type="application/json" class="figure-data" data-target="{target}">'
                        f"{_figure_json(section.figure)}</script>")
        if section.table is not None:
            body.append(_table_html(section.table))
        parts.append("<section>" + "".join(body) + "</section>")
    plotly_script = f"<script>{plotly_bundle()}</script>" if page.figure_count else ""
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(page.title)}</title><style>{CSS}</style>{plotly_script}</head><body>"
        f"<header><h1>{html.escape(page.title)}</h1><div>{html.escape(page.description)}</div>"
        f"{_provenance_html(provenance)}<div><a href=\"{index_href}\">All dashboards</a></div></header>"
        f"<main>{''.join(parts)}</main>"
        f"<footer>{html.escape(PRIVACY_NOTE)}</footer>"
        f"<script>{DRAW_SCRIPT}</script></body></html>"
    )


@dataclass(frozen=True)
class WrittenPage:
    path: Path
    size_bytes: int
    figure_count: int
    title: str


def write_page(page: Page, provenance: Provenance, directory: Path, index_href: str) -> WrittenPage:
    """Write `<directory>/<slug>.html` and its manifest `<slug>.json`; replaces an earlier version."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{page.slug}.html"
    text = render_page(page, provenance, index_href=index_href)
    temporary = path.with_suffix(".html.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    size = path.stat().st_size
    manifest = {"slug": page.slug, "title": page.title, "description": page.description,
                "figure_count": page.figure_count, "size_bytes": size, "provenance": asdict(provenance)}
    (directory / f"{page.slug}.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return WrittenPage(path=path, size_bytes=size, figure_count=page.figure_count, title=page.title)


def _read_manifests(root: Path) -> list[tuple[Path, dict]]:
    found = []
    for manifest in sorted(root.rglob("*.json")):
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if isinstance(data, dict) and {"slug", "title", "provenance"} <= set(data):
            found.append((manifest.with_suffix(".html"), data))
    return found


def write_index(root: Path) -> WrittenPage:
    """`<root>/index.html` linking every page written under `root`, grouped by measurement year."""
    root.mkdir(parents=True, exist_ok=True)
    pages = [(path, data) for path, data in _read_manifests(root) if path.is_file()]
    by_year: dict[str, list[tuple[Path, dict]]] = {}
    for path, data in pages:
        year = data["provenance"].get("measurement_year")
        by_year.setdefault("Not year-specific" if year is None else f"Measurement year {year}", []).append((path, data))
    blocks = []
    for heading in sorted(by_year, key=lambda h: (not h.startswith("Not"), h), reverse=False):
        items = []
        for path, data in sorted(by_year[heading], key=lambda item: item[1]["title"]):
            p = data["provenance"]
            href = path.relative_to(root).as_posix()
            items.append(
                f'<li><a href="{html.escape(href)}">{html.escape(data["title"])}</a> &mdash; '
                f'{html.escape(data.get("description", ""))} <span class="note">(data {html.escape(p["data_source"])}, '
                f'run {html.escape(p["run_id"])}, generated {html.escape(p["generated_at"])} UTC, '
                f'{data.get("figure_count", 0)} figures, {data.get("size_bytes", 0) / 1e6:.1f} MB)</span></li>')
        blocks.append(f"<section><h2>{html.escape(heading)}</h2><ul class=\"pages\">{''.join(items)}</ul></section>")
    if not blocks:
        blocks.append('<section><p class="unavailable">No dashboard pages have been written yet.</p></section>')
    runs = sorted({d["provenance"]["run_id"] for _, d in pages})
    sources = sorted({d["provenance"]["data_source"] for _, d in pages})
    summary = (f'<div class="provenance">Data: {html.escape(", ".join(sources) or "none yet")} &middot; '
               f'runs {html.escape(", ".join(runs) or "none yet")}</div>')
    text = (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>hmoqa dashboards</title>"
        f"<style>{CSS}</style></head><body><header><h1>hmoqa dashboards</h1>"
        f"<div>Quality measures, provider scores, member experience, audits, utilization and data quality.</div>"
        f"{summary}</header><main>{''.join(blocks)}</main><footer>{html.escape(PRIVACY_NOTE)}</footer></body></html>"
    )
    path = root / "index.html"
    path.write_text(text, encoding="utf-8")
    return WrittenPage(path=path, size_bytes=path.stat().st_size, figure_count=0, title="hmoqa dashboards")
