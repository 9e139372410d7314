"""docs/getting-started.md works when followed word for word.

The page is followed with the rules of ``docs_harness``. Step 2 looks at the
shipped workspace from the top folder of the repository (its blocks say
``cwd=repo``; only read-only commands may run there, and the test checks that
``recommendations/`` is byte for byte the same afterwards). Everything from
step 3 on happens in an empty temporary folder, as in a new terminal. The
install step (``norun``) is not run again: the package under test is already
installed; its commands are checked to parse.
"""

from __future__ import annotations

from pathlib import Path

from docs_harness import DOCS, REPO, Reader, blocks, tree_digest

DOC = DOCS / "getting-started.md"


def test_getting_started_page(tmp_path: Path) -> None:
    before = tree_digest(REPO / "recommendations")
    reader = Reader(tmp_path).follow(DOC)
    assert tree_digest(REPO / "recommendations") == before, "the page changed the shipped workspace"
    assert reader.written == 2 and reader.ran >= 15 and reader.not_run == 1, (reader.written, reader.ran)
    # the reader ends in their own workspace, with one expert group and one updated recommendation
    assert reader.cwd == tmp_path / "myworkspace"
    journal = (reader.cwd / "journal.jsonl").read_text(encoding="utf-8")
    assert journal.count('"recommendation":"eda-2025-mentoring"') == 2


def test_the_heredoc_writes_the_file_the_page_shows() -> None:
    """The ``cat > ... <<'EOF'`` example writes the same owners.yaml as the yaml block."""
    found = blocks(DOC.read_text(encoding="utf-8"))
    owners = next(b.body for b in found if b.options.get("file") == "myworkspace/owners.yaml")
    heredoc = next(b.body for b in found if "cat > myworkspace/owners.yaml" in b.body)
    assert heredoc.split("<<'EOF'\n", 1)[1].rsplit("EOF\n", 1)[0] == owners
