"""Writing files: special targets refused, OS failures as one line, the journal all or nothing."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import socket

import pytest

from diasporatrack import Tracker
from diasporatrack.errors import JournalError, WriteError
from diasporatrack.files import StagedFile, atomic_write


def digests(*folders):
    """The sha256 of every file (links and special files by what they are) under the folders."""
    out = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_symlink():
                out[str(path)] = "link->" + os.readlink(path)
            elif path.is_file():
                out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                out[str(path)] = "special" if not path.is_dir() else "dir"
    return out


def test_export_refuses_special_targets_with_one_line(ws, tmp_path, cli):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n")
    (tmp_path / "link.json").symlink_to(outside)
    os.mkfifo(tmp_path / "fifo.json")
    (tmp_path / "folder").mkdir()
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "sock"))
    try:
        cases = {
            "link.json": "it is a symbolic link; only a regular file is replaced",
            "fifo.json": "it is a named pipe (FIFO); only a regular file is replaced",
            "folder": "it is a directory; only a regular file is replaced",
            "sock": "it is a socket; only a regular file is replaced",
            "missing/out.json": f"the folder {tmp_path / 'missing'} does not exist",
            "x" * 300 + ".json": "File name too long",
        }
        before = digests(tmp_path)
        for name, message in cases.items():
            result = cli("--root", str(ws), "export", "json", "-o", str(tmp_path / name))
            assert result.code == 2, name
            assert result.err == f"diasporatrack: error: cannot write {tmp_path / name}: {message}\n"
            assert result.out == ""
        if os.path.exists("/dev/full"):
            result = cli("--root", str(ws), "export", "json", "-o", "/dev/full")
            assert result.code == 2 and "it is a character device" in result.err
        assert digests(tmp_path) == before
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    finally:
        sock.close()


def test_export_dash_writes_standard_output(ws, cli):
    result = cli("--root", str(ws), "export", "json", "-o", "-")
    assert result.code == 0 and json.loads(result.out)["recommendations"]
    assert not (ws.parent / "-").exists()


def full_disk(monkeypatch, call, after=0):
    """Make ``os.<call>`` fail with ENOSPC (after writing ``after`` bytes, for os.write)."""
    real = getattr(os, call)

    def failing(fd, *rest):
        if call == "write" and after:
            real(fd, bytes(rest[0])[:after])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, call, failing)


@pytest.mark.parametrize("call", ["write", "fsync"])
def test_export_on_a_full_disk_is_one_line_and_keeps_the_old_file(ws, tmp_path, cli, monkeypatch, call):
    target = tmp_path / "out.json"
    target.write_text("old\n")
    before = digests(tmp_path)
    full_disk(monkeypatch, call)
    result = cli("--root", str(ws), "export", "json", "-o", str(target))
    monkeypatch.undo()
    assert result.code == 2
    assert result.err == f"diasporatrack: error: cannot write {target}: No space left on device\n"
    assert digests(tmp_path) == before


@pytest.mark.parametrize(("call", "after"), [("write", 0), ("write", 17), ("fsync", 0)])
def test_an_update_is_acknowledged_if_and_only_if_it_is_in_the_journal(ws, cli, monkeypatch, call, after):
    cli("--root", str(ws), "update", "rep-forum", "--note", "first")
    journal = ws / "journal.jsonl"
    before = journal.read_bytes()
    full_disk(monkeypatch, call, after)
    result = cli("--root", str(ws), "update", "rep-forum", "--status", "accepted")
    monkeypatch.undo()
    assert result.code == 2 and result.out == ""
    assert result.err == ("diasporatrack: error: cannot write ws/journal.jsonl: No space left on device; "
                          "nothing was recorded\n")
    assert journal.read_bytes() == before  # the partial line did not stay
    assert Tracker.open(ws).get("rep-forum").status == "proposed"
    retry = cli("--root", str(ws), "update", "rep-forum", "--status", "accepted")
    assert retry.code == 0, retry.err
    history = Tracker.open(ws, cache=False).get("rep-forum").history
    assert [e.status for e in history] == [None, "accepted"]  # recorded once
    assert len(journal.read_bytes().splitlines()) == 2


def test_a_failed_journal_append_through_the_library_raises_and_stores_nothing(ws, monkeypatch):
    tracker = Tracker.open(ws)
    full_disk(monkeypatch, "write", 5)
    with pytest.raises(JournalError, match="No space left on device"):
        tracker.update("rep-forum", note="lost?")
    monkeypatch.undo()
    assert not (ws / "journal.jsonl").read_bytes()
    assert tracker.get("rep-forum").history == ()
    tracker.update("rep-forum", note="kept")
    assert [e.note for e in Tracker.open(ws, cache=False).get("rep-forum").history] == ["kept"]


def test_atomic_write_keeps_mode_and_never_follows_a_link(tmp_path):
    target = tmp_path / "f.txt"
    target.write_text("old")
    target.chmod(0o640)
    atomic_write(target, "new")
    assert target.read_text() == "new" and (target.stat().st_mode & 0o777) == 0o640
    (tmp_path / "l").symlink_to(target)
    with pytest.raises(WriteError, match="symbolic link"):
        atomic_write(tmp_path / "l", "through the link")
    assert target.read_text() == "new"


def test_a_staged_file_rolls_back_to_the_old_bytes_or_to_nothing(tmp_path):
    old = tmp_path / "old.yaml"
    old.write_text("before\n")
    changed, created = StagedFile(old), StagedFile(tmp_path / "new.yaml")
    changed.stage("after\n")
    created.stage("fresh\n")
    changed.commit()
    created.commit(exclusive=True)
    assert old.read_text() == "after\n" and (tmp_path / "new.yaml").read_text() == "fresh\n"
    created.rollback()
    changed.rollback()
    assert old.read_text() == "before\n" and not (tmp_path / "new.yaml").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.yaml"]


def test_an_exclusive_commit_never_replaces_a_file_that_appeared(tmp_path):
    staged = StagedFile(tmp_path / "s.yaml")
    staged.stage("mine\n")
    (tmp_path / "s.yaml").write_text("theirs\n")
    with pytest.raises(WriteError, match="appeared meanwhile"):
        staged.commit(exclusive=True)
    staged.discard()
    assert (tmp_path / "s.yaml").read_text() == "theirs\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]
