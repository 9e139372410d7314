"""Tab completion: the scripts print, and a shell's request gets the workspace's own words."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def complete(ws_parent, line: str) -> list[str]:
    """What the shell would be offered for ``line`` (argcomplete's protocol: answer on fd 8)."""
    out = ws_parent / "completions.txt"
    env = {**os.environ, "_ARGCOMPLETE": "1", "_ARGCOMPLETE_IFS": "\n", "COMP_LINE": line,
           "COMP_POINT": str(len(line)), "COMP_TYPE": "9"}
    env.pop("DIASPORATRACK_ROOT", None)
    script = f'"{sys.executable}" -m diasporatrack 8>"{out}" 9>/dev/null'
    subprocess.run(["bash", "-c", script], cwd=ws_parent, env=env, check=False, timeout=60)
    return [word.strip() for word in out.read_text().split("\n") if word.strip()]


@pytest.mark.parametrize("shell, marker", [("bash", "complete "), ("zsh", "#compdef diasporatrack"),
                                           ("fish", "complete --command diasporatrack")])
def test_completion_prints_a_script_for_each_shell(cli, shell, marker):
    result = cli("completion", shell)
    assert result.code == 0 and marker in result.out


def test_an_unknown_shell_is_a_usage_error(cli):
    result = cli("completion", "powershell")
    assert result.code == 2 and "invalid choice" in result.err


def test_completing_ids_statuses_owners_and_commands(ws):
    parent = ws.parent
    assert complete(parent, "diasporatrack --root ws show rep-") == ["rep-education", "rep-forum", "rep-health"]
    assert complete(parent, "diasporatrack --root ws update rep-health --status in") == ["in-progress"]
    assert complete(parent, "diasporatrack --root ws list --owner e") == ["edu"]
    assert complete(parent, "diasporatrack --root ws owner show h") == ["health"]
    assert complete(parent, "diasporatrack sou") == ["source", "sources"]
    assert "list" in complete(parent, "diasporatrack source ")


def test_completing_outside_a_workspace_offers_nothing_and_prints_no_error(tmp_path):
    assert complete(tmp_path, "diasporatrack show rep") == []
