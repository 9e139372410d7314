"""docs/writing-plugins.md works when followed word for word.

The test reads the page from top to bottom and does what a reader does, in
the same order, in an empty folder (``tmp_path``), with the rules of
``docs_harness``: ``file=PATH`` blocks are written, ``console`` commands run
with bash and must show the lines the page shows, in order.

The page installs a package with ``pip install -e`` and uninstalls it at the
end. Here that happens in the tests' own virtual environment
(``plugin_venv``, offline), never in the running one; the ``finally`` block
uninstalls it again in case the test stopped half-way, so the next test that
shares the venv finds it as it was.
"""

from __future__ import annotations

import os
import subprocess
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


def test_writing_plugins_page(tmp_path: Path, plugin_venv: Path) -> None:
    reader = Reader(tmp_path)
    reader.env["PATH"] = f"{plugin_venv / 'bin'}{os.pathsep}{reader.env['PATH']}"
    reader.env["VIRTUAL_ENV"] = str(plugin_venv)
    # The page's own package is the only installed plugin a reader following it has.
    reader.env["DIASPORATRACK_LOAD_PLUGINS"] = "myplugin"
    try:
        reader.follow(DOC)
    finally:
        subprocess.run([str(plugin_venv / "bin" / "python"), "-m", "pip", "uninstall", "-y", "-q", PACKAGE],
                       env=reader.env, capture_output=True)
    assert reader.written >= 10 and reader.ran >= 15, (reader.written, reader.ran)
