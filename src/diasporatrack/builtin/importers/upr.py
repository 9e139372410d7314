"""``upr``: a spreadsheet of UPR recommendations, its columns named in any of the usual ways.

One source per cycle and session (``upr-cycle-4-session-42``), or per State
under review when the file has no session. The response is UPR's word
(supported, noted, ...) mapped onto the workspace's responses.
"""

from __future__ import annotations

from ...hookspecs import hookimpl
from ...importer.checks import slug

# UPR databases label their columns in several ways; matched without case.
COLUMNS = {
    "text": ("recommendation", "recommendation text", "text"),
    "author": ("recommending state", "recommending states", "from", "recommending country"),
    "addressed_to": ("state under review", "sur", "country under review", "to"),
    "response": ("response", "position", "response to recommendation", "decision"),
    "themes": ("issues", "issue", "themes", "theme", "thematic issues"),
    "session": ("session", "upr session"),
    "cycle": ("cycle", "upr cycle"),
}
RESPONSES = {
    "supported": "supported", "accepted": "supported", "support": "supported", "supports": "supported",
    "supported in part": "supported-in-part", "partially supported": "supported-in-part",
    "supported-in-part": "supported-in-part", "noted": "noted", "rejected": "noted", "not supported": "noted",
    "no response": "no-response", "pending": "no-response", "no-response": "no-response",
}


def source_block(rec: dict, *, note: str = "") -> dict:
    """The source of a UPR row: its cycle and session, else the State under review."""
    session, cycle = rec.get("session") or "", rec.get("cycle") or ""
    state = (rec.get("addressed_to") or [""])[0]
    words = [w for w in (f"cycle {cycle}" if cycle else "", f"session {session}" if session else "") if w]
    source_id = "upr-" + slug("-".join(words or [state]))
    title = f"UPR {', '.join(words)}" if words else f"UPR recommendations to {state}"
    return {"id": source_id, "title": title, "publisher": "UN Human Rights Council, Universal Periodic Review",
            "kind": "upr-recommendations", "note": note or None}


class UprPreset:
    name = "upr"
    description = "UPR recommendations spreadsheet (Recommendation, Recommending State, State under Review, ...)"
    columns = COLUMNS
    required = ("text", "addressed_to")
    values = {"response": RESPONSES}
    split = {"themes": r"[;,]"}
    key = ("addressed_to", "session", "author")

    def source(self, rec):
        return source_block(rec)

    def finish(self, rec, row):
        if not rec.get("addressed_to"):
            raise ValueError("the state under review is empty")
        rec.setdefault("quote", rec.get("text"))
        rec["themes"] = [slug(t) for t in rec.get("themes", [])]
        return rec


@hookimpl
def register_importers():
    return [UprPreset()]
