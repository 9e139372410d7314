"""The strict YAML reader: safe, no YAML 1.1 surprises, located errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from diasporatrack.yamlio import ImpossibleDate, LocatedDict, YamlProblem, _PureLoader, load_yaml

LOADERS = pytest.mark.parametrize("loader", [None, _PureLoader], ids=["fast", "pure"])


def parse(text: str, loader=None):
    return load_yaml(Path("f.yaml"), text, loader=loader)


def problem_of(text: str, loader=None):
    with pytest.raises(YamlProblem) as info:
        parse(text, loader)
    return info.value.problem


@LOADERS
def test_yaml_11_surprises_stay_text(loader):
    data = parse("country: NO\nflag: on\nok: yes\nat: 12:30\nzip: 0123\nreal: true\nn: 12\nx: 1.5\nnone: null\n",
                 loader)
    assert data == {"country": "NO", "flag": "on", "ok": "yes", "at": "12:30", "zip": "0123",
                    "real": True, "n": 12, "x": 1.5, "none": None}


@LOADERS
def test_dates_are_dates_and_impossible_dates_are_located(loader):
    assert parse("due: 2025-06-30\n", loader) == {"due": dt.date(2025, 6, 30)}
    # An impossible date is kept as text that knows why; the field that holds it reports it.
    value = parse("a: 1\ndue: 2025-02-30\n", loader)["due"]
    assert isinstance(value, ImpossibleDate) and value == "2025-02-30"
    assert value.reason == "day is out of range for month"


@LOADERS
def test_duplicate_key_names_both_lines(loader):
    problem = problem_of("a: 1\nb: 2\na: 3\n", loader)
    assert problem.line == 3
    assert problem.message == "duplicate key 'a' (first on line 1)"


@LOADERS
def test_python_tags_are_refused_and_nothing_runs(loader, tmp_path):
    marker = tmp_path / "ran"
    problem = problem_of(f"x: !!python/object/apply:os.system ['touch {marker}']\n", loader)
    assert "is not allowed" in problem.message
    assert problem.line == 1
    assert not marker.exists()


@LOADERS
def test_syntax_error_has_a_line(loader):
    problem = problem_of("a: 1\nb: [unclosed\nc: 2\n", loader)
    assert problem.path == Path("f.yaml")
    assert problem.line is not None and problem.line >= 2


def test_not_utf8_is_located(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("a: 1\nb: caf\xe9\n".encode("latin-1"))
    with pytest.raises(YamlProblem) as info:
        load_yaml(path)
    assert info.value.problem.line == 2
    assert "not UTF-8" in info.value.problem.message


def test_mappings_remember_lines():
    data = parse("top:\n  - id: a\n    title: x\n  - id: b\n")
    first, second = data["top"]
    assert isinstance(first, LocatedDict)
    assert (first.line, second.line) == (2, 4)
    assert first.line_of("title") == 3
    assert first.line_of("missing") == 2


def test_merge_keys_are_refused():
    assert "merge keys" in problem_of("a: &x {k: 1}\nb:\n  <<: *x\n").message


# NEL and the Unicode line/paragraph separators are line breaks to YAML; PyYAML's
# dumper writes them unescaped in plain scalars, which no reader can round-trip.
# Control characters other than tab and newline are refused on reading (tests/corpus has them).
CHARS = (st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85\u2028\u2029")
         | st.sampled_from("\t\n"))
texts = CHARS
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(texts, max_size=30),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
)
documents = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(texts, max_size=10), children, max_size=4),
    max_leaves=20,
)


@given(documents)
def test_round_trip_of_plain_data(value):
    # Whatever PyYAML's safe dumper writes, the strict reader reads back unchanged,
    # with both parsers.
    text = yaml.safe_dump({"v": value}, allow_unicode=True)
    assert parse(text) == {"v": value}
    assert parse(text, _PureLoader) == {"v": value}


def test_libyaml_is_used_when_pyyaml_has_it():
    from diasporatrack import yamlio

    if yaml.__with_libyaml__:
        assert yamlio.Loader.__name__ == "_FastLoader"
    else:
        assert yamlio.Loader is _PureLoader
