"""`list` answered from a fresh cache says exactly what the full command says, and only answers when it can."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diasporatrack import cli as cli_package
from diasporatrack.cli import quick
from diasporatrack.tracker import Tracker

from conftest import answers_of, write

EXTRA = """\
source:
  id: other-2024
  title: Another report
  publisher: Someone
  kind: paper
  date: 2024-03-01
recommendations:
  - id: oth-a
    title: "  A title   with  blanks "
    text: Text.
    addressed_to: [Diaspora]
    owners: [health, org]
    themes: [Health care]
    status: accepted
    due: 2026-01-31
  - id: oth-b
    title: Ünïcode title
    text: Text.
    addressed_to: [EU]
    themes: [dialogue]
    draft: true
"""


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = cli_package.main(list(argv))
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 2
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def warm(ws):
    write(ws / "other.yaml", EXTRA)
    tracker = Tracker.open(ws)
    tracker.update("rep-forum", status="accepted", note="agreed", by="tester")
    Tracker.open(ws)  # the cache now folds the journal to its end
    return ws


def answered(monkeypatch) -> list[bool]:
    """Records whether each run was answered from the cache."""
    return answers_of(monkeypatch, quick, "answer_list")


FILTERS = st.lists(st.sampled_from([
    ["--status", "proposed"], ["--status", "accepted"], ["--status", "nope"], ["--owner", "org"], ["--owner", "ed"],
    ["--owner", "e"], ["--owner", "missing"], ["--source", "rep"], ["--source", "other-2024"], ["--source", "x"],
    ["--theme", "HEALTH-care"], ["--theme", "dialogue"], ["--addressed-to", "diaspora"], ["--addressed-to", "un"],
    ["--response", "supported"], ["--response", "unknown"], ["--unowned"], ["--format", "json"], ["--format=table"],
    ["--format", "csv"], ["--sort", "id"], ["--sort", "due"], ["--status=proposed"], ["--search", "forum"],
]), max_size=4)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(FILTERS, st.booleans())
def test_the_quick_answer_is_the_full_answer(warm, capsys, monkeypatch, filters, root_after):
    argv = ["list", *[part for f in filters for part in f]]
    argv = [*argv, "--root", "ws"] if root_after else ["--root", "ws", *argv]
    quick_result = run(argv, capsys)
    with monkeypatch.context() as m:
        m.setattr(quick, "answer_list", lambda given: None)
        full_result = run(argv, capsys)
    assert quick_result == full_result


def test_a_fresh_cache_answers_list_and_a_stale_one_does_not(warm, cli, monkeypatch):
    calls = answered(monkeypatch)
    table = cli("--root", "ws", "list", "--owner", "org")
    assert calls == [True] and table.code == 0
    assert [line.split()[0] for line in table.out.splitlines()[2:]] == ["oth-a", "rep-education", "rep-health"]
    with monkeypatch.context() as m:
        out = io.StringIO()
        m.setattr(sys, "stdout", out)  # not a terminal: JSON for a program
        assert cli_package.main(["--root", "ws", "list", "--format", "json", "--status", "accepted"]) == 0
    assert [r["id"] for r in json.loads(out.getvalue())] == ["oth-a", "rep-forum"]
    assert calls == [True, True]
    calls.clear()

    Tracker.open(warm).update("rep-health", status="accepted", by="tester")  # the journal grew: folded, saved
    assert "rep-health" in cli("--root", "ws", "list", "--status", "accepted").out
    assert calls == [True]
    journal = warm / "journal.jsonl"
    last = json.loads(journal.read_text(encoding="utf-8").splitlines()[-1])
    later = dt.datetime.fromisoformat(last["at"]) + dt.timedelta(seconds=1)
    last.update(id="e-behind-its-back", at=later.isoformat(), recommendation="rep-forum", status="stalled",
                previous_status="accepted")
    with journal.open("a", encoding="utf-8") as fh:  # appended behind the cache's back
        fh.write(json.dumps(last) + "\n")
    assert "rep-forum" in cli("--root", "ws", "list", "--status", "stalled").out
    assert calls == [True, False]
    # An edited file is read again alone, and the answer comes from the cache brought up to date with it.
    (warm / "other.yaml").write_text((warm / "other.yaml").read_text().replace("Ünïcode title", "Edited title"))
    assert "Edited title" in cli("--root", "ws", "list").out
    assert calls == [True, False, True]
    # Owners changed in value: every file means something else, and only the full command reads them all.
    (warm / "owners.yaml").write_text((warm / "owners.yaml").read_text().replace("The Organisation", "The Org"))
    assert "oth-a" in cli("--root", "ws", "list", "--owner", "org").out
    assert calls == [True, False, True, False]
    calls.clear()
    for argv in (["list", "--search", "forum"], ["list", "--stat", "accepted"], ["list", "--format", "csv"],
                 ["list", "--as-of", "2025-01-01"]):
        assert cli("--root", "ws", *argv).code == 0
    shown = cli("--root", "ws", "list", "--help")
    assert shown.code == 0 and "--addressed-to" in shown.out and "--tree" in shown.out
    assert not any(calls)  # none of those was answered from the cache


def test_the_command_table_names_each_modules_commands():
    from diasporatrack.cli import COMMAND_TABLE, GROUPS

    assert [(g.__name__.rsplit(".", 1)[1], tuple(g.COMMANDS)) for g in GROUPS] == list(COMMAND_TABLE)


def test_a_plain_list_loads_neither_the_model_nor_argparse(warm, tmp_path):
    import subprocess

    code = ("import sys\nfrom diasporatrack.cli import main\nassert main(['--root', sys.argv[1], 'list']) == 0\n"
            "heavy = sorted(m for m in ('attrs', 'argparse', 'yaml', 'pluggy', 'tabulate', 'diasporatrack.model',"
            " 'importlib.metadata') if m in sys.modules)\nprint(heavy, file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code, str(warm)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "[]" and "rep-forum" in done.stdout


def test_files_that_stopped_changing_are_not_hashed_again(warm, cli, monkeypatch):
    import sqlite3
    import time

    from diasporatrack.cache import cache_path, fingerprints

    db = sqlite3.connect(cache_path(warm))
    assert {racy for (racy,) in db.execute("SELECT racy FROM files")} == {1}  # written a moment ago: hashed
    monkeypatch.setattr(fingerprints, "RACY_NS", 50_000_000)
    time.sleep(0.1)
    calls = answered(monkeypatch)
    assert cli("--root", "ws", "list").code == 0
    assert {racy for (racy,) in db.execute("SELECT racy FROM files")} == {0}
    assert json.loads(db.execute("SELECT value FROM meta WHERE key = 'settings'").fetchone()[0])[1] is False

    def no_hashing(*args, **kwargs):
        raise AssertionError("a file was hashed")

    with monkeypatch.context() as m:
        m.setattr(fingerprints, "known_size_hash", no_hashing)
        assert "rep-forum" in cli("--root", "ws", "list").out
    path = warm / "report.yaml"
    st = path.stat()
    path.write_text(path.read_text().replace("Create a forum", "Create a FORUM"))  # same size, time put back
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert "Create a FORUM" in cli("--root", "ws", "list").out
    assert calls == [True, True, True]  # the last brought the cache up to date with the edited file first


def test_a_file_of_known_size_is_hashed_as_the_safe_reader_hashes_it(tmp_path):
    from diasporatrack.cache.fingerprints import file_hash, known_size_hash

    for name, data in (("plain.yaml", b"source: {id: a}\n"), ("bom.yaml", b"\xef\xbb\xbfa: 1\n"), ("empty.yaml", b"")):
        path = tmp_path / name
        path.write_bytes(data)
        assert known_size_hash(str(path), len(data)) == file_hash(path, len(data)) is not None
    plain = str(tmp_path / "plain.yaml")  # grown since its fingerprint was taken: the byte after it tells
    assert known_size_hash(plain, 10) == file_hash(plain, 10) != file_hash(plain, 16)
    (tmp_path / "link.yaml").symlink_to(tmp_path / "plain.yaml")
    assert known_size_hash(str(tmp_path / "link.yaml"), 16) is None  # a link is never followed
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.yaml")
        assert known_size_hash(str(tmp_path / "pipe.yaml"), 0) is None  # never opened for reading: no hang
    assert known_size_hash(str(tmp_path / "gone.yaml"), 3) is None
