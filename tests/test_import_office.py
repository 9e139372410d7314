"""Import from office files: Excel sheets, Word tables, and OHCHR's thematic list (the ``ohchr`` preset)."""

from __future__ import annotations

import datetime as dt
import re
import sys
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from diasporatrack import Tracker, init_workspace
from diasporatrack.importer import office
from diasporatrack.importer.ohchr import split_states, split_themes
from office_samples import RECS_SHEET, write_ohchr_list, write_workbook

pytest.importorskip("openpyxl")
pytest.importorskip("docx")


@pytest.fixture
def root(tmp_path):
    init_workspace(tmp_path / "ws")
    return tmp_path / "ws"


def yaml_files(root):
    return sorted(p.name for p in root.glob("*.yaml"))


MAP = ("--map", "Recommendation=text", "--map", "who=addressed_to", "--map", "Due=due")


def test_a_sheet_chosen_by_name_or_number_with_rows_located_by_sheet(tmp_path, root, cli):
    book = write_workbook(tmp_path / "recs.xlsx", RECS_SHEET, sheets=("Intro", "Recs"))
    result = cli("--root", str(root), "import", str(book), "--sheet", "Recs", "--source", "forum", *MAP)
    assert result.code == 2
    assert result.err.splitlines() == [f"diasporatrack: {book}: sheet Recs, row 4: due '45000' is not a date "
                                       "(write YYYY-MM-DD, 25 June 2015, or give --date-format)"]
    assert yaml_files(root) == ["diasporatrack.yaml", "owners.yaml"]
    rows = [r[:2] + [None] if r[2] == 45000.0 else r for r in RECS_SHEET]
    write_workbook(book, rows, sheets=("Intro", "Recs"))
    result = cli("--root", str(root), "import", str(book), "--sheet", "2", "--source", "forum", *MAP)
    assert result.code == 0, result.err
    first, second = (r for r in Tracker.open(root).query() if r.source == "forum")
    assert (first.text, first.addressed_to, first.due) == ("Fund a diaspora forum", ("UN", "EU"), dt.date(2026, 5, 1))
    assert second.text == "Train mentors"  # the blank row 3 is skipped, not imported
    result = cli("--root", str(root), "import", str(book), "--source", "forum2", *MAP)
    assert result.code == 0 and "read sheet Intro (the first of 2 sheets: Intro, Recs; --sheet chooses another)" \
        in result.err
    result = cli("--root", str(root), "import", str(book), "--sheet", "Summary", "--source", "x", *MAP)
    assert result.code == 2 and "--sheet Summary: the workbook has no such sheet; its sheets: 1 Intro, 2 Recs" \
        in result.err


def test_a_value_under_no_column_name_is_an_error_not_a_loss(tmp_path, root, cli):
    book = write_workbook(tmp_path / "recs.xlsx", [["text"], ["Fund a forum", None, "a stray note"]])
    result = cli("--root", str(root), "import", str(book), "--source", "forum")
    assert result.code == 2
    assert f"{book}: sheet Recs, row 2: a value in column 3, which has no name in the header" in result.err


def test_a_word_table_by_number_with_rows_located_by_table(tmp_path, root, cli):
    import docx

    document = docx.Document()
    document.add_table(rows=1, cols=1).cell(0, 0).text = "a lone cell"
    table = document.add_table(rows=3, cols=2)
    for row, values in zip(table.rows, [("text", "due"), ("Open a library\nwith a reading room", "2026-01-01"),
                                        ("Train librarians", "someday")]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.save(tmp_path / "plan.docx")
    result = cli("--root", str(root), "import", str(tmp_path / "plan.docx"), "--table", "2", "--source", "lib")
    assert result.code == 2 and result.err.splitlines() == [
        f"diasporatrack: {tmp_path / 'plan.docx'}: table 2, row 3: due 'someday' is not a date (write YYYY-MM-DD, "
        "25 June 2015, or give --date-format)"]
    result = cli("--root", str(root), "import", str(tmp_path / "plan.docx"), "--table", "3", "--source", "lib")
    assert result.code == 2 and "--table 3: the document has 2 tables; give a number from 1 to 2" in result.err
    table.rows[2].cells[1].text = "2026-06-30"
    document.save(tmp_path / "plan.docx")
    result = cli("--root", str(root), "import", str(tmp_path / "plan.docx"), "--source", "lib")
    assert result.code == 0, result.err
    assert "read table 2 (the largest of 2 tables; --table chooses another)" in result.err
    assert [r.text for r in Tracker.open(root).query()] == ["Open a library\nwith a reading room",
                                                                  "Train librarians"]


def test_ohchr_from_a_sheet_of_a_workbook(tmp_path, root, cli):
    rows = [["Recommendation", "Position", "SDGs"],
            ["140.1 Fund shelters in every province (Chile)", "Supported", "5 - GENDER EQUALITY"],
            ["140.2 Train judges (Peru)", "Accepted", ""],
            [None, None, None],
            ["140.3 Publish the budget (Ghana)", "Noted", 16.0]]
    book = write_workbook(tmp_path / "list.xlsx", rows, sheets=("About", "List"))
    options = ("--preset", "ohchr", "--state", "Pakistan", "--source", "pak")
    result = cli("--root", str(root), "import", str(book), "--sheet", "List", *options)
    assert result.code == 2 and result.err.splitlines() == [
        f"diasporatrack: {book}: sheet List, row 3: response 'Accepted' (on this row) is not one of this "
        "workspace's response values (supported, supported-in-part, noted, no-response); map it with --value "
        "'response:Accepted=...'"]
    rows[2][1] = "Supported"
    write_workbook(book, rows, sheets=("About", "List"))
    result = cli("--root", str(root), "import", str(book), "--sheet", "2", *options)
    assert result.code == 0, result.err
    assert Tracker.open(root).get("pak-140.3").sdgs == ("16",)  # a number cell reads as the number written
    result = cli("--root", str(root), "import", str(book), "--sheet", "Summary", *options)
    assert result.code == 2 and "--sheet Summary: the workbook has no such sheet; its sheets: 1 About, 2 List" \
        in result.err
    result = cli("--root", str(root), "import", str(book), *options[:-1], "pak2")
    assert "read sheet About (the first of 2 sheets: About, List; --sheet chooses another)" in result.err


def _no_sheets(tmp_path):
    book = write_workbook(tmp_path / "one.xlsx", [["text"], ["x"]])
    empty = tmp_path / "empty.xlsx"
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(empty, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/workbook.xml":
                data = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", data)
            out.writestr(info, data)
    return empty


def _no_tables(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("140.1 Ratify the Convention (Chile)")
    document.save(tmp_path / "prose.docx")
    return tmp_path / "prose.docx"


def _text_named(name):
    def make(tmp_path):
        (tmp_path / name).write_text("text,owners\nDo it,ghost\n")
        return tmp_path / name
    return make


@pytest.mark.parametrize("make, extra, message", [
    (_no_sheets, (), "{f}: the workbook has no sheets"),
    (_no_tables, (), "{f}: the document has no tables (import reads a Word file's tables; a list of paragraphs "
                     "can be saved as text and imported as Markdown)"),
    (_no_tables, ("--preset", "ohchr", "--state", "Chile"), "{f}: the document has no tables"),
    (_text_named("sheet.xlsx"), (), "{f}: not an Excel workbook (not the zip container office files are); is it a "
                                    "CSV or an older .xls/.doc file saved under this name?"),
    (_text_named("list.docx"), ("--preset", "ohchr"), "{f}: not a Word file (not the zip container"),
    (lambda tmp_path: write_workbook(tmp_path / "renamed.docx", RECS_SHEET), (),
     "{f}: not a readable Word file (.docx): its main part is not a Word document (another office file renamed "
     ".docx?)"),
])
def test_bad_office_files_are_one_line_errors_and_write_nothing(tmp_path, root, cli, make, extra, message):
    path = make(tmp_path)
    result = cli("--root", str(root), "import", str(path), "--source", "x", *extra)
    assert result.code == 2
    assert len(result.err.splitlines()) == 1 and "Traceback" not in result.err
    assert message.format(f=path) in result.err
    assert yaml_files(root) == ["diasporatrack.yaml", "owners.yaml"]


def test_a_word_file_over_the_size_limit_or_a_zip_bomb_is_refused(tmp_path, root, cli, monkeypatch):
    path = write_ohchr_list(tmp_path / "list.docx")
    monkeypatch.setattr(office, "MAX_WORD_BYTES", path.stat().st_size - 1)
    result = cli("--root", str(root), "import", str(path), "--preset", "ohchr", "--state", "Pakistan")
    assert result.code == 2 and result.err.strip() == (
        f"diasporatrack: error: {path}: {path.stat().st_size:,} bytes is past the limit of "
        f"{path.stat().st_size - 1:,} for a Word file")
    monkeypatch.undo()
    monkeypatch.setattr(office, "MAX_UNPACKED_BYTES", 1000)
    result = cli("--root", str(root), "import", str(path), "--preset", "ohchr", "--state", "Pakistan")
    assert result.code == 2 and "past the limit of 1,000: refused as a zip bomb" in result.err
    assert yaml_files(root) == ["diasporatrack.yaml", "owners.yaml"]


@pytest.mark.parametrize("module, name", [("openpyxl", "recs.xlsx"), ("docx", "list.docx")])
def test_without_the_office_extra_the_error_says_what_to_install(tmp_path, root, cli, monkeypatch, module, name):
    path = write_workbook(tmp_path / name, RECS_SHEET) if module == "openpyxl" else write_ohchr_list(tmp_path / name)
    monkeypatch.setitem(sys.modules, module, None)  # `import module` now raises ImportError, as when not installed
    result = cli("--root", str(root), "import", str(path), "--source", "x", *MAP)
    assert result.code == 2 and len(result.err.splitlines()) == 1
    assert "install the optional extra: pip install 'diasporatrack[office]'" in result.err


def test_ohchr_thematic_list(tmp_path, root, cli):
    path = write_ohchr_list(tmp_path / "list.docx")
    result = cli("--root", str(root), "import", str(path), "--preset", "ohchr")
    assert result.code == 2 and result.err.strip() == (
        f"diasporatrack: error: {path}: give --state NAME: the list has no State-under-review column")
    result = cli("--root", str(root), "import", str(path), "--preset", "ohchr", "--state", "Pakistan", "--dry-run")
    assert result.code == 0 and "would write" in result.out and "(3 recommendations)" in result.out
    assert yaml_files(root) == ["diasporatrack.yaml", "owners.yaml"]
    result = cli("--root", str(root), "import", str(path), "--preset", "ohchr", "--state", "Pakistan")
    assert result.code == 0, result.err
    assert "Position -> response" in result.err and "Full list of themes -> themes" in result.err
    tracker = Tracker.open(root)
    source = tracker.sources["a-hrc-59-15"]
    assert source.title == "UPR recommendations to Pakistan (A/HRC/59/15)"
    assert sorted(r.id for r in tracker.query()) == ["a-hrc-59-15-140.31", "a-hrc-59-15-140.7",
                                                             "a-hrc-59-15-140.8"]  # the Theme: rows are not here
    first = tracker.get("a-hrc-59-15-140.7")
    assert first.text == first.quote == "Ratify the Optional Protocol to the Convention against Torture"
    assert first.reference == "140.7" and first.authors == ("Maldives", "Portugal")
    assert first.addressed_to == ("Pakistan",) and first.response == "supported"
    assert first.themes == ("ratification-of-accession-to-international-instruments",
                            "torture-other-cruel-inhuman-or-degrading-treatment")
    assert first.affected_persons == ("Persons deprived of their liberty",) and first.sdgs == ("16",)
    assert first.extra == {"source_of_position": "A/HRC/59/15/Add.1 - Para.7"}
    second = tracker.get("a-hrc-59-15-140.8")
    assert second.authors == ("Iran (Islamic Republic of)",) and second.response == "noted"
    assert second.affected_persons == ("Stateless persons", "Migrants") and second.sdgs == ()
    third = tracker.get("a-hrc-59-15-140.31")
    assert third.text.endswith("committee (CEDAW), and fund shelters in every province") and third.authors == ("Chile",)
    assert third.themes == ("rights-of-women", "gender-based-violence", "domestic-violence")
    assert third.sdgs == ("5", "16.1") and not third.title[0].isdigit()


def test_ohchr_with_a_state_column_and_its_errors(tmp_path, root, cli):
    import docx

    path = write_ohchr_list(tmp_path / "list.docx", state_column=True, extra_rows=[
        ["Pakistan", "140.7 Repeat a paragraph (Chile)", "Supported", "", "", ""],
        ["Pakistan", "Protect journalists (Sweden)", "Supported", "", "", ""],
        ["Pakistan", "140.90 Protect journalists (Sweden)", "Accepted in principle", "", "", ""],
        ["Pakistan", "140.91 Protect journalists (Sweden)", "Noted", "", "Goal five", ""],
    ])
    result = cli("--root", str(root), "import", str(path), "--preset", "ohchr", "--source", "pak-4")
    assert result.code == 2
    assert result.err.splitlines() == [f"diasporatrack: {path}: table 1, row {n}: {m}" for n, m in [
        (7, "id 'pak-4-140.7' is also on table 1, row 3"),
        (8, "the recommendation does not start with its paragraph number (such as 140.7): 'Protect journalists "
            "(Sweden)'"),
        (10, "SDGs: 'Goal five' does not start with a goal or target number (such as '5 - GENDER EQUALITY')"),
        (9, "response 'Accepted in principle' (on this row) is not one of this workspace's response values "
            "(supported, supported-in-part, noted, no-response); map it with --value "
            "'response:Accepted in principle=...'"),
    ]]
    path = write_ohchr_list(tmp_path / "list.docx", state_column=True)
    result = cli("--root", str(root), "import", str(path), "--preset", "ohchr", "--source", "pak-4")
    assert result.code == 0, result.err
    assert "State under review -> addressed_to" in result.err
    assert Tracker.open(root).get("pak-4-140.8").addressed_to == ("Pakistan",)
    nameless = write_ohchr_list(tmp_path / "nameless.docx", state_column=True)
    document = docx.Document(nameless)
    for row in document.tables[0].rows[1:]:
        cell = row.cells[1]
        if len(cell.paragraphs) > 1:
            cell._tc.remove(cell.paragraphs[-1]._p)  # no "Source of Position" line
    document.save(nameless)
    result = cli("--root", str(root), "import", str(nameless), "--preset", "ohchr")
    assert result.code == 2 and result.err.strip() == (
        "diasporatrack: error: give --source ID: the list names no report to take the source's id from (no "
        "'Source of Position: A/HRC/...' line)")
    again = cli("--root", str(root), "import", str(path), "--preset", "ohchr", "--source", "pak-4")
    assert again.code == 2 and "source 'pak-4' is already in the workspace" in again.err
    wrong = cli("--root", str(root), "import", str(path), "--preset", "ohchr", "--state", "X", "--source", "pak-5",
                "--map", "Assessment/comments on level of implementation=", "--map", "Position=extra.position")
    assert wrong.code == 0, wrong.err  # a map wins over the preset: the position kept as written, no response
    rec = Tracker.open(root).get("pak-5-140.8")
    assert rec.response is None and rec.extra["position"] == "Noted"
    wrong = cli("--root", str(root), "import", str(path), "--preset", "upr", "--state", "X")
    assert wrong.code == 2 and "--state is not for preset upr" in wrong.err


_STATE = st.from_regex(r"[A-Z][a-z]{2,9}( [a-z]{2,6})?( \([A-Z][a-z]+ [a-z]+ of\))?", fullmatch=True)
_TEXT = st.from_regex(r"[A-Z][a-z]{1,8}( [a-z]{1,8}| \([A-Z]{3,6}\)){0,12}", fullmatch=True)


@given(_TEXT, st.lists(_STATE, min_size=1, max_size=4))
def test_the_recommending_states_come_off_the_end_of_the_text(text, states):
    assert split_states(f"{text} " + " ".join(f"({s})" for s in states) + ";") == (text, states)


def test_themes_and_groups_of_persons_under_their_labels():
    cell = "Themes:\n- Right to education\nRight to work\nAffected persons:\n- women\n- children\nchildren"
    assert split_themes(cell) == (["Right to education", "Right to work"], ["women", "children"])



def test_rows_spanning_a_word_table_are_headings_never_recommendations(tmp_path, root, cli):
    path = write_ohchr_list(tmp_path / "list.docx")
    result = cli("--root", str(root), "import", str(path), "--source", "plain", "--map", "Recommendation=text",
                 "--map", "Position=extra.position", "--map", "SDGs=", "--keep-unmapped")
    assert result.code == 0, result.err
    assert (f"{path}: 2 rows spanning the table not imported (headings such as 'Theme: Ratification of & "
            "accession to in'... (63 characters) on table 1, row 2)") in result.err
    texts = [r.text for r in Tracker.open(root).query()]
    assert len(texts) == 3 and not any(t.startswith("Theme:") for t in texts)
