"""The status lifecycle: which statuses exist, what they mean, where they lead.

Every status has a one-line definition (what must be true for a
recommendation to be in it), a progress weight between 0 and 1 for
dashboards, and the statuses it may move to. A status with no next status is
final. The first status of a lifecycle is where new recommendations start.
A workspace may replace the default lifecycle in ``diasporatrack.yaml``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import attrs

from .errors import TransitionError


def _weight(instance: object, attribute: attrs.Attribute, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"weight of a status must be between 0 and 1, not {value}")


@attrs.frozen(kw_only=True)
class Status:
    """One status of the lifecycle."""

    name: str = attrs.field(validator=attrs.validators.matches_re(r"^[a-z][a-z0-9-]*$"))
    definition: str = attrs.field(validator=attrs.validators.instance_of(str))
    weight: float = attrs.field(converter=float, validator=_weight)
    next: tuple[str, ...] = attrs.field(converter=tuple, default=())

    @property
    def final(self) -> bool:
        """A final status allows no further change (without ``--force``)."""
        return not self.next


@attrs.frozen
class Lifecycle:
    """An ordered set of statuses; the first is the initial one."""

    statuses: tuple[Status, ...] = attrs.field(converter=tuple)
    _by_name: dict[str, Status] = attrs.field(init=False, repr=False, eq=False)

    @statuses.validator
    def _check(self, attribute: attrs.Attribute, value: tuple[Status, ...]) -> None:
        if not value:
            raise ValueError("a lifecycle needs at least one status")
        names = [s.name for s in value]
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise ValueError(f"status {name!r} is defined twice")
            seen.add(name)
        for status in value:
            for target in status.next:
                if target not in seen:
                    raise ValueError(f"status {status.name!r} leads to unknown status {target!r}")

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {s.name: s for s in self.statuses})

    @property
    def initial(self) -> str:
        return self.statuses[0].name

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.statuses]

    def __iter__(self) -> Iterator[Status]:
        return iter(self.statuses)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __getitem__(self, name: str) -> Status:
        return self._by_name[name]

    def is_active(self, name: str) -> bool:
        """Active recommendations are the ones still expected to move."""
        status = self._by_name.get(name)
        return status is not None and not status.final

    def check_transition(self, current: str, new: str) -> None:
        """Raise :class:`TransitionError` unless ``current -> new`` is allowed."""
        if new not in self._by_name:
            raise TransitionError(f"unknown status {new!r}; statuses are: {', '.join(self.names)}")
        if current == new:
            raise TransitionError(f"status is already {new!r}")
        allowed = self._by_name[current].next if current in self._by_name else ()
        if new not in allowed:
            options = ", ".join(allowed) if allowed else f"none: {current!r} is final"
            raise TransitionError(f"cannot go from {current!r} to {new!r}; allowed: {options}",
                                  " (use --force to override)")


def _s(name: str, weight: float, definition: str, next: Sequence[str]) -> Status:
    return Status(name=name, weight=weight, definition=definition, next=tuple(next))


DEFAULT_LIFECYCLE = Lifecycle(
    [
        _s("proposed", 0.0, "Recommended in the source; nobody has yet committed to act on it.",
           ["accepted", "in-progress", "rejected", "withdrawn"]),
        _s("accepted", 0.1, "The addressee or an owner has committed to act, but work has not started.",
           ["in-progress", "stalled", "rejected", "withdrawn"]),
        _s("in-progress", 0.5, "Work towards the recommendation has visibly started.",
           ["implemented", "partially-implemented", "stalled", "withdrawn"]),
        _s("partially-implemented", 0.75, "Some but not all of what was recommended has been done.",
           ["in-progress", "implemented", "stalled"]),
        _s("stalled", 0.25, "Work had started or was promised, but nothing has moved for a long time.",
           ["accepted", "in-progress", "rejected", "withdrawn"]),
        _s("implemented", 1.0, "Everything recommended has been done.", []),
        _s("rejected", 0.0, "The addressee has declined to act on the recommendation.", []),
        _s("withdrawn", 0.0, "Whoever made or tracked the recommendation no longer pursues it.", []),
    ]
)


@attrs.frozen(kw_only=True)
class Response:
    """How the addressee answered a recommendation, with what that means."""

    name: str = attrs.field(validator=attrs.validators.matches_re(r"^[a-z][a-z0-9-]*$"))
    definition: str = attrs.field(validator=attrs.validators.instance_of(str))


@attrs.frozen
class Responses:
    """The vocabulary of responses: a dimension of its own beside the status.

    Human-rights trackers record, besides implementation, whether the
    addressee supported a recommendation or only noted it. Any response may
    follow any other: an addressee can change its position.
    """

    responses: tuple[Response, ...] = attrs.field(converter=tuple)

    @responses.validator
    def _check(self, attribute: attrs.Attribute, value: tuple[Response, ...]) -> None:
        names = [r.name for r in value]
        if len(names) != len(set(names)):
            raise ValueError("a response is defined twice")

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.responses]

    def __iter__(self) -> Iterator[Response]:
        return iter(self.responses)

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def __getitem__(self, name: str) -> Response:
        for response in self.responses:
            if response.name == name:
                return response
        raise KeyError(name)


DEFAULT_RESPONSES = Responses([
    Response(name="supported", definition="The addressee accepted the recommendation and said it would act on it."),
    Response(name="supported-in-part", definition="The addressee accepted part of the recommendation."),
    Response(name="noted", definition="The addressee acknowledged the recommendation without committing to it."),
    Response(name="no-response", definition="The addressee was asked but gave no answer."),
])
