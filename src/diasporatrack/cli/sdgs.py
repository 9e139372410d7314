"""`sdgs`: the Sustainable Development Goals and targets a recommendation may name."""

from __future__ import annotations

import argparse
import textwrap

from .common import EXIT_OK, add_format, table, to_json

COMMANDS = ("sdgs",)


def cmd_sdgs(args: argparse.Namespace) -> int:
    from .. import sdgs
    from ..errors import InputError

    goals = sdgs.goals()
    if args.goal is not None:
        if args.goal.strip() not in goals:
            raise InputError(f"no goal {args.goal!r}: goals are numbered 1 to 17")
        goals = {args.goal.strip(): goals[args.goal.strip()]}
    if args.format == "json":
        print(to_json({
            "about": sdgs.about(),
            "goals": [{"goal": g.number, "title": g.title, "targets": list(g.targets)} for g in goals.values()],
        }))
        return EXIT_OK
    rows = [(g.number, g.title, len(g.targets), _span(g.targets)) for g in goals.values()]
    print(table(rows, ("goal", "title", "targets", "numbers")))
    if args.goal is not None:
        print()
        print("targets: " + ", ".join(next(iter(goals.values())).targets))
    print()
    for paragraph in sdgs.about().split("\n\n"):
        print(textwrap.fill(paragraph, width=78))
    return EXIT_OK


def _span(targets: tuple[str, ...]) -> str:
    numbered = [t for t in targets if t.split(".")[1].isdigit()]
    lettered = [t for t in targets if not t.split(".")[1].isdigit()]
    parts = [f"{numbered[0]}-{numbered[-1]}"] if numbered else []
    if lettered:
        parts.append(f"{lettered[0]}-{lettered[-1]}" if len(lettered) > 1 else lettered[0])
    return ", ".join(parts)


def register(sub, plugins) -> None:
    p = sub.add_parser("sdgs", help="the 17 Sustainable Development Goals and the numbers of their 169 targets")
    p.add_argument("goal", nargs="?", help="show one goal and list its targets")
    add_format(p)
    p.set_defaults(func=cmd_sdgs)
