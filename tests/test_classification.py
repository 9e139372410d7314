"""Classification fields: SDGs, groups of persons, references, several authors, extra fields."""

from __future__ import annotations

import json
import unicodedata

import pytest

from conftest import write
from diasporatrack import sdgs
from diasporatrack.tracker import Tracker

CLASSIFIED = """\
source:
  id: upr-2024
  title: UPR outcome
recommendations:
  - id: upr-1
    title: Ratify the convention on migrant workers
    text: Ratify ICRMW.
    reference: A/HRC/59/15 para 140.7
    author: [Norway, Chile]
    author_group: WEOG
    action_category: 5
    cycle: 4
    session: "46"
    sdgs: ["10.7", "8.8"]
    affected_persons: [migrants, Women and girls]
    themes: ["Women's rights"]
    addressed_to: [Pakistan]
    extra: {mechanism: UPR, paragraph: 140, accepted: true, adopted: 2024-03-01, share: 0.5}
  - id: upr-2
    title: Gender equality in law
    text: Adopt a gender equality law.
    author: Fiji
    sdgs: [5, "5.c"]
    affected_persons: ["women and girls"]
    themes: ["Women’s Rights"]
    addressed_to: [pakistan]
    extra: {paragraph: 141}
  - id: upr-3
    title: Strengthen courts
    text: Strengthen courts.
    sdgs: ["16.3"]
    themes: [justice]
"""


@pytest.fixture
def classified(tmp_path, monkeypatch):
    root = tmp_path / "c"
    write(root / "owners.yaml", "owners: []\n")
    write(root / "upr.yaml", CLASSIFIED)
    monkeypatch.chdir(tmp_path)
    return root


def test_fields_are_read_and_kept(classified):
    t = Tracker.open(classified)
    rec = t.get("upr-1")
    assert rec.authors == ("Norway", "Chile") and rec.author == "Norway; Chile"
    assert t.get("upr-2").authors == ("Fiji",) and t.get("upr-3").author is None
    assert rec.sdgs == ("10.7", "8.8") and t.get("upr-2").sdgs == ("5", "5.c")
    assert (rec.reference, rec.author_group, rec.action_category, rec.cycle, rec.session) == \
        ("A/HRC/59/15 para 140.7", "WEOG", 5, "4", "46")
    assert rec.extra["paragraph"] == 140 and rec.extra["accepted"] is True and str(rec.extra["adopted"]) == \
        "2024-03-01"


def test_the_numbering_is_the_real_one():
    goals = sdgs.goals()
    assert len(goals) == 17 and sum(len(g.targets) for g in goals.values()) == 169
    assert goals["5"].title == "Gender equality" and goals["16"].title == "Peace, justice and strong institutions"
    assert goals["16"].targets[-3:] == ("16.10", "16.a", "16.b") and goals["17"].targets[-1] == "17.19"
    for bad in ("18", "16.11", "17.a", "5.d", "0", "x"):
        with pytest.raises(ValueError):
            sdgs.check(bad)
    assert sdgs.matches("5", ("5.a",)) and sdgs.matches("5", ("5",)) and not sdgs.matches("5", ("15.1",))
    assert not sdgs.matches("5.1", ("5",))


@pytest.mark.parametrize("filters, expected", [
    (("--sdg", "5"), ["upr-2"]),
    (("--sdg", "5.c"), ["upr-2"]),
    (("--sdg", "10"), ["upr-1"]),
    (("--sdg", "16", "--sdg", "8.8"), ["upr-1", "upr-3"]),
    (("--affected", "WOMEN AND GIRLS"), ["upr-1", "upr-2"]),
    (("--affected", "migrants"), ["upr-1"]),
    (("--author", "chile"), ["upr-1"]),
    (("--author", "Fiji", "--author", "Norway"), ["upr-1", "upr-2"]),
    (("--where", "paragraph=140"), ["upr-1"]),
    (("--where", "paragraph=141.0"), ["upr-2"]),
    (("--where", "accepted=true", "--where", "mechanism=upr"), ["upr-1"]),
    (("--where", "adopted=2024-03-01"), ["upr-1"]),
    (("--where", "nothing=1"), []),
    (("--theme", "women's rights"), ["upr-1", "upr-2"]),
    (("--theme", "Womens rights"), ["upr-1", "upr-2"]),
    (("--addressed-to", "PAKISTAN"), ["upr-1", "upr-2"]),
])
def test_filters(classified, cli, filters, expected):
    result = cli("--root", str(classified), "list", "--format", "json", *filters)
    assert result.code == 0, result.err
    assert [r["id"] for r in json.loads(result.out)] == expected


def test_nfc_and_nfd_spellings_are_one_group(tmp_path, cli):
    nfc, nfd = unicodedata.normalize("NFC", "Santé"), unicodedata.normalize("NFD", "Santé")
    assert nfc != nfd
    write(tmp_path / "w" / "owners.yaml", "owners: []\n")
    write(tmp_path / "w" / "s.yaml", f"""\
        source: {{id: s, title: S}}
        recommendations:
          - {{id: a, title: A, text: A, themes: ["{nfc}"], affected_persons: ["{nfd}"]}}
          - {{id: b, title: B, text: B, themes: ["{nfd}"], affected_persons: ["{nfc}"]}}
        """)
    data = json.loads(cli("--root", str(tmp_path / "w"), "stats", "--format", "json").out)
    assert [g["count"] for g in data["by_theme"]] == [2]
    assert [g["count"] for g in data["by_affected"]] == [2]
    listed = json.loads(cli("--root", str(tmp_path / "w"), "list", "--format", "json", "--theme", "sante").out)
    assert [r["id"] for r in listed] == ["a", "b"]


def test_stats_by_sdg_group_author_and_addressee(classified, cli):
    data = json.loads(cli("--root", str(classified), "stats", "--format", "json").out)
    assert [(g["group"], g["count"]) for g in data["by_sdg"]] == [
        ("5 Gender equality", 1), ("8 Decent work and economic growth", 1), ("10 Reduced inequalities", 1),
        ("16 Peace, justice and strong institutions", 1)]
    assert {g["group"]: g["count"] for g in data["by_affected"]}["Women and girls"] == 2
    assert {g["group"]: g["count"] for g in data["by_author"]} == {
        "(the source's authors)": 1, "Chile": 1, "Fiji": 1, "Norway": 1}
    assert {g["group"]: g["count"] for g in data["by_addressee"]} == {"(nobody named)": 1, "Pakistan": 2}
    assert {g["group"]: g["count"] for g in data["by_theme"]}["Women's rights"] == 2


def test_show_and_sort(classified, cli):
    out = cli("--root", str(classified), "show", "upr-1").out
    assert "authors:      Norway; Chile" in out and "reference:    A/HRC/59/15 para 140.7" in out
    assert "action:       5, specific action" in out and "sdgs:         10.7 (Reduced inequalities)" in out
    assert "adopted:      2024-03-01" in out and "accepted:     true" in out and "affects:      migrants" in out
    listed = json.loads(cli("--root", str(classified), "list", "--format", "json", "--sort", "author").out)
    assert [r["id"] for r in listed] == ["upr-2", "upr-1", "upr-3"]  # Fiji, Norway, none


def test_sdgs_command(cli):
    result = cli("sdgs")
    assert result.code == 0 and "Gender equality" in result.out and "16.1-16.10, 16.a-16.b" in result.out
    assert "A/RES/70/1" in result.out and "Not shipped" in result.out
    data = json.loads(cli("sdgs", "17", "--format", "json").out)
    assert data["goals"][0]["targets"][-1] == "17.19"
    assert cli("sdgs", "18").code == 2


@pytest.mark.parametrize("field, message", [
    ('sdgs: ["16.11"]', "sdgs: '16.11' is not a target of goal 16 (its targets are 16.1 to 16.b)"),
    ("sdgs: [18]", "sdgs: '18' is not an SDG: goals are numbered 1 to 17"),
    ("sdgs: [16.3]", "sdgs: write the target 16.3 in quotes"),
    ("progress: 101", "progress: expected a percentage from 0 to 100, got the number 101"),
    ("progress: -1", "progress: expected a percentage from 0 to 100"),
    ("parent: nope", "r1: unknown parent 'nope'"),
    ("parent: r1", "r1: a recommendation cannot be its own parent"),
    ("cites: [nowhere]", "r1: cites unknown finding 'nowhere'"),
    ("extra: {a: [1, 2]}", "extra: 'a': expected text, a number, true/false or a date, got a list"),
    ("extra: {a: {b: 1}}", "extra: 'a': expected text, a number, true/false or a date, got a mapping"),
    ("action_category: 6", "action_category: expected UPR Info's action category, a whole number from 1 to 5"),
    ("weight: 0", "weight: expected a number above 0"),
    ("author: [Norway, 3]", "author: expected a list of text"),
])
def test_bad_input_is_located(tmp_path, cli, field, message):
    root = tmp_path / "w"
    write(root / "owners.yaml", "owners: []\n")
    path = write(root / "s.yaml", f"""\
        source: {{id: s, title: S}}
        recommendations:
          - id: r1
            title: T
            text: X
            {field}
        """)
    before = path.read_bytes()
    result = cli("validate", "--root", str(root))
    assert result.code == 1
    lines = [line for line in result.out.splitlines() + result.err.splitlines() if "s.yaml:" in line]
    assert len(lines) == 1 and message in lines[0], result
    assert ":6: " in lines[0]  # the line of the field at fault
    command = cli("--root", str(root), "list")
    assert command.code == 2 and message in command.err
    assert path.read_bytes() == before


def test_a_cycle_of_parents_is_one_located_error(tmp_path, cli):
    root = tmp_path / "w"
    write(root / "owners.yaml", """\
        owners:
          - {id: a, name: A, parent: b}
          - {id: b, name: B, parent: a}
        """)
    write(root / "s.yaml", """\
        source: {id: s, title: S}
        recommendations:
          - {id: r1, title: T, text: X, parent: r3}
          - {id: r2, title: T, text: X, parent: r1}
          - {id: r3, title: T, text: X, parent: r2}
        """)
    result = cli("validate", "--root", str(root))
    assert result.code == 1
    problems = [line for line in (result.out + result.err).splitlines() if "cycle" in line]
    assert len(problems) == 2, problems
    assert any(p.endswith("s.yaml:3: parents form a cycle: r1 -> r3 -> r2 -> r1") for p in problems), problems
    assert any(p.endswith("owners.yaml:2: owners' parents form a cycle: a -> b -> a") for p in problems), problems


def test_set_writes_the_new_fields_and_as_of_takes_them_back(classified):
    import datetime as dt

    tracker = Tracker.open(classified)
    rec = tracker.set_fields("upr-2", author=["Fiji", "Samoa"], add={"sdgs": ["16.3"]}, by="tester")
    assert rec.authors == ("Fiji", "Samoa") and rec.sdgs == ("5", "5.c", "16.3")
    again = Tracker.open(classified, cache=False).get("upr-2")
    assert again.authors == ("Fiji", "Samoa") and again.sdgs == ("5", "5.c", "16.3")
    before = Tracker.open(classified).as_of(dt.date.today() - dt.timedelta(days=1)).get("upr-2")
    assert before.authors == ("Fiji",) and before.sdgs == ("5", "5.c")


def test_the_cache_keeps_every_new_field_and_the_clusters(tmp_path, cli):
    from diasporatrack.serialize import recommendation_to_dict

    root = tmp_path / "w"
    write(root / "owners.yaml", "owners: []\n")
    write(root / "upr.yaml", CLASSIFIED + "  - {id: upr-4, title: K, text: K, parent: upr-1, progress: 50}\n")
    fresh = Tracker.open(root, cache=False)
    Tracker.open(root)  # writes the cache
    cached = Tracker.open(root)  # reads it
    assert cached._events is None, "opened from the cache"
    assert [recommendation_to_dict(r) for r in cached] == [recommendation_to_dict(r) for r in fresh]
    assert [c.id for c in cached.children("upr-1")] == ["upr-4"]
    assert cached.progress()(cached.get("upr-1")) == 0.5
    listed = json.loads(cli("--root", str(root), "list", "--format", "json", "--theme", "WOMENS RIGHTS",
                            "--sdg", "5").out)
    assert [r["id"] for r in listed] == ["upr-2"]
