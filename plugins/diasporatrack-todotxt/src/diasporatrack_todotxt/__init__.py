"""``todotxt``: recommendations as a todo.txt file (https://github.com/todotxt/todo.txt).

One task per line, so any todo.txt app (or ``grep``) can work through them::

    [(P) ][created-date ]title +source @owner... [due:D] id:ID status:S      (open)
    x [done-date created-date ]title +source @owner... [due:D] id:ID status:S  (done)

- **completion**: ``x `` when the status is final *and* its progress weight is
  1 (done, e.g. ``implemented``). Final statuses that were not done
  (``rejected``, ``withdrawn``) stay open lines without a priority; filter
  them with their ``status:`` tag. The done date is the day of the event
  that set the status; after ``x`` todo.txt reads the first date as the
  done date, so both dates are written, or neither.
- **priority**, for open tasks, from the built-in ``urgency`` scorer (today's
  date): ``(A)`` at 12 or more (as urgent as an overdue recommendation),
  ``(B)`` at 6 or more, ``(C)`` at 2 or more, none below 2.
- **created date**: the date of the source document, when known.
- ``+project`` is the source id, ``@context`` each owner; ``due:``, ``id:``,
  ``status:`` are key:value tags. Whitespace in these values becomes ``-``.
- **text**: the title on one line. A title word that todo.txt would read as
  structure (a leading ``x``, ``(A)`` or date; any ``+project``,
  ``@context`` or ``key:value``) gets a backslash in front, so a title can
  forge neither completion, priority, dates nor tags.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from diasporatrack import hookimpl

if TYPE_CHECKING:
    from diasporatrack.model import Recommendation
    from diasporatrack.tracker import Tracker

__all__ = ["PRIORITIES", "TodoTxtExporter", "priority", "register_exporters", "task_text", "todo_line"]

PRIORITIES: tuple[tuple[float, str], ...] = ((12.0, "A"), (6.0, "B"), (2.0, "C"))

# What todo.txt reads as structure: at the start of the text, and anywhere in it.
_LEADING = re.compile(r"^(x|\([A-Z]\)|\d{4}-\d{2}-\d{2})$")
_TAG = re.compile(r"^([+@]\S|[^\s:]+:\S)")  # lax, like most apps' parsers


def priority(urgency: float) -> str | None:
    """The todo.txt priority letter for an urgency score (None: no priority)."""
    return next((letter for threshold, letter in PRIORITIES if urgency >= threshold), None)


def _word(value: str) -> str:
    """A tag value cannot hold whitespace: it would end the tag."""
    return re.sub(r"\s+", "-", value.strip())


def task_text(title: str) -> str:
    """The title on one line, with every word that todo.txt would parse neutralised."""
    words = title.split()  # splits on every Unicode line break too
    out = []
    for i, word in enumerate(words):
        if (i == 0 and _LEADING.match(word)) or _TAG.match(word):
            word = "\\" + word
        out.append(word)
    return " ".join(out)


def todo_line(rec: Recommendation, tracker: Tracker, urgency: float) -> str:
    """One recommendation as one todo.txt task."""
    status = tracker.lifecycle[rec.status] if rec.status in tracker.lifecycle else None
    done = status is not None and status.final and status.weight >= 1.0
    source = tracker.sources.get(rec.source)
    created = source.date.isoformat() if source is not None and source.date is not None else None
    head: list[str] = []
    if done:
        # After "x" the first date is the done date: write dates only as a pair.
        finished = next((e.at.date() for e in reversed(rec.history) if e.status == rec.status), None)
        head += ["x", finished.isoformat(), created] if finished and created else ["x"]
    else:
        letter = priority(urgency)
        head += ([f"({letter})"] if letter else []) + ([created] if created else [])
    tags = [f"+{_word(rec.source)}", *(f"@{_word(o)}" for o in rec.owners)]
    if rec.due is not None:
        tags.append(f"due:{rec.due.isoformat()}")
    tags += [f"id:{_word(rec.id)}", f"status:{_word(rec.status)}"]
    return " ".join([*head, task_text(rec.title) or task_text(rec.id), *tags])


class TodoTxtExporter:
    name = "todotxt"
    extension = "txt"
    description = "todo.txt tasks: priority from urgency, x when done, +source @owner due: id: status:"

    def export(self, tracker: Tracker, recommendations: Sequence[Recommendation]) -> str:
        urgency = tracker.score("urgency", recommendations)
        return "".join(todo_line(r, tracker, urgency[r.id].value) + "\n" for r in recommendations)


@hookimpl
def register_exporters() -> list[TodoTxtExporter]:
    return [TodoTxtExporter()]
