"""`serve` and `user add|list|remove|set-role`: the web app and its accounts (the ``[web]`` extra)."""

from __future__ import annotations

import argparse
import getpass
import ipaddress
import sys

from ..errors import InputError
from .common import EXIT_OK, add_format, table, to_json

COMMANDS = ("serve", "user")
LOOPBACK = "127.0.0.1"


def _users(args: argparse.Namespace):
    from ..web import require
    from ..web.users import Users

    require("argon2")
    return Users(args.users)


def _known_owners(args: argparse.Namespace, owners: list[str]) -> None:
    """Refuse owner ids the workspace does not have, when there is a workspace to ask."""
    from ..workspace import find_root

    if not owners:
        return
    try:
        root = find_root(args.root)
    except InputError:
        return  # accounts may be made before the workspace: checked again when the server uses them
    from ..tracker import Tracker

    known = Tracker.open(root).owners
    for owner in owners:
        if owner not in known:
            raise InputError(f"no owner {owner!r} in {root} (see: diasporatrack owner list)")


def _password(args: argparse.Namespace) -> str:
    """The new password: asked twice on a terminal, else the first line of standard input."""
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != first:
            raise InputError("the two passwords differ")
        return first
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.rstrip("\r\n")


def cmd_user_add(args: argparse.Namespace) -> int:
    users = _users(args)
    _known_owners(args, args.owner)
    user = users.add(args.name, args.role, _password(args), args.owner)
    owners = f" for {', '.join(user.owners)}" if user.owners else ""
    print(f"account {user.name}: {user.role}{owners} (in {users.path})")
    return EXIT_OK


def cmd_user_list(args: argparse.Namespace) -> int:
    users = _users(args).all()
    if args.format == "json":
        print(to_json([{"name": u.name, "role": u.role, "owners": list(u.owners), "created": u.created}
                       for u in users]))
    elif users:
        print(table([(u.name, u.role, ", ".join(u.owners), u.created) for u in users],
                    ["name", "role", "owners", "created"]))
    else:
        print("no accounts yet: diasporatrack user add NAME --role admin")
    return EXIT_OK


def cmd_user_remove(args: argparse.Namespace) -> int:
    _users(args).remove(args.name)
    print(f"account {args.name}: removed; its sessions have ended")
    return EXIT_OK


def cmd_user_set_role(args: argparse.Namespace) -> int:
    _known_owners(args, args.owner)
    user = _users(args).set_role(args.name, args.role, args.owner or None)
    owners = f" for {', '.join(user.owners)}" if user.owners else ""
    print(f"account {user.name}: {user.role}{owners}; its sessions have ended")
    return EXIT_OK


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cmd_serve(args: argparse.Namespace) -> int:
    from .. import cache
    from ..tracker import Tracker
    from ..web import is_shipped, require
    from ..workspace import find_root

    require()
    root = find_root(args.root)
    if is_shipped(root) and not args.read_only:
        raise InputError(f"{root} is the shipped workspace (the record of the source documents): serve a copy "
                         "(cp -r recommendations my-workspace) or the demo, or add --read-only")
    for proxy in args.trusted_proxy:
        try:
            ipaddress.ip_address(proxy)
        except ValueError:
            raise InputError(f"--trusted-proxy {proxy!r}: give the proxy's IP address") from None
    Tracker.open(root)  # a workspace with problems is said now, not on the first request
    from ..web.app import create_app
    from ..web.users import Users

    users = Users(args.users)
    if not users.all():
        print(f"diasporatrack: warning: no accounts in {users.path} yet: "
              "diasporatrack user add NAME --role admin", file=sys.stderr)
    if not _is_loopback(args.host) and not args.trusted_proxy:
        print(f"diasporatrack: warning: listening on {args.host} without TLS: passwords and cookies cross the "
              "network in the clear; serve behind an HTTPS reverse proxy (--trusted-proxy, see docs/web.md)",
              file=sys.stderr)
    cache.BACKGROUND = False  # a server has threads: the cache is written in-process, never in a forked child
    app = create_app(root, users, trusted_proxies=tuple(args.trusted_proxy), read_only=args.read_only)
    import uvicorn

    print(f"serving {root} on http://{args.host}:{args.port}/ (Ctrl-C stops)", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, proxy_headers=False, server_header=False,
                log_level="warning", access_log=False)
    return EXIT_OK


def _add_users_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--users", metavar="FILE", help="the accounts file (default: "
                   "$XDG_CONFIG_HOME/diasporatrack/users.json); never put it in the workspace or in git")


def register(sub, plugins) -> None:
    from ..web.users import ROLES

    p = sub.add_parser("serve", help="the web app for the team (needs the [web] extra)")
    p.add_argument("--host", default=LOOPBACK, help="the address to listen on (default: %(default)s, this "
                   "computer only)")
    p.add_argument("--port", type=int, default=8000, help="the port (default: %(default)s)")
    p.add_argument("--trusted-proxy", action="append", default=[], metavar="ADDRESS",
                   help="a reverse proxy whose X-Forwarded-For and X-Forwarded-Proto are believed (repeatable)")
    p.add_argument("--read-only", action="store_true", help="browse only: no change is accepted")
    _add_users_option(p)
    p.set_defaults(func=cmd_serve)

    group = sub.add_parser("user", help="the web app's accounts, kept outside the workspace")
    verbs = group.add_subparsers(dest="verb", metavar="VERB", required=True)
    p = verbs.add_parser("add", help="add an account; the password is read from the terminal or standard input")
    p.add_argument("name", help="the account name")
    p.add_argument("--role", required=True, choices=ROLES, help="viewer reads; member acts for its owners; "
                   "coordinator acts on everything; admin also manages accounts")
    p.add_argument("--owner", action="append", default=[], metavar="ID",
                   help="an owner the account acts for (repeatable; a member needs one)")
    _add_users_option(p)
    p.set_defaults(func=cmd_user_add)

    p = verbs.add_parser("list", help="every account with its role and owners")
    add_format(p)
    _add_users_option(p)
    p.set_defaults(func=cmd_user_list)

    p = verbs.add_parser("remove", help="remove an account (its sessions end)")
    p.add_argument("name", help="the account name")
    _add_users_option(p)
    p.set_defaults(func=cmd_user_remove)

    p = verbs.add_parser("set-role", help="change an account's role and owners (its sessions end)")
    p.add_argument("name", help="the account name")
    p.add_argument("role", choices=ROLES, help="the new role")
    p.add_argument("--owner", action="append", default=[], metavar="ID",
                   help="the owners it acts for from now on (repeatable; default: as before)")
    _add_users_option(p)
    p.set_defaults(func=cmd_user_set_role)
