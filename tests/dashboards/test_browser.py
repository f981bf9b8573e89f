"""Every dashboard page (generated plan and Tuva sample) loaded in headless Chromium: no console error, no
failed or network request, every figure drawn (SVG or canvas, non-empty); screenshots in test-artifacts/.

Chromium is Debian's `chromium` package (`.ci/run` installs it). A missing browser fails the test: it is
never skipped, in CI or anywhere else."""

from __future__ import annotations

import pytest

from pipelines.dashboards.scan import figures_of
from tests.conftest import REPO_ROOT
from tests.dashboards.cdp import Browser, find_chromium

ARTIFACTS = REPO_ROOT / "test-artifacts" / "dashboards"


@pytest.fixture(scope="module")
def browser():
    executable = find_chromium()
    if executable is None:
        pytest.fail("chromium is not installed (apt-get install -y chromium chromium-driver): the dashboards "
                    "cannot be checked in a browser")
    session = Browser(executable)
    try:
        yield session
    finally:
        session.close()


@pytest.mark.parametrize("sample", ["demo_dashboards", "tuva_dashboards"])
def test_every_page_renders_without_errors(request, browser, sample):
    built = request.getfixturevalue(sample)
    pages = built.pages()
    assert len(pages) >= 9
    drawn = 0
    for page in pages:
        shot = ARTIFACTS / sample.removesuffix("_dashboards") / page.relative_to(built.root).with_suffix(".png")
        report = browser.load(page, shot)
        assert report.console_errors == [], (page, report.console_errors)
        assert report.failed_requests == [], (page, report.failed_requests)
        expected = len(figures_of(page.read_text(encoding="utf-8")))
        assert len(report.figures) == expected, page
        for figure in report.figures:
            assert figure["svg"] > 0 or figure["canvas"] > 0, (page, figure)
            assert figure["marks"] > 0 or figure["canvas"] > 0, (page, figure)
            assert figure["width"] > 100 and figure["height"] > 100, (page, figure)
        drawn += len(report.figures)
        assert shot.is_file() and shot.stat().st_size > 1000
    if sample == "demo_dashboards":
        assert drawn >= 6


def test_the_browser_check_sees_errors_failed_requests_and_blank_figures(browser, tmp_path):
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html><body><div class="figure" id="figure-0"></div>'
                    '<img src="http://127.0.0.1:9/missing.png"><script>throw new Error("boom")</script></body></html>')
    report = browser.load(page, tmp_path / "broken.png")
    assert any("boom" in error for error in report.console_errors)
    assert any("127.0.0.1:9" in request for request in report.failed_requests)
    assert report.figures == [{"id": "figure-0", "svg": 0, "marks": 0, "canvas": 0,
                               "width": report.figures[0]["width"], "height": 0}]
