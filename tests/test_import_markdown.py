"""Markdown import reads what a document's author meant as recommendations, and says when it found something else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from diasporatrack import Tracker, init_workspace
from diasporatrack.importer.markdown import judge, plain


@pytest.fixture
def root(tmp_path):
    init_workspace(tmp_path / "ws")
    return tmp_path / "ws"


def un_report(paragraphs: int) -> str:
    """A UN working-group report as Markdown: numbered paragraphs under ### theme headings, then references."""
    lines = ["# Report of the Working Group on the Universal Periodic Review", "",
             "## Conclusions and/or recommendations", "",
             "140. The following recommendations will be examined by Pakistan:", ""]
    themes = ["Ratification of &amp; accession to international instruments", "Rights of **women**", "Education"]
    for n in range(1, paragraphs + 1):
        if n % 10 == 1:
            lines += [f"### {themes[(n // 10) % 3]}", ""]
        lines += [f"140.{n} Take **concrete** measure number {n} to protect the _rights_ of every person &amp; "
                  f"report on it (Chile) (Iran (Islamic Republic of));", ""]
    lines += ["## References", "", "1. A/HRC/59/15.", "2. A/HRC/59/15/Add.1.", "3. See CRC/C/PAK/CO/5-6.",
              "4. A/HRC/WG.6/45/PAK/1.", "5. A/HRC/WG.6/45/PAK/2.", ""]
    return "\n".join(lines)


def test_a_un_report_gives_its_numbered_paragraphs_not_its_references(tmp_path, root, cli):
    page = tmp_path / "report.md"
    page.write_text(un_report(254), encoding="utf-8")
    result = cli("--root", str(root), "import", str(page), "--source", "a-hrc-59-15")
    assert result.code == 0, result.err
    assert "imported 254 recommendations" in result.err
    assert "5 items under headings such as References or Notes left out" in result.err
    tracker = Tracker.open(root)
    rec = tracker.get("a-hrc-59-15-140.7")
    assert rec.text == rec.quote == ("Take concrete measure number 7 to protect the rights of every person & report "
                                     "on it")
    assert rec.title.startswith("Take concrete") and rec.reference == "140.7"
    assert rec.authors == ("Chile", "Iran (Islamic Republic of)") and rec.themes == ()
    themed = tmp_path / "themed"
    init_workspace(themed)
    result = cli("--root", str(themed), "import", str(page), "--source", "r", "--headings-as-themes")
    assert result.code == 0, result.err
    tracker = Tracker.open(themed)
    assert tracker.get("r-140.1").themes == ("ratification-of-accession-to-international-instruments",)
    assert tracker.get("r-140.11").themes == ("rights-of-women",)


def test_numbered_paragraphs_win_over_other_lists_and_say_so(tmp_path, root, cli):
    page = tmp_path / "mixed.md"
    page.write_text("Contents\n\n- Introduction\n- Findings\n\n12.1 Fund the diaspora forum every year.\n\n"
                    "12.2 Publish the forum's conclusions in three languages.\n", encoding="utf-8")
    result = cli("--root", str(root), "import", str(page), "--source", "m")
    assert result.code == 0, result.err
    assert "read the 2 numbered paragraphs (such as 12.1); 2 other list items left out" in result.err
    assert Tracker.open(root).get("m-12.2").text == "Publish the forum's conclusions in three languages."
    page.write_text("12.1 One thing to do now.\n\n12.1 The same number again.\n")
    result = cli("--root", str(root), "import", str(page), "--source", "dup")
    assert result.code == 2 and f"{page}:3: line 3: paragraph 12.1 is also on line 1" in result.err


def test_theme_and_sdg_bullets_are_a_warning_not_an_import(tmp_path, root, cli):
    page = tmp_path / "labels.md"
    lines = ["# Thematic index", ""]
    for n in range(1, 40):
        lines += [f"## Paragraph {n}", "", "- Right to education", "- Women's rights", f"- SDG {n % 17 + 1}",
                  "- 4 - QUALITY EDUCATION", ""]
    page.write_text("\n".join(lines), encoding="utf-8")
    result = cli("--root", str(root), "import", str(page), "--source", "labels")
    assert result.code == 1
    assert (f"diasporatrack: warning: {page}: 156 of the 156 items are one to 4 words long: a list of labels "
            "(themes, SDGs, names), not recommendations") in result.err
    assert "nothing imported; --force imports it all the same" in result.err
    assert not (root / "labels.yaml").exists()
    forced = cli("--root", str(root), "import", str(page), "--source", "labels", "--force")
    assert forced.code == 0 and "warning:" in forced.err and (root / "labels.yaml").exists()


def test_a_reference_list_is_a_warning(tmp_path, root, cli):
    page = tmp_path / "refs.md"
    page.write_text("- A/HRC/59/15, para. 3.\n- See CRC/C/PAK/CO/5-6, para. 12.\n- https://example.org/report\n"
                    "- Ibid., p. 4.\n- Fund a school in every district of the province.\n", encoding="utf-8")
    result = cli("--root", str(root), "import", str(page), "--source", "refs")
    assert result.code == 1 and "4 of the 5 items look like references" in result.err


def test_plain_text_from_inline_markdown():
    assert plain("**Ratify** the _Convention_ &amp; its &quot;Protocol&quot; <b>now</b>, see [the text](http://x)"
                 ) == 'Ratify the Convention & its "Protocol" now, see the text'
    assert plain("keep snake_case_names and 5 * 3 as written") == "keep snake_case_names and 5 * 3 as written"
    assert plain("__bold__ and *em* and `code`") == "bold and em and code"


@given(st.lists(st.from_regex(r"[A-Z][a-z]{2,8}( [a-z]{2,8}){5,20}\.", fullmatch=True), min_size=1, max_size=30))
def test_sentences_of_five_words_or_more_are_never_suspect(texts):
    assert judge(texts) is None
