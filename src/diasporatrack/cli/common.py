"""What every group of commands shares: output helpers, filters, opening the tracker."""

from __future__ import annotations

import sys

from ..errors import InputError

TYPE_CHECKING = False  # typing itself is not imported: it costs start-up
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence
    from typing import Any

    from ..model import Recommendation
    from ..plugins import Plugins

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

SORT_KEYS = ("id", "status", "response", "due", "source", "title", "updated", "owners", "author", "progress")


# --- output ---------------------------------------------------------------------


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    from ..tables import simple_table

    return simple_table(rows, [h.upper() for h in headers])


def to_json(data: Any, *, bulk: bool = False) -> str:
    # Bulk listings go compact to scripts: the indenting encoder is ten times slower.
    import json

    compact = bulk and not sys.stdout.isatty()
    return json.dumps(data, ensure_ascii=False, indent=None if compact else 2)


def write_rows(out, rows) -> None:
    """A JSON array of ready-made rows, written as they come (a thousand at a time), never held whole."""
    out.write("[")
    batch: list[str] = []
    first = True
    for row in rows:
        batch.append(row)
        if len(batch) == 1000:
            out.write(("" if first else ",") + ",".join(batch))
            first, batch = False, []
    if batch:
        out.write(("" if first else ",") + ",".join(batch))
    out.write("]\n")


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def shorten(text: str, width: int | None) -> str:
    text = " ".join(text.split())
    if width is None or len(text) <= width:
        return text
    return text[: max(width - 1, 1)] + "…"


def title_width() -> int | None:
    if not sys.stdout.isatty():
        return None
    import shutil

    return max(shutil.get_terminal_size().columns - 60, 30)


# --- options shared by several commands -----------------------------------------------


def add_format(parser: argparse.ArgumentParser, choices: Sequence[str] = ("table", "json")) -> None:
    parser.add_argument("--format", choices=choices, default=choices[0], help="output format (default: %(default)s)")


def add_filters(parser: argparse.ArgumentParser) -> None:
    completed(parser.add_argument("--status", action="append", help="only this status (repeatable)"), "statuses")
    completed(parser.add_argument("--owner", action="append",
                                  help="only this owner or any owner under it (repeatable)"), "owners")
    completed(parser.add_argument("--source", action="append", help="only this source document (repeatable)"),
              "sources")
    parser.add_argument("--theme", action="append", help="only this theme (repeatable; case, accents and "
                        "punctuation ignored, as for every label)")
    parser.add_argument("--addressed-to", action="append", help="only recommendations addressed to this actor")
    parser.add_argument("--sdg", action="append", metavar="GOAL", help="only those serving this SDG goal or "
                        "target: 5 also finds 5.1 and 5.a (repeatable; see: diasporatrack sdgs)")
    parser.add_argument("--affected", action="append", metavar="GROUP",
                        help="only those concerning this group of persons (repeatable)")
    parser.add_argument("--author", action="append", help="only those made by this author (repeatable)")
    parser.add_argument("--where", action="append", metavar="KEY=VALUE",
                        help="only those whose extra field KEY has VALUE (repeatable: all must match)")
    completed(parser.add_argument("--response", action="append",
                                  help="only this response of the addressee (repeatable)"), "responses")
    parser.add_argument("--unowned", action="store_true", help="only recommendations nobody owns")
    parser.add_argument("--search", metavar="WORDS", help='only those where every word (or "quoted phrase") '
                        "begins a word of a text field; case and accents ignored")
    parser.add_argument("--overdue", action="store_true", help="only those past their due date and not finished")
    parser.add_argument("--due-before", metavar="DATE", help="only those due before DATE (YYYY-MM-DD)")
    parser.add_argument("--due-after", metavar="DATE", help="only those due after DATE (YYYY-MM-DD)")
    parser.add_argument("--changed-since", metavar="DATE", help="only those with a change on or after DATE")


def add_lang(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", metavar="TAG", help="show text in this language (ur, en, fa-AF) where it is "
                        "translated; what is not is shown as written, and said on stderr")


def localizer(tracker, args: argparse.Namespace):
    """The :class:`~diasporatrack.translations.Localizer` for ``--lang`` (one that changes nothing without it)."""
    from ..translations import Localizer, tag_problem

    lang = getattr(args, "lang", None)
    if lang is not None and tag_problem(lang):
        raise InputError(f"--lang: {tag_problem(lang)}")
    return Localizer.for_tracker(tracker, lang)


def say_fallbacks(loc) -> None:
    """One line on stderr naming the texts ``--lang`` found no translation for."""
    notice = loc.notice()
    if notice:
        print(f"diasporatrack: {notice}", file=sys.stderr)


def add_as_of(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", metavar="DATE", help="the workspace as it stood at the end of DATE (YYYY-MM-DD): "
                        "recorded changes after it are undone")


def add_id(parser: argparse.ArgumentParser, help: str = "id or unique id prefix", complete: str = "ids") -> None:
    completed(parser.add_argument("id", help=help), complete)


def add_attribution(parser: argparse.ArgumentParser) -> None:
    """``--for OWNER`` and ``--public-note``: what published output may say of a change."""
    completed(parser.add_argument("--for", dest="for_owner", metavar="OWNER",
                                  help="the owner it was done for: published output names it instead of --by "
                                       "(--by is never published)"), "owners")
    parser.add_argument("--public-note", action="store_true",
                        help="the note may be published (notes are private unless marked so)")


def completed(action: argparse.Action, what: str | None) -> argparse.Action:
    """Let tab completion offer the workspace's ``ids``, ``statuses``, ``owners``, ``sources`` or ``responses``."""
    from . import completion

    if what is not None:
        action.completer = getattr(completion, f"complete_{what}")  # type: ignore[attr-defined]
    return action


# --- the tracker ------------------------------------------------------------------------


def open_tracker(args: argparse.Namespace):
    from ..tracker import Tracker

    tracker = Tracker.open(args.root)
    for problem in tracker.set_aside:  # events dated in the future: said on every command, not only validate
        print(f"diasporatrack: warning: {problem}", file=sys.stderr)
    plugins = getattr(args, "plugin_manager", None)
    if plugins is not None and plugins.root == tracker.root:
        tracker._plugins = plugins  # loaded once, for the parser and the tracker alike
    as_of = getattr(args, "as_of", None)
    return tracker.as_of(as_of) if as_of is not None else tracker


def query(tracker, args: argparse.Namespace) -> list[Recommendation]:
    return tracker.query(
        status=args.status or None,
        owner=args.owner or None,
        source=args.source or None,
        theme=args.theme or None,
        addressed_to=args.addressed_to or None,
        response=args.response or None,
        unowned=args.unowned,
        sdg=args.sdg or None,
        affected=args.affected or None,
        author=args.author or None,
        where=args.where or None,
        search=args.search,
        overdue=args.overdue,
        due_before=args.due_before,
        due_after=args.due_after,
        changed_since=args.changed_since,
        today=getattr(args, "today", None),
    )


def narrowed(args: argparse.Namespace) -> bool:
    """Whether a text or date filter is given (those the cache's ready-made rows cannot answer)."""
    return bool(args.search is not None or args.overdue or args.due_before or args.due_after or args.changed_since)


def sort_recs(recs: list[Recommendation], key: str, tracker, today: str | None = None,
              scores: dict | None = None) -> list[Recommendation]:
    """Sort by a field, or by ``score:NAME`` (highest first); ``-`` reverses."""
    reverse = key.startswith("-")
    field = key.lstrip("-")
    if field.startswith("score:"):
        if scores is None:
            scores = tracker.score(field.split(":", 1)[1], recs, today=today)
        return sorted(recs, key=lambda r: (-scores[r.id].value, r.id), reverse=reverse)
    if field not in SORT_KEYS:
        raise InputError(f"cannot sort by {field!r}; use one of {', '.join(SORT_KEYS)} or score:NAME")
    from ..labels import label_key

    order = {name: i for i, name in enumerate(tracker.lifecycle.names)}
    keys: dict[str, Callable[[Recommendation], Any]] = {
        "id": lambda r: r.id,
        "status": lambda r: (order.get(r.status, len(order)), r.id),
        "response": lambda r: (r.response is None, r.response or "", r.id),
        "due": lambda r: (r.due is None, r.due or 0, r.id),
        "source": lambda r: (r.source, r.id),
        "title": lambda r: (r.title.casefold(), r.id),
        "updated": lambda r: (r.updated is None, r.updated or 0, r.id),
        "owners": lambda r: (not r.owners, r.owners, r.id),
        "author": lambda r: (not r.authors, [label_key(a) for a in r.authors], r.id),
        "progress": lambda r: (measure(r), r.id),
    }
    if field == "progress":
        measure = tracker.progress()
    ordered = sorted(recs, key=keys[field], reverse=reverse)
    if reverse and field in ("due", "updated"):
        # Recommendations without a date go last, whichever the direction.
        ordered = [r for r in ordered if getattr(r, field) is not None] + \
                  [r for r in ordered if getattr(r, field) is None]
    return ordered


def load_plugins(root: str | None) -> Plugins:
    """The plugins for this run: installed ones plus the workspace's own files."""
    from ..errors import InputError
    from ..plugins import Plugins
    from ..workspace import find_root, read_config

    try:
        path = find_root(root)
    except InputError:  # no workspace (yet): `init`, `--help`
        return Plugins()
    config, _, _ = read_config(path, [])
    return Plugins(path, config)
