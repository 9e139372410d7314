"""The corpus of bad input (tests/corpus/): every case gives exact, located, one-line errors.

Each folder under tests/corpus/ is a workspace; tests/corpus/cases.yaml says what
`validate` and `list` print for it. Cases that need generated data or more than
a message (YAML 1.1 values, alias bombs, python tags, huge fields, the journal)
have explicit tests below.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
import yaml

from conftest import write
from diasporatrack import Tracker
from diasporatrack.yamlio import Loader, YamlProblem, _PureLoader, load_yaml

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
LOADERS = pytest.mark.parametrize("loader", [Loader, _PureLoader], ids=["libyaml", "pure"])


def _expected(case: dict, command: str) -> dict:
    if command in case:
        return case[command]
    v = case["validate"]
    assert v["exit"] == 1, "list can only be derived from a failing validate"
    if "stdout_match" in v:
        return {"exit": 2, "stdout": [], "stderr_match": ["^diasporatrack: " + p.lstrip("^") for p in v["stdout_match"]]}
    return {"exit": 2, "stdout": [], "stderr": ["diasporatrack: " + line for line in v["stdout"]]}


def _params():
    for name in sorted(CASES):
        for command in ("validate", "list"):
            marks = [pytest.mark.xfail(strict=True, reason="BUG: " + CASES[name]["bug"])] if "bug" in CASES[name] else []
            yield pytest.param(name, command, id=f"{name}-{command}", marks=marks)


def _copy_case(name: str, tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(CORPUS / name, root)
    return root


def _check(result_code: int, out: str, err: str, expected: dict) -> None:
    assert "Traceback" not in out + err
    assert result_code == expected["exit"], (out, err)
    for stream, text in (("stdout", out), ("stderr", err)):
        lines = text.splitlines()
        if stream + "_match" in expected:
            patterns = expected[stream + "_match"]
            assert len(lines) == len(patterns), lines
            for line, pattern in zip(lines, patterns):
                assert re.search(pattern, line), (pattern, line)
        else:
            assert lines == expected[stream]


def test_every_case_folder_is_listed_and_every_listed_case_exists():
    folders = {p.name for p in CORPUS.iterdir() if p.is_dir()}
    assert folders == set(CASES)


@pytest.mark.parametrize(("name", "command"), list(_params()))
def test_corpus_case(name, command, ws, cli, tmp_path):
    shutil.rmtree(ws)  # the fixture gives the cwd and the environment; the case gives the files
    _copy_case(name, tmp_path)
    result = cli("--root", "ws", command)
    _check(result.code, result.out, result.err, _expected(CASES[name], command))


SUBPROCESS_CASES = ["duplicate-key", "not-utf8-latin1", "journal-corrupt-middle", "python-tag", "owners-is-list",
                    "plugin-file-untrusted"]


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_corpus_case_in_a_real_process(name, tmp_path):
    _copy_case(name, tmp_path)
    env = {**os.environ, "DIASPORATRACK_CACHE_DIR": str(tmp_path / "cache"), "DIASPORATRACK_ROOT": ""}
    for command in ("validate", "list"):
        done = subprocess.run([sys.executable, "-m", "diasporatrack", "--root", "ws", command], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=30)
        _check(done.returncode, done.stdout, done.stderr, _expected(CASES[name], command))
    assert not (tmp_path / "MARKER").exists() and not (tmp_path / "ws" / "MARKER").exists()


# --- YAML 1.1 surprises ----------------------------------------------------------


def test_yaml11_surprises_keep_their_text(ws, cli, tmp_path):
    shutil.rmtree(ws)
    root = _copy_case("yaml11-surprises", tmp_path)
    rec = Tracker.open(root).get("r1")
    assert rec.title == "Meeting at 12:30"
    assert rec.text == "yes"
    assert rec.addressed_to == ("NO", "on", "yes", "off", "Yes")
    assert rec.quote == "0123"
    assert rec.links == ("1e3", "0x1F", "1_000")
    data = json.loads(cli("--root", "ws", "list", "--format", "json").out)
    assert data[0]["addressed_to"] == ["NO", "on", "yes", "off", "Yes"]
    assert cli("--root", "ws", "list", "--addressed-to", "no").out.count("r1") == 1


@LOADERS
def test_yaml11_scalars_with_both_parsers(loader):
    text = "a: [NO, no, on, On, OFF, yes, Yes, y, n]\nt: 12:30\nu: 1:20:30\no: 0123\nh: 0x1F\ne: 1e3\nb: true\nn: ~\n"
    data = load_yaml(Path("x.yaml"), text, loader=loader)
    assert data == {"a": ["NO", "no", "on", "On", "OFF", "yes", "Yes", "y", "n"], "t": "12:30", "u": "1:20:30",
                    "o": "0123", "h": "0x1F", "e": "1e3", "b": True, "n": None}


# --- alias bombs -------------------------------------------------------------------


def _bomb(levels: int = 9, width: int = 9) -> str:
    """A "billion laughs" document: width**levels strings if it were expanded (9**10 ~ 3.5e9)."""
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


@LOADERS
def test_alias_bomb_is_refused_in_bounded_time_and_memory(loader):
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(YamlProblem) as info:
            load_yaml(Path("bomb.yaml"), _bomb(), loader=loader)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 2.0
    assert peak < 20_000_000  # the expanded form would need tens of gigabytes
    # Refused, not loaded: every consumer of the value (validation, exporters, error messages) walks the expansion.
    assert str(info.value) == ("bomb.yaml:5: aliases expand this file beyond 1,049,656 characters of values "
                               "(twice its size plus 1,048,576): refused as an alias bomb")


@LOADERS
def test_a_few_aliases_still_load_shared(loader):
    text = "common: &c [a, b, c]\nx: *c\ny: *c\nz: {k: *c}\n"
    data = load_yaml(Path("a.yaml"), text, loader=loader)
    assert data["x"] is data["y"] is data["z"]["k"] is data["common"] == ["a", "b", "c"]


def test_alias_bomb_in_a_workspace_is_a_located_error(ws, cli):
    bomb = _bomb()
    write(ws / "bomb.yaml", bomb + "source:\n  id: s2\n  title: t\nrecommendations:\n"
                                   "  - id: b1\n    title: t\n    text: t\n    themes: *a9\n")
    write(ws / "diasporatrack.yaml", "reminders:\n  email:\n" + "".join(f"    {line}\n" for line in bomb.splitlines()))
    started = time.perf_counter()
    result = cli("--root", "ws", "validate")
    assert time.perf_counter() - started < 3.0
    assert "Traceback" not in result.out + result.err
    assert result.code == 1
    assert result.out.splitlines() == [
        "ws/diasporatrack.yaml:7: aliases expand this file beyond 1,049,776 characters of values "
        "(twice its size plus 1,048,576): refused as an alias bomb",
        "ws/bomb.yaml:5: aliases expand this file beyond 1,049,850 characters of values "
        "(twice its size plus 1,048,576): refused as an alias bomb"]
    # Every command refuses the workspace in bounded time, the settings first (remind and score read them).
    for argv in (("remind",), ("score",), ("list",)):
        started = time.perf_counter()
        result = cli("--root", "ws", *argv)
        assert time.perf_counter() - started < 3.0
        assert result.code == 2 and "alias bomb" in result.err and len(result.err) < 1000


# --- python tags ---------------------------------------------------------------------

PYTHON_TAGS = [
    "!!python/object/apply:os.system [\"touch MARKER\"]",
    "!!python/object/new:os.system [\"touch MARKER\"]",
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/object:__main__.X {}",
    "!!set {a, b}",
    "!!omap [a: 1]",
]


@pytest.mark.parametrize("tag", PYTHON_TAGS)
@LOADERS
def test_python_and_collection_tags_are_refused(tag, loader, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(YamlProblem) as info:
        load_yaml(Path("a.yaml"), f"source:\n  title: {tag}\n", loader=loader)
    problem = info.value.problem
    assert problem.line == 2
    assert problem.message.startswith("tag ") and problem.message.endswith(
        "is not allowed (only plain YAML values are read)")
    assert not (tmp_path / "MARKER").exists()


def test_python_tag_executes_nothing_through_the_cli(ws, cli, tmp_path):
    shutil.rmtree(ws)
    root = _copy_case("python-tag", tmp_path)
    for argv in (("validate",), ("list",), ("export", "json"), ("update", "r1", "--note", "x")):
        result = cli("--root", "ws", *argv)
        assert result.code in (1, 2) and "Traceback" not in result.err
        assert "is not allowed" in result.out + result.err
    assert Tracker.load(root).problems
    assert not (tmp_path / "MARKER").exists() and not (root / "MARKER").exists()
    assert not (root / "journal.jsonl").exists()


# --- huge fields -----------------------------------------------------------------------------


def test_five_megabyte_title_loads_in_bounded_time(ws, cli):
    title = "x" * 5_000_000
    write(ws / "huge.yaml", f"source:\n  id: s2\n  title: t\nrecommendations:\n"
                            f"  - id: huge\n    title: {title}\n    text: t\n")
    started = time.perf_counter()
    result = cli("--root", "ws", "validate")
    assert result.code == 0, result.err
    assert result.out == "ok: 4 recommendations from 2 sources, 3 owners, 0 journal events\n"
    data = json.loads(cli("--root", "ws", "list", "--format", "json").out)
    assert [len(r["title"]) for r in data if r["id"] == "huge"] == [5_000_000]
    assert time.perf_counter() - started < 5.0


def test_five_megabyte_bad_id_fails_cleanly(ws, cli):
    write(ws / "huge.yaml", f"source:\n  id: s2\n  title: t\nrecommendations:\n"
                            f"  - id: {'y' * 5_000_000} z\n    title: t\n    text: t\n")
    started = time.perf_counter()
    result = cli("--root", "ws", "validate")
    assert time.perf_counter() - started < 5.0
    assert result.code == 1 and result.err == "1 problem found\n"
    assert result.out.count("\n") == 1
    # The message quotes a bounded prefix of the value, never all of it.
    assert result.out == (f"ws/huge.yaml:5: id: '{'y' * 80}'... (5,000,002 characters) is not a valid id "
                          "(letters, digits and . _ : - only)\n")


# --- the journal -----------------------------------------------------------------------------


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_torn_last_line_survives_and_the_next_update_is_not_glued(ws, cli, tmp_path):
    shutil.rmtree(ws)
    root = _copy_case("journal-torn-last-line", tmp_path)
    journal = root / "journal.jsonl"
    first, torn = journal.read_bytes().split(b"\n")
    assert Tracker.open(root).get("r1").status == "accepted"  # the acknowledged event survives
    result = cli("--root", "ws", "update", "r1", "--note", "next")
    assert (result.code, result.err) == (0, "")
    lines = journal.read_bytes().split(b"\n")
    assert lines[0] == first and lines[-1] == b"" and len(lines) == 3
    assert json.loads(lines[1])["note"] == "next"
    assert (root / "journal.jsonl.torn").read_bytes() == torn + b"\n"
    result = cli("--root", "ws", "validate")
    assert (result.code, result.out) == (0, "ok: 1 recommendation from 1 source, 2 owners, 2 journal events\n")
    assert [e.note for e in Tracker.open(root).history("r1")] == [None, "next"]


def test_whole_event_without_newline_is_completed_not_moved(ws, cli, tmp_path):
    shutil.rmtree(ws)
    root = _copy_case("journal-torn-last-line", tmp_path)
    journal = root / "journal.jsonl"
    whole = json.loads(journal.read_bytes().split(b"\n")[0])
    whole.update(id="e2", at="2025-02-02T10:00:00.000000Z", note="whole")
    del whole["status"], whole["previous_status"]
    journal.write_bytes(journal.read_bytes().split(b"\n")[0] + b"\n" + json.dumps(whole).encode())
    assert cli("--root", "ws", "update", "r1", "--note", "next").code == 0
    notes = [json.loads(line).get("note") for line in journal.read_bytes().splitlines()]
    assert notes == [None, "whole", "next"]
    assert not (root / "journal.jsonl.torn").exists()


def test_corrupt_middle_line_is_never_skipped(ws, cli, tmp_path):
    shutil.rmtree(ws)
    root = _copy_case("journal-corrupt-middle", tmp_path)
    before = _digest(root / "journal.jsonl")
    line = "ws/journal.jsonl:2: corrupt journal line: Unterminated string starting at: line 1 column 17 (char 16)"
    result = cli("--root", "ws", "validate")
    assert (result.code, result.out, result.err) == (1, line + "\n", "1 problem found\n")
    for argv in (("list",), ("show", "r1"), ("update", "r1", "--note", "x"), ("export", "json")):
        result = cli("--root", "ws", *argv)
        assert (result.code, result.out, result.err) == (2, "", f"diasporatrack: {line}\n"), argv
    assert _digest(root / "journal.jsonl") == before
    assert not (root / "journal.jsonl.torn").exists()
