"""Follow a page of docs/ word for word, as a reader would, and check what it shows.

A page is read from top to bottom. Its fenced blocks are handled by their info
string (the words after the opening fence):

- ``file=PATH`` (``python file=...``, ``yaml file=...``, ``csv file=...``):
  the body is written to ``PATH``, relative to the folder the reader is in
  at that point, replacing what was there (the pages show files in full).
- ``console``: commands (lines starting with ``$ ``), each followed by the
  output the page shows for it. Each command runs with bash, with
  ``DIASPORATRACK_USER=tutorial``, without ``DIASPORATRACK_ROOT``, and with
  this Python's ``bin`` folder first on ``PATH`` (so ``python``, ``pip`` and
  ``diasporatrack`` are the ones under test). It must exit with 0, or with N
  when the info string says ``exit=N``.

  A command with a here document (``cat > f <<'EOF'``) takes the lines up to
  the end word as part of the command. ``cd DIR`` on its own moves the reader
  into ``DIR`` for the rest of the page, as it does in a terminal.
- ``console cwd=repo``: the commands run in the repository's top folder
  (the page says "from the top folder of the clone"). Only read-only
  ``diasporatrack`` commands are allowed there (:func:`is_read_only`), so a test
  can never change the shipped workspace.
- ``console norun``: the commands are not run (they serve a website, install
  another package, need a mail server). :func:`check_parses` checks them:
  every ``diasporatrack`` command must be accepted by the CLI's parser, and
  the whole line must be valid bash.

Output is compared simply, so that the page can shorten it:

- the shown lines must appear in the actual output (stdout and stderr
  together), in the same order, but the actual output may have more lines
  between and around them;
- whitespace runs count as one space, so a table whose columns are wider
  (another plugin installed on the machine) still matches; the ``-----``
  rule lines under table headers are not compared;
- ``...`` in a shown line stands for any text (a folder, a date, a
  duration): a line that is just ``...`` says that lines were left out, and
  matches anything.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
HEREDOC = re.compile(r"<<-?\s*(['\"]?)(?P<word>\w+)\1")
# diasporatrack commands that never write anything: the only ones run in the repository.
READ_ONLY = frozenset({"list", "show", "sources", "statuses", "stats", "history", "validate", "schema", "plugins",
                       "log", "sdgs"})
# Noun groups (`source list`, `owner show`): only their reading verbs.
READ_ONLY_VERBS = frozenset({"list", "show"})
NOUN_GROUPS = frozenset({"source", "owner", "action", "indicator", "user"})


@dataclass
class Block:
    language: str
    options: dict[str, str]  # key=value words; a bare word (norun) maps to ""
    body: str
    line: int  # line of the opening fence, 1-based

    def __str__(self) -> str:
        words = [f"{key}={value}" if value else key for key, value in self.options.items()]
        return f"line {self.line}: ```{' '.join([self.language, *words])}"


def blocks(text: str) -> list[Block]:
    """Every fenced block of a page, in order."""
    found = []
    for match in FENCE.finditer(text):
        words = match.group("info").split()
        options = {}
        for word in words[1:]:
            key, _, value = word.partition("=")
            options[key] = value
        found.append(Block(words[0] if words else "", options, match.group("body"),
                           text.count("\n", 0, match.start()) + 1))
    return found


def commands(body: str) -> list[tuple[str, list[str]]]:
    """The ``$ `` commands of a console block, each with the output lines shown after it."""
    steps: list[tuple[str, list[str]]] = []
    lines = iter(body.splitlines())
    for line in lines:
        if line.startswith("$ "):
            command = line[2:]
            heredoc = HEREDOC.search(command)
            if heredoc:
                for more in lines:
                    command += "\n" + more
                    if more == heredoc.group("word"):
                        break
                else:
                    raise AssertionError(f"here document not closed: {line!r}")
            steps.append((command, []))
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


def reader_env() -> dict[str, str]:
    """The environment of a reader's terminal (DIASPORATRACK_CACHE_DIR, XDG_CONFIG_HOME and
    DIASPORATRACK_LOAD_PLUGINS are kept: the tests' own cache, trusted files and plugin isolation)."""
    env = dict(os.environ)
    env.pop("DIASPORATRACK_ROOT", None)
    env.update(
        DIASPORATRACK_USER="tutorial",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def diasporatrack_argvs(command: str) -> list[list[str]]:
    """The argument lists of the ``diasporatrack`` commands in a shell line (``&&``, ``;``, ``|`` split it)."""
    argvs = []
    words = shlex.split(command, comments=True)
    current: list[str] = []
    redirect_target = False
    for word in words + [";"]:
        if redirect_target:  # the file of `> FILE` is not an argument
            redirect_target = False
            continue
        if re.fullmatch(r"\d*(>>?|<|&>)(&\d)?", word):
            redirect_target = not word.endswith(tuple("0123456789"))
            continue
        if word in {"&&", "||", ";", "|"}:
            # a leading VAR=value (as cron lines write it) is an assignment, not the command
            while current and re.fullmatch(r"[A-Za-z_]\w*=.*", current[0]):
                current.pop(0)
            if current and current[0] == "diasporatrack":
                argvs.append(current[1:])
            current = []
        else:
            current.append(word)
    return argvs


def check_parses(command: str) -> None:
    """A command that is not run: valid bash, and every diasporatrack part accepted by the parser."""
    from diasporatrack.cli import build_parser

    syntax = subprocess.run(["bash", "-n", "-c", command], capture_output=True, text=True)
    assert syntax.returncode == 0, f"not valid bash: {command!r}\n{syntax.stderr}"
    for argv in diasporatrack_argvs(command):
        try:
            args = build_parser(None).parse_args(argv)
        except SystemExit as exit_:
            raise AssertionError(f"the CLI does not accept: diasporatrack {shlex.join(argv)}") from exit_
        assert args.command, f"no command in: diasporatrack {shlex.join(argv)}"


def is_read_only(argv: list[str]) -> bool:
    """Whether ``diasporatrack ARGV`` can write nothing: a read-only command, or ``remind`` on the console only."""
    if not argv:
        return False
    if argv[0] == "remind":
        channels = [argv[i + 1] for i, word in enumerate(argv[:-1]) if word == "--channel"]
        return all(channel == "console" for channel in channels) and not any(
            word.startswith("--channel=") for word in argv)
    if argv[0] in NOUN_GROUPS:
        return len(argv) > 1 and argv[1] in READ_ONLY_VERBS
    return argv[0] in READ_ONLY


def tree_digest(folder: Path) -> str:
    """A digest of every file's path and content under ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass
class Reader:
    """Someone following pages in a terminal: where they are, and what they did."""

    home: Path  # the folder the reader starts in (an empty temporary folder)
    env: dict[str, str] = field(default_factory=reader_env)
    repo: Path = REPO
    cwd: Path | None = None
    ran: int = 0
    written: int = 0
    not_run: int = 0
    timeout: float = 120

    def __post_init__(self) -> None:
        if self.cwd is None:
            self.cwd = self.home

    def follow(self, page: Path) -> Reader:
        """Do every block of ``page``, in order."""
        for block in blocks(page.read_text(encoding="utf-8")):
            where = f"{page.name} {block}"
            if "file" in block.options:
                path = self.cwd / block.options["file"]
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(block.body, encoding="utf-8")
                self.written += 1
            elif block.language == "console":
                self.console(block, where)
        return self

    def console(self, block: Block, where: str) -> None:
        steps = commands(block.body)
        assert steps, f"{where}: a console block without a '$ ' command"
        if "norun" in block.options:
            for command, _shown in steps:
                check_parses(command)
                self.not_run += 1
            return
        in_repo = block.options.get("cwd") == "repo"
        expected_code = int(block.options.get("exit", "0"))
        for command, shown in steps:
            if in_repo:
                argvs = diasporatrack_argvs(command)
                assert argvs and all(is_read_only(argv) for argv in argvs), \
                    f"{where}: only read-only diasporatrack commands may run in the repository: {command!r}"
            move = re.fullmatch(r"cd\s+(\S+)", command.strip())
            if move and not in_repo:
                target = (self.cwd / move.group(1)).resolve()
                assert target.is_dir(), f"{where}: $ {command}: no such folder"
                self.cwd = target
                self.ran += 1
                continue
            done = subprocess.run(["bash", "-c", command], cwd=self.repo if in_repo else self.cwd, env=self.env,
                                  capture_output=True, text=True, timeout=self.timeout)
            output = done.stdout + done.stderr
            report = f"{where}\n$ {command}\n(exit {done.returncode})\n{output}"
            assert done.returncode == expected_code, f"expected exit {expected_code}:\n{report}"
            missing = missing_lines(shown, output)
            assert not missing, f"not in the output: {missing[0]!r}\n{report}"
            self.ran += 1
