"""`plugins`: what is loaded, from where, with which hooks."""

from __future__ import annotations

import argparse

from .common import EXIT_OK, add_format, load_plugins, table, to_json

COMMANDS = ("plugins",)


def cmd_plugins(args: argparse.Namespace) -> int:
    plugins = args.plugin_manager or load_plugins(args.root)
    described = plugins.describe()
    if args.format == "json":
        print(to_json(described))
        return EXIT_OK
    rows = [
        (p["name"], p["origin"], p["version"] or "", ", ".join(p["hooks"]),
         "; ".join(f"{kind}: {', '.join(names)}" for kind, names in p["registers"].items()))
        for p in described
    ]
    print(table(rows, ("plugin", "origin", "version", "hooks", "registers")))
    return EXIT_OK


def register(sub, plugins) -> None:
    p = sub.add_parser("plugins", help="the plugins loaded: where from, their hooks, what they register")
    add_format(p)
    p.set_defaults(func=cmd_plugins)
