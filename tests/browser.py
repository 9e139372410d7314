"""Helpers of the browser tests: headless Chromium, axe-core, screenshots and the phone-width check.

Chromium and its driver are Debian's (``/usr/bin/chromium``, ``/usr/bin/chromedriver``): Selenium is pointed
at that driver and never downloads one. axe-core is the npm package that ``.ci/run`` installs into a cache
folder (``DIASPORATRACK_AXE_JS`` names its ``axe.min.js``); it is injected into each page through the driver,
which the pages' Content-Security-Policy does not govern. In CI (``CI`` set) a missing browser or axe-core
fails the test; on a developer's machine it is skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMEDRIVER = "/usr/bin/chromedriver"
AXE_VERSION = "4.14.1"  # the version .ci/run installs
DEFAULT_AXE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "diasporatrack/axe/node_modules/axe-core/axe.min.js"
# Impacts that fail a test; "minor" and "moderate" findings are reported by axe but tolerated.
FAILING_IMPACTS = ("serious", "critical")


def missing(what: str) -> None:
    """Fail in CI, where .ci/run installs everything; skip elsewhere, saying what is missing."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI (.ci/run installs it)")
    pytest.skip(f"{what} is not installed (bash .ci/run installs it)")


def driver(tmp_path: Path):
    """A headless Chromium driven through Debian's chromedriver; the caller quits it."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("selenium is not installed (pip install -e '.[test]')")
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None or not os.path.exists(CHROMEDRIVER):
        missing("Chromium with chromedriver")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--hide-scrollbars", "--force-color-profile=srgb", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


def axe_source() -> str:
    """The text of axe.min.js, from ``DIASPORATRACK_AXE_JS`` or the folder .ci/run installs it into."""
    path = Path(os.environ.get("DIASPORATRACK_AXE_JS") or DEFAULT_AXE)
    if not path.is_file():
        missing(f"axe-core ({path})")
    return path.read_text(encoding="utf-8")


def axe_violations(browser, source: str) -> list[str]:
    """The serious and critical accessibility violations axe-core finds on the page shown, one line each."""
    browser.execute_script(source)
    browser.set_script_timeout(60)
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(r.violations.map(v => [v.id, v.impact, v.help,"
        " v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').split('\\n').join(' '))])))"
        ".catch(e => done('axe failed: ' + e));")
    assert isinstance(result, list), result
    return [f"{rule} ({impact}): {help_} at {nodes}" for rule, impact, help_, nodes in result
            if impact in FAILING_IMPACTS]


def set_width(browser, width: int, height: int = 900) -> None:
    """Emulate a screen ``width`` CSS pixels wide (a phone below 600)."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def sideways(browser, width: int | None = None) -> tuple[int, int]:
    """(window width, scroll width): the page scrolls sideways when the second is larger.

    With ``width``, a page that does not fit yet is read again for up to 3 s: on a loaded machine the
    emulated phone's layout may not have settled when the page's load event fires; one that never fits
    is reported as it is.
    """
    import time

    script = "return [window.innerWidth, document.scrollingElement.scrollWidth]"
    found = tuple(browser.execute_script(script))
    deadline = time.monotonic() + 3
    while width is not None and found != (width, width) and found[1] > width and time.monotonic() < deadline:
        time.sleep(0.25)
        found = tuple(browser.execute_script(script))
    return found


def too_wide(browser, width: int) -> list[str]:
    """The elements that reach beyond ``width`` CSS pixels, to say what makes a page scroll sideways."""
    return browser.execute_script(
        "const w = arguments[0]; return Array.from(document.querySelectorAll('body *'))"
        ".filter(e => { const r = e.getBoundingClientRect(); return r.right > w + 1 || r.left < -1; })"
        ".slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')"
        " + ' ' + Math.round(e.getBoundingClientRect().left) + '..' + Math.round(e.getBoundingClientRect().right))",
        width)


def screenshots_folder() -> Path:
    """Where the tests write their screenshots: ``DIASPORATRACK_SCREENSHOTS``, else a folder of the system's
    temporary directory (outside the repository, so a test run never changes the work tree)."""
    folder = Path(os.environ.get("DIASPORATRACK_SCREENSHOTS") or Path(tempfile.gettempdir()) / "diasporatrack-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# The window of a desktop and of a phone (an iPhone 12-14's CSS pixels), for screenshots.
HEIGHTS = {1400: 900, 390: 844}


def window_png(browser, width: int) -> bytes:
    """A screenshot of the window, ``width`` CSS pixels wide, from the top of the page."""
    import base64

    set_width(browser, width, HEIGHTS.get(width, 900))
    browser.execute_script("window.scrollTo(0, 0)")
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    return base64.b64decode(shot["data"])


def console_errors(browser) -> list[str]:
    """Messages the page logged as errors (a refused request, a script error, a CSP violation)."""
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
