"""The CLI's shape: one module per group of commands, noun groups with the same verbs."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from diasporatrack import cli as cli_package
from diasporatrack.cli import BUILTIN_COMMANDS, GROUPS, build_parser


def test_every_builtin_command_lives_in_the_module_of_its_group():
    parser = build_parser(None)
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) == BUILTIN_COMMANDS
    for group in GROUPS:
        for name in group.COMMANDS:
            func = sub.choices[name].get_default("func")
            nested = [a for a in sub.choices[name]._actions if isinstance(a, argparse._SubParsersAction)]
            funcs = [func] if func else [p.get_default("func") for p in nested[0].choices.values()]
            assert all(f.__module__ == group.__name__ for f in funcs), name


def test_cli_modules_stay_small():
    folder = Path(cli_package.__file__).parent
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in folder.glob("*.py")}
    assert max(sizes.values()) <= 400, sizes


def test_source_list_and_show(ws, cli):
    listed = json.loads(cli("--root", "ws", "source", "list", "--format", "json").out)
    assert [(s["id"], s["recommendations"]) for s in listed] == [("report-2025", 3)]
    shown = cli("source", "show", "rep", "--root", "ws")
    assert shown.code == 0 and "title:           A report" in shown.out
    assert cli("--root", "ws", "sources", "rep").out == shown.out  # the older spelling
    missing = cli("--root", "ws", "source", "show", "nope")
    assert missing.code == 2 and missing.err.startswith("diasporatrack: error:") and "nope" in missing.err


def test_owner_list_counts_expert_groups_under_their_organisation(ws, cli):
    owners = {o["id"]: o for o in json.loads(cli("--root", "ws", "owner", "list", "--format", "json").out)}
    assert owners["org"]["recommendations"] == 1
    assert owners["org"]["recommendations_with_groups"] == 2  # rep-health itself, rep-education via edu
    assert owners["edu"]["parent"] == "org" and owners["health"]["recommendations"] == 0
    table = cli("--root", "ws", "owner", "list").out
    assert table.splitlines()[0].split() == ["ID", "KIND", "PARENT", "RECS", "WITH", "GROUPS", "NAME"]


def test_owner_show(ws, cli):
    shown = json.loads(cli("--root", "ws", "owner", "show", "org", "--format", "json").out)
    assert shown["groups"] == ["edu", "health"]
    assert shown["recommendations"] == ["rep-education", "rep-health"]
    text = cli("--root", "ws", "owner", "show", "ed").out
    assert "Education Expert Group" in text and "rep-education" in text


@pytest.mark.parametrize("argv", [["source"], ["owner"], ["owner", "fly"]])
def test_a_noun_without_a_known_verb_is_a_usage_error(ws, cli, argv):
    result = cli("--root", "ws", *argv)
    assert result.code == 2 and "usage:" in result.err and result.out == ""
