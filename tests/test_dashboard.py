"""The HTML dashboard driven in a real browser: filter, natural sort, breakdowns, and a phone's width."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

import browser as web
from conftest import write
from diasporatrack import Tracker

SESSIONS = """\
source:
  id: upr-s{n}
  title: UPR session {n}
  publisher: Human Rights Council
  date: 2025-01-{n:02d}
  url: https://example.org/session-{n}
recommendations:
  - id: s{n}-rec
    title: Recommendation of session {n}
    text: "{text}"
    quote: "{quote}"
    addressed_to: [{addressee}]
    themes: [theme{n}]
"""
TEXTS = {
    1: ("Consult the community groups before any decision", "We ask for consultation.", "Pakistan"),
    2: ("Follow the Wilson report of the UN rapporteur", "As the Wilson report says.", "UN"),
    10: ("Open a Café for returnees: example.org/aVeryLongAddressWithoutAnyBreakOpportunityThatWouldOverflowAPhone",
         "Coffee brings people together.", "diaspora"),
    11: ("Ratify the convention", "Ratification now.", "Pakistan"),
}


@pytest.fixture
def sessions(ws):
    (ws / "report.yaml").unlink()
    for n, (text, quote, addressee) in TEXTS.items():
        write(ws / f"s{n}.yaml", SESSIONS.format(n=n, text=text, quote=quote, addressee=addressee))
    write(ws / "diasporatrack.yaml", "publish:\n  title: Tracker of the UPR sessions\n")
    tracker = Tracker.open(ws)
    tracker.update("s2-rec", status="rejected", note="private reasoning", by="Amina")
    tracker.update("s11-rec", status="accepted", note="Minister announced it", public_note=True, for_owner="org")
    return tracker


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []

    def handle_data(self, data):
        self.text.append(data)


def test_breakdowns_title_citations_and_plurals(sessions, ws):
    html = sessions.export("html")
    assert "<title>Tracker of the UPR sessions</title>" in html and "<h1>Tracker of the UPR sessions</h1>" in html
    text = _Text()
    text.feed(html)
    words = " ".join(" ".join(text.text).split())
    assert "4 recommendations from 4 sources" in words
    # Rejected and not started no longer look alike: each status is counted apart, with its definition.
    assert 'aria-label="proposed 2, accepted 1, rejected 1"' in html
    assert "none recorded" in words
    assert "As the Wilson report says." in html
    assert '<a href="https://example.org/session-2" rel="noopener noreferrer">UPR session 2</a>' in html
    assert "Minister announced it" in html and "The Organisation" in html
    assert "private reasoning" not in html and "Amina" not in html
    one = Tracker.open(ws).export("html", [sessions.get("s1-rec")])
    assert "1 recommendation from 1 source," in " ".join(one.split())


@pytest.fixture
def page(sessions, tmp_path):
    path = tmp_path / "dashboard.html"
    path.write_text(sessions.export("html"), encoding="utf-8")
    driver = web.driver(tmp_path)
    try:
        driver.get(path.as_uri())
        assert driver.find_element("tag name", "body").get_attribute("data-ready") == "yes"
        yield driver
    finally:
        driver.quit()


def _shown(driver, words: str) -> list[str]:
    box = driver.find_element("id", "filter")
    box.clear()
    if words:
        box.send_keys(words)
    else:  # clear() fires no input event
        driver.execute_script("arguments[0].dispatchEvent(new Event('input'))", box)
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#recommendations tbody tr'))"
        ".filter(r => !r.hidden).map(r => r.cells[0].textContent)")


def test_filter_matches_every_word_as_a_word_beginning(page):
    assert _shown(page, "wilson UN") == ["s2-rec"]  # two words, two columns
    assert _shown(page, "UN") == ["s2-rec"]  # not "commUNity"
    assert _shown(page, "commun") == ["s1-rec"]  # a word's beginning
    assert _shown(page, "cafe") == ["s10-rec"]  # accents and capitals do not matter
    assert _shown(page, "RATIF pakistan") == ["s11-rec"]
    assert _shown(page, "wilson pakistan") == []
    assert len(_shown(page, "")) == 4
    assert page.find_element("id", "shown").text == "4"


def test_sources_sort_naturally(page):
    page.find_element("css selector", 'button[data-key="source"]').click()
    order = page.execute_script(
        "return Array.from(document.querySelectorAll('#recommendations tbody tr')).map(r => r.cells[6].textContent)")
    assert order == ["UPR session 1", "UPR session 2", "UPR session 10", "UPR session 11"]
    sources = page.execute_script(
        "return Array.from(document.querySelectorAll('section')).find(s => s.querySelector('h2').textContent"
        " === 'By source').querySelectorAll('tbody td:first-child')").__len__()
    assert sources == 4


@pytest.mark.parametrize("width", [390, 1400])
def test_no_horizontal_scroll_and_accessible(page, width):
    axe = web.axe_source()
    web.set_width(page, width)
    page.refresh()
    for row in page.find_elements("css selector", "details"):
        page.execute_script("arguments[0].open = true", row)  # opened details must fit too
    inner, scroll = web.sideways(page, width)
    assert inner == width and scroll <= inner
    assert web.axe_violations(page, axe) == []
    cards = page.execute_script(
        "return getComputedStyle(document.querySelector('#recommendations tr')).display")
    assert cards == ("block" if width == 390 else "table-row")
