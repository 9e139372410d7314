"""The start-up path's JSON reader gives what ``json.loads`` gives, and refuses what it refuses."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from diasporatrack import jsonread

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20)


@given(VALUES, st.sampled_from([None, 2]), st.sampled_from(["", " ", "\n\t "]))
def test_it_reads_what_json_reads(value, indent, space):
    text = space + json.dumps(value, indent=indent, ensure_ascii=False) + space
    assert json.dumps(jsonread.loads(text)) == json.dumps(json.loads(text))  # dumps: NaN is never equal to itself


@pytest.mark.parametrize("text", ["", " ", "[1,", "[1] 2", "{'a': 1}", "nul", "[1,]", '"\x01"', "01"])
def test_it_refuses_what_json_refuses(text):
    with pytest.raises(ValueError):
        json.loads(text)
    with pytest.raises(ValueError):
        jsonread.loads(text)
