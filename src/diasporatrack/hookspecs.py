"""The hooks a diasporatrack plugin can implement.

A plugin is a module or an object with functions marked ``@hookimpl``::

    from diasporatrack import hookimpl

    @hookimpl
    def register_exporters():
        return [MyExporter()]

Plugins are found through the entry point group ``diasporatrack``, as files
named in a workspace's ``diasporatrack.yaml`` (``plugins:``), or passed to
``Tracker.open(plugins=[...])``. The built-in exporters and scorers are
plugins too, registered through these same hooks. The objects the
``register_*`` hooks return are described in :mod:`diasporatrack.protocols`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import argparse

    from .model import Event, Recommendation
    from .tracker import Tracker

PROJECT = "diasporatrack"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_exporters() -> list[Any]:
    """Return exporters: objects with ``name``, ``extension``, ``description``
    and ``export(tracker, recommendations) -> str | bytes``.

    Called once, the first time exporters are needed (``export``, ``plugins``).
    Two plugins returning an exporter of the same name is an error naming both.
    """


@hookspec
def register_scorers() -> list[Any]:
    """Return scorers: objects with ``name``, ``description`` and
    ``score(recommendation, context) -> Score``.

    A :class:`~diasporatrack.protocols.Score` is a value with the terms that
    add up to it, so every score can explain itself. Names must be unique.
    """


@hookspec
def register_reminder_rules() -> list[Any]:
    """Return reminder rules: objects with ``name``, ``description`` and
    ``check(recommendation, context) -> list[Reminder]`` (:class:`diasporatrack.Reminder`).

    Called by ``remind``; a rule says why a recommendation needs attention
    today (overdue, due soon, stale, ...). A reminder names its owner; the
    owner's contact (else the nearest parent's) is filled in for every rule
    alike. Names must be unique.
    """


@hookspec
def register_plan_rules() -> list[Any]:
    """Return reminder rules for the implementation plan: objects with ``name``, ``description`` and
    ``check_action(action, plan, context) -> list[Reminder]``.

    Called by ``remind`` for every action that is not finished (an action past
    its due date, an indicator whose report is due). Their reminders are
    delivered and recorded like those of recommendation rules. Names must be
    unique among plan rules.
    """


@hookspec
def register_reminder_channels() -> list[Any]:
    """Return reminder channels: objects with ``name``, ``description`` and
    ``deliver(reminders, context, dry_run=False) -> list[Delivery]``
    (:class:`diasporatrack.Delivery`).

    A channel reports, per reminder, whether it was delivered; only delivered
    reminders are recorded in the journal (as they are yielded, when
    ``deliver`` is a generator). With ``dry_run`` it delivers
    nothing. A ``deliver`` without a ``dry_run`` argument keeps working, but
    is not called under ``--dry-run`` (nothing says it would hold back), so
    a channel that ignores ``dry_run`` must not be used with it. Names must
    be unique.
    """


@hookspec
def register_extractors() -> list[Any]:
    """Return extractors: objects with ``name``, ``description`` and
    ``extract(text) -> list[Candidate]`` (see :mod:`diasporatrack.extraction`).

    Called by ``extract``: an extractor proposes the passages of a
    document's text that look like recommendations, each with its verbatim
    quote and offsets, a suggested title, addressees, and a confidence with
    the reason. A quote that is not the span it claims is refused. The
    built-in ``heuristic`` extractor is registered through this hook too.
    """


@hookspec
def register_importers() -> list[Any]:
    """Return importers for ``import``: table readers, document importers and presets
    (:mod:`diasporatrack.protocols`: ``TableReader``, ``DocumentImporter``, ``Preset``).

    A table reader (``name``, ``description``, ``extensions``, ``options``,
    ``read(path, options) -> Sheet``) turns a file layout into rows of text
    cells, each with its location; a document importer (the same, with
    ``plan(tracker, path, options) -> ImportPlan``) reads a whole file that
    is not a table; a preset (``name``, ``description``, ``columns``) names
    the columns, values and key of a known table layout, and is applied to
    the rows of any reader. The reader is chosen by the file's extension;
    ``import --list-presets`` lists the presets. The built-in CSV, Markdown
    and JSON importers and the ``upr``, ``upr-info`` and ``decidim`` presets
    are registered through this hook too. Names must be unique among
    importers.
    """


@hookspec
def validate_recommendation(recommendation: Recommendation, tracker: Tracker) -> list[str] | None:
    """Return extra problems with a recommendation, as messages (or None).

    Called by ``validate`` for every recommendation; each message is shown
    with the file and line where the recommendation is written.
    """


@hookspec
def on_event(tracker: Tracker, event: Event) -> None:
    """React to an event after it is durably written to the journal.

    A listener that raises cannot undo or corrupt the event: it is already
    stored; the error is reported naming the plugin. An ``edit`` event (a
    change written into the YAML files) may be about a source or an owner
    (``event.subject``) or about a recommendation it removed.
    """


@hookspec
def register_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add sub-commands to the CLI with ``subparsers.add_parser(...)``.

    Set ``func`` with ``parser.set_defaults(func=...)``; it is called with the
    parsed arguments and returns the exit code. ``args.root`` holds ``--root``.
    """
