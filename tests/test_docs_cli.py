"""docs/cli.md tells the truth about the parser."""

from __future__ import annotations

from conftest import REPO
from diasporatrack.clidoc import BEGIN, END, reference


def test_cli_reference_is_up_to_date():
    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    documented = text[text.index(BEGIN) + len(BEGIN): text.index(END)].strip()
    assert documented == reference().strip(), "run: python -m diasporatrack.clidoc docs/cli.md"


def test_every_command_has_a_section():
    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    for command in ("init", "list", "show", "update", "history", "stats", "validate", "statuses",
                    "source list", "source show", "owner list", "owner show", "export", "score", "remind", "plugins"):
        assert f"### `{command}" in text
