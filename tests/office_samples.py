"""Office files for the import tests, generated with openpyxl and python-docx (no real UN document is shipped).

``write_ohchr_list`` builds a Word file laid out as OHCHR's thematic lists of
UPR recommendations are: a title, then one table whose first row names the
columns, ``Theme: ...`` rows spanning the table between the groups, and a
row per recommendation (paragraph number, text, the recommending States in
brackets, then ``Source of Position: ...`` in the same cell; the position;
themes one a line with the groups of persons under their own label; SDGs
one a line). The recommendations are written for these tests.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

HEADER = ("Recommendation", "Position", "Full list of themes", "SDGs",
          "Assessment/comments on level of implementation")
POSITION = "Source of Position: A/HRC/59/15/Add.1 - Para.{}"

# (theme heading, [(paragraph, text, states, position, themes, persons, sdgs)])
OHCHR_GROUPS = [
    ("Ratification of & accession to international instruments", [
        ("140.7", "Ratify the Optional Protocol to the Convention against Torture", ["Maldives", "Portugal"],
         "Supported", ["Ratification of & accession to international instruments",
                       "Torture & other cruel, inhuman or degrading treatment"],
         ["Persons deprived of their liberty"], ["16 - PEACE, JUSTICE AND STRONG INSTITUTIONS"]),
        ("140.8", "Consider acceding to the 1954 Convention relating to the Status of Stateless Persons",
         ["Iran (Islamic Republic of)"], "Noted", ["Ratification of & accession to international instruments"],
         ["Stateless persons", "Migrants"], []),
    ]),
    ("Rights of women", [
        ("140.31", "Adopt a law against domestic violence in line with the recommendations of the committee "
                   "(CEDAW), and fund shelters in every province", ["Chile"], "Supported",
         ["Gender-based violence", "Domestic violence"], ["Women", "Girls"],
         ["5 - GENDER EQUALITY", "16.1 - Reduce violence everywhere"]),
    ]),
]


def write_ohchr_list(path: Path, *, state_column: bool = False, extra_rows: list[list[str]] = ()) -> Path:
    """A thematic list as a .docx file at ``path``; ``state_column`` adds a State-under-review column."""
    import docx

    document = docx.Document()
    document.add_heading("Universal Periodic Review: thematic list of recommendations", level=1)
    document.add_paragraph("Pakistan: recommendations of the fourth cycle, with the State's position.")
    header = (("State under review",) if state_column else ()) + HEADER
    table = document.add_table(rows=1, cols=len(header))
    for cell, name in zip(table.rows[0].cells, header):
        cell.text = name
    for theme, recs in OHCHR_GROUPS:
        row = table.add_row()
        merged = row.cells[0].merge(row.cells[-1])
        merged.text = f"Theme: {theme}"
        for number, text, states, position, themes, persons, sdgs in recs:
            cells = table.add_row().cells
            if state_column:
                cells[0].text = "Pakistan"
                cells = cells[1:]
            brackets = " ".join(f"({s})" for s in states)
            cells[0].text = f"{number} {text} {brackets}"
            cells[0].add_paragraph(POSITION.format(number.split(".")[1]))
            cells[1].text = position
            cells[2].text = "\n".join(themes + ["Groups of Persons:"] + [f"- {p}" for p in persons])
            cells[3].text = "\n".join(sdgs)
    for values in extra_rows:
        for cell, value in zip(table.add_row().cells, values):
            cell.text = value
    document.save(path)
    return path


def write_workbook(path: Path, rows: list[list], *, sheets: tuple[str, ...] = ("Recs",)) -> Path:
    """A workbook whose sheets each hold ``rows`` (the first one is the header)."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = sheets[0]
    for name in sheets[1:]:
        book.create_sheet(name)
    for name in sheets:
        for row in rows:
            book[name].append(row)
    book.save(path)
    return path


RECS_SHEET = [["Recommendation", "Who", "Due"],
              ["Fund a diaspora forum", "UN; EU", dt.datetime(2026, 5, 1)],
              [None, None, None],
              ["Train mentors", "diaspora", 45000.0]]
