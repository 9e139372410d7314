"""The cache is never a source of truth: it follows every change of the files, and a bad one is ignored.

The per-file changes (edit, add, remove, rename, same-size edits) are in tests/test_cache_files.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from conftest import SOURCE_YAML, write
from diasporatrack import Tracker
from diasporatrack.cache import CachedState, cache_path


def cached(tracker: Tracker) -> bool:
    return isinstance(tracker._state, CachedState)


def state(tracker: Tracker) -> dict:
    return {r.id: (r.status, r.owners, r.due, len(r.history)) for r in tracker}


def bump(path) -> None:
    """Change a file's modification time the way an editor's save does."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_second_open_uses_the_cache_and_agrees(ws):
    first = Tracker.open(ws)
    assert not cached(first)
    first.update("rep-forum", status="accepted", add_owners=["health"])
    second = Tracker.open(ws)
    assert cached(second)
    assert state(second) == state(Tracker.open(ws, cache=False))
    assert second.get("rep-forum").history[0].status == "accepted"


def test_journal_growth_is_folded_incrementally(ws):
    Tracker.open(ws)
    other = Tracker.open(ws, cache=False)  # another process, ignoring the cache
    other.update("rep-health", status="accepted", note="elsewhere")
    reopened = Tracker.open(ws)
    assert cached(reopened)
    assert reopened.get("rep-health").status == "accepted"
    assert state(reopened) == state(Tracker.open(ws, cache=False))


def test_rewritten_journal_invalidates(ws):
    tracker = Tracker.open(ws)
    tracker.update("rep-health", status="accepted")
    tracker.update("rep-health", status="in-progress")
    lines = (ws / "journal.jsonl").read_text().splitlines()
    (ws / "journal.jsonl").unlink()
    (ws / "journal.jsonl").write_text(lines[0] + "\n")  # as a git checkout of an older journal would
    reopened = Tracker.open(ws)
    assert reopened.get("rep-health").status == "accepted"


def test_merged_event_that_sorts_earlier_refolds_everything(ws):
    tracker = Tracker.open(ws)
    tracker.update("rep-health", status="accepted")
    tracker.update("rep-health", status="in-progress")
    first, second = (ws / "journal.jsonl").read_text().splitlines()
    # A clone's event, made between the two, arrives by a union merge at the end.
    early = json.loads(first)
    early.update(id="zz-merged", at=early["at"].replace("Z", "1Z") if "." not in early["at"] else early["at"],
                 status=None, previous_status=None, note="from the other clone")
    with open(ws / "journal.jsonl", "a") as fh:
        fh.write(json.dumps(early) + "\n")
    reopened = Tracker.open(ws)
    history = [e.note or e.status for e in reopened.get("rep-health").history]
    assert history == ["accepted", "from the other clone", "in-progress"]
    assert state(reopened) == state(Tracker.open(ws, cache=False))


def test_corrupt_cache_is_ignored_and_rebuilt(ws):
    Tracker.open(ws).update("rep-forum", note="x")
    Tracker.open(ws)
    path = cache_path(ws)
    path.write_bytes(b"this is not a database" * 100)
    reopened = Tracker.open(ws)
    assert not cached(reopened)
    assert reopened.get("rep-forum").history[0].note == "x"
    assert cached(Tracker.open(ws))


def test_deleting_the_cache_loses_nothing(ws):
    tracker = Tracker.open(ws)
    tracker.update("rep-forum", status="accepted")
    Tracker.open(ws).update("rep-forum", status="in-progress")
    before = state(Tracker.open(ws))
    cache_path(ws).unlink()
    assert state(Tracker.open(ws)) == before


def test_cache_lives_outside_the_workspace(ws, tmp_path):
    Tracker.open(ws)
    assert cache_path(ws).exists()
    assert not any(p.suffix == ".sqlite3" for p in ws.rglob("*"))


def test_a_stale_in_memory_tracker_updates_correctly(ws):
    # Two trackers opened from the same cache; both update the same recommendation.
    Tracker.open(ws)
    a = Tracker.open(ws)
    b = Tracker.open(ws)
    a.get("rep-health")
    b.get("rep-health")
    a.update("rep-health", status="accepted")
    b.update("rep-health", status="in-progress")  # sees a's change under the lock
    final = Tracker.open(ws).get("rep-health")
    assert [e.status for e in final.history] == ["accepted", "in-progress"]
    assert state(Tracker.open(ws)) == state(Tracker.open(ws, cache=False))


def test_filters_through_the_cache_match_the_files(ws):
    tracker = Tracker.open(ws)
    tracker.update("rep-forum", add_owners=["edu"], status="accepted")
    warm = Tracker.open(ws)
    cold = Tracker.open(ws, cache=False)
    for filters in [dict(status="accepted"), dict(owner="org"), dict(theme="HEALTHCARE"), dict(addressed_to="un"),
                    dict(unowned=True), dict(source="report-2025", status=["proposed", "accepted"]),
                    dict(owner="edu", addressed_to="eu")]:
        assert sorted(r.id for r in warm.query(**filters)) == sorted(r.id for r in cold.query(**filters)), filters


def test_concurrent_processes_never_get_a_wrong_answer(ws, tmp_path):
    # Writers and cache-using readers at once; every reader's view is one that existed.
    script = (
        "import sys; from diasporatrack import Tracker\n"
        "t = Tracker.open(sys.argv[1])\n"
        "for i in range(8):\n"
        "    t = Tracker.open(sys.argv[1]); t.update('rep-forum', note=f'{sys.argv[2]}-{i}')\n"
    )
    env = dict(os.environ)
    procs = [subprocess.Popen([sys.executable, "-c", script, str(ws), f"w{n}"], env=env) for n in range(4)]
    deadline = time.time() + 60
    while any(p.poll() is None for p in procs) and time.time() < deadline:
        notes = [e.note for e in Tracker.open(ws).get("rep-forum").history]
        assert len(notes) == len(set(notes))  # never an event folded twice
    assert all(p.wait(timeout=60) == 0 for p in procs)
    final = Tracker.open(ws).get("rep-forum")
    assert len(final.history) == 32 == len({e.id for e in final.history})
    assert state(Tracker.open(ws)) == state(Tracker.open(ws, cache=False))


def test_ready_made_json_rows_equal_freshly_built_ones(ws, cli):
    from diasporatrack.serialize import recommendation_to_dict

    Tracker.open(ws).update("rep-forum", status="accepted", add_owners=["edu"], due="2026-01-01")
    for _ in range(2):  # cold, then warm from the cache
        listed = json.loads(cli("--root", "ws", "list", "--format", "json").out)
        fresh = sorted((recommendation_to_dict(r) for r in Tracker.open(ws, cache=False)), key=lambda d: d["id"])
        assert listed == json.loads(json.dumps(fresh))
    filtered = json.loads(cli("--root", "ws", "list", "--format", "json", "--owner", "edu").out)
    assert [r["id"] for r in filtered] == ["rep-education", "rep-forum"]


def test_command_line_writes_the_cache_after_answering(ws):
    result = subprocess.run([sys.executable, "-m", "diasporatrack", "--root", str(ws), "list", "--format", "json"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and json.loads(result.stdout)[0]["id"] == "rep-education"
    deadline = time.time() + 30
    while not cache_path(ws).exists() and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    assert cached(Tracker.open(ws))


def test_json_rows_stream_in_id_order_with_this_process_changes(ws):
    from diasporatrack.cache import row_json

    Tracker.open(ws)
    tracker = Tracker.open(ws)
    assert cached(tracker)
    tracker.update("rep-forum", status="accepted")  # changed here: its saved row may lag, so it is made again
    ids = sorted(r.id for r in tracker)
    rows = list(tracker.rows_json(ids))
    assert [json.loads(r)["id"] for r in rows] == ids
    assert rows == [row_json(tracker.get(i)) for i in ids]
    assert json.loads(rows[ids.index("rep-forum")])["status"] == "accepted"
    assert list(tracker.rows_json(["rep-forum", "rep-education"])) == [row_json(tracker.get("rep-forum")),
                                                                      row_json(tracker.get("rep-education"))]
