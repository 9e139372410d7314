"""Changing the authored files from the command line: add, set, edit, remove, move, source and owner verbs."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import pytest

from conftest import write


def digest(folder: Path) -> dict[str, str]:
    """sha256 of every file (an empty journal, which taking the lock may create, counts as none)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".cache" not in p.parts
            and not (p.name == "journal.jsonl" and p.stat().st_size == 0)}


def show(cli, rec_id):
    result = cli("--root", "ws", "show", rec_id, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_add_takes_the_next_free_id_and_keeps_the_rest_of_the_file(ws, cli):
    source = ws / "report.yaml"
    before = source.read_text()
    result = cli("--root", "ws", "add", "report", "--title", "Hold a yearly forum", "--text", "Hold a forum every year.",
                 "--theme", "dialogue", "--addressee", "UN", "--owner", "ed", "--due", "2026-06-30")
    assert result.code == 0 and "added report-2025-001" in result.out
    after = source.read_text()
    assert after.startswith(before.rstrip("\n"))  # every line that was there stays as it was
    rec = show(cli, "report-2025-001")
    assert (rec["title"], rec["owners"], rec["due"], rec["addressed_to"]) == \
        ("Hold a yearly forum", ["edu"], "2026-06-30", ["UN"])
    assert cli("--root", "ws", "validate").code == 0
    again = cli("--root", "ws", "add", "report", "--title", "T", "--text", "T")
    assert "added report-2025-002" in again.out


def test_add_with_an_existing_id_names_where_it_is(ws, cli):
    before = digest(ws)
    result = cli("--root", "ws", "add", "report", "--id", "rep-forum", "--title", "T", "--text", "T")
    assert result.code == 2 and "report.yaml:" in result.err and "rep-forum" in result.err
    assert digest(ws) == before


def test_set_changes_only_the_lines_of_the_changed_values_and_journals_them(ws, cli):
    source = ws / "report.yaml"
    lines = source.read_text().splitlines()
    result = cli("--root", "ws", "set", "rep-health", "--title", "Form the healthcare group", "--add-theme", "health",
                 "--remove-theme", "healthcare", "--by", "Amina")
    assert result.code == 0 and "changed title, themes" in result.out
    changed = [i for i, (a, b) in enumerate(zip(lines, source.read_text().splitlines())) if a != b]
    assert [lines[i].split(":")[0].strip() for i in changed] == ["title", "themes"]
    rec = show(cli, "rep-health")
    assert rec["title"] == "Form the healthcare group" and rec["themes"] == ["health"]
    history = json.loads(cli("--root", "ws", "history", "rep-health", "--format", "json").out)
    assert [(e["kind"], e["field"], e["by"]) for e in history] == [("edit", "title", "Amina"), ("edit", "themes", "Amina")]


def test_set_as_of_undoes_a_journaled_edit(ws, cli):
    assert cli("--root", "ws", "set", "rep-forum", "--title", "Create a diaspora forum").code == 0
    journal = ws / "journal.jsonl"
    event = json.loads(journal.read_text())
    event["at"] = "2025-03-01T10:00:00.000000Z"
    journal.write_text(json.dumps(event) + "\n")
    past = json.loads(cli("--root", "ws", "show", "rep-forum", "--as-of", "2025-02-01", "--format", "json").out)
    assert past["title"] == "Create a forum"
    assert show(cli, "rep-forum")["title"] == "Create a diaspora forum"


@pytest.mark.parametrize("argv, message", [
    (["set", "rep-forum", "--status", "accepted"], "use diasporatrack update"),
    (["set", "rep-forum", "--response", "supported"], "use diasporatrack respond"),
    (["set", "rep-forum"], "nothing to change"),
    (["set", "rep-forum", "--clear", "quote", "--title", ""], "title"),
    (["set", "nope", "--title", "x"], "nope"),
    (["set", "rep-forum", "--impact", "huge"], "impact"),
    (["move", "rep-forum", "--to-source", "report"], "already belongs"),
    (["remove", "nope"], "nope"),
])
def test_bad_changes_are_one_line_errors_and_change_nothing(ws, cli, argv, message):
    before = digest(ws)
    result = cli("--root", "ws", *argv)
    assert result.code == 2 and message in result.err and "Traceback" not in result.err
    assert digest(ws) == before


def test_remove_keeps_the_history_and_move_changes_the_file(ws, cli):
    write(ws / "other.yaml", "source: {id: other, title: Other}\nrecommendations: []\n")
    assert cli("--root", "ws", "update", "rep-forum", "--note", "asked").code == 0
    assert cli("--root", "ws", "move", "rep-forum", "--to-source", "other").code == 0
    assert show(cli, "rep-forum")["source"] == "other" and "rep-forum" in (ws / "other.yaml").read_text()
    assert "rep-forum" not in (ws / "report.yaml").read_text()
    result = cli("--root", "ws", "remove", "rep-forum")
    assert result.code == 0 and "history stays" in result.out
    assert cli("--root", "ws", "show", "rep-forum").code == 2
    log = json.loads(cli("--root", "ws", "log", "--format", "json").out)
    assert {e["recommendation"] for e in log} == {"rep-forum"} and len(log) == 3
    assert cli("--root", "ws", "validate").code == 0


def editor(tmp_path: Path, script: str) -> str:
    """An $EDITOR: a Python script that rewrites the file it is given."""
    path = tmp_path / "editor.py"
    path.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\n" + script)
    return f"{sys.executable} {path}"


def test_edit_saves_a_valid_text_with_its_comments(ws, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("EDITOR", editor(tmp_path, "p.write_text(p.read_text().replace('title: Create a forum', "
                                                   "'title: Create a forum  # agreed wording'))"))
    result = cli("--root", "ws", "edit", "rep-forum")
    assert result.code == 0 and "saved" in result.out
    assert "title: Create a forum  # agreed wording" in (ws / "report.yaml").read_text()


def test_edit_refuses_an_invalid_text_and_keeps_it_in_a_recovery_file(ws, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("EDITOR", editor(tmp_path, "p.write_text(p.read_text().replace('title: Create a forum', "
                                                   "'title: [unclosed'))"))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    before = digest(ws)
    result = cli("--root", "ws", "edit", "rep-forum")
    assert result.code == 2 and "nothing was saved" in result.err
    kept = Path(result.err.split("kept in ")[1].split(" ")[0])
    assert "[unclosed" in kept.read_text()
    assert digest(ws) == before
    kept.write_text(kept.read_text().replace("title: [unclosed", "title: Create a forum now"))
    assert cli("--root", "ws", "edit", "rep-forum", "--from", str(kept)).code == 0
    assert show(cli, "rep-forum")["title"] == "Create a forum now"


def test_add_edit_opens_a_filled_template(ws, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("EDITOR", editor(tmp_path, "p.write_text(p.read_text().replace('TEXT', 'Train mentors.'))"))
    result = cli("--root", "ws", "add", "report", "--title", "Train mentors", "--edit", "--theme", "education")
    assert result.code == 0
    rec = show(cli, "report-2025-001")
    assert (rec["title"], rec["text"], rec["themes"]) == ("Train mentors", "Train mentors.", ["education"])


def test_set_no_draft_clears_the_mark(ws, cli):
    assert cli("--root", "ws", "set", "rep-forum", "--draft").code == 0
    assert show(cli, "rep-forum")["draft"] is True
    assert cli("--root", "ws", "set", "rep-forum", "--no-draft").code == 0
    assert "draft" not in show(cli, "rep-forum") and "draft" not in (ws / "report.yaml").read_text()


def test_source_add_set_and_archive(ws, cli, tmp_path):
    document = write(tmp_path / "paper.txt", "Governments should consult the diaspora.\n")
    result = cli("--root", "ws", "source", "add", "--id", "paper", "--title", "A paper", "--date", "2025-02-01",
                 "--author", "A. Writer", "--document", str(document))
    assert result.code == 0 and "archived" in result.out
    assert (ws / "sources" / "paper.txt").read_text() == "Governments should consult the diaspora.\n"
    assert cli("--root", "ws", "source", "set", "paper", "--publisher", "An institute").code == 0
    shown = json.loads(cli("--root", "ws", "source", "show", "paper", "--format", "json").out)
    assert (shown["publisher"], shown["authors"], len(shown["text_sha256"])) == ("An institute", ["A. Writer"], 64)
    assert cli("--root", "ws", "add", "paper", "--title", "Consult", "--text", "Consult the diaspora.",
               "--quote", "Governments should consult the diaspora.").code == 0
    assert cli("--root", "ws", "validate", "--require-archive").code == 1  # report-2025 has no archive
    document.write_text("Governments must consult the diaspora.\n")
    assert cli("--root", "ws", "source", "archive", "paper", "--document", str(document)).code == 0
    problems = cli("--root", "ws", "validate").out
    assert "quote of paper-001 not found in sources/paper.txt" in problems


def test_source_add_refuses_an_existing_id(ws, cli):
    before = digest(ws)
    result = cli("--root", "ws", "source", "add", "--id", "report-2025", "--title", "Again")
    assert result.code == 2 and "already exists" in result.err and digest(ws) == before


def test_owner_add_and_set(ws, cli):
    assert cli("--root", "ws", "owner", "add", "--id", "gender", "--name", "Gender Expert Group",
               "--kind", "expert-group", "--parent", "or").code == 0
    assert cli("--root", "ws", "owner", "set", "gender", "--email", "g@example.org").code == 0
    owners = {o["id"]: o for o in json.loads(cli("--root", "ws", "owner", "list", "--format", "json").out)}
    assert owners["gender"]["parent"] == "org" and owners["gender"]["email"] == "g@example.org"
    before = digest(ws)
    bad = cli("--root", "ws", "owner", "add", "--id", "gender", "--name", "Twice")
    assert bad.code == 2 and "already exists" in bad.err and digest(ws) == before
    assert cli("--root", "ws", "owner", "set", "gender", "--clear", "email").code == 0
    assert "g@example.org" not in (ws / "owners.yaml").read_text()


def test_a_locked_workspace_makes_a_writer_wait_then_fail_cleanly(ws, cli, monkeypatch):
    import subprocess
    import time

    monkeypatch.setenv("DIASPORATRACK_LOCK_TIMEOUT", "0.5")
    journal = ws / "journal.jsonl"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, sys, time; fh = open(sys.argv[1], 'a+b'); fcntl.flock(fh, fcntl.LOCK_EX); "
        "print('locked', flush=True); time.sleep(5)"), str(journal)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        before = digest(ws)
        started = time.monotonic()
        result = cli("--root", "ws", "set", "rep-forum", "--title", "Waiting")
        assert time.monotonic() - started >= 0.5  # it waited before giving up
        assert result.code == 2 and "locked by another diasporatrack process" in result.err
        assert result.err.count("\n") == 1 and digest(ws) == before
    finally:
        holder.kill()
        holder.wait()
    assert cli("--root", "ws", "set", "rep-forum", "--title", "Not waiting").code == 0
