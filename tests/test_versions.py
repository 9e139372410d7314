"""The version of a recommendation, and the check that refuses a change drawn from an older one."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diasporatrack import Tracker
from diasporatrack.errors import StaleVersion
from diasporatrack.versions import version_of


def test_a_change_drawn_from_an_older_version_is_refused_with_the_current_state(ws):
    tracker = Tracker.open(ws)
    version = version_of(tracker.get("rep-forum"))
    assert version == version_of(Tracker.open(ws, cache=False).get("rep-forum"))  # the same in every process
    Tracker.open(ws).update("rep-forum", note="someone else's note", by="other")
    with pytest.raises(StaleVersion) as refused:
        tracker.update("rep-forum", status="accepted", expect_version=version, by="me")
    assert refused.value.current.history[-1].note == "someone else's note"
    assert refused.value.version == version_of(refused.value.current) != version
    with pytest.raises(StaleVersion):
        tracker.respond("rep-forum", "supported", expect_version=version, by="me")
    after = tracker.update("rep-forum", status="accepted", expect_version=refused.value.version, by="me")
    assert after.status == "accepted" and len(after.history) == 2


def test_cli_update_takes_the_version_show_prints(ws, cli, monkeypatch):
    monkeypatch.setenv("DIASPORATRACK_ROOT", str(ws))
    shown = json.loads(cli("show", "rep-forum", "--format", "json").out)["version"]
    assert f"version:      {shown}" in cli("show", "rep-forum").out
    assert cli("update", "rep-forum", "--note", "first", "--expect-version", shown).code == 0
    late = cli("update", "rep-forum", "--status", "accepted", "--expect-version", shown)
    assert late.code == 2 and "changed since version" in late.err
    late = cli("respond", "rep-forum", "supported", "--expect-version", shown)
    assert late.code == 2 and "changed since version" in late.err


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=1, max_size=200).filter(str.strip), st.text(min_size=1, max_size=200).filter(str.strip))
def test_a_version_names_exactly_one_state(ws, first, second):
    import attrs

    rec = Tracker.open(ws, cache=False).get("rep-forum")
    one, other = attrs.evolve(rec, title=first), attrs.evolve(rec, title=second)
    assert version_of(one) == version_of(attrs.evolve(one))
    assert (version_of(one) == version_of(other)) == (first == second)


def test_set_checks_the_version_too(ws, cli, monkeypatch):
    monkeypatch.setenv("DIASPORATRACK_ROOT", str(ws))
    tracker = Tracker.open(ws)
    version = version_of(tracker.get("rep-forum"))
    tracker.update("rep-forum", note="in between", by="other")
    with pytest.raises(StaleVersion):
        tracker.set_fields("rep-forum", title="A new title", expect_version=version)
    assert "rep-forum" in (ws / "report.yaml").read_text() and "A new title" not in (ws / "report.yaml").read_text()
    late = cli("set", "rep-forum", "--title", "A new title", "--expect-version", version)
    assert late.code == 2 and "changed since version" in late.err
    current = json.loads(cli("show", "rep-forum", "--format", "json").out)["version"]
    assert cli("set", "rep-forum", "--title", "A new title", "--expect-version", current).code == 0
    assert "A new title" in (ws / "report.yaml").read_text()
