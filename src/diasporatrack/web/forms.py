"""A form's fields into one Tracker call, with the signed-in account as ``by``.

Every change names the version of the recommendation its form was drawn
from (``version``); the Tracker refuses it under the journal lock if the
recommendation changed since (:class:`~diasporatrack.errors.StaleVersion`).
Fields are bounded and checked here only as far as a form needs (blank
means "no change"); the Tracker checks the values themselves, as for the CLI.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InputError
from .auth import done_for

MAX_FIELD = 10_000  # characters of one field: a note is a paragraph or a few, never a document
MAX_LINKS = 20


def field(form: Mapping[str, Any], name: str) -> str:
    """A text field, stripped; '' when absent. Too long is an error, not a silent cut."""
    value = form.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(f"{name}: expected text")
    if len(value) > MAX_FIELD:
        raise InputError(f"{name}: at most {MAX_FIELD} characters")
    return value.strip()


def links_of(form: Mapping[str, Any]) -> list[str]:
    """Evidence links: one address a line, each an http(s) address."""
    import re

    found = [line.strip() for line in field(form, "links").splitlines() if line.strip()]
    if len(found) > MAX_LINKS:
        raise InputError(f"links: at most {MAX_LINKS}")
    for url in found:
        if not re.fullmatch(r"https?://\S+", url, re.IGNORECASE):
            raise InputError(f"links: {url!r} is not a web address (http:// or https://)")
    return found


def version_field(form: Mapping[str, Any]) -> str:
    version = field(form, "version")
    if not version:
        raise InputError("the form carries no version: reload the page and repeat the change")
    return version


def update(tracker: Any, user: Any, rec: Any, form: Mapping[str, Any]) -> Any:
    """Status, progress, due date, a note with evidence: one journal event."""
    note = field(form, "note") or None
    due = field(form, "due")
    progress = field(form, "progress")
    return tracker.update(
        rec.id,
        status=field(form, "status") or None,
        progress=progress if progress and progress.lower() != "none" else None,
        clear_progress=progress.lower() == "none",
        due=due if due and due.lower() != "none" else None,
        clear_due=due.lower() == "none",
        note=note,
        public_note=bool(field(form, "public")) and note is not None,
        links=links_of(form),
        evidence=field(form, "evidence") or None,
        by=user.name,
        for_owner=done_for(user, rec.owners, tracker),
        expect_version=version_field(form),
    )


def respond(tracker: Any, user: Any, rec: Any, form: Mapping[str, Any]) -> Any:
    """The addressee's response, with a note."""
    response = field(form, "response")
    if not response:
        raise InputError("choose a response")
    note = field(form, "note") or None
    return tracker.respond(rec.id, response, note=note, public_note=bool(field(form, "public")) and note is not None,
                           by=user.name, for_owner=done_for(user, rec.owners, tracker),
                           expect_version=version_field(form))


def assign(tracker: Any, user: Any, rec: Any, form: Any) -> Any:
    """Owners added and removed (coordinators only: the route checks)."""
    added = [o for o in form.getlist("add_owner") if o] if hasattr(form, "getlist") else []
    removed = [o for o in form.getlist("remove_owner") if o] if hasattr(form, "getlist") else []
    if not added and not removed:
        raise InputError("choose an owner to add or to remove")
    return tracker.update(rec.id, add_owners=added, remove_owners=removed, note=field(form, "note") or None,
                          by=user.name, for_owner=done_for(user, rec.owners, tracker),
                          expect_version=version_field(form))


def report(tracker: Any, user: Any, ref: str, holders: list[str], form: Mapping[str, Any]) -> Any:
    """A value of an indicator, on the day it was measured; ``holders`` are the owners it is reported for."""
    from ..indicators import report_indicator

    value = field(form, "value")
    if not value:
        raise InputError("give the value measured")
    note = field(form, "note") or None
    return report_indicator(tracker, ref, value, on=field(form, "on") or None, note=note,
                            links=links_of(form), evidence=field(form, "evidence") or None, by=user.name,
                            for_owner=done_for(user, holders, tracker),
                            public_note=bool(field(form, "public")) and note is not None)
