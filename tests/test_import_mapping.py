"""Nothing silently lost: column maps, value maps, dates, HTML and titles of imported tables."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diasporatrack import Tracker, init_workspace
from diasporatrack.errors import InputError
from diasporatrack.importer import dates
from diasporatrack.importer.cleanup import html_to_text
from diasporatrack.importer.columns import plan_columns
from rowids import nth


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "ws"
    init_workspace(root)
    return root


def run(cli, root, sheet, *args):
    return cli("--root", str(root), "import", str(sheet), *args)


def errors(result):
    return [line.removeprefix("diasporatrack: ") for line in result.err.splitlines()
            if line.startswith("diasporatrack: ")]


def nothing_written(root):
    return sorted(p.name for p in root.glob("*.yaml")) == ["diasporatrack.yaml", "owners.yaml"]


def test_a_column_named_like_a_field_can_be_skipped_and_others_are_reported(cli, root, tmp_path):
    sheet = tmp_path / "s.csv"
    sheet.write_text("ID,Recommendation,Response,Comments\n1.2,Do it,Voluntary Pledge,keep\n", encoding="utf-8")
    result = run(cli, root, sheet, "--source", "s", "--map", "Recommendation=text", "--map", "ID=",
                 "--map", "response=")
    assert result.code == 0, result.err
    assert f"{sheet}: columns read: Recommendation -> text" in result.err
    assert f"{sheet}: columns skipped (--map COLUMN=): ID, Response" in result.err
    assert f"{sheet}: columns not used: Comments" in result.err
    rec = nth(Tracker.open(root, cache=False), "s", 1)
    assert (rec.response, dict(rec.extra)) == (None, {})


def test_keep_unmapped_puts_every_unused_column_into_extra(cli, root, tmp_path):
    sheet = tmp_path / "s.csv"
    sheet.write_text("text,To-Org,Notes,\nDo it,\"AU, OIF\",see annex,stray\n", encoding="utf-8")
    result = run(cli, root, sheet, "--source", "s", "--keep-unmapped")
    assert result.code == 0, result.err
    assert "not used" not in result.err and "To-Org -> extra.to_org" in result.err
    rec = nth(Tracker.open(root, cache=False), "s", 1)
    assert dict(rec.extra) == {"to_org": "AU, OIF", "notes": "see annex", "column_4": "stray"}


def test_several_maps_onto_a_list_field_add_up_and_onto_text_join_as_paragraphs(cli, root, tmp_path):
    sheet = tmp_path / "s.csv"
    sheet.write_text("Rec,Details,Lead,Partner,Status,Stage\nFund it,With a budget line,UN,EU; AU,proposed,done\n",
                     encoding="utf-8")
    result = run(cli, root, sheet, "--source", "s", "--map", "Rec=text", "--map", "Details=text",
                 "--map", "Lead=addressed_to", "--map", "Partner=addressed_to", "--map", "Stage=")
    assert result.code == 0, result.err
    rec = nth(Tracker.open(root, cache=False), "s", 1)
    assert rec.addressed_to == ("UN", "EU", "AU")
    assert rec.text == "Fund it\n\nWith a budget line" and rec.title == "Fund it"
    refused = run(cli, root, sheet, "--source", "t", "--map", "Rec=text", "--map", "Status=status",
                  "--map", "Stage=status")
    assert refused.code == 2 and errors(refused) == [
        f"error: {sheet}: --map Stage=status: status holds one value and --map Status=status already fills it; "
        "map one column to it"]


@pytest.mark.parametrize(("maps", "message"), [
    (["Nope=text"], "--map Nope=text: the file has no column 'Nope'; columns: Rec, Status"),
    (["Rec"], "--map Rec: give COLUMN=FIELD, or COLUMN= to skip the column"),
    (["Rec=colour"], "--map Rec=colour: 'colour' is not a field"),
    (["Rec=extra.9x"], "--map Rec=extra.9x: 'extra.9x': an extra key is a letter"),
    (["Rec=text", "rec=title"], "--map rec=title: the column 'Rec' is mapped twice"),
])
def test_bad_maps_are_one_line_errors(cli, root, tmp_path, maps, message):
    sheet = tmp_path / "s.csv"
    sheet.write_text("Rec,Status\nDo it,proposed\n", encoding="utf-8")
    result = run(cli, root, sheet, "--source", "s", *[arg for m in maps for arg in ("--map", m)])
    assert result.code == 2 and len(errors(result)) == 1 and f"{sheet}: {message}" in errors(result)[0]
    assert nothing_written(root)


def test_values_match_the_workspace_vocabulary_loosely_and_unknown_ones_are_counted(cli, root, tmp_path):
    sheet = tmp_path / "s.csv"
    rows = ["text,status,impact"] + [f"Do {n},{s},Moderate" for n, s in enumerate(
        ["In_Progress", "completed", "completed", "completed", "100", "Partially Implemented"])]
    sheet.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = run(cli, root, sheet, "--source", "s")
    assert result.code == 2 and nothing_written(root)
    assert [e.split(" is not one of")[0] for e in errors(result)] == [
        f"{sheet}:3: row 3: status 'completed' (on this row and 2 more rows)",
        f"{sheet}:6: row 6: status '100' (on this row)",
    ]
    result = run(cli, root, sheet, "--source", "s", "--value", "status:Completed=implemented",
                 "--value", "status:100=implemented")
    assert result.code == 0, result.err
    assert [r.status for r in Tracker.open(root, cache=False)] == [
        "in-progress", "implemented", "implemented", "implemented", "implemented", "partially-implemented"]


def test_the_import_block_of_the_settings_maps_values_and_dates(cli, root, tmp_path):
    (root / "diasporatrack.yaml").write_text(
        "import:\n  values:\n    response: {Accepted: supported}\n  date_format: '%m/%d/%Y'\n", encoding="utf-8")
    sheet = tmp_path / "s.csv"
    sheet.write_text("text,response,due\nDo it,accepted,01/06/2026\n", encoding="utf-8")
    result = run(cli, root, sheet, "--source", "s")
    assert result.code == 0, result.err
    rec = nth(Tracker.open(root, cache=False), "s", 1)
    assert (rec.response, rec.due) == ("supported", dt.date(2026, 1, 6))
    result = run(cli, root, sheet, "--source", "t", "--value", "response:accepted=noted",
                 "--date-format", "%d/%m/%Y")
    assert result.code == 0, result.err
    rec = nth(Tracker.open(root, cache=False), "t", 1)
    assert (rec.response, rec.due) == ("noted", dt.date(2026, 6, 1))


@pytest.mark.parametrize(("block", "message"), [
    ("import: [a]", "import: expected a mapping"),
    ("import:\n  colour: 1", "import: unknown setting 'colour'"),
    ("import:\n  values: {status: [a]}", "import.values.status: expected a mapping"),
    ("import:\n  date_format: '%Y'", "import.date_format:"),
])
def test_the_import_block_is_checked_when_the_settings_are_read(cli, root, block, message):
    (root / "diasporatrack.yaml").write_text(block + "\n", encoding="utf-8")
    result = cli("--root", str(root), "validate")
    assert result.code != 0 and message in result.err + result.out


def test_day_first_dates_are_settled_by_one_value_and_reported(cli, root, tmp_path):
    sheet = tmp_path / "s.csv"
    sheet.write_text("text,due\nA,01/06/2015\nB,2015-07-01\nC,25/06/2015\n", encoding="utf-8")
    result = run(cli, root, sheet, "--source", "s")
    assert result.code == 0, result.err
    assert f"{sheet}: column 'due': dates read day-first (25/06/2015 (row 4) settles it" in result.err
    assert [r.due for r in Tracker.open(root, cache=False)] == [dt.date(2015, 6, 1), dt.date(2015, 7, 1),
                                                                dt.date(2015, 6, 25)]


@pytest.mark.parametrize(("cells", "message"), [
    (["01/06/2015", "02/07/2015"], "column 'due': every date reads both day-first and month-first (such as "
                                   "01/06/2015 (row 2)); give --date-format '%d/%m/%Y' or '%m/%d/%Y'"),
    (["25/06/2015", "06/25/2015"], "column 'due' has day-first and month-first dates: 25/06/2015 (row 2) and "
                                   "06/25/2015 (row 3); give --date-format"),
])
def test_dates_that_do_not_settle_are_an_error(cli, root, tmp_path, cells, message):
    sheet = tmp_path / "s.csv"
    sheet.write_text("text,due\n" + "".join(f"R{n},{c}\n" for n, c in enumerate(cells)), encoding="utf-8")
    result = run(cli, root, sheet, "--source", "s")
    assert result.code == 2 and errors(result) == [f"error: {sheet}: {message}"] and nothing_written(root)
    assert run(cli, root, sheet, "--source", "s", "--date-format", "%m/%d/%Y").code == (
        0 if cells[0].startswith("01") else 2)


def test_date_format_is_checked():
    with pytest.raises(InputError, match="--date-format '%Y': give a strftime format with a day"):
        dates.check_format("%Y")


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
@settings(max_examples=200)
def test_a_date_reads_back_in_every_form(day):
    assert dates.parse_date(day.isoformat()) == day
    assert dates.parse_date(day.strftime("%d/%m/%Y"), "%d/%m/%Y") == day
    assert dates.parse_date(day.strftime("%m/%d/%Y"), "%m/%d/%Y") == day
    assert dates.parse_date(day.strftime("%d %B %Y")) == day
    order = dates.order_of(day.strftime("%d/%m/%Y"))
    assert order in (None, dates.DAY_FIRST) and (order is None) == (day.day <= 12)


def test_html_in_cells_becomes_text_unless_kept(cli, root, tmp_path):
    sheet = tmp_path / "s.csv"
    sheet.write_text('text\n"<div><p>Ratify the convention &amp; report.</p> <p>Second&nbsp;step.</p></div>"\n'
                     "a < b and R&D stay\n", encoding="utf-8")
    assert run(cli, root, sheet, "--source", "s").code == 0
    tracker = Tracker.open(root, cache=False)
    assert nth(tracker, "s", 1).text == "Ratify the convention & report.\nSecond step."
    assert nth(tracker, "s", 2).text == "a < b and R&D stay"
    assert run(cli, root, sheet, "--source", "k", "--keep-html").code == 0
    assert nth(Tracker.open(root, cache=False), "k", 1).text.startswith("<div><p>Ratify")


@pytest.mark.parametrize(("html", "text"), [
    ("<ul><li>One</li><li>Two &lt;b&gt;</li></ul>", "One\nTwo <b>"),
    ("Line<br>break<br/>again", "Line\nbreak\nagain"),
    ("<script>alert(1)</script><style>p{}</style>Shown", "Shown"),
    ("x &amp;lt; y", "x &lt; y"),
    ("<insert name> stays", "<insert name> stays"),
    ("<source> and <link to report> stay", "<source> and <link to report> stay"),
    ("<img src=x onerror=alert(1)>Image rec", "Image rec"),
    ('<iframe src="https://example.org">fallback</iframe><svg><text>drawn</text></svg>Kept', "Kept"),
    ("<table><tr><th>Theme</th><td>Health</td></tr><tr><td>Next</td></tr></table>", "Theme Health\nNext"),
])
def test_html_to_text(html, text):
    assert html_to_text(html) == text


def test_titles_never_start_with_a_paragraph_number_nor_end_mid_word(cli, root, tmp_path):
    sheet = tmp_path / "s.csv"
    long = "140.7 Ratify the Optional Protocol to the Convention against Torture and establish promptly " \
           "an independent national preventive mechanism (Maldives) (Portugal)"
    sheet.write_text(f'text,Heading\n"{long}",\n"Do it",Own title\n', encoding="utf-8")
    assert run(cli, root, sheet, "--source", "s", "--map", "Heading=title").code == 0
    tracker = Tracker.open(root, cache=False)
    title = nth(tracker, "s", 1).title
    assert title.startswith("Ratify the Optional") and title.endswith("…")
    assert title[:-1].rstrip() in long and set(title[:-1].split()) <= set(long.split())  # whole words only
    assert nth(tracker, "s", 2).title == "Own title"


def test_explicit_maps_win_over_the_preset():
    plan = plan_columns(["Recommendation", "Text", "To"], {"text": ["Recommendation"], "addressed_to": ["To"]},
                        ["Text=text"], preset_name="p")
    assert plan.targets == {"addressed_to": ("To",), "text": ("Text",)}
    assert plan.unused == ("Recommendation",)


CELL = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85\u2028\u2029\r")
               | st.sampled_from("\t\n"), min_size=1, max_size=30)


@given(st.lists(st.tuples(CELL, CELL), min_size=1, max_size=5))
@settings(max_examples=30, deadline=None)
def test_kept_columns_and_text_come_back_as_written(tmp_path_factory, rows):
    import csv
    import re

    from diasporatrack.importer import plan_csv
    from diasporatrack.importer.cleanup import looks_like_html

    rows = [(t, n) for t, n in rows if t.strip() and not looks_like_html(t + n) and not t.startswith(("=", "+", "-", "@", "'"))
            and not re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", n)]
    if not rows:
        return
    base = tmp_path_factory.mktemp("keep")
    init_workspace(base / "ws")
    sheet = base / "s.csv"
    with sheet.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([("text", "Notes"), *rows])
    with plan_csv(Tracker.open(base / "ws"), sheet, source="s", keep_unmapped=True) as plan:
        plan.write()
    tracker = Tracker.open(base / "ws", cache=False)
    for number, (text, notes) in enumerate(rows, start=1):
        rec = nth(tracker, "s", number)
        assert rec.text == text
        assert rec.extra.get("notes") == (notes.strip() or None)
