"""Plugins that misbehave: each gives one line naming the plugin (and the hook), exit 2,
and leaves every workspace file and the journal byte-for-byte unchanged."""

from __future__ import annotations

import hashlib
import json
import re
import time
import types
from pathlib import Path

import pytest

from conftest import trust, write
from diasporatrack import Tracker, hookimpl
from diasporatrack.plugins import PluginError

HEAD = "from diasporatrack import hookimpl\n\n"
EXPORTER = HEAD + """\
class Bad:
    name = "bad"
    extension = "txt"
    description = "returns the wrong thing"

    def export(self, tracker, recommendations):
        return RESULT


@hookimpl
def register_exporters():
    return [Bad()]
"""
EVENT = ('{"id":"e1","at":"2025-02-01T10:00:00.000000Z","by":"amina","recommendation":"rep-forum",'
         '"kind":"update","note":"before"}\n')


def snapshot(root: Path) -> dict[str, str]:
    """A hash of every file under the workspace (bytecode caches aside: see the report)."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def with_plugin(ws: Path, name: str, code: str) -> dict[str, str]:
    write(ws / f"{name}.py", code)
    write(ws / "diasporatrack.yaml", f"plugins: [{name}.py]\n")
    trust(ws / f"{name}.py")
    (ws / "journal.jsonl").write_text(EVENT)
    return snapshot(ws)


def raising(hook: str, signature: str) -> str:
    return HEAD + f"@hookimpl\ndef {hook}({signature}):\n    raise RuntimeError('boom')\n"


RAISING_HOOKS = [
    ("register_exporters", "", ("export", "json")),
    ("register_scorers", "", ("score",)),
    ("register_reminder_rules", "", ("remind", "--dry-run")),
    ("register_reminder_channels", "", ("remind", "--dry-run")),
    ("validate_recommendation", "recommendation, tracker", ("validate", "--with-plugins")),
    ("register_commands", "subparsers", ("hello",)),
]


@pytest.mark.parametrize(("hook", "signature", "argv"), RAISING_HOOKS,
                         ids=[f"{h}-{a[0].lstrip('-')}" for h, _, a in RAISING_HOOKS])
def test_hook_that_raises(hook, signature, argv, ws, cli):
    before = with_plugin(ws, "noisy", raising(hook, signature))
    result = cli("--root", "ws", *argv)
    assert (result.code, result.out) == (2, "")
    for_rec = " for rep-health" if hook == "validate_recommendation" else ""
    assert result.err.startswith(f"diasporatrack: error: plugin 'noisy' failed in {hook}{for_rec}: "
                                 "RuntimeError: boom (")
    assert result.err.endswith("ws/noisy.py:5)\n") and result.err.count("\n") == 1
    assert snapshot(ws) == before


def test_help_survives_a_plugin_that_raises_in_register_commands(ws, cli):
    before = with_plugin(ws, "noisy", raising("register_commands", "subparsers"))
    result = cli("--root", "ws", "--help")
    assert result.code == 0 and result.out.startswith("usage: diasporatrack")
    assert "validate" in result.out  # the built-in commands are all there
    assert result.err.startswith("diasporatrack: warning: plugin 'noisy' failed in register_commands: "
                                 "RuntimeError: boom (")
    assert result.err.endswith("; plugin commands are not listed (--no-plugins hides this)\n")
    assert result.err.count("\n") == 1
    assert snapshot(ws) == before


def test_on_event_that_raises_keeps_the_event_and_only_the_event(ws, cli):
    before = with_plugin(ws, "noisy", raising("on_event", "tracker, event"))
    journal = (ws / "journal.jsonl").read_bytes()
    result = cli("--root", "ws", "update", "rep-forum", "--note", "x")
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("diasporatrack: error: plugin 'noisy' failed in on_event: RuntimeError: boom (")
    assert result.err.endswith("ws/noisy.py:5) (the event itself was stored)\n") and result.err.count("\n") == 1
    # By design (hookspecs.on_event) the event is durably stored before listeners run:
    # everything else is unchanged and the journal grew by exactly that one line.
    after = snapshot(ws)
    assert {k: v for k, v in after.items() if k != "journal.jsonl"} == {
        k: v for k, v in before.items() if k != "journal.jsonl"}
    grown = (ws / "journal.jsonl").read_bytes()
    assert grown.startswith(journal) and grown[len(journal):].count(b"\n") == 1
    assert json.loads(grown[len(journal):])["note"] == "x"


@pytest.mark.parametrize("argv", [("export", "json"), ("update", "rep-forum", "--note", "x"),
                                  ("validate", "--with-plugins"), ("hello",)])
def test_module_that_raises_on_import(argv, ws, cli):
    before = with_plugin(ws, "broken", HEAD + "import no_such_module_anywhere\n")
    result = cli("--root", "ws", *argv)
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("diasporatrack: error: plugin 'broken' failed to load: ModuleNotFoundError: "
                                 "No module named 'no_such_module_anywhere' (")
    assert result.err.endswith("ws/broken.py:3)\n") and result.err.count("\n") == 1
    assert snapshot(ws) == before


def test_slow_import_that_gives_up(ws, cli):
    # A genuinely hanging import is not interrupted (plugins.py has no timeout):
    # here the import sleeps briefly, then fails, and the error still names it.
    before = with_plugin(ws, "slow", HEAD + "import time\ntime.sleep(0.3)\nraise TimeoutError('gave up')\n")
    started = time.perf_counter()
    result = cli("--root", "ws", "export", "json")
    assert time.perf_counter() - started >= 0.3
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("diasporatrack: error: plugin 'slow' failed to load: TimeoutError: gave up (")
    assert result.err.endswith("ws/slow.py:5)\n")
    assert snapshot(ws) == before


def test_module_that_calls_sys_exit_on_import(ws, cli):
    before = with_plugin(ws, "quitter", HEAD + "import sys\nsys.exit(3)\n")
    result = cli("--root", "ws", "export", "json")
    assert snapshot(ws) == before
    assert result.code == 2
    assert result.err.startswith("diasporatrack: error: plugin 'quitter' failed to load: SystemExit")


WRONG_TYPES = [
    ("register_exporters", "'nope'", ("export", "json"), "'nope'", "exporter",
     "name, extension, description and export()"),
    ("register_exporters", "42", ("export", "json"), "42", "exporter", "name, extension, description and export()"),
    ("register_exporters", "[None]", ("export", "json"), "None", "exporter",
     "name, extension, description and export()"),
    ("register_scorers", "[42]", ("score",), "42", "scorer", "name, description and score()"),
    ("register_reminder_rules", "[42]", ("remind", "--dry-run"), "42", "reminder rule",
     "name, description and check()"),
    ("register_reminder_channels", "{'a': 1}", ("remind", "--dry-run"), "{'a': 1}", "reminder channel",
     "name, description and deliver()"),
]


@pytest.mark.parametrize(("hook", "value", "argv", "shown", "kind", "needs"), WRONG_TYPES,
                         ids=[f"{w[0]}-{w[1]}" for w in WRONG_TYPES])
def test_register_hook_returns_the_wrong_type(hook, value, argv, shown, kind, needs, ws, cli):
    before = with_plugin(ws, "odd", HEAD + f"@hookimpl\ndef {hook}():\n    return {value}\n")
    result = cli("--root", "ws", *argv)
    assert (result.code, result.out) == (2, "")
    article = "an" if kind[0] in "aeiou" else "a"
    # The article is checked in test_wrong_type_message_grammar; here: plugin, value, hook, kind.
    assert re.sub(r"\ba exporter", "an exporter", result.err) == (
        f"diasporatrack: error: plugin 'odd' returned {shown} from {hook}, which is not {article} {kind} "
        f"({article} {kind} needs {needs})\n")
    assert snapshot(ws) == before


def test_wrong_type_message_grammar(ws):
    tracker = Tracker.open(ws, plugins=[_plugin(register_exporters=lambda: [42])])
    with pytest.raises(PluginError, match="which is not an exporter"):
        tracker.export("json")


def test_register_commands_return_value_is_ignored(ws, cli):
    before = with_plugin(ws, "odd", HEAD + "@hookimpl\ndef register_commands(subparsers):\n    return 42\n")
    result = cli("--root", "ws", "--help")
    assert result.code == 0 and "Traceback" not in result.err
    assert snapshot(ws) == before


def test_validate_recommendation_returns_the_wrong_type(ws, cli):
    before = with_plugin(ws, "odd", HEAD + "@hookimpl\ndef validate_recommendation(recommendation, tracker):\n"
                                           "    return 42\n")
    result = cli("--root", "ws", "validate", "--with-plugins")
    assert snapshot(ws) == before
    assert result.code == 2 and result.err.count("\n") == 1
    assert result.err.startswith("diasporatrack: error: plugin 'odd' ") and "validate_recommendation" in result.err


@pytest.mark.parametrize("value", ["None", "42"])
@pytest.mark.parametrize("output", [None, "out.txt"])
def test_exporter_returns_the_wrong_type(value, output, ws, cli, tmp_path):
    before = with_plugin(ws, "odd", EXPORTER.replace("RESULT", value))
    argv = ("export", "bad") + (("-o", output) if output else ())
    try:
        result = cli("--root", "ws", *argv)
    finally:
        assert snapshot(ws) == before
        assert not (tmp_path / "out.txt").exists()
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("diasporatrack: error: plugin 'odd' ") and "'bad'" in result.err
    assert result.err.count("\n") == 1


def test_library_export_refuses_a_wrong_type(ws):
    class Bad:
        name, extension, description = "bad", "txt", "x"

        def export(self, tracker, recommendations):
            return None

    with pytest.raises(PluginError, match=r"returned NoneType from exporter 'bad' \(export\(\) must return str"):
        Tracker.open(ws, plugins=[_plugin(register_exporters=lambda: [Bad()])]).export("bad")


def test_scorer_returns_the_wrong_type(ws, cli):
    before = with_plugin(ws, "odd", HEAD + "class S:\n    name = 's'\n    description = 'd'\n\n"
                                           "    def score(self, rec, context):\n        return 'high'\n\n\n"
                                           "@hookimpl\ndef register_scorers():\n    return [S()]\n")
    result = cli("--root", "ws", "score", "--scorer", "s")
    assert snapshot(ws) == before
    assert result.code == 2 and result.err.count("\n") == 1
    assert result.err == ("diasporatrack: error: plugin 'odd' returned str from scorer 's' "
                          "(score() must return a diasporatrack.protocols.Score)\n")


def test_plugin_command_without_func(ws, cli):
    before = with_plugin(ws, "odd", HEAD + "@hookimpl\ndef register_commands(subparsers):\n"
                                           "    subparsers.add_parser('hello')\n")
    result = cli("--root", "ws", "hello")
    assert snapshot(ws) == before
    assert result.code == 2 and "plugin 'odd'" in result.err and result.err.count("\n") == 1


def test_plugin_command_that_raises(ws, cli):
    before = with_plugin(ws, "odd", HEAD + "def run(args):\n    raise RuntimeError('boom')\n\n\n"
                                           "@hookimpl\ndef register_commands(subparsers):\n"
                                           "    subparsers.add_parser('hello').set_defaults(func=run)\n")
    try:
        result = cli("--root", "ws", "hello")
    finally:
        assert snapshot(ws) == before
    assert result.code == 2 and result.err.count("\n") == 1
    assert result.err.startswith("diasporatrack: error: plugin 'odd' failed in command 'hello': RuntimeError: boom")


def test_plugin_command_clashing_with_a_builtin(ws, cli):
    before = with_plugin(ws, "odd", HEAD + "@hookimpl\ndef register_commands(subparsers):\n"
                                           "    subparsers.add_parser('list')\n")
    result = cli("--root", "ws", "hello")
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("diasporatrack: error: plugin 'odd' failed in register_commands: ArgumentError: "
                                 "argument COMMAND: conflicting subparser: list")
    assert snapshot(ws) == before


# --- the same through plugin objects (the library) ------------------------------------------


def _plugin(**hooks) -> types.SimpleNamespace:
    namespace = types.SimpleNamespace(**{name: hookimpl(fn) for name, fn in hooks.items()})
    namespace.__name__ = "test-plugin"
    return namespace


def _boom(*args, **kwargs):
    raise RuntimeError("boom")


@pytest.mark.parametrize(("hook", "call"), [
    ("register_exporters", lambda t: t.export("json")),
    ("register_scorers", lambda t: t.score("urgency")),
    ("validate_recommendation", lambda t: t.check()),
    ("on_event", lambda t: t.update("rep-forum", note="x")),
])
def test_library_hook_that_raises_names_plugin_and_hook(hook, call, ws):
    (ws / "journal.jsonl").write_text(EVENT)
    before = snapshot(ws)
    tracker = Tracker.open(ws, plugins=[_plugin(**{hook: lambda **kw: _boom()} if hook in (
        "validate_recommendation", "on_event") else {hook: _boom})])
    with pytest.raises(PluginError, match=f"^plugin 'test-plugin' failed in {hook}"):
        call(tracker)
    if hook != "on_event":
        assert snapshot(ws) == before


# --- plugins that end the program or print into machine output -------------------------------------

EXITS = {
    "sys.exit(3)": "SystemExit: 3",
    "sys.exit(0)": "SystemExit: 0",
    "sys.exit()": "SystemExit",
    "raise KeyboardInterrupt": "KeyboardInterrupt",
}
EXIT_HOOKS = [
    ("register_exporters", "", ("export", "json")),
    ("register_scorers", "", ("score", "--format", "json")),
    ("register_reminder_rules", "", ("remind", "--dry-run")),
    ("validate_recommendation", "recommendation, tracker", ("validate", "--with-plugins", "--format", "json")),
    ("register_commands", "subparsers", ("hello",)),
]


@pytest.mark.parametrize("statement", list(EXITS))
@pytest.mark.parametrize(("hook", "signature", "argv"), EXIT_HOOKS, ids=[h for h, _, _ in EXIT_HOOKS])
def test_hook_that_exits_or_is_interrupted(hook, signature, argv, statement, ws, cli):
    before = with_plugin(ws, "quitter", HEAD + f"import sys\n\n\n@hookimpl\ndef {hook}({signature}):\n"
                                              f"    {statement}\n")
    result = cli("--root", "ws", *argv)
    assert (result.code, result.out) == (2, "")
    for_rec = " for rep-health" if hook == "validate_recommendation" else ""
    assert result.err.startswith(f"diasporatrack: error: plugin 'quitter' failed in {hook}{for_rec}: "
                                 f"{EXITS[statement]} (")
    assert result.err.endswith("ws/quitter.py:8)\n") and result.err.count("\n") == 1
    assert snapshot(ws) == before


@pytest.mark.parametrize("statement", list(EXITS))
def test_listener_that_exits_after_the_event_is_stored(statement, ws, cli):
    before = with_plugin(ws, "quitter", HEAD + f"import sys\n\n\n@hookimpl\ndef on_event(tracker, event):\n"
                                              f"    {statement}\n")
    journal = (ws / "journal.jsonl").read_bytes()
    result = cli("--root", "ws", "update", "rep-forum", "--note", "stored")
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(f"diasporatrack: error: plugin 'quitter' failed in on_event: {EXITS[statement]} (")
    assert result.err.endswith("ws/quitter.py:8) (the event itself was stored)\n") and result.err.count("\n") == 1
    grown = (ws / "journal.jsonl").read_bytes()
    assert grown.startswith(journal) and json.loads(grown[len(journal):])["note"] == "stored"
    after = snapshot(ws)
    assert {k: v for k, v in after.items() if k != "journal.jsonl"} == {
        k: v for k, v in before.items() if k != "journal.jsonl"}
    assert Tracker.open(ws).get("rep-forum").history[-1].note == "stored"


def test_plugin_command_that_exits(ws, cli):
    before = with_plugin(ws, "quitter", HEAD + "import sys\n\n\ndef run(args):\n    sys.exit(3)\n\n\n"
                                               "@hookimpl\ndef register_commands(subparsers):\n"
                                               "    subparsers.add_parser('hello').set_defaults(func=run)\n")
    result = cli("--root", "ws", "hello")
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("diasporatrack: error: plugin 'quitter' failed in command 'hello': SystemExit: 3 (")
    assert result.err.count("\n") == 1
    assert snapshot(ws) == before


PRINTER = HEAD + """\
import os
import subprocess
import sys

print("noise at import")
os.write(1, b"noise through fd 1\\n")
subprocess.run([sys.executable, "-c", "print('noise from a child process')"], check=True)


class Shout:
    name = "shout"
    description = "prints while it scores"

    def score(self, recommendation, context):
        from diasporatrack.protocols import Score
        print("noise from a scorer")
        return Score(1.0)


class Rule:
    name = "noisy-rule"
    description = "prints while it checks"

    def check(self, recommendation, context):
        print("noise from a rule")
        return []


@hookimpl
def register_exporters():
    print("noise from register_exporters")
    os.write(1, b"noise from register_exporters through fd 1\\n")
    return []


@hookimpl
def register_scorers():
    return [Shout()]


@hookimpl
def register_reminder_rules():
    return [Rule()]


@hookimpl
def validate_recommendation(recommendation, tracker):
    print("noise from a validator")


@hookimpl
def on_event(tracker, event):
    print("noise from a listener")
"""


@pytest.mark.parametrize(("argv", "hook_noise"), [
    (("export", "json"), "noise from register_exporters through fd 1"),
    (("plugins", "--format", "json"), "noise from register_exporters"),
    (("score", "--scorer", "shout", "--format", "json"), "noise from a scorer"),
    (("validate", "--with-plugins", "--format", "json"), "noise from a validator"),
    (("remind", "--format", "json", "--today", "2026-01-01"), "noise from a rule"),
], ids=["export", "plugins", "score", "validate", "remind"])
def test_plugin_output_never_reaches_machine_output(argv, hook_noise, ws, tmp_path):
    # A real process: output of a child process or written to fd 1 is only caught at the fd level.
    import subprocess
    import sys

    before = with_plugin(ws, "printer", PRINTER)
    done = subprocess.run([sys.executable, "-m", "diasporatrack", "--root", str(ws), *argv],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    json.loads(done.stdout)  # stdout is exactly the JSON document
    assert "noise" not in done.stdout
    for noise in ("noise at import", "noise through fd 1", "noise from a child process", hook_noise):
        assert noise in done.stderr
    assert snapshot(ws) == before


def test_a_listener_printing_during_update_goes_to_stderr(ws, cli):
    with_plugin(ws, "printer", PRINTER)
    result = cli("--root", "ws", "update", "rep-forum", "--note", "x")
    assert result.code == 0
    assert "noise from a listener" in result.err and "noise" not in result.out


# --- extractors (register_extractors) -----------------------------------------------------------

EXTRACTOR = HEAD + """\
import sys


class Odd:
    name = "odd"
    description = "misbehaves"

    def extract(self, text):
        print("noise from an extractor")
        BODY
        return []


@hookimpl
def register_extractors():
    return [Odd()]
"""


@pytest.mark.parametrize("statement", [*EXITS, "raise RuntimeError('boom')"])
def test_extractor_that_fails_or_exits(statement, ws, cli, tmp_path):
    before = with_plugin(ws, "odd", EXTRACTOR.replace("BODY", statement))
    (tmp_path / "doc.txt").write_text("The government should act.\n")
    result = cli("--root", "ws", "extract", "doc.txt", "--source", "doc", "--extractor", "odd", "--format", "json")
    assert (result.code, result.out) == (2, "")
    shown = EXITS.get(statement, "RuntimeError: boom")
    assert result.err.startswith("noise from an extractor\n")  # printed, on stderr
    assert result.err.split("\n", 1)[1].startswith(f"diasporatrack: error: plugin 'odd' failed in extractor 'odd': "
                                                   f"{shown} (")
    assert result.err.endswith("ws/odd.py:12)\n") and result.err.count("\n") == 2
    assert snapshot(ws) == before


def test_an_extractor_that_prints_keeps_json_valid(ws, cli, tmp_path):
    with_plugin(ws, "odd", EXTRACTOR.replace("BODY", "pass"))
    (tmp_path / "doc.txt").write_text("The government should act.\n")
    result = cli("--root", "ws", "extract", "doc.txt", "--source", "doc", "--extractor", "odd", "--format", "json")
    assert result.code == 0 and json.loads(result.out)["candidates"] == []
    assert result.err == "noise from an extractor\n"
