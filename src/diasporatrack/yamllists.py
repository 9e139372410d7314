"""Changing a YAML list in place: items added, removed and replaced with the fewest spliced lines.

The old and new items are compared as JSON text, and only the items that
differ are cut or spliced, in the list's own style (flow ``[a, b]`` or
block ``- a``). Part of :class:`diasporatrack.yamledit.Document`.
"""

from __future__ import annotations

import difflib
import json
from typing import Any

import yaml

from .yamlemit import block_item, scalar_text


def plain(value: Any) -> Any:
    """Loaded data with tuples as lists, for comparing with what a change should give."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


class ListEdits:
    """The list edits of a :class:`~diasporatrack.yamledit.Document` (it supplies the text and node helpers)."""

    def _set_items(self, path: tuple, pair: tuple, new: list, flow: bool) -> list:
        key, seq = pair
        old = seq.value
        as_key = [json.dumps(v, sort_keys=True, default=str) for v in plain(self.value(path))]
        new_key = [json.dumps(plain(v), sort_keys=True, default=str) for v in new]
        ops = difflib.SequenceMatcher(None, as_key, new_key, autojunk=False).get_opcodes()
        if seq.flow_style or flow:
            return self._set_flow_items(seq, old, new, ops, flow, key)
        return self._set_block_items(key, seq, old, new, ops)

    def _set_flow_items(self, seq, old, new, ops, in_flow, key) -> list:
        if not new and not old:
            return []
        if any(isinstance(v, dict) for v in new) and not old and not in_flow:
            # recommendations: [] becomes a block list
            col = key.start_mark.column
            colon = self._colon(key)
            items = "".join(block_item(v, col + 2, col + 4, self.nl) for v in new)
            at = self._after_line(seq.end_mark.index)
            lead = self.nl if at == len(self.text) and not self.text.endswith("\n") else ""
            return [(colon, seq.end_mark.index, ""), (at, at, lead + items)]
        edits = []
        for tag, i1, i2, j1, j2 in ops:
            texts = [scalar_text(v, flow=True) for v in new[j1:j2]]
            if tag == "replace":
                for n in range(min(i2 - i1, j2 - j1)):
                    edits.append((old[i1 + n].start_mark.index, self._end(old[i1 + n]), texts[n]))
                if i2 - i1 > j2 - j1:
                    tag, i1 = "delete", i1 + (j2 - j1)
                elif j2 - j1 > i2 - i1:
                    tag, texts, i1 = "insert", texts[i2 - i1:], i2
            if tag == "delete":
                if i2 < len(old):
                    edits.append((old[i1].start_mark.index, old[i2].start_mark.index, ""))
                elif i1 > 0:
                    edits.append((self._end(old[i1 - 1]), self._end(old[i2 - 1]), ""))
                else:
                    edits.append((old[0].start_mark.index, self._end(old[-1]), ""))
            elif tag == "insert":
                if i1 < len(old):
                    edits.append((old[i1].start_mark.index, old[i1].start_mark.index, ", ".join(texts) + ", "))
                elif old:
                    edits.append((self._end(old[-1]), self._end(old[-1]), ", " + ", ".join(texts)))
                else:
                    at = seq.start_mark.index + 1
                    edits.append((at, seq.end_mark.index - 1, ", ".join(texts)))
        return edits

    def _set_block_items(self, key, seq, old, new, ops) -> list:
        if not new:  # a block list cannot be empty: write []
            colon = self._colon(key)
            start, _ = self._item_range(old[0])
            return [(colon, colon, " []"), (start, self._item_range(old[-1])[1], "")]
        dash_col = self._column(self._dash(old[0]))
        item_col = old[0].start_mark.column
        edits = []
        for tag, i1, i2, j1, j2 in ops:
            if tag == "replace":
                n = 0
                while n < min(i2 - i1, j2 - j1):
                    item, value = old[i1 + n], new[j1 + n]
                    if not isinstance(item, yaml.ScalarNode) or isinstance(value, (dict, list)) \
                            or item.style in ("|", ">"):
                        break
                    edits.append((item.start_mark.index, item.end_mark.index, scalar_text(value)))
                    n += 1
                i1, j1 = i1 + n, j1 + n
                if i1 < i2:
                    start, end = self._item_range(old[i1])[0], self._item_range(old[i2 - 1])[1]
                    edits.append((start, end, ""))
                tag = "insert" if j1 < j2 else "equal"
                at_item = i2
            else:
                at_item = i1
            if tag == "delete":
                edits.append((self._item_range(old[i1])[0], self._item_range(old[i2 - 1])[1], ""))
            elif tag == "insert":
                text = "".join(block_item(v, dash_col, item_col, self.nl) for v in new[j1:j2])
                if at_item < len(old):
                    at = self._item_range(old[at_item])[0]
                else:
                    at = self._item_range(old[-1])[1]
                    if at == len(self.text) and not self.text.endswith("\n"):
                        text = self.nl + text
                edits.append((at, at, text))
        return edits
