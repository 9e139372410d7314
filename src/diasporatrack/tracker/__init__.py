"""The Tracker: a workspace's recommendations as they stand, and the way to change them.

State is never stored: it is the authored YAML with the journal's events
folded in ``(at, id)`` order. Changes are appended to the journal under its
lock; before deciding whether a change is allowed, the tracker catches up
with anything other processes appended since it was opened.

One module per job: ``folding`` opens a workspace and folds the journal,
``reading`` finds and filters, ``changing`` records changes, ``outputs``
checks, scores and exports through plugins, ``values`` parses what users give.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Problem
from ..journal import Journal
from ..lifecycle import Lifecycle, Responses
from ..model import Event, Owner, Recommendation, Source
from ..workspace import Workspace
from .changing import Changing
from .folding import Folding
from .outputs import Outputs
from .reading import Reading
from .values import FUTURE_TOLERANCE, USER_ENV, Filter, current_actor, parse_date, parse_percent

if TYPE_CHECKING:
    from ..plugins import Plugins

__all__ = ["FUTURE_TOLERANCE", "USER_ENV", "Filter", "Tracker", "current_actor", "parse_date", "parse_percent"]


class Tracker(Folding, Reading, Changing, Outputs):
    """The recommendations of one workspace, their state and their history.

    Open one with :meth:`Tracker.open`; iterate it for recommendations.
    """

    def __init__(
        self, workspace: Workspace, journal: Journal, as_of: dt.date | None = None, plugins: Iterable[Any] = ()
    ) -> None:
        self.workspace = workspace
        self.journal = journal
        self.as_of_date = as_of
        self.warnings: list[Problem] = []
        self._state: MutableMapping[str, Recommendation] = dict(workspace.recommendations)
        self._offset = 0
        self._events: list[Event] | None = []  # None when opened from the cache: not all are in memory
        self._last: tuple[dt.datetime, str] | None = None  # sort key of the last event folded
        self._event_count = 0
        self._seen: dict[str, Event] = {}  # by id: one event twice counts once, two different ones are an error
        self.set_aside: list[Problem] = []  # events dated ahead of the clock, not folded (see _admit)
        self._retired: set[str] = set()  # recommendations removed by an edit: their old events stay quiet
        self._orphans: dict[str, list[Problem]] = {}  # warnings about events of unknown recommendations
        self._authored: tuple[Any, Workspace] | None = None  # files' fingerprint, workspace: after a write
        self._cache_token: str | None = None  # names the authored content, when this tracker keeps a cache
        self._fresh_rows: dict[str, str] = {}  # JSON rows made while writing the cache
        self._unsaved: set[str] = set()  # changed since the cache last saw this tracker's state
        self._cache_base: Any = None  # the journal mark that state was complete at
        self._extra_plugins = tuple(plugins)
        self._plugins: Plugins | None = None

    @property
    def plugins(self) -> Plugins:
        """The plugin manager, loaded the first time something needs it."""
        if self._plugins is None:
            from ..plugins import Plugins

            self._plugins = Plugins(self.root, self.config, self._extra_plugins)
        return self._plugins

    @property
    def root(self) -> Path:
        return self.workspace.root

    @property
    def lifecycle(self) -> Lifecycle:
        return self.workspace.lifecycle

    @property
    def responses(self) -> Responses:
        """The vocabulary of the addressee's responses (supported, noted, ...)."""
        return self.workspace.responses

    @property
    def sources(self) -> dict[str, Source]:
        return self.workspace.sources

    @property
    def owners(self) -> dict[str, Owner]:
        return self.workspace.owners

    @property
    def config(self) -> dict:
        return self.workspace.config

    @property
    def problems(self) -> list[Problem]:
        """Every error in the authored files; ``warnings`` has the journal's notices."""
        return self.workspace.problems
