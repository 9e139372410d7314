"""The plugin platform: discovery, hooks, clashes, and plugins that misbehave."""

from __future__ import annotations

import json
import types

import pytest

from conftest import trust, write
from diasporatrack import Tracker, hookimpl
from diasporatrack.plugins import PluginError, Plugins
from diasporatrack.protocols import Score, Term


class Exporter:
    def __init__(self, name: str = "shout") -> None:
        self.name = name
        self.extension = "txt"
        self.description = "titles in capitals"

    def export(self, tracker, recommendations):
        return "\n".join(r.title.upper() for r in recommendations) + "\n"


def plugin(**hooks) -> types.SimpleNamespace:
    """A plugin object whose hooks are the given functions, marked @hookimpl."""
    namespace = types.SimpleNamespace(**{name: hookimpl(fn) for name, fn in hooks.items()})
    namespace.__name__ = "test-plugin"
    return namespace


def test_builtins_are_ordinary_plugins(ws, cli):
    described = json.loads(cli("--root", "ws", "plugins", "--format", "json").out)
    by_name = {p["name"]: p for p in described}
    assert by_name["builtin.html"]["origin"] == "builtin"
    assert by_name["builtin.html"]["registers"] == {"exporters": ["html"]}
    assert by_name["builtin.scorers"]["registers"] == {"scorers": ["impact", "progress", "urgency"]}
    exporters = sorted(e for p in described for e in p["registers"].get("exporters", []))
    assert {"csv", "html", "ics", "json", "markdown"} <= set(exporters)


def test_plugin_object_passed_to_open(ws):
    tracker = Tracker.open(ws, plugins=[plugin(register_exporters=lambda: [Exporter()])])
    assert tracker.export("shout", [tracker.get("rep-forum")]) == "CREATE A FORUM\n"
    # Nothing leaks into the next tracker.
    with pytest.raises(PluginError, match="unknown exporter 'shout'"):
        Tracker.open(ws).export("shout")


def test_two_plugins_claiming_one_name_is_an_error_naming_both(ws):
    first = plugin(register_exporters=lambda: [Exporter("json")])
    tracker = Tracker.open(ws, plugins=[first])
    with pytest.raises(PluginError) as info:
        tracker.export("json")
    assert str(info.value) == "exporter 'json' is registered by two plugins: 'builtin.json' and 'test-plugin'"


def test_unknown_hook_name_is_an_error(ws):
    typo = plugin(register_exporter=lambda: [Exporter()])
    with pytest.raises(PluginError, match="plugin 'test-plugin' implements unknown hook 'register_exporter' "
                                          r"\(did you mean 'register_exporters'\?\)"):
        Tracker.open(ws, plugins=[typo]).plugins


def test_hook_that_raises_names_plugin_and_hook(ws, cli, tmp_path):
    def boom():
        raise RuntimeError("kaput")

    tracker = Tracker.open(ws, plugins=[plugin(register_exporters=boom)])
    with pytest.raises(PluginError, match=r"plugin 'test-plugin' failed in register_exporters: RuntimeError: kaput"):
        tracker.export("json")


def test_wrong_type_returned(ws):
    tracker = Tracker.open(ws, plugins=[plugin(register_scorers=lambda: ["not a scorer"])])
    with pytest.raises(PluginError, match="returned 'not a scorer' from register_scorers, which is not a scorer"):
        tracker.score("urgency")


def test_validate_recommendation_problems_are_located(ws, cli):
    def check(recommendation, tracker):
        return [] if recommendation.quote else ["has no quote"]

    tracker = Tracker.open(ws, plugins=[plugin(validate_recommendation=check)])
    messages = [str(p) for p in tracker.check()]
    assert messages == [
        "ws/report.yaml:16: rep-education: has no quote [test-plugin]",
        "ws/report.yaml:23: rep-forum: has no quote [test-plugin]",
    ]


def test_on_event_runs_after_the_event_is_stored(ws):
    seen = []

    def listener(tracker, event):
        stored = (tracker.root / "journal.jsonl").read_text()
        seen.append((event.status, event.id in stored))

    tracker = Tracker.open(ws, plugins=[plugin(on_event=listener)])
    tracker.update("rep-forum", status="accepted")
    assert seen == [("accepted", True)]


def test_failing_listener_keeps_the_event(ws):
    def listener(tracker, event):
        raise ValueError("listener broke")

    tracker = Tracker.open(ws, plugins=[plugin(on_event=listener)])
    with pytest.raises(PluginError, match=r"plugin 'test-plugin' failed in on_event: ValueError: listener broke"):
        tracker.update("rep-forum", status="accepted")
    assert Tracker.open(ws).get("rep-forum").status == "accepted"


def test_local_plugin_file_commands_and_disable(ws, cli):
    write(ws / "local" / "hello.py", """\
        from diasporatrack import hookimpl

        def run(args):
            print("hello from", args.root)
            return 0

        @hookimpl
        def register_commands(subparsers):
            parser = subparsers.add_parser("hello", help="say hello")
            parser.set_defaults(func=run)
        """)
    write(ws / "diasporatrack.yaml", "plugins: [local/hello.py]\ndisable: [builtin.html]\n")
    trust(ws / "local" / "hello.py")
    assert "say hello" in cli("--root", "ws", "--help").out
    result = cli("--root", "ws", "hello")
    assert (result.code, result.out) == (0, "hello from ws\n")
    described = {p["name"]: p for p in json.loads(cli("--root", "ws", "plugins", "--format", "json").out)}
    assert described["hello"]["origin"] == "file" and described["hello"]["hooks"] == ["register_commands"]
    assert "builtin.html" not in described
    result = cli("--root", "ws", "export", "html")
    assert result.code == 2
    # Installed example plugins may add formats after these; html is gone.
    assert result.err.startswith("diasporatrack: error: unknown exporter 'html'; available: csv, ics, json, markdown")
    assert "html," not in result.err.split("available:")[1]


def test_broken_local_plugin_file_is_a_located_one_line_error(ws, cli):
    write(ws / "bad.py", "from diasporatrack import hookimpl\n\ndef oops(:\n")
    write(ws / "diasporatrack.yaml", "plugins: [bad.py]\n")
    trust(ws / "bad.py")
    assert cli("--root", "ws", "list").code == 0  # reading commands start without plugins
    result = cli("--root", "ws", "export", "json")
    assert result.code == 2
    assert result.err.startswith("diasporatrack: error: plugin 'bad' failed to load: SyntaxError:")
    assert "bad.py:3)" in result.err and result.err.count("\n") == 1
    write(ws / "bad.py", "raise ImportError('needs a library that is not installed')\n")
    trust(ws / "bad.py")
    result = cli("--root", "ws", "plugins")
    assert "plugin 'bad' failed to load: ImportError: needs a library that is not installed" in result.err
    assert "bad.py:1)" in result.err
    write(ws / "diasporatrack.yaml", "plugins: [missing.py]\n")
    assert "plugin file ws/missing.py (named in diasporatrack.yaml) does not exist" in cli(
        "--root", "ws", "update", "rep-forum", "--note", "x").err
    assert not (ws / "journal.jsonl").exists() or "rep-forum" not in (ws / "journal.jsonl").read_text()


def test_failing_exporter_writes_nothing(ws, cli, tmp_path):
    class Broken(Exporter):
        def export(self, tracker, recommendations):
            raise KeyError("missing")

    target = tmp_path / "out.txt"
    target.write_text("previous export\n")
    tracker = Tracker.open(ws, plugins=[plugin(register_exporters=lambda: [Broken("broken")])])
    with pytest.raises(PluginError, match="plugin 'test-plugin' failed in exporter 'broken': KeyError"):
        tracker.export("broken")
    assert target.read_text() == "previous export\n"


def test_scores_explain_themselves(ws, cli):
    cli("--root", "ws", "update", "rep-education", "--status", "stalled", "--force")
    result = cli("--root", "ws", "score", "--explain", "rep-edu", "--today", "2025-06-25", "--format", "json")
    data = json.loads(result.out)
    terms = {t["name"]: t["value"] for t in data["terms"]}
    assert terms["stalled"] == 5.0
    assert terms["due_soon"] == pytest.approx(8 * (1 - 5 / 15))
    assert data["score"] == pytest.approx(sum(terms.values()))
    ranked = json.loads(cli("--root", "ws", "score", "--today", "2025-07-01", "--format", "json").out)
    assert ranked[0]["id"] == "rep-education"  # overdue and stalled
    listed = json.loads(cli("--root", "ws", "list", "--sort", "score:urgency", "--format", "json").out)
    assert listed[0]["id"] == "rep-education"


def test_urgency_coefficients_from_config(ws, cli):
    write(ws / "diasporatrack.yaml", "urgency: {unowned: 10}\n")
    data = json.loads(cli("--root", "ws", "score", "--explain", "rep-forum", "--today", "2025-01-20",
                          "--format", "json").out)
    assert data["terms"] == [{"name": "unowned", "value": 10.0, "reason": "nobody owns it"}]
    write(ws / "diasporatrack.yaml", "urgency: {unowned_x: 10}\n")
    result = cli("--root", "ws", "score")
    assert result.code == 2 and "urgency: unknown coefficient 'unowned_x'" in result.err


def test_score_value_type():
    score = Score.from_terms([Term("a", 1.5, "x"), Term("b", 2, "y")])
    assert score.value == 3.5
    assert "total" in score.explain()


def test_plugins_manager_without_workspace():
    plugins = Plugins()
    assert "json" in plugins.exporters


def test_disable_names_must_exist_and_settings_must_be_lists(ws, cli):
    write(ws / "diasporatrack.yaml", "disable: [builtin.htm]\n")
    result = cli("--root", "ws", "validate")
    assert result.code == 2 and "disable: no plugin is named 'builtin.htm'" in result.err
    write(ws / "diasporatrack.yaml", "plugins: local/one.py\n")
    result = cli("--root", "ws", "list")
    assert result.code == 2
    assert result.err == ("diasporatrack: ws/diasporatrack.yaml:1: plugins: expected a list such as [a, b], "
                          "got the text 'local/one.py'\n")


def test_a_plugin_both_installed_and_passed_is_registered_once(ws):
    from diasporatrack.builtin import json_exporter

    tracker = Tracker.open(ws, plugins=[json_exporter])
    assert "json" in tracker.plugins.exporters


def test_a_plugin_file_may_use_dataclasses_with_postponed_annotations(ws, cli):
    # Such classes look their module up in sys.modules: a plugin file is registered there like an import.
    write(ws / "dc.py", """\
        from __future__ import annotations

        import dataclasses
        from typing import ClassVar

        from diasporatrack import hookimpl


        @dataclasses.dataclass
        class Plain:
            name: ClassVar[str] = "plain"
            extension: ClassVar[str] = "txt"
            description: ClassVar[str] = "ids, one a line"

            def export(self, tracker, recommendations):
                return "".join(r.id + "\\n" for r in recommendations)


        @hookimpl
        def register_exporters():
            return [Plain()]
        """)
    write(ws / "diasporatrack.yaml", "plugins: [dc.py]\n")
    trust(ws / "dc.py")
    result = cli("--root", "ws", "export", "plain")
    assert (result.code, result.out, result.err) == (0, "rep-education\nrep-forum\nrep-health\n", "")
