"""The web app in a real browser (headless Chromium through Selenium), served by uvicorn on a loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from test_site_browser import browser  # noqa: F401 - the shared Chromium fixture
from web_harness import PASSWORD, journal, users, accounts_file  # noqa: F401
from diasporatrack import Tracker


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(ws: Path, users):
    """`diasporatrack serve` in its own process, as a user starts it; yields its address."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "diasporatrack", "--root", str(ws), "serve", "--port", str(port),
         "--users", str(users.path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/signin", timeout=2).read()
                break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the server did not start: {process.stderr.read()}") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait(driver, condition) -> None:
    """Wait for a page the click asked for (a loaded machine is slow to navigate)."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 20).until(condition)


def _submit(driver, button) -> None:
    """Click a form's button and wait until the next page has replaced this one."""
    from selenium.common.exceptions import WebDriverException

    def replaced(_driver) -> bool:
        try:
            button.is_enabled()
        except WebDriverException:  # stale, or (mid-navigation) "node does not belong to the document"
            return True
        return False

    button.click()
    _wait(driver, replaced)
    # The old page is gone; wait until the new one is whole before looking at it.
    _wait(driver, lambda d: d.execute_script("return document.readyState") == "complete")


def _sign_in(driver, base: str, name: str) -> None:
    driver.get(base + "/")
    assert "/signin" in driver.current_url
    driver.find_element("id", "name").send_keys(name)
    driver.find_element("id", "password").send_keys(PASSWORD)
    _submit(driver, driver.find_element("css selector", "form.stacked button[type=submit]"))
    assert driver.find_element("css selector", ".account strong").text == name


def _sign_out(driver) -> None:
    _submit(driver, driver.find_element("css selector", ".account form button"))
    assert "/signin" in driver.current_url


def _width_at_load(driver, url: str) -> tuple[int, bool]:
    """The layout viewport's width once the page and its fonts are loaded, and whether nothing overflows it.

    Measured a second time after a reload if the first reading overflows: a page laid out before its
    fonts were ready can widen the viewport once under load; an overflow of the page itself stays.
    """
    measure = ("return document.fonts.ready.then(() => [window.innerWidth, "
               "document.documentElement.scrollWidth <= window.innerWidth])")
    for attempt in range(2):
        driver.get(url)
        _wait(driver, lambda d: d.execute_script("return document.readyState") == "complete")
        inner, fits = driver.execute_script(measure)
        if inner == 390 and fits:
            break
    return inner, fits


def test_a_member_reports_progress_in_the_browser(server, browser, ws):
    from selenium.webdriver.support.ui import Select

    base = server
    _sign_in(browser, base, "edu-member")
    # Find it by search, open it.
    browser.get(base + "/search.html")
    browser.find_element("id", "q").send_keys("education")
    _submit(browser, browser.find_element("css selector", "#search button"))
    _submit(browser, browser.find_element("link text", "Invest in education"))
    assert browser.current_url == base + "/r/rep-education.html"
    # Change its status with a note and an evidence link.
    Select(browser.find_element("id", "status")).select_by_value("accepted")
    browser.find_element("id", "note").send_keys("Agreed by the board")
    browser.find_element("id", "links").send_keys("https://example.org/board-minutes")
    _submit(browser, browser.find_element("id", "save-update"))
    assert browser.find_element("css selector", ".notice").text == "Saved."
    timeline = browser.find_element("css selector", "ol.timeline").text
    assert "proposed → accepted" in timeline or "accepted" in timeline
    assert "(edu-member)" in timeline and "Agreed by the board" in timeline
    event = journal(ws)[-1]
    assert (event["by"], event["for"], event["status"]) == ("edu-member", "edu", "accepted")
    assert event["links"] == ["https://example.org/board-minutes"]
    # A stale form: someone else changes it after the page was drawn.
    browser.get(base + "/r/rep-education.html")
    Tracker.open(ws).update("rep-education", note="Changed from the command line", by="coordinator")
    browser.find_element("id", "note").send_keys("My change on an old page")
    _submit(browser, browser.find_element("id", "save-update"))
    assert "Someone changed this recommendation" in browser.find_element("id", "form-error").text
    assert "Changed from the command line" in browser.find_element("css selector", "ol.timeline").text
    assert all(e.get("note") != "My change on an old page" for e in journal(ws))
    # The same page at a phone's width: nothing scrolls sideways.
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    for page in ("/r/rep-education.html", "/", "/search.html?q=e", "/o/org.html"):
        assert _width_at_load(browser, base + page) == (390, True), page
    _sign_out(browser)
    browser.get(base + "/r/rep-education.html")
    assert "/signin" in browser.current_url
    # The one error a browser logs is the stale form's answer (409): no policy violation, no missing file.
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"
              and "status of 409" not in entry["message"]]
    assert errors == []


def test_a_viewer_cannot_change_anything_in_the_browser(server, browser, ws):
    base = server
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",  # on a phone, from the start
                            {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    _sign_in(browser, base, "viewer")
    browser.get(base + "/r/rep-education.html")
    assert browser.find_element("tag name", "h1").text == "Invest in education"
    assert browser.find_elements("id", "update-form") == []
    inner, scroll = browser.execute_script("return [window.innerWidth, document.documentElement.scrollWidth]")
    assert inner == 390 and scroll <= inner
    _sign_out(browser)
    assert journal(ws) == []
