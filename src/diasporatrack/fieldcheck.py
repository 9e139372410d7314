"""Checking the classification, progress and cluster fields of recommendations.

The converters turn one raw YAML value into a model value or raise
``ValueError`` with a message (and, for a mapping, the line of the bad
entry). :func:`check_links` runs once every file is read: parents and cited
findings must exist, and neither recommendations' nor owners' ``parent``
chains may loop.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from . import sdgs as sdg_numbering
from .errors import Problem
from .model import ACTION_CATEGORIES

if TYPE_CHECKING:
    from .workspace import Workspace

EXTRA_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.:-]*$")


class LocatedValueError(ValueError):
    """A ``ValueError`` that knows the line of the entry at fault."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def _kind(value: Any) -> str:
    from .workspace import kind

    return kind(value)


def _text(value: Any) -> str:
    from .workspace import text

    return text(value)


def authors(value: Any) -> tuple[str, ...]:
    """One name, or a list of names."""
    if isinstance(value, list):
        from .workspace import text_list

        return text_list(value)
    return (_text(value),)


def sdg_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        value = [value]
    found = []
    for item in value:
        if isinstance(item, bool):
            raise ValueError(f"expected SDG numbers such as \"5\" or \"16.3\", got {_kind(item)}")
        if isinstance(item, int):
            item = str(item)
        elif isinstance(item, float):
            raise ValueError(f"write the target {item!r} in quotes (\"{item}\"): bare, it is a number, "
                             "and 16.10 would read as 16.1")
        elif not isinstance(item, str):
            raise ValueError(f"expected SDG numbers such as \"5\" or \"16.3\", got {_kind(item)}")
        code = sdg_numbering.check(item)
        if code not in found:
            found.append(code)
    return tuple(found)


def action_category(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in ACTION_CATEGORIES:
        raise ValueError(f"expected UPR Info's action category, a whole number from 1 to 5, got {_kind(value)}")
    return value


def text_or_number(value: Any) -> str:
    """A cycle or a session: text, or a whole number kept as text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _text(value)


def percent(value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
        raise ValueError(f"expected a percentage from 0 to 100, got {_kind(value)}")
    return value


def progress_basis(value: Any) -> str:
    """``progress_from`` of one recommendation: ``status`` or ``actions``."""
    from .model import PROGRESS_BASES

    if value not in PROGRESS_BASES:
        raise ValueError(f"{_text(value)!r} is not a basis of progress; use {' or '.join(PROGRESS_BASES)}")
    return value


def positive_number(value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f"expected a number above 0, got {_kind(value)}")
    return value


def scalar(value: Any) -> str | int | float | bool | dt.date:
    """A value ``extra`` can hold: text, a number, true/false or a date."""
    from .yamlio import ImpossibleDate

    if isinstance(value, ImpossibleDate):
        raise ValueError(f"impossible date {str(value)!r} ({value.reason})")
    if isinstance(value, dt.datetime):
        raise ValueError(f"expected a date (YYYY-MM-DD), got the time {value}")
    if isinstance(value, (str, int, float, bool, dt.date)):
        return value
    raise ValueError(f"expected text, a number, true/false or a date, got {_kind(value)} "
                     "(extra holds single values only)")


def extra(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"expected a mapping of names to values, got {_kind(value)}")
    line_of: Callable[[Any], int | None] = getattr(value, "line_of", lambda key: None)
    out: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not EXTRA_KEY.match(key) or key != key.strip():
            raise LocatedValueError(f"{key!r} is not a name for an extra field (letters, digits, spaces and "
                                    "_ . : - only)", line_of(key))
        if item is None:
            continue
        try:
            out[key] = scalar(item)
        except ValueError as err:
            raise LocatedValueError(f"{key!r}: {err}", line_of(key)) from None
    return out


def extra_text(value: Any) -> str:
    """How ``list --where`` and the CSV export see an extra value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# --- across records -----------------------------------------------------------


@attrs.frozen
class Link:
    """A reference written in a file, checked once everything is read."""

    rec: str
    kind: str  # "parent" or "cites"
    targets: tuple[str, ...]
    path: Path
    line: int | None


def _hint(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_links(ws: Workspace, links: Iterable[Link]) -> None:
    """Add a problem for every unknown parent or finding and every loop of parents."""
    findings = {key[len("finding:"):] for key in ws.locations if key.startswith("finding:")}
    parents: dict[str, str] = {}
    where: dict[str, Link] = {}
    for link in links:
        if link.kind == "cites":
            for finding in link.targets:
                if finding not in findings:
                    ws.problems.append(Problem(
                        message=f"{link.rec}: cites unknown finding {finding!r}{_hint(finding, findings)}",
                        path=link.path, line=link.line))
            continue
        (parent,) = link.targets
        if parent not in ws.recommendations:
            ws.problems.append(Problem(
                message=f"{link.rec}: unknown parent {parent!r}{_hint(parent, ws.recommendations)} "
                        "(a parent is the id of another recommendation)", path=link.path, line=link.line))
            continue
        parents[link.rec] = parent
        where[link.rec] = link
    for cycle in cycles(parents):
        first = where[cycle[0]]
        ws.problems.append(Problem(message=f"parents form a cycle: {' -> '.join([*cycle, cycle[0]])}",
                                   path=first.path, line=first.line))
    children: dict[str, list[str]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    ws.children = {parent: tuple(kids) for parent, kids in children.items()}


def cycles(parents: Mapping[str, str]) -> list[list[str]]:
    """Every loop in a child -> parent mapping, each once, starting at its smallest id."""
    found: list[list[str]] = []
    done: set[str] = set()
    for start in parents:
        path: list[str] = []
        on_path: set[str] = set()
        node: str | None = start
        while node is not None and node not in done and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = parents.get(node)
        if node is not None and node in on_path:
            loop = path[path.index(node):]
            turn = loop.index(min(loop))
            found.append(loop[turn:] + loop[:turn])
        done.update(path)
    return found
