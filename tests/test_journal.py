"""The journal: durable appends, folding in (at, id) order, torn and corrupt lines."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diasporatrack import Event, Tracker, WorkspaceError
from diasporatrack.journal import Journal, event_from_dict, event_to_dict, event_to_line

UTC = dt.timezone.utc


def test_update_appends_one_whole_line_and_history_says_who_and_why(ws):
    tracker = Tracker.open(ws)
    tracker.update("rep-h", status="accepted", note="agreed", by="Amina")
    lines = (ws / "journal.jsonl").read_text().splitlines()
    assert len(lines) == 1
    raw = json.loads(lines[0])
    assert raw["recommendation"] == "rep-health"
    assert (raw["status"], raw["previous_status"], raw["by"], raw["note"]) == ("accepted", "proposed", "Amina", "agreed")
    (event,) = Tracker.open(ws).history("rep-health")
    assert event.by == "Amina" and event.note == "agreed" and event.at.tzinfo is not None


def test_state_is_yaml_plus_journal(ws):
    tracker = Tracker.open(ws)
    tracker.update("rep-forum", add_owners=["health"], due="2026-01-31")
    tracker.update("rep-forum", status="in-progress", remove_owners=["health"], add_owners=["edu"])
    rec = Tracker.open(ws).get("rep-forum")
    assert rec.owners == ("edu",)
    assert rec.status == "in-progress"
    assert rec.due == dt.date(2026, 1, 31)
    assert len(rec.history) == 2
    # update never rewrites the authored YAML (only add/set/edit/remove/move do, and only the changed lines).
    assert "in-progress" not in (ws / "report.yaml").read_text()


def test_torn_last_line_is_ignored_and_not_glued_to(ws):
    tracker = Tracker.open(ws)
    tracker.update("rep-health", status="accepted")
    path = ws / "journal.jsonl"
    with open(path, "ab") as fh:
        fh.write(b'{"id": "half-writ')  # a crash in the middle of a write
    reopened = Tracker.open(ws)
    assert reopened.get("rep-health").status == "accepted"  # acknowledged event survives
    assert any("incomplete last line" in w.message for w in reopened.warnings)
    reopened.update("rep-health", status="in-progress")
    lines = path.read_text().splitlines()
    assert len(lines) == 2 and all(json.loads(line) for line in lines)
    assert (ws / "journal.jsonl.torn").read_text() == '{"id": "half-writ\n'
    assert Tracker.open(ws).get("rep-health").status == "in-progress"


def test_whole_last_event_without_newline_is_kept(ws):
    tracker = Tracker.open(ws)
    tracker.update("rep-health", status="accepted")
    path = ws / "journal.jsonl"
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    tracker = Tracker.open(ws)
    assert tracker.get("rep-health").status == "accepted"
    tracker.update("rep-health", status="in-progress")
    assert len(path.read_text().splitlines()) == 2


def test_corrupt_middle_line_is_an_error_naming_the_line(ws):
    tracker = Tracker.open(ws)
    tracker.update("rep-health", status="accepted")
    tracker.update("rep-health", status="in-progress")
    path = ws / "journal.jsonl"
    first, second = path.read_text().splitlines()
    path.write_text(first + "\n{not json\n" + second + "\n")
    with pytest.raises(WorkspaceError) as info:
        Tracker.open(ws)
    (problem,) = info.value.problems
    assert problem.line == 2 and "corrupt journal line" in problem.message


def test_as_of_shows_a_past_day(ws):
    path = ws / "journal.jsonl"
    def event(day: int, status: str, prev: str) -> Event:
        return Event(id=f"e{day}", at=dt.datetime(2025, 3, day, 12, tzinfo=UTC), by="x",
                     recommendation="rep-health", status=status, previous_status=prev)
    path.write_bytes(b"".join(event_to_line(e) for e in
                              [event(1, "accepted", "proposed"), event(10, "in-progress", "accepted")]))
    tracker = Tracker.open(ws)
    assert tracker.as_of("2025-02-28").get("rep-health").status == "proposed"
    assert tracker.as_of("2025-03-01").get("rep-health").status == "accepted"
    assert tracker.as_of(dt.date(2025, 3, 9)).get("rep-health").status == "accepted"
    assert tracker.as_of("2025-03-10").get("rep-health").status == "in-progress"
    assert tracker.get("rep-health").status == "in-progress"


events = st.builds(
    lambda i, minute, status, owner: Event(
        id=f"{i:04d}", at=dt.datetime(2025, 1, 1, tzinfo=UTC) + dt.timedelta(minutes=minute), by="p",
        recommendation="rep-forum", status=status, owners_added=(owner,) if owner else (),
    ),
    st.integers(0, 9999), st.integers(0, 50), st.sampled_from([None, "accepted", "in-progress", "stalled"]),
    st.sampled_from([None, "org", "edu", "health"]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(events, min_size=1, max_size=12, unique_by=lambda e: e.id), st.randoms())
def test_fold_is_independent_of_file_order(tmp_path_factory, ws_events, rnd):
    # Two clones that merged the same events in different orders agree.
    from conftest import OWNERS_YAML, SOURCE_YAML, write

    states = []
    for attempt in range(2):
        root = tmp_path_factory.mktemp("clone")
        write(root / "owners.yaml", OWNERS_YAML)
        write(root / "report.yaml", SOURCE_YAML)
        shuffled = list(ws_events)
        rnd.shuffle(shuffled)
        (root / "journal.jsonl").write_bytes(b"".join(event_to_line(e) for e in shuffled))
        rec = Tracker.open(root).get("rep-forum")
        states.append((rec.status, rec.owners, [e.id for e in rec.history]))
    assert states[0] == states[1]
    expected = sorted(ws_events, key=lambda e: (e.at, e.id))
    assert states[0][2] == [e.id for e in expected]


@given(events)
def test_event_json_round_trip(event):
    assert event_from_dict(json.loads(event_to_line(event))) == event
    assert event_from_dict(event_to_dict(event)) == event


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "x", "by": "a", "recommendation": "r"}', "event lacks at"),
        ('{"id": "x", "at": "yesterday", "by": "a", "recommendation": "r"}', "bad date or time"),
        ('{"id": "x", "at": "2025-01-01T00:00:00Z", "by": "a", "recommendation": "r", "colour": 1}',
         "unknown event field 'colour'"),
        ('[1, 2]', "an event must be a JSON object"),
    ],
)
def test_bad_event_lines(ws, line, message):
    (ws / "journal.jsonl").write_text(line + "\n" + line + "\n")
    with pytest.raises(WorkspaceError) as info:
        Tracker.open(ws)
    assert message in info.value.problems[0].message
    assert info.value.problems[0].line == 1


def test_events_appended_by_another_process_are_seen_before_deciding(ws):
    first = Tracker.open(ws)
    second = Tracker.open(ws)
    first.update("rep-health", status="accepted")
    # `second` was opened before; under the lock it catches up, so the
    # transition is checked against the real current status.
    second.update("rep-health", status="in-progress")
    statuses = [e.status for e in Tracker.open(ws).history("rep-health")]
    assert statuses == ["accepted", "in-progress"]


def test_event_for_an_unknown_recommendation_is_a_warning(ws):
    (ws / "journal.jsonl").write_bytes(event_to_line(Event(
        id="1", at=dt.datetime(2025, 1, 1, tzinfo=UTC), by="a", recommendation="gone", note="x")))
    tracker = Tracker.load(ws)
    assert [w.message for w in tracker.warnings] == ["journal event 1 is for unknown recommendation 'gone'"]


def test_journal_read_from_offset(ws):
    tracker = Tracker.open(ws)
    tracker.update("rep-health", note="one")
    journal = Journal(ws / "journal.jsonl")
    events, offset, _ = journal.read()
    tracker.update("rep-health", note="two")
    more, end, _ = journal.read(offset)
    assert [e.note for e in events] == ["one"] and [e.note for e in more] == ["two"]
    assert end == (ws / "journal.jsonl").stat().st_size


def test_corrupt_journal_is_listed_by_validate(ws, cli):
    (ws / "journal.jsonl").write_text('{"id": "x"\n{"id": "y"}\n')
    result = cli("--root", "ws", "validate")
    assert result.code == 1
    assert result.out == "ws/journal.jsonl:1: corrupt journal line: Expecting ',' delimiter: line 1 column 11 (char 10)\n"


def test_list_fields_of_events_are_typed(ws):
    (ws / "journal.jsonl").write_text(
        '{"id": "1", "at": "2025-01-01T00:00:00Z", "by": "a", "recommendation": "rep-forum", "owners_added": "abc"}\n')
    with pytest.raises(WorkspaceError, match="owners_added must be a list of owner ids"):
        Tracker.open(ws)


def test_status_dropped_from_the_lifecycle_is_a_warning_not_a_crash(ws, cli):
    Tracker.open(ws).update("rep-forum", status="accepted")
    from conftest import write

    write(ws / "diasporatrack.yaml", "statuses:\n  - name: proposed\n    definition: P.\n    weight: 0\n")
    result = cli("--root", "ws", "validate")
    assert result.code == 0
    assert "which is not a status of the lifecycle" in result.out
    assert "accepted: (not in the lifecycle)" in cli("--root", "ws", "show", "rep-forum").out


def test_a_corrupt_line_found_while_catching_up_names_its_absolute_line(ws):
    tracker = Tracker.open(ws)
    tracker.update("rep-health", note="one")
    tracker.update("rep-health", note="two")
    with open(ws / "journal.jsonl", "a") as fh:
        fh.write("{broken\n")
        fh.write(json.dumps({"id": "z", "at": "2099-01-01T00:00:00Z", "by": "a", "recommendation": "rep-health"})
                 + "\n")
    with pytest.raises(WorkspaceError) as info:
        tracker.update("rep-health", note="three")  # reads only what was appended since
    assert info.value.problems[0].line == 3
