"""The ``diasporatrack`` command: parse, call the library, print.

No logic lives only here. Errors the library raises on purpose are printed
as one line on stderr (``--debug`` shows the traceback); exit codes are
0 ok, 1 problems found, 2 bad usage or bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .errors import DiasporatrackError, InputError, WorkspaceError
from .journal import event_to_dict
from .model import Recommendation
from .serialize import recommendation_to_dict, source_to_dict

if TYPE_CHECKING:
    from .plugins import Plugins

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

BUILTIN_COMMANDS = frozenset({
    "init", "list", "show", "update", "history", "stats", "validate", "statuses", "sources", "export", "score",
    "remind", "plugins", "schema", "respond", "import",
})
SORT_KEYS = ("id", "status", "response", "due", "source", "title", "updated", "owners")
LIST_COLUMNS = ("id", "status", "owners", "due", "title")


# --- output helpers -----------------------------------------------------------


def _table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    from tabulate import tabulate  # only commands that draw tables pay for it

    return tabulate(rows, headers=[h.upper() for h in headers], tablefmt="simple", disable_numparse=True)


def _json(data: Any, *, bulk: bool = False) -> str:
    # Bulk listings go compact to scripts: the indenting encoder is ten times slower.
    compact = bulk and not sys.stdout.isatty()
    return json.dumps(data, ensure_ascii=False, indent=None if compact else 2)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _shorten(text: str, width: int | None) -> str:
    text = " ".join(text.split())
    if width is None or len(text) <= width:
        return text
    return text[: max(width - 1, 1)] + "…"


def _title_width() -> int | None:
    if not sys.stdout.isatty():
        return None
    return max(shutil.get_terminal_size().columns - 60, 30)


def _open(args: argparse.Namespace):
    from .tracker import Tracker

    tracker = Tracker.open(args.root)
    plugins = getattr(args, "plugin_manager", None)
    if plugins is not None and plugins.root == tracker.root:
        tracker._plugins = plugins  # loaded once, for the parser and the tracker alike
    return tracker


def _query(tracker, args: argparse.Namespace) -> list[Recommendation]:
    return tracker.query(
        status=args.status or None,
        owner=args.owner or None,
        source=args.source or None,
        theme=args.theme or None,
        addressed_to=args.addressed_to or None,
        response=args.response or None,
        unowned=args.unowned,
    )


# --- commands -------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    from .scaffold import init_workspace

    path = Path(args.path)
    for written in init_workspace(path):
        print(f"wrote {written}")
    print(f"workspace ready: add one YAML file per source document in {path}/ (see docs/data-format.md)")
    return EXIT_OK


def _sort(recs: list[Recommendation], key: str, tracker, today: str | None = None) -> list[Recommendation]:
    """Sort by a field, or by ``score:NAME`` (highest first); ``-`` reverses."""
    reverse = key.startswith("-")
    field = key.lstrip("-")
    if field.startswith("score:"):
        scores = tracker.score(field.split(":", 1)[1], recs, today=today)
        return sorted(recs, key=lambda r: (-scores[r.id].value, r.id), reverse=reverse)
    if field not in SORT_KEYS:
        raise InputError(f"cannot sort by {field!r}; use one of {', '.join(SORT_KEYS)} or score:NAME")
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
    }
    ordered = sorted(recs, key=keys[field], reverse=reverse)
    if reverse and field in ("due", "updated"):
        # Recommendations without a date go last, whichever the direction.
        ordered = [r for r in ordered if getattr(r, field) is not None] + \
                  [r for r in ordered if getattr(r, field) is None]
    return ordered


def cmd_list(args: argparse.Namespace) -> int:
    tracker = _open(args)
    if args.format == "json" and args.sort == "id" and not sys.stdout.isatty():
        # The scripting path: rows come ready-made from the cache, nothing is rebuilt.
        ids = sorted(tracker.query_ids(
            status=args.status or None, owner=args.owner or None, source=args.source or None,
            theme=args.theme or None, addressed_to=args.addressed_to or None, response=args.response or None,
            unowned=args.unowned))
        sys.stdout.write("[" + ",".join(tracker.rows_json(ids)) + "]\n")
        return EXIT_OK
    recs = _sort(_query(tracker, args), args.sort, tracker)
    if args.format == "json":
        print(_json([recommendation_to_dict(r) for r in recs], bulk=True))
    elif args.format == "csv":
        from .builtin.csv_exporter import to_csv

        sys.stdout.write(to_csv([recommendation_to_dict(r) for r in recs]).replace("\r\n", "\n"))
    elif not recs:
        print("no recommendations match", file=sys.stderr)
    else:
        width = _title_width()
        rows = [
            (r.id, r.status, ", ".join(r.owners) or "-", r.due.isoformat() if r.due else "", _shorten(r.title, width))
            for r in recs
        ]
        print(_table(rows, LIST_COLUMNS))
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    tracker = _open(args)
    rec = tracker.get(args.id)
    if args.format == "json":
        print(_json(recommendation_to_dict(rec, history=True)))
        return EXIT_OK
    source = tracker.sources[rec.source]
    owners = [f"{o} ({tracker.owners[o].name})" if o in tracker.owners else o for o in rec.owners]
    definition = tracker.lifecycle[rec.status].definition if rec.status in tracker.lifecycle else "(not in the lifecycle)"
    fields = [
        ("id", rec.id),
        ("title", rec.title),
        ("status", f"{rec.status}: {definition}"),
        ("response", f"{rec.response}: {tracker.responses[rec.response].definition}"
                     if rec.response in tracker.responses else rec.response),
        ("source", f"{source.id}: {source.title}" + (f" ({source.date})" if source.date else "")),
        ("author", rec.author),
        ("addressed to", ", ".join(rec.addressed_to)),
        ("owners", ", ".join(owners) or "none"),
        ("themes", ", ".join(rec.themes)),
        ("due", rec.due),
        ("review every", f"{rec.review_every} days" if rec.review_every else None),
        ("impact", rec.impact),
        ("links", ", ".join(rec.links)),
        ("updated", rec.updated.strftime("%Y-%m-%d %H:%M UTC") if rec.updated else "never"),
    ]
    for name, value in fields:
        if value:
            print(f"{name + ':':<14}{value}")
    print()
    print(textwrap.fill(" ".join(rec.text.split()), width=78))
    if rec.quote:
        print()
        print(textwrap.fill(f"“{rec.quote}”", width=78, initial_indent="  > ", subsequent_indent="    "))
    if rec.history:
        print()
        print(_history_table(rec.history))
    return EXIT_OK


def _history_table(events) -> str:
    rows = [(e.at.strftime("%Y-%m-%d %H:%M"), e.by, e.describe()) for e in events]
    return _table(rows, ("when (utc)", "by", "change"))


def cmd_update(args: argparse.Namespace) -> int:
    tracker = _open(args)
    clear_due = args.due is not None and args.due.lower() == "none"
    after = tracker.update(
        args.id,
        status=args.status,
        add_owners=args.add_owner,
        remove_owners=args.remove_owner,
        due=None if clear_due else args.due,
        clear_due=clear_due,
        note=args.note,
        by=args.by,
        force=args.force,
    )
    event = after.history[-1]
    print(f"{after.id}: {event.describe()}")
    if event.forced:
        print("(forced: the lifecycle did not allow this change; the override is recorded)", file=sys.stderr)
    return EXIT_OK


def cmd_respond(args: argparse.Namespace) -> int:
    tracker = _open(args)
    after = tracker.respond(args.id, args.response, note=args.note, by=args.by)
    print(f"{after.id}: {after.history[-1].describe()}")
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    tracker = _open(args)
    events = tracker.history(args.id)
    if args.format == "json":
        print(_json([event_to_dict(e) for e in events]))
    elif not events:
        print(f"{tracker.resolve(args.id)}: no changes recorded yet", file=sys.stderr)
    else:
        print(_history_table(events))
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    from .report import bar, by_owner, by_source, by_theme, group_progress, progress

    tracker = _open(args)
    recs = list(tracker)
    lifecycle = tracker.lifecycle
    sections = {
        "source": group_progress(recs, lifecycle, by_source),
        "owner": group_progress(recs, lifecycle, by_owner),
        "theme": group_progress(recs, lifecycle, by_theme),
    }
    counts = {s.name: sum(1 for r in recs if r.status == s.name) for s in lifecycle}
    responses = {name: sum(1 for r in recs if r.response == name) for name in tracker.responses.names}
    responses["(none recorded)"] = sum(1 for r in recs if r.response is None)
    if args.format == "json":
        print(_json({
            "total": len(recs),
            "progress": progress(recs, lifecycle),
            "by_status": counts,
            "by_response": responses,
            **{f"by_{name}": [
                {"group": g.group, "count": g.count, "progress": g.progress, "by_status": g.by_status}
                for g in groups] for name, groups in sections.items()},
        }))
        return EXIT_OK
    total = len(recs) or 1
    print(f"{len(recs)} recommendations, overall progress {bar(progress(recs, lifecycle))}")
    print()
    print(_table([(name, n, bar(n / total)) for name, n in counts.items()], ("status", "count", "share")))
    print()
    print(_table([(name, n, bar(n / total)) for name, n in responses.items()], ("response", "count", "share")))
    for name, groups in sections.items():
        print()
        print(_table([(g.group, g.count, bar(g.progress)) for g in groups], (name, "count", "progress")))
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from .tracker import Tracker

    tracker = Tracker.load(args.root)
    if args.plugin_manager is not None and args.plugin_manager.root == tracker.root:
        tracker._plugins = args.plugin_manager
    problems = tracker.check()
    if args.format == "json":
        print(_json([{"path": str(p.path) if p.path else None, "line": p.line, "message": p.message,
                      "severity": severity} for severity, found in (("error", problems),
                                                                    ("warning", tracker.warnings))
                     for p in found]))
    else:
        for problem in problems:
            print(problem)
        for warning in tracker.warnings:
            print(f"warning: {warning}")
    if problems:
        print(f"{len(problems)} problem{'s' * (len(problems) != 1)} found", file=sys.stderr)
        return EXIT_PROBLEMS
    if args.format != "json":
        print(f"ok: {_count(len(tracker), 'recommendation')} from {_count(len(tracker.sources), 'source')}, "
              f"{_count(len(tracker.owners), 'owner')}, {_count(tracker._event_count, 'journal event')}")
    return EXIT_OK


def cmd_statuses(args: argparse.Namespace) -> int:
    from .tracker import Tracker

    tracker = Tracker.open(args.root)
    lifecycle = tracker.lifecycle
    if args.format == "json":
        print(_json({
            "statuses": [{"name": s.name, "definition": s.definition, "weight": s.weight, "next": list(s.next),
                          "initial": s.name == lifecycle.initial, "final": s.final} for s in lifecycle],
            "responses": [{"name": r.name, "definition": r.definition} for r in tracker.responses],
        }))
    else:
        rows = [(s.name, f"{s.weight:g}", ", ".join(s.next) or "(final)", s.definition) for s in lifecycle]
        print(_table(rows, ("status", "weight", "next", "definition")))
        print()
        print(_table([(r.name, r.definition) for r in tracker.responses], ("response", "definition")))
    return EXIT_OK


def cmd_sources(args: argparse.Namespace) -> int:
    tracker = _open(args)
    counts: dict[str, int] = {}
    for rec in tracker:
        counts[rec.source] = counts.get(rec.source, 0) + 1
    if args.id:
        source = tracker.sources[tracker.resolve_source(args.id)]
        if args.format == "json":
            print(_json({**source_to_dict(source), "recommendations": counts.get(source.id, 0)}))
            return EXIT_OK
        for name, value in (("id", source.id), ("title", source.title), ("publisher", source.publisher),
                            ("kind", source.kind), ("date", source.date or "unknown"),
                            ("authors", ", ".join(source.authors)), ("url", source.url),
                            ("recommendations", counts.get(source.id, 0))):
            if value is not None and value != "":
                print(f"{name + ':':<17}{value}")
        if source.note:
            print()
            print(textwrap.fill(" ".join(source.note.split()), width=78))
        for finding in source.findings:
            print()
            print(textwrap.fill(f"[{finding.id}] " + " ".join(finding.text.split()), width=78))
            if finding.quote:
                print(textwrap.fill(f"“{finding.quote}”", width=78, initial_indent="  > ",
                                    subsequent_indent="    "))
        return EXIT_OK
    sources = sorted(tracker.sources.values(), key=lambda s: s.id)
    if args.format == "json":
        print(_json([{**source_to_dict(s), "recommendations": counts.get(s.id, 0)} for s in sources]))
    else:
        rows = [(s.id, s.date or "unknown", s.kind or "", counts.get(s.id, 0), len(s.findings),
                 _shorten(s.title, _title_width())) for s in sources]
        print(_table(rows, ("id", "date", "kind", "recs", "findings", "title")))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from .files import atomic_write

    tracker = _open(args)
    exporter = tracker.plugins.exporters[args.format_name]
    if args.output in (None, "-") and getattr(exporter, "binary", False) and sys.stdout.isatty():
        raise InputError(f"{exporter.name} is a binary format: write it to a file with -o FILE.{exporter.extension}")
    recs = _sort(_query(tracker, args), "id", tracker)
    data = tracker.export(exporter.name, recs)
    if args.output in (None, "-"):
        if isinstance(data, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data)
        return EXIT_OK
    atomic_write(Path(args.output), data)
    print(f"wrote {_count(len(recs), 'recommendation')} to {args.output} ({exporter.name})", file=sys.stderr)
    return EXIT_OK


def cmd_score(args: argparse.Namespace) -> int:
    tracker = _open(args)
    if args.explain:
        rec = tracker.get(args.explain)
        score = tracker.score(args.scorer, [rec], today=args.today)[rec.id]
        if args.format == "json":
            print(_json({"id": rec.id, "scorer": args.scorer, "score": score.value,
                         "terms": [{"name": t.name, "value": t.value, "reason": t.reason} for t in score.terms]}))
        else:
            print(f"{rec.id}: {args.scorer} {score.value:g}")
            print(score.explain())
        return EXIT_OK
    if args.limit is not None and args.limit < 1:
        raise InputError(f"--limit must be 1 or more, not {args.limit}")
    recs = _query(tracker, args)
    scores = tracker.score(args.scorer, recs, today=args.today)
    ranked = sorted(recs, key=lambda r: (-scores[r.id].value, r.id))[: args.limit]
    if args.format == "json":
        print(_json([{"id": r.id, "score": scores[r.id].value, "status": r.status, "title": r.title}
                     for r in ranked]))
    elif ranked:
        width = _title_width()
        print(_table([(r.id, f"{scores[r.id].value:.2f}", r.status, _shorten(r.title, width)) for r in ranked],
                     ("id", args.scorer, "status", "title")))
    return EXIT_OK


def cmd_remind(args: argparse.Namespace) -> int:
    from .reminders import remind

    tracker = _open(args)
    channels = args.channel or ([] if args.format == "json" else ["console"])
    result = remind(
        tracker,
        channels=channels,
        today=args.today,
        owner=args.owner,
        dry_run=args.dry_run,
        by=args.by,
        calendar_file=args.calendar_file,
    )
    if args.format == "json":
        print(_json([{"key": r.key, "rule": r.rule, "recommendation": r.recommendation, "title": r.title,
                      "reason": r.reason, "since": r.since.isoformat(), "owner": r.owner, "contact": r.contact}
                     for r in result.reminders], bulk=True))
    elif not result.reminders:
        print("nothing needs attention", file=sys.stderr)
    for warning in dict.fromkeys(d.error for d in result.skipped):  # once each, not once per rule
        print(f"diasporatrack: warning: {warning}", file=sys.stderr)
    for delivery in result.failures:
        print(f"diasporatrack: error: {delivery.reminder.recommendation} ({delivery.reminder.rule}): "
              f"{delivery.error}", file=sys.stderr)
    for name, deliveries in result.deliveries.items():
        if name != "console":
            sent = sum(1 for d in deliveries if d.ok)
            verb = "would deliver" if args.dry_run else "delivered"
            print(f"{name}: {verb} {sent} reminder{'s' * (sent != 1)}", file=sys.stderr)
    return EXIT_PROBLEMS if result.failures else EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from . import importer

    tracker = _open(args)
    path = Path(args.file)
    suffix = path.suffix.casefold()
    if suffix == ".csv":
        plan = importer.plan_csv(tracker, path, source=args.source, mapping=args.map, preset=args.preset,
                                 create_owners=args.create_owners, title=args.title)
    elif suffix in (".md", ".markdown", ".txt"):
        if not args.source:
            raise InputError("give --source ID: the id of the new source file")
        plan = importer.plan_markdown(tracker, path, source=args.source, title=args.title)
    elif suffix == ".json":
        plan = importer.plan_json(tracker, path)
    else:
        raise InputError(f"{path}: cannot import {suffix or 'a file without an extension'}; "
                         "use .csv, .md or .json (a diasporatrack export)")
    count = sum(len(d.recommendations) for d in plan.drafts)
    if args.dry_run:
        for draft, target in zip(plan.drafts, plan.paths()):
            print(f"would write {target} ({_count(len(draft.recommendations), 'recommendation')})")
        if plan.new_owners:
            print(f"would add {len(plan.new_owners)} owners to owners.yaml")
        return EXIT_OK
    for written in plan.write():
        print(f"wrote {written}")
    print(f"imported {_count(count, 'recommendation')} from {path}", file=sys.stderr)
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from .schemas import load_schema, schema_names

    if args.name is None:
        for name in schema_names():
            print(name)
        return EXIT_OK
    print(json.dumps(load_schema(args.name), indent=2, ensure_ascii=False))
    return EXIT_OK


def cmd_plugins(args: argparse.Namespace) -> int:
    plugins = args.plugin_manager or _load_plugins(args.root)
    described = plugins.describe()
    if args.format == "json":
        print(_json(described))
        return EXIT_OK
    rows = [
        (p["name"], p["origin"], p["version"] or "", ", ".join(p["hooks"]),
         "; ".join(f"{kind}: {', '.join(names)}" for kind, names in p["registers"].items()))
        for p in described
    ]
    print(_table(rows, ("plugin", "origin", "version", "hooks", "registers")))
    return EXIT_OK


# --- the parser -------------------------------------------------------------------


def _add_format(parser: argparse.ArgumentParser, choices: Sequence[str] = ("table", "json")) -> None:
    parser.add_argument("--format", choices=choices, default=choices[0], help="output format (default: %(default)s)")


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--status", action="append", help="only this status (repeatable)")
    parser.add_argument("--owner", action="append", help="only this owner or any owner under it (repeatable)")
    parser.add_argument("--source", action="append", help="only this source document (repeatable)")
    parser.add_argument("--theme", action="append", help="only this theme (repeatable)")
    parser.add_argument("--addressed-to", action="append", help="only recommendations addressed to this actor")
    parser.add_argument("--response", action="append", help="only this response of the addressee (repeatable)")
    parser.add_argument("--unowned", action="store_true", help="only recommendations nobody owns")


def build_parser(plugins: Plugins | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="diasporatrack",
        description="Track policy recommendations: who recommended what to whom, who owns it, where it stands.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--root", help="the workspace directory (default: $DIASPORATRACK_ROOT, else the nearest "
                                       "workspace or recommendations/ folder upward)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("init", help="start a new workspace")
    p.add_argument("path", nargs="?", default="recommendations", help="directory to create (default: %(default)s)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("list", help="list recommendations, filtered and sorted")
    _add_filters(p)
    p.add_argument("--sort", default="id", metavar="FIELD",
                   help=f"sort by {', '.join(SORT_KEYS)}, or score:NAME (highest first); "
                        "--sort=-FIELD reverses (default: id)")
    _add_format(p, ("table", "json", "csv"))
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", help="show one recommendation with its history")
    p.add_argument("id", help="id or unique id prefix")
    _add_format(p)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("update", help="change status, owners or due date, with a note")
    p.add_argument("id", help="id or unique id prefix")
    p.add_argument("--status", help="new status (see: diasporatrack statuses)")
    p.add_argument("--add-owner", action="append", default=[], metavar="OWNER", help="add an owner (repeatable)")
    p.add_argument("--remove-owner", action="append", default=[], metavar="OWNER",
                   help="remove an owner (repeatable)")
    p.add_argument("--due", metavar="DATE", help="due date YYYY-MM-DD, or 'none' to clear it")
    p.add_argument("--note", help="why: kept in the history")
    p.add_argument("--by", help="who is making the change (default: $DIASPORATRACK_USER, else your login)")
    p.add_argument("--force", action="store_true", help="allow a status change the lifecycle forbids (recorded)")
    p.set_defaults(func=cmd_update)

    p = sub.add_parser("respond", help="record how the addressee responded (supported, noted, ...)")
    p.add_argument("id", help="id or unique id prefix")
    p.add_argument("response", help="a response (see: diasporatrack statuses)")
    p.add_argument("--note", help="why, or where the response was given: kept in the history")
    p.add_argument("--by", help="who records it (default: $DIASPORATRACK_USER, else your login)")
    p.set_defaults(func=cmd_respond)

    p = sub.add_parser("history", help="who changed what, when and why")
    p.add_argument("id", help="id or unique id prefix")
    _add_format(p)
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("stats", help="counts and progress per status, source, owner and theme")
    _add_format(p)
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("validate", help="check every file; print all problems (exit 1 if any)")
    _add_format(p, ("text", "json"))
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("statuses", help="the status lifecycle: definitions, weights, allowed next statuses")
    _add_format(p)
    p.set_defaults(func=cmd_statuses)

    p = sub.add_parser("sources", help="the source documents, or one of them with its findings")
    p.add_argument("id", nargs="?", help="a source id or unique prefix: show it in full")
    _add_format(p)
    p.set_defaults(func=cmd_sources)

    formats = (", ".join(plugins.exporters.names()) if plugins is not None
               else "json, csv, markdown, html, ics, sqlite, or a plugin's")
    p = sub.add_parser("export", help="write recommendations in a format: " + formats)
    p.add_argument("format_name", metavar="FORMAT", help=f"one of: {formats}")
    p.add_argument("-o", "--output", metavar="PATH", help="file to write (replaced atomically); default: stdout")
    _add_filters(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("score", help="rank recommendations by a scorer; --explain shows each term")
    p.add_argument("--scorer", default="urgency", help="scorer name (default: %(default)s)")
    p.add_argument("--explain", metavar="ID", help="explain one recommendation's score term by term")
    p.add_argument("--today", metavar="DATE", help="score as if today were DATE (YYYY-MM-DD)")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="show only the N highest")
    _add_filters(p)
    _add_format(p)
    p.set_defaults(func=cmd_score)

    channels = ", ".join(plugins.reminder_channels.names()) if plugins is not None else "console, email, calendar"
    p = sub.add_parser("remind", help="what needs attention today, delivered once per channel")
    p.add_argument("--channel", action="append", metavar="NAME", help=f"one of: {channels} (repeatable; "
                   "default: console)")
    p.add_argument("--dry-run", action="store_true", help="show what would be sent; send and record nothing")
    p.add_argument("--today", metavar="DATE", help="run as if today were DATE (YYYY-MM-DD)")
    p.add_argument("--owner", help="only reminders for this owner and the owners under it")
    p.add_argument("--calendar-file", metavar="PATH", help="the .ics file of the calendar channel")
    p.add_argument("--by", help="who sends the reminders (recorded in the journal)")
    _add_format(p)
    p.set_defaults(func=cmd_remind)

    p = sub.add_parser("import", help="new source files from a CSV spreadsheet, a Markdown list or a JSON export")
    p.add_argument("file", metavar="FILE", help="FILE.csv, FILE.md or FILE.json (as `export json` writes it)")
    p.add_argument("--source", metavar="ID", help="id of the new source (CSV without a source column, Markdown)")
    p.add_argument("--title", help="title of the new source")
    p.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                   help="read a CSV column as a field, e.g. --map Recommendation=text (repeatable)")
    p.add_argument("--preset", choices=["upr"], help="column names of a UPR recommendations spreadsheet")
    p.add_argument("--create-owners", action="store_true", help="add owners the file names to owners.yaml")
    p.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("schema", help="the JSON Schema of a workspace file, for editors and CI")
    p.add_argument("name", nargs="?", help="source, owners, config or event (none: list them)")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("plugins", help="the plugins loaded: where from, their hooks, what they register")
    _add_format(p)
    p.set_defaults(func=cmd_plugins)

    for name, command in sub.choices.items():
        if name != "init":  # `--root` works after the command too: `validate --root DIR` in a hook reads well
            command.add_argument("--root", default=argparse.SUPPRESS, help="the workspace directory")
    if plugins is not None:
        parser.set_defaults(plugin_commands=plugins.add_commands(sub))
    return parser


def _load_plugins(root: str | None) -> Plugins:
    """The plugins for this run: installed ones plus the workspace's own files."""
    from .errors import InputError
    from .plugins import Plugins
    from .workspace import find_root, read_config

    try:
        path = find_root(root)
    except InputError:  # no workspace (yet): `init`, `--help`
        return Plugins()
    config, _, _ = read_config(path, [])
    return Plugins(path, config)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--root")
    early.add_argument("--debug", action="store_true")
    early.add_argument("--help", "-h", action="store_true")
    early.add_argument("command", nargs="?")
    known, _ = early.parse_known_args(argv)
    try:
        # Built-in commands parse without plugins (start-up stays fast); a
        # plugin's command or --help needs them all. The tracker loads them
        # later when a command uses them.
        needs_plugins = known.help or known.command not in BUILTIN_COMMANDS
        plugins = _load_plugins(known.root) if needs_plugins else None
        parser = build_parser(plugins)
    except DiasporatrackError as err:
        if known.debug:
            raise
        print(f"diasporatrack: error: {err}", file=sys.stderr)
        return err.exit_code
    args = parser.parse_args(argv)
    args.plugin_manager = plugins
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    plugin = (getattr(args, "plugin_commands", None) or {}).get(args.command)
    try:
        if plugin is None:
            return args.func(args)
        return _run_plugin_command(args, plugin)
    except WorkspaceError as err:
        if args.debug:
            raise
        for problem in err.problems:
            print(f"diasporatrack: {problem}", file=sys.stderr)
        return err.exit_code
    except DiasporatrackError as err:
        if args.debug:
            raise
        print(f"diasporatrack: error: {err}", file=sys.stderr)
        return err.exit_code
    except BrokenPipeError:
        # Output piped into `head` that closed early: not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


def _run_plugin_command(args: argparse.Namespace, plugin: str) -> int:
    from .plugins import PluginError, _describe

    func = getattr(args, "func", None)
    if func is None:
        raise PluginError(f"plugin {plugin!r} added command {args.command!r} without a function to run "
                          "(it needs parser.set_defaults(func=...))")
    try:
        code = func(args)
    except (DiasporatrackError, KeyboardInterrupt, BrokenPipeError):
        raise
    except Exception as err:
        if args.debug:
            raise
        raise PluginError(f"plugin {plugin!r} failed in command {args.command!r}: {_describe(err)}") from err
    return code if isinstance(code, int) else EXIT_OK


def run() -> None:
    """Console-script entry point."""
    from . import cache, workspace

    cache.BACKGROUND = True  # a command line may leave the cache to be written after it answers
    workspace.PARALLEL = True  # and may parse a large workspace on two cores
    sys.exit(main())
