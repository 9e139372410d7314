"""Errors are values with a location.

A :class:`Problem` says what is wrong and where (file and line, when there is
one). Loading a workspace collects every problem instead of stopping at the
first, so ``validate`` can print them all; the library raises a
:class:`WorkspaceError` carrying the list when a workspace cannot be used.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing itself is not imported: it costs start-up
if TYPE_CHECKING:
    from .problem import Problem


def __getattr__(name: str):
    # Problem is an attrs class: imported when first used, so that raising an error never costs importing attrs.
    if name == "Problem":
        from .problem import Problem

        globals()["Problem"] = Problem
        return Problem
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class DiasporatrackError(Exception):
    """Base class of every error the library raises on purpose.

    The CLI prints these as one line and exits non-zero; anything else is a
    bug and shows a traceback.
    """

    exit_code = 2


class WorkspaceError(DiasporatrackError):
    """The workspace files have problems; ``problems`` lists all of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        first = str(self.problems[0]) if self.problems else "invalid workspace"
        more = len(self.problems) - 1
        super().__init__(first + (f" (and {more} more problem{'s' * (more > 1)})" if more else ""))


class NotFound(DiasporatrackError):
    """An id or prefix matches nothing, or more than one thing."""


class TransitionError(DiasporatrackError):
    """A status change that the lifecycle does not allow.

    ``reason`` is the message without ``hint`` (how the command line
    overrides it), for a caller with no such option, such as the web app.
    """

    def __init__(self, reason: str, hint: str = "") -> None:
        super().__init__(reason + hint)
        self.reason = reason


class JournalError(DiasporatrackError):
    """The journal cannot be read or written."""


class LockTimeout(DiasporatrackError):
    """Another process held a lock longer than this one would wait (a second ``remind`` run)."""


class InputError(DiasporatrackError):
    """A value given by the user (a date, a status, an owner) is not valid."""


class WriteError(DiasporatrackError):
    """A file could not be written (a special file in the way, a missing folder, a full disk).

    Whatever was there before is left as it was.
    """


class StaleVersion(DiasporatrackError):
    """A change drawn from an older version of a recommendation than the current one.

    ``current`` is the recommendation as it stands now, so the caller can show it
    and let the person decide again.
    """

    def __init__(self, message: str, current: object = None, version: str | None = None) -> None:
        super().__init__(message)
        self.current = current
        self.version = version
