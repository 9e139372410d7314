"""`owner list|show`: who carries the recommendations, expert groups under their organisations."""

from __future__ import annotations

import argparse

from ..errors import InputError
from ..serialize import owner_to_dict
from .common import (
    EXIT_OK,
    add_format,
    add_id,
    completed,
    open_tracker,
    shorten,
    table,
    title_width,
    to_json,
)

COMMANDS = ("owner",)


def _held(tracker) -> dict[str, int]:
    """How many recommendations each owner holds itself (not counting its expert groups)."""
    held: dict[str, int] = {}
    for rec in tracker:
        for owner in rec.owners:
            held[owner] = held.get(owner, 0) + 1
    return held


def cmd_owner_list(args: argparse.Namespace) -> int:
    tracker = open_tracker(args)
    held = _held(tracker)
    owners = sorted(tracker.owners.values(), key=lambda o: o.id)
    totals = {o.id: sum(held.get(d, 0) for d in tracker.owner_and_descendants(o.id)) for o in owners}
    if args.format == "json":
        print(to_json([{**owner_to_dict(o), "recommendations": held.get(o.id, 0),
                        "recommendations_with_groups": totals[o.id]} for o in owners]))
        return EXIT_OK
    rows = [(o.id, o.kind or "", o.parent or "", held.get(o.id, 0), totals[o.id], shorten(o.name, title_width()))
            for o in owners]
    print(table(rows, ("id", "kind", "parent", "recs", "with groups", "name")))
    return EXIT_OK


def cmd_owner_show(args: argparse.Namespace) -> int:
    tracker = open_tracker(args)
    owner = tracker.owners[tracker.resolve_owner(args.id)]
    children = sorted(o.id for o in tracker.owners.values() if o.parent == owner.id)
    recs = sorted(tracker.query(owner=[owner.id]), key=lambda r: r.id)
    if args.format == "json":
        print(to_json({**owner_to_dict(owner), "groups": children, "recommendations": [r.id for r in recs]}))
        return EXIT_OK
    for name, value in (("id", owner.id), ("name", owner.name), ("kind", owner.kind), ("parent", owner.parent),
                        ("email", owner.email), ("groups", ", ".join(children)), ("note", owner.note)):
        if value:
            print(f"{name + ':':<10}{value}")
    if recs:
        print()
        print(table([(r.id, r.status, ", ".join(r.owners), shorten(r.title, title_width())) for r in recs],
                    ("id", "status", "owners", "title")))
    return EXIT_OK


OWNER_FIELDS = {
    "--name": ("name", "the owner's name"),
    "--kind": ("kind", "expert-group, organisation, government, person, ..."),
    "--parent": ("parent", "the owner it belongs to (an expert group's organisation)"),
    "--email": ("email", "a contact address for reminders (never published)"),
    "--note": ("note", "a note"),
}


def _fields(args: argparse.Namespace) -> dict:
    return {field: getattr(args, field) for field, _ in OWNER_FIELDS.values() if getattr(args, field) is not None}


def cmd_owner_add(args: argparse.Namespace) -> int:
    tracker = open_tracker(args)
    fields = _fields(args)
    if fields.get("parent"):
        fields["parent"] = tracker.resolve_owner(fields["parent"])
    owner = tracker.add_owner({"id": args.id, **fields}, by=args.by)
    print(f"added owner {owner.id}")
    return EXIT_OK


def cmd_owner_set(args: argparse.Namespace) -> int:
    tracker = open_tracker(args)
    changes = _fields(args)
    if changes.get("parent"):
        changes["parent"] = tracker.resolve_owner(changes["parent"])
    for field in args.clear or ():
        changes[field] = None
    if not changes:
        raise InputError("nothing to change: give at least one option (see: diasporatrack owner set --help)")
    owner = tracker.set_owner_fields(args.id, by=args.by, **changes)
    print(f"owner {owner.id}: saved")
    return EXIT_OK


def register(sub, plugins) -> None:
    group = sub.add_parser("owner", help="the owners: expert groups, organisations, governments, people")
    verbs = group.add_subparsers(dest="verb", metavar="VERB", required=True)

    p = verbs.add_parser("list", help="every owner with how many recommendations it holds")
    add_format(p)
    p.set_defaults(func=cmd_owner_list)

    p = verbs.add_parser("add", help="add an owner to owners.yaml")
    p.add_argument("--id", required=True, help="the owner's id")
    for option, (field, help_text) in OWNER_FIELDS.items():
        completed(p.add_argument(option, dest=field, required=field == "name", help=help_text),
                  "owners" if field == "parent" else None)
    p.add_argument("--by", help="who is making the change (default: $DIASPORATRACK_USER, else your login)")
    p.set_defaults(func=cmd_owner_add)

    p = verbs.add_parser("set", help="change fields of an owner in owners.yaml")
    add_id(p, "an owner id or unique prefix", complete="owners")
    for option, (field, help_text) in OWNER_FIELDS.items():
        completed(p.add_argument(option, dest=field, help=help_text), "owners" if field == "parent" else None)
    p.add_argument("--clear", action="append", metavar="FIELD", choices=("kind", "parent", "email", "note"),
                   help="remove a field (repeatable): kind, parent, email, note")
    p.add_argument("--by", help="who is making the change (default: $DIASPORATRACK_USER, else your login)")
    p.set_defaults(func=cmd_owner_set)

    p = verbs.add_parser("show", help="one owner, its expert groups and the recommendations they hold")
    add_id(p, "an owner id or unique prefix", complete="owners")
    add_format(p)
    p.set_defaults(func=cmd_owner_show)
