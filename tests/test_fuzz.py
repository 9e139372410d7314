"""Fuzzing the loader: generated source files, valid and subtly broken.

Either the file loads, and what loads is what was written, or every problem
it gets names the file and a line. Nothing else: no crash, no traceback.
"""

from __future__ import annotations

import datetime as dt
import os

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diasporatrack import DEFAULT_LIFECYCLE, Tracker, validate

# Control characters other than tab and newline are refused on reading (tests/corpus has them).
CHARS = (st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85\u2028\u2029")
         | st.sampled_from("\t\n"))
texts = st.text(CHARS, min_size=1, max_size=15)
filled = texts.filter(str.strip)  # a title or text of blanks alone is refused, as the schema says
ids = st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True)
scalars = st.one_of(texts, st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False),
                    st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)), st.lists(texts, max_size=2))

recommendation = st.fixed_dictionaries(
    {"id": ids, "title": filled, "text": filled},
    optional={"quote": texts, "addressed_to": st.lists(texts, max_size=2), "themes": st.lists(texts, max_size=2),
              "owners": st.lists(st.sampled_from(["org", "edu"]), max_size=2, unique=True),
              "status": st.sampled_from(DEFAULT_LIFECYCLE.names),
              "due": st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1)), "review_every": st.integers(1, 99),
              "impact": st.sampled_from(["none", "minor", "moderate", "transformative"])},
)
document = st.fixed_dictionaries({
    "source": st.fixed_dictionaries({"id": ids, "title": filled}),
    "recommendations": st.lists(recommendation, max_size=4, unique_by=lambda r: r["id"]),
})


@st.composite
def mutated(draw):
    """A valid document as YAML text, perhaps broken in one small way."""
    doc = draw(document)
    kind = draw(st.sampled_from(["none", "drop", "retype", "unknown", "duplicate-key", "truncate", "insert",
                                 "bad-date", "bad-status", "control"]))
    recs = doc["recommendations"]
    if recs and kind in ("drop", "retype", "unknown", "bad-date", "bad-status"):
        rec = recs[draw(st.integers(0, len(recs) - 1))]
        field = draw(st.sampled_from(sorted(rec)))
        if kind == "drop":
            del rec[field]
        elif kind == "retype":
            rec[field] = draw(scalars)
        elif kind == "unknown":
            rec[draw(st.sampled_from(["titel", "owner", "statuses", "colour"]))] = draw(scalars)
        elif kind == "bad-date":
            rec["due"] = draw(st.sampled_from(["2025-02-30", "2025-13-01", "soon", "30/06/2025"]))
        else:
            rec["status"] = draw(st.sampled_from(["done", "Accepted", "in progress", ""]))
    if kind == "control":  # written as an escape by the dumper: "\e", "\0", "\x9B"
        doc["source"]["title"] += draw(st.sampled_from(["\x1b", "\x00", "\r", "\x9b", "\x7f", "\x08"]))
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    if kind == "duplicate-key":
        text = text.replace("  title:", "  title: again\n  title:", 1)
    elif kind == "truncate":
        text = text[: draw(st.integers(0, len(text)))]
    elif kind == "insert":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from([":", "- ", "[", "{", "\t", "&a ", "*a", "!!python/name:os.system ",
                                                 "\x00", "'", '"', "\n  - "])) + text[at:]
    return doc, kind, text


@settings(max_examples=int(os.environ.get("DIASPORATRACK_FUZZ_EXAMPLES", "2000")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(mutated())
def test_loader_accepts_and_round_trips_or_rejects_with_a_location(tmp_path, case):
    doc, kind, text = case
    for stale in tmp_path.glob("*.yaml"):
        stale.unlink()
    (tmp_path / "owners.yaml").write_text("owners:\n  - id: org\n    name: Org\n  - id: edu\n    name: Edu\n")
    (tmp_path / "doc.yaml").write_text(text, encoding="utf-8")
    problems = validate(tmp_path)
    for problem in problems:
        assert problem.path is not None and problem.path.name == "doc.yaml", str(problem)
        assert problem.line is not None and problem.line >= 1, str(problem)
        assert "\n" not in problem.message
    if kind == "none":
        assert problems == [], [str(p) for p in problems]
    if kind == "control":
        assert [p.message for p in problems][:1] == [
            f"control character U+{ord(doc['source']['title'][-1]):04X} is not allowed (only newline and tab are)"]
    if problems:
        return
    if kind in ("none", "drop", "unknown") or kind == "retype":
        tracker = Tracker.open(tmp_path, cache=False)
        if kind == "none":
            for rec in doc["recommendations"]:
                loaded = tracker.get(rec["id"])
                assert (loaded.title, loaded.text) == (rec["title"], rec["text"])
                assert loaded.status == rec.get("status", "proposed")
                assert loaded.due == rec.get("due")
                assert list(loaded.owners) == rec.get("owners", [])
