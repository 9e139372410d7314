"""Splicing changes into authored YAML: only the changed value's lines change."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diasporatrack.yamledit import Document, EditError, render_document, scalar_text
from diasporatrack.yamlio import load_yaml

WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8).filter(
    lambda w: w not in ("null", "true", "false"))
PHRASE = st.lists(WORDS, min_size=1, max_size=5).map(" ".join)
# Anything a person may type, line breaks and YAML's special characters included.
ANY_TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\ufeff\x85")
            | st.sampled_from("\n:#-&*!|>'\"%@`,[]{}? "), max_size=30),
    st.sampled_from(["no", "on", "yes", "12:30", "0123", "2025-01-01", "2025-02-30", "*a", "&a", "!a", "#a",
                     ":a", "a: b", "1.0e5", "true", "null", "~", "", " x", "x ", "- x", "line\n", "a\n\nb"]),
)


@st.composite
def scalar_field(draw, multi_line_ok: bool = True):
    """A text value and the YAML text of it in one of the styles people write."""
    style = draw(st.sampled_from(["plain", "single", "double", "literal", "folded"] if multi_line_ok
                                 else ["plain", "single", "double"]))
    if style == "plain":
        value = draw(PHRASE)
        return value, value, []
    if style == "single":
        value = draw(st.text(st.characters(min_codepoint=32, max_codepoint=126) | st.sampled_from("éü’—"),
                             max_size=20))
        return value, "'" + value.replace("'", "''") + "'", []
    if style == "double":
        value = draw(ANY_TEXT)
        return value, yaml.safe_dump(value, default_style='"', width=float("inf"), allow_unicode=True).strip(), []
    lines = draw(st.lists(PHRASE, min_size=1, max_size=3))
    if style == "literal":
        return "\n".join(lines), "|-", lines
    return " ".join(lines), ">-", lines


@st.composite
def list_field(draw):
    items = draw(st.lists(WORDS, max_size=4))
    if not items or draw(st.booleans()):
        return items, "[" + ", ".join(items) + "]", []
    return items, None, (draw(st.sampled_from([0, 2])), items)


@st.composite
def source_file(draw):
    """A source file with comments, flow and block lists, quoted, plain and block scalars."""
    lines = ["# a comment at the top", "source:", "  id: src", "  title: A source", "recommendations:"]
    recs = []
    for n in range(draw(st.integers(1, 3))):
        fields = {"id": (f"rec-{n}", f"rec-{n}", []), "title": draw(scalar_field(False)),
                  "text": draw(scalar_field())}
        for name in draw(st.lists(st.sampled_from(["quote", "author", "themes", "addressed_to", "due",
                                                   "impact"]), unique=True)):
            if name in ("themes", "addressed_to"):
                fields[name] = draw(list_field())
            elif name == "due":
                fields[name] = (dt.date(2025, 6, 30), "2025-06-30", [])
            elif name == "impact":
                fields[name] = ("moderate", "moderate", [])
            else:
                fields[name] = draw(scalar_field())
        order = ["id"] + draw(st.permutations([k for k in fields if k != "id"]))
        rec = {}
        for i, key in enumerate(order):
            value, head, below = fields[key]
            rec[key] = value
            prefix = "  - " if i == 0 else "    "
            comment = draw(st.sampled_from(["", "  # note"])) if not head or head[0] not in "|>" else ""
            if head is None:  # a block list
                indent, items = below
                lines.append(f"{prefix}{key}:{comment}")
                lines.extend(" " * (4 + indent) + "- " + item for item in items)
            else:
                lines.append(f"{prefix}{key}: {head}{comment}")
                lines.extend("      " + line for line in below)
            if draw(st.booleans()) and i:
                lines.append("    # a comment between fields")
        recs.append(rec)
    lines.append("# the end")
    return "\n".join(lines) + "\n", recs


NEW_VALUES = {
    "title": ANY_TEXT.filter(lambda s: s.strip()),
    "text": ANY_TEXT.filter(lambda s: s.strip()),
    "quote": st.one_of(st.none(), ANY_TEXT),
    "author": st.one_of(st.none(), ANY_TEXT),
    "themes": st.one_of(st.none(), st.lists(ANY_TEXT, max_size=4)),
    "addressed_to": st.one_of(st.none(), st.lists(st.sampled_from(["UN", "EU", "no", "a, b", "x"]), max_size=4)),
    "due": st.one_of(st.none(), st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1))),
    "review_every": st.one_of(st.none(), st.integers(1, 1000)),
}


def _changed_hunk(old: list[str], new: list[str]) -> tuple[int, int]:
    """How many lines the two texts share at the start and at the end."""
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return head, tail


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_set_changes_the_value_and_no_line_outside_it(data):
    text, recs = data.draw(source_file())
    assert load_yaml(None, text)["recommendations"] == recs  # the generator writes what it says
    index = data.draw(st.integers(0, len(recs) - 1))
    field = data.draw(st.sampled_from(sorted(NEW_VALUES)))
    value = data.draw(NEW_VALUES[field])
    doc = Document(text)
    path = ("recommendations", index, field)
    present = field in recs[index]
    first, last = doc.lines_of(path) if present else (None, None)
    doc.set(path, value)

    expected = dict(recs[index])
    if value is None:
        expected.pop(field, None)
    else:
        expected[field] = value
    reread = load_yaml(None, doc.text)["recommendations"]
    assert reread[index] == expected
    assert [r for i, r in enumerate(reread) if i != index] == [r for i, r in enumerate(recs) if i != index]
    old, new = text.splitlines(keepends=True), doc.text.splitlines(keepends=True)
    head, tail = _changed_hunk(old, new)
    if old == new:
        assert value == recs[index].get(field)
    elif present:  # only the lines of the old key and value were touched
        assert head >= first - 1 and len(old) - tail <= last
    else:  # lines were only added, in one place
        assert head + tail == len(old)


def test_unknown_key_removed_is_a_no_op_and_a_missing_key_is_added_like_its_siblings():
    text = "source:\n  id: s   # the id\n  title: T\nrecommendations: []\n"
    doc = Document(text)
    doc.set(("source", "url"), None)
    assert doc.text == text
    doc.set(("source", "publisher"), "no")
    assert doc.text == "source:\n  id: s   # the id\n  title: T\n  publisher: 'no'\nrecommendations: []\n"


def test_appending_to_an_empty_list_writes_a_block_list_and_keeps_the_comment():
    text = "source:\n  id: s\n  title: T\nrecommendations: []   # none yet\n"
    doc = Document(text)
    doc.set(("recommendations",), [{"id": "s-001", "title": "T", "text": "two\nlines", "themes": ["a"]}])
    assert doc.text == (
        "source:\n  id: s\n  title: T\nrecommendations:   # none yet\n"
        "  - id: s-001\n    title: T\n    text: |-\n      two\n      lines\n    themes: [a]\n"
    )


def test_removing_an_item_removes_only_its_lines_and_the_last_leaves_an_empty_list():
    text = "owners:\n  # first\n  - id: a\n    name: A\n  # second\n  - id: b\n    name: B  # bee\n"
    doc = Document(text)
    doc.set(("owners",), [{"id": "a", "name": "A"}])
    assert doc.text == "owners:\n  # first\n  - id: a\n    name: A\n  # second\n"
    doc.set(("owners",), [])
    assert doc.text == "owners: []\n  # first\n  # second\n"
    assert load_yaml(None, doc.text) == {"owners": []}


def test_block_list_items_change_one_by_one_keeping_comments():
    text = "x:\n  themes:\n  - a   # first\n  - b\n  - c   # third\n"
    doc = Document(text)
    doc.set(("x", "themes"), ["a", "B", "c", "d"])
    assert doc.text == "x:\n  themes:\n  - a   # first\n  - B\n  - c   # third\n  - d\n"


def test_flow_mappings_and_crlf_line_ends_are_kept():
    text = "owners:\r\n  - {id: a, name: A}   # flow\r\n"
    doc = Document(text)
    doc.set(("owners", 0, "kind"), "expert-group")
    doc.set(("owners", 0, "name"), "A, B")
    assert doc.text == "owners:\r\n  - {id: a, name: 'A, B', kind: expert-group}   # flow\r\n"
    doc.set(("owners", 0, "name"), None)
    assert doc.text == "owners:\r\n  - {id: a, kind: expert-group}   # flow\r\n"


def test_a_block_scalar_header_comment_stays_and_its_indentation_is_kept():
    text = "r:\n  text: >-   # folded\n        one\n        two\n  next: 1\n"
    doc = Document(text)
    doc.set(("r", "text"), "x\ny")
    assert doc.text == "r:\n  text: |-   # folded\n        x\n        y\n  next: 1\n"
    doc.set(("r", "text"), "single")
    assert doc.text == "r:\n  text: single   # folded\n  next: 1\n"


def test_a_file_without_a_final_newline():
    doc = Document("a:\n  b: 1")
    doc.set(("a", "c"), "two\nlines")
    assert doc.text == "a:\n  b: 1\n  c: |-\n    two\n    lines\n"


def test_a_change_that_cannot_be_made_in_place_leaves_the_text_as_it_was():
    text = "a: &x {b: 1}\nc: *x\n"  # an alias: changing one place changes the other
    doc = Document(text)
    with pytest.raises(EditError, match="by hand"):
        doc.set(("a", "b"), 2)
    assert doc.text == text


@pytest.mark.parametrize("value", ["no", "on", "12:30", "0123", "2025-01-01", "*x", "&x", "!x", "#x",
                                   "1.0e5", "- x", "true", "~", ""])
def test_text_that_would_read_as_something_else_is_quoted(value):
    assert load_yaml(None, f"k: {scalar_text(value)}\n") == {"k": value}
    assert load_yaml(None, f"k: [{scalar_text(value, flow=True)}]\n") == {"k": [value]}
    assert scalar_text(value) != value


def test_render_document_reads_back():
    data = {"source": {"id": "s", "title": "no", "date": dt.date(2025, 1, 2), "authors": ["A, B"]},
            "recommendations": []}
    text = render_document(data)
    assert load_yaml(None, text) == data
    assert text.startswith("source:\n  id: s\n  title: 'no'\n  date: 2025-01-02\n")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_adding_and_removing_items_only_adds_or_removes_lines(data):
    text, recs = data.draw(source_file())
    doc = Document(text)
    if data.draw(st.booleans()):
        index = data.draw(st.integers(0, len(recs) - 1))
        expected = recs[:index] + recs[index + 1:]
    else:
        new = {"id": "new", "title": data.draw(NEW_VALUES["title"]), "text": data.draw(NEW_VALUES["text"])}
        expected = recs + [new]
    doc.set(("recommendations",), expected)
    assert load_yaml(None, doc.text)["recommendations"] == expected
    old, new_lines = text.splitlines(keepends=True), doc.text.splitlines(keepends=True)
    head, tail = _changed_hunk(old, new_lines)
    if len(expected) < len(recs):
        # lines were only taken out, in one place (and "key:" became "key: []" for the last one)
        assert head + tail == len(new_lines) - (0 if expected else 1)
    else:
        assert head + tail == len(old)  # lines were only put in, in one place


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_text_of_an_item_put_back_unchanged_changes_nothing(data):
    text, recs = data.draw(source_file())
    doc = Document(text)
    index = data.draw(st.integers(0, len(recs) - 1))
    item = doc.item_text(("recommendations", index))
    assert load_yaml(None, item) == recs[index]
    doc.replace_item_text(("recommendations", index), item)
    assert doc.text == text
