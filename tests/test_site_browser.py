"""The static site in a real browser (headless Chromium over HTTP on loopback).

Navigation and search, every kind of page checked by axe-core at a desktop's and a phone's width (no serious
or critical violation, no sideways scroll at 390 px, no console error), the Urdu site drawn with a font that
has Urdu's letters, the feed read by a feed parser, and screenshots of the home page written outside the
repository (see tests/browser.py).
"""

from __future__ import annotations

import contextlib
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

import browser as web
from conftest import write
from diasporatrack import Tracker

PLAN = """\
actions:
  - id: act-clinic
    title: Run a monthly health clinic
    description: A clinic of volunteer doctors, once a month.
    owners: [health, zainab]
    start: 2025-02-01
    due: 2025-12-31
    implements: [rep-health, rep-education]
    indicators:
      - id: held
        title: Clinics held
        kind: numeric
        unit: clinics
        baseline: 0
        target: 12
        cadence: 30
        owner: health
      - id: reach
        title: How well newcomers know of it
        kind: qualitative
        levels: [low, medium, high]
        owner: zainab
"""
FINDINGS = "findings:\n  - id: f-gap\n    text: Few clinics reach newcomers.\n    themes: [healthcare]\nrecommendations:\n"
# One page of each kind the site has; the test checks that no folder of the site is left out.
PAGE_KINDS = ("index.html", "r/rep-health.html", "s/report-2025.html", "o/org.html", "t/healthcare.html",
              "recommendations/index.html", "search.html?q=a", "a/index.html", "a/act-clinic.html")


@pytest.fixture
def planned(ws):
    """The small workspace with a finding, a plan with two indicators and their reports, and public changes."""
    from diasporatrack.actions import update_action
    from diasporatrack.indicators import report_indicator

    write(ws / "report.yaml", (ws / "report.yaml").read_text().replace("recommendations:\n", FINDINGS, 1))
    write(ws / "actions.yaml", PLAN)
    write(ws / "owners.yaml", (ws / "owners.yaml").read_text() + "  - id: zainab\n    name: Zainab Quietperson\n"
          "    kind: person\n    email: zainab@mail.example\n")
    tracker = Tracker.open(ws)
    tracker.update("rep-forum", status="accepted", note="Agreed", public_note=True, for_owner="org")
    update_action(tracker, "act-clinic", "in-progress", note="PRIVATE-action-note", by="Amina Privatename")
    for value, day in ((1, "2025-03-01"), (3, "2025-05-01"), (5, "2025-07-01")):
        report_indicator(tracker, "act-clinic/held", value, on=day, links=["https://example.org/minutes"],
                         evidence="minutes of the clinic", by="Amina Privatename")
    report_indicator(tracker, "act-clinic/reach", "medium", on="2025-06-01")
    return ws


def build(cli, root: Path, out: Path) -> Path:
    result = cli("--root", str(root), "export", "site", "-o", str(out))
    assert result.code == 0, result
    return out


@contextlib.contextmanager
def serving(folder: Path):
    """``python -m http.server`` on loopback over ``folder``; yields the base address."""
    server = subprocess.Popen([sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
                               "--directory", str(folder)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = server.stdout.readline()
        port = re.search(r"port (\d+)", line)
        assert port, line
        yield f"http://127.0.0.1:{port.group(1)}/"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def browser(tmp_path):
    driver = web.driver(tmp_path)
    try:
        yield driver
    finally:
        driver.quit()


def _wait_ready(driver) -> str:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 10).until(lambda d: d.find_element("tag name", "body").get_attribute("data-ready"))


def _until(driver, check, timeout: float = 10):
    """Wait for ``check(driver)`` to be true (the page may still be loading or filtering) and return it."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(check)


def _heading(driver) -> str:
    return driver.find_element("tag name", "h1").text


def _search(driver, base: str, query: str) -> list[str]:
    driver.get(base + "search.html?" + query)
    assert _wait_ready(driver) == "yes"
    return [a.text for a in driver.find_elements("css selector", "#results a")]


def test_site_in_a_browser(planned, cli, tmp_path, browser):
    with serving(build(cli, planned, tmp_path / "public")) as base:
        browser.get(base + "index.html")
        assert browser.find_element("tag name", "h1").text == "Recommendations tracker"
        browser.find_element("css selector", 'a[href="r/rep-forum.html"]').click()
        _until(browser, lambda d: d.current_url == base + "r/rep-forum.html")
        assert _until(browser, _heading) == "Create a forum"
        browser.back()
        _until(browser, lambda d: d.current_url == base + "index.html")
        # From the home page to the plan, to an action, to the recommendation it implements.
        browser.find_element("css selector", 'nav a[href="a/index.html"]').click()
        _until(browser, lambda d: d.current_url == base + "a/index.html")
        browser.find_element("css selector", 'a[href="act-clinic.html"]').click()
        _until(browser, lambda d: d.current_url == base + "a/act-clinic.html")
        assert _until(browser, _heading) == "Action: Run a monthly health clinic"
        browser.find_element("css selector", 'dd a[href="../r/rep-health.html"]').click()
        _until(browser, lambda d: d.current_url == base + "r/rep-health.html")
        assert _until(browser, _heading) == "Form a healthcare group"
        # "forum" occurs in one recommendation; "UN" begins no word of "community" and finds the two addressed to it.
        assert _search(browser, base, "q=forum") == ["Create a forum"]
        assert sorted(_search(browser, base, "q=un")) == ["Create a forum", "Invest in education"]
        assert _search(browser, base, "q=&theme=education") == ["Invest in education"]
        assert sorted(_search(browser, base, "q=&owner=org")) == ["Form a healthcare group", "Invest in education"]
        assert sorted(_search(browser, base, "q=clinic")) == ["Form a healthcare group", "Invest in education"]
        box = browser.find_element("id", "q")
        box.clear()
        box.send_keys("HEALTHCARE")
        shown = _until(browser, lambda d: [a.text for a in d.find_elements("css selector", "#results a")]
                       if len(d.find_elements("css selector", "#results a")) == 1 else None)
        assert shown == ["Form a healthcare group"]
        browser.get(base + "recommendations/index.html")
        web.set_width(browser, 390, 844)
        browser.refresh()
        assert browser.execute_script(
            "return getComputedStyle(document.querySelector('table.cards tr')).display") == "block"
        assert web.console_errors(browser) == []


def test_the_plan_is_on_the_recommendation_page_without_private_data(planned, cli, tmp_path):
    site = build(cli, planned, tmp_path / "public")
    page = (site / "r/rep-health.html").read_text(encoding="utf-8")
    assert '<a href="../a/act-clinic.html">Run a monthly health clinic</a>' in page
    assert "in-progress</span> — Work on the action has visibly started." in page
    # The series of the numeric indicator: a table of every report and a chart that says it in words.
    assert page.count('<time datetime="2025-0') >= 4 and "5 clinics" in page and "Target: 12" in page
    assert 'aria-label="Clinics held. 2025-03-01: 1 clinics; 2025-05-01: 3 clinics; 2025-07-01: 5 clinics; ' \
           'Target: 12 clinics"' in page
    assert 'href="https://example.org/minutes"' in page and "minutes of the clinic" in page
    assert "Levels: low &lt; medium &lt; high" in page
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".xml", ".csv"):
            text = path.read_text(encoding="utf-8")
            assert not [s for s in ("Amina", "PRIVATE-action-note", "Zainab", "zainab") if s in text], path
    # Findings are on their source's page.
    assert "Few clinics reach newcomers." in (site / "s/report-2025.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("language", ["en", "ur"])
def test_every_page_kind_is_accessible_and_fits_a_phone(planned, cli, tmp_path, browser, language):
    axe = web.axe_source()
    write(planned / "diasporatrack.yaml", f"publish:\n  language: {language}\n  title: Tracker\n")
    site = build(cli, planned, tmp_path / "public")
    folders = {p.relative_to(site).parts[0] for p in site.rglob("*.html")}
    assert folders == {k.split("/")[0].split("?")[0] for k in PAGE_KINDS}, "a kind of page is not checked"
    problems = []
    with serving(site) as base:
        for width in (1400, 390):
            web.set_width(browser, width)
            for page in PAGE_KINDS:
                browser.get(base + page)
                if page.startswith("search"):
                    assert _wait_ready(browser) == "yes"
                inner, scroll = web.sideways(browser, width)
                if inner != width or scroll > inner:
                    problems.append(f"{page} at {width} px scrolls sideways: {scroll} > {inner} "
                                    f"({web.too_wide(browser, width)})")
                problems += [f"{page} at {width} px: {v}" for v in web.axe_violations(browser, axe)]
        assert web.console_errors(browser) == []
    assert problems == []


def test_urdu_is_drawn_with_a_font_that_has_its_letters(planned, cli, tmp_path, browser):
    write(planned / "diasporatrack.yaml", "publish:\n  language: ur\n")
    with serving(build(cli, planned, tmp_path / "public")) as base:
        browser.get(base + "index.html")
        assert browser.execute_script("return document.documentElement.dir") == "rtl"
        # The fonts Chromium drew the heading of the status breakdown with ("حیثیت کے لحاظ سے").
        browser.execute_cdp_cmd("DOM.enable", {})
        browser.execute_cdp_cmd("CSS.enable", {})
        root = browser.execute_cdp_cmd("DOM.getDocument", {})["root"]["nodeId"]
        node = browser.execute_cdp_cmd("DOM.querySelector", {"nodeId": root, "selector": "#h-status"})["nodeId"]
        fonts = browser.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    arabic_script = [f["familyName"] for f in fonts if re.search(r"urdu|arab|naskh|nastaliq|amiri", f["familyName"], re.I)]
    if not arabic_script:
        web.missing(f"a font with Urdu's letters (fonts-noto-core); drawn with {fonts}")
    assert sum(f["glyphCount"] for f in fonts if f["familyName"] in arabic_script) >= 10


def test_axe_finds_what_it_is_meant_to_find(tmp_path, browser):
    """The check can fail: an image without text and grey on grey are serious violations."""
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html lang="en"><head><title>Bad</title></head><body><main><h1>Bad</h1>'
                    '<p><img src="x.png"></p><p><font color="#bbbbbb">grey on white</font></p></main></body></html>')
    browser.get(page.as_uri())
    found = web.axe_violations(browser, web.axe_source())
    assert [v.split(" ")[0] for v in found] == ["color-contrast", "image-alt"], found


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_screenshots_of_the_home_page(planned, cli, tmp_path, browser):
    """The home page at 1400 and 390 px, written to a folder outside the repository for a person to look at."""
    folder = web.screenshots_folder()
    with serving(build(cli, planned, tmp_path / "public")) as base:
        browser.get(base + "index.html")
        for width in (1400, 390):
            png = web.window_png(browser, width)
            assert _png_size(png) == (width, web.HEIGHTS[width])
            (folder / f"site-home-{width}.png").write_bytes(png)
    repository = Path(__file__).resolve().parent.parent
    assert repository not in folder.resolve().parents
    print(f"screenshots in {folder}")
