"""The command line's tables are laid out exactly as tabulate's ``simple`` format would lay them out."""

from __future__ import annotations

import datetime as dt

import pytest
import tabulate as tabulate_module
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tabulate import tabulate

from diasporatrack import tables
from diasporatrack.tables import simple_table


@pytest.fixture(params=["by length", "by wcwidth"], autouse=True)
def measuring(request, monkeypatch):
    """Every test runs with tabulate counting characters and with it measuring them by wcwidth, as it does when wcwidth is installed."""
    wide = request.param == "by wcwidth"
    if wide:
        pytest.importorskip("wcwidth")  # in the test extra; a machine without it still checks the other way
    monkeypatch.setattr(tabulate_module, "WIDE_CHARS_MODE", wide)
    monkeypatch.setattr(tables, "_wide_aware", wide)
    return request.param


def tabulated(rows, headers) -> str:
    return tabulate(rows, headers=list(headers), tablefmt="simple", disable_numparse=True)


cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10**6, 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(),
    # text of every kind: blanks around it, line breaks, escapes, wide characters
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
    st.sampled_from(["", " ", "  x  ", "a\nb", "x\r\ny", "\x1b[31mred\x1b[0m", "日本語", "\u2028", "True", "1.50",
                     "Zürich", "“quoted” — dash", "soft\xadhyphen", "e\u0301", "\x08", "اردو", "\u200b"]),
)
header_names = st.text(alphabet="ABCDEFGHIJ (),", min_size=1, max_size=8).map(str.strip).filter(bool)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_any_table_is_laid_out_as_tabulate_does(data):
    headers = data.draw(st.lists(header_names, min_size=1, max_size=5))
    rows = data.draw(st.lists(st.lists(cells, min_size=len(headers), max_size=len(headers)), max_size=6))
    assert simple_table(rows, headers) == tabulated(rows, headers)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_with_numbers_parsed_too(data):
    headers = data.draw(st.lists(header_names, min_size=1, max_size=4))
    numeric = st.one_of(cells, st.sampled_from(["1", " 2.5", "-3", "1e5", "inf", "nan", "1,000", "+1,000.25", "1,0000", "a, b", "1_000", "0x10",
                                                "2025-01-31", "12:30"]))
    rows = data.draw(st.lists(st.lists(numeric, min_size=len(headers), max_size=len(headers)), max_size=6))
    expected = tabulate(rows, headers=list(headers), tablefmt="simple")
    assert simple_table(rows, headers, numparse=True) == expected


def test_the_common_cases_need_no_tabulate(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "tabulate", None)  # importing it would fail
    rows = [("opp-1", "proposed", "a, b", dt.date(2025, 6, 30), "  A title  "), ("x", None, "", "", "Zürich")]
    rows.append(("y", "", "", "", "“Quoted” — dash"))
    expected = ("ID     STATUS    OWNERS    DUE         TITLE\n"
                "-----  --------  --------  ----------  ---------------\n"
                "opp-1  proposed  a, b      2025-06-30  A title\n"
                "x                                      Zürich\n"
                "y                                      “Quoted” — dash")
    assert simple_table(rows, ("ID", "STATUS", "OWNERS", "DUE", "TITLE")) == expected
    assert simple_table([], ("ID", "N")) == "ID    N\n----  ---"
