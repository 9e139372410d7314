"""`completion SHELL`: tab completion for bash, zsh and fish, with argcomplete.

The printed script makes the shell call ``diasporatrack`` itself to complete a
word; commands, options and choices come from the parser, and the completers
below offer the workspace's own ids, statuses, owners and sources.
"""

from __future__ import annotations

import argparse
import sys

from .common import EXIT_OK

COMMANDS = ("completion",)
SHELLS = ("bash", "zsh", "fish")


def _tracker(parsed_args: argparse.Namespace):
    from ..tracker import Tracker

    try:
        return Tracker.open(getattr(parsed_args, "root", None))
    except Exception:  # completing must never print an error into the user's command line
        return None


def complete_ids(prefix: str, parsed_args: argparse.Namespace, **_) -> list[str]:
    tracker = _tracker(parsed_args)
    return [] if tracker is None else sorted(r.id for r in tracker if r.id.startswith(prefix))


def complete_statuses(prefix: str, parsed_args: argparse.Namespace, **_) -> list[str]:
    tracker = _tracker(parsed_args)
    return [] if tracker is None else [n for n in tracker.lifecycle.names if n.startswith(prefix)]


def complete_responses(prefix: str, parsed_args: argparse.Namespace, **_) -> list[str]:
    tracker = _tracker(parsed_args)
    return [] if tracker is None else [n for n in tracker.responses.names if n.startswith(prefix)]


def complete_owners(prefix: str, parsed_args: argparse.Namespace, **_) -> list[str]:
    tracker = _tracker(parsed_args)
    return [] if tracker is None else sorted(o for o in tracker.owners if o.startswith(prefix))


def complete_sources(prefix: str, parsed_args: argparse.Namespace, **_) -> list[str]:
    tracker = _tracker(parsed_args)
    return [] if tracker is None else sorted(s for s in tracker.sources if s.startswith(prefix))


def complete_actions(prefix: str, parsed_args: argparse.Namespace, **_) -> list[str]:
    tracker = _tracker(parsed_args)
    if tracker is None:
        return []
    from ..actions import load_plan

    return sorted(a for a in load_plan(tracker).actions if a.startswith(prefix))


def cmd_completion(args: argparse.Namespace) -> int:
    from argcomplete import shell_integration

    sys.stdout.write(shell_integration.shellcode(["diasporatrack"], shell=args.shell))
    return EXIT_OK


def autocomplete(parser: argparse.ArgumentParser) -> None:
    """Answer the shell's completion request, if this run is one (argcomplete exits then)."""
    import os

    if "_ARGCOMPLETE" in os.environ:
        import argcomplete

        argcomplete.autocomplete(parser)


def register(sub, plugins) -> None:
    p = sub.add_parser("completion", help="print the tab-completion script for a shell (bash, zsh or fish)")
    p.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    p.set_defaults(func=cmd_completion)
