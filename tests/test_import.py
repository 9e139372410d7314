"""Import: spreadsheets, Markdown lists, UPR files, and reading back what export wrote."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diasporatrack import DEFAULT_LIFECYCLE, Tracker, init_workspace
from diasporatrack.serialize import owner_to_dict, recommendation_to_dict, source_to_dict
from rowids import nth


def fresh(tmp_path, name="target"):
    root = tmp_path / name
    init_workspace(root)
    return root


def test_csv_with_a_map_and_bad_rows_writes_nothing(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    root = fresh(tmp_path)
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Recommendation,Who,Due\n"
                     "Fund a diaspora forum,UN; EU,2026-05-01\n"
                     ",UN,\n"
                     "Train mentors,diaspora,2026-02-30\n", encoding="utf-8")
    result = cli("--root", str(root), "import", str(sheet), "--source", "forum-2026",
                 "--map", "Recommendation=text", "--map", "who=addressed_to", "--map", "Due=due")
    assert result.code == 2
    assert [line for line in result.err.splitlines() if line.startswith("diasporatrack:")] == [
        f"diasporatrack: {sheet}:3: row 3: the recommendation text is empty",
        f"diasporatrack: {sheet}:4: row 4: due '2026-02-30' is not a date (day is out of range for month)",
    ]
    assert not (root / "forum-2026.yaml").exists()
    sheet.write_text("Recommendation,Who,Due\nFund a diaspora forum,UN; EU,2026-05-01\n", encoding="utf-8")
    result = cli("--root", str(root), "import", str(sheet), "--source", "forum-2026",
                 "--map", "Recommendation=text", "--map", "who=addressed_to", "--map", "Due=due")
    assert result.code == 0, result.err
    assert f"{sheet}: columns read: Recommendation -> text, Who -> addressed_to, Due -> due" in result.err
    rec = nth(Tracker.open(root), "forum-2026", 1)
    assert (rec.text, rec.addressed_to, rec.due) == ("Fund a diaspora forum", ("UN", "EU"), dt.date(2026, 5, 1))
    again = cli("--root", str(root), "import", str(sheet), "--source", "forum-2026", "--map", "Recommendation=text")
    assert again.code == 2 and "source 'forum-2026' is already in the workspace" in again.err


def test_csv_errors(tmp_path, cli):
    root = fresh(tmp_path)
    sheet = tmp_path / "s.csv"
    sheet.write_text("a,b\n1,2\n")
    assert "no 'text' or 'title' column" in cli("--root", str(root), "import", str(sheet), "--source", "x").err
    assert "the file has no column 'c'" in cli("--root", str(root), "import", str(sheet), "--source", "x",
                                               "--map", "c=text").err
    sheet.write_text("text,owners\nDo it,ghost\n")
    result = cli("--root", str(root), "import", str(sheet), "--source", "x")
    assert result.code == 2 and "row 2: unknown owner 'ghost'" in result.err
    assert cli("--root", str(root), "import", str(sheet), "--source", "x", "--create-owners").code == 0
    assert "ghost" in Tracker.open(root).owners
    (tmp_path / "latin.csv").write_bytes("text\ncaf\xe9\n".encode("latin-1"))
    result = cli("--root", str(root), "import", str(tmp_path / "latin.csv"), "--source", "y")
    assert result.code == 0 and "read as Windows-1252 (guessed; --encoding overrides)" in result.err
    assert nth(Tracker.open(root), "y", 1).text == "caf\xe9"


def test_markdown_bullets(tmp_path, cli):
    root = fresh(tmp_path)
    page = tmp_path / "report.md"
    page.write_text("# Dialogue on education\n\nSome intro.\n\n## Schools\n\n"
                    "- Invest in projects that promote critical thinking.\n"
                    "  More words on the same item.\n"
                    "- Form small groups of experts.\n\n## Health\n\n1. Address the brain drain.\n",
                    encoding="utf-8")
    result = cli("--root", str(root), "import", str(page), "--source", "plain")
    assert result.code == 0, result.err
    assert Tracker.open(root).get("plain-001").themes == ()  # headings are themes only when asked
    result = cli("--root", str(root), "import", str(page), "--source", "dialogue", "--headings-as-themes")
    assert result.code == 0, result.err
    tracker = Tracker.open(root)
    assert tracker.sources["dialogue"].title == "Dialogue on education"
    first = tracker.get("dialogue-001")
    assert first.text == "Invest in projects that promote critical thinking. More words on the same item."
    assert first.quote == first.text and first.themes == ("schools",)
    assert tracker.get("dialogue-003").themes == ("health",)
    empty = tmp_path / "empty.md"
    empty.write_text("# Nothing\n\nJust prose.\n")
    assert "no list items or numbered paragraphs found" in cli("--root", str(root), "import", str(empty), "--source", "e").err


UPR = """\
Recommendation,Recommending State,State under Review,Response,Issues,Session,Cycle
"Ratify the Optional Protocol, as soon as possible",Norway,Pakistan,Supported,"Torture; Detention",42,4
Strengthen the national human rights institution,Chile,Pakistan,Noted,National human rights institution,42,4
Protect journalists,Sweden,Pakistan,Supported in part,Freedom of expression,28,3
"""


def test_upr_preset(tmp_path, cli):
    root = fresh(tmp_path)
    sheet = tmp_path / "upr.csv"
    sheet.write_text(UPR, encoding="utf-8")
    result = cli("--root", str(root), "import", str(sheet), "--preset", "upr")
    assert result.code == 0, result.err
    tracker = Tracker.open(root)
    assert sorted(tracker.sources) == ["upr-cycle-3-session-28", "upr-cycle-4-session-42"]
    first = nth(tracker, "upr-cycle-4-session-42", 1)
    assert first.text == "Ratify the Optional Protocol, as soon as possible"
    assert (first.author, first.addressed_to, first.response) == ("Norway", ("Pakistan",), "supported")
    assert first.themes == ("torture", "detention")
    assert nth(tracker, "upr-cycle-3-session-28", 1).response == "supported-in-part"
    assert [r.id for r in tracker.query(response="noted")] == [nth(tracker, "upr-cycle-4-session-42", 2).id]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Recommendation,Response\nx,Supported\n", "not a upr file (preset upr): missing columns (addressed_to"),
        ("Recommendation,State under review\n,Pakistan\n", "row 2: the recommendation text is empty"),
        ("Recommendation,State under review,Response\nx,Pakistan,Maybe\n", "row 2: response 'Maybe' (on this row) is not one of this workspace's response values"),
    ],
)
def test_upr_errors(tmp_path, cli, content, message):
    root = fresh(tmp_path)
    (tmp_path / "u.csv").write_text(content)
    result = cli("--root", str(root), "import", str(tmp_path / "u.csv"), "--preset", "upr")
    assert result.code == 2 and message in result.err
    assert sorted(p.name for p in root.glob("*.yaml")) == ["diasporatrack.yaml", "owners.yaml"]


def test_import_appends_owners_keeping_every_line(tmp_path, cli):
    root = fresh(tmp_path)
    before = (root / "owners.yaml").read_text()
    sheet = tmp_path / "s.csv"
    sheet.write_text("text,owners\nDo it,alpha; beta\n")
    assert cli("--root", str(root), "import", str(sheet), "--source", "s", "--create-owners").code == 0
    after = (root / "owners.yaml").read_text()
    kept = [line for line in before.splitlines() if line != "owners: []"]
    assert all(line in after.splitlines() for line in kept)
    assert sorted(Tracker.open(root).owners) == ["alpha", "beta"]


# --- export, then import: the same workspace -------------------------------------------------

# Control characters other than tab and newline are refused on reading (tests/corpus has them).
CHARS = (st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85\u2028\u2029")
         | st.sampled_from("\t\n"))
texts = st.text(CHARS,
                min_size=1, max_size=25).filter(lambda t: t.strip())
tricky = st.one_of(texts, st.sampled_from([
    "=HYPERLINK(\"x\")", "+1", "-1", "@SUM(A1)", "'=already marked", "a, b; c", 'say "hi"', "line\nbreak",
    "عربي — اردو", "NO", "12:30", "2025-01-01", "  spaced  ",
]))
items = st.text(st.characters(blacklist_categories=("Cs", "Zs", "Cc"), blacklist_characters=";\x85\u2028\u2029"),
                min_size=1, max_size=12)
ids = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)
labels = items.filter(lambda t: not re.fullmatch(r"\d{4}-\d{2}-\d{2}", t))  # date-shaped text comes back a date
numbers = st.integers(-10**6, 10**6) | st.floats(-1000, 1000).map(lambda x: round(x, 2))
extras = st.dictionaries(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True),
                         labels | numbers | st.booleans() | st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)),
                         max_size=3)


def classification(draw, rec_ids, n, findings):
    """The classification, progress and cluster fields of recommendation ``n`` (parents come earlier)."""
    return {
        "reference": draw(st.none() | tricky), "author_group": draw(st.none() | items),
        "sdgs": draw(st.lists(st.sampled_from(["5", "5.1", "16.a", "17.19", "10"]), max_size=2, unique=True)),
        "affected_persons": draw(st.lists(items, max_size=2)),
        "action_category": draw(st.none() | st.integers(1, 5)),
        "cycle": draw(st.none() | st.integers(1, 4) | items), "session": draw(st.none() | items),
        "extra": draw(extras),
        "progress": draw(st.none() | st.integers(0, 100) | st.floats(0, 100).map(lambda x: round(x, 2))),
        "parent": draw(st.none() | st.sampled_from([f"r-{i}" for i in rec_ids[:n]])) if n else None,
        "weight": draw(st.none() | st.integers(1, 5) | st.sampled_from([0.5, 2.25])),
        "cites": draw(st.lists(st.sampled_from(findings), max_size=2, unique=True)),
        "progress_from": draw(st.sampled_from([None, "status", "actions"])),
        "translations": draw(translations(["title", "text", "quote"])),
    }


def translations(fields):
    """Translations into right-to-left and left-to-right languages of some of ``fields``."""
    texts = tricky.filter(lambda t: t.strip())
    return st.dictionaries(st.sampled_from(["ur", "fa-AF", "ps", "ur-Latn", "en"]),
                           st.dictionaries(st.sampled_from(fields), texts, min_size=1, max_size=2), max_size=2)


@st.composite
def workspaces(draw):
    owner_ids = draw(st.lists(ids, max_size=3, unique=True))
    owners = [{"id": o, "name": draw(tricky), "kind": draw(st.sampled_from([None, "expert-group"]))}
              for o in owner_ids]
    source_ids = draw(st.lists(ids, min_size=1, max_size=2, unique=True))
    rec_ids = draw(st.lists(ids, min_size=1, max_size=4, unique=True))
    files = {}
    findings = sorted({f"f-{source_ids[n % len(source_ids)]}" for n in range(len(rec_ids))})
    for n, rec_id in enumerate(rec_ids):
        source = source_ids[n % len(source_ids)]
        files.setdefault(source, {"source": {"id": source, "title": draw(tricky),
                                             "date": draw(st.sampled_from([None, "2024-11-10"])),
                                             "language": draw(st.sampled_from([None, "en", "ur"])),
                                             "translations": draw(translations(["title"]))},
                                  "findings": [{"id": f"f-{source}", "text": draw(tricky),
                                                "translations": draw(translations(["text"]))}],
                                  "recommendations": []})
        files[source]["recommendations"].append({
            **classification(draw, rec_ids, n, findings),
            "id": f"r-{rec_id}", "title": draw(tricky), "text": draw(tricky),
            "quote": draw(st.none() | tricky), "author": draw(st.none() | items | st.lists(items, max_size=2)),
            "addressed_to": draw(st.lists(items, max_size=2)), "themes": draw(st.lists(items, max_size=2)),
            "owners": draw(st.lists(st.sampled_from(owner_ids), max_size=2, unique=True)) if owner_ids else [],
            "status": draw(st.sampled_from(DEFAULT_LIFECYCLE.names)),
            "due": draw(st.sampled_from([None, "2026-01-31"])),
            "impact": draw(st.sampled_from([None, "minor", "transformative"])),
        })
    updates = draw(st.lists(st.tuples(st.sampled_from([f"r-{i}" for i in rec_ids]),
                                      st.sampled_from(DEFAULT_LIFECYCLE.names),
                                      st.sampled_from([None, "supported", "noted"]),
                                      st.none() | tricky), max_size=4))
    return owners, list(files.values()), updates


def build(root, owners, files, updates):
    init_workspace(root)
    (root / "owners.yaml").write_text(yaml.safe_dump({"owners": owners}, allow_unicode=True), encoding="utf-8")
    for document in files:
        name = document["source"]["id"] + ".yaml"
        (root / name).write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    tracker = Tracker.open(root)
    for rec_id, status, response, note in updates:
        if status != tracker.get(rec_id).status:
            tracker.update(rec_id, status=status, force=True, note=note)
        if response is not None and response != tracker.get(rec_id).response:
            tracker.respond(rec_id, response, note=note)
    return Tracker.open(root)


ROUND_TRIP = settings(max_examples=25, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@ROUND_TRIP
@given(workspaces())
def test_json_export_imports_as_the_same_workspace(tmp_path_factory, workspace):
    base = tmp_path_factory.mktemp("rt")
    original = build(base / "a", *workspace)
    exported = base / "all.json"
    exported.write_text(original.export("json"), encoding="utf-8")
    target = base / "b"
    init_workspace(target)
    from diasporatrack.importer import plan_json

    plan_json(Tracker.open(target), exported).write()
    copy = Tracker.open(target, cache=False)

    def recs(t):
        return sorted((recommendation_to_dict(r, history=True) for r in t), key=lambda d: d["id"])

    assert recs(copy) == recs(original)
    assert sorted(map(source_to_dict, copy.sources.values()), key=str) == \
        sorted(map(source_to_dict, original.sources.values()), key=str)
    assert sorted(map(owner_to_dict, copy.owners.values()), key=str) == \
        sorted(map(owner_to_dict, original.owners.values()), key=str)


@ROUND_TRIP
@given(workspaces())
def test_csv_export_imports_as_the_same_recommendations(tmp_path_factory, workspace):
    base = tmp_path_factory.mktemp("rt")
    original = build(base / "a", *workspace)
    exported = base / "all.csv"
    exported.write_text(original.export("csv"), encoding="utf-8", newline="")
    target = base / "b"
    init_workspace(target)
    # A spreadsheet holds no findings: the target workspace has them in a file of their own.
    evidence = [f for document in workspace[1] for f in document["findings"]]
    (target / "evidence.yaml").write_text(yaml.safe_dump({"source": {"id": "zz-evidence", "title": "Evidence"},
                                                          "findings": evidence}, allow_unicode=True))
    from diasporatrack.importer import plan_csv

    plan_csv(Tracker.open(target), exported, create_owners=True).write()
    copy = Tracker.open(target, cache=False)

    def recs(t):
        rows = [recommendation_to_dict(r) for r in t]
        for row in rows:
            row.pop("updated")  # a spreadsheet keeps no history
        return sorted(rows, key=lambda d: d["id"])

    assert recs(copy) == recs(original)
    assert set(copy.sources) - {"zz-evidence"} == {r.source for r in original}
    used_owners = {o for r in original for o in r.owners}
    assert set(copy.owners) == used_owners


def test_owner_ids_in_a_csv_must_be_ids(tmp_path, cli):
    root = fresh(tmp_path)
    sheet = tmp_path / "own.csv"
    sheet.write_text("text,owners\nDo it,Amina Khan; ali@example.org\n")
    result = cli("--root", str(root), "import", str(sheet), "--source", "own", "--create-owners")
    assert result.code == 2 and "row 2: owner 'Amina Khan' is not a valid id" in result.err
    assert Tracker.open(root).owners == {}


def test_a_json_export_is_checked_before_anything_is_written(tmp_path, cli, ws):
    exported = json.loads(Tracker.open(ws).export("json"))
    exported["recommendations"][0].update(status="bogus", due="2025-02-30", owners=["ghost"])
    del exported["recommendations"][1]["id"]
    (tmp_path / "bad.json").write_text(json.dumps(exported))
    root = fresh(tmp_path)
    result = cli("--root", str(root), "import", str(tmp_path / "bad.json"))
    assert result.code == 2 and "Traceback" not in result.err
    lines = result.err.splitlines()
    assert any("recommendation 1 (rep-health): unknown status 'bogus'" in line for line in lines)
    assert any("recommendation 1 (rep-health): due: '2025-02-30' is not a date" in line for line in lines)
    assert any("unknown owner 'ghost'" in line for line in lines)
    assert any("recommendation 2: needs at least an id and a source" in line for line in lines)
    assert sorted(p.name for p in root.glob("*.yaml")) == ["diasporatrack.yaml", "owners.yaml"]


def test_markdown_lines_right_below_an_item_continue_it(tmp_path, cli):
    root = fresh(tmp_path)
    page = tmp_path / "lazy.md"
    page.write_text("- Open a library\nin every district.\n  - with a reading room\n\nA paragraph.\n- Second\n")
    assert cli("--root", str(root), "import", str(page), "--source", "lazy").code == 0
    tracker = Tracker.open(root)
    assert tracker.get("lazy-001").quote == "Open a library in every district. with a reading room"
    assert tracker.get("lazy-002").text == "Second"
