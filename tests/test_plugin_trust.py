"""Code named by data: a workspace's plugin files run only once trusted; switches turn plugins off.

Every hostile case asserts the message, the exit code, that the plugin's code
did not run (a marker file it would create does not exist) and the SHA-256 of
every workspace file before and after.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import trust, write
from diasporatrack import Tracker
from diasporatrack.trust import store_path
from test_plugin_misbehaviour import snapshot

HOSTILE = """\
from pathlib import Path
Path({marker!r}).write_text("ran")

from diasporatrack import hookimpl


class Shout:
    name = "shout"
    extension = "txt"
    description = "titles in capitals"

    def export(self, tracker, recommendations):
        return "".join(r.title.upper() + "\\n" for r in recommendations)


@hookimpl
def register_exporters():
    return [Shout()]


@hookimpl
def validate_recommendation(recommendation, tracker):
    return ["seen by the plugin"]
"""


@pytest.fixture
def hostile(ws: Path, tmp_path: Path) -> Path:
    """A workspace whose settings name a plugin file that leaves a marker when it runs."""
    marker = tmp_path / "marker"
    write(ws / "local" / "evil.py", HOSTILE.format(marker=str(marker)))
    write(ws / "diasporatrack.yaml", "plugins: [local/evil.py]\n")
    return marker


UNTRUSTED = ("diasporatrack: warning: not running plugin file ws/local/evil.py (not trusted); "
             "review it, then run: diasporatrack trust --root ws\n")
BUILTIN_FORMATS = "csv, html, ics, json, markdown, site, sqlite"


@pytest.mark.parametrize("argv", [("export", "json"), ("plugins",), ("--help",), ("score",),
                                  ("remind", "--dry-run"), ("update", "rep-forum", "--note", "x")])
def test_an_untrusted_plugin_file_never_runs(argv, ws, hostile, cli):
    before = {k: v for k, v in snapshot(ws).items()}
    result = cli("--root", "ws", *argv)
    assert not hostile.exists()
    assert result.code == 0, result
    assert result.err.startswith(UNTRUSTED)
    assert result.err.count("not running plugin file") == 1  # one line, however often plugins load
    after = snapshot(ws)
    if argv[0] == "update":
        assert set(after) == set(before) | {"journal.jsonl"}
        after.pop("journal.jsonl")
    assert after == before
    assert not store_path().exists()  # nothing is trusted by running commands


def test_untrusted_plugin_file_the_library_warns_and_goes_on(ws, hostile):
    from diasporatrack.plugins import UntrustedPluginWarning

    with pytest.warns(UntrustedPluginWarning, match="not running plugin file .*evil.py"):
        names = Tracker.open(ws).plugins.exporters.names()
    assert "shout" not in names and "json" in names
    assert not hostile.exists()


def test_an_untrusted_plugin_command_is_unknown(ws, hostile, cli):
    result = cli("--root", "ws", "shout")
    assert result.code == 2 and not hostile.exists()
    assert result.err.startswith(UNTRUSTED)


def test_trust_then_it_runs_and_a_change_needs_trust_again(ws, hostile, cli):
    result = cli("--root", "ws", "trust")
    digest = __import__("hashlib").sha256((ws / "local" / "evil.py").read_bytes()).hexdigest()
    assert (result.code, result.err) == (0, "")
    assert result.out == f"trusted: ws/local/evil.py (sha256 {digest[:12]})\n"
    assert cli("--root", "ws", "trust").out == f"already trusted: ws/local/evil.py (sha256 {digest[:12]})\n"
    stored = json.loads(store_path().read_text())
    assert stored["files"] == {str((ws / "local" / "evil.py").resolve()): {
        "sha256": digest, "trusted_at": stored["files"][str((ws / "local" / "evil.py").resolve())]["trusted_at"]}}
    assert not list(ws.rglob("trusted*")), "trust is never written into the workspace"
    result = cli("--root", "ws", "export", "shout")
    assert (result.code, result.out, result.err) == (0, "INVEST IN EDUCATION\nCREATE A FORUM\n"
                                                        "FORM A HEALTHCARE GROUP\n", "")  # sorted by id
    assert hostile.exists()
    hostile.unlink()
    # One byte changed (a git pull, a colleague's edit): not run until trusted again.
    path = ws / "local" / "evil.py"
    path.write_text(path.read_text().replace("capitals", "capitals!"))
    before = snapshot(ws)
    result = cli("--root", "ws", "export", "shout")
    assert result.code == 2 and not hostile.exists()
    assert result.err == (
        "diasporatrack: warning: not running plugin file ws/local/evil.py (changed since it was trusted); "
        "review it, then run: diasporatrack trust --root ws\n"
        f"diasporatrack: error: unknown exporter 'shout'; available: {BUILTIN_FORMATS}\n")
    assert snapshot(ws) == before


def test_trust_list_and_revoke(ws, hostile, cli):
    assert cli("trust", "--list").out.startswith("no plugin file is trusted")
    cli("--root", "ws", "trust")
    listed = json.loads(cli("trust", "--list", "--format", "json").out)
    assert [(e["path"], e["state"]) for e in listed] == [(str((ws / "local" / "evil.py").resolve()), "ok")]
    (ws / "local" / "evil.py").write_text("# changed\n")
    assert json.loads(cli("trust", "--list", "--format", "json").out)[0]["state"] == "changed"
    (ws / "local" / "evil.py").unlink()
    assert json.loads(cli("trust", "--list", "--format", "json").out)[0]["state"] == "missing"
    result = cli("--root", "ws", "trust", "--revoke")
    assert (result.code, result.out) == (0, "revoked: ws/local/evil.py\n")
    assert json.loads(cli("trust", "--list", "--format", "json").out) == []
    assert cli("--root", "ws", "trust", "--revoke").out == "was not trusted: ws/local/evil.py\n"


def test_a_damaged_trust_store_trusts_nothing_and_says_so(ws, hostile, cli):
    store_path().parent.mkdir(parents=True)
    store_path().write_text("{not json")
    before = snapshot(ws)
    result = cli("--root", "ws", "export", "json")
    assert result.code == 0 and not hostile.exists()
    assert result.err.startswith("diasporatrack: warning: not running plugin file ws/local/evil.py (")
    assert "the trust store is damaged" in result.err and result.err.count("\n") == 1
    assert snapshot(ws) == before
    result = cli("--root", "ws", "trust")
    assert result.code == 2 and "the trust store is damaged (JSONDecodeError)" in result.err
    assert store_path().read_text() == "{not json"  # not overwritten: the user decides


def test_a_relative_xdg_config_home_is_ignored(ws, hostile, cli, monkeypatch, tmp_path):
    # A workspace cannot plant its own trust store through a relative XDG_CONFIG_HOME.
    write(ws / "diasporatrack" / "trusted.json", json.dumps({"version": 1, "files": {
        str((ws / "local" / "evil.py").resolve()): {"sha256": __import__("hashlib").sha256(
            (ws / "local" / "evil.py").read_bytes()).hexdigest()}}}))
    monkeypatch.chdir(ws)
    monkeypatch.setenv("XDG_CONFIG_HOME", ".")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    result = cli("export", "json")
    assert result.code == 0 and not hostile.exists()
    assert "not running plugin file" in result.err


def test_trust_refuses_special_files(ws, cli):
    os.mkfifo(ws / "fifo.py")
    write(ws / "diasporatrack.yaml", "plugins: [fifo.py]\n")
    result = cli("--root", "ws", "trust")
    assert (result.code, result.out) == (2, "")
    assert result.err == "diasporatrack: error: plugin file ws/fifo.py is not a regular file\n"
    result = cli("--root", "ws", "export", "json")
    assert result.code == 2
    assert result.err == ("diasporatrack: error: plugin file ws/fifo.py is not a regular file "
                          "(named in diasporatrack.yaml)\n")


def test_validate_runs_plugin_files_only_with_with_plugins(ws, hostile, cli):
    trust(ws / "local" / "evil.py")
    before = snapshot(ws)
    result = cli("--root", "ws", "validate")
    assert result.code == 0 and not hostile.exists()
    assert result.err == ("diasporatrack: note: validate did not run the 1 plugin file named in "
                          "diasporatrack.yaml; validate --with-plugins runs the trusted ones\n")
    result = cli("--root", "ws", "validate", "--with-plugins")
    assert result.code == 1 and hostile.exists()
    assert result.out.count("seen by the plugin [evil]") == 3
    assert snapshot(ws) == before


def test_validate_with_plugins_still_needs_trust(ws, hostile, cli):
    result = cli("--root", "ws", "validate", "--with-plugins")
    assert result.code == 0 and not hostile.exists()
    assert result.err.startswith(UNTRUSTED)


def test_the_environment_trusts_plugin_files_explicitly(ws, hostile, cli, monkeypatch):
    monkeypatch.setenv("DIASPORATRACK_TRUST_LOCAL_PLUGINS", "1")
    assert cli("--root", "ws", "validate").code == 0 and not hostile.exists()  # still only when asked
    result = cli("--root", "ws", "validate", "--with-plugins")
    assert result.code == 1 and hostile.exists() and "seen by the plugin [evil]" in result.out
    assert not store_path().exists()
    monkeypatch.setenv("DIASPORATRACK_TRUST_LOCAL_PLUGINS", "0")
    hostile.unlink()
    assert cli("--root", "ws", "validate", "--with-plugins").code == 0 and not hostile.exists()


# --- the switch: --no-plugins and DIASPORATRACK_NO_PLUGINS -----------------------------------------


@pytest.mark.parametrize("how", ["flag", "env"])
def test_no_plugins_turns_plugin_files_off_and_keeps_builtins(how, ws, hostile, cli, monkeypatch):
    trust(ws / "local" / "evil.py")
    before = snapshot(ws)
    argv = ["--root", "ws", "plugins", "--format", "json"]
    if how == "flag":
        argv.insert(0, "--no-plugins")
    else:
        monkeypatch.setenv("DIASPORATRACK_NO_PLUGINS", "1")
    result = cli(*argv)
    assert (result.code, result.err) == (0, "")
    assert {p["origin"] for p in json.loads(result.out)} == {"builtin"}
    assert not hostile.exists()
    assert snapshot(ws) == before
    # The switch lasts for the run, not longer.
    if how == "flag":
        assert cli("--root", "ws", "export", "shout").code == 0 and hostile.exists()


def test_disable_may_name_a_plugin_that_the_switch_turned_off(ws, hostile, cli):
    write(ws / "diasporatrack.yaml", "plugins: [local/evil.py]\ndisable: [evil]\n")
    assert cli("--no-plugins", "--root", "ws", "export", "json").code == 0
    assert not hostile.exists()


def test_the_switch_is_a_way_out_of_a_missing_plugin_file(ws, cli):
    write(ws / "diasporatrack.yaml", "plugins: [gone.py]\n")
    result = cli("--root", "ws", "export", "json")
    assert result.code == 2 and "plugin file ws/gone.py (named in diasporatrack.yaml) does not exist" in result.err
    result = cli("--no-plugins", "--root", "ws", "export", "json")
    assert (result.code, result.err) == (0, "") and json.loads(result.out)


# --- a broken installed plugin ----------------------------------------------------------------


def _installed(site: Path, name: str, code: str) -> Path:
    """A distribution with one entry point in the group diasporatrack, as pip would leave it."""
    write(site / f"{name}.py", code)
    info = site / f"{name}-0.1.dist-info"
    write(info / "METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    write(info / "entry_points.txt", f"[diasporatrack]\n{name} = {name}\n")
    return site


@pytest.fixture
def broken_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = _installed(tmp_path / "site", "dt_broken_plugin", "raise RuntimeError('broken on import')\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("DIASPORATRACK_LOAD_PLUGINS", "dt_broken_plugin")
    return site


def test_a_broken_installed_plugin_leaves_help_and_version_working(ws, broken_installed, cli):
    result = cli("--version")
    assert result.code == 0 and result.out.startswith("diasporatrack ") and result.err == ""
    result = cli("--help")
    assert result.code == 0 and "validate" in result.out
    assert result.err.startswith("diasporatrack: warning: plugin 'dt_broken_plugin' failed to load: "
                                 "RuntimeError: broken on import (")
    assert result.err.endswith("; plugin commands are not listed (--no-plugins hides this)\n")
    before = snapshot(ws)
    result = cli("--root", "ws", "export", "json")
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("diasporatrack: error: plugin 'dt_broken_plugin' failed to load: RuntimeError")
    result = cli("--no-plugins", "--root", "ws", "export", "json")
    assert (result.code, result.err) == (0, "")
    assert len(json.loads(result.out)["recommendations"]) == 3
    assert snapshot(ws) == before


def test_a_broken_installed_plugin_in_a_real_process(ws, broken_installed):
    env = {**os.environ, "PYTHONPATH": str(broken_installed)}
    run = [sys.executable, "-m", "diasporatrack"]
    for argv, code in ((["--version"], 0), (["--help"], 0), (["--root", str(ws), "export", "json"], 2),
                       (["--root", str(ws), "--no-plugins", "export", "json"], 0)):
        done = subprocess.run(run + argv, capture_output=True, text=True, env=env, timeout=60)
        assert done.returncode == code, (argv, done.stderr)
        assert "Traceback" not in done.stderr
    done = subprocess.run(run + ["--root", str(ws), "export", "json"], capture_output=True, text=True,
                          env={**env, "DIASPORATRACK_NO_PLUGINS": "1"}, timeout=60)
    assert done.returncode == 0 and json.loads(done.stdout)


def test_load_plugins_limits_installed_plugins_by_name(ws, tmp_path, cli, monkeypatch):
    site = _installed(tmp_path / "site", "dt_quiet_plugin", "from diasporatrack import hookimpl\n")
    _installed(site, "dt_other_plugin", "raise RuntimeError('not me')\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("DIASPORATRACK_LOAD_PLUGINS", " dt_quiet_plugin ")
    names = {p["name"] for p in json.loads(cli("--root", "ws", "plugins", "--format", "json").out)}
    assert "dt_quiet_plugin" in names and "dt_other_plugin" not in names


def test_the_corpus_plugin_file_never_runs_in_a_real_process(tmp_path):
    # tests/corpus/plugin-file-untrusted: a plugin file that writes MARKER and exits if it ever runs.
    import shutil

    from test_corpus import CORPUS

    shutil.copytree(CORPUS / "plugin-file-untrusted", tmp_path / "ws")
    before = snapshot(tmp_path / "ws")
    for argv in (["export", "json"], ["--help"], ["validate", "--with-plugins"]):  # the rest: in-process above
        done = subprocess.run([sys.executable, "-m", "diasporatrack", "--root", "ws", *argv], cwd=tmp_path,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, (argv, done.stderr)
        assert done.stderr.count("not running plugin file ws/local/evil.py (not trusted)") == 1
        assert not (tmp_path / "MARKER").exists()
    assert snapshot(tmp_path / "ws") == before


def test_completing_in_a_workspace_with_an_untrusted_plugin_runs_nothing_and_says_nothing(ws, hostile, tmp_path):
    # A shell shows stderr in the middle of the command line: the one-line warning stays out of completion.
    line = "diasporatrack sho"
    env = {**os.environ, "_ARGCOMPLETE": "1", "_ARGCOMPLETE_IFS": "\n", "COMP_LINE": line,
           "COMP_POINT": str(len(line)), "COMP_TYPE": "9", "DIASPORATRACK_ROOT": str(ws)}
    out = tmp_path / "completions.txt"
    done = subprocess.run(["bash", "-c", f'"{sys.executable}" -m diasporatrack 8>"{out}" 9>/dev/null'],
                          cwd=ws.parent, env=env, capture_output=True, text=True, timeout=60)
    assert "show" in out.read_text().split()
    assert done.stderr == "" and not hostile.exists()


def test_a_trust_store_that_cannot_be_written_is_one_line(ws, hostile, cli, monkeypatch, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the config folder should be\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocked))
    result = cli("--root", "ws", "trust")
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(f"diasporatrack: error: {blocked}/diasporatrack/trusted.json: cannot write the "
                                 "trust store: ")
    assert result.err.count("\n") == 1
    assert blocked.read_text() == "a file where the config folder should be\n"


def test_a_plugin_file_name_cannot_forge_lines_or_drive_the_terminal(ws, cli, tmp_path):
    name = "evil\x1b]0;owned\x07\ndiasporatrack: all good\u202e.py"
    marker = tmp_path / "marker"
    (ws / name).write_text(HOSTILE.format(marker=str(marker)))
    write(ws / "diasporatrack.yaml", 'plugins: ["evil\\e]0;owned\\a\\ndiasporatrack: all good\\u202e.py"]\n')
    before = snapshot(ws)
    for argv in (("export", "json"), ("trust",)):
        result = cli("--root", "ws", *argv)
        assert result.err.count("\n") <= 1, result.err
        assert not any(c in result.out + result.err for c in "\x1b\x07\u202e"), result
        assert not any(line.startswith("diasporatrack: all good") for line in (result.out + result.err).splitlines())
    assert not marker.exists()
    assert snapshot(ws) == before


def test_broken_metadata_of_an_installed_distribution(ws, cli, monkeypatch):
    import importlib.metadata

    def broken(**kwargs):
        raise ValueError("bad entry_points.txt")

    monkeypatch.setattr(importlib.metadata, "entry_points", broken)
    monkeypatch.setenv("DIASPORATRACK_LOAD_PLUGINS", "anything")
    result = cli("--root", "ws", "export", "json")
    assert (result.code, result.out) == (2, "")
    assert result.err == ("diasporatrack: error: the installed plugins cannot be listed: ValueError: "
                          "bad entry_points.txt\n")
    result = cli("--root", "ws", "--help")
    assert result.code == 0 and "validate" in result.out and result.err.count("\n") == 1
    result = cli("--no-plugins", "--root", "ws", "export", "json")
    assert (result.code, result.err) == (0, "") and json.loads(result.out)
