"""Writing the authored YAML through the Tracker: only the changed lines, checked, journaled, undoable."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from diasporatrack import InputError, NotFound, Tracker, WorkspaceError
from diasporatrack.authoring import check_recommendation_text, recommendation_text, replace_recommendation_text

from conftest import write


def _sums(root: Path) -> dict[str, str]:
    """Every file's sha256 (the lock may leave an empty journal behind: that is no change)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*"))
            if p.is_file() and p.stat().st_size}


def _journal(root: Path) -> list[dict]:
    path = root / "journal.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_set_fields_changes_only_the_lines_of_the_values_and_journals_each(ws):
    report = ws / "report.yaml"
    before = report.read_text()
    tracker = Tracker.open(ws)
    rec = tracker.set_fields("rep-edu", title="Invest in schools", add={"themes": ["youth"]},
                             remove={"addressed_to": ["UN"]}, by="Amina")
    assert (rec.title, rec.themes, rec.addressed_to) == ("Invest in schools", ("education", "youth"), ("diaspora",))
    expected = before
    for old, new in [("title: Invest in education", "title: Invest in schools"),
                     ("addressed_to: [diaspora, UN]", "addressed_to: [diaspora]"),
                     ("themes: [education]", "themes: [education, youth]")]:
        assert expected.count(old) == 1
        expected = expected.replace(old, new)
    assert report.read_text() == expected
    events = _journal(ws)
    assert [(e["kind"], e["v"], e["field"], e["old"], e["new"], e["by"]) for e in events] == [
        ("edit", 2, "title", "Invest in education", "Invest in schools", "Amina"),
        ("edit", 2, "themes", ["education"], ["education", "youth"], "Amina"),
        ("edit", 2, "addressed_to", ["diaspora", "UN"], ["diaspora"], "Amina"),
    ]
    reopened = Tracker.open(ws)
    assert reopened.get("rep-edu") == rec
    assert [e.describe() for e in reopened.history("rep-edu")][0] == \
        "title: 'Invest in education' -> 'Invest in schools'"


def test_as_of_undoes_the_edits_recorded_after_that_day(ws):
    tracker = Tracker.open(ws)
    tracker.set_fields("rep-edu", title="Invest in schools", themes=["a", "b"])
    tracker.add_recommendation("report-2025", {"title": "New", "text": "Something new."})
    tracker.remove_recommendation("rep-forum")
    tracker.add_source({"id": "other", "title": "Other"})
    tracker.move_recommendation("rep-health", "other")
    now = Tracker.open(ws)
    assert "rep-forum" not in now and now.get("rep-health").source == "other" and "other" in now.sources
    assert not now.warnings
    past = now.as_of(dt.date.today() - dt.timedelta(days=1))
    assert sorted(r.id for r in past) == ["rep-education", "rep-forum", "rep-health"]
    assert past.get("rep-edu").title == "Invest in education"
    assert past.get("rep-edu").themes == ("education",)
    assert past.get("rep-health").source == "report-2025"
    assert past.get("rep-forum").addressed_to == ("UN", "EU")
    assert "other" not in past.sources
    today = now.as_of(dt.date.today())
    assert sorted(r.id for r in today) == sorted(r.id for r in now)


def test_add_recommendation_takes_the_next_free_id_and_appends_its_lines(ws):
    report = ws / "report.yaml"
    before = report.read_text()
    tracker = Tracker.open(ws)
    first = tracker.add_recommendation("report", {"title": "no", "text": "Two\nlines.", "themes": ["12:30"]})
    second = tracker.add_recommendation("report", {"title": "Other", "text": "x"})
    assert (first.id, second.id) == ("report-2025-001", "report-2025-002")
    after = report.read_text()
    assert after.startswith(before)
    assert after[len(before):] == (
        "  - id: report-2025-001\n    title: 'no'\n    text: |-\n      Two\n      lines.\n    themes: ['12:30']\n"
        "  - id: report-2025-002\n    title: Other\n    text: x\n"
    )
    assert Tracker.open(ws).get("report-2025-001").text == "Two\nlines."


def test_an_existing_id_is_refused_naming_where_it_is_and_nothing_is_written(ws):
    before = _sums(ws)
    with pytest.raises(InputError, match=r"'rep-forum' already exists at .*report.yaml:\d+"):
        Tracker.open(ws).add_recommendation("report", {"title": "T", "text": "x"}, id="rep-forum")
    assert _sums(ws) == before


@pytest.mark.parametrize("call, message", [
    (lambda t: t.set_fields("rep-forum", owners=["nobody"]), "unknown owner 'nobody'"),
    (lambda t: t.set_fields("rep-forum", due="2025-02-30"), "not a date"),
    (lambda t: t.set_fields("rep-forum", title=None), "title is required"),
    (lambda t: t.set_fields("rep-forum", status="accepted"), "use update"),
    (lambda t: t.set_fields("rep-forum", colour="red"), "unknown field 'colour'"),
    (lambda t: t.set_fields("rep-forum", remove={"themes": ["nope"]}), "'nope' is not among the themes"),
    (lambda t: t.set_fields("rep-forum", title="Create a forum"), "nothing to change"),
    (lambda t: t.set_fields("rep-forum", id="new-id"), "cannot change"),
    (lambda t: t.add_recommendation("report", {"title": "T"}), "needs a text"),
    (lambda t: t.add_recommendation("nope", {"title": "T", "text": "x"}), "no source"),
    (lambda t: t.move_recommendation("rep-forum", "report"), "already belongs"),
    (lambda t: t.add_source({"id": "report-2025", "title": "Again"}), "already exists"),
    (lambda t: t.add_owner({"id": "org", "name": "Again"}), "already exists"),
    (lambda t: t.set_owner_fields("edu", parent="nobody"), "unknown parent 'nobody'"),
    (lambda t: t.set_source_fields("report", date="soon"), "not a date"),
])
def test_bad_changes_are_refused_and_nothing_is_written(ws, call, message):
    tracker = Tracker.open(ws)
    before = _sums(ws)
    with pytest.raises((InputError, NotFound, WorkspaceError), match=message):
        call(tracker)
    assert _sums(ws) == before


def test_owners_and_due_changed_by_update_stay_with_update(ws):
    tracker = Tracker.open(ws)
    tracker.set_fields("rep-forum", owners=["edu"])  # the starting point, while the journal has none
    tracker.update("rep-forum", due="2026-01-31")
    with pytest.raises(InputError, match="changed with update"):
        tracker.set_fields("rep-forum", due="2027-01-01")
    assert Tracker.open(ws).get("rep-forum").owners == ("edu",)


def test_a_workspace_with_problems_is_not_written_to(ws):
    write(ws / "broken.yaml", "source:\n  id: b\nrecommendations: []\n")
    before = _sums(ws)
    with pytest.raises(WorkspaceError, match="lacks required field 'title'"):
        Tracker.load(ws).set_fields("rep-forum", title="T")
    assert _sums(ws) == before


def test_remove_keeps_the_history_in_the_journal_without_warnings(ws):
    tracker = Tracker.open(ws)
    tracker.update("rep-forum", status="accepted")
    tracker.remove_recommendation("rep-forum")
    assert "rep-forum" not in (ws / "report.yaml").read_text()
    reopened = Tracker.open(ws, cache=False)
    assert "rep-forum" not in reopened and not reopened.warnings
    assert [e["recommendation"] for e in _journal(ws)] == ["rep-forum", "rep-forum"]
    assert reopened.as_of(dt.date.today() - dt.timedelta(days=1)).get("rep-forum").status == "proposed"


def test_move_carries_the_lines_as_written(ws):
    write(ws / "other.yaml", "source:\n  id: other\n  title: Other\nrecommendations: []  # later\n")
    report = (ws / "report.yaml").read_text().replace("    title: Create a forum\n",
                                                       "    title: Create a forum   # the best one\n")
    (ws / "report.yaml").write_text(report)
    Tracker.open(ws).move_recommendation("rep-forum", "other")
    assert (ws / "other.yaml").read_text() == (
        "source:\n  id: other\n  title: Other\nrecommendations:  # later\n"
        "  - id: rep-forum\n    title: Create a forum   # the best one\n    text: Create a forum for the diaspora.\n"
        "    addressed_to: [UN, EU]\n    themes: [dialogue]\n"
    )
    assert "rep-forum" not in (ws / "report.yaml").read_text()
    assert Tracker.open(ws).get("rep-forum").source == "other"


def test_sources_and_owners(ws):
    tracker = Tracker.open(ws)
    source = tracker.add_source({"id": "new-src", "title": "New", "date": "2025-03-01", "authors": ["B, C"]})
    assert source.date == dt.date(2025, 3, 1)
    assert (ws / "new-src.yaml").read_text() == (
        "source:\n  id: new-src\n  title: New\n  date: 2025-03-01\n  authors: ['B, C']\nrecommendations: []\n")
    tracker.set_source_fields("new-src", add={"authors": ["D"]}, url="https://example.org/r")
    owners_before = (ws / "owners.yaml").read_text()
    owner = tracker.add_owner({"id": "ngo", "name": "An NGO", "kind": "organisation"})
    tracker.set_owner_fields("ngo", email="ngo@example.org")
    assert owner.name == "An NGO"
    assert (ws / "owners.yaml").read_text() == owners_before + (
        "  - id: ngo\n    name: An NGO\n    kind: organisation\n    email: ngo@example.org\n")
    reopened = Tracker.open(ws)
    assert reopened.sources["new-src"].authors == ("B, C", "D")
    assert reopened.owners["ngo"].email == "ngo@example.org"
    assert not reopened.warnings
    subjects = [(e.get("subject"), e.get("field")) for e in _journal(ws)]
    assert subjects == [("source", None), ("source", "url"), ("source", "authors"), ("owner", None),
                        ("owner", "email")]


def test_add_owner_creates_owners_yaml_when_missing(ws):
    (ws / "owners.yaml").unlink()
    (ws / "report.yaml").write_text((ws / "report.yaml").read_text().replace("    owners: [org]\n", "")
                                    .replace("    owners: [edu]\n", ""))
    write(ws / "diasporatrack.yaml", "disable: []\n")
    Tracker.open(ws).add_owner({"id": "org", "name": "Org"})
    assert (ws / "owners.yaml").read_text() == "owners:\n  - id: org\n    name: Org\n"


def test_the_text_of_one_recommendation_for_an_editor(ws):
    tracker = Tracker.open(ws)
    text = recommendation_text(tracker, "rep-edu")
    assert text.startswith("id: rep-education\ntitle: Invest in education\n")
    edited = text.replace("title: Invest in education", "title: Invest in schools  # shorter")
    rec = replace_recommendation_text(tracker, "rep-edu", edited, by="Amina")
    assert rec.title == "Invest in schools"
    assert "    title: Invest in schools  # shorter\n" in (ws / "report.yaml").read_text()
    assert [(e["field"], e["new"]) for e in _journal(ws)] == [("title", "Invest in schools")]


@pytest.mark.parametrize("edited, message", [
    ("id: rep-education\ntitle: [unclosed\n", r"<edited text>:\d+: did not find expected"),
    ("id: rep-education\ntext: x\n", "lacks required field 'title'"),
    ("id: other-id\ntitle: T\ntext: x\n", "the id cannot change"),
    ("id: rep-education\ntitle: T\ntext: x\nimpact: huge\n", "<edited text>:4: impact: 'huge' is not an impact"),
    ("id: rep-education\ntitle: T\ntext: x\nstatus: accepted\n", "use update --status"),
])
def test_an_invalid_edited_text_is_refused_with_its_line_and_nothing_is_written(ws, edited, message):
    tracker = Tracker.open(ws)
    before = _sums(ws)
    with pytest.raises((WorkspaceError, InputError), match=message):
        replace_recommendation_text(tracker, "rep-edu", edited)
    assert _sums(ws) == before
    assert check_recommendation_text("id: x\ntitle: T\ntext: ok\n") == []


def test_comments_crlf_and_a_byte_order_mark_survive(ws):
    report = ws / "report.yaml"
    raw = b"\xef\xbb\xbf# top\r\n" + report.read_bytes().replace(b"\n", b"\r\n")
    report.write_bytes(raw)
    Tracker.open(ws).set_fields("rep-forum", title="A forum")
    assert report.read_bytes() == raw.replace(b"title: Create a forum\r\n", b"title: A forum\r\n")


def test_the_cache_sees_the_change(ws):
    Tracker.open(ws)  # writes the cache
    Tracker.open(ws).set_fields("rep-forum", title="A forum")
    assert Tracker.open(ws).get("rep-forum").title == "A forum"


def test_when_the_journal_cannot_take_the_events_the_files_are_put_back(ws, monkeypatch):
    from diasporatrack.errors import JournalError
    from diasporatrack.journal import Journal

    write(ws / "other.yaml", "source:\n  id: other\n  title: Other\nrecommendations: []\n")
    tracker = Tracker.open(ws)
    before = _sums(ws)

    def full_disk(self, fh, events):
        raise JournalError("cannot append to the journal: No space left on device")

    monkeypatch.setattr(Journal, "append", full_disk)
    with pytest.raises(JournalError):
        tracker.move_recommendation("rep-forum", "other")
    with pytest.raises(JournalError):
        tracker.add_source({"id": "third", "title": "Third"})
    assert _sums(ws) == before
    assert sorted(p.name for p in ws.iterdir()) == ["journal.jsonl", "other.yaml", "owners.yaml", "report.yaml"]


def test_a_hand_edit_between_two_writes_is_read_not_overwritten(ws):
    tracker = Tracker.open(ws)
    tracker.set_fields("rep-forum", title="A forum")
    report = ws / "report.yaml"
    report.write_text(report.read_text().replace("title: Invest in education", "title: Schools first"))
    tracker.set_fields("rep-health", title="Health first")
    text = report.read_text()
    assert "title: Schools first" in text and "title: Health first" in text and "title: A forum" in text
    report.write_text(text + "  - id: rep-forum\n    title: Twice\n    text: x\n")
    with pytest.raises(WorkspaceError, match="duplicate recommendation id 'rep-forum'"):
        tracker.set_fields("rep-health", title="Again")


def test_a_new_recommendation_written_in_an_editor(ws):
    from diasporatrack.authoring import add_recommendation_text, new_recommendation_text

    tracker = Tracker.open(ws)
    template = new_recommendation_text(tracker, "report", {"themes": ["health"]})
    assert template == ("id: report-2025-001\ntitle:\ntext:\nthemes: [health]\n"
                        "# quote:\n# addressed_to: []\n# owners: []\n# due: YYYY-MM-DD\n# impact:\n")
    before = _sums(ws)
    with pytest.raises(WorkspaceError, match="<edited text>:1: recommendation lacks required field 'title'"):
        add_recommendation_text(tracker, "report", template)
    assert _sums(ws) == before
    written = template.replace("title:", "title: Clinics  # from the panel").replace("text:", "text: Open clinics.")
    rec = add_recommendation_text(tracker, "report", written, by="Amina")
    assert (rec.id, rec.title, rec.themes) == ("report-2025-001", "Clinics", ("health",))
    assert (ws / "report.yaml").read_text().endswith(
        "  - id: report-2025-001\n    title: Clinics  # from the panel\n"
        "    text: Open clinics.\n    themes: [health]\n    # quote:\n    # addressed_to: []\n    # owners: []\n"
        "    # due: YYYY-MM-DD\n    # impact:\n")
    with pytest.raises(InputError, match="'report-2025-001' already exists at .*report.yaml:"):
        add_recommendation_text(tracker, "report", written)
    assert _journal(ws)[-1]["new"]["title"] == "Clinics"


def test_writes_from_a_tracker_whose_working_folder_changed_find_their_files(ws, monkeypatch):
    tracker = Tracker.open(ws)
    tracker.set_fields("rep-forum", title="A forum")
    monkeypatch.chdir(ws)  # a long-running program may move; the paths it kept were relative
    tracker.set_fields("rep-health", title="Health first")
    text = (ws / "report.yaml").read_text()
    assert "title: A forum" in text and "title: Health first" in text
