"""`trust`: let the plugin files a workspace names run, as they are now (or stop them)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import InputError
from .common import EXIT_OK, add_format, table, to_json

COMMANDS = ("trust",)


def _workspace_files(args: argparse.Namespace) -> list[Path]:
    """The plugin files named in the workspace's diasporatrack.yaml."""
    from ..errors import WorkspaceError
    from ..workspace import find_root, read_config

    root = find_root(args.root)
    problems: list = []
    config, _, _ = read_config(root, problems)
    if problems:
        raise WorkspaceError(problems)
    return [root / entry for entry in config.get("plugins") or ()]


def cmd_trust(args: argparse.Namespace) -> int:
    from .. import trust
    from ..workspace import display_path

    if args.list:
        if args.files or args.revoke:
            raise InputError("trust --list takes no files and no --revoke")
        entries = trust.listing()
        if args.format == "json":
            print(to_json(entries))
        elif entries:
            print(table([(trust.shown(e["path"]), e["sha256"][:12], e["trusted_at"], e["state"]) for e in entries],
                        ("path", "sha256", "trusted at", "state")))
        else:
            print(f"no plugin file is trusted (the list is kept in {trust.store_path()})")
        return EXIT_OK
    files = [Path(f) for f in args.files] if args.files else _workspace_files(args)
    if not files:
        raise InputError("the workspace's diasporatrack.yaml names no plugin files (plugins: [...]); "
                         "name them there, or give the files")
    if args.revoke:
        for path, was in trust.revoke(files):
            print(f"{'revoked' if was else 'was not trusted'}: {trust.shown(display_path(path))}")
        return EXIT_OK
    for path, sha, new in trust.trust(files):
        print(f"{'trusted' if new else 'already trusted'}: {trust.shown(display_path(path))} (sha256 {sha[:12]})")
    return EXIT_OK


def register(sub, plugins) -> None:
    p = sub.add_parser("trust", help="let the workspace's plugin files run, as they are now (--list, --revoke)",
                       description="Plugin files named in diasporatrack.yaml are code: they run only once you "
                                   "trust them. This records each file's SHA-256 in your config folder (never "
                                   "in the workspace); a file that changes must be trusted again. Read the "
                                   "files before you trust them.")
    p.add_argument("files", nargs="*", metavar="FILE",
                   help="plugin files (default: every file under plugins: in the workspace's diasporatrack.yaml)")
    p.add_argument("--revoke", action="store_true", help="stop trusting the files")
    p.add_argument("--list", action="store_true", help="every trusted file, and whether it changed since")
    add_format(p)
    p.set_defaults(func=cmd_trust)
