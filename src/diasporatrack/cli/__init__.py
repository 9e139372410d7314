"""The ``diasporatrack`` command: parse, call the library, print.

One module per group of commands, named after it (``listing`` holds ``list``,
``sources`` holds ``source list|show``, ...); each has ``COMMANDS`` and a
``register(subparsers, plugins)`` that adds its parsers. The grammar is
written down in docs/cli.md: recommendations take top-level verbs
(``list``, ``show``, ``update``, ...), every other kind of thing is a noun
group with the same verbs (``source list``, ``owner show``).

No logic lives only here. Errors the library raises on purpose are printed
as one line on stderr (``--debug`` shows the traceback); exit codes are
0 ok, 1 problems found, 2 bad usage or bad input.
"""

from __future__ import annotations

import os
import sys
import warnings

from .. import __version__
from . import quick
from .common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, load_plugins

TYPE_CHECKING = False  # typing itself is not imported: it costs start-up
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from ..plugins import Plugins

_show_warning = warnings.showwarning

__all__ = ["EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "build_parser", "main", "run"]

# Each group's module and the commands it registers (its COMMANDS; a test keeps the two the same), in the
# order `--help` and docs/cli.md list them: recommendations first, then the other nouns, then the workspace.
# A command imports only its own module: start-up does not pay for the others.
COMMAND_TABLE = (
    ("listing", ("list",)), ("show", ("show", "history")), ("log", ("log",)), ("update", ("update", "respond")),
    ("authoring", ("add", "set", "edit", "remove", "move")), ("stats", ("stats",)),
    ("attention", ("score", "remind")), ("exporting", ("export",)), ("importing", ("import",)),
    ("extract", ("extract",)), ("sources", ("source", "sources")), ("owners", ("owner",)),
    ("actions", ("action", "indicator")), ("workspace", ("init", "validate", "statuses", "schema")),
    ("web", ("serve", "user")), ("sdgs", ("sdgs",)), ("plugins", ("plugins",)), ("trust", ("trust",)),
    ("completion", ("completion",)),
)
BUILTIN_COMMANDS = frozenset(name for _, names in COMMAND_TABLE for name in names)
_MODULE_OF = {name: module for module, names in COMMAND_TABLE for name in names}


def _group(module: str):
    import importlib

    return importlib.import_module(f".{module}", __name__)


def __getattr__(name: str):
    if name == "GROUPS":  # every group's module, imported (the documentation and the tests walk them all)
        return tuple(_group(module) for module, _ in COMMAND_TABLE)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _leaf_parsers(parser: argparse.ArgumentParser):
    """Every parser that runs a command: the top-level verbs and the verbs of each noun group."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                if any(isinstance(a, argparse._SubParsersAction) for a in child._actions):
                    yield from _leaf_parsers(child)
                else:
                    yield child


def build_parser(plugins: Plugins | None = None, only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser: every command, or with ``only`` just the group of that built-in command."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="diasporatrack",
        description="Track policy recommendations: who recommended what to whom, who owns it, where it stands.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--root", help="the workspace directory (default: $DIASPORATRACK_ROOT, else the nearest "
                                       "workspace or recommendations/ folder upward)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--no-plugins", action="store_true",
                        help="load no installed plugin and no plugin file, only the built-ins "
                             "(also: DIASPORATRACK_NO_PLUGINS=1)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module, _ in COMMAND_TABLE:
        if only is None or _MODULE_OF.get(only) == module:
            _group(module).register(sub, plugins)
    for command in _leaf_parsers(parser):
        if command.prog.split()[-1] != "init":  # `validate --root DIR` in a hook reads well
            command.add_argument("--root", default=argparse.SUPPRESS, help="the workspace directory")
    if plugins is not None:
        parser.set_defaults(plugin_commands=plugins.add_commands(sub))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "_ARGCOMPLETE" not in os.environ:
        # A plain `list` or `export json`: answered from a fresh cache, before argparse is even loaded.
        for parse, answer, for_people in ((quick.parse_list, quick.answer_list, True),
                                          (quick.parse_export, quick.answer_export, False)):
            given = parse(argv)
            if given is None:
                continue
            try:
                if for_people and given["format"] not in MACHINE_FORMATS:  # a table of the workspace's text
                    with _terminal_safe(stdout=True):
                        answered = answer(given)
                else:  # JSON as it is stored, and on stderr only the fast path's own fixed messages
                    answered = answer(given)
            except BrokenPipeError:
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                return EXIT_OK
            if answered is not None:
                return answered
            break
    import argparse

    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--root")
    early.add_argument("--debug", action="store_true")
    early.add_argument("--help", "-h", action="store_true")
    early.add_argument("--version", action="store_true")
    early.add_argument("--no-plugins", action="store_true")
    early.add_argument("--format")
    early.add_argument("command", nargs="?")
    known, _ = early.parse_known_args(argv)
    if known.version and known.command is None:  # never needs a plugin, so no plugin can break it
        print(f"diasporatrack {__version__}")
        return EXIT_OK
    machine = known.command in MACHINE_COMMANDS or known.format in MACHINE_FORMATS
    from ..trust import UntrustedPluginWarning, switched_off

    with switched_off(known.no_plugins), warnings.catch_warnings(), _terminal_safe(stdout=not machine):
        warnings.simplefilter("always", UntrustedPluginWarning)
        # A shell completing a word reads our stdout and shows our stderr in the command line: no warnings then.
        warnings.showwarning = _one_line_warning(set(), quiet="_ARGCOMPLETE" in os.environ)
        return _main(argv, known)


# Output for programs and files, kept byte for byte; everything else is for people and goes through
# terminal_safe (control characters and bidi overrides from a workspace never reach the terminal).
MACHINE_COMMANDS = frozenset({"export", "schema", "completion"})
MACHINE_FORMATS = frozenset({"json", "csv"})


class _terminal_safe:  # noqa: N801 - a context manager used as a function (a class: contextlib costs start-up)
    """stderr (and ``stdout`` if true) through :class:`~diasporatrack.textsafety.TerminalSafeStream` in the block."""

    def __init__(self, *, stdout: bool) -> None:
        self.stdout = stdout

    def __enter__(self) -> None:
        from ..textsafety import TerminalSafeStream

        self.saved = sys.stdout, sys.stderr
        if self.stdout:
            sys.stdout = TerminalSafeStream(sys.stdout)
        sys.stderr = TerminalSafeStream(sys.stderr)

    def __exit__(self, *exc) -> None:
        sys.stdout, sys.stderr = self.saved


def _one_line_warning(seen: set[str], quiet: bool = False):
    """Warnings about plugins as one line on stderr, each once per run (plugins may be loaded twice)."""
    from ..trust import UntrustedPluginWarning

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        if issubclass(category, UntrustedPluginWarning):
            if quiet:
                return
            text = f"diasporatrack: warning: {message}"
            if text not in seen:
                seen.add(text)
                print(text, file=sys.stderr)
            return
        _show_warning(message, category, filename, lineno, file, line)
    return show


def _main(argv: list[str], known: argparse.Namespace) -> int:
    from ..errors import DiasporatrackError, WorkspaceError
    from . import completion

    if _CONSOLE:
        _console_settings()
    plugins = None
    try:
        # Built-in commands parse without plugins (start-up stays fast) and
        # with only their own group's parser (completion needs them all); a
        # plugin's command or --help needs them all. The tracker loads plugins
        # later when a command uses them.
        needs_plugins = known.help or known.command not in BUILTIN_COMMANDS
        plugins = load_plugins(known.root) if needs_plugins else None
        whole = needs_plugins or "_ARGCOMPLETE" in os.environ
        parser = build_parser(plugins, only=None if whole else known.command)
    except DiasporatrackError as err:
        if known.debug:
            raise
        if not (known.help or known.command is None):
            print(f"diasporatrack: error: {err}", file=sys.stderr)
            return err.exit_code
        # A broken plugin must not take --help away: show the built-in commands, and why the rest is missing.
        if "_ARGCOMPLETE" not in os.environ:
            print(f"diasporatrack: warning: {err}; plugin commands are not listed (--no-plugins hides this)",
                  file=sys.stderr)
        plugins = None
        parser = build_parser(None)
    completion.autocomplete(parser)  # a shell asking for completions is answered here, and the run ends
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
    except OSError as err:  # a file the library did not expect to fail: one line, never a traceback
        if args.debug:
            raise
        from ..safeio import describe_os_error

        where = f"{err.filename}: " if err.filename else ""
        print(f"diasporatrack: error: {where}{describe_os_error(err)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _run_plugin_command(args: argparse.Namespace, plugin: str) -> int:
    from ..errors import DiasporatrackError
    from ..plugins import PluginError, _describe

    func = getattr(args, "func", None)
    if func is None:
        raise PluginError(f"plugin {plugin!r} added command {args.command!r} without a function to run "
                          "(it needs parser.set_defaults(func=...))")
    try:
        code = func(args)
    except (DiasporatrackError, BrokenPipeError):
        raise
    except BaseException as err:  # noqa: BLE001 - sys.exit() and Ctrl-C in a plugin's command are named too
        if args.debug:
            raise
        raise PluginError(f"plugin {plugin!r} failed in command {args.command!r}: {_describe(err)}") from err
    return code if isinstance(code, int) else EXIT_OK


_CONSOLE = False  # run by the console script (not by a program calling main())


def run() -> None:
    """Console-script entry point."""
    global _CONSOLE
    _CONSOLE = True
    sys.exit(main())


def _console_settings() -> None:
    from .. import cache, workspace

    cache.BACKGROUND = True  # a command line may leave the cache to be written after it answers
    workspace.PARALLEL = True  # and may parse a large workspace on two cores
