"""Every Python example in docs/library.md runs, and prints what its comments say.

A line ``print(ARGS)  # TEXT`` in the page is checked against what print would write;
every other line runs as written.
"""

from __future__ import annotations

import re

import pytest

from conftest import REPO

PAGE = REPO / "docs" / "library.md"
BLOCKS = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.S)
PRINT_WITH_EXPECTATION = re.compile(r"^(\s*)print\((.*)\)\s+#\s(.+)$")


def checked(source: str) -> str:
    lines = []
    for line in source.splitlines():
        match = PRINT_WITH_EXPECTATION.match(line)
        if match:
            indent, expr, expected = match.groups()
            line = f"{indent}_expect(({expr},), {expected.strip()!r})"
        lines.append(line)
    return "\n".join(lines)


def _expect(values: tuple, expected: str) -> None:
    assert " ".join(str(v) for v in values) == expected  # what print() would have written


def test_the_page_has_examples():
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_example_runs(index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DIASPORATRACK_USER", "docs")
    exec(compile(checked(BLOCKS[index]), f"docs/library.md block {index + 1}", "exec"), {"_expect": _expect})
