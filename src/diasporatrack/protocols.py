"""What plugin objects look like: the protocols behind the ``register_*`` hooks.

Plugins need not inherit from anything: any object with these attributes
works (a preset's optional parts are looked up by name). The value classes (:class:`Score`, :class:`Term`, :class:`Context`)
are what plugins build and receive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

if TYPE_CHECKING:
    from pathlib import Path

    from .extraction import Candidate
    from .importer.rows import Sheet
    from .model import Recommendation
    from .reminders import Delivery, Reminder
    from .tracker import Tracker


@attrs.frozen(kw_only=True)
class Context:
    """What a scorer, rule or channel may look at besides the recommendation."""

    tracker: Tracker
    today: dt.date
    settings: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class Term:
    """One part of a score: ``value`` points, and why in plain words."""

    name: str
    value: float
    reason: str


@attrs.frozen
class Score:
    """A score and the terms it is the sum of; ``explain()`` shows each term."""

    value: float
    terms: tuple[Term, ...] = attrs.field(default=(), converter=tuple)

    @classmethod
    def from_terms(cls, terms: Iterable[Term]) -> Score:
        terms = tuple(terms)
        return cls(round(sum(t.value for t in terms), 6), terms)

    def explain(self) -> str:
        lines = [f"  {t.name:<12} {t.value:+8.2f}  {t.reason}" for t in self.terms]
        return "\n".join([*lines, f"  {'total':<12} {self.value:8.2f}"])


@runtime_checkable
class Exporter(Protocol):
    """Writes recommendations in a file format.

    ``export`` returns text (``str``) or ``bytes``; the CLI writes it to a
    file atomically or to stdout.
    """

    name: str
    extension: str
    description: str

    def export(self, tracker: Tracker, recommendations: Sequence[Recommendation]) -> str | bytes: ...


@runtime_checkable
class Scorer(Protocol):
    """Gives each recommendation a number, explained term by term."""

    name: str
    description: str

    def score(self, recommendation: Recommendation, context: Context) -> Score: ...


@runtime_checkable
class ReminderRule(Protocol):
    """Says which recommendations need attention today, and why.

    ``check`` returns :class:`~diasporatrack.Reminder` values (none, one or
    several). It may leave ``owner_name`` and ``contact`` out: ``remind``
    fills them in, the contact falling back to the owner's nearest parent.
    """

    name: str
    description: str

    def check(self, recommendation: Recommendation, context: Context) -> Iterable[Reminder]: ...


@runtime_checkable
class PlanRule(Protocol):
    """Says which actions of the plan (or their indicators) need attention today, and why.

    The plan's own protocol, so rules written for recommendations
    (:class:`ReminderRule`) keep working unchanged. ``check_action`` returns
    :class:`~diasporatrack.Reminder` values whose ``recommendation`` is the
    action's id and whose ``subject`` is ``"action"``; ``plan`` is the
    :class:`~diasporatrack.actions.Plan` the action belongs to.
    """

    name: str
    description: str

    def check_action(self, action: Any, plan: Any, context: Context) -> Iterable[Reminder]: ...


@runtime_checkable
class ReminderChannel(Protocol):
    """Delivers reminders (console, e-mail, calendar, ...).

    ``deliver`` returns (or, to have each recorded as it is done, yields)
    one :class:`~diasporatrack.Delivery` per reminder.
    With ``dry_run`` it must deliver nothing (send no message, write no
    file) and say what it would deliver. A channel whose ``deliver`` takes no
    ``dry_run`` argument (written before it existed) is still called without
    it, except under ``--dry-run``, where it is not called at all. Set
    ``records = False`` on a channel that only shows (like the console): its
    deliveries are not recorded, so every run shows everything again.
    """

    name: str
    description: str

    def deliver(self, reminders: Sequence[Reminder], context: Context,
                dry_run: bool = False) -> Iterable[Delivery]: ...


@runtime_checkable
class Extractor(Protocol):
    """Finds the recommendations in a document's text.

    ``extract`` returns :class:`~diasporatrack.extraction.Candidate` values,
    each quoting a verbatim span of the text it was given. It must be
    deterministic and must not use the network.
    """

    name: str
    description: str

    def extract(self, text: str) -> list[Candidate]: ...


@runtime_checkable
class TableReader(Protocol):
    """Reads a file layout that is a table (CSV, a workbook's sheet, a Word table) into rows.

    ``extensions`` are the file name endings it reads (``(".csv", ".tsv")``),
    ``options`` the import options it understands (``"encoding"``,
    ``"delimiter"``, ``"sheet"``, ...): an option the user gives that the
    reader does not list is refused, never ignored. ``read`` returns a
    :class:`~diasporatrack.importer.Sheet`: the column names, then the rows
    as :class:`~diasporatrack.importer.Row` values (text cells by column,
    and where each row is). A file it cannot read at all raises
    :class:`~diasporatrack.errors.InputError` with a one-line message; a
    row it cannot read is yielded with its ``problem``. Mapping columns
    onto fields, value maps, dates and checks are the import's job, the
    same for every reader.
    """

    name: str
    description: str
    extensions: tuple[str, ...]
    options: tuple[str, ...]

    def read(self, path: Path, options: Mapping[str, Any]) -> Sheet: ...


@runtime_checkable
class DocumentImporter(Protocol):
    """Turns a file that is not a table (a Markdown list, a JSON export) into new source files.

    ``plan`` reads the whole file and returns an
    :class:`~diasporatrack.importer.ImportPlan` (nothing written yet); it
    raises :class:`~diasporatrack.errors.WorkspaceError` listing every
    problem, or :class:`~diasporatrack.errors.InputError`. ``options``
    lists the import options it understands (``"source"``, ``"title"``);
    ``dry_run`` is always passed.
    """

    name: str
    description: str
    extensions: tuple[str, ...]
    options: tuple[str, ...]

    def plan(self, tracker: Tracker, path: Path, options: Mapping[str, Any]) -> Any: ...


@runtime_checkable
class Preset(Protocol):
    """The columns of one known table layout (a database's export), for ``import --preset NAME``.

    ``columns`` maps a field (or ``extra.KEY``) to the column names it may
    have in the file, matched without case; the first present one is read.
    Optional attributes (see ``docs/writing-plugins.md``): ``required``
    (fields the file must have), ``values`` (per field, file value -> our
    value, matched without case), ``key`` (the fields that identify a row
    when the file has no id), ``split`` (per list field, the regular
    expression between items), ``prepare(rows)`` (drop or amend rows before
    they are mapped), ``source(record)`` (the source block a record goes
    to when ``--source`` is not given) and ``finish(record, row)`` (the
    record after mapping: add, derive, or return None to skip the row).
    """

    name: str
    description: str
    columns: Mapping[str, Sequence[str]]
