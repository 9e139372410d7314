"""Every CLI command through its entry point: output, errors and exit codes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SHIPPED, write


def test_list_table_json_csv(ws, cli):
    result = cli("--root", "ws", "list")
    assert result.code == 0
    header, rule, *rows = result.out.splitlines()
    assert header.split() == ["ID", "STATUS", "OWNERS", "DUE", "TITLE"]
    assert [r.split()[0] for r in rows] == ["rep-education", "rep-forum", "rep-health"]
    data = json.loads(cli("--root", "ws", "list", "--format", "json").out)
    assert data[0]["id"] == "rep-education" and data[0]["due"] == "2025-06-30"
    table = list(csv.DictReader(io.StringIO(cli("--root", "ws", "list", "--format", "csv").out)))
    assert table[1]["addressed_to"] == "UN; EU"


def test_list_filters_and_sort(ws, cli):
    def ids(*args):
        return [r["id"] for r in json.loads(cli("--root", "ws", "list", "--format", "json", *args).out)]

    assert ids("--owner", "org") == ["rep-education", "rep-health"]  # edu is under org
    assert ids("--owner", "edu") == ["rep-education"]
    assert ids("--addressed-to", "un") == ["rep-education", "rep-forum"]
    assert ids("--theme", "Healthcare") == ["rep-health"]
    assert ids("--unowned") == ["rep-forum"]
    assert ids("--source", "rep") == ["rep-education", "rep-forum", "rep-health"]
    assert ids("--sort=-title") == ["rep-education", "rep-health", "rep-forum"]  # Invest, Form, Create
    assert ids("--sort", "due") == ["rep-education", "rep-forum", "rep-health"]
    cli("--root", "ws", "update", "rep-forum", "--status", "accepted")
    assert ids("--status", "accepted") == ["rep-forum"]
    assert ids("--sort", "status")[-1] == "rep-forum"


def test_update_then_history_shows_who_when_why(ws, cli):
    result = cli("--root", "ws", "update", "rep-f", "--status", "accepted", "--add-owner", "health",
                 "--due", "2026-03-01", "--note", "board agreed", "--by", "Amina")
    assert result.code == 0, result.err
    assert result.out == "rep-forum: status proposed -> accepted; owners + health; due 2026-03-01; note: board agreed\n"
    history = cli("--root", "ws", "history", "rep-forum")
    assert "Amina" in history.out and "board agreed" in history.out
    events = json.loads(cli("--root", "ws", "history", "rep-forum", "--format", "json").out)
    assert events[0]["by"] == "Amina" and events[0]["status"] == "accepted"
    shown = cli("--root", "ws", "show", "rep-forum")
    assert "status:       accepted: The addressee or an owner has committed" in shown.out
    assert "health (Healthcare Expert Group)" in shown.out


def test_actor_comes_from_environment(ws, cli, monkeypatch):
    monkeypatch.setenv("DIASPORATRACK_USER", "Bilal")
    cli("--root", "ws", "update", "rep-forum", "--note", "looked at it")
    assert json.loads(cli("--root", "ws", "history", "rep-forum", "--format", "json").out)[0]["by"] == "Bilal"


def test_forbidden_transition_and_force(ws, cli):
    result = cli("--root", "ws", "update", "rep-forum", "--status", "implemented")
    assert result.code == 2
    assert result.err == ("diasporatrack: error: cannot go from 'proposed' to 'implemented'; allowed: accepted, "
                          "in-progress, rejected, withdrawn (use --force to override)\n")
    assert not (ws / "journal.jsonl").exists() or (ws / "journal.jsonl").read_bytes() == b""
    result = cli("--root", "ws", "update", "rep-forum", "--status", "implemented", "--force", "--note", "done")
    assert result.code == 0
    assert json.loads((ws / "journal.jsonl").read_text())["forced"] is True
    assert "(forced)" in cli("--root", "ws", "history", "rep-forum").out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["show", "nope"], "diasporatrack: error: no recommendation 'nope'\n"),
        (["show", "rep-"], "diasporatrack: error: recommendation prefix 'rep-' is ambiguous: "
                           "rep-education, rep-forum, rep-health\n"),
        (["update", "rep-forum", "--due", "2025-02-30"],
         "diasporatrack: error: bad due date '2025-02-30': expected YYYY-MM-DD\n"),
        (["update", "rep-forum", "--add-owner", "nobody"], "diasporatrack: error: no owner 'nobody'\n"),
        (["update", "rep-forum", "--remove-owner", "org"],
         "diasporatrack: error: 'org' is not an owner of rep-forum (owners: none)\n"),
        (["update", "rep-forum", "--status", "acepted"],
         "diasporatrack: error: unknown status 'acepted' (did you mean 'accepted'?); statuses are: proposed, "
         "accepted, in-progress, partially-implemented, stalled, implemented, rejected, withdrawn\n"),
        (["update", "rep-forum"], "diasporatrack: error: nothing to update for rep-forum: give a status, an owner, "
                                  "a due date, a progress or a note\n"),
        (["list", "--status", "done"], None),
        (["list", "--owner", "zzz"], "diasporatrack: error: no owner 'zzz'\n"),
    ],
)
def test_bad_input_is_one_line_exit_2(ws, cli, argv, message):
    result = cli("--root", "ws", *argv)
    assert result.code == 2
    assert result.out == ""
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    if message:
        assert result.err == message
    assert not (ws / "journal.jsonl").exists() or (ws / "journal.jsonl").read_bytes() == b""


def test_validate_reports_all_problems_exit_1(ws, cli):
    write(ws / "bad.yaml", "source:\n  id: bad\n  title: B\nrecommendations:\n  - id: b1\n    title: t\n    text: t\n"
                           "    owners: [ghost]\n  - id: b2\n    text: t\n")
    result = cli("--root", "ws", "validate")
    assert result.code == 1
    assert result.out.splitlines() == [
        "ws/bad.yaml:5: b1: unknown owner 'ghost' (owners are defined in owners.yaml)",
        "ws/bad.yaml:9: recommendation lacks required field 'title'",
    ]
    assert result.err == "2 problems found\n"
    listing = cli("--root", "ws", "list")
    assert listing.code == 2 and "bad.yaml:9" in listing.err
    assert json.loads(cli("--root", "ws", "validate", "--format", "json").out)[1]["line"] == 9


def test_validate_ok(ws, cli):
    result = cli("--root", "ws", "validate")
    assert result.code == 0
    assert result.out == "ok: 3 recommendations from 1 source, 3 owners, 0 journal events\n"


def test_stats(ws, cli):
    cli("--root", "ws", "update", "rep-health", "--status", "in-progress", "--force")
    result = cli("--root", "ws", "stats")
    assert result.code == 0
    assert result.out.startswith("3 recommendations, overall progress")
    data = json.loads(cli("--root", "ws", "stats", "--format", "json").out)
    assert data["by_status"]["in-progress"] == 1
    assert data["progress"] == pytest.approx(0.5 / 3)
    owners = {g["group"]: g for g in data["by_owner"]}
    # an organisation's figures include its expert groups' recommendations (edu's rep-education)
    assert owners["org"]["progress"] == 0.25 and owners["org"]["count"] == 2 and owners["edu"]["count"] == 1
    assert owners["(unowned)"]["count"] == 1


def test_statuses_and_sources(ws, cli):
    table = cli("--root", "ws", "statuses").out
    assert "partially-implemented" in table and "(final)" in table
    statuses = json.loads(cli("--root", "ws", "statuses", "--format", "json").out)
    assert statuses["statuses"][0]["name"] == "proposed" and statuses["statuses"][0]["initial"]
    sources = json.loads(cli("--root", "ws", "sources", "--format", "json").out)
    assert sources[0]["id"] == "report-2025" and sources[0]["recommendations"] == 3
    assert "A report" in cli("--root", "ws", "sources", "rep").out


def test_init_creates_a_workspace_and_refuses_to_overwrite(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("init", "mine")
    assert result.code == 0
    assert (tmp_path / "mine" / ".gitattributes").read_text() == "journal.jsonl merge=union\n"
    assert cli("--root", "mine", "validate").code == 0
    again = cli("init", "mine")
    assert again.code == 2 and "already is a workspace" in again.err


def test_no_workspace_found(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DIASPORATRACK_ROOT", raising=False)
    result = cli("list")
    assert result.code == 2 and "no workspace found" in result.err


def test_unknown_command_is_usage_error(cli):
    assert cli("frobnicate").code == 2


def run_process(*argv: str, cwd=None, env=None):
    return subprocess.run(argv, capture_output=True, text=True, cwd=cwd, env=env, timeout=60)


def test_console_script_and_module_list_the_shipped_workspace():
    by_module = run_process(sys.executable, "-m", "diasporatrack", "--root", str(SHIPPED), "list", "--format", "json")
    assert by_module.returncode == 0, by_module.stderr
    ids = [r["id"] for r in json.loads(by_module.stdout)]
    assert "opp-2024-expert-groups" in ids and "wilson-diaspora-forum" in ids
    script = run_process(str(Path(sys.executable).parent / "diasporatrack"), "list", cwd=SHIPPED.parent)
    assert script.returncode == 0 and "opp-2024-expert-groups" in script.stdout


def test_traceback_only_with_debug(ws):
    plain = run_process(sys.executable, "-m", "diasporatrack", "--root", str(ws), "show", "nope")
    assert plain.returncode == 2 and "Traceback" not in plain.stderr
    debug = run_process(sys.executable, "-m", "diasporatrack", "--debug", "--root", str(ws), "show", "nope")
    assert debug.returncode != 0 and "Traceback" in debug.stderr and "NotFound" in debug.stderr


def test_respond_is_a_dimension_of_its_own(ws, cli):
    result = cli("--root", "ws", "respond", "rep-forum", "noted", "--note", "UPR session 40", "--by", "Amina")
    assert (result.code, result.out) == (0, "rep-forum: response noted; note: UPR session 40\n")
    again = cli("--root", "ws", "respond", "rep-forum", "supported")
    assert again.out == "rep-forum: response noted -> supported\n"
    assert cli("--root", "ws", "respond", "rep-forum", "supported").err == (
        "diasporatrack: error: the response to rep-forum already is 'supported'\n")
    bad = cli("--root", "ws", "respond", "rep-forum", "suported")
    assert bad.code == 2 and "unknown response 'suported' (did you mean 'supported'?)" in bad.err
    ids = [r["id"] for r in json.loads(cli("--root", "ws", "list", "--response", "supported", "--format", "json").out)]
    assert ids == ["rep-forum"]
    assert "response:     supported: The addressee accepted" in cli("--root", "ws", "show", "rep-forum").out
    assert json.loads(cli("--root", "ws", "stats", "--format", "json").out)["by_response"]["supported"] == 1
    statuses = json.loads(cli("--root", "ws", "statuses", "--format", "json").out)
    assert [r["name"] for r in statuses["responses"]] == ["supported", "supported-in-part", "noted", "no-response"]
    from diasporatrack import Tracker

    tracker = Tracker.open(ws)
    assert tracker.get("rep-forum").status == "proposed"  # the status is untouched
    assert tracker.as_of("2000-01-01").get("rep-forum").response is None
    assert [e.response for e in tracker.history("rep-forum")] == ["noted", "supported"]


def test_score_limit_and_owner_already_there(ws, cli):
    assert "--limit must be 1 or more" in cli("--root", "ws", "score", "--limit", "0").err
    result = cli("--root", "ws", "update", "rep-education", "--add-owner", "edu")
    assert result.code == 2 and result.err == "diasporatrack: error: nothing to update for rep-education: edu already owns it\n"
