"""The implementation plan in the SQLite export: actions, indicators and their reports.

Tables with foreign keys to the recommendations and owners of the same
database; only actions implementing an exported recommendation are there.
A public database gets the plan of the public view (see
:meth:`diasporatrack.publish.PublishedView.plan`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

SCHEMA = [
    "CREATE TABLE action_statuses (name TEXT PRIMARY KEY, definition TEXT, weight REAL, position INTEGER, "
    "next TEXT);",
    "CREATE TABLE actions (id TEXT PRIMARY KEY, title TEXT NOT NULL, description TEXT, "
    "status TEXT NOT NULL REFERENCES action_statuses (name), start TEXT, due TEXT);",
    "CREATE TABLE action_recommendations (action TEXT NOT NULL REFERENCES actions (id), "
    "recommendation TEXT NOT NULL REFERENCES recommendations (id), PRIMARY KEY (action, recommendation));",
    "CREATE TABLE action_owners (action TEXT NOT NULL REFERENCES actions (id), "
    "owner TEXT NOT NULL REFERENCES owners (id), PRIMARY KEY (action, owner));",
    "CREATE TABLE indicators (action TEXT NOT NULL REFERENCES actions (id), id TEXT NOT NULL, "
    "title TEXT NOT NULL, kind TEXT NOT NULL, unit TEXT, baseline REAL, target REAL, levels TEXT, "
    "cadence INTEGER, owner TEXT REFERENCES owners (id), PRIMARY KEY (action, id));",
    "CREATE TABLE indicator_reports (event TEXT PRIMARY KEY, action TEXT NOT NULL, indicator TEXT NOT NULL, "
    "day TEXT NOT NULL, value, note TEXT, links TEXT, evidence TEXT, reported_by TEXT, "
    "FOREIGN KEY (action, indicator) REFERENCES indicators (action, id));",
    "CREATE INDEX action_recommendations_recommendation ON action_recommendations (recommendation);",
    "CREATE INDEX indicator_reports_indicator ON indicator_reports (action, indicator);",
]


def _insert(db: sqlite3.Connection, table: str, rows: list[tuple]) -> None:
    if rows:
        db.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)


def fill(db: sqlite3.Connection, tracker: Any, recommendations: Sequence[Any]) -> list[Any]:
    """Insert the plan's actions that implement one of ``recommendations``, with their indicators and reports.

    The actions inserted are returned (their translations go in next).
    """
    plan_of = getattr(tracker, "plan", None)
    if plan_of is None:  # a stand-in tracker (tests, plugins) has no plan
        return []
    plan = plan_of()
    exported = {r.id for r in recommendations}
    owners = set(tracker.owners)
    _insert(db, "action_statuses", [(s.name, s.definition, s.weight, i, json.dumps(list(s.next)))
                                    for i, s in enumerate(plan.lifecycle)])
    actions = [a for a in plan if exported & set(a.implements)]
    _insert(db, "actions", [(a.id, a.title, a.description, a.status, a.start and a.start.isoformat(),
                             a.due and a.due.isoformat()) for a in actions])
    _insert(db, "action_recommendations", [(a.id, r) for a in actions for r in a.implements if r in exported])
    _insert(db, "action_owners", [(a.id, o) for a in actions for o in dict.fromkeys(a.owners) if o in owners])
    _insert(db, "indicators", [
        (a.id, i.id, i.title, i.kind, i.unit, i.baseline, i.target, json.dumps(list(i.levels)) if i.levels else None,
         i.cadence, i.owner if i.owner in owners else None) for a in actions for i in a.indicators])
    _insert(db, "indicator_reports", [
        (r.event.id, a.id, i.id, r.on.isoformat(), r.value, r.event.note,
         json.dumps(list(r.event.links)) if r.event.links else None, r.event.evidence,
         r.event.by)  # in a public database, already the published attribution (see PublishedView.event)
        for a in actions for i in a.indicators for r in i.reports])
    return actions
