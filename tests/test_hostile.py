"""A workspace someone else wrote: links, special files, huge files, odd names, hostile text.

Cases that tests/corpus cannot hold (links, FIFOs, sizes made on the spot) or
that need more than a message. Each asserts the exact message, the exit code,
and the sha256 of every file before and after (outside the workspace too):
nothing is read through a link, nothing is written through one, and no
content of a refused file is ever echoed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import write
from diasporatrack import Tracker
from diasporatrack.errors import JournalError
from diasporatrack.model import Event
from diasporatrack.safeio import LIMITS
from diasporatrack.textsafety import quote, terminal_safe

CORPUS = Path(__file__).resolve().parent / "corpus"
SECRET = "aws_secret_access_key = SECRET-DO-NOT-PRINT\n"
EVENT = {"id": "e1", "at": "2025-02-01T10:00:00.000000Z", "by": "amina", "recommendation": "rep-health",
         "kind": "update", "status": "accepted", "previous_status": "proposed"}


def digests(*folders: Path) -> dict[str, str]:
    """The sha256 of every file under the folders; links and special files by what they are."""
    out = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_symlink():
                out[str(path)] = "link->" + os.readlink(path)
            elif path.is_fifo():
                out[str(path)] = "fifo"
            elif path.is_file():
                out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                out[str(path)] = "dir"
    return out


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the workspace holding a "credentials" file a link may point to."""
    folder = tmp_path / "home"
    folder.mkdir()
    (folder / "credentials").write_text(SECRET)
    return folder


def _every_command_refuses(cli, message: str, code: int = 2) -> None:
    for argv in (("list",), ("show", "rep-health"), ("update", "rep-health", "--note", "x"), ("export", "json"),
                 ("remind",), ("score",)):
        result = cli("--root", "ws", *argv)
        assert (result.code, result.out) == (code, ""), (argv, result)
        assert message in result.err, (argv, result.err)
        assert "SECRET" not in result.err and "Traceback" not in result.err


LINK = "is a symbolic link (links are not followed: the file must be a regular file inside the workspace)"


@pytest.mark.parametrize("name", ["report.yaml", "owners.yaml", "diasporatrack.yaml", "sub/more.yaml"])
def test_a_linked_authored_file_is_refused_without_echoing_its_target(name, ws, cli, outside):
    target = ws / name
    target.parent.mkdir(exist_ok=True)
    target.unlink(missing_ok=True)
    target.symlink_to(outside / "credentials")
    before = digests(ws, outside)
    result = cli("--root", "ws", "validate")
    assert (result.code, result.err) == (1, "1 problem found\n") or result.code == 1
    assert f"ws/{name}: {LINK}\n" in result.out
    assert "SECRET" not in result.out + result.err
    _every_command_refuses(cli, f"ws/{name}: {LINK}")
    assert digests(ws, outside) == before
    assert not (ws / "journal.jsonl").exists()


def test_a_linked_folder_is_refused_not_walked(ws, cli, outside):
    (outside / "more.yaml").write_text("source:\n  id: planted\n  title: Planted\n")
    (ws / "linked").symlink_to(outside, target_is_directory=True)
    before = digests(ws, outside)
    result = cli("--root", "ws", "validate")
    assert (result.code, result.out, result.err) == (1, f"ws/linked: {LINK}\n", "1 problem found\n")
    assert digests(ws, outside) == before


def test_a_link_to_dev_zero_is_refused_at_once(ws, cli):
    (ws / "diasporatrack.yaml").symlink_to("/dev/zero")
    started = time.perf_counter()
    result = cli("--root", "ws", "validate")
    assert time.perf_counter() - started < 5
    assert (result.code, result.out) == (1, f"ws/diasporatrack.yaml: {LINK}\n")


@pytest.mark.parametrize("dangling", [False, True], ids=["to-a-file", "dangling"])
def test_update_through_a_linked_journal_writes_nothing_anywhere(dangling, ws, cli, outside):
    target = outside / ("new-file" if dangling else "credentials")
    (ws / "journal.jsonl").symlink_to(target)
    before = digests(ws, outside)
    message = f"ws/journal.jsonl: {LINK}"
    result = cli("--root", "ws", "validate")
    assert (result.code, result.out) == (1, message + "\n")
    _every_command_refuses(cli, message)
    assert digests(ws, outside) == before
    assert not (outside / "new-file").exists()


def test_a_linked_torn_file_is_refused_and_the_journal_kept(ws, cli, outside):
    journal = ws / "journal.jsonl"
    journal.write_text(json.dumps(EVENT) + "\n" + '{"id": "torn')  # a crash mid-write left a torn tail
    (ws / "journal.jsonl.torn").symlink_to(outside / "credentials")
    before = digests(ws, outside)
    result = cli("--root", "ws", "update", "rep-health", "--note", "x")
    assert (result.code, result.out) == (2, "")
    assert result.err == f"diasporatrack: ws/journal.jsonl.torn: {LINK}\n"
    assert digests(ws, outside) == before


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p.mkdir(), "is a folder, not a file"),
    (lambda p: os.mkfifo(p), "is a FIFO (named pipe), not a regular file"),
], ids=["folder", "fifo"])
@pytest.mark.parametrize("name", ["journal.jsonl", "report.yaml", "owners.yaml"])
def test_a_special_file_where_a_file_is_expected_is_a_located_error(name, make, message, ws, cli):
    path = ws / name
    path.unlink(missing_ok=True)
    make(path)
    before = digests(ws)
    started = time.perf_counter()
    result = cli("--root", "ws", "validate")
    assert time.perf_counter() - started < 5  # a FIFO is never waited on
    if name == "report.yaml" and message.startswith("is a folder"):
        # A folder named like a source file is a folder: walked, not read.
        assert result.code == 0
        return
    assert f"ws/{name}: {message}\n" in result.out and result.code == 1
    _every_command_refuses(cli, f"ws/{name}: {message}")
    assert digests(ws) == before


@pytest.mark.parametrize(("name", "kind"), [("report.yaml", "source"), ("owners.yaml", "owners"),
                                            ("diasporatrack.yaml", "settings"), ("journal.jsonl", "journal")])
def test_files_past_their_limit_are_refused_without_being_read(name, kind, ws, cli):
    path = ws / name
    with open(path, "ab") as fh:
        fh.truncate(LIMITS[kind] + 1)  # sparse: refused by its size, before a byte is read
    before = digests(ws)
    started = time.perf_counter()
    result = cli("--root", "ws", "validate")
    assert time.perf_counter() - started < 5
    limit = LIMITS[kind] // (1024 * 1024)
    assert result.code == 1
    assert f"ws/{name}: is too large: {limit:,}.0 MiB, the limit for a {kind} file is {limit:,}.0 MiB " \
           "(see docs/reliability.md)\n" in result.out
    assert digests(ws) == before


def test_a_journal_line_past_its_limit_is_a_located_problem(ws, cli):
    event = dict(EVENT, note="n" * LIMITS["journal line"])
    (ws / "journal.jsonl").write_text(json.dumps(EVENT) + "\n" + json.dumps(dict(event, id="e2")) + "\n")
    result = cli("--root", "ws", "validate")
    assert (result.code, result.out) == (1, "ws/journal.jsonl:2: corrupt journal line: the line is longer than "
                                            "the limit of 1,048,576 bytes\n")


def test_an_update_too_large_for_a_journal_line_is_refused_before_writing(ws, cli):
    (ws / "journal.jsonl").write_text(json.dumps(EVENT) + "\n")
    before = digests(ws)
    result = cli("--root", "ws", "update", "rep-health", "--note", "n" * LIMITS["journal line"])
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("diasporatrack: error: event ") and result.err.endswith(
        "for 'rep-health' cannot be recorded: the line is longer than the limit of 1,048,576 bytes\n")
    assert digests(ws) == before


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root reads any file")
def test_an_unreadable_file_is_one_line(ws, cli):
    (ws / "report.yaml").chmod(0)
    try:
        result = cli("--root", "ws", "validate")
        assert (result.code, result.out) == (1, "ws/report.yaml: cannot be opened: permission denied\n")
    finally:
        (ws / "report.yaml").chmod(0o644)


def test_a_root_name_too_long_is_one_line(ws, cli):
    result = cli("--root", "x" * 300, "list")
    assert (result.code, result.out) == (2, "")
    assert result.err == (f"diasporatrack: error: workspace {quote('x' * 300)} cannot be opened: its name is too "
                          "long for the file system\n")


# --- every event is checked before it is appended ------------------------------------------------


@pytest.mark.parametrize(("change", "reason"), [
    ({"data": {"when": dt.date(2025, 1, 1)}}, "Object of type date is not JSON serializable"),
    ({"data": {"x": float("nan")}}, "Out of range float values are not JSON compliant"),
    ({"kind": "reminded\n"}, "kind 'reminded\\n' is not a valid id"),
    ({"note": "\x1b]0;owned\x07"}, "note: control character U+001B is not allowed"),
], ids=["date-in-data", "nan", "kind-newline", "escape-in-note"])
def test_an_event_that_would_not_read_back_is_never_appended(change, reason, ws):
    tracker = Tracker.open(ws)
    tracker.update("rep-health", note="first")
    before = digests(ws)
    fields = {"id": "p1", "at": dt.datetime.now(dt.timezone.utc), "by": "plugin", "recommendation": "rep-health",
              "kind": "reminded", **change}
    event = Event(**fields)
    with pytest.raises(JournalError) as info:
        tracker.record_events([event])
    assert str(info.value) == f"event 'p1' for 'rep-health' cannot be recorded: {reason}"
    assert digests(ws) == before
    assert Tracker.open(ws).get("rep-health").history[-1].note == "first"


# --- the journal's times ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["journal-future", "journal-year-9999"])
def test_an_event_from_the_future_is_set_aside_and_new_events_keep_the_real_time(case, tmp_path, cli, monkeypatch):
    root = tmp_path / "ws"
    shutil.copytree(CORPUS / case, root)
    monkeypatch.chdir(tmp_path)
    future_line = (root / "journal.jsonl").read_bytes().splitlines()[1]
    result = cli("--root", "ws", "update", "r1", "--status", "in-progress", "--note", "now")
    assert result.code == 0, result.err
    assert result.out == "r1: status accepted -> in-progress; note: now\n"
    assert result.err.startswith("diasporatrack: warning: ws/journal.jsonl:2: event e2 is dated ")
    lines = (root / "journal.jsonl").read_bytes().splitlines()
    assert lines[1] == future_line and len(lines) == 3  # nothing lost, nothing rewritten
    stamped = dt.datetime.fromisoformat(json.loads(lines[2])["at"].replace("Z", "+00:00"))
    assert abs(stamped - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=5)
    assert Tracker.open(root).get("r1").status == "in-progress"
    assert cli("--root", "ws", "validate").code == 1  # still reported until someone fixes the line


# --- output that attacks the terminal or the reader ---------------------------------------------------


def test_terminal_safe_strips_controls_and_overrides_but_keeps_rtl_marks():
    assert terminal_safe("a\x1b]0;t\x07b\rc\x9bd\x7f\x00") == "a]0;tbcd"
    assert terminal_safe("\u202eevil\u202c \u2066x\u2069 \u202a\u202b\u202d") == "evil x "
    assert terminal_safe("اردو\u200f text\u200e \u061c!\n\tok") == "اردو\u200f text\u200e \u061c!\n\tok"


def test_bidi_overrides_never_reach_the_terminal_but_stay_in_json(ws, cli):
    text = (ws / "report.yaml").read_text().replace("title: Invest in education",
                                                   'title: "Invest \\u202Enoitacude\\u202C in \\u200Fاردو"')
    (ws / "report.yaml").write_text(text)
    table = cli("--root", "ws", "list").out
    assert "Invest noitacude in \u200fاردو" in table and "\u202e" not in table and "\u202c" not in table
    shown = cli("--root", "ws", "show", "rep-education").out
    assert "\u202e" not in shown and "\u200f" in shown
    data = json.loads(cli("--root", "ws", "list", "--format", "json").out)
    assert "Invest \u202enoitacude\u202c in \u200fاردو" in [r["title"] for r in data]


def test_error_messages_are_terminal_safe_and_bounded(ws, cli):
    (ws / "evil\u202e.yaml").write_text("source: [\n")
    result = cli("--root", "ws", "validate")
    assert result.code == 1 and "\u202e" not in result.out and "ws/evil.yaml:2:" in result.out


@pytest.mark.parametrize("publisher", ["~~~", "```", "# Heading", "> quote", "- item", "+ item", "1. item",
                                       "2) item", "===", "---"])
def test_markdown_line_starts_cannot_open_a_block(publisher, ws, cli):
    text = (ws / "report.yaml").read_text().replace("publisher: An organisation", f"publisher: {publisher!r}")
    (ws / "report.yaml").write_text(text)
    out = cli("--root", "ws", "export", "markdown").out
    line = next(line for line in out.splitlines() if "2025-01-15" in line)
    assert line[0] in "\\&" or line[:2] in ("1\\", "2\\"), line
    assert out.count("| ID | Status |") == 1
    assert [row.split(" | ")[0] for row in out.splitlines()[-3:]] == ["| rep-education", "| rep-forum", "| rep-health"]


# --- imports: what the workspace could not read back is refused by row --------------------------------


def test_control_characters_in_an_import_are_refused_by_row(ws, cli, tmp_path):
    sheet = tmp_path / "in.csv"
    sheet.write_text('text,title\n"bad \x1b[2J",t\n"fine",u\n', encoding="utf-8")
    export = tmp_path / "in.json"
    data = json.loads(cli("--root", "ws", "export", "json").out)
    data["sources"] = [dict(data["sources"][0], id="new-source")]
    data["recommendations"] = [dict(data["recommendations"][0], id="new-1", source="new-source",
                                    title="evil \x1b]0;owned\x07", history=[])]
    export.write_text(json.dumps(data), encoding="utf-8")
    before = digests(ws)
    result = cli("--root", "ws", "import", str(sheet), "--source", "sheet")
    assert (result.code, result.out) == (2, "")
    assert result.err == f"diasporatrack: {sheet}:2: row 2: text: control character U+001B is not allowed " \
                         "(only newline and tab are)\n"
    result = cli("--root", "ws", "import", str(export))
    assert (result.code, result.out) == (2, "")
    assert result.err == f"diasporatrack: {export}: recommendation 1 (new-1): title: control character U+001B " \
                         "is not allowed (only newline and tab are)\n"
    assert digests(ws) == before
    assert cli("--root", "ws", "validate").code == 0


@pytest.mark.parametrize("name", [".schemas", ".gitattributes"])
def test_init_writes_nothing_through_a_planted_link(name, tmp_path, cli, outside, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "clone"
    folder.mkdir()
    (folder / name).symlink_to(outside if name == ".schemas" else outside / "credentials")
    before = digests(folder, outside)
    result = cli("init", "clone")
    kind = "folder" if name == ".schemas" else "file"
    assert (result.code, result.out) == (2, "")
    assert result.err == f"diasporatrack: error: clone/{name} is a link or not a {kind}; nothing was changed\n"
    assert digests(folder, outside) == before
