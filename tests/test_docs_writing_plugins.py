"""docs/writing-plugins.md works when followed word for word.

The test reads the page from top to bottom and does what a reader does, in
the same order, in an empty folder (``tmp_path``):

- A fenced block whose info string has ``file=PATH`` (``python file=...``,
  ``yaml file=...``, ``toml file=...``) is written to ``tmp_path / PATH``,
  replacing what was there (the page shows files in full).
- A ``console`` block holds commands (lines starting with ``$ ``), each
  followed by the output the page shows for it. Each command runs with bash
  in ``tmp_path``, with ``DIASPORATRACK_USER=tutorial``, without
  ``DIASPORATRACK_ROOT``, and with this Python's ``bin`` folder first on
  ``PATH`` (so ``python``, ``pip`` and ``diasporatrack`` are the ones under
  test). It must exit with 0, or with N when the info string says
  ``console exit=N``.

Output is compared simply, so that the page can shorten it:

- the shown lines must appear in the actual output (stdout and stderr
  together), in the same order, but the actual output may have more lines
  between and around them;
- whitespace runs count as one space, so a table whose columns are wider
  (another plugin installed on the machine) still matches; the ``-----``
  rule lines under table headers are not compared;
- ``...`` in a shown line stands for any text (a folder, a duration): a line
  that is just ``...`` says that lines were left out, and matches anything.

The page installs a package with ``pip install -e`` (with build isolation,
as a reader would: pip fetches setuptools from the package index) and
uninstalls it at the end; the ``finally`` block uninstalls it again in case
the test stopped half-way, so the environment is left as it was.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "writing-plugins.md"
PACKAGE = "diasporatrack-myplugin"
FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def blocks(text: str) -> list[tuple[str, dict[str, str], str]]:
    """``(language, {key: value}, body)`` for every fenced block, in order."""
    found = []
    for match in FENCE.finditer(text):
        words = match.group("info").split()
        language = words[0] if words else ""
        options = dict(word.split("=", 1) for word in words[1:] if "=" in word)
        found.append((language, options, match.group("body")))
    return found


def commands(body: str) -> list[tuple[str, list[str]]]:
    """The ``$ `` commands of a console block, each with the output lines shown after it."""
    steps: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
        else:
            raise AssertionError(f"console block starts with output, not a command: {line!r}")
    return steps


def _normal(line: str) -> str:
    return " ".join(line.split())


def _pattern(shown: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in _normal(shown).split("...")) + r"\Z")


def missing_lines(shown: list[str], actual: str) -> list[str]:
    """Shown lines that do not appear, in order, in ``actual`` (empty: all found)."""
    lines = [_normal(line) for line in actual.splitlines()]
    position = 0
    for index, line in enumerate(shown):
        if not line.strip() or set(line.strip()) <= {"-", " "}:
            continue
        pattern = _pattern(line)
        while position < len(lines) and not pattern.match(lines[position]):
            position += 1
        if position == len(lines):
            return shown[index:]
        position += 1
    return []


def test_matching_rules() -> None:
    actual = "Looking in indexes\nID   NAME\n---  ----\nab   Long  title\nrun in 0.12s\n"
    assert missing_lines(["ID NAME", "-----", "ab Long title", "run in ...s"], actual) == []
    assert missing_lines(["...", "ab Long title"], actual) == []
    assert missing_lines(["ab Long title", "ID NAME"], actual) == ["ID NAME"]
    assert missing_lines(["ab Short title"], actual) == ["ab Short title"]


def test_writing_plugins_page(tmp_path: Path) -> None:
    env = dict(os.environ)
    env.pop("DIASPORATRACK_ROOT", None)
    env.update(
        DIASPORATRACK_USER="tutorial",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    ran = written = 0
    try:
        for language, options, body in blocks(DOC.read_text(encoding="utf-8")):
            if "file" in options:
                path = tmp_path / options["file"]
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(body, encoding="utf-8")
                written += 1
            elif language == "console":
                expected_code = int(options.get("exit", "0"))
                for command, shown in commands(body):
                    done = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True,
                                          text=True, timeout=120)
                    output = done.stdout + done.stderr
                    report = f"$ {command}\n(exit {done.returncode})\n{output}"
                    assert done.returncode == expected_code, f"expected exit {expected_code}:\n{report}"
                    missing = missing_lines(shown, output)
                    assert not missing, f"not in the output: {missing[0]!r}\n{report}"
                    ran += 1
    finally:
        subprocess.run([sys.executable, "-m", "pip", "uninstall", "-y", "-q", PACKAGE], env=env,
                       capture_output=True)
    assert written >= 10 and ran >= 15, (written, ran)
