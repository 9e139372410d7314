"""Indicators of an action and their reports over time.

An indicator is authored under its action in ``actions.yaml``: numeric (a
``unit``, ``baseline`` and ``target``) or qualitative (a list of ``levels``),
with a reporting ``cadence`` in days and an ``owner``. Its reports are journal
events (kind ``report``, subject ``indicator``, event schema 6): ``value``, the
day ``on`` it was measured, a note and evidence links. The series is ordered
by the day measured, then by the journal's own order, so every clone and
every order of the journal's lines give the same series.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs
from attrs import validators as v

from .errors import InputError
from .model import ID_PATTERN, Event

if TYPE_CHECKING:
    from .tracker import Tracker

KINDS = ("numeric", "qualitative")
INDICATOR_SUBJECT = "indicator"


@attrs.frozen(kw_only=True)
class Report:
    """One reported value of an indicator."""

    on: dt.date
    value: Any
    event: Event = attrs.field(eq=False)


@attrs.frozen(kw_only=True)
class Indicator:
    """What an action measures, and what was reported for it."""

    id: str = attrs.field(validator=[v.instance_of(str), v.matches_re(ID_PATTERN)])
    title: str = attrs.field(validator=v.instance_of(str))
    kind: str = attrs.field(validator=v.in_(KINDS))
    unit: str | None = None
    baseline: float | None = None
    target: float | None = None
    levels: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    cadence: int | None = None
    owner: str | None = None
    reports: tuple[Report, ...] = attrs.field(default=(), converter=tuple, eq=False)

    def check_value(self, value: Any) -> Any:
        """``value`` as this indicator keeps it (a number, or one of its levels); ``InputError`` if neither."""
        if self.kind == "qualitative":
            if value not in self.levels:
                raise InputError(f"{value!r} is not a level of indicator {self.id!r}; levels: {', '.join(self.levels)}")
            return value
        if isinstance(value, bool):
            raise InputError(f"indicator {self.id!r} is numeric: {value!r} is not a number")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise InputError(f"indicator {self.id!r} is numeric: {value!r} is not a number") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise InputError(f"indicator {self.id!r} is numeric: {value!r} is not a finite number")
        return int(number) if number.is_integer() and abs(number) < 2**53 else number

    @property
    def last(self) -> Report | None:
        return self.reports[-1] if self.reports else None

    def next_due(self, start: dt.date | None = None) -> dt.date | None:
        """When the next report is due: ``cadence`` days after the last one (or after ``start``)."""
        if self.cadence is None:
            return None
        since = self.last.on if self.last else start
        return since + dt.timedelta(days=self.cadence) if since else None


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, got {value!r}")
    return value


def _kind(value: Any) -> str:
    if value not in KINDS:
        raise ValueError(f"{value!r} is not a kind of indicator; use numeric or qualitative")
    return value


def _spec() -> dict[str, Any]:
    from .workspace import identifier, positive_int, text, text_list

    return {"id": identifier, "title": text, "kind": _kind, "unit": text, "baseline": _number,
            "target": _number, "levels": text_list, "cadence": positive_int, "owner": identifier}


INDICATOR_SPEC = _spec()


def read_indicators(raw: Any, check: Any, action_id: str, line: int | None, owners: Iterable[str]) -> tuple | None:
    """The indicators of one action's ``indicators:`` list, checked; None after a problem (recorded in ``check``)."""
    from .workspace import line_of

    if not isinstance(raw, list):
        check.problem(f"{action_id}: indicators: expected a list of indicators", line)
        return None
    found: dict[str, Indicator] = {}
    ok = True
    for item in raw:
        fields = check.fields(item, INDICATOR_SPEC, ("id", "title", "kind"), "indicator", line)
        if fields is None:
            ok = False
            continue
        where = getattr(item, "line", line)
        name = f"{action_id}/{fields['id']}"
        if fields["id"] in found:
            check.problem(f"{name}: duplicate indicator id", where)
            ok = False
        if fields["kind"] == "qualitative" and not fields.get("levels"):
            check.problem(f"{name}: a qualitative indicator needs its levels", where)
            ok = False
        if fields["kind"] == "numeric" and fields.get("levels"):
            check.problem(f"{name}: levels are for qualitative indicators", line_of(item, "levels"))
            ok = False
        if fields.get("owner") is not None and fields["owner"] not in set(owners):
            check.problem(f"{name}: unknown owner {fields['owner']!r} (owners are defined in owners.yaml)",
                          line_of(item, "owner"))
            ok = False
        found[fields["id"]] = Indicator(**fields)
    return tuple(found.values()) if ok else None


def fold_reports(indicator: Indicator, events: Iterable[Event]) -> Indicator:
    """The indicator with its reports from ``events``: by the day measured, then the journal's order."""
    reports = [Report(on=e.on or e.at.date(), value=e.value, event=e) for e in events]
    reports.sort(key=lambda r: (r.on, r.event.sort_key))
    return attrs.evolve(indicator, reports=tuple(reports))


def report_indicator(tracker: Tracker, ref: str, value: Any, *, on: str | dt.date | None = None,
                     note: str | None = None, links: Iterable[str] = (), evidence: str | None = None,
                     by: str | None = None, for_owner: str | None = None, public_note: bool = False) -> Indicator:
    """Record a value of indicator ``ACTION/IND`` in the journal; checked first, nothing written on a mistake.

    ``for_owner`` is the owner the report was made for, and ``public_note``
    lets published output show the note, as for :meth:`Tracker.update`.
    """
    from .actions import ACTION_VERSION, checked_plan
    from .journal import new_event_id
    from .tracker.values import current_actor, next_time, parse_date, web_links

    if tracker.as_of_date is not None:
        raise InputError("this is a view of the past (as_of); it cannot be changed")
    action_ref, sep, indicator_id = ref.partition("/")
    if not sep or not indicator_id:
        raise InputError(f"{ref!r}: name an indicator as ACTION/INDICATOR")
    plan = checked_plan(tracker)
    action = plan.get(action_ref)
    indicator = next((i for i in action.indicators if i.id == indicator_id), None)
    if indicator is None:
        known = ", ".join(i.id for i in action.indicators) or "none"
        raise InputError(f"action {action.id!r} has no indicator {indicator_id!r} (its indicators: {known})")
    kept = indicator.check_value(value)
    for_owner, public_note = tracker._attribution(for_owner, public_note, note or None)
    links = web_links(links)
    day = parse_date(on, "date") if on is not None else dt.date.today()
    if day > dt.date.today():
        raise InputError(f"the day measured, {day.isoformat()}, is in the future: report a value once it is measured")
    with tracker.journal.locked() as fh:
        tracker._catch_up_locked()
        last = tracker._last[0] if tracker._last else None
        event = Event(id=new_event_id(), at=next_time(last), by=current_actor(by), recommendation=action.id,
                      kind="report", subject=INDICATOR_SUBJECT, indicator=indicator.id, value=kept, on=day,
                      note=note or None, links=links, evidence=evidence or None, for_owner=for_owner,
                      public=public_note, v=ACTION_VERSION)
        tracker._offset = tracker.journal.append(fh, [event])
        tracker._fold([event])
    tracker.plugins.notify(tracker, [event])
    return next(i for i in checked_plan(tracker).get(action.id).indicators if i.id == indicator.id)
