"""Reading a written page back: its embedded figures and table cells, and the small cells or member ids in them.

Used by the asset checks and the tests, so "the page leaks nothing" is checked on the HTML as shipped.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path

from pipelines.dashboards.privacy import MINIMUM_CELL, SUPPRESSED_LABEL

FIGURE_DATA = re.compile(r'<script type="application/json" class="figure-data"[^>]*>(.*?)</script>', re.S)
PURE_COUNT = re.compile(r"^\d{1,3}(,\d{3})*$")


def figures_of(text: str) -> list[dict]:
    return [json.loads(match.replace("<\\/", "</")) for match in FIGURE_DATA.findall(text)]


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, str]] = []
        self._kind: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "td":
            self._kind, self._text = dict(attrs).get("data-kind", "label"), []

    def handle_data(self, data):
        if self._kind is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "td" and self._kind is not None:
            self.cells.append((self._kind, "".join(self._text)))
            self._kind = None


def table_cells(text: str) -> list[tuple[str, str]]:
    parser = _Cells()
    parser.feed(text)
    return parser.cells


def _small(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < MINIMUM_CELL


def _flatten(values) -> Iterable:
    if isinstance(values, list):
        for item in values:
            yield from _flatten(item)
    else:
        yield values


def small_cells(text: str) -> list[str]:
    """Every place where a count from 1 to 10 (or a value derived from a suppressed count) is on the page."""
    problems = []
    for number, figure in enumerate(figures_of(text)):
        for trace in figure.get("data", []):
            kind = (trace.get("meta") or {}).get("kind")
            name = f"figure {number} trace {trace.get('name')!r}"
            for key in ("x", "y", "z", "customdata", "text", "hovertext"):
                values = trace.get(key)
                if isinstance(values, dict):
                    problems.append(f"{name}: {key} is a binary array that cannot be checked")
                    continue
                for value in _flatten(values if isinstance(values, list) else [values]):
                    if isinstance(value, str) and PURE_COUNT.match(value) and _small(int(value.replace(",", ""))):
                        problems.append(f"{name}: {key} shows the count {value}")
                    elif kind == "count" and key in ("x", "y") and _small(value):
                        problems.append(f"{name}: {key} plots the count {value}")
            if kind == "derived":
                values = trace.get("y") if trace.get("orientation") != "h" else trace.get("x")
                rows = trace.get("customdata") or []
                for value, row in zip(values or [], rows):
                    if value is not None and isinstance(row, list) and SUPPRESSED_LABEL in row[:1]:
                        problems.append(f"{name}: a value labelled suppressed is plotted ({value})")
    for kind, cell in table_cells(text):
        cell = html.unescape(cell).strip()
        if kind == "count" and PURE_COUNT.match(cell) and _small(int(cell.replace(",", ""))):
            problems.append(f"table cell shows the count {cell}")
    return problems


def member_ids_in(text: str, member_ids: set[str]) -> set[str]:
    """Member ids found on the page.

    Ids with a letter are searched as whole tokens anywhere outside the plotly.js bundle (library code). Purely
    numeric ids (the Tuva sample's "10", "1003") cannot be told apart from counts in prose, so they are compared
    with every label a reader sees as a name: table cells that are not counts or values, and the category strings
    of every figure (axis categories, legend names, hover labels that are not numbers).
    """
    body = re.sub(r"<script>(?!\s*document\.querySelectorAll).*?</script>", "", text, flags=re.S)
    worded = {i for i in member_ids if not i.isdigit()}
    found = set(re.findall(r"[A-Za-z0-9_\-.]+", body)) & worded
    numeric = member_ids - worded
    if numeric:
        names = {html.unescape(cell).strip() for kind, cell in table_cells(text) if kind == "label"}
        for figure in figures_of(text):
            for trace in figure.get("data", []):
                names.add(str(trace.get("name", "")))
                horizontal = trace.get("orientation") == "h"
                categories = trace.get("y" if horizontal else "x")
                names |= {v for v in _flatten(categories if isinstance(categories, list) else [])
                          if isinstance(v, str)}
                names |= {v for v in _flatten(trace.get("customdata") or []) if isinstance(v, str)
                          and not PURE_COUNT.match(v)}
        found |= names & numeric
    return found


def page_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))
