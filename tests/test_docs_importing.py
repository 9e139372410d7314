"""docs/importing.md works when followed word for word, on the samples of tests/samples/."""

from __future__ import annotations

import shutil
from pathlib import Path

from docs_harness import DOCS, REPO, Reader


def test_importing_page(tmp_path: Path) -> None:
    for sample in ("upr-info.csv", "decidim-results.csv"):  # the page reads them from the folder above
        shutil.copy(REPO / "tests" / "samples" / sample, tmp_path / sample)
    reader = Reader(tmp_path).follow(DOCS / "importing.md")
    assert reader.ran >= 12 and reader.written >= 3, (reader.ran, reader.written)
    tracker = tmp_path / "tracker"
    for name in ("opp-dialogue", "upr-cycle-4-session-42", "upr-s42-cote-d-ivoire", "city-plan", "forum-2026",
                 "a-hrc-59-15", "edu-dialogue", "wg-report"):
        assert (tracker / f"{name}.yaml").is_file(), name
    assert (tmp_path / "copy" / "edu-dialogue.yaml").is_file()
    assert not (tracker / "index.yaml").exists()  # a list of labels is refused
    updated = (tmp_path / "upr-tracker" / "upr-cycle-4-session-42.yaml").read_text()  # import --update
    assert "against Torture and its" in updated and "Tortue" not in updated
