"""The SQLite export: opened with sqlite3, and served by a real Datasette on loopback."""

from __future__ import annotations

import json
import os
import re
import select
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

from conftest import SHIPPED, write
from diasporatrack import Tracker

TORTURE = """\
source:
  id: upr-42
  title: UPR session 42
recommendations:
  - id: upr-42-1
    title: Criminalise torture
    text: Make torture a crime in the penal code.
  - id: upr-42-2
    title: Investigate detention
    text: Investigate allegations of torture in detention.
  - id: upr-42-3
    title: Ratify the convention on migrant workers
    text: Ratify it.
findings:
  - id: f-1
    text: Detention centres are overcrowded.
    quote: "The centres hold twice their capacity."
"""


@pytest.fixture
def database(ws, cli, tmp_path):
    tracker = Tracker.open(ws)
    tracker.update("rep-health", status="accepted", note="board agreed", by="Amina")
    tracker.respond("rep-forum", "noted")
    path = tmp_path / "tracking.db"
    path.write_bytes(b"an older export")
    result = cli("--root", "ws", "export", "sqlite", "-o", str(path))
    assert result.code == 0, result.err
    return path


def test_tables_keys_and_full_text(database):
    db = sqlite3.connect(database)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"sources", "findings", "owners", "statuses", "responses", "recommendations", "recommendation_owners",
            "events"} <= tables
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("SELECT status, response FROM recommendations WHERE id = 'rep-health'").fetchone() == \
        ("accepted", None)
    assert db.execute("SELECT response FROM recommendations WHERE id = 'rep-forum'").fetchone() == ("noted",)
    assert db.execute("SELECT owner FROM recommendation_owners WHERE recommendation = 'rep-education'").fetchall() \
        == [("edu",)]
    # Public by default: no member's name, no private note.
    assert sorted(db.execute("SELECT attributed_to, note FROM events").fetchall()) == [("a member", None)] * 2
    # A word of the quote finds the recommendation.
    found = db.execute("SELECT r.id FROM recommendations_fts f JOIN recommendations r ON r.rowid = f.rowid "
                       "WHERE recommendations_fts MATCH 'experts'").fetchall()
    assert found == [("rep-health",)]
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"recommendations_status", "recommendation_owners_owner"} <= indexes
    assert db.execute("SELECT name FROM statuses ORDER BY position LIMIT 1").fetchone() == ("proposed",)


def test_private_export_keeps_names_and_notes(ws, cli, tmp_path):
    Tracker.open(ws).update("rep-health", status="accepted", note="board agreed", by="Amina")
    assert cli("--root", "ws", "export", "sqlite", "--private", "-o", str(tmp_path / "all.db")).code == 0
    db = sqlite3.connect(tmp_path / "all.db")
    assert db.execute("SELECT by, note FROM events").fetchall() == [("Amina", "board agreed")]


def test_shipped_workspace_exports(tmp_path, cli):
    path = tmp_path / "shipped.db"
    assert cli("--root", str(SHIPPED), "export", "sqlite", "-o", str(path)).code == 0
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM recommendations").fetchone() == (17,)
    assert db.execute("SELECT count(*) FROM sources").fetchone() == (3,)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_datasette_detects_the_full_text_index(database):
    from datasette.utils import detect_fts

    db = sqlite3.connect(database)
    assert detect_fts(db, "recommendations") == "recommendations_fts"
    assert detect_fts(db, "findings") == "findings_fts"


def test_metadata_option_needs_sqlite_and_a_place(ws, cli, tmp_path):
    assert "use it with 'export sqlite'" in cli("--root", "ws", "export", "html", "--metadata").err
    assert "give -o FILE.db" in cli("--root", "ws", "export", "sqlite", "--metadata").err
    result = cli("--root", "ws", "export", "sqlite", "-o", str(tmp_path / "t.db"), "--metadata",
                 str(tmp_path / "meta.json"))
    assert result.code == 0 and json.loads((tmp_path / "meta.json").read_text())["databases"].keys() == {"t"}


class Datasette:
    """A real ``datasette serve`` on loopback, on a port the system chose."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "datasette", "serve", "--host", "127.0.0.1", "--port", "0", *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.base = self._wait_for_address()

    def _wait_for_address(self) -> str:
        # Raw reads: a buffered readline() could hold the line select() is waiting for.
        deadline, seen = time.monotonic() + 60, b""
        fd = self.process.stderr.fileno()
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 1)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            seen += chunk
            found = re.search(rb"running on (http://127\.0\.0\.1:[1-9]\d*)", seen)
            if found:
                return found.group(1).decode()
        self.close()
        raise AssertionError("datasette did not start: " + seen.decode(errors="replace")[-2000:])

    def get(self, path: str, **query: str) -> dict | list:
        url = self.base + path + ("?" + urllib.parse.urlencode(query) if query else "")
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())

    def text(self, path: str) -> str:
        with urllib.request.urlopen(self.base + path, timeout=30) as response:
            return response.read().decode()

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stderr.close()


@pytest.fixture
def served(ws, cli, tmp_path):
    write(ws / "upr.yaml", TORTURE)
    write(ws / "owners.yaml", (ws / "owners.yaml").read_text() + "    email: board@org.example\n")
    write(ws / "diasporatrack.yaml", "publish:\n  title: The UPR tracker\n  licence: CC-BY-4.0\n")
    Tracker.open(ws).update("upr-42-1", status="accepted", note="a private note", by="Amina")
    public, bare = tmp_path / "tracker.db", tmp_path / "bare.db"
    assert cli("--root", "ws", "export", "sqlite", "-o", str(public), "--metadata").code == 0
    assert cli("--root", "ws", "export", "sqlite", "-o", str(bare)).code == 0
    server = Datasette(str(public), str(bare), "--metadata", str(tmp_path / "metadata.json"))
    try:
        yield server
    finally:
        server.close()


def test_real_datasette_searches_facets_and_shows_nothing_private(served):
    total = served.get("/bare/recommendations.json", _shape="array", _size="max")
    assert len(total) == 6
    # Found by Datasette's own detection (bare.db has no metadata): 2 of 6 rows mention torture.
    hits = served.get("/bare/recommendations.json", _search="torture", _shape="array")
    assert sorted(r["id"] for r in hits) == ["upr-42-1", "upr-42-2"]
    assert 'name="_search"' in served.text("/bare/recommendations")  # the search box is on the page
    assert [r["id"] for r in served.get("/tracker/findings.json", _search="capacity", _shape="array")] == ["f-1"]
    # Facets come from metadata.json without asking for them.
    page = served.get("/tracker/recommendations.json")
    facets = page["facet_results"]
    counts = {f["value"]: f["count"] for f in facets["status"]["results"]}
    assert counts == {"proposed": 5, "accepted": 1}
    assert {f["value"] for f in facets["owners"]["results"]} == {"org", "edu"}
    meta = served.get("/-/metadata.json")
    assert meta["title"] == "The UPR tracker" and meta["license"] == "CC-BY-4.0"
    # The private columns are not there to be asked for.
    for table, private in (("owners", {"email", "note"}), ("events", {"by", "data", "public_note"}),
                           ("sources", {"note"})):
        columns = set(served.get(f"/tracker/{table}.json")["columns"])
        assert columns and not columns & private, table
    assert "a private note" not in json.dumps(served.get("/tracker/events.json"))
    assert "board@org.example" not in json.dumps(served.get("/tracker/owners.json"))
