"""Every exporter carries the findings and the classification fields."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest

from conftest import SHIPPED, write
from diasporatrack.tracker import Tracker

EMIGRATION = ["pk-emigration-727000-departures", "pk-emigration-skilled-professionals",
              "pk-emigration-officials-diplomats", "pk-emigration-visa-restrictions", "pk-emigration-insecurity"]

FIELDS = """\
source: {id: s, title: S}
findings:
  - {id: f-one, text: A finding.}
recommendations:
  - id: top
    title: Top
    text: A cluster
    author: [Norway, Chile]
    sdgs: ["5.1", "16"]
    affected_persons: [women and girls]
    cites: [f-one]
    extra: {session: 41, adopted: 2024-03-01, open: true}
    reference: para 1
    action_category: 5
  - {id: kid, title: Kid, text: K, parent: top, progress: 30, weight: 2}
"""


@pytest.fixture
def fielded(tmp_path):
    root = tmp_path / "w"
    write(root / "owners.yaml", "owners: []\n")
    write(root / "s.yaml", FIELDS)
    return Tracker.open(root)


@pytest.mark.parametrize("exporter", ["markdown", "html", "json"])
def test_the_emigration_articles_findings_are_in_every_text_export(exporter):
    out = Tracker.open(SHIPPED, cache=False).export(exporter)
    for finding in EMIGRATION:
        assert finding in out, (exporter, finding)


def test_sqlite_has_findings_and_list_field_tables_with_foreign_keys(fielded, tmp_path):
    path = tmp_path / "x.db"
    path.write_bytes(fielded.export("sqlite", public=False))  # a public one leaves out authors and extra
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("SELECT id, source, text FROM findings").fetchall() == [("f-one", "s", "A finding.")]
    assert db.execute("SELECT recommendation, finding, finding_source FROM recommendation_cites").fetchall() == \
        [("top", "f-one", "s")]
    assert sorted(db.execute("SELECT s.sdg, g.title FROM recommendation_sdgs s JOIN sdg_goals g ON g.goal = s.goal"
                             )) == [("16", "Peace, justice and strong institutions"), ("5.1", "Gender equality")]
    assert db.execute("SELECT author FROM recommendation_authors ORDER BY position").fetchall() == \
        [("Norway",), ("Chile",)]
    assert db.execute("SELECT persons FROM recommendation_affected_persons").fetchall() == [("women and girls",)]
    assert sorted(db.execute("SELECT key, value, type FROM recommendation_extra")) == [
        ("adopted", "2024-03-01", "date"), ("open", 1, "bool"), ("session", 41, "number")]
    row = db.execute("SELECT progress, percent, parent, weight, reference, action_category FROM recommendations "
                     "WHERE id = 'kid'").fetchone()
    assert row == (0.3, 30, "top", 2, None, None)
    assert db.execute("SELECT progress FROM recommendations WHERE id = 'top'").fetchone() == (pytest.approx(0.3),)
    keys = {(t, r[2]) for t in ("recommendation_sdgs", "recommendation_cites", "recommendation_authors",
                                "recommendation_affected_persons", "recommendation_extra", "findings",
                                "recommendations")
            for r in db.execute(f"PRAGMA foreign_key_list({t})")}
    assert {("recommendation_sdgs", "recommendations"), ("recommendation_sdgs", "sdg_goals"),
            ("recommendation_cites", "findings"), ("recommendation_authors", "recommendations"),
            ("recommendation_affected_persons", "recommendations"), ("recommendation_extra", "recommendations"),
            ("findings", "sources"), ("recommendations", "recommendations")} <= keys
    public = tmp_path / "public.db"
    public.write_bytes(fielded.export("sqlite"))  # the defaults publish SDGs, groups and citations
    tables = {r[0] for r in sqlite3.connect(public).execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"recommendation_sdgs", "recommendation_affected_persons", "recommendation_cites"} <= tables
    assert sqlite3.connect(public).execute("PRAGMA foreign_key_check").fetchall() == []
    shipped = tmp_path / "shipped.db"
    shipped.write_bytes(Tracker.open(SHIPPED, cache=False).export("sqlite"))
    found = {r[0] for r in sqlite3.connect(shipped).execute("SELECT id FROM findings")}
    assert set(EMIGRATION) <= found


def test_csv_and_json_carry_every_field(fielded):
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(fielded.export("csv")))}
    assert rows["top"]["author"] == "Norway; Chile" and rows["top"]["sdgs"] == "5.1; 16"
    assert json.loads(rows["top"]["extra"]) == {"session": 41, "adopted": "2024-03-01", "open": True}
    assert (rows["kid"]["parent"], rows["kid"]["progress"], rows["kid"]["weight"]) == ("top", "30", "2")
    assert rows["top"]["cites"] == "f-one"
    document = json.loads(fielded.export("json"))
    top = next(r for r in document["recommendations"] if r["id"] == "top")
    assert top["author"] == ["Norway", "Chile"] and top["action_category"] == 5 and top["reference"] == "para 1"
    assert document["sources"][0]["findings"][0]["id"] == "f-one"


def test_markdown_and_html_show_findings_with_who_cites_them(fielded):
    markdown = fielded.export("markdown")
    assert "- f-one: A finding. (cited by top)" in markdown
    html = fielded.export("html")
    assert '<a href="#rec-top">top</a>' in html and "By SDG" in html
