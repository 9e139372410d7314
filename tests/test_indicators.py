"""Indicators of actions: authored in actions.yaml, reported through the journal."""

from __future__ import annotations

import datetime as dt
import json
import random

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write
from diasporatrack import Tracker
from diasporatrack.actions import checked_plan, load_plan
from diasporatrack.indicators import fold_reports, Indicator
from diasporatrack.journal import event_from_dict, event_to_dict
from diasporatrack.model import Event
from diasporatrack.schemas import load_schema

ACTIONS_YAML = """\
actions:
  - id: act-clinic
    title: Run a monthly health clinic
    owners: [health]
    start: 2025-02-01
    implements: [rep-health]
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
"""


@pytest.fixture
def plan_ws(ws):
    write(ws / "actions.yaml", ACTIONS_YAML)
    return ws


def test_reports_make_a_series_by_the_day_measured_with_their_evidence(plan_ws, cli):
    root = str(plan_ws)
    for argv in (("act-clinic/held", "3", "--on", "2025-05-01", "--link", "https://example.org/minutes",
                  "--evidence", "minutes of the May clinic"),
                 ("act-c/held", "1", "--on", "2025-04-01"),
                 ("act-clinic/reach", "medium", "--on", "2025-06-01", "--note", "asked at the mosque")):
        result = cli("indicator", "report", *argv, "--root", root)
        assert result.code == 0, result.err
    assert "on 2025-06-01; report; reach = medium; note: asked at the mosque" in result.out
    shown = json.loads(cli("action", "show", "act-clinic", "--format", "json", "--root", root).out)
    held, reach = shown["indicators"]
    assert [(r["on"], r["value"]) for r in held["reports"]] == [("2025-04-01", 1), ("2025-05-01", 3)]
    assert held["reports"][1]["links"] == ["https://example.org/minutes"]
    assert held["reports"][1]["evidence"] == "minutes of the May clinic"
    assert reach["reports"][0]["value"] == "medium" and reach["reports"][0]["note"] == "asked at the mosque"
    text = cli("action", "show", "act-clinic", "--root", root).out
    assert "2025-05-01  3  minutes of the May clinic  https://example.org/minutes" in text
    for line in (plan_ws / "journal.jsonl").read_text().splitlines():
        jsonschema.validate(json.loads(line), load_schema("event"))
    # reports never touch the recommendation
    assert Tracker.open(plan_ws).get("rep-health").history == ()


@pytest.mark.parametrize("argv, message", [
    (("act-clinic/reach", "huge"), "'huge' is not a level of indicator 'reach'; levels: low, medium, high"),
    (("act-clinic/held", "many"), "indicator 'held' is numeric: 'many' is not a number"),
    (("act-clinic/held", "nan"), "is not a finite number"),
    (("act-clinic/nope", "1"), "action 'act-clinic' has no indicator 'nope' (its indicators: held, reach)"),
    (("act-nope/held", "1"), "no action 'act-nope'"),
    (("act-clinic", "1"), "name an indicator as ACTION/INDICATOR"),
    (("act-clinic/held", "1", "--on", "2025-02-30"), "2025-02-30"),
])
def test_a_bad_report_is_one_line_and_writes_nothing(plan_ws, cli, argv, message):
    result = cli("indicator", "report", *argv, "--root", str(plan_ws))
    assert result.code == 2 and message in result.err and len(result.err.splitlines()) == 1, result
    assert not (plan_ws / "journal.jsonl").exists() or not (plan_ws / "journal.jsonl").read_text()


@pytest.mark.parametrize("body, line, message", [
    ("      - id: x\n        title: X\n        kind: qualitative\n", 20, "act-clinic/x: a qualitative indicator needs its levels"),
    ("      - id: x\n        title: X\n        kind: counted\n", 22, "kind: 'counted' is not a kind of indicator"),
    ("      - id: x\n        title: X\n        kind: numeric\n        owner: nobody\n", 23,
     "act-clinic/x: unknown owner 'nobody'"),
    ("      - id: x\n        title: X\n        kind: numeric\n        cadence: 0\n", 23, "cadence: expected a whole number"),
])
def test_a_mistake_in_an_indicator_is_located(plan_ws, cli, body, line, message):
    (plan_ws / "actions.yaml").write_text(ACTIONS_YAML + body, encoding="utf-8")
    result = cli("validate", "--root", str(plan_ws))
    assert result.code == 1 and f"actions.yaml:{line}: {message}" in result.out, result


def test_the_schema_takes_the_indicators(plan_ws):
    import yaml

    data = json.loads(json.dumps(yaml.safe_load(ACTIONS_YAML), default=str))
    jsonschema.validate(data, load_schema("actions"))


def _report(n: int, day: int, value: int, second: int) -> Event:
    return Event(id=f"e{n:03d}", at=dt.datetime(2025, 6, 1, 0, 0, second, tzinfo=dt.timezone.utc), by="x",
                 recommendation="act-clinic", kind="report", subject="indicator", indicator="held", value=value,
                 on=dt.date(2025, 1, 1) + dt.timedelta(days=day), v=6)


reports = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 100), st.integers(0, 59)), max_size=12)


@given(reports, st.randoms(use_true_random=False))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_reports_in_any_file_order_give_the_same_series(plan_ws, drawn, rnd):
    events = [_report(n, *item) for n, item in enumerate(drawn)]
    shuffled = list(events)
    rnd.shuffle(shuffled)
    indicator = Indicator(id="held", title="Clinics held", kind="numeric")
    assert fold_reports(indicator, events).reports == fold_reports(indicator, shuffled).reports
    # and through the journal file itself, read back by the plan
    lines = [json.dumps(event_to_dict(e)) for e in shuffled]
    (plan_ws / "journal.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    held = load_plan(Tracker.open(plan_ws, cache=False)).get("act-clinic").indicators[0]
    expected = sorted(events, key=lambda e: (e.on, e.sort_key))  # the day measured, then the fold order
    assert [(r.on, r.value, r.event.id) for r in held.reports] == [(e.on, e.value, e.id) for e in expected]


def test_a_report_event_reads_back_as_written(plan_ws):
    event = _report(1, 3, 7, 5)
    event = Event(**{**{a.name: getattr(event, a.name) for a in Event.__attrs_attrs__},
                     "links": ("https://example.org/a",), "evidence": "the minutes"})
    assert event_from_dict(json.loads(json.dumps(event_to_dict(event)))) == event
    with pytest.raises(ValueError, match="value must be a number or text"):
        event_from_dict({**event_to_dict(event), "value": [1]})


def test_update_carries_evidence_and_show_prints_one_timeline_by_day(plan_ws, cli):
    root = str(plan_ws)
    result = cli("update", "rep-health", "--status", "accepted", "--link", "https://example.org/board",
                 "--evidence", "board minutes", "--root", root)
    assert result.code == 0, result.err
    event = json.loads((plan_ws / "journal.jsonl").read_text().splitlines()[-1])
    assert event["links"] == ["https://example.org/board"] and event["evidence"] == "board minutes"
    assert event["v"] == 6
    assert cli("update", "rep-forum", "--note", "plain", "--root", root).code == 0
    assert "v" not in json.loads((plan_ws / "journal.jsonl").read_text().splitlines()[-1])  # nothing new: v1
    assert cli("indicator", "report", "act-clinic/held", "2", "--on", "2025-03-01", "--root", root).code == 0
    assert cli("action", "update", "act-clinic", "--status", "in-progress", "--root", root).code == 0
    out = cli("show", "rep-health", "--root", root).out
    lines = [line.split(None, 2)[:2] for line in out.splitlines() if line[:4] in ("2025", "2026")]
    assert [about for _, about in lines] == ["act-clinic/held", "rep-health", "act-clinic"]
    assert [day for day, _ in lines] == sorted(day for day, _ in lines)
    assert "evidence: board minutes; links: https://example.org/board" in out


def test_remind_names_an_overdue_action_and_an_indicator_report_due_once_per_period(plan_ws, cli, tmp_path):
    root = str(plan_ws)
    (plan_ws / "actions.yaml").write_text(ACTIONS_YAML.replace("    start: 2025-02-01\n",
                                                               "    start: 2025-02-01\n    due: 2025-03-01\n"))
    assert cli("indicator", "report", "act-clinic/held", "2", "--on", "2025-03-10", "--root", root).code == 0
    # the next report is due 30 days after the last one: 2025-04-09; due-soon window 14 days
    early = json.loads(cli("remind", "--today", "2025-03-20", "--format", "json", "--dry-run", "--root", root).out)
    plan_rules = [r for r in early if r["rule"] in ("action-overdue", "indicator-due")]
    assert [(r["rule"], r["recommendation"]) for r in plan_rules] == [("action-overdue", "act-clinic")]
    later = cli("remind", "--today", "2025-04-01", "--dry-run", "--root", root).out
    assert "report on act-clinic/held due 2025-04-09 (in 8 days)" in later
    assert "action overdue: was due 2025-03-01 (31 days ago)" in later
    ics = str(tmp_path / "plan.ics")
    first = cli("remind", "--today", "2025-04-01", "--channel", "calendar", "--calendar-file", ics, "--root", root)
    assert first.code == 0, first.err
    events = [json.loads(line) for line in (plan_ws / "journal.jsonl").read_text().splitlines()]
    recorded = [e for e in events if e["kind"] == "reminded" and e.get("subject") == "action"]
    assert {e["data"]["rule"] for e in recorded} == {"action-overdue", "indicator-due"}
    assert all(e["data"]["owner"] == "health" for e in recorded)
    again = cli("remind", "--today", "2025-04-01", "--channel", "calendar", "--calendar-file", ics, "--root", root)
    assert "delivered 0 reminders" in again.out + again.err
    # a finished action is left alone
    assert cli("action", "update", "act-clinic", "--status", "cancelled", "--root", root).code == 0
    quiet = cli("remind", "--today", "2025-04-01", "--dry-run", "--root", root).out
    assert "act-clinic" not in quiet
    assert cli("validate", "--root", root).code == 0


def test_exports_carry_the_plan(plan_ws, cli, tmp_path):
    import sqlite3

    root = str(plan_ws)
    assert cli("indicator", "report", "act-clinic/held", "4", "--on", "2025-03-01", "--note", "private word",
               "--link", "https://example.org/m", "--evidence", "minutes", "--root", root).code == 0
    document = json.loads(cli("export", "json", "--root", root).out)
    (action,) = document["actions"]
    assert action["id"] == "act-clinic" and action["implements"] == ["rep-health"]
    report = action["indicators"][0]["reports"][0]
    assert (report["on"], report["value"], report["note"], report["links"]) == (
        "2025-03-01", 4, "private word", ["https://example.org/m"])
    for public, db_name in ((True, "public.db"), (False, "private.db")):
        path = tmp_path / db_name
        flag = "--public" if public else "--private"
        assert cli("export", "sqlite", flag, "-o", str(path), "--root", root).code == 0
        db = sqlite3.connect(path)
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert db.execute("SELECT action, recommendation FROM action_recommendations").fetchall() == [
            ("act-clinic", "rep-health")]
        assert db.execute("SELECT action, id, kind FROM indicators ORDER BY id").fetchall() == [
            ("act-clinic", "held", "numeric"), ("act-clinic", "reach", "qualitative")]
        rows = db.execute("SELECT indicator, day, value, note, links, evidence, reported_by "
                          "FROM indicator_reports").fetchall()
        assert rows == [("held", "2025-03-01", 4, None if public else "private word", '["https://example.org/m"]',
                         "minutes", "a member" if public else "tester")]
        foreign = {row[2] for row in db.execute("PRAGMA foreign_key_list(indicator_reports)")}
        assert foreign == {"indicators"}


def test_indicator_list_shows_the_last_report_and_the_next_due_with_filters(plan_ws, cli):
    root = str(plan_ws)
    assert cli("indicator", "report", "act-clinic/held", "3", "--on", "2025-03-01", "--root", root).code == 0
    rows = json.loads(cli("indicator", "list", "--format", "json", "--root", root).out)
    assert [(r["action"], r["id"], r["next_due"]) for r in rows] == [
        ("act-clinic", "held", "2025-03-31"), ("act-clinic", "reach", None)]  # reach has no cadence
    table = cli("indicator", "list", "--root", root).out
    assert "act-clinic/held" in table and "3 on 2025-03-01" in table and "2025-03-31 (overdue)" in table
    assert [r["id"] for r in json.loads(cli("indicator", "list", "--overdue", "--format", "json",
                                            "--root", root).out)] == ["held"]
    assert [r["id"] for r in json.loads(cli("indicator", "list", "--due-within", "100000", "--format", "json",
                                            "--root", root).out)] == ["held"]  # overdue counts as due
    assert json.loads(cli("indicator", "list", "--owner", "edu", "--format", "json", "--root", root).out) == []
    assert [r["id"] for r in json.loads(cli("indicator", "list", "--owner", "org", "--format", "json",
                                            "--root", root).out)] == ["held"]  # health is a group of org
    assert json.loads(cli("indicator", "list", "--implements", "rep-education", "--format", "json",
                          "--root", root).out) == []
    result = cli("indicator", "list", "--action", "act-nope", "--root", root)
    assert result.code == 2 and "no action 'act-nope'" in result.err


def test_a_report_and_an_action_change_publish_their_note_only_when_marked_public(plan_ws, cli, tmp_path):
    import sqlite3

    root = str(plan_ws)
    assert cli("indicator", "report", "act-clinic/held", "4", "--on", "2025-03-01", "--note", "kept inside",
               "--root", root).code == 0
    assert cli("indicator", "report", "act-clinic/held", "6", "--on", "2025-04-01", "--note", "say it openly",
               "--public-note", "--for", "health", "--root", root).code == 0
    assert cli("action", "update", "act-clinic", "--status", "in-progress", "--note", "first clinic open",
               "--public-note", "--for", "health", "--root", root).code == 0
    refused = cli("action", "update", "act-clinic", "--status", "done", "--public-note", "--root", root)
    assert refused.code == 2 and "a public note needs a note" in refused.err and not refused.out
    assert cli("export", "sqlite", "-o", str(tmp_path / "public.db"), "--root", root).code == 0
    rows = sqlite3.connect(tmp_path / "public.db").execute(
        "SELECT day, note, reported_by FROM indicator_reports ORDER BY day").fetchall()
    assert rows == [("2025-03-01", None, "a member"), ("2025-04-01", "say it openly", "Healthcare Expert Group")]
    assert cli("export", "site", "-o", str(tmp_path / "site"), "--root", root).code == 0
    pages = "".join(p.read_text() for p in (tmp_path / "site").rglob("*.html"))
    assert "first clinic open" in pages and "say it openly" in pages and "kept inside" not in pages
    event = json.loads((plan_ws / "journal.jsonl").read_text().splitlines()[-1])
    assert event["public"] is True and event["for"] == "health" and event["subject"] == "action"


def test_report_says_what_it_recorded_and_refuses_a_day_to_come(plan_ws, cli):
    root = str(plan_ws)
    assert cli("indicator", "report", "act-clinic/held", "30", "--on", "2025-06-01", "--root", root).code == 0
    earlier = cli("indicator", "report", "act-clinic/held", "12", "--on", "2025-05-01", "--root", root)
    assert earlier.code == 0 and "held = 12" in earlier.out and "30" not in earlier.out  # not the newest by day
    before = (plan_ws / "journal.jsonl").read_bytes()
    future = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    refused = cli("indicator", "report", "act-clinic/held", "5", "--on", future, "--root", root)
    assert refused.code == 2 and f"the day measured, {future}, is in the future" in refused.err
    assert (plan_ws / "journal.jsonl").read_bytes() == before


@pytest.mark.parametrize("link", ["javascript:alert(1)", "file:///etc/passwd", "example.org/x", "https://"])
def test_evidence_links_are_web_addresses_on_every_change(plan_ws, cli, link):
    root = str(plan_ws)
    before = (plan_ws / "journal.jsonl").read_bytes() if (plan_ws / "journal.jsonl").exists() else b""
    for command in (("update", "rep-health", "--note", "n"), ("action", "update", "act-clinic", "--status",
                    "in-progress"), ("indicator", "report", "act-clinic/held", "3")):
        result = cli(*command, "--link", link, "--root", root)
        assert result.code == 2 and f"link {link!r} is not a web address" in result.err, command
    after = (plan_ws / "journal.jsonl").read_bytes() if (plan_ws / "journal.jsonl").exists() else b""
    assert after == before


def test_importing_an_export_says_its_plan_is_not_imported(plan_ws, cli, tmp_path):
    from diasporatrack.scaffold import init_workspace

    exported = tmp_path / "all.json"
    assert cli("export", "json", "-o", str(exported), "--root", str(plan_ws)).code == 0
    other = tmp_path / "other"
    init_workspace(other)
    result = cli("import", str(exported), "--root", str(other))
    assert result.code == 0 and "its plan (1 action, with their indicators and reports) is not imported" in result.err
    assert not (other / "actions.yaml").exists()
