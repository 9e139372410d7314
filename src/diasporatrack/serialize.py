"""Plain-data forms of the model, shared by ``--format json``/``csv`` and exporters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .journal import event_to_dict
from .model import Owner, Recommendation, Source
from .translations import to_plain

# Cells starting with these are run as formulas by spreadsheet programs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def recommendation_to_dict(rec: Recommendation, *, history: bool = False) -> dict[str, Any]:
    """Every field of a recommendation as JSON-ready values."""
    out: dict[str, Any] = {
        "id": rec.id,
        "title": rec.title,
        "text": rec.text,
        "source": rec.source,
        "quote": rec.quote,
        "author": list(rec.authors),
        "addressed_to": list(rec.addressed_to),
        "owners": list(rec.owners),
        "themes": list(rec.themes),
        "status": rec.status,
        "response": rec.response,
        "due": _iso(rec.due),
        "review_every": rec.review_every,
        "impact": rec.impact,
        "links": list(rec.links),
        "reference": rec.reference,
        "sdgs": list(rec.sdgs),
        "affected_persons": list(rec.affected_persons),
        "author_group": rec.author_group,
        "action_category": rec.action_category,
        "cycle": rec.cycle,
        "session": rec.session,
        "extra": {k: _iso(v) if isinstance(v, dt.date) else v for k, v in rec.extra.items()},
        "progress": rec.progress,
        "parent": rec.parent,
        "weight": rec.weight,
        "cites": list(rec.cites),
        "progress_from": rec.progress_from,
        "translations": to_plain(rec.translations),
        "updated": _iso(rec.updated),
    }
    if rec.draft:
        out["draft"] = True
    if history:
        out["history"] = [event_to_dict(e) for e in rec.history]
    return out


def lifecycle_to_list(lifecycle) -> list[dict[str, Any]]:
    """The statuses of a lifecycle, in order, with their definition, weight and allowed next statuses."""
    return [{"name": s.name, "definition": s.definition, "weight": s.weight, "next": list(s.next)}
            for s in lifecycle]


def source_to_dict(source: Source) -> dict[str, Any]:
    return {
        "id": source.id,
        "title": source.title,
        "publisher": source.publisher,
        "kind": source.kind,
        "date": _iso(source.date),
        "authors": list(source.authors),
        "url": source.url,
        "note": source.note,
        "language": source.language,
        "translations": to_plain(source.translations),
        "findings": [
            {"id": f.id, "text": f.text, "quote": f.quote, "themes": list(f.themes),
             "translations": to_plain(f.translations)} for f in source.findings
        ],
        **({"text_sha256": source.text_sha256} if source.text_sha256 else {}),
    }


def owner_to_dict(owner: Owner) -> dict[str, Any]:
    return {
        "id": owner.id,
        "name": owner.name,
        "kind": owner.kind,
        "parent": owner.parent,
        "email": owner.email,
        "note": owner.note,
    }


def safe_cell(value: Any) -> str:
    """A spreadsheet cell that cannot start a formula; the text is kept whole.

    A leading apostrophe is how spreadsheets mark "this is text"; it is
    added only where the cell would otherwise be run as a formula.
    """
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if _would_run(text) else text


def _would_run(text: str) -> bool:
    """Starts a formula, maybe behind apostrophes (so the marking can be undone exactly)."""
    stripped = text.lstrip("'")
    return stripped.startswith(_FORMULA_START)


def unsafe_cell(cell: str) -> str:
    """The inverse of :func:`safe_cell` for text: take off the apostrophe it added."""
    return cell[1:] if cell.startswith("'") and _would_run(cell) else cell


def action_to_dict(action, *, history: bool = False) -> dict:
    """An action as JSON: its fields and indicators with their reports; with ``history``, its journal events."""
    from .journal import event_to_dict

    out = {"id": action.id, "title": action.title, "status": action.status, "description": action.description,
           "owners": list(action.owners), "implements": list(action.implements),
           "start": action.start.isoformat() if action.start else None,
           "due": action.due.isoformat() if action.due else None,
           "translations": to_plain(action.translations)}
    out["indicators"] = [indicator_to_dict(i) for i in action.indicators]
    if history:
        out["history"] = [event_to_dict(e) for e in action.history]
    return out


def indicator_to_dict(indicator) -> dict:
    """An indicator as JSON, with its series of reports (day measured, value, note, evidence)."""
    out = {name: getattr(indicator, name) for name in ("id", "title", "kind", "unit", "baseline", "target",
                                                       "cadence", "owner")}
    out["levels"] = list(indicator.levels)
    out["reports"] = [{"on": r.on.isoformat(), "value": r.value, "note": r.event.note, "by": r.event.by,
                       "links": list(r.event.links), "evidence": r.event.evidence, "event": r.event.id}
                      for r in indicator.reports]
    return out
