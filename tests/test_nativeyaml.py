"""The native YAML reader (the ``fast`` extra) gives exactly what the strict loader gives, or steps aside.

Every property here is "the native reader answers None, or the same values
(types included) and the same lines as the strict loader": the strict
loader then reads the file, so its errors and lines are what a user sees.
Where rapidyaml is not installed, the tests that need it are skipped and the
fallback tests still run.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diasporatrack import nativeyaml, yamlio
from diasporatrack.workspace import read_workspace
from diasporatrack.yamlio import ImpossibleDate, LocatedDict, Loader, YamlProblem, load_yaml

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"
needs_ryml = pytest.mark.skipif(nativeyaml.ryml is None, reason="the fast extra (rapidyaml) is not installed")


def _strict(text: str):
    return load_yaml(Path("x.yaml"), text, loader=Loader)


def _same(a, b) -> bool:
    """Equal values of the same types all the way down (True is not 1, a date is not its text)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(type(k) is type(j) and _same(a[k], b[j]) for k, j in zip(a, b))
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and a != a:
        return b != b
    return a == b and repr(a) == repr(b) and getattr(a, "reason", None) == getattr(b, "reason", None)


def _lines(value, found: list, path: str = "$") -> list:
    if isinstance(value, dict):
        found.append((path, value.line, dict(value.key_lines)))
        for key, item in value.items():
            _lines(item, found, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _lines(item, found, f"{path}[{index}]")
    return found


def _agrees(text: str) -> object:
    """Check the native reader against the strict loader on ``text``; the native answer."""
    try:
        strict = _strict(text)
    except YamlProblem:
        strict = YamlProblem
    native = nativeyaml.load(text)
    if native is None:
        return None
    assert strict is not YamlProblem, "the native reader read a file the strict loader refuses"
    assert _same(native, strict)
    assert _lines(native, []) == _lines(strict, [])
    return native


# --- values, one by one -------------------------------------------------------------------------------

TRICKY = ["true", "True", "TRUE", "false", "yes", "no", "on", "off", "y", "n", "~", "null", "Null", "NULL", "",
          "0", "012", "-0", "+5", "-17", "1_000", "0x1F", "0o17", "1e3", "1.5", ".5", "5.", "-.5", "1.5e3", "1.5E+3",
          ".inf", "-.inf", "+.INF", ".nan", ".NaN", "12:30", "1:20:30", "2024-01-31", "2024-02-30", "2024-13-01",
          "2024-1-5", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43", "2001-12-14T21:59:43Z", "<<", "=",
          "-", "a b", "a: b", "a #b", "#x", "'", '"', "\\", "x\\ny", "é", "٪ اردو", "9" * 30, "1" * 5000,
          "-\r", "~\x1b", "2024-01-01\x7f", "[\x9b", "x\x00"]


@needs_ryml
@pytest.mark.parametrize("value", TRICKY)
@pytest.mark.parametrize("style", ["plain", "single", "double", "literal", "folded", "in-list"])
def test_each_scalar_reads_as_the_strict_loader_reads_it(value, style):
    if style == "plain":
        scalar = value
    elif style == "single":
        scalar = "'" + value.replace("'", "''") + "'"
    elif style == "double":
        scalar = json.dumps(value)
    elif style in ("literal", "folded"):
        scalar = ("|-" if style == "literal" else ">-") + "\n      " + value
    else:
        scalar = f"[{value}, x]"
    text = f"source:\n  id: s\n  date: {scalar}\nrecommendations:\n  - id: r\n    due: {scalar}\n    title: t\n"
    _agrees(text)


@needs_ryml
def test_dates_are_dates_only_when_plain():
    text = "source:\n  id: s\n  date: 2024-11-10\n  title: '2024-11-10'\nrecommendations:\n" \
           "  - id: r\n    due: 2025-02-30\n    text: \"2025-06-30\"\n    quote: ~\n    flag: True\n"
    data = _agrees(text)
    assert data is not None, "the shipped layout takes the fast path"
    assert data["source"]["date"] == dt.date(2024, 11, 10) and data["source"]["title"] == "2024-11-10"
    rec = data["recommendations"][0]
    assert isinstance(rec["due"], ImpossibleDate) and rec["text"] == "2025-06-30"
    assert rec["quote"] is None and rec["flag"] is True


@needs_ryml
@pytest.mark.parametrize("text", [
    "a: 1\na: 2\n",                                   # a duplicate key
    "a: &x 1\nb: *x\n",                               # anchors and aliases
    "a: !!str 1\n",                                   # a tag
    "<<: {b: 1}\na: 2\n",                             # a merge key
    "a:\tb\n",                                        # a tab
    "a: b\rc: d\n",                                   # a lone carriage return
    "--- \na: 1\n--- \nb: 2\n",                       # two documents
    "? a\n: b\n",                                     # an explicit key
    "1: a\n",                                         # a key that is a number to the strict rules
    "a: 1e3\n",                                       # a number to JSON, text to the strict rules
    "a: \"\\e\"\n",                                   # an escape the strict loader refuses
    "a: [b\n",                                        # not YAML at all
    "- a\n- b\n",                                     # not a mapping
])
def test_what_the_native_reader_cannot_vouch_for_goes_to_the_strict_loader(text):
    assert nativeyaml.load(text) is None
    _agrees(text)


@needs_ryml
def test_a_parse_error_prints_nothing(capfd):
    assert nativeyaml.load("a: [b\nc: {\n") is None
    assert capfd.readouterr().err == ""


@needs_ryml
def test_windows_line_endings_read_alike():
    text = "source:\r\n  id: s\r\n  note: |\r\n    two\r\n    lines\r\nrecommendations:\r\n  - id: r\r\n    title: t\r\n"
    data = _agrees(text)
    assert data is not None and data["source"]["note"] == "two\nlines\n"


@needs_ryml
def test_lines_of_keys_are_found_when_asked_for():
    text = "source:\n  id: s\n\nrecommendations:\n  # a comment\n  - id: r1\n    title: t\n" \
           "  -\n    id: r2\n    extra:\n      k: v\n    parent: r1\n"
    data = _agrees(text)
    assert data is not None
    first, second = data["recommendations"]
    assert (first.line, second.line) == (6, 9)
    assert second.line_of("parent") == 12 and second["extra"].line == 11
    assert data.line_of("recommendations") == 4


@needs_ryml
def test_located_mappings_pickle_with_their_lines():
    import pickle

    data = nativeyaml.load("source:\n  id: s\nrecommendations:\n  - id: r\n    title: t\n")
    again = pickle.loads(pickle.dumps(data))
    assert type(again) is LocatedDict and again == data
    assert again["recommendations"][0].line == 4 and again["recommendations"][0].line_of("title") == 5


# --- any text --------------------------------------------------------------------------------------------

_scalars = st.one_of(st.sampled_from(TRICKY), st.text(st.characters(blacklist_categories=("Cs",)), max_size=12))
_styles = st.sampled_from(["plain", "single", "double", "literal"])


@st.composite
def _documents(draw) -> str:
    lines = ["source:", "  id: s"]
    for index in range(draw(st.integers(0, 3))):
        lines.append(f"  k{index}: {_render(draw(_scalars), draw(_styles), 4)}")
    lines.append("recommendations:")
    for index in range(draw(st.integers(0, 3))):
        lines.append(f"  - id: r{index}")
        for field in range(draw(st.integers(0, 3))):
            if draw(st.booleans()):
                lines.append(f"    f{field}: {_render(draw(_scalars), draw(_styles), 6)}")
            else:
                items = ", ".join(_render(draw(_scalars), draw(st.sampled_from(['plain', 'double'])), 6)
                                  for _ in range(draw(st.integers(0, 2))))
                lines.append(f"    f{field}: [{items}]")
    return "\n".join(lines) + "\n"


def _render(value: str, style: str, indent: int) -> str:
    if style == "single":
        return "'" + value.replace("'", "''") + "'"
    if style == "double":
        return json.dumps(value, ensure_ascii=False)
    if style == "literal":
        return "|-\n" + "\n".join(" " * indent + line for line in value.split("\n"))
    return value


@needs_ryml
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents())
def test_any_document_reads_alike_or_goes_to_the_strict_loader(text):
    _agrees(text)


@needs_ryml
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents(), st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(
    [":", " ", "\n", "-", "#", "'", '"', "[", "]", "{", "}", ",", "?", "|", ">", "\t", "  ", "x: ", "- ", "\\",
     "&a ", "*a", "!", "%", "@", "`", "---\n", "...\n", "\r", "\r\n", "\u2028", "\x85", "<<: ", "~", "é", "\\x41",
     "\\e", "|-\n", ">+\n", "? ", ": ", " #", "\ufeff"])),
    max_size=3))
def test_any_damaged_document_reads_alike_or_goes_to_the_strict_loader(text, damage):
    for at, piece in damage:
        at %= len(text) + 1
        text = text[:at] + piece + text[at:]
    _agrees(text)


# --- whole workspaces ------------------------------------------------------------------------------------


def _yaml_files(*roots: Path) -> list[Path]:
    return sorted(p for root in roots for p in root.rglob("*.yaml") if p.is_file())


@needs_ryml
def test_generated_benchmark_workspace_reads_alike(tmp_path):
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate.py"), str(tmp_path / "w"), "1000"],
                   check=True, capture_output=True)
    fast = 0
    for path in _yaml_files(tmp_path / "w"):
        fast += _agrees(path.read_text(encoding="utf-8")) is not None
    assert fast == 21  # every source file and owners.yaml took the fast path


@needs_ryml
def test_shipped_workspace_and_test_files_read_alike():
    fast = 0
    for path in _yaml_files(REPO / "recommendations", REPO / "tests"):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            continue
        if text.strip():
            fast += _agrees(text) is not None
    assert fast > 100


def _problems(root: Path) -> list[str]:
    return [str(p) for p in read_workspace(root).problems]


@pytest.fixture
def native(monkeypatch):
    """The native reader loaded, as a read of a whole workspace loads it; unloaded after the test."""
    monkeypatch.delenv(yamlio.NATIVE_ENV, raising=False)
    monkeypatch.setattr(yamlio, "_NATIVE", None)
    assert yamlio.use_native(yamlio.NATIVE_FROM)
    return nativeyaml


@needs_ryml
@pytest.mark.parametrize("case", sorted(p.name for p in CORPUS.iterdir() if p.is_dir()))
def test_every_corpus_case_reports_the_same_problems_either_way(case, native, tmp_path, monkeypatch):
    root = tmp_path / "ws"
    shutil.copytree(CORPUS / case, root)
    monkeypatch.chdir(tmp_path)
    with_native = _problems(Path("ws"))
    monkeypatch.setenv(yamlio.NATIVE_ENV, "0")
    assert _problems(Path("ws")) == with_native


@needs_ryml
def test_a_workspace_read_uses_the_native_reader(native, monkeypatch):
    calls = []
    real = native.load
    monkeypatch.setattr(native, "load", lambda text: calls.append(text) or real(text))
    ws = read_workspace(REPO / "recommendations")
    assert not ws.problems and len(calls) == 3  # the three source files (owners.yaml is read strictly)


@needs_ryml
def test_a_single_file_does_not_load_the_native_reader(monkeypatch):
    monkeypatch.delenv(yamlio.NATIVE_ENV, raising=False)
    monkeypatch.setattr(yamlio, "_NATIVE", None)
    assert not yamlio.use_native(1) and yamlio._native() is None
    assert yamlio.use_native(yamlio.NATIVE_FROM) and yamlio._native() is nativeyaml
    assert yamlio.use_native(1)  # loaded: used from now on
    monkeypatch.setenv(yamlio.NATIVE_ENV, "0")
    assert not yamlio.use_native(100) and yamlio._native() is None


# --- without the native parser ------------------------------------------------------------------------


def test_turned_off_the_strict_loader_reads_everything(monkeypatch):
    def refuse(text):
        raise AssertionError("the native reader was used")

    monkeypatch.setattr(nativeyaml, "load", refuse)
    monkeypatch.setattr(yamlio, "_NATIVE", nativeyaml)
    monkeypatch.setenv(yamlio.NATIVE_ENV, "0")
    assert not yamlio.use_native(100)
    data = load_yaml(Path("x.yaml"), "source:\n  id: s\n  date: 2024-01-02\n")
    assert data == {"source": {"id": "s", "date": dt.date(2024, 1, 2)}} and data["source"].line == 2
    with pytest.raises(YamlProblem) as err:
        load_yaml(Path("x.yaml"), "a: 1\na: 2\n")
    assert (err.value.problem.line, err.value.problem.message) == (2, "duplicate key 'a' (first on line 1)")
    ws = read_workspace(REPO / "recommendations")
    assert not ws.problems and len(ws.recommendations) > 10


def test_without_ryml_the_workspace_reads_as_before(monkeypatch):
    monkeypatch.delenv(yamlio.NATIVE_ENV, raising=False)
    monkeypatch.setattr(nativeyaml, "ryml", None)
    monkeypatch.setattr(yamlio, "_NATIVE", None)
    assert not yamlio.use_native(1000) and yamlio._native() is None
    ws = read_workspace(REPO / "recommendations")
    assert not ws.problems and len(ws.recommendations) > 10
