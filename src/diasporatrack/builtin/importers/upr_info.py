"""``upr-info``: the export of UPR Info's database of recommendations, every column kept.

The export's columns are ``To`` (the State under review), ``To-Rgrp`` and
``To-Org`` (its regional group and organisations), ``Text``, ``From`` (the
recommending State), ``From-Rgrp``, ``From-Org``, ``Response``, ``Action``
(UPR Info's action category, 1 to 5), ``Issue`` and ``Session``. The
groups and organisations of the State under review, which have no field of
their own, go to ``extra``; the cycle is derived from the session number
(the Working Group holds 12 sessions in the first cycle, then 14 a cycle).
One source per State under review and session: one UPR report.
"""

from __future__ import annotations

import re

from ...hookspecs import hookimpl
from ...importer.checks import slug
from .upr import RESPONSES

# (first session, last session, cycle): 1-12 (2008-2011), 13-26, 27-40 (to 2022), 41-54 (to 2027).
CYCLES = ((1, 12, 1), (13, 26, 2), (27, 40, 3), (41, 54, 4))


def cycle_of(session: str) -> str | None:
    """The UPR cycle of a Working Group session number (``42`` or ``42nd session``), or None."""
    found = re.search(r"\d+", session or "")
    if not found:
        return None
    number = int(found.group())
    for first, last, cycle in CYCLES:
        if first <= number <= last:
            return str(cycle)
    return str(4 + (number - 41) // 14) if number > 54 else None  # each later cycle has 14 sessions too


class UprInfoPreset:
    name = "upr-info"
    description = ("UPR Info database export (To, To-Rgrp, To-Org, Text, From, From-Rgrp, From-Org, Response, "
                   "Action, Issue, Session); cycle from the session")
    columns = {
        "addressed_to": ("To", "State under review"),
        "extra.to_regional_group": ("To-Rgrp",),
        "extra.to_organisations": ("To-Org",),
        "text": ("Text", "Recommendation"),
        "author": ("From", "Recommending State"),
        "author_group": ("From-Rgrp",),
        "extra.from_organisations": ("From-Org",),
        "response": ("Response", "Position", "Decision"),
        "action_category": ("Action", "Action category"),
        "themes": ("Issue", "Issues"),
        "session": ("Session",),
        "cycle": ("Cycle",),
    }
    required = ("text", "addressed_to", "session")
    values = {"response": RESPONSES,
              "action_category": {f"category {n}": str(n) for n in range(1, 6)}
              | {f"action category {n}": str(n) for n in range(1, 6)}}
    split = {"themes": r"\s*[;,]\s*"}
    key = ("addressed_to", "session", "author")

    def source(self, rec):
        state = (rec.get("addressed_to") or [""])[0]
        session = re.sub(r"\D", "", rec.get("session") or "") or slug(rec.get("session") or "")
        cycle = rec.get("cycle") or cycle_of(rec.get("session") or "")
        return {"id": f"upr-s{session}-{slug(state)}",
                "title": f"UPR of {state}, session {session}" + (f" (cycle {cycle})" if cycle else ""),
                "publisher": "UN Human Rights Council, Universal Periodic Review", "kind": "upr-recommendations"}

    def finish(self, rec, row):
        if not rec.get("addressed_to"):
            raise ValueError("the State under review (To) is empty")
        if not rec.get("session"):
            raise ValueError("the session is empty")
        rec.setdefault("cycle", cycle_of(rec["session"]))
        rec.setdefault("quote", rec.get("text"))
        rec["themes"] = [slug(t) for t in rec.get("themes", [])]
        return rec


@hookimpl
def register_importers():
    return [UprInfoPreset()]
