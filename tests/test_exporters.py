"""Every export format read back by a real reader: json, csv, icalendar, an HTML parser, Chromium."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import icalendar
import pytest

from conftest import write
from diasporatrack import Tracker

HOSTILE = """\
source:
  id: hostile
  title: "Report <b>bold</b> & | pipes"
  date: 2025-01-01
recommendations:
  - id: h-formula
    title: "=HYPERLINK(\\"http://evil.example\\", \\"click\\")"
    text: "+1 then -1 @SUM(A1)"
    quote: "line one\\nline two | with pipe"
    owners: [org]
    due: 2025-03-01
    review_every: 30
  - id: h-script
    title: "<script>alert(1)</script> needs; commas, and \\"quotes\\""
    text: "Ünïcödé — عربي — اردو"
    addressed_to: [UN]
"""


@pytest.fixture
def hostile(ws):
    write(ws / "hostile.yaml", HOSTILE)
    return Tracker.open(ws)


def test_json_is_complete_and_versioned(hostile):
    tracker = hostile
    tracker.update("h-formula", status="accepted", note="yes", by="A")
    data = json.loads(tracker.export("json"))
    assert (data["schema"], data["version"]) == ("diasporatrack-export", 3)
    recs = {r["id"]: r for r in data["recommendations"]}
    assert recs["h-formula"]["status"] == "accepted"
    assert recs["h-formula"]["history"][0]["note"] == "yes"
    assert recs["h-script"]["text"] == "Ünïcödé — عربي — اردو"
    assert {s["id"] for s in data["sources"]} == {"hostile", "report-2025"}
    assert [s["name"] for s in data["statuses"]][0] == "proposed"


def test_csv_cannot_start_a_formula_and_keeps_the_text(hostile):
    rows = list(csv.DictReader(io.StringIO(hostile.export("csv"), newline="")))
    by_id = {r["id"]: r for r in rows}
    assert by_id["h-formula"]["title"] == "'=HYPERLINK(\"http://evil.example\", \"click\")"
    assert by_id["h-formula"]["text"] == "'+1 then -1 @SUM(A1)"
    assert by_id["h-formula"]["quote"] == "line one\nline two | with pipe"
    assert by_id["h-script"]["title"] == "<script>alert(1)</script> needs; commas, and \"quotes\""
    dangerous = ("=", "+", "-", "@", "\t", "\r")
    assert not any(cell.startswith(dangerous) for row in rows for cell in row.values())


def test_markdown_cells_cannot_break_the_table(hostile):
    text = hostile.export("markdown")
    table_rows = [line for line in text.splitlines() if line.startswith("| h-")]
    assert len(table_rows) == 2
    for row in table_rows:
        unescaped = row.replace("\\|", "")
        assert unescaped.count("|") == 7  # six cells
    assert "&lt;script&gt;" in text and "<script>" not in text
    assert "## Report &lt;b&gt;bold&lt;/b&gt; &amp; \\| pipes" in text


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "tbody":
            self._in_body = True
        if self._in_body and tag == "tr":
            self.rows.append([])
        if self._in_body and tag == "td":
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        if tag == "td" and self._cell is not None and self.rows:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_html_is_self_contained_and_escaped(hostile):
    html = hostile.export("html")
    parser = _Collector()
    parser.feed(html)
    scripts = [attrs for tag, attrs in parser.tags if tag == "script"]
    assert scripts == [{}]  # exactly one, inline, ours
    for tag, attrs in parser.tags:
        for name in ("src", "action"):  # nothing is loaded, nothing is sent
            assert name not in attrs, (tag, attrs)
        assert "href" not in attrs or (tag == "a" and attrs["href"].startswith(("https://", "http://"))), attrs
    policy = next(a["content"] for t, a in parser.tags if a.get("http-equiv") == "Content-Security-Policy")
    assert policy.startswith("default-src 'none'") and "script-src 'sha256-" in policy
    cells = {row[0]: row for row in parser.rows if row and row[0].startswith("h-")}
    assert cells["h-script"][1].startswith("<script>alert(1)</script> needs; commas, and \"quotes\"Ünïcödé")
    assert "<script>alert(1)" not in html


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def render_in_chromium(path: Path, fragment: str, tmp_path: Path) -> str:
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (.ci/run installs it)")
        pytest.skip("Chromium is not installed")
    result = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'chromium-profile'}", "--virtual-time-budget=3000",
         "--dump-dom", path.as_uri() + fragment],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_html_dashboard_renders_and_sorts_in_chromium(hostile, tmp_path):
    hostile.update("rep-education", due="2025-02-01")
    path = tmp_path / "dashboard.html"
    path.write_text(hostile.export("html"), encoding="utf-8")
    dom = render_in_chromium(path, "#sort=-due", tmp_path)
    # The script ran (the CSP hash matched) and sorted by due date, latest first.
    assert 'data-ready="yes"' in dom and 'data-sorted="-due"' in dom
    parser = _Collector()
    parser.feed(dom)
    order = [row[0] for row in parser.rows if len(row) == 9]
    assert order[:2] == ["h-formula", "rep-education"]  # 2025-03-01, then 2025-02-01
    assert "<script>alert(1)</script>" not in dom.split("<tbody>")[1]


def test_ics_read_back_with_icalendar(hostile):
    hostile.update("rep-forum", due="2025-09-30", note="planned")
    calendar = icalendar.Calendar.from_ical(hostile.export("ics"))
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {
        "h-formula.due@diasporatrack", "h-formula.review@diasporatrack",
        "rep-education.due@diasporatrack", "rep-forum.due@diasporatrack",
    }
    due = events["h-formula.due@diasporatrack"]
    assert due.decoded("dtstart") == dt.date(2025, 3, 1)
    assert str(due["summary"]) == 'Due: =HYPERLINK("http://evil.example", "click")'
    review = events["h-formula.review@diasporatrack"]
    assert review.decoded("dtstart") == dt.date(2025, 1, 31)  # source date + 30 days
    assert review["rrule"]["INTERVAL"] == [30]
    script = events.get("h-script.due@diasporatrack")
    assert script is None  # no due date, no entry


def test_export_to_file_is_atomic_and_filtered(ws, cli, tmp_path):
    target = tmp_path / "report.json"
    target.write_text("old")
    result = cli("--root", "ws", "export", "json", "-o", str(target), "--owner", "org")
    assert result.code == 0
    data = json.loads(target.read_text())
    assert [r["id"] for r in data["recommendations"]] == ["rep-education", "rep-health"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".report.json")]
    result = cli("--root", "ws", "export", "nope", "-o", str(target))
    assert result.code == 2 and "unknown exporter 'nope'" in result.err
    assert json.loads(target.read_text()) == data
