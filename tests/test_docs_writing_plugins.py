"""docs/writing-plugins.md works when followed word for word.

The test reads the page from top to bottom and does what a reader does, in
the same order, in an empty folder (``tmp_path``), with the rules of
``docs_harness``: ``file=PATH`` blocks are written, ``console`` commands run
with bash and must show the lines the page shows, in order.

The page installs a package with ``pip install -e`` (with build isolation,
as a reader would: pip fetches setuptools from the package index) and
uninstalls it at the end; the ``finally`` block uninstalls it again in case
the test stopped half-way, so the environment is left as it was.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from docs_harness import DOCS, Reader, missing_lines

DOC = DOCS / "writing-plugins.md"
PACKAGE = "diasporatrack-myplugin"


def test_matching_rules() -> None:
    actual = "Looking in indexes\nID   NAME\n---  ----\nab   Long  title\nrun in 0.12s\n"
    assert missing_lines(["ID NAME", "-----", "ab Long title", "run in ...s"], actual) == []
    assert missing_lines(["...", "ab Long title"], actual) == []
    assert missing_lines(["ab Long title", "ID NAME"], actual) == ["ID NAME"]
    assert missing_lines(["ab Short title"], actual) == ["ab Short title"]


def test_writing_plugins_page(tmp_path: Path) -> None:
    reader = Reader(tmp_path)
    try:
        reader.follow(DOC)
    finally:
        subprocess.run([sys.executable, "-m", "pip", "uninstall", "-y", "-q", PACKAGE], env=reader.env,
                       capture_output=True)
    assert reader.written >= 10 and reader.ran >= 15, (reader.written, reader.ran)
