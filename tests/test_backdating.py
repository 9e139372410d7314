"""`--at DATE`: recording on a later day what happened on an earlier one."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from diasporatrack import Tracker
from diasporatrack.journal import event_from_dict, event_to_dict
from diasporatrack.model import Event

UTC = dt.timezone.utc


def status_of(cli, rec_id, *extra):
    return json.loads(cli("--root", "ws", "show", rec_id, "--format", "json", *extra).out)["status"]


def test_a_back_dated_change_folds_where_it_happened(ws, cli):
    assert cli("--root", "ws", "update", "rep-health", "--status", "accepted").code == 0
    assert cli("--root", "ws", "update", "rep-health", "--status", "in-progress").code == 0
    result = cli("--root", "ws", "update", "rep-health", "--status", "accepted", "--at", "2025-01-10",
                 "--note", "agreed in January")
    assert result.code == 0 and result.out.startswith("rep-health: on 2025-01-10; status proposed -> accepted")
    assert status_of(cli, "rep-health") == "in-progress"  # what was recorded for today still comes last
    assert status_of(cli, "rep-health", "--as-of", "2025-01-09") == "proposed"
    assert status_of(cli, "rep-health", "--as-of", "2025-01-10") == "accepted"
    history = json.loads(cli("--root", "ws", "history", "rep-health", "--format", "json").out)
    assert [e.get("on") for e in history] == ["2025-01-10", None, None]
    line = json.loads((ws / "journal.jsonl").read_text().splitlines()[-1])
    assert line["v"] == 5 and line["on"] == "2025-01-10" and line["at"].startswith(str(dt.date.today())[:4])
    in_january = json.loads(cli("--root", "ws", "log", "--since", "2025-01-01", "--until", "2025-01-31",
                                "--format", "json").out)
    assert [e["note"] for e in in_january] == ["agreed in January"]
    recorded = json.loads(cli("--root", "ws", "log", "--since", "2025-01-01", "--until", "2025-01-31",
                              "--recorded", "--format", "json").out)
    assert recorded == []  # recorded today, not in January


def test_a_fresh_process_and_the_cache_agree_after_back_dating(ws, cli):
    assert cli("--root", "ws", "update", "rep-forum", "--status", "accepted").code == 0
    assert cli("--root", "ws", "list").code == 0  # a cache is written
    assert cli("--root", "ws", "respond", "rep-forum", "noted", "--at", "2025-05-01").code == 0
    cached = Tracker.open(ws).get("rep-forum")
    fresh = Tracker.load(ws).get("rep-forum")
    assert (cached.status, cached.response) == (fresh.status, fresh.response) == ("accepted", "noted")
    assert [e.id for e in cached.history] == [e.id for e in fresh.history]


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def test_a_day_to_come_is_refused(ws, cli):
    journal = ws / "journal.jsonl"
    tomorrow = (dt.datetime.now(UTC).date() + dt.timedelta(days=1)).isoformat()
    for argv in (["update", "rep-forum", "--note", "x", "--at", tomorrow], ["respond", "rep-forum", "noted", "--at",
                                                                           tomorrow]):
        result = cli("--root", "ws", *argv)
        assert result.code == 2 and "in the future" in result.err and digest(journal) in (None, digest(journal))
    assert not journal.exists() or journal.read_text() == ""
    bad = cli("--root", "ws", "update", "rep-forum", "--note", "x", "--at", "2025-02-30")
    assert bad.code == 2 and "2025-02-30" in bad.err


def test_a_back_dated_change_that_would_forbid_a_later_one_needs_force(ws, cli):
    assert cli("--root", "ws", "update", "rep-forum", "--status", "accepted").code == 0
    before = digest(ws / "journal.jsonl")
    refused = cli("--root", "ws", "update", "rep-forum", "--status", "rejected", "--at", "2025-01-10")
    assert refused.code == 2 and "could not follow 'rejected'" in refused.err and "--force" in refused.err
    assert digest(ws / "journal.jsonl") == before
    forced = cli("--root", "ws", "update", "rep-forum", "--status", "rejected", "--at", "2025-01-10", "--force")
    assert forced.code == 0 and "forced" in forced.err
    line = json.loads((ws / "journal.jsonl").read_text().splitlines()[-1])
    assert line["forced"] is True


def test_today_given_as_at_is_an_ordinary_event(ws, cli):
    today = dt.datetime.now(UTC).date().isoformat()
    assert cli("--root", "ws", "update", "rep-forum", "--note", "x", "--at", today).code == 0
    line = json.loads((ws / "journal.jsonl").read_text())
    assert "on" not in line and "v" not in line


days = st.dates(dt.date(2024, 1, 1), dt.date(2026, 1, 1))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(days, st.one_of(st.none(), days), st.sampled_from(["accepted", "stalled", "in-progress"])),
                min_size=1, max_size=12), st.randoms())
def test_folding_events_with_days_in_any_file_order_gives_one_state(tmp_path_factory, specs, rnd):
    from conftest import OWNERS_YAML, SOURCE_YAML, write

    events = []
    for n, (recorded, on, status) in enumerate(specs):
        at = dt.datetime.combine(recorded, dt.time(12, n % 60), tzinfo=UTC)
        events.append(Event(id=f"e{n:03d}", at=at, by="t", recommendation="rep-forum", status=status, on=on,
                            v=5 if on else 1))
    lines = [json.dumps(event_to_dict(e)) + "\n" for e in events]
    assert [event_from_dict(json.loads(line)) for line in lines] == events  # the line round-trips
    results = set()
    for _ in range(3):
        root = tmp_path_factory.mktemp("ws")
        write(root / "owners.yaml", OWNERS_YAML)
        write(root / "report.yaml", SOURCE_YAML)
        shuffled = lines[:]
        rnd.shuffle(shuffled)
        (root / "journal.jsonl").write_text("".join(shuffled))
        rec = Tracker.load(root).get("rep-forum")
        results.add((rec.status, tuple(e.id for e in rec.history)))
    assert len(results) == 1
    expected = sorted(events, key=lambda e: (e.happened, e.id))
    assert next(iter(results))[1] == tuple(e.id for e in expected)


def test_edits_take_at_too(ws, cli):
    assert cli("--root", "ws", "set", "rep-forum", "--title", "Create a diaspora forum", "--at", "2025-03-01").code == 0
    line = json.loads((ws / "journal.jsonl").read_text())
    assert (line["kind"], line["on"], line["v"]) == ("edit", "2025-03-01", 5)
    before = json.loads(cli("--root", "ws", "show", "rep-forum", "--as-of", "2025-02-28", "--format", "json").out)
    after = json.loads(cli("--root", "ws", "show", "rep-forum", "--as-of", "2025-03-01", "--format", "json").out)
    assert (before["title"], after["title"]) == ("Create a forum", "Create a diaspora forum")
    added = cli("--root", "ws", "add", "report", "--title", "T", "--text", "T", "--at", "2025-04-01")
    assert added.code == 0
    in_april = json.loads(cli("--root", "ws", "log", "--since", "2025-04-01", "--until", "2025-04-30",
                              "--format", "json").out)
    assert [e["recommendation"] for e in in_april] == ["report-2025-001"]
    tomorrow = (dt.datetime.now(UTC).date() + dt.timedelta(days=1)).isoformat()
    assert cli("--root", "ws", "set", "rep-forum", "--title", "x", "--at", tomorrow).code == 2
