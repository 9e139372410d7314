"""The implementation plan: actions that implement recommendations.

Actions live in one file, ``actions.yaml`` at the top of the workspace (a
list under ``actions:``), written by people like the source files. An action
implements one or more recommendations of any source; a recommendation may be
implemented by several actions. An action's status follows its own lifecycle
(``action_statuses:`` in ``diasporatrack.yaml``, by default planned,
in-progress, done, cancelled) and changes through the journal: an ``update``
event whose ``subject`` is ``action`` (event schema 6). The file is read
apart from the recommendations (the cache never holds it), so a workspace
without actions costs nothing.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from attrs import validators as v

from .errors import InputError, NotFound, Problem, WorkspaceError
from .lifecycle import Lifecycle, Status
from .journal import ACTION_VERSION
from .indicators import INDICATOR_SUBJECT, Indicator, fold_reports, read_indicators
from .model import ID_PATTERN, Event
from .translations import declared, translations_of, valid_translations

if TYPE_CHECKING:
    from .tracker import Tracker
    from .workspace import Location

ACTIONS_FILE = "actions.yaml"
ACTION_SUBJECT = "action"


def _status(name: str, weight: float, definition: str, next: Iterable[str]) -> Status:
    return Status(name=name, weight=weight, definition=definition, next=tuple(next))


DEFAULT_ACTION_LIFECYCLE = Lifecycle([
    _status("planned", 0.0, "Agreed as a step of the plan; work has not started.", ["in-progress", "cancelled"]),
    _status("in-progress", 0.5, "Work on the action has visibly started.", ["done", "cancelled", "planned"]),
    _status("done", 1.0, "The action was carried out.", []),
    _status("cancelled", 0.0, "The action will not be carried out.", []),
])

_strings = v.deep_iterable(v.instance_of(str), v.instance_of(tuple))


@attrs.frozen(kw_only=True)
class Action:
    """One action of the plan as it stands: its authored fields and its folded status."""

    id: str = attrs.field(validator=[v.instance_of(str), v.matches_re(ID_PATTERN)])
    title: str = attrs.field(validator=v.instance_of(str))
    status: str = attrs.field(validator=v.instance_of(str))
    description: str | None = attrs.field(default=None, validator=v.optional(v.instance_of(str)))
    owners: tuple[str, ...] = attrs.field(default=(), converter=tuple, validator=_strings)
    implements: tuple[str, ...] = attrs.field(default=(), converter=tuple, validator=_strings)
    start: dt.date | None = attrs.field(default=None, validator=v.optional(v.instance_of(dt.date)))
    due: dt.date | None = attrs.field(default=None, validator=v.optional(v.instance_of(dt.date)))
    indicators: tuple[Indicator, ...] = attrs.field(default=(), converter=tuple)
    # Language tag -> translated title and description (see diasporatrack.translations).
    translations: Mapping[str, Mapping[str, str]] = attrs.field(
        factory=dict, hash=False, validator=valid_translations("action"))
    history: tuple[Event, ...] = attrs.field(default=(), converter=tuple, eq=False)


def _spec() -> dict[str, Any]:
    from .workspace import date, id_list, identifier, text

    return {"id": identifier, "title": text, "description": text, "owners": id_list, "status": text,
            "start": date, "due": date, "implements": id_list, "indicators": _as_is,
            "translations": translations_of("action")}


def _as_is(value: Any) -> Any:
    return value  # checked item by item, with their lines, by read_indicators


ACTION_SPEC = _spec()


def action_lifecycle(config: Mapping[str, Any]) -> Lifecycle:
    """The actions' lifecycle: ``action_statuses`` of the settings (already checked), else the default."""
    return config.get("action_statuses") or DEFAULT_ACTION_LIFECYCLE


def read_actions(root: Path, problems: list[Problem], *, recommendations: Iterable[str], owners: Iterable[str],
                 lifecycle: Lifecycle, text: str | None = None, languages: Iterable[str] | None = None
                 ) -> tuple[dict[str, Action], dict[str, Location]]:
    """Read ``actions.yaml`` (or ``text``, the content it is about to get); every mistake located.

    ``languages`` (the ``languages:`` setting) are the languages a translation may be into.
    """
    from .textsafety import quote
    from .workspace import FieldChecker, Location, did_you_mean, display_path, line_of, load_file

    path = root / ACTIONS_FILE
    actions: dict[str, Action] = {}
    where: dict[str, Location] = {}
    if text is None and not os.path.lexists(path):
        return actions, where
    shown = display_path(path)
    raw = load_file(root, path, "actions", problems, text)
    if raw is None:
        return actions, where
    check = FieldChecker(shown, problems)
    if not isinstance(raw, dict) or not isinstance(raw.get("actions") or [], list):
        check.problem("expected 'actions:' followed by a list of actions", getattr(raw, "line", 1))
        return actions, where
    for key in raw:
        if key != "actions":
            check.problem(f"unknown top-level key {quote(key)} (expected 'actions')", line_of(raw, key))
    known_recs, known_owners = set(recommendations), set(owners)
    for item in raw.get("actions") or []:
        fields = check.fields(item, ACTION_SPEC, ("id", "title", "implements"), "action", raw.line_of("actions"))
        if fields is None:
            continue
        line, action_id = item.line, fields["id"]
        if action_id in actions:
            check.problem(f"duplicate action id {quote(action_id)} (first at {where[action_id]})", line)
            continue
        ok = True
        if action_id in known_recs:  # the journal and every timeline tell the two apart only by their id
            check.problem(f"action id {quote(action_id)} is also a recommendation's id; give the action an id "
                          "of its own", line)
            ok = False
        if not fields["implements"]:
            check.problem(f"{action_id}: implements: an action implements at least one recommendation", line)
            ok = False
        for rec in fields["implements"]:
            if rec not in known_recs:
                check.problem(f"{action_id}: implements unknown recommendation {quote(rec)}"
                              f"{did_you_mean(rec, known_recs)}", item.line_of("implements"))
                ok = False
        for owner in fields.get("owners", ()):
            if owner not in known_owners:
                check.problem(f"{action_id}: unknown owner {quote(owner)}{did_you_mean(owner, known_owners)}"
                              " (owners are defined in owners.yaml)", item.line_of("owners"))
                ok = False
        status = fields.get("status", lifecycle.initial)
        if status not in lifecycle:
            check.problem(f"{action_id}: status: {quote(status)} is not an action status; use one of "
                          f"{', '.join(lifecycle.names)}", item.line_of("status"))
            ok = False
        start, due = fields.get("start"), fields.get("due")
        if start and due and due < start:
            check.problem(f"{action_id}: due {due} is before start {start}", item.line_of("due"))
            ok = False
        ok = declared(check, action_id, item, fields, {"languages": languages}) and ok
        if "indicators" in fields:
            found = read_indicators(item["indicators"], check, action_id, item.line_of("indicators"), known_owners)
            ok = ok and found is not None
            fields["indicators"] = found or ()
        if ok:
            actions[action_id] = Action(**{**fields, "status": status})
            where[action_id] = Location(shown, line)
    return actions, where


@attrs.define
class Plan:
    """The actions of a workspace with their journal folded in."""

    lifecycle: Lifecycle
    actions: dict[str, Action]
    locations: dict[str, Location]
    problems: list[Problem]

    def __iter__(self):
        return iter(sorted(self.actions.values(), key=lambda a: a.id))

    def resolve(self, ref: str) -> str:
        """An action id from an id or a unique prefix."""
        from .tracker.values import resolve_ref

        return resolve_ref(ref, self.actions, "action")

    def get(self, ref: str) -> Action:
        return self.actions[self.resolve(ref)]

    def implementing(self, rec_id: str) -> list[Action]:
        """The actions that implement a recommendation, by id."""
        return [a for a in self if rec_id in a.implements]


def _journal_events(tracker: Tracker) -> list[Event]:
    """Every event of the journal, in fold order (the tracker may hold only some, when cached)."""
    events, _, _ = tracker.journal.read(0)
    cutoff = tracker.as_of_date
    return sorted((e for e in events if cutoff is None or e.at.date() <= cutoff), key=lambda e: e.sort_key)


def load_plan(tracker: Tracker) -> Plan:
    """The plan of ``tracker``'s workspace: ``actions.yaml`` read and checked, the journal folded in."""
    problems: list[Problem] = []
    lifecycle = action_lifecycle(tracker.config)
    if not os.path.lexists(tracker.root / ACTIONS_FILE):  # no plan: the journal need not be read again
        return Plan(lifecycle, {}, {}, problems)
    recs = set(tracker.workspace.recommendations) or {r.id for r in tracker}
    actions, where = read_actions(tracker.root, problems, recommendations=recs, owners=tracker.owners,
                                  lifecycle=lifecycle, languages=tracker.config.get("languages"))
    reports: dict[tuple[str, str], list[Event]] = {}
    for event in _journal_events(tracker):
        if event.subject == INDICATOR_SUBJECT and event.kind == "report":
            reports.setdefault((event.recommendation, event.indicator or ""), []).append(event)
        if event.subject not in (ACTION_SUBJECT, INDICATOR_SUBJECT) or event.recommendation not in actions:
            continue
        action = actions[event.recommendation]
        changes: dict[str, Any] = {"history": (*action.history, event)}
        if event.kind == "update" and event.status is not None and event.status in lifecycle:
            changes["status"] = event.status
        actions[action.id] = attrs.evolve(action, **changes)
    for action in list(actions.values()):
        if action.indicators:
            actions[action.id] = attrs.evolve(action, indicators=[
                fold_reports(i, reports.get((action.id, i.id), ())) for i in action.indicators])
    return Plan(lifecycle, actions, where, problems)


def checked_plan(tracker: Tracker) -> Plan:
    """The plan, or a :class:`WorkspaceError` naming every problem of ``actions.yaml``."""
    plan = load_plan(tracker)
    if plan.problems:
        raise WorkspaceError(plan.problems)
    return plan


# --- changes --------------------------------------------------------------------------------------


def add_action(tracker: Tracker, fields: Mapping[str, Any], *, by: str | None = None) -> Action:
    """Append an action to ``actions.yaml`` (created if missing); checked, journaled."""
    from .edits import checked, ordered, run_change
    from .yamledit import render_document

    values = ordered(ACTION_SPEC, checked(ACTION_SPEC, "action", fields))
    for name in ("id", "title"):
        if not values.get(name):
            raise InputError(f"an action needs {'an' if name == 'id' else 'a'} {name}")
    if not values.get("implements"):
        raise InputError("an action needs the recommendations it implements (--implements ID)")
    action_id = values["id"]
    checked_plan(tracker)  # a broken file is reported as it is, before anything is added to it
    if action_id in tracker:
        raise InputError(f"action id {action_id!r} is also a recommendation's id; give the action an id of its own")

    def work(change):
        path = change.root / ACTIONS_FILE
        if os.path.lexists(path):
            doc = change.doc(path)
            if any(isinstance(a, dict) and a.get("id") == action_id for a in doc.value(("actions",)) or []):
                raise InputError(f"action {action_id!r} already exists in {ACTIONS_FILE}")
            doc.set(("actions",), list(doc.value(("actions",)) or []) + [values])
        else:
            change.new_files[path] = render_document({"actions": [values]})
        change.event(action_id, field=None, old=None, new=values, subject=ACTION_SUBJECT, by=by)
        return lambda t: checked_plan(t).get(action_id)

    return run_change(tracker, work)


def set_action_fields(tracker: Tracker, ref: str, changes: Mapping[str, Any] | None = None, *,
                      add: Mapping[str, Iterable[str]] | None = None,
                      remove: Mapping[str, Iterable[str]] | None = None, by: str | None = None) -> Action:
    """Change fields of an action in ``actions.yaml`` (``None`` removes a field; lists: ``add``/``remove``)."""
    from .edits import apply_fields, run_change

    action_id = checked_plan(tracker).resolve(ref)
    changes = dict(changes or {})
    if "status" in changes:
        raise InputError("an action's status changes are recorded in the journal: use action update --status")

    def work(change):
        doc = change.doc(change.root / ACTIONS_FILE)
        ids = [a.get("id") if isinstance(a, dict) else None for a in doc.value(("actions",)) or []]
        if action_id not in ids:
            raise NotFound(f"{ACTIONS_FILE}: cannot find {action_id!r} any more")
        apply_fields(change, doc, ("actions", ids.index(action_id)), ACTION_SPEC, f"action {action_id}",
                     action_id, changes, dict(add or {}), dict(remove or {}), ("title", "implements"),
                     ACTION_SUBJECT, by)
        return lambda t: checked_plan(t).get(action_id)

    return run_change(tracker, work)


def update_action(tracker: Tracker, ref: str, status: str, *, note: str | None = None, force: bool = False,
                  links: Iterable[str] = (), evidence: str | None = None, by: str | None = None,
                  for_owner: str | None = None, public_note: bool = False) -> Action:
    """Move an action to ``status`` (its lifecycle's transitions, unless ``force``), as a journal event.

    ``links`` and ``evidence`` are the change's evidence; ``for_owner`` and
    ``public_note`` say whom it was done for and whether the note may be
    published, as on a recommendation's update.
    """
    from .journal import new_event_id
    from .tracker.values import current_actor, next_time, web_links

    plan = checked_plan(tracker)
    action = plan.get(ref)
    if not force:
        plan.lifecycle.check_transition(action.status, status)
    elif status not in plan.lifecycle:
        raise InputError(f"unknown action status {status!r}; statuses are: {', '.join(plan.lifecycle.names)}")
    for_owner, public_note = tracker._attribution(for_owner, public_note, note)
    links = web_links(links)
    with tracker.journal.locked() as fh:
        tracker._catch_up_locked()
        last = tracker._last[0] if tracker._last else None
        event = Event(id=new_event_id(), at=next_time(last), by=current_actor(by), recommendation=action.id,
                      kind="update", status=status, previous_status=action.status, note=note, forced=force,
                      links=links, evidence=evidence or None, for_owner=for_owner, public=public_note,
                      v=ACTION_VERSION, subject=ACTION_SUBJECT)
        tracker._offset = tracker.journal.append(fh, [event])
        tracker._fold([event])
    tracker.plugins.notify(tracker, [event])
    return checked_plan(tracker).get(action.id)
