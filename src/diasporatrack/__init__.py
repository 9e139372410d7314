"""diasporatrack: track policy recommendations, their owners, status and history.

The library's front door::

    from diasporatrack import Tracker
    tracker = Tracker.open()                 # the workspace found upward from the cwd
    for rec in tracker.query(status="proposed", owner="opp-netherlands"):
        print(rec.id, rec.title)
    tracker.update("opp-2024-exp", status="accepted", note="agreed at the board", by="Amina")
"""

from __future__ import annotations

__version__ = "0.1.0"

TYPE_CHECKING = False  # typing itself is not imported: it costs start-up
if TYPE_CHECKING:
    from .errors import (
        DiasporatrackError,
        InputError,
        JournalError,
        LockTimeout,
        NotFound,
        Problem,
        TransitionError,
        WorkspaceError,
    )
    from .hookspecs import hookimpl
    from .lifecycle import DEFAULT_LIFECYCLE, Lifecycle, Status
    from .model import IMPACTS, Event, Finding, Owner, Recommendation, Source
    from .reminders import Delivery, Reminder
    from .scaffold import init_workspace
    from .tracker import Tracker, current_actor

# Each name is imported from its module the first time it is used: a command
# that needs only a few of them does not pay for importing them all.
_EXPORTS = {
    **dict.fromkeys(("DiasporatrackError", "InputError", "JournalError", "LockTimeout", "NotFound", "Problem",
                     "TransitionError", "WorkspaceError"), "errors"),
    "hookimpl": "hookspecs",
    **dict.fromkeys(("DEFAULT_LIFECYCLE", "Lifecycle", "Status"), "lifecycle"),
    **dict.fromkeys(("IMPACTS", "Event", "Finding", "Owner", "Recommendation", "Source"), "model"),
    **dict.fromkeys(("Delivery", "Reminder"), "reminders"),
    "init_workspace": "scaffold",
    **dict.fromkeys(("Tracker", "current_actor"), "tracker"),
}


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # the next lookup is an ordinary one
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


def validate(root: str | None = None) -> list[Problem]:
    """Every problem of the workspace at ``root`` (default: found from the cwd), as values.

    Besides what stops the workspace from opening, this includes owners'
    e-mail addresses no reminder could be sent to.
    """
    from .tracker import Tracker

    tracker = Tracker.load(root)
    return tracker.problems + tracker.contact_problems()


__all__ = [
    "DEFAULT_LIFECYCLE",
    "IMPACTS",
    "Delivery",
    "DiasporatrackError",
    "Event",
    "Finding",
    "InputError",
    "JournalError",
    "Lifecycle",
    "LockTimeout",
    "NotFound",
    "Owner",
    "Problem",
    "Recommendation",
    "Reminder",
    "Source",
    "Status",
    "Tracker",
    "TransitionError",
    "WorkspaceError",
    "__version__",
    "current_actor",
    "hookimpl",
    "init_workspace",
    "validate",
]
