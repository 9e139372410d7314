"""A ``diasporatrack export json`` file: sources, owners, recommendations and their history.

Every value is checked with the rules the workspace reader applies, so what
the import writes reads back without a problem. A recommendation's history
goes into the journal only for the recommendations this import creates: an
event naming any other recommendation is refused, as is an event dated in
the future.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from ..contacts import contact_problem
from ..errors import InputError
from ..model import Event
from ..textsafety import control_character, describe_character
from ..workspace import FINDING_SPEC, OWNER_SPEC, RECOMMENDATION_SPEC, SOURCE_SPEC
from .checks import Rows, check_field, clip, open_input, revive_dates, short, source_id_problem
from .plan import DraftSet, ImportPlan

MAX_JSON_BYTES = 512 * 1024 ** 2  # a JSON document is read whole
MAX_DEPTH = 16  # an event's data nests no deeper; deeper data would trouble every later reader


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}.get(
        type(value), "a number")


def _checked(rows: Rows, where: str, raw: dict, spec: dict, fields) -> dict[str, Any]:
    """The fields of ``raw`` named in ``fields``, each checked by its rule in ``spec``."""
    out: dict[str, Any] = {}
    for field in fields:
        value = raw.get(field)
        if value is None or (isinstance(value, (list, dict)) and not value):
            out[field] = None
            continue
        try:
            out[field] = spec[field](value)
        except ValueError as err:
            rows.bad(None, f"{where}: {field}: {err}")
            out[field] = None
            continue
        for text in [out[field]] if isinstance(out[field], str) else out[field] if isinstance(out[field], tuple) else ():
            bad = control_character(text) if isinstance(text, str) else None
            if bad is not None:  # the YAML written would not read back: refused here
                rows.bad(None, f"{where}: {field}: control character {describe_character(bad)} is not allowed "
                               "(only newline and tab are)")
                out[field] = None
                break
    return out


def _yaml_ready(fields: dict[str, Any]) -> dict[str, Any]:
    """Checked values as the YAML file writes them: lists for tuples, one author as text, no false flag."""
    out = {}
    for name, value in fields.items():
        if isinstance(value, tuple):
            value = list(value)
        if name == "author" and isinstance(value, list) and len(value) == 1:
            value = value[0]
        if value is False:
            value = None
        out[name] = value
    return out


def _read(path: Path) -> Any:
    try:
        with open_input(path) as fh:
            data = fh.read(MAX_JSON_BYTES + 1)
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror}") from None
    if len(data) > MAX_JSON_BYTES:
        raise InputError(f"{path}: larger than the limit of {MAX_JSON_BYTES:,} bytes for a JSON export")
    try:
        return json.loads(data.decode("utf-8"))
    except RecursionError:
        raise InputError(f"{path}: not a JSON export: nested too deep") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"{path}: not a JSON export: {err}") from None


def _too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether ``value`` nests deeper than ``limit`` (without recursing: the point is to refuse deep data)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


def plan_json(tracker, path: Path, *, dry_run: bool = False) -> ImportPlan:
    """Plan the import of a ``diasporatrack export json`` file: sources, owners, recommendations, history.

    Every problem is reported at once (:class:`WorkspaceError`) before
    anything is staged.
    """
    from ..builtin.json_exporter import SCHEMA
    from ..journal import event_from_dict

    path = Path(path)
    document = _read(path)
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise InputError(f"{path}: not a diasporatrack JSON export (no \"schema\": \"{SCHEMA}\")")
    if document.get("version") not in (1, 2, 3):  # 2: classification, progress, clusters; 3: translations
        raise InputError(f"{path}: export version {clip(document.get('version'))} is not supported "
                         "(expected 1, 2 or 3)")
    rows = Rows(path)
    lists = {}
    for key in ("sources", "owners", "recommendations"):
        value = document.get(key, [])
        if not isinstance(value, list):
            rows.bad(None, f"{key!r} must be a list, not {_kind(value)}")
            value = []
        lists[key] = value
    rows.done()

    sources: dict[str, dict[str, Any]] = {}
    for number, raw in enumerate(lists["sources"], start=1):
        where = f"source {number}"
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            rows.bad(None, f"{where}: needs at least an id")
            continue
        where = f"source {number} ({short(raw['id'])})"
        problem = source_id_problem(tracker, raw["id"])
        if problem or raw["id"] in sources:
            rows.bad(None, f"{where}: {problem or 'the id is also on an earlier source'}")
            continue
        source = {"id": raw["id"], **_yaml_ready(_checked(rows, where, raw, SOURCE_SPEC,
                                                          [k for k in SOURCE_SPEC if k != "id"]))}
        findings = raw.get("findings") or []
        if not isinstance(findings, list):
            rows.bad(None, f"{where}: findings must be a list, not {_kind(findings)}")
            findings = []
        source["findings"] = []
        for index, finding in enumerate(findings, start=1):
            if not isinstance(finding, dict):
                rows.bad(None, f"{where}: finding {index} must be an object, not {_kind(finding)}")
                continue
            checked = _yaml_ready(_checked(rows, f"{where}: finding {index}", finding, FINDING_SPEC, FINDING_SPEC))
            if checked["id"] is None or checked["text"] is None:
                rows.bad(None, f"{where}: finding {index} needs an id and a text")
            source["findings"].append(checked)
        sources[raw["id"]] = source

    owners: dict[str, dict[str, Any]] = {}
    for number, raw in enumerate(lists["owners"], start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            rows.bad(None, f"owner {number}: needs at least an id")
            continue
        where = f"owner {number} ({short(raw['id'])})"
        fields = _checked(rows, where, raw, OWNER_SPEC, ("id", "name", "kind", "parent", "email", "note"))
        if fields["id"] is not None and fields["id"] not in tracker.owners:
            if fields["name"] is None:
                rows.bad(None, f"{where}: needs a name")
            problem = contact_problem(fields["email"]) if fields["email"] else None
            if problem:
                rows.bad(None, f"{where}: email: {problem}")
            owners[fields["id"]] = fields
    for fields in owners.values():
        parent = fields["parent"]
        if parent is not None and parent not in tracker.owners and parent not in owners:
            rows.bad(None, f"owner {fields['id']!r}: unknown parent {parent!r}")

    import_ids = {r["id"] for r in lists["recommendations"] if isinstance(r, dict) and isinstance(r.get("id"), str)}
    finding_ids = {f["id"] for source in sources.values() for f in source["findings"] if f["id"]}
    finding_ids |= {f.id for source in tracker.sources.values() for f in source.findings}
    recommendations: list[tuple[str, dict[str, Any]]] = []
    events: list[Event] = []
    seen: set[str] = set()
    event_ids: set[str] = set()
    has_history = any(isinstance(r, dict) and r.get("history") for r in lists["recommendations"])
    journal_ids = {e.id for r in tracker for e in r.history} if has_history else set()
    soon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
    for number, rec in enumerate(lists["recommendations"], start=1):
        where = f"recommendation {number}"
        if not isinstance(rec, dict) or not isinstance(rec.get("id"), str) or not isinstance(rec.get("source"), str):
            rows.bad(None, f"{where}: needs at least an id and a source")
            continue
        rec_id = rec["id"]
        where = f"recommendation {number} ({short(rec_id)})"
        if rec_id in tracker:
            rows.bad(None, f"{where}: {rec_id!r} is already in the workspace")
            continue
        if rec_id in seen:
            rows.bad(None, f"{where}: the id is also on an earlier recommendation")
            continue
        seen.add(rec_id)
        if not isinstance(rec.get("text"), str) or not isinstance(rec.get("title"), str):
            rows.bad(None, f"{where}: needs a title and a text")
            continue
        if rec["source"] not in sources:
            problem = source_id_problem(tracker, rec["source"])
            if problem:
                rows.bad(None, f"{where}: {problem}")
                continue
            sources[rec["source"]] = {"id": rec["source"], "title": rec["source"], "findings": []}
        fields = _yaml_ready(_checked(rows, where, {**rec, "extra": revive_dates(rec.get("extra"))},
                                            RECOMMENDATION_SPEC, RECOMMENDATION_SPEC))
        for field in ("status", "response"):
            if fields[field] is not None:
                check_field(rows, None, field, fields[field], tracker, where)
        if fields["parent"] is not None and fields["parent"] not in tracker and fields["parent"] not in import_ids:
            rows.bad(None, f"{where}: parent {clip(fields['parent'])} is neither in the workspace nor in the export")
        for finding in fields["cites"] or []:
            if finding not in finding_ids:
                rows.bad(None, f"{where}: cites {clip(finding)}, a finding neither in the workspace nor in the export")
        for owner in fields["owners"] or []:
            if owner not in tracker.owners and owner not in owners:
                rows.bad(None, f"{where}: unknown owner {owner!r} (not in the export's owners nor owners.yaml)")
        history = rec.get("history") or []
        if not isinstance(history, list):
            rows.bad(None, f"{where}: history must be a list, not {_kind(history)}")
            history = []
        for index, raw in enumerate(history, start=1):
            at = f"{where}: event {index}"
            if _too_deep(raw):
                rows.bad(None, f"{at}: nested deeper than {MAX_DEPTH} levels")
                continue
            try:
                event = event_from_dict(raw)
            except ValueError as err:
                rows.bad(None, f"{at}: {err}")
                continue
            if getattr(event, "subject", None) is not None:
                rows.bad(None, f"{at}: an edit of a {event.subject} file; an import adds only the history of the "
                               "recommendations it creates")
            elif event.recommendation != rec_id:
                rows.bad(None, f"{at}: names the recommendation {clip(event.recommendation)}; an import adds "
                               "history only to the recommendations it creates")
            elif event.at > soon:
                rows.bad(None, f"{at}: dated {event.at:%Y-%m-%d}, in the future")
            elif event.id in event_ids:
                rows.bad(None, f"{at}: event id {clip(event.id)} is also on an earlier event")
            elif event.id in journal_ids:
                rows.bad(None, f"{at}: event id {clip(event.id)} is already in the journal")
            else:
                event_ids.add(event.id)
                events.append(event)
        recommendations.append((rec["source"], fields))
    rows.done()

    drafts = DraftSet(tracker.root, dry_run)
    try:
        for source in sources.values():
            draft = drafts.new({k: v for k, v in source.items() if k != "findings"})
            draft.findings = source["findings"]
        for source_id, fields in recommendations:
            drafts.add(source_id, fields)
    except BaseException:
        drafts.discard()
        raise
    notes = []
    actions = document.get("actions")
    if isinstance(actions, list) and actions:
        notes.append(f"{path}: its plan ({len(actions)} action{'s' * (len(actions) != 1)}, with their indicators "
                     "and reports) is not imported: import reads sources, owners, recommendations and their "
                     "history; copy actions.yaml from the workspace it came from to plan them here")
    return drafts.plan(new_owners=list(owners.values()), events=events, notes=notes)
