"""Concurrent writers and crashes, with real processes: no acknowledged event is ever lost."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from diasporatrack import Tracker

WRITER = """
import sys
from diasporatrack import Tracker
root, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(count):
    t = Tracker.open(root)
    rec = t.update("rep-forum", note=f"{name}-{i}")
    # Acknowledged: update returned, so the event is on disk.
    print(rec.history[-1].id, flush=True)
"""


def run_writers(ws, writers: int, count: int) -> list[str]:
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(ws), f"w{n}", str(count)],
                              stdout=subprocess.PIPE, text=True) for n in range(writers)]
    acknowledged = []
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        acknowledged += out.split()
    return acknowledged


def test_many_writers_at_once_lose_nothing_and_leave_whole_lines(ws):
    acknowledged = run_writers(ws, writers=6, count=12)
    lines = (ws / "journal.jsonl").read_bytes().split(b"\n")
    assert lines[-1] == b""  # ends with a newline
    events = [json.loads(line) for line in lines[:-1]]  # every line is whole JSON
    assert len(events) == 72 == len({e["id"] for e in events})
    assert set(acknowledged) == {e["id"] for e in events}
    warm, cold = Tracker.open(ws), Tracker.open(ws, cache=False)
    assert len(warm.get("rep-forum").history) == 72
    assert [e.id for e in warm.get("rep-forum").history] == [e.id for e in cold.get("rep-forum").history]


@pytest.mark.parametrize("seed", range(6))
def test_a_writer_killed_at_any_moment_loses_no_acknowledged_event(ws, seed):
    rnd = random.Random(seed)
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(ws), "victim", "1000"],
                            stdout=subprocess.PIPE, text=True)
    time.sleep(0.3 + rnd.random() * 1.2)  # start-up, then somewhere in the middle of the updates
    os.kill(proc.pid, signal.SIGKILL)
    out, _ = proc.communicate(timeout=30)
    acknowledged = out.split()
    tracker = Tracker.open(ws)  # the workspace opens
    stored = {e.id for e in tracker.get("rep-forum").history}
    assert set(acknowledged) <= stored
    # The next writer is not glued to a torn line, and both clones of the state agree.
    tracker.update("rep-forum", note="after the crash")
    for line in (ws / "journal.jsonl").read_text().splitlines():
        json.loads(line)
    assert [e.id for e in Tracker.open(ws).get("rep-forum").history] == \
        [e.id for e in Tracker.open(ws, cache=False).get("rep-forum").history]


def test_a_torn_write_is_set_aside_not_lost(ws):
    Tracker.open(ws).update("rep-forum", note="kept")
    with open(ws / "journal.jsonl", "ab") as fh:
        fh.write(b'{"id": "torn", "at": "2025-')
    Tracker.open(ws).update("rep-forum", note="next")
    notes = [e.note for e in Tracker.open(ws).get("rep-forum").history]
    assert notes == ["kept", "next"]
    assert (ws / "journal.jsonl.torn").read_bytes() == b'{"id": "torn", "at": "2025-\n'


def test_export_replaces_its_file_atomically(ws, tmp_path):
    # A reader polling the file while exports run never sees a partial file.
    target = tmp_path / "out.json"
    Tracker.open(ws)
    script = (f"from diasporatrack.cli import main\n"
              f"for _ in range(15): main(['--root', {str(ws)!r}, 'export', 'json', '-o', {str(target)!r}])\n")
    proc = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.DEVNULL)
    seen = 0
    while proc.poll() is None:
        if target.exists():
            json.loads(target.read_text())
            seen += 1
    assert proc.wait() == 0 and seen > 0
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


ADDER = """
import sys
from diasporatrack import Tracker
root, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(count):
    rec = Tracker.open(root).add_recommendation("report", {"title": f"{name}-{i}", "text": "x"})
    print(rec.id, flush=True)
"""


def test_many_processes_adding_to_one_file_get_distinct_ids_and_lose_nothing(ws):
    procs = [subprocess.Popen([sys.executable, "-c", ADDER, str(ws), f"w{n}", "4"], stdout=subprocess.PIPE,
                              text=True) for n in range(4)]
    ids = []
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        ids += out.split()
    assert sorted(ids) == [f"report-2025-{n:03d}" for n in range(1, 17)]
    tracker = Tracker.open(ws, cache=False)
    assert not tracker.problems and {r.title for r in tracker if r.id in ids} == {
        f"w{n}-{i}" for n in range(4) for i in range(4)}
    assert len((ws / "journal.jsonl").read_text().splitlines()) == 16
