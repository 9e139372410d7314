"""The cache follows every kind of change to the files, re-reading only what changed, and never answers wrong.

Each test compares the cached tracker with a fresh read that ignores the
cache. The hypothesis state machine does the same after random sequences
of changes, including ones that make the workspace invalid and back.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from conftest import OWNERS_YAML, write
from diasporatrack import Tracker, WorkspaceError
from diasporatrack import cache as cache_module
from diasporatrack.cache import CachedState, fingerprints
from diasporatrack.cli import quick
from diasporatrack.serialize import recommendation_to_dict

CLOCK_TICK_S = 0.05  # more than the file system's timestamp granularity (a jiffy)


def source_yaml(source: str, recs: dict[str, str], owner: str = "org", parents: dict[str, str] | None = None) -> str:
    lines = [f"source:\n  id: {source}\n  title: Source {source}\nrecommendations:\n"]
    for rec_id, title in recs.items():
        lines.append(f"  - id: {rec_id}\n    title: {title}\n    text: Text of {rec_id}.\n    owners: [{owner}]\n")
        if parents and rec_id in parents:
            lines.append(f"    parent: {parents[rec_id]}\n")
    return "".join(lines)


@pytest.fixture
def many(ws: Path) -> Path:
    """The small workspace plus three more source files, one in a sub-folder."""
    for n in range(3):
        folder = ws / "sub" if n == 2 else ws
        write(folder / f"s{n}.yaml", source_yaml(f"s{n}", {f"s{n}-a": "Alpha", f"s{n}-b": "Beta"}))
    return ws


def snapshot(tracker: Tracker) -> tuple:
    """Everything a command can see: each recommendation (in order, with its history), the sources, the owners."""
    recs = [(recommendation_to_dict(r), [e.id for e in r.history]) for r in tracker]
    sources = [(s.id, attrs.asdict(s)) for s in tracker.sources.values()]
    owners = sorted((o.id, attrs.asdict(o)) for o in tracker.owners.values())
    return recs, sources, owners, tracker.config


def fresh(ws: Path) -> tuple:
    return snapshot(Tracker.open(ws, cache=False))


def cached(tracker: Tracker) -> bool:
    return isinstance(tracker._state, CachedState)


def quick_json(root: Path) -> list | None:
    """What ``list --format json`` prints when the command line answers from the cache (bringing it up to date
    with edited files first), or None when it leaves the answer to the full command."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = quick.answer_list(quick.parse_list(["--root", str(root), "list", "--format", "json"]))
    assert code in (None, 0)
    return None if code is None else json.loads(out.getvalue())


def fresh_json(root: Path) -> list:
    """``list --format json`` of a fresh read that ignores the cache."""
    tracker = Tracker.open(root, cache=False)
    return json.loads(json.dumps([recommendation_to_dict(r) for r in sorted(tracker, key=lambda r: r.id)]))


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the source files parsed from now on (one entry per parse)."""
    from diasporatrack import yamlio

    seen: list[str] = []
    real = yamlio.load_yaml

    def spy(path, *args, **kwargs):
        seen.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(yamlio, "load_yaml", spy)
    return seen


def settle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files just written are racy (hashed on every open); make them count as old, as they are a while later."""
    monkeypatch.setattr(fingerprints, "RACY_NS", 0)


def same_size_edit(path: Path, old: str, new: str) -> None:
    """Change the content, keep the size, put the modification time back: what `cp -p` or `tar -x` do."""
    assert len(old) == len(new)
    st = path.stat()
    text = path.read_text()
    assert old in text
    time.sleep(CLOCK_TICK_S)
    path.write_text(text.replace(old, new))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns


def test_one_edited_file_is_read_alone(many, parsed, monkeypatch):
    settle(monkeypatch)
    Tracker.open(many)
    Tracker.open(many, cache=False).update("s1-a", status="accepted")
    assert cached(Tracker.open(many))
    time.sleep(CLOCK_TICK_S)
    write(many / "s1.yaml", source_yaml("s1", {"s1-a": "Alpha edited", "s1-b": "Beta"}))
    parsed.clear()
    reopened = Tracker.open(many)
    assert parsed == ["s1.yaml"]
    assert cached(reopened)
    assert reopened.get("s1-a").title == "Alpha edited"
    assert reopened.get("s1-a").status == "accepted"  # its history replayed onto the new text
    assert snapshot(reopened) == fresh(many)
    parsed.clear()
    assert snapshot(Tracker.open(many)) == fresh(many) and parsed.count("s1.yaml") == 1  # the fresh read only


def test_the_command_line_after_an_edit_reads_that_file_alone_and_answers_from_the_cache(many, parsed, monkeypatch):
    settle(monkeypatch)
    Tracker.open(many).update("s1-a", status="accepted")
    assert quick_json(many) == fresh_json(many)
    time.sleep(CLOCK_TICK_S)
    write(many / "s1.yaml", source_yaml("s1", {"s1-a": "Alpha edited", "s1-b": "Beta", "s1-c": "New"}))
    (many / "sub" / "s2.yaml").unlink()
    parsed.clear()
    shown = quick_json(many)
    assert parsed == ["s1.yaml"]  # the edited file alone, and no model of the rows: they come from the cache
    assert shown is not None and {r["id"]: r["title"] for r in shown}["s1-a"] == "Alpha edited"
    assert {r["id"]: r["status"] for r in shown}["s1-a"] == "accepted"  # its history replayed onto the new text
    parsed.clear()
    assert shown == fresh_json(many) and parsed.count("s1.yaml") == 1  # the fresh read only
    parsed.clear()
    assert quick_json(many) == shown and parsed == []  # the cache was saved brought up to date
    assert snapshot(Tracker.open(many)) == fresh(many)


@pytest.mark.parametrize("racy", [True, False])
def test_same_size_edit_with_the_time_restored_is_seen(many, monkeypatch, racy):
    if not racy:
        settle(monkeypatch)  # then the inode change time alone must catch it
    Tracker.open(many)
    assert cached(Tracker.open(many))
    same_size_edit(many / "s0.yaml", "title: Alpha", "title: Gamma")
    reopened = Tracker.open(many)
    assert reopened.get("s0-a").title == "Gamma"
    assert snapshot(reopened) == fresh(many)


def test_a_touched_file_is_hashed_not_parsed(many, parsed, monkeypatch):
    settle(monkeypatch)
    Tracker.open(many)
    for expected in (["s0.yaml"], []):  # the full read keeps no hash, the first re-read does
        time.sleep(CLOCK_TICK_S)
        st = (many / "s0.yaml").stat()
        os.utime(many / "s0.yaml", ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
        parsed.clear()
        assert cached(Tracker.open(many)) and parsed == expected


CHANGES = ["edit", "same-size", "add", "remove", "rename", "move-rec", "owners-touched", "owners-changed", "settings",
           "journal-append", "journal-merge", "duplicate-id", "duplicate-source", "bad-yaml", "unknown-owner",
           "parent-added", "parent-removed", "parent-cycle", "cited-finding-removed"]


# The changes after which the command line still answers `list` from the cache: files edited, added,
# removed or renamed, and settings touched but unchanged.
ANSWERED_AFTER = {"edit", "same-size", "add", "remove", "rename", "move-rec", "owners-touched", "parent-added"}


@pytest.mark.parametrize("by", ["tracker", "command line"])
@pytest.mark.parametrize("change", CHANGES)
def test_every_kind_of_change_gives_what_a_fresh_read_gives(many, change, by):
    first = Tracker.open(many)
    first.update("s0-a", status="accepted", note="before")
    first.update("rep-forum", add_owners=["health"])
    assert cached(Tracker.open(many))
    time.sleep(CLOCK_TICK_S)
    invalid = False
    if change == "edit":
        write(many / "s0.yaml", source_yaml("s0", {"s0-a": "Alpha two", "s0-c": "New one"}))
    elif change == "same-size":
        same_size_edit(many / "s0.yaml", "owners: [org]", "owners: [edu]")
    elif change == "add":
        write(many / "deep" / "er" / "new.yaml", source_yaml("new", {"new-1": "New"}))
    elif change == "remove":
        (many / "s1.yaml").unlink()
    elif change == "rename":
        (many / "s0.yaml").rename(many / "sub" / "zz.yaml")
    elif change == "move-rec":  # a recommendation moves to another file, keeping its history
        write(many / "s0.yaml", source_yaml("s0", {"s0-b": "Beta"}))
        write(many / "s1.yaml", source_yaml("s1", {"s1-a": "Alpha", "s1-b": "Beta", "s0-a": "Moved"}))
    elif change == "owners-touched":
        st = (many / "owners.yaml").stat()
        os.utime(many / "owners.yaml", ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    elif change == "owners-changed":
        write(many / "owners.yaml", OWNERS_YAML.replace("Education Expert Group", "Education Group"))
    elif change == "settings":
        write(many / "diasporatrack.yaml", "reminders: {stale_days: 3}\n")
    elif change == "journal-append":
        Tracker.open(many, cache=False).update("s1-b", status="accepted")
    elif change == "journal-merge":  # git writes a new file: the other clone's event sorts in the middle
        journal = many / "journal.jsonl"
        lines = journal.read_text().splitlines()
        theirs = json.loads(lines[0])
        theirs.update(id="zz-theirs", recommendation="s1-a", note="from the other clone", status=None,
                      previous_status=None)
        merged = many / "journal.merged"
        merged.write_text("\n".join([lines[0], json.dumps(theirs), *lines[1:]]) + "\n")
        merged.replace(journal)
    elif change == "duplicate-id":
        write(many / "s1.yaml", source_yaml("s1", {"s1-a": "Alpha", "s0-b": "Taken"}))
        invalid = True
    elif change == "duplicate-source":
        write(many / "sub" / "s9.yaml", source_yaml("s0", {"s9-a": "Alpha"}))
        invalid = True
    elif change == "bad-yaml":
        write(many / "s1.yaml", "source: [unclosed\n")
        invalid = True
    elif change == "parent-added":  # a cluster across files
        write(many / "s1.yaml", source_yaml("s1", {"s1-a": "Alpha", "s1-b": "Beta"}).replace(
            "    text: Text of s1-a.\n", "    text: Text of s1-a.\n    parent: s0-a\n"))
    elif change in ("parent-removed", "parent-cycle", "cited-finding-removed"):
        write(many / "s1.yaml", source_yaml("s1", {"s1-a": "Alpha", "s1-b": "Beta"}).replace(
            "    text: Text of s1-a.\n", "    text: Text of s1-a.\n    parent: s0-a\n    cites: [f0]\n"))
        write(many / "s0.yaml", source_yaml("s0", {"s0-a": "Alpha", "s0-b": "Beta"}).replace(
            "recommendations:\n", "findings:\n  - id: f0\n    text: A finding.\nrecommendations:\n"))
        assert Tracker.open(many).children("s0-a")[0].id == "s1-a"
        assert snapshot(Tracker.open(many)) == fresh(many)
        time.sleep(CLOCK_TICK_S)
        if change == "parent-removed":
            write(many / "s0.yaml", source_yaml("s0", {"s0-b": "Beta"}).replace(
                "recommendations:\n", "findings:\n  - id: f0\n    text: A finding.\nrecommendations:\n"))
        elif change == "parent-cycle":
            write(many / "s0.yaml", source_yaml("s0", {"s0-a": "Alpha", "s0-b": "Beta"}).replace(
                "recommendations:\n", "findings:\n  - id: f0\n    text: A finding.\nrecommendations:\n").replace(
                "    text: Text of s0-a.\n", "    text: Text of s0-a.\n    parent: s1-a\n"))
        else:
            write(many / "s0.yaml", source_yaml("s0", {"s0-a": "Alpha", "s0-b": "Beta"}))
        invalid = True
    elif change == "unknown-owner":
        write(many / "s1.yaml", source_yaml("s1", {"s1-a": "Alpha"}, owner="nobody"))
        invalid = True
    if by == "command line":  # the command line looks first: it brings the cache up to date with edited files alone
        shown = quick_json(many)
        if change in ANSWERED_AFTER:
            assert shown is not None and shown == fresh_json(many)
        else:  # a full read (invalid files, settings, owners) or the journal to fold: the full command answers
            assert shown is None
    if invalid:
        with pytest.raises(WorkspaceError) as cached_error:
            Tracker.open(many)
        with pytest.raises(WorkspaceError) as fresh_error:
            Tracker.open(many, cache=False)
        assert str(cached_error.value) == str(fresh_error.value)
        return
    reopened = Tracker.open(many)
    assert snapshot(reopened) == fresh(many)
    assert snapshot(Tracker.open(many)) == fresh(many)  # and once more, from what that open saved
    reopened.update("rep-health", note="after")
    assert snapshot(Tracker.open(many)) == fresh(many)


def test_a_recommendation_removed_and_added_back_gets_its_history(many):
    Tracker.open(many).update("s1-a", status="accepted")
    time.sleep(CLOCK_TICK_S)
    write(many / "s1.yaml", source_yaml("s1", {"s1-b": "Beta"}))
    assert "s1-a" not in Tracker.open(many)
    time.sleep(CLOCK_TICK_S)
    write(many / "s1.yaml", source_yaml("s1", {"s1-a": "Alpha", "s1-b": "Beta"}))
    back = Tracker.open(many)
    assert cached(back) and back.get("s1-a").status == "accepted"
    assert snapshot(back) == fresh(many)


def test_a_tracker_opened_before_an_edit_saves_nothing_into_the_new_cache(many):
    old = Tracker.open(many)
    old = Tracker.open(many)
    old.get("s0-a")
    time.sleep(CLOCK_TICK_S)
    write(many / "s0.yaml", source_yaml("s0", {"s0-a": "Alpha new", "s0-b": "Beta"}))
    assert Tracker.open(many).get("s0-a").title == "Alpha new"
    old.update("s0-a", note="from a tracker that saw the old text")
    reopened = Tracker.open(many)
    assert reopened.get("s0-a").title == "Alpha new" and reopened.get("s0-a").history[-1].note.startswith("from")
    assert snapshot(reopened) == fresh(many)


# --- random sequences of changes --------------------------------------------------------------

TITLES = st.sampled_from(["Alpha", "Gamma", "Delta", "Omega"])


class FilesChange(RuleBasedStateMachine):
    """Random edits, renames, removals, additions, settings and owners changes and journal events; the cache
    always agrees with the files, whether the tracker or the command line's quick `list` looks first."""

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(os.environ["DT_STATEFUL_DIR"]) / f"ws{id(self)}-{time.monotonic_ns()}"
        write(self.root / "owners.yaml", OWNERS_YAML)
        self.files: dict[str, dict[str, str]] = {}  # relative path -> {rec id: title}
        self.parents: dict[str, str] = {}  # rec id -> its parent's id (clusters across files)
        self.counter = 0
        self.checks = 0
        for n in range(3):
            self._write(f"f{n}.yaml", {f"r{n}-{k}": "Alpha" for k in range(2)})

    def _write(self, rel: str, recs: dict[str, str], source: str | None = None) -> None:
        self.files[rel] = recs
        source = source or rel.replace("/", "-").removesuffix(".yaml")
        write(self.root / rel, source_yaml(source, recs, parents=self.parents))

    def _pick(self, data) -> str:
        return data.draw(st.sampled_from(sorted(self.files)))

    @rule(data=st.data(), title=TITLES)
    def edit(self, data, title):
        if self.files:
            rel = self._pick(data)
            recs = self.files[rel]
            if recs:
                recs[data.draw(st.sampled_from(sorted(recs)))] = title
            self._write(rel, recs)

    @rule(data=st.data(), title=TITLES)
    def same_size_edit(self, data, title):
        if self.files:
            rel = self._pick(data)
            path = self.root / rel
            text = path.read_text()
            for old in ["Alpha", "Gamma", "Delta", "Omega"]:
                if old in text and old != title:
                    same_size_edit(path, old, title)
                    self.files[rel] = {k: (title if v == old else v) for k, v in self.files[rel].items()}
                    return

    @rule(folder=st.sampled_from(["", "a/", "a/b/", "z/"]))
    def add(self, folder):
        self.counter += 1
        self._write(f"{folder}n{self.counter}.yaml", {f"n{self.counter}-0": "Alpha"})

    @rule(data=st.data())
    def remove(self, data):
        if self.files:
            rel = self._pick(data)
            (self.root / rel).unlink()
            del self.files[rel]

    @rule(data=st.data(), folder=st.sampled_from(["", "a/", "z/"]))
    def rename(self, data, folder):
        if self.files:
            rel = self._pick(data)
            self.counter += 1
            new = f"{folder}m{self.counter}.yaml"
            (self.root / new).parent.mkdir(parents=True, exist_ok=True)
            (self.root / rel).rename(self.root / new)
            self.files[new] = self.files.pop(rel)

    @rule(data=st.data())
    def duplicate_or_fix(self, data):
        """Copy a recommendation id into another file (invalid), or remove every copy but the first (valid)."""
        ids = [(rel, r) for rel in sorted(self.files) for r in self.files[rel]]
        if not ids:
            return
        rel, rec_id = data.draw(st.sampled_from(ids))
        copies = [f for f in self.files if rec_id in self.files[f]]
        if len(copies) > 1:
            for other in copies[1:]:
                del self.files[other][rec_id]
                self._write(other, self.files[other])
        else:
            target = self._pick(data)
            self.files[target][rec_id] = "Alpha"
            self._write(target, self.files[target])

    @rule(data=st.data())
    def parent(self, data):
        """Give a recommendation a parent (maybe in another file, maybe making a loop), or take its parent away."""
        ids = sorted({r for recs in self.files.values() for r in recs})
        if len(ids) < 2:
            return
        child = data.draw(st.sampled_from(ids))
        if child in self.parents:
            del self.parents[child]
        else:
            self.parents[child] = data.draw(st.sampled_from([i for i in ids if i != child]))
        for rel in sorted(self.files):
            if child in self.files[rel]:
                self._write(rel, self.files[rel])

    @rule(data=st.data(), status=st.sampled_from(["accepted", "rejected"]))
    def event(self, data, status):
        """Another process (that ignores the cache) records an event."""
        try:
            tracker = Tracker.open(self.root, cache=False)
        except WorkspaceError:
            return
        if len(tracker):
            rec = data.draw(st.sampled_from(sorted(r.id for r in tracker)))
            tracker.update(rec, status=status, note=f"event {self.counter}", force=True)

    @rule(data=st.data(), title=TITLES)
    def program_edit(self, data, title):
        """The program itself rewrites a title (through the cache), as `set` does."""
        try:
            tracker = Tracker.open(self.root)
        except WorkspaceError:
            return
        if len(tracker):
            rec = data.draw(st.sampled_from(sorted(r.id for r in tracker)))
            if tracker.get(rec).title != title:
                tracker.set_fields(rec, title=title)
                rel = next(f for f in sorted(self.files) if rec in self.files[f])
                self.files[rel][rec] = title

    @rule(name=st.sampled_from(["The Organisation", "The Org"]))
    def owners(self, name):
        """owners.yaml written again: the same values (only its fingerprint changes) or an owner renamed."""
        write(self.root / "owners.yaml", OWNERS_YAML.replace("The Organisation", name))

    @rule(stale_days=st.sampled_from([None, 3, 60]))
    def settings(self, stale_days):
        """diasporatrack.yaml written, changed or removed."""
        path = self.root / "diasporatrack.yaml"
        if stale_days is None:
            path.unlink(missing_ok=True)
        else:
            write(path, f"reminders: {{stale_days: {stale_days}}}\n")

    @rule()
    def tick(self):
        time.sleep(CLOCK_TICK_S)

    @invariant()
    def cache_agrees_with_the_files(self):
        # Every other check, the command line's `list` looks first and brings the cache up to date itself.
        self.checks += 1
        quick_first = self.checks % 2 == 0
        try:
            expected = fresh(self.root)
        except WorkspaceError as err:
            if quick_first:
                assert quick_json(self.root) is None
            with pytest.raises(WorkspaceError) as cached_error:
                Tracker.open(self.root)
            assert str(cached_error.value) == str(err)
            return
        if quick_first:
            shown = quick_json(self.root)
            assert shown is None or shown == fresh_json(self.root)
        assert snapshot(Tracker.open(self.root)) == expected
        assert quick_json(self.root) in (None, fresh_json(self.root))

    def teardown(self):
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.mark.parametrize("racy", [True, False], ids=["hashes", "stat-only"])
def test_random_changes_never_make_the_cache_wrong(tmp_path, monkeypatch, racy):
    monkeypatch.setenv("DT_STATEFUL_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    if not racy:
        settle(monkeypatch)
        # Without the racy window only the fingerprint protects: leave a clock tick between changes.
        monkeypatch.setattr(FilesChange, "_write", _ticking(FilesChange._write))
    run_state_machine_as_test(FilesChange, settings=settings(
        max_examples=12, stateful_step_count=10, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))


def _ticking(write_file):
    def slow(self, *args, **kwargs):
        time.sleep(CLOCK_TICK_S)
        return write_file(self, *args, **kwargs)
    return slow


# --- one writer, and waiting for it ------------------------------------------------------------

WRITER = r"""
import sys, time
from pathlib import Path
from diasporatrack import Tracker, cache
from diasporatrack.cache import fingerprints
fingerprints.RACY_NS = 0  # files just written would be hashed again by the next command: not what this is about
root = Path(sys.argv[1])
lock = cache.WriterLock(cache.cache_path(root))
assert lock.acquire()
files = cache.scan(root)
tracker = Tracker.load(root)
print("writing", flush=True)
time.sleep(1.0)
cache.write(lock.db_path, tracker.workspace, dict(tracker._state), tracker._mark(), files, cache.new_token())
lock.release()
"""


@pytest.mark.parametrize("by", ["tracker", "command line"])
def test_a_command_waits_for_the_cache_being_written_instead_of_parsing(many, parsed, monkeypatch, by):
    settle(monkeypatch)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(many)], stdout=subprocess.PIPE, text=True,
                              env=dict(os.environ))
    assert writer.stdout.readline().strip() == "writing"
    parsed.clear()
    started = time.monotonic()
    if by == "tracker":
        tracker = Tracker.open(many)
        assert cached(tracker)
    else:
        shown = quick_json(many)  # answered from the cache the other process wrote
    assert writer.wait(timeout=30) == 0
    assert time.monotonic() - started > 0.5
    assert not [name for name in parsed if name.startswith("s")]  # no source file parsed here
    if by == "tracker":
        assert snapshot(tracker) == fresh(many)
    else:
        assert shown == fresh_json(many)


def test_the_writer_lock_excludes_a_second_writer(many):
    path = cache_module.cache_path(many)
    first, second = cache_module.WriterLock(path), cache_module.WriterLock(path)
    assert first.acquire()
    assert not second.acquire(wait=0.1)
    first.release()
    assert second.acquire()
    second.release()


# --- the hostile case of the hardening issue, through the command line ------------------------

@pytest.mark.parametrize("tool", ["cp -p", "tar -x", "unzip"])
def test_a_same_size_edit_with_the_time_kept_is_shown_by_the_next_command(many, tool):
    """`cp -p`, `tar -x` and `unzip` put the old modification time back on a file of the same size: the cache
    sees it (and the command line, which answers from the cache brought up to date, shows it)."""
    import hashlib
    import tarfile
    import zipfile

    if shutil.which(tool.split()[0]) is None:
        pytest.skip(f"{tool.split()[0]} is not installed")

    def sums() -> dict[str, str]:
        return {str(p.relative_to(many)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(many.rglob("*.yaml"))}

    def listed() -> dict[str, str]:
        result = subprocess.run([sys.executable, "-m", "diasporatrack", "--root", str(many), "list", "--format",
                                 "json"], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and result.stderr == ""
        return {r["id"]: r["title"] for r in json.loads(result.stdout)}

    target = many / "s0.yaml"
    whole = (target.stat().st_mtime_ns // 10**9 // 2 - 30) * 2 * 10**9  # an even second, which tar and zip keep
    os.utime(target, ns=(whole, whole))
    assert listed()["s0-a"] == "Alpha"
    time.sleep(0.5)  # the detached writer of that cold command finishes; the next command waits for it anyway
    assert listed()["s0-a"] == "Alpha"  # warm: from the cache
    edited = many.parent / "edited" / "s0.yaml"
    edited.parent.mkdir()
    edited.write_text(target.read_text().replace("title: Alpha", "title: Gamma"))
    st = target.stat()
    os.utime(edited, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime as the cached file
    time.sleep(CLOCK_TICK_S)
    if tool == "cp -p":
        subprocess.run(["cp", "-p", str(edited), str(target)], check=True)
    elif tool == "tar -x":
        archive = many.parent / "edited.tar"
        with tarfile.open(archive, "w") as tar:
            tar.add(edited, arcname="s0.yaml")
        subprocess.run(["tar", "-xf", str(archive), "-C", str(many)], check=True)
    else:
        archive = many.parent / "edited.zip"
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.write(edited, arcname="s0.yaml")
        subprocess.run(["unzip", "-q", "-o", str(archive), "-d", str(many)], check=True)
    assert target.stat().st_size == st.st_size and target.stat().st_mtime_ns == st.st_mtime_ns
    before = sums()
    assert listed()["s0-a"] == "Gamma"
    assert sums() == before  # reading never writes the authored files
