"""`init`, `validate`, `statuses` and `schema`: the workspace itself and its rules."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .common import EXIT_OK, EXIT_PROBLEMS, add_format, plural, table, to_json

COMMANDS = ("init", "validate", "statuses", "schema")


def cmd_init(args: argparse.Namespace) -> int:
    from ..scaffold import init_workspace

    path = Path(args.path)
    for written in init_workspace(path):
        print(f"wrote {written}")
    print(f"workspace ready: add one YAML file per source document in {path}/ (see docs/data-format.md)")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from ..plugins import Plugins
    from ..tracker import Tracker

    tracker = Tracker.load(args.root)
    # Validation is what pre-commit and CI run on whatever was pushed: the
    # workspace's own plugin files run only when asked, and only if trusted.
    tracker._plugins = Plugins(tracker.root, tracker.config, local=args.with_plugins)
    problems = tracker.check(require_archive=args.require_archive)
    skipped = tracker._plugins.skipped_files
    if skipped and not args.with_plugins:
        from ..trust import plugins_off

        if not plugins_off():
            print(f"diasporatrack: note: validate did not run the {plural(len(skipped), 'plugin file')} named in "
                  "diasporatrack.yaml; validate --with-plugins runs the trusted ones", file=sys.stderr)
    if args.format == "json":
        print(to_json([{"path": str(p.path) if p.path else None, "line": p.line, "message": p.message,
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
        print(f"ok: {plural(len(tracker), 'recommendation')} from {plural(len(tracker.sources), 'source')}, "
              f"{plural(len(tracker.owners), 'owner')}, {plural(tracker._event_count, 'journal event')}")
    return EXIT_OK


def cmd_statuses(args: argparse.Namespace) -> int:
    from ..tracker import Tracker

    tracker = Tracker.open(args.root)
    lifecycle = tracker.lifecycle
    if args.format == "json":
        print(to_json({
            "statuses": [{"name": s.name, "definition": s.definition, "weight": s.weight, "next": list(s.next),
                          "initial": s.name == lifecycle.initial, "final": s.final} for s in lifecycle],
            "responses": [{"name": r.name, "definition": r.definition} for r in tracker.responses],
        }))
    else:
        rows = [(s.name, f"{s.weight:g}", ", ".join(s.next) or "(final)", s.definition) for s in lifecycle]
        print(table(rows, ("status", "weight", "next", "definition")))
        print()
        print(table([(r.name, r.definition) for r in tracker.responses], ("response", "definition")))
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from ..schemas import load_schema, schema_names

    if args.name is None:
        for name in schema_names():
            print(name)
        return EXIT_OK
    print(json.dumps(load_schema(args.name), indent=2, ensure_ascii=False))
    return EXIT_OK


def register(sub, plugins) -> None:
    p = sub.add_parser("init", help="start a new workspace")
    p.add_argument("path", nargs="?", default="recommendations", help="directory to create (default: %(default)s)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("validate", help="check every file; print all problems (exit 1 if any)")
    p.add_argument("--require-archive", action="store_true",
                   help="every source must have its archived text (sources/ID.txt) that its quotes are proven against")
    add_format(p, ("text", "json"))
    p.add_argument("--with-plugins", action="store_true",
                   help="also run the validators of the workspace's plugin files (those you trusted, or all "
                        "with DIASPORATRACK_TRUST_LOCAL_PLUGINS=1)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("statuses", help="the status lifecycle: definitions, weights, allowed next statuses")
    add_format(p)
    p.set_defaults(func=cmd_statuses)

    p = sub.add_parser("schema", help="the JSON Schema of a workspace file, for editors and CI")
    p.add_argument("name", nargs="?", help="source, owners, config or event (none: list them)")
    p.set_defaults(func=cmd_schema)
