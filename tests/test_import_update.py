"""Stable ids and `import --update`: a refreshed spreadsheet re-imported into the sources it made."""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diasporatrack import Tracker, init_workspace
from diasporatrack.importer.matching import Side, match_rows

SAMPLES = Path(__file__).parent / "samples" / "update"
HEADER = ["Recommendation", "Recommending State", "State under Review", "Response", "Issues", "Session", "Cycle"]
SESSION = "upr-cycle-4-session-42.yaml"


def workspace(tmp_path: Path, name: str = "ws") -> Path:
    root = tmp_path / name
    init_workspace(root)
    return root


def write_rows(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    return path


def digest(root: Path) -> dict[str, str]:
    """Every file of a workspace (but caches) by its content's hash."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and "cache" not in str(p)}


def contents(root: Path) -> list[tuple]:
    return sorted((r.author or "", r.addressed_to, r.text, r.response or "") for r in Tracker.open(root))


def events(root: Path) -> list[dict]:
    return [json.loads(line) for line in (root / "journal.jsonl").read_text().splitlines()]


def test_a_refreshed_upr_file_updates_in_place(tmp_path, cli, monkeypatch):
    monkeypatch.setenv("DIASPORATRACK_USER", "amina")
    root = workspace(tmp_path)
    assert cli("--root", str(root), "import", str(SAMPLES / "upr-2023.csv"), "--preset", "upr").code == 0
    before = {r.text: r.id for r in Tracker.open(root)}
    path = root / SESSION
    path.write_text(path.read_text().replace("recommendations:\n", "recommendations:  # kept as written\n"))
    original = path.read_text()

    result = cli("--root", str(root), "import", str(SAMPLES / "upr-2024.csv"), "--preset", "upr", "--update")
    assert result.code == 0, result.err
    tracker = Tracker.open(root)
    # The corrected typo kept its recommendation, and the match was reported.
    fixed = before["Ratify the Convention against Tortue and its Optional Protocol."]
    assert tracker.get(fixed).text == "Ratify the Convention against Torture and its Optional Protocol."
    assert re.search(rf"matched by similar text \(9\d(\.\d)?%\): row \d+ \(line \d+\) -> {fixed}", result.out)
    # A response given since is a journal event by the importing user, naming the file.
    journalists = before["Protect journalists and human rights defenders from reprisals."]
    assert tracker.get(journalists).response == "supported"
    [event] = [e for e in events(root) if e["recommendation"] == journalists]
    assert (event["by"], event["response"], event["note"]) == ("amina", "supported", "imported from upr-2024.csv")
    # A new row is added; the row that disappeared is reported and kept.
    [added] = [r for r in tracker if r.author == "Kenya"]
    assert f"added {added.id}" in result.out
    dropped = before["Abolish the death penalty for all crimes."]
    assert f"missing {dropped}" in result.out and dropped in tracker
    assert "1 added, 2 changed, 2 unchanged, 1 missing (kept; --prune removes them)" in result.out
    # Only the lines of the changed values changed, and the added item came after the others.
    diff = [line for line in difflib.unified_diff(original.splitlines(), path.read_text().splitlines(), n=0,
                                                  lineterm="") if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert [line for line in diff if line.startswith("-")] == [
        "-  title: Ratify the Convention against Tortue and its Optional Protocol",
        "-  text: Ratify the Convention against Tortue and its Optional Protocol.",
        "-  quote: Ratify the Convention against Tortue and its Optional Protocol.",
    ]
    assert "recommendations:  # kept as written" in path.read_text()
    assert cli("--root", str(root), "validate").code == 0
    # The edits are journaled like `set` does: field, old, new.
    [edit] = [e for e in events(root) if e.get("kind") == "edit" and e.get("field") == "text"]
    assert edit["recommendation"] == fixed and "Tortue" in edit["old"] and "Torture" in edit["new"]

    # The same file again, in another order: nothing to change.
    rows = list(csv.reader((SAMPLES / "upr-2024.csv").open(encoding="utf-8", newline="")))
    shuffled = write_rows(tmp_path / "again.csv", list(reversed(rows[1:])), rows[0])
    state = digest(root)
    again = cli("--root", str(root), "import", str(shuffled), "--preset", "upr", "--update")
    assert again.code == 0 and "nothing to change" in again.err
    assert digest(root) == state

    # --prune removes what the file no longer has, journaled so that history can undo it.
    pruned = cli("--root", str(root), "import", str(shuffled), "--preset", "upr", "--update", "--prune")
    assert pruned.code == 0, pruned.err
    assert dropped not in Tracker.open(root) and f"removed {dropped}" in pruned.out
    [removal] = [e for e in events(root) if e["recommendation"] == dropped and e.get("kind") == "edit"]
    assert removal["old"]["text"] == "Abolish the death penalty for all crimes." and "new" not in removal


def test_dry_run_shows_the_plan_and_writes_nothing(tmp_path, cli):
    root = workspace(tmp_path)
    cli("--root", str(root), "import", str(SAMPLES / "upr-2023.csv"), "--preset", "upr")
    state = digest(root)
    result = cli("--root", str(root), "import", str(SAMPLES / "upr-2024.csv"), "--preset", "upr", "--update",
                 "--dry-run")
    assert result.code == 0, result.err
    assert digest(root) == state
    lines = result.out.splitlines()
    assert lines[0].startswith("would: ") and "1 added, 2 changed, 2 unchanged, 1 missing" in lines[0]
    assert any(re.fullmatch(r"  changed \S+: response \(journal\): \(none\) -> 'supported'", line) for line in lines)
    assert any(re.fullmatch(r"  changed \S+: text: '.*Tortue.*' -> '.*Torture.*'", line) for line in lines)


def test_ids_never_come_from_the_row_position(tmp_path, cli):
    rows = list(csv.reader((SAMPLES / "upr-2023.csv").open(encoding="utf-8", newline="")))
    one, two = workspace(tmp_path, "one"), workspace(tmp_path, "two")
    cli("--root", str(one), "import", str(SAMPLES / "upr-2023.csv"), "--preset", "upr")
    cli("--root", str(two), "import", str(write_rows(tmp_path / "r.csv", list(reversed(rows[1:])), rows[0])),
        "--preset", "upr")
    first = {r.id: r.text for r in Tracker.open(one)}
    assert first == {r.id: r.text for r in Tracker.open(two)}
    assert all(re.fullmatch(r"upr-cycle-4-session-42-pakistan-[0-9a-f]{10}", i) for i in first)


def test_id_column_prefixes_the_source_and_updates_by_id(tmp_path, cli, monkeypatch):
    monkeypatch.setenv("DIASPORATRACK_USER", "lead")
    root = workspace(tmp_path)
    sheet = write_rows(tmp_path / "report.csv", [["140.7", "Ratify the Convention.", "proposed"],
                                                 ["140.8", "Fund the ombudsman.", "proposed"]],
                       ["Para", "text", "status"])
    result = cli("--root", str(root), "import", str(sheet), "--source", "a-hrc-59-15", "--id-column", "Para")
    assert result.code == 0, result.err
    assert sorted(r.id for r in Tracker.open(root)) == ["a-hrc-59-15-140.7", "a-hrc-59-15-140.8"]
    write_rows(sheet, [["140.8", "Fund the ombudsman's office.", "accepted"], ["140.7", "Ratify the Convention.",
                                                                                  "proposed"],
                       ["140.9", "Train judges.", ""]], ["Para", "text", "status"])
    result = cli("--root", str(root), "import", str(sheet), "--source", "a-hrc-59-15", "--id-column", "Para",
                 "--update")
    assert result.code == 0, result.err
    tracker = Tracker.open(root)
    rec = tracker.get("a-hrc-59-15-140.8")
    assert (rec.text, rec.status) == ("Fund the ombudsman's office.", "accepted")
    [status] = [e for e in events(root) if e.get("status")]
    assert (status["by"], status["previous_status"], status["note"]) == ("lead", "proposed",
                                                                        "imported from report.csv")
    assert tracker.get("a-hrc-59-15-140.9").text == "Train judges."
    assert "matched by similar" not in result.out  # matched by id


def test_an_ambiguous_match_is_refused(tmp_path, cli):
    root = workspace(tmp_path)
    base = ["Norway", "Pakistan", "Supported", "Torture", "42", "4"]
    cli("--root", str(root), "import", str(write_rows(tmp_path / "a.csv", [
        ["Ratify the Convention against Torture promptly.", *base],
        ["Ratify the Convention against Torture promptly!!", *base]])), "--preset", "upr")
    state = digest(root)
    sheet = write_rows(tmp_path / "b.csv", [["Ratify the Convention against Torture promptly?", *base]])
    result = cli("--root", str(root), "import", str(sheet), "--preset", "upr", "--update")
    assert result.code == 2
    [line] = result.err.splitlines()
    assert re.fullmatch(rf"diasporatrack: {re.escape(str(sheet))}:2: row 2: its text is like 2 recommendations of "
                        r"upr-cycle-4-session-42 and cannot be matched to one: .*", line)
    assert digest(root) == state


def test_a_failure_while_writing_puts_every_file_back(tmp_path, cli, monkeypatch):
    from diasporatrack.journal import Journal

    root = workspace(tmp_path)
    cli("--root", str(root), "import", str(SAMPLES / "upr-2023.csv"), "--preset", "upr")
    rows = list(csv.reader((SAMPLES / "upr-2024.csv").open(encoding="utf-8", newline="")))
    rows.append(["Adopt a law on migrant workers.", "Mexico", "Pakistan", "Supported", "Migrants", "43", "4"])
    sheet = write_rows(tmp_path / "more.csv", rows[1:], rows[0])
    state = digest(root)

    def fail(self, fh, events):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Journal, "append", fail)
    result = cli("--root", str(root), "import", str(sheet), "--preset", "upr", "--update")
    assert result.code != 0 and "Traceback" not in result.err
    assert digest(root) == state  # the session file back, the new session's file never there
    assert not (root / "upr-cycle-4-session-43.yaml").exists()
    assert not [p for p in root.iterdir() if p.name.startswith(".") and p.suffix == ".tmp"]


@pytest.mark.parametrize(("args", "message"), [
    (["--prune"], "--prune removes what a refreshed file no longer has: it goes with --update"),
    (["--update", "--source", "nowhere"], "--update: there is no source 'nowhere' to update"),
    (["--update", "--title", "T", "--source", "x"], "--title names a new source"),
    (["--id-column", "Nope", "--source", "new"], "--id-column Nope: the file has no such column"),
])
def test_bad_options_are_one_line_errors(tmp_path, cli, args, message):
    root = workspace(tmp_path)
    sheet = write_rows(tmp_path / "s.csv", [["1", "Do it."]], ["Para", "text"])
    state = digest(root)
    result = cli("--root", str(root), "import", str(sheet), *args)
    assert result.code == 2 and len(result.err.splitlines()) == 1 and message in result.err
    assert digest(root) == state


def test_an_id_column_value_that_cannot_be_an_id_is_located(tmp_path, cli):
    root = workspace(tmp_path)
    sheet = write_rows(tmp_path / "s.csv", [["1", "Do it."], ["2/b?", "Do that."]], ["Para", "text"])
    result = cli("--root", str(root), "import", str(sheet), "--source", "r", "--id-column", "Para")
    assert result.code == 2
    assert result.err.splitlines() == [f"diasporatrack: {sheet}:3: row 3: '2/b?' in column 'Para' cannot make an "
                                       "id (letters, digits and . _ : - only)"]


def test_matching_is_indexed_by_key_and_takes_only_clear_pairs():
    rows = [Side(1, ("a",), "ratify the convention against torture.", 1), Side(2, ("a",), "brand new", 2),
            Side(3, ("b",), "x", 3)]
    recs = [Side("r1", ("a",), "ratify the convension against torture", 9), Side("r2", ("b",), "x", 3),
            Side("r3", ("c",), "y", 4), Side("r4", ("b",), "ratify the convention against torture.", 5)]
    found = match_rows(rows, recs)
    assert [(m.row, m.rec_id, m.how) for m in found.matches] == [(1, "r1", "similar"), (3, "r2", "same")]
    assert (found.added, sorted(found.missing), found.ambiguous) == ([2], ["r3", "r4"], [])


# --- properties --------------------------------------------------------------------

WORDS = ["ratify", "convention", "torture", "abolish", "death", "penalty", "protect", "journalists", "migrant",
         "workers", "ombudsman", "schools", "girls", "prisons", "judges", "elections", "water", "housing"]
STATES = ["Norway", "Chile", "Kenya"]
texts = st.lists(st.sampled_from(WORDS), min_size=3, max_size=8).map(lambda w: " ".join(w).capitalize() + ".")
row = st.tuples(texts, st.sampled_from(STATES), st.sampled_from(["Pakistan", "Fiji"]),
                st.sampled_from(["Supported", "Noted"]))
PROPERTY = settings(max_examples=20, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def as_rows(rows) -> list[list[str]]:
    return [[text, author, state, response, "Torture", "42", "4"] for text, author, state, response in rows]


def distinct(rows):
    return list({(r[0], r[1], r[2]): r for r in rows}.values())  # one row per key and text


@PROPERTY
@given(rows=st.lists(row, min_size=1, max_size=12).map(distinct), data=st.data())
def test_a_reimport_in_another_order_changes_nothing(tmp_path_factory, cli, rows, data):
    tmp = tmp_path_factory.mktemp("order")
    root = workspace(tmp)
    assert cli("--root", str(root), "import", str(write_rows(tmp / "a.csv", as_rows(rows))), "--preset",
               "upr").code == 0
    state = digest(root)
    shuffled = data.draw(st.permutations(rows))
    result = cli("--root", str(root), "import", str(write_rows(tmp / "b.csv", as_rows(shuffled))), "--preset", "upr",
                 "--update")
    assert result.code == 0, result.err
    assert "nothing to change" in result.err and digest(root) == state
    fresh = workspace(tmp, "fresh")
    cli("--root", str(fresh), "import", str(tmp / "b.csv"), "--preset", "upr")
    assert {r.id: r.text for r in Tracker.open(fresh)} == {r.id: r.text for r in Tracker.open(root)}


@PROPERTY
@given(old=st.lists(row, min_size=1, max_size=10).map(distinct), new=st.lists(row, max_size=10), data=st.data())
def test_an_update_with_prune_gives_the_new_file_or_refuses(tmp_path_factory, cli, old, new, data):
    tmp = tmp_path_factory.mktemp("trip")
    root = workspace(tmp)
    cli("--root", str(root), "import", str(write_rows(tmp / "a.csv", as_rows(old))), "--preset", "upr")
    kept = data.draw(st.lists(st.sampled_from(old), unique=True)) if old else []
    changed = [(t, a, s, data.draw(st.sampled_from(["Supported", "Noted"]))) for t, a, s, _ in kept]
    wanted = distinct(changed + new)
    if not wanted:
        return
    state = digest(root)
    sheet = write_rows(tmp / "b.csv", as_rows(data.draw(st.permutations(wanted))))
    result = cli("--root", str(root), "import", str(sheet), "--preset", "upr", "--update", "--prune")
    if result.code == 2:  # texts too alike to tell apart: refused, and nothing changed
        assert "cannot be matched to one" in result.err and digest(root) == state
        return
    assert result.code == 0, result.err
    expected = sorted((a, (s,), t, r.casefold()) for t, a, s, r in wanted)
    assert contents(root) == expected
    assert cli("--root", str(root), "validate").code == 0
    state = digest(root)
    again = cli("--root", str(root), "import", str(sheet), "--preset", "upr", "--update", "--prune")
    assert again.code == 0 and "nothing to change" in again.err and digest(root) == state


def test_a_file_changed_after_planning_is_not_overwritten(tmp_path, cli):
    from diasporatrack.errors import InputError
    from diasporatrack.importer import plan_csv

    root = workspace(tmp_path)
    cli("--root", str(root), "import", str(SAMPLES / "upr-2023.csv"), "--preset", "upr")
    plan = plan_csv(Tracker.open(root), SAMPLES / "upr-2024.csv", preset="upr", update=True)
    path = root / SESSION
    path.write_text(path.read_text() + "# a note added meanwhile\n")
    with plan, pytest.raises(InputError, match="changed while the import was planned"):
        plan.write()
    assert path.read_text().endswith("meanwhile\n") and "Tortue" in path.read_text()


def test_prune_never_removes_a_parent(tmp_path, cli):
    root = workspace(tmp_path)
    header = ["Para", "text", "parent"]
    sheet = write_rows(tmp_path / "r.csv", [["1", "Reform the courts.", ""], ["1.1", "Train judges.", "r-1"]], header)
    assert cli("--root", str(root), "import", str(sheet), "--source", "r", "--id-column", "Para").code == 0
    write_rows(sheet, [["1.1", "Train judges.", ""]], header)
    state = digest(root)
    result = cli("--root", str(root), "import", str(sheet), "--source", "r", "--id-column", "Para", "--update",
                 "--prune")
    assert result.code == 2 and "--prune would remove r-1, the parent of r-1.1" in result.err
    assert digest(root) == state


def test_a_pruned_recommendation_keeps_its_history(tmp_path, cli):
    root = workspace(tmp_path)
    header = ["Para", "text"]
    sheet = write_rows(tmp_path / "r.csv", [["1", "Reform the courts."], ["2", "Train judges."]], header)
    assert cli("--root", str(root), "import", str(sheet), "--source", "r", "--id-column", "Para").code == 0
    assert cli("--root", str(root), "update", "r-2", "--status", "accepted", "--note", "agreed").code == 0
    write_rows(sheet, [["1", "Reform the courts."]], header)
    assert cli("--root", str(root), "import", str(sheet), "--source", "r", "--id-column", "Para", "--update",
               "--prune").code == 0
    assert "r-2" not in Tracker.open(root)
    shown = cli("--root", str(root), "history", "r-2")
    assert shown.code == 0 and "no longer in the workspace" in shown.err
    assert "proposed -> accepted; note: agreed" in shown.out and shown.out.rstrip().endswith("removed")
    as_json = json.loads(cli("--root", str(root), "history", "r-2", "--format", "json").out)
    assert [e.get("status") for e in as_json if e.get("kind") != "edit"] == ["accepted"]
    assert as_json[-1]["kind"] == "edit" and as_json[-1].get("new") is None and as_json[-1]["old"]  # the removal
    unknown = cli("--root", str(root), "history", "r-9")
    assert unknown.code == 2 and "r-9" in unknown.err and "Traceback" not in unknown.err
    assert cli("--root", str(root), "history", "r-").code == 0  # a prefix still names the one left, r-1
