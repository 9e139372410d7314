"""One journal line and one Event: the JSON form of events, its schema versions and its checks.

Every line ever written stays readable: fields are only added, each with
the schema version ``v`` of the first program that wrote it (see
docs/data-format.md). A line is checked before it becomes an Event, and
every event is round-tripped before it is appended.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time
from typing import Any

from .errors import JournalError
from .model import ID_PATTERN, NAME_PATTERN, Event
from .places import JOURNAL_NAME
from .safeio import LIMITS
from .textsafety import clip, control_character, describe_character, quote


_REQUIRED = ("id", "at", "by", "recommendation")
_KNOWN = set(_REQUIRED) | {
    "kind", "status", "previous_status", "response", "previous_response", "owners_added", "owners_removed",
    "due", "due_cleared", "note", "forced", "data", "v", "subject", "field", "old", "new",
    "progress", "previous_progress", "progress_cleared", "for", "public", "on",
    "indicator", "value", "links", "evidence",
}
# The event schema: 1 (no "v" written) up to this one. 2 added edits of the YAML files; 3 added progress;
# 4 added ``for`` (whom a change was done for) and ``public`` (its note may be published); 5 added ``on``
# (the day something happened, when it was recorded on a later day: folds order by it); 6 added the
# subjects ``action`` and ``indicator`` (edits of actions.yaml, an action's status, an indicator's
# reports: ``indicator``, ``value``) and evidence on any event (``links``, ``evidence``).
SCHEMA_VERSION = 6
EDIT_VERSION = 2  # the version an event needs is that of the newest field it uses
PROGRESS_VERSION = 3
ATTRIBUTION_VERSION = 4
HAPPENED_VERSION = 5  # "on": the day something happened, recorded later
ACTION_VERSION = 6  # the plan's subjects, indicator reports and evidence
SUBJECTS = ("source", "owner", "action", "indicator")


MAX_DATA_DEPTH = 16  # nesting of an event's ``data``: deeper is refused, never a RecursionError
_TEXT_FIELDS = ("note",)  # may span lines; every other string is one line


def new_event_id() -> str:
    """A unique, roughly time-ordered event id."""
    return f"{time.time_ns():x}-{secrets.token_hex(6)}"


def format_time(at: dt.datetime) -> str:
    return at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    if value.tzinfo is None:
        raise ValueError("timestamp has no time zone")
    return value.astimezone(dt.timezone.utc)


def event_to_dict(event: Event) -> dict[str, Any]:
    """The JSON form of an event, leaving out fields at their defaults."""
    out: dict[str, Any] = {
        "id": event.id,
        "at": format_time(event.at),
        "by": event.by,
        "recommendation": event.recommendation,
        "kind": event.kind,
    }
    for name in ("status", "previous_status", "response", "previous_response", "note"):
        if getattr(event, name) is not None:
            out[name] = getattr(event, name)
    for name in ("owners_added", "owners_removed"):
        if getattr(event, name):
            out[name] = list(getattr(event, name))
    if event.due is not None:
        out["due"] = event.due.isoformat()
    if event.due_cleared:
        out["due_cleared"] = True
    for name in ("progress", "previous_progress"):
        if getattr(event, name) is not None:
            out[name] = getattr(event, name)
    if event.progress_cleared:
        out["progress_cleared"] = True
    if event.forced:
        out["forced"] = True
    if event.data:
        out["data"] = dict(event.data)
    if event.v != 1:
        out["v"] = event.v
    for name in ("subject", "field", "old", "new"):
        if getattr(event, name) is not None:
            out[name] = getattr(event, name)
    if event.for_owner is not None:
        out["for"] = event.for_owner
    if event.public:
        out["public"] = True
    if event.on is not None:
        out["on"] = event.on.isoformat()
    for name in ("indicator", "value"):
        if getattr(event, name) is not None:
            out[name] = getattr(event, name)
    if event.links:
        out["links"] = list(event.links)
    if event.evidence is not None:
        out["evidence"] = event.evidence
    return out


def event_from_dict(raw: Any) -> Event:
    """Build an event from its JSON form; ``ValueError`` says what is wrong.

    Every identifier must match whole (an id ending in a newline is not an
    id), no string may hold a control character (newline only in a note),
    and ``data`` may nest at most :data:`MAX_DATA_DEPTH` deep.
    """
    if not isinstance(raw, dict):
        raise ValueError("an event must be a JSON object")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise ValueError(f"event lacks {', '.join(missing)}")
    unknown = sorted(set(raw) - _KNOWN)
    if unknown:
        raise ValueError(f"unknown event field {quote(unknown[0])}")
    fields = dict(raw)
    _check_strings(fields)
    for name in ("owners_added", "owners_removed"):
        if name in fields and not (isinstance(fields[name], list) and all(isinstance(o, str) for o in fields[name])):
            raise ValueError(f"{name} must be a list of owner ids")
    for name in ("progress", "previous_progress"):
        value = fields.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or not 0 <= value <= 100):
            raise ValueError(f"{name} must be a number from 0 to 100")
    if "for" in fields:
        fields["for_owner"] = fields.pop("for")
        if not isinstance(fields["for_owner"], str):
            raise ValueError("for must be an owner id")
    for name in ("due_cleared", "forced", "progress_cleared", "public"):
        if name in fields and not isinstance(fields[name], bool):
            raise ValueError(f"{name} must be true or false")
    if "links" in fields and not (isinstance(fields["links"], list) and all(isinstance(u, str) for u in fields["links"])):
        raise ValueError("links must be a list of text")
    value = fields.get("value")
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float, str))):
        raise ValueError("value must be a number or text")
    if "data" in fields and not isinstance(fields["data"], dict):
        raise ValueError("data must be a JSON object")
    version = fields.get("v", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError("v must be a whole number from 1")
    if version > SCHEMA_VERSION:
        raise ValueError(f"written by a newer diasporatrack (event schema {version}; this one reads up to "
                         f"{SCHEMA_VERSION}): upgrade to read it")
    if "subject" in fields and fields["subject"] not in SUBJECTS:
        raise ValueError(f"subject must be one of {', '.join(SUBJECTS)}")
    try:
        fields["at"] = parse_time(fields["at"])
        if fields.get("due") is not None:
            fields["due"] = dt.date.fromisoformat(fields["due"])
        if fields.get("on") is not None:
            fields["on"] = dt.date.fromisoformat(fields["on"])
    except (TypeError, ValueError, AttributeError) as err:
        raise ValueError(f"bad date or time: {err}") from None
    try:
        return Event(**fields)
    except (TypeError, ValueError) as err:
        raise ValueError(str(err)) from None


def _check_strings(fields: dict[str, Any]) -> None:
    import re

    for name, pattern in (("id", ID_PATTERN), ("recommendation", ID_PATTERN), ("kind", ID_PATTERN),
                          ("status", NAME_PATTERN), ("previous_status", NAME_PATTERN), ("indicator", ID_PATTERN),
                          ("response", NAME_PATTERN), ("previous_response", NAME_PATTERN)):
        value = fields.get(name)
        if value is not None and not (isinstance(value, str) and re.match(pattern, value)):
            raise ValueError(f"{name} {quote(value)} is not a valid {'name' if pattern is NAME_PATTERN else 'id'}")
    for name in ("owners_added", "owners_removed"):
        for owner in fields.get(name) or () if isinstance(fields.get(name), list) else ():
            if not (isinstance(owner, str) and re.match(ID_PATTERN, owner)):
                raise ValueError(f"{name}: {quote(owner)} is not a valid owner id")
    for name in ("by", "note", "at", "due", "on", "evidence", "value"):
        value = fields.get(name)
        if isinstance(value, str):
            bad = control_character(value, allow_newline=name in _TEXT_FIELDS)
            if bad is not None:
                raise ValueError(f"{name}: control character {describe_character(bad)} is not allowed")
    for link in fields.get("links") or () if isinstance(fields.get("links"), list) else ():
        if isinstance(link, str) and control_character(link) is not None:
            raise ValueError(f"links: control character {describe_character(control_character(link))} is not allowed")
    if "data" in fields:
        _check_data(fields["data"], 1)


def _check_data(value: Any, depth: int) -> None:
    if depth > MAX_DATA_DEPTH:
        raise ValueError(f"data nests deeper than {MAX_DATA_DEPTH} levels")
    if isinstance(value, str):
        bad = control_character(value)
        if bad is not None:
            raise ValueError(f"data: control character {describe_character(bad)} is not allowed")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_data(key, depth)
            _check_data(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_data(item, depth + 1)


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def parse_line(chunk: bytes) -> Event:
    """One journal line as an event; ``ValueError`` (never ``RecursionError``) says what is wrong."""
    if len(chunk) > LIMITS["journal line"]:
        raise ValueError(f"the line is longer than the limit of {LIMITS['journal line']:,} bytes")
    try:
        raw = json.loads(chunk, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    return event_from_dict(raw)


def event_to_line(event: Event) -> bytes:
    """The journal line of ``event``; ``JournalError`` if it would not read back as the same event.

    Checked before anything is appended, so a bad event (an id with a
    newline, a plugin's datetime in ``data``) never reaches the journal.
    """
    try:
        line = (json.dumps(event_to_dict(event), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
                + "\n").encode()
        back = parse_line(line[:-1])
    except (TypeError, ValueError) as err:
        raise JournalError(f"event {quote(event.id)} for {quote(event.recommendation)} cannot be recorded: "
                           f"{clip(str(err))}") from None
    if back != event:
        raise JournalError(f"event {quote(event.id)} for {quote(event.recommendation)} cannot be recorded: "
                           "it would not read back as written")
    return line
