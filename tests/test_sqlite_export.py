"""The SQLite export: opened with sqlite3, and served by Datasette."""

from __future__ import annotations

import asyncio
import json
import sqlite3

import pytest

from conftest import SHIPPED
from diasporatrack import Tracker


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
    assert {"sources", "owners", "recommendations", "recommendation_owners", "events"} <= tables
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("SELECT status, response FROM recommendations WHERE id = 'rep-health'").fetchone() == \
        ("accepted", None)
    assert db.execute("SELECT response FROM recommendations WHERE id = 'rep-forum'").fetchone() == ("noted",)
    assert db.execute("SELECT owner FROM recommendation_owners WHERE recommendation = 'rep-education'").fetchall() \
        == [("edu",)]
    assert sorted(db.execute("SELECT by, note FROM events").fetchall(), key=str) == [("Amina", "board agreed"), ("tester", None)]
    # A word of the quote finds the recommendation.
    found = db.execute("SELECT r.id FROM recommendations_fts f JOIN recommendations r ON r.rowid = f.rowid "
                       "WHERE recommendations_fts MATCH 'experts'").fetchall()
    assert found == [("rep-health",)]
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"recommendations_status", "recommendation_owners_owner"} <= indexes


def test_shipped_workspace_exports(tmp_path, cli):
    path = tmp_path / "shipped.db"
    assert cli("--root", str(SHIPPED), "export", "sqlite", "-o", str(path)).code == 0
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM recommendations").fetchone() == (17,)
    assert db.execute("SELECT count(*) FROM sources").fetchone() == (3,)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_datasette_serves_it_filtered_by_status(database):
    from datasette.app import Datasette

    async def fetch():
        ds = Datasette([str(database)])
        await ds.invoke_startup()
        name = database.stem
        response = await ds.client.get(f"/{name}/recommendations.json?status=accepted&_shape=array")
        facets = await ds.client.get(f"/{name}/recommendations.json?_facet=status&_facet_array=owners")
        return response, facets

    response, facets = asyncio.run(fetch())
    assert response.status_code == 200
    rows = response.json()
    assert [r["id"] for r in rows] == ["rep-health"]
    assert json.loads(rows[0]["themes"]) == ["healthcare"]
    counts = {f["value"]: f["count"] for f in facets.json()["facet_results"]["status"]["results"]}
    assert counts == {"proposed": 2, "accepted": 1}
    owners = {f["value"]: f["count"] for f in facets.json()["facet_results"]["owners"]["results"]}
    assert owners == {"org": 1, "edu": 1}
