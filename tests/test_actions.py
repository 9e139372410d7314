"""The implementation plan: actions.yaml, its checks, and the `action` commands."""

from __future__ import annotations

import json

import jsonschema
import pytest

from conftest import write
from diasporatrack import Tracker
from diasporatrack.actions import checked_plan, load_plan
from diasporatrack.errors import WorkspaceError
from diasporatrack.schemas import load_schema
from diasporatrack.yamlio import load_yaml

ACTIONS_YAML = """\
actions:
  - id: act-clinic
    title: Run a monthly health clinic
    owners: [health]
    start: 2025-02-01
    due: 2025-12-31
    implements: [rep-health, rep-forum]
  - id: act-school
    title: Fund two school projects
    status: in-progress
    implements: [rep-education]
"""


@pytest.fixture
def plan_ws(ws):
    write(ws / "actions.yaml", ACTIONS_YAML)
    return ws


def test_actions_are_read_with_their_default_status_and_links(plan_ws):
    plan = checked_plan(Tracker.open(plan_ws))
    clinic = plan.get("act-c")
    assert clinic.status == "planned" and clinic.implements == ("rep-health", "rep-forum")
    assert [a.id for a in plan.implementing("rep-forum")] == ["act-clinic"]
    assert plan.get("act-school").status == "in-progress"
    # actions.yaml is the plan, never a source file
    assert len(Tracker.open(plan_ws)) == 3


def test_the_shipped_schema_accepts_the_example_and_refuses_an_action_without_recommendations(plan_ws):
    data = json.loads(json.dumps(load_yaml(plan_ws / "actions.yaml"), default=str))
    jsonschema.validate(data, load_schema("actions"))
    data["actions"][0]["implements"] = []
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, load_schema("actions"))


@pytest.mark.parametrize("line, text, message", [
    (7, "    implements: [rep-health, rep-nope]\n", "act-clinic: implements unknown recommendation 'rep-nope'"),
    (4, "    owners: [nobody]\n", "act-clinic: unknown owner 'nobody'"),
    (3, "    status: finished\n", "act-clinic: status: 'finished' is not an action status"),
    (6, "    due: 2024-12-31\n", "act-clinic: due 2024-12-31 is before start 2025-02-01"),
    (3, "    colour: blue\n", "unknown field 'colour' in action"),
    (2, "  - id: rep-forum\n", "action id 'rep-forum' is also a recommendation's id"),
])
def test_a_mistake_in_actions_yaml_is_located(plan_ws, cli, line, text, message):
    lines = ACTIONS_YAML.splitlines(keepends=True)
    key = text.split(":")[0]
    index = next((i for i, old in enumerate(lines[:7]) if old.split(":")[0] == key), None)
    if index is None:
        lines.insert(line - 1, text)
    else:
        lines[index] = text
    (plan_ws / "actions.yaml").write_text("".join(lines), encoding="utf-8")
    result = cli("validate", "--root", str(plan_ws))
    assert result.code == 1
    assert f"actions.yaml:{line}: {message}" in result.out
    result = cli("action", "list", "--root", str(plan_ws))
    assert result.code == 2 and f"actions.yaml:{line}: {message}" in result.err


def test_add_set_and_update_write_the_file_and_the_journal(ws, cli):
    root = str(ws)
    result = cli("action", "add", "act-1", "--title", "Start the group", "--implements", "rep-health",
                 "--owner", "health", "--due", "2025-09-01", "--root", root)
    assert result.code == 0, result.err
    assert (ws / "actions.yaml").read_text().startswith("actions:\n  - id: act-1\n")
    before = (ws / "actions.yaml").read_text()
    (ws / "actions.yaml").write_text("# the plan of the expert groups\n" + before, encoding="utf-8")
    assert cli("action", "set", "act-1", "--due", "2025-10-01", "--add-implements", "rep-forum",
               "--root", root).code == 0
    text = (ws / "actions.yaml").read_text()
    assert text.startswith("# the plan of the expert groups\n") and "due: 2025-10-01" in text
    assert cli("action", "update", "act-1", "--status", "in-progress", "--note", "first meeting",
               "--root", root).code == 0
    shown = json.loads(cli("action", "show", "act-1", "--format", "json", "--root", root).out)
    assert shown["status"] == "in-progress" and shown["implements"] == ["rep-health", "rep-forum"]
    assert [e.get("field") for e in shown["history"]] == [None, "due", "implements", None]
    assert all(e["subject"] == "action" and e["v"] == 6 for e in shown["history"])
    # the recommendation's own state and history are untouched; its show lists the action
    tracker = Tracker.open(ws)
    assert tracker.get("rep-health").history == () and tracker.get("rep-health").status == "proposed"
    out = cli("show", "rep-forum", "--root", root).out
    assert "act-1" in out and "in-progress" in out
    assert json.loads(cli("show", "rep-forum", "--format", "json", "--root", root).out)["actions"][0]["id"] == "act-1"
    assert "actions" not in json.loads(cli("show", "rep-education", "--format", "json", "--root", root).out)
    # the journal's event schema describes the new events
    for line in (ws / "journal.jsonl").read_text().splitlines():
        jsonschema.validate(json.loads(line), load_schema("event"))


def test_bad_changes_write_nothing(plan_ws, cli):
    root = str(plan_ws)
    before = (plan_ws / "actions.yaml").read_text()
    cases = [
        (("action", "add", "act-x", "--title", "X", "--implements", "rep-nope"),
         "actions.yaml:14: act-x: implements unknown recommendation 'rep-nope'"),
        (("action", "add", "act-clinic", "--title", "X", "--implements", "rep-health"), "already exists"),
        (("action", "add", "rep-forum", "--title", "X", "--implements", "rep-health"),
         "action id 'rep-forum' is also a recommendation's id"),
        (("action", "add", "act-x", "--title", "X", "--implements", "rep-health", "--owner", "nobody"),
         "unknown owner 'nobody'"),
        (("action", "update", "act-clinic", "--status", "done"), "cannot go from 'planned' to 'done'"),
        (("action", "update", "act-nope", "--status", "done"), "no action 'act-nope'"),
        (("action", "set", "act-clinic", "--remove-implements", "rep-health", "--remove-implements", "rep-forum"),
         "implements: an action implements at least one recommendation"),
    ]
    for argv, message in cases:
        result = cli(*argv, "--root", root)
        assert result.code == 2 and message in result.err, (argv, result)
        assert "Traceback" not in result.err
    assert (plan_ws / "actions.yaml").read_text() == before
    assert not (plan_ws / "journal.jsonl").exists() or (plan_ws / "journal.jsonl").read_text() == ""


def test_removing_a_recommendation_an_action_implements_is_refused(plan_ws):
    tracker = Tracker.open(plan_ws)
    with pytest.raises(WorkspaceError, match="implements unknown recommendation 'rep-education'"):
        tracker.remove_recommendation("rep-education")
    assert "rep-education" in Tracker.open(plan_ws)


def test_action_statuses_are_configurable(plan_ws, cli):
    write(plan_ws / "diasporatrack.yaml", """\
        action_statuses:
          - {name: idea, definition: Only an idea., weight: 0, next: [running]}
          - {name: running, definition: Under way., weight: 0.5, next: [over]}
          - {name: over, definition: Finished., weight: 1}
        """)
    (plan_ws / "actions.yaml").write_text(ACTIONS_YAML.replace("status: in-progress", "status: running"))
    plan = load_plan(Tracker.open(plan_ws))
    assert not plan.problems and plan.get("act-clinic").status == "idea"
    assert cli("action", "update", "act-clinic", "--status", "running", "--root", str(plan_ws)).code == 0
    listed = json.loads(cli("action", "list", "--status", "running", "--format", "json", "--root",
                            str(plan_ws)).out)
    assert [a["id"] for a in listed] == ["act-clinic", "act-school"]


def test_list_filters_by_owner_and_recommendation(plan_ws, cli):
    root = str(plan_ws)
    by_org = json.loads(cli("action", "list", "--owner", "org", "--format", "json", "--root", root).out)
    assert [a["id"] for a in by_org] == ["act-clinic"]  # health is an expert group of org
    by_rec = json.loads(cli("action", "list", "--implements", "rep-education", "--format", "json",
                            "--root", root).out)
    assert [a["id"] for a in by_rec] == ["act-school"]


def test_progress_from_actions_is_the_mean_of_their_status_weights(plan_ws, cli):
    root = str(plan_ws)
    (plan_ws / "actions.yaml").write_text(ACTIONS_YAML + """\
  - id: act-clinic-2
    title: A second clinic
    status: done
    implements: [rep-health]
""", encoding="utf-8")
    measure = Tracker.open(plan_ws).progress()
    assert measure.reading(Tracker.open(plan_ws).get("rep-health")).basis == "status"  # the default: off
    write(plan_ws / "diasporatrack.yaml", "progress_from: actions\n")
    tracker = Tracker.open(plan_ws)
    reading = tracker.progress().reading(tracker.get("rep-health"))
    assert (reading.basis, reading.percent) == ("actions", 50.0)  # planned 0 and done 1
    education = tracker.progress().reading(tracker.get("rep-education"))
    assert (education.basis, education.percent) == ("actions", 50.0)  # one action, in-progress
    assert tracker.progress().reading(tracker.get("rep-forum")).basis == "actions"  # act-clinic implements it too
    assert cli("action", "update", "act-clinic", "--status", "in-progress", "--root", root).code == 0
    tracker = Tracker.open(plan_ws)
    assert tracker.progress().reading(tracker.get("rep-health")).percent == 75.0
    assert "75% (mean of its actions)" in cli("show", "rep-health", "--root", root).out
    # a progress set by hand still wins
    assert cli("update", "rep-health", "--progress", "10", "--root", root).code == 0
    tracker = Tracker.open(plan_ws)
    assert tracker.progress().reading(tracker.get("rep-health")).basis == "set"


def test_a_recommendation_overrides_the_workspace_progress_from(plan_ws, cli):
    root = str(plan_ws)
    source = (plan_ws / "report.yaml").read_text(encoding="utf-8")
    # rep-health takes its progress from its actions although the workspace does not, rep-education from
    # its status although the workspace takes it from actions
    write(plan_ws / "report.yaml", source.replace("    themes: [healthcare]\n",
                                                  "    themes: [healthcare]\n    progress_from: actions\n")
          .replace("    due: 2025-06-30\n", "    due: 2025-06-30\n    progress_from: status\n"))
    tracker = Tracker.open(plan_ws)
    measure = tracker.progress()
    assert measure.reading(tracker.get("rep-health")).basis == "actions"
    assert measure.reading(tracker.get("rep-forum")).basis == "status"  # the workspace's default
    write(plan_ws / "diasporatrack.yaml", "progress_from: actions\n")
    tracker = Tracker.open(plan_ws)
    measure = tracker.progress()
    assert measure.reading(tracker.get("rep-education")).basis == "status"
    assert measure.reading(tracker.get("rep-forum")).basis == "actions"
    assert cli("set", "rep-education", "--clear", "progress_from", "--root", root).code == 0
    assert Tracker.open(plan_ws).progress().reading(Tracker.open(plan_ws).get("rep-education")).basis == "actions"
    write(plan_ws / "report.yaml", source.replace("    themes: [healthcare]\n",
                                                  "    themes: [healthcare]\n    progress_from: indicators\n"))
    result = cli("validate", "--root", root)
    assert result.code == 1 and "report.yaml:16: progress_from: 'indicators' is not a basis of progress" in result.out


def test_without_progress_from_actions_the_plan_is_not_read_for_progress(plan_ws, monkeypatch):
    import diasporatrack.actions as actions

    tracker = Tracker.open(plan_ws)
    monkeypatch.setattr(actions, "load_plan", lambda t: pytest.fail("the plan was read"))
    assert tracker.progress().reading(tracker.get("rep-health")).basis == "status"


def test_progress_from_takes_only_its_two_values(plan_ws, cli):
    write(plan_ws / "diasporatrack.yaml", "progress_from: indicators\n")
    result = cli("validate", "--root", str(plan_ws))
    assert result.code == 1 and "diasporatrack.yaml:1: progress_from: 'indicators' is not a basis of progress" in result.out


def test_action_update_carries_evidence_into_the_timeline(plan_ws, cli):
    root = str(plan_ws)
    result = cli("action", "update", "act-clinic", "--status", "in-progress", "--link", "https://example.org/a",
                 "--evidence", "the first clinic's sign-in sheet", "--root", root)
    assert result.code == 0, result.err
    event = json.loads((plan_ws / "journal.jsonl").read_text().splitlines()[-1])
    assert event["links"] == ["https://example.org/a"] and event["evidence"] == "the first clinic's sign-in sheet"
    out = cli("show", "rep-health", "--root", root).out
    assert "status planned -> in-progress; evidence: the first clinic's sign-in sheet; links: https://example.org/a" in out
