"""The small pieces a tracker is built from: who acts, dates and percentages as given, ids by prefix."""

from __future__ import annotations

import datetime as dt
import difflib
import getpass
import os
from collections.abc import Collection, Iterable

from ..errors import InputError, NotFound
from ..model import Recommendation

USER_ENV = "DIASPORATRACK_USER"
FUTURE_TOLERANCE = dt.timedelta(days=1)  # clocks disagree; an event further ahead is set aside

Filter = str | Collection[str] | None


def current_actor(by: str | None = None) -> str:
    """Who is acting: ``by``, else ``$DIASPORATRACK_USER``, else the login name."""
    if by:
        return by
    if os.environ.get(USER_ENV):
        return os.environ[USER_ENV]
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (some containers)
        return "unknown"


def parse_date(value: str | dt.date, what: str = "date") -> dt.date:
    """A date from ``YYYY-MM-DD`` text, with an error that says what was wrong."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InputError(f"bad {what} {value!r}: expected YYYY-MM-DD") from None


def parse_percent(value: float | str) -> float:
    """A progress percentage from 0 to 100 (decimals allowed), from a number or its text."""
    try:
        number = float(value) if not isinstance(value, bool) else float("nan")
    except (TypeError, ValueError):
        raise InputError(f"bad progress {value!r}: expected a number from 0 to 100") from None
    if not 0 <= number <= 100:  # also refuses nan
        raise InputError(f"bad progress {value!r}: expected a number from 0 to 100")
    return int(number) if number.is_integer() else number


def web_links(links: Iterable[str]) -> tuple[str, ...]:
    """Evidence links as given, each an http(s) address, or a one-line error naming the first that is not.

    A ``javascript:`` or ``file:`` link is refused here, not only where it is
    shown: published pages and reminders make every link one click away.
    """
    import re

    found = tuple(link.strip() for link in links)
    for link in found:
        if not re.fullmatch(r"https?://[^\s/]\S*", link, re.IGNORECASE):
            raise InputError(f"link {link!r} is not a web address (http:// or https://)")
    return found


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tzinfo=dt.timezone.utc)


def as_set(value: Filter) -> set[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return {value}
    return set(value)


class Stale(Exception):
    """The cache cannot be brought up to date incrementally: read everything."""


def next_time(last: dt.datetime | None) -> dt.datetime:
    """Now, but never before the last event: keeps one clone's order stable."""
    now = dt.datetime.now(dt.timezone.utc)
    if last is not None and now <= last:
        now = last + dt.timedelta(microseconds=1)
    return now


def current_owner(ref: str, rec: Recommendation) -> str:
    """One of ``rec``'s owners by id or unique prefix."""
    matches = [o for o in rec.owners if o == ref] or [o for o in rec.owners if o.startswith(ref)]
    if len(matches) != 1:
        current = ", ".join(rec.owners) or "none"
        raise InputError(f"{ref!r} is not an owner of {rec.id} (owners: {current})")
    return matches[0]


def unknown(what: str, plural: str, name: str, names: list[str]) -> InputError:
    return InputError(f"unknown {what} {name!r}{hint(name, names)}; {plural} are: {', '.join(names)}")


def hint(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def resolve_ref(ref: str, items: dict, what: str) -> str:
    if ref in items:
        return ref
    matches = [key for key in items if key.startswith(ref)] if ref else []
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound(f"no {what} {ref!r}{hint(ref, items)}")
    shown = ", ".join(sorted(matches)[:5]) + (", ..." if len(matches) > 5 else "")
    raise NotFound(f"{what} prefix {ref!r} is ambiguous: {shown}")

