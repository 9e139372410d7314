"""The model: frozen, validated value objects.

Nothing here is ever mutated. The current state of a recommendation is its
authored YAML with the journal's events folded in, each fold producing a new
value with :func:`attrs.evolve`. Locations (file, line) are kept by the
workspace beside the objects, not inside them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs
from attrs import validators as v

from .translations import valid_translations

# \Z, not $: "$" also matches before a final newline, and an id is a whole string (`id: |` gives "x\n").
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}\Z"  # at most 128 characters: ids become file names
NAME_PATTERN = r"^[a-z][a-z0-9-]{0,63}\Z"  # statuses and responses
IMPACTS = ("none", "minor", "moderate", "transformative")
PROGRESS_BASES = ("status", "actions")  # progress_from: what progress comes from when none is set
# UPR Info's action categories: how much a recommendation asks the State under Review to do.
ACTION_CATEGORIES = {
    1: "minimal action: addressed to States other than the one under review, or asks it to seek help "
       "or share information",
    2: "continuing action: asks it to go on with what it already does",
    3: "considering action: asks it to consider, review or reflect on a change",
    4: "general action: asks it to act, without saying how",
    5: "specific action: names a concrete measure (a law to pass, a treaty to ratify, ...)",
}
# What date arithmetic, calendars and databases downstream all accept (docs/reliability.md, "Limits").
FIRST_DATE = dt.date(1800, 1, 1)
LAST_DATE = dt.date(2999, 12, 31)
MAX_DAYS = 36_500  # a review cadence or reminder window: at most a hundred years


def date_in_range(day: dt.date) -> str | None:
    """Why ``day`` is out of the supported range, or None."""
    if not FIRST_DATE <= day <= LAST_DATE:
        return f"the date {day.isoformat()} is outside the supported range {FIRST_DATE} to {LAST_DATE}"
    return None


def _date_range(instance: object, attribute: attrs.Attribute, value: dt.date | None) -> None:
    if value is not None and date_in_range(value):
        raise ValueError(f"{attribute.name}: {date_in_range(value)}")


_id = [v.instance_of(str), v.matches_re(ID_PATTERN)]
_text = v.instance_of(str)
_opt_text = v.optional(v.instance_of(str))
_strings = v.deep_iterable(v.instance_of(str), v.instance_of(tuple))
_opt_date = [v.optional(v.instance_of(dt.date)), _date_range]
_bool = v.instance_of(bool)


def _tuple(value: Any) -> tuple:
    return tuple(value) if value is not None else ()


def _scalar_map(instance: object, attribute: attrs.Attribute, value: Mapping[str, Any]) -> None:
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, (str, int, float, bool, dt.date)):
            raise ValueError(f"{attribute.name}: {key!r} must map to text, a number, true/false or a date")


def _percent(instance: object, attribute: attrs.Attribute, value: float | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100):
        raise ValueError(f"{attribute.name} must be a number from 0 to 100, not {value!r}")


def _utc(instance: object, attribute: attrs.Attribute, value: dt.datetime) -> None:
    if not isinstance(value, dt.datetime) or value.utcoffset() != dt.timedelta(0):
        raise ValueError(f"{attribute.name} must be a UTC datetime, not {value!r}")


@attrs.frozen(kw_only=True)
class Finding:
    """Cited evidence from a source that makes no recommendation of its own."""

    id: str = attrs.field(validator=_id)
    text: str = attrs.field(validator=_text)
    quote: str | None = attrs.field(default=None, validator=_opt_text)
    themes: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_strings)
    # Language tag -> translated fields (text, quote): see diasporatrack.translations.
    translations: Mapping[str, Mapping[str, str]] = attrs.field(
        factory=dict, hash=False, validator=valid_translations("finding"))


@attrs.frozen(kw_only=True)
class Source:
    """A document that recommendations come from: a report, an article, a review."""

    id: str = attrs.field(validator=_id)
    title: str = attrs.field(validator=_text)
    publisher: str | None = attrs.field(default=None, validator=_opt_text)
    kind: str | None = attrs.field(default=None, validator=_opt_text)
    date: dt.date | None = attrs.field(default=None, validator=_opt_date)
    authors: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_strings)
    url: str | None = attrs.field(default=None, validator=_opt_text)
    note: str | None = attrs.field(default=None, validator=_opt_text)
    findings: tuple[Finding, ...] = attrs.field(default=(), converter=_tuple)
    # The sha256 of the archived plain text (sources/ID.txt) the quotes are proven against.
    text_sha256: str | None = attrs.field(default=None, validator=_opt_text)
    # The language it is written in (a BCP 47 tag), and translations of its title and note.
    language: str | None = attrs.field(default=None, validator=_opt_text)
    translations: Mapping[str, Mapping[str, str]] = attrs.field(
        factory=dict, hash=False, validator=valid_translations("source"))


@attrs.frozen(kw_only=True)
class Owner:
    """Who carries a recommendation forward: an expert group, an organisation, a person."""

    id: str = attrs.field(validator=_id)
    name: str = attrs.field(validator=_text)
    kind: str | None = attrs.field(default=None, validator=_opt_text)
    parent: str | None = attrs.field(default=None, validator=_opt_text)
    email: str | None = attrs.field(default=None, validator=_opt_text)
    note: str | None = attrs.field(default=None, validator=_opt_text)


@attrs.frozen(kw_only=True)
class Event:
    """One line of the journal: something that happened to a recommendation.

    ``kind`` is ``"update"`` for status, owner, due-date and note changes,
    ``"reminded"`` for a reminder sent and ``"edit"`` for a change written
    into the YAML files (its ``field``, ``old`` and ``new`` say which); plugins may add kinds of their own and
    keep their details in ``data``. ``at`` is always UTC; events are folded
    in ``(at, id)`` order so every clone agrees on the result. ``by`` is the
    member who recorded it and is never published; ``for_owner`` is whom it
    was done for, and ``public`` marks a note that published output may show.
    """

    id: str = attrs.field(validator=_text)
    at: dt.datetime = attrs.field(validator=_utc)
    by: str = attrs.field(validator=_text)
    recommendation: str = attrs.field(validator=_text)
    kind: str = attrs.field(default="update", validator=_text)
    status: str | None = attrs.field(default=None, validator=_opt_text)
    previous_status: str | None = attrs.field(default=None, validator=_opt_text)
    response: str | None = attrs.field(default=None, validator=_opt_text)
    previous_response: str | None = attrs.field(default=None, validator=_opt_text)
    owners_added: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_strings)
    owners_removed: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_strings)
    due: dt.date | None = attrs.field(default=None, validator=_opt_date)
    due_cleared: bool = attrs.field(default=False, validator=v.instance_of(bool))
    progress: float | None = attrs.field(default=None, validator=_percent)
    previous_progress: float | None = attrs.field(default=None, validator=_percent)
    progress_cleared: bool = attrs.field(default=False, validator=v.instance_of(bool))
    note: str | None = attrs.field(default=None, validator=_opt_text)
    forced: bool = attrs.field(default=False, validator=v.instance_of(bool))
    data: Mapping[str, Any] = attrs.field(factory=dict, hash=False)
    # Event schema 2: an ``edit`` of the authored YAML. ``subject`` says what
    # ``recommendation`` names when it is not a recommendation ("source",
    # "owner"); ``field`` is the field changed (None: the whole record was
    # added or removed); ``old`` and ``new`` are JSON values, None for absent.
    v: int = attrs.field(default=1, validator=v.instance_of(int))
    subject: str | None = attrs.field(default=None, validator=_opt_text)
    field: str | None = attrs.field(default=None, validator=_opt_text)
    old: Any = attrs.field(default=None, hash=False)
    new: Any = attrs.field(default=None, hash=False)
    # Event schema 3: whom it was done for (an owner id; published instead of
    # ``by``), and whether ``note`` may be published.
    for_owner: str | None = attrs.field(default=None, validator=_opt_text)
    public: bool = attrs.field(default=False, validator=_bool)
    # The day it happened, when that is before the day it was recorded (``--at``).
    on: dt.date | None = attrs.field(default=None, validator=_opt_date)

    @property
    def happened(self) -> dt.datetime:
        """When it happened: ``at``, or the end of ``on`` (UTC) for something recorded on a later day."""
        if self.on is None or self.on >= self.at.date():
            return self.at
        return dt.datetime.combine(self.on, dt.time.max, tzinfo=dt.timezone.utc)
    # Event schema 6: subjects beyond recommendations (``action``, ``indicator``), an indicator's report
    # (``indicator``, ``value``; ``on`` is the day it was measured) and evidence on any event.
    indicator: str | None = attrs.field(default=None, validator=_opt_text)
    value: Any = attrs.field(default=None, validator=attrs.validators.optional(
        attrs.validators.instance_of((int, float, str))))
    links: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_strings)
    evidence: str | None = attrs.field(default=None, validator=_opt_text)

    @property
    def sort_key(self) -> tuple[dt.datetime, str]:
        """Events fold in the order they happened; the id breaks ties, so every clone agrees."""
        return (self.happened, self.id)

    def describe(self) -> str:
        """A short human sentence of what the event changed."""
        parts = [f"on {self.on.isoformat()}"] if self.on is not None and self.on < self.at.date() else []
        if self.status is not None:
            arrow = f"{self.previous_status} -> {self.status}" if self.previous_status else self.status
            parts.append(f"status {arrow}" + (" (forced)" if self.forced else ""))
        if self.response is not None:
            arrow = f"{self.previous_response} -> {self.response}" if self.previous_response else self.response
            parts.append(f"response {arrow}")
        if self.owners_added:
            parts.append("owners + " + ", ".join(self.owners_added))
        if self.owners_removed:
            parts.append("owners - " + ", ".join(self.owners_removed))
        if self.due is not None:
            parts.append(f"due {self.due.isoformat()}")
        if self.due_cleared:
            parts.append("due cleared")
        if self.progress is not None:
            before = f"{_percent_text(self.previous_progress)} -> " if self.previous_progress is not None else ""
            parts.append(f"progress {before}{_percent_text(self.progress)}")
        if self.progress_cleared:
            parts.append("progress cleared (the status gives it again)")
        if self.kind == "edit":
            parts.append(_describe_edit(self))
        elif self.kind != "update":
            detail = self.data.get("summary") if isinstance(self.data, Mapping) else None
            parts.append(self.kind + (f": {detail}" if detail else ""))
        if self.indicator is not None:
            parts.append(f"{self.indicator} = {self.value}")
        if self.for_owner:
            parts.append(f"for {self.for_owner}")
        if self.note:
            parts.append(f"{'public ' if self.public else ''}note: {self.note}")
        if self.evidence:
            parts.append(f"evidence: {self.evidence}")
        if self.links:
            parts.append("links: " + ", ".join(self.links))
        return "; ".join(parts) or self.kind


def _describe_edit(event: Event) -> str:
    what = f"{event.subject} " if event.subject else ""
    if event.field is None:
        return f"{what}{'added' if event.old is None else 'removed' if event.new is None else 'replaced'}"
    return f"{what}{event.field}: {_short(event.old)} -> {_short(event.new)}"


def _short(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        value = ", ".join(str(item) for item in value) or "[]"
    text = " ".join(str(value).split())
    return repr(text[:37] + "..." if len(text) > 40 else text)


@attrs.frozen(kw_only=True)
class Recommendation:
    """A recommendation as it stands: authored fields plus its folded history."""

    id: str = attrs.field(validator=_id)
    title: str = attrs.field(validator=_text)
    text: str = attrs.field(validator=_text)
    source: str = attrs.field(validator=_text)
    status: str = attrs.field(validator=_text)
    response: str | None = attrs.field(default=None, validator=_opt_text)
    quote: str | None = attrs.field(default=None, validator=_opt_text)
    authors: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_strings)
    addressed_to: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_strings)
    owners: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_strings)
    themes: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_strings)
    due: dt.date | None = attrs.field(default=None, validator=_opt_date)
    review_every: int | None = attrs.field(
        default=None, validator=v.optional([v.instance_of(int), v.gt(0), v.le(MAX_DAYS)])
    )
    impact: str | None = attrs.field(default=None, validator=v.optional(v.in_(IMPACTS)))
    links: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_strings)
    # Classification, as human-rights databases carry it.
    reference: str | None = attrs.field(default=None, validator=_opt_text)
    sdgs: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_strings)
    affected_persons: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_strings)
    author_group: str | None = attrs.field(default=None, validator=_opt_text)
    action_category: int | None = attrs.field(default=None, validator=v.optional(v.in_(tuple(ACTION_CATEGORIES))))
    cycle: str | None = attrs.field(default=None, validator=_opt_text)
    session: str | None = attrs.field(default=None, validator=_opt_text)
    extra: Mapping[str, Any] = attrs.field(factory=dict, hash=False, validator=_scalar_map)
    # Progress beyond the status, clusters and evidence.
    progress: float | None = attrs.field(default=None, validator=_percent)
    parent: str | None = attrs.field(default=None, validator=_opt_text)
    weight: float | None = attrs.field(default=None, validator=v.optional([v.instance_of((int, float)), v.gt(0)]))
    cites: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_strings)
    # Proposed by an extractor and not yet reviewed: left out of reminders and public exports.
    draft: bool = attrs.field(default=False, validator=v.instance_of(bool))
    # Language tag -> translated title, text and quote (a quote's translation never replaces it).
    translations: Mapping[str, Mapping[str, str]] = attrs.field(
        factory=dict, hash=False, validator=valid_translations("recommendation"))
    # What its progress comes from when none is set: overrides the workspace's progress_from.
    progress_from: str | None = attrs.field(default=None, validator=v.optional(v.in_(PROGRESS_BASES)))
    history: tuple[Event, ...] = attrs.field(default=(), converter=_tuple, eq=False, repr=False)

    @property
    def author(self) -> str | None:
        """The authors as one text (``"A; B"``), None when there are none; for code written before lists."""
        return "; ".join(self.authors) or None

    @property
    def updated(self) -> dt.datetime | None:
        """When something last happened to it (None: never); reminders sent don't count."""
        for event in reversed(self.history):
            if event.kind != "reminded":
                return event.happened
        return None

    def apply(self, event: Event) -> Recommendation:
        """The recommendation after ``event``: a new value, this one unchanged."""
        changes: dict[str, Any] = {"history": self.history + (event,)}
        if event.status is not None:
            changes["status"] = event.status
        if event.response is not None:
            changes["response"] = event.response
        if event.owners_added or event.owners_removed:
            owners = [o for o in self.owners if o not in event.owners_removed]
            owners += [o for o in event.owners_added if o not in owners]
            changes["owners"] = tuple(owners)
        if event.due is not None:
            changes["due"] = event.due
        elif event.due_cleared:
            changes["due"] = None
        if event.progress is not None:
            changes["progress"] = event.progress
        elif event.progress_cleared:
            changes["progress"] = None
        return attrs.evolve(self, **changes)


def _percent_text(value: float) -> str:
    return f"{value:g}%"
