"""What plugin objects look like: the protocols behind the ``register_*`` hooks.

Plugins need not inherit from anything: any object with these attributes
works. The value classes (:class:`Score`, :class:`Term`, :class:`Context`)
are what plugins build and receive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

if TYPE_CHECKING:
    from .extraction import Candidate
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
