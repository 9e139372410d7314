"""Publishing keeps private data private: every public artefact read back, byte by byte and cell by cell."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write
from diasporatrack import Tracker
from diasporatrack.errors import WorkspaceError
from diasporatrack.journal import ATTRIBUTION_VERSION, event_from_dict, event_to_dict, event_to_line
from diasporatrack.model import Event

SECRET_OWNERS = """\
owners:
  - id: org
    name: The Organisation
    kind: organisation
    email: board@org.example
    note: OWNER-NOTE-keep-private
  - id: edu
    name: Education Expert Group
    kind: expert-group
    parent: org
    email: edu-group@org.example
  - id: health
    name: Healthcare Expert Group
    kind: expert-group
    parent: org
  - id: zainab
    name: Zainab Quietperson
    kind: person
    parent: org
    email: zainab@mail.example
"""
MEMBERS = ("Amina Privatename", "Bilal Hiddenname", "tester")
PRIVATE_NOTES = ("PRIVNOTE-board-minutes", "PRIVNOTE-phone-call", "PRIVNOTE-respond")
EMAILS = ("board@org.example", "edu-group@org.example", "zainab@mail.example", "chair@org.example",
          "imported@mail.example")
PUBLIC_NOTE = "Announced at the public hearing"


@pytest.fixture
def seeded(ws):
    """The small workspace with e-mails, members' names, a person owner and private notes in it."""
    write(ws / "owners.yaml", SECRET_OWNERS)
    write(ws / "report.yaml", (ws / "report.yaml").read_text().replace(
        "    owners: [edu]\n", "    owners: [edu, zainab]\n").replace(
        "    themes: [dialogue]\n", "    themes: [dialogue]\n    extra: {Contact: imported@mail.example}\n"
        "  - id: rep-draft\n    title: Unconfirmed DRAFT-text\n    text: Not checked yet.\n    draft: true\n"))
    tracker = Tracker.open(ws)
    tracker.update("rep-health", status="accepted", note=PRIVATE_NOTES[0], by=MEMBERS[0])
    tracker.update("rep-health", status="in-progress", note=PUBLIC_NOTE, public_note=True, by=MEMBERS[1],
                   for_owner="health")
    tracker.update("rep-education", add_owners=["health"], note=PRIVATE_NOTES[1], by=MEMBERS[1], for_owner="zainab")
    tracker.respond("rep-forum", "noted", note=PRIVATE_NOTES[2], by=MEMBERS[0])
    # Edits of the YAML are journaled with old and new values: an author's name, an owner's address.
    tracker.set_fields("rep-forum", author="Secret Speaker", by=MEMBERS[1])
    tracker.set_owner_fields("edu", email="chair@org.example", by=MEMBERS[1])
    tracker.set_owner_fields("edu", email="edu-group@org.example", by=MEMBERS[1])
    tracker.record_events([Event(
        id="r1", at=dt.datetime.now(dt.timezone.utc), by=MEMBERS[0], recommendation="rep-forum", kind="reminded",
        data={"recipient": EMAILS[3], "summary": f"overdue via email to {EMAILS[3]}"})])
    return ws


def _secrets_in(text: str) -> list[str]:
    return [s for s in (*EMAILS, *MEMBERS, *PRIVATE_NOTES, "OWNER-NOTE", "Zainab", "Secret Speaker", "DRAFT-text")
            if s in text]


def _database_text(path) -> str:
    """Every table name, column name and value of a SQLite file, as one text."""
    db = sqlite3.connect(path)
    parts = []
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        cursor = db.execute(f'SELECT * FROM "{table}"')
        parts.append(table + " " + " ".join(d[0] for d in cursor.description))
        parts += [" ".join(map(str, row)) for row in cursor]
    db.close()
    return "\n".join(parts)


def test_every_public_artefact_is_free_of_private_data(seeded, cli, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for fmt, name in (("html", "dashboard.html"), ("markdown", "report.md"), ("sqlite", "tracking.db")):
        result = cli("--root", str(seeded), "export", fmt, "-o", str(out / name))
        assert result.code == 0, result.err
        assert "public" in result.err
    assert cli("--root", str(seeded), "export", "sqlite", "-o", str(out / "tracking.db"), "--metadata").code == 0
    assert cli("--root", str(seeded), "export", "json", "--public", "-o", str(out / "data.json")).code == 0
    assert cli("--root", str(seeded), "export", "csv", "--public", "-o", str(out / "data.csv")).code == 0
    files = sorted(p for p in out.iterdir() if p.is_file())
    assert [p.name for p in files] == ["dashboard.html", "data.csv", "data.json", "metadata.json", "report.md",
                                       "tracking.db"]
    for path in files:
        text = _database_text(path) if path.suffix == ".db" else path.read_text(encoding="utf-8")
        assert _secrets_in(text) == [], path.name
        if path.suffix == ".db":  # nor hidden in the raw bytes (free pages, indexes)
            assert not [s for s in EMAILS + MEMBERS + PRIVATE_NOTES if s.encode() in path.read_bytes()]
    # What may be published is there: the public note and whom a change was done for.
    db = sqlite3.connect(out / "tracking.db")
    rows = db.execute("SELECT note, done_for, attributed_to FROM events WHERE recommendation = 'rep-health' "
                      "ORDER BY at").fetchall()
    assert rows == [(None, None, "a member"), (PUBLIC_NOTE, "health", "Healthcare Expert Group")]
    columns = {t: [c[1] for c in db.execute(f"PRAGMA table_info({t})")] for t in ("owners", "events", "sources")}
    assert columns["owners"] == ["id", "name", "kind", "parent"]
    assert "by" not in columns["events"] and "data" not in columns["events"] and "note" not in columns["sources"]
    assert db.execute("SELECT count(*) FROM events WHERE kind = 'reminded'").fetchone() == (0,)
    assert db.execute("SELECT owners FROM recommendations WHERE id = 'rep-education'").fetchone() == \
        ('["edu", "health"]',)
    html = (out / "dashboard.html").read_text(encoding="utf-8")
    assert PUBLIC_NOTE in html and "Healthcare Expert Group" in html


def test_complete_exports_stay_complete_and_private_says_so(seeded, cli, tmp_path):
    data = json.loads(cli("--root", str(seeded), "export", "json").out)
    assert {o["email"] for o in data["owners"]} >= {"board@org.example"}
    notes = {e.get("note") for r in data["recommendations"] for e in r["history"]}
    assert set(PRIVATE_NOTES) <= notes
    health = next(r for r in data["recommendations"] if r["id"] == "rep-health")
    assert health["history"][1]["v"] == ATTRIBUTION_VERSION and health["history"][1]["for"] == "health"
    result = cli("--root", str(seeded), "export", "sqlite", "--private", "-o", str(tmp_path / "all.db"))
    assert result.code == 0 and "private export" in result.err and "do not publish" in result.err
    db = sqlite3.connect(tmp_path / "all.db")
    assert db.execute("SELECT email FROM owners WHERE id = 'zainab'").fetchone() == ("zainab@mail.example",)
    assert {r[0] for r in db.execute("SELECT by FROM events")} >= {MEMBERS[0], MEMBERS[1]}
    rows = list(csv.DictReader(io.StringIO(cli("--root", str(seeded), "export", "csv").out)))
    assert next(r for r in rows if r["id"] == "rep-education")["owners"] == "edu; zainab; health"
    rows = list(csv.DictReader(io.StringIO(cli("--root", str(seeded), "export", "csv", "--public").out)))
    assert next(r for r in rows if r["id"] == "rep-education")["owners"] == "edu; health"
    assert cli("--root", str(seeded), "export", "csv", "--public", "--private").code == 2


def test_publish_settings_choose_persons_fields_statuses_and_sources(seeded, cli, tmp_path):
    write(seeded / "diasporatrack.yaml", """\
        publish:
          title: Our tracker
          persons: true
          fields: [text, owners, history]
          statuses: [in-progress, proposed]
          sources: [report-2025]
        """)
    data = json.loads(cli("--root", str(seeded), "export", "json", "--public").out)
    assert sorted(r["id"] for r in data["recommendations"]) == ["rep-education", "rep-forum", "rep-health"]
    assert [o["name"] for o in data["owners"] if o["id"] == "zainab"] == ["Zainab Quietperson"]
    assert all(o["email"] is None and o["note"] is None for o in data["owners"])
    education = next(r for r in data["recommendations"] if r["id"] == "rep-education")
    assert education["owners"] == ["edu", "zainab", "health"] and education["quote"] is None
    assert education["history"][0]["by"] == "Zainab Quietperson"  # done for a person who may now be named
    write(seeded / "diasporatrack.yaml", "publish:\n  title: Our *own* tracker\n  statuses: [in-progress]\n")
    result = cli("--root", str(seeded), "export", "markdown", "-o", str(tmp_path / "r.md"))
    assert "wrote 1 recommendation to" in result.err
    assert (tmp_path / "r.md").read_text().startswith("# Our \\*own\\* tracker\n")
    write(seeded / "diasporatrack.yaml", "publish:\n  sources: [nope]\n")
    result = cli("--root", str(seeded), "export", "html")
    assert result.code == 2 and "publish: sources: no source 'nope'" in result.err


@pytest.mark.parametrize(("setting", "message"), [
    ("publish: yes", "each publish settings must be a mapping"),
    ("publish:\n  persons: 1", "persons: expected true or false"),
    ("publish:\n  fields: [titel, emails]", "'titel' is not a recommendation field"),
    ("publish:\n  statuses: [done]", "publish: statuses: 'done' is not a status"),
    ("publish:\n  colour: red", "unknown field 'colour' in publish settings"),
])
def test_bad_publish_settings_are_located(ws, cli, setting, message):
    write(ws / "diasporatrack.yaml", setting + "\n")
    result = cli("--root", "ws", "validate")
    assert result.code == 1
    assert f"diasporatrack.yaml:{1 if setting.count(chr(10)) == 0 else 2}: " in result.out + result.err
    assert message in result.out + result.err


def test_public_note_needs_a_note_and_for_needs_an_owner(ws, cli):
    result = cli("--root", "ws", "update", "rep-health", "--status", "accepted", "--public-note")
    assert result.code == 2 and "a public note needs a note" in result.err
    result = cli("--root", "ws", "respond", "rep-health", "noted", "--for", "nobody")
    assert result.code == 2 and "owner" in result.err
    result = cli("--root", "ws", "update", "rep-health", "--note", "seen", "--public-note", "--for", "heal")
    assert result.code == 0 and "for health; public note: seen" in result.out
    line = json.loads((ws / "journal.jsonl").read_text().splitlines()[-1])
    assert (line["v"], line["for"], line["public"]) == (4, "health", True)


def test_version_1_lines_stay_valid_and_fold_the_same(ws):
    old = ('{"id":"a","at":"2025-01-02T00:00:00.000000Z","by":"x","recommendation":"rep-health",'
           '"kind":"update","status":"accepted","previous_status":"proposed","note":"old"}\n')
    (ws / "journal.jsonl").write_text(old)
    rec = Tracker.open(ws).get("rep-health")
    assert rec.status == "accepted" and rec.history[0].for_owner is None and rec.history[0].public is False
    assert event_to_line(rec.history[0]).decode() == old  # written back exactly: no "v" for a version 1 event


def test_a_newer_event_version_is_refused_with_its_line(ws):
    from diasporatrack.journal import SCHEMA_VERSION

    newer = SCHEMA_VERSION + 1
    (ws / "journal.jsonl").write_text(
        f'{{"v":{newer},"id":"a","at":"2025-01-02T00:00:00Z","by":"x","recommendation":"rep-health"}}\n' * 2)
    with pytest.raises(WorkspaceError) as info:
        Tracker.open(ws)
    problem = info.value.problems[0]
    assert problem.line == 1 and "written by a newer diasporatrack" in problem.message


def test_for_and_public_are_written_as_version_4_and_nothing_else_is(ws):
    tracker = Tracker.open(ws)
    plain = tracker.update("rep-health", note="private").history[-1]
    marked = tracker.respond("rep-forum", "noted", note="said in public", public_note=True).history[-1]
    lines = [json.loads(x) for x in (ws / "journal.jsonl").read_text().splitlines()]
    assert "v" not in lines[0] and lines[1]["v"] == ATTRIBUTION_VERSION
    assert [event_from_dict(x) for x in lines] == [plain, marked]


@given(st.sampled_from([None, "org", "edu"]), st.booleans(), st.sampled_from([None, "why"]))
def test_version_4_fields_round_trip(for_owner, public, note):
    event = Event(id="e", at=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc), by="p", recommendation="r",
                  note=note, for_owner=for_owner, public=public, v=ATTRIBUTION_VERSION if for_owner or public else 1)
    raw = event_to_dict(event)
    assert ("v" in raw) == (for_owner is not None or public)
    assert event_from_dict(json.loads(event_to_line(event))) == event


class _Spy:
    """A plugin exporter that says it makes a published artefact, and shows what it was given."""

    name, extension, description, public = "spy", "txt", "what a public exporter sees", True

    def export(self, tracker, recommendations):
        scores = tracker.score("urgency")
        seen = [f"{r.id} {len(tracker)} {scores[r.id].value >= 0} " + ";".join(f"{e.by}|{e.note}" for e in r.history)
                for r in recommendations]
        return "\n".join([type(tracker).__name__, *seen])


def test_a_plugin_exporter_marked_public_gets_the_view(seeded):
    from diasporatrack import hookimpl

    class Plugin:
        @hookimpl
        def register_exporters(self):
            return [_Spy()]

    tracker = Tracker.open(seeded, plugins=[Plugin()])
    text = tracker.export("spy")
    assert text.splitlines()[0] == "PublishedView" and _secrets_in(text) == []
    assert "rep-health 3 True a member|None;Healthcare Expert Group|" + PUBLIC_NOTE in text
    assert tracker.export("spy", public=False).splitlines()[0] == "Tracker"


_token = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüçşğıəابپت", min_size=6, max_size=12)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(member=_token, note=_token, mailbox=_token, for_owner=st.sampled_from([None, "org"]))
def test_no_public_artefact_ever_holds_a_private_string(ws, tmp_path_factory, member, note, mailbox, for_owner):
    # Whatever the member's name, the note and the address are, and however the change was recorded.
    private = {"PRIV" + member, "NOTE" + note, f"{mailbox}@mail.example"}
    root = tmp_path_factory.mktemp("ws")
    write(root / "owners.yaml", f"owners:\n  - id: org\n    name: The Organisation\n    email: {mailbox}@mail.example\n")
    write(root / "report.yaml", (ws / "report.yaml").read_text().replace("    owners: [edu]\n", ""))
    tracker = Tracker.open(root)
    tracker.update("rep-health", status="accepted", note="NOTE" + note, by="PRIV" + member, for_owner=for_owner)
    tracker.respond("rep-forum", "noted", note="shown " + note, public_note=True, by="PRIV" + member)
    for fmt in ("html", "markdown", "json", "csv"):
        text = tracker.export(fmt, public=True)
        assert not [p for p in private if p in text], fmt
    raw = tracker.export("sqlite")
    assert not [p for p in private if p.encode() in raw]
    assert ("shown " + note) in tracker.export("html")
    health = next(r for r in json.loads(tracker.export("json", public=True))["recommendations"] if r["id"] == "rep-health")
    assert health["history"][0]["by"] == ("The Organisation" if for_owner else "a member")
