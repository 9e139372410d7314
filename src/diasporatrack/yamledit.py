"""Changing authored YAML by splicing text: only the changed lines change.

A :class:`Document` holds a file's text and its composed node tree (PyYAML's
pure-Python composer records where every node starts and ends). A change is
made by cutting the text of the located node out and splicing new text in;
every comment, every key order and every other byte stays as it was. New
values are written by :mod:`yaml`'s own emitter and read back with the
project's strict loader before they are used, so ``no``, ``12:30``, ``0123``
or ``2025-01-01`` meant as text get quotes.

Each change is checked: the new text is parsed again and must hold exactly
the old data with that one change. Anything else raises :class:`EditError`
and the document is left as it was.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import yaml

from .yamlemit import EditError, block_value, key_text, render_document, scalar_text
from .yamlio import Loader, YamlProblem, load_yaml
from .yamllists import ListEdits, plain

__all__ = ["Document", "EditError", "render_document", "scalar_text"]

Path_ = tuple  # a path of mapping keys and list indexes from the document root
_BLOCK_HEADER = re.compile(r"[|>][-+1-9]*")


# --- the document -------------------------------------------------------------


class Document(ListEdits):
    """The text of one YAML file and the positions of its nodes."""

    def __init__(self, text: str, name: str = "<text>") -> None:
        self.name = name
        self.nl = "\r\n" if "\r\n" in text else "\n"
        self._set_text(text)

    def _set_text(self, text: str) -> None:
        # One parse gives both the nodes (with their places) and the data, built
        # by the strict loader's own constructor. libyaml's marks count
        # characters like the pure-Python parser's (and every change is checked).
        loader = Loader(text)
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            line = f":{mark.line + 1}" if mark is not None else ""
            raise EditError(f"{self.name}{line}: {err.problem or err.context or 'invalid YAML'}") from None
        except (yaml.YAMLError, RecursionError) as err:
            raise EditError(f"{self.name}: not valid YAML: {err}") from None
        finally:
            loader.dispose()
        self.root, self.data, self.text = root, data, text

    # --- finding ------------------------------------------------------------

    def node(self, path: Path_) -> yaml.Node:
        """The node at ``path`` (mapping keys and list indexes)."""
        return self._walk(path)[0]

    def _walk(self, path: Path_) -> tuple[yaml.Node, bool]:
        node, flow = self.root, False
        for step in path:
            if node is None:
                raise KeyError(step)
            flow = flow or bool(getattr(node, "flow_style", False))
            if isinstance(node, yaml.MappingNode):
                node = next((v for k, v in node.value if k.value == step), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                node = node.value[step]
            else:
                raise KeyError(step)
        if node is None:
            raise KeyError(path[-1])
        return node, flow

    def value(self, path: Path_) -> Any:
        """The loaded value at ``path``; ``None`` when a mapping lacks the key."""
        data = self.data
        for step in path:
            if isinstance(data, dict):
                data = data.get(step)
            elif isinstance(data, list) and isinstance(step, int) and step < len(data):
                data = data[step]
            else:
                return None
        return data

    def lines_of(self, path: Path_) -> tuple[int, int]:
        """First and last line (1-based) of the key and value at ``path``."""
        mapping, _ = self._walk(path[:-1])
        pair = self._pair(mapping, path[-1])
        if pair is None:
            raise KeyError(path[-1])
        key, value = pair
        return key.start_mark.line + 1, self.text.count("\n", 0, self._end(value)) + 1

    def item_text(self, path: Path_) -> str:
        """The block-list item at ``path`` as written, without its dash and indentation."""
        seq, item = self._block_item_at(path)
        start, end = self._item_range(item)
        col = item.start_mark.column
        lines = self.text[start:end].splitlines(keepends=True)
        rest = [line[min(col, len(line) - len(line.lstrip(" "))):] for line in lines[1:]]
        return "".join([lines[0][col:], *rest]).replace("\r\n", "\n")

    def replace_item_text(self, path: Path_, text: str) -> None:
        """Put ``text`` (as :meth:`item_text` gives it, edited) in place of the item at ``path``."""
        seq, item = self._block_item_at(path)
        start, end = self._item_range(item)
        value = self._parse_item(text)
        expected = _replaced(self.data, path, value)
        prefix = self.text[start:item.start_mark.index]
        self._apply([(start, end, self._indent(text, prefix))], expected, path)

    def append_item_text(self, path: Path_, text: str) -> None:
        """Add ``text`` (one mapping, unindented) as the last item of the list at ``path``."""
        value = self._parse_item(text)
        try:
            seq, _ = self._walk(path)
        except KeyError:
            seq = None
        if not isinstance(seq, yaml.SequenceNode) or seq.flow_style or not seq.value:
            mapping, _ = self._walk(path[:-1])
            pair = self._pair(mapping, path[-1])
            empty = pair is not None and not mapping.flow_style and (
                isinstance(pair[1], yaml.SequenceNode) and not pair[1].value
                or isinstance(pair[1], yaml.ScalarNode) and self.value(path) is None)
            if not empty:
                self.set(path, list(self.value(path) or []) + [value])
                return
            # "key: []" or "key:" becomes a block list holding the text as written
            key, node = pair
            colon, end = self._colon(key), self._end(node)
            at = self._after_line(end)
            lead = self.nl if at == len(self.text) and not self.text.endswith("\n") else ""
            expected = _replaced(self.data, path, [value])
            prefix = " " * (key.start_mark.column + 2) + "- "
            self._apply([(colon, end, ""), (at, at, lead + self._indent(text, prefix))], expected, path)
            return
        first = seq.value[0]
        start = self._item_range(first)[0]
        prefix = self.text[start:first.start_mark.index]
        at = self._after_line(self._end(seq.value[-1]))
        lead = self.nl if at == len(self.text) and not self.text.endswith("\n") else ""
        expected = _replaced(self.data, path, [*self.value(path), value])
        self._apply([(at, at, lead + self._indent(text, prefix))], expected, path)

    def _block_item_at(self, path: Path_) -> tuple[yaml.Node, yaml.Node]:
        seq, _ = self._walk(path[:-1])
        if not isinstance(seq, yaml.SequenceNode) or seq.flow_style:
            raise EditError(f"{self.name}: {_show(path[:-1])} is not a block list; change it by hand")
        return seq, seq.value[path[-1]]

    def _parse_item(self, text: str) -> dict:
        try:
            value = load_yaml(None, text)  # type: ignore[arg-type]
        except YamlProblem as err:
            raise EditError(f"line {err.problem.line}: {err.problem.message}") from None
        if not isinstance(value, dict):
            raise EditError("line 1: expected a mapping of fields (key: value lines)")
        return plain(value)

    def _indent(self, text: str, prefix: str) -> str:
        """``text`` indented as an item whose first line starts with ``prefix`` (``"  - "``)."""
        pad = " " * len(prefix)
        lines = text.replace("\r\n", "\n").rstrip("\n").split("\n")
        out = [prefix + lines[0]] + [pad + line if line.strip() else "" for line in lines[1:]]
        return self.nl.join(out) + self.nl

    # --- positions ------------------------------------------------------------

    def _end(self, node: yaml.Node) -> int:
        """Where the text of a node ends (block nodes: after their last content, not at the next token)."""
        if isinstance(node, yaml.ScalarNode):
            end = node.end_mark.index
            if node.style in ("|", ">"):
                while end > node.start_mark.index and self.text[end - 1] in "\r\n \t":
                    end -= 1
                end = self._line_stop(end)
            return end
        if getattr(node, "flow_style", False) or not node.value:
            return node.end_mark.index
        last = node.value[-1]
        return self._end(last[1] if isinstance(node, yaml.MappingNode) else last)

    def _line_start(self, index: int) -> int:
        return self.text.rfind("\n", 0, index) + 1

    def _line_stop(self, index: int) -> int:
        """The end of the line holding ``index`` (before its line break)."""
        stop = self.text.find("\n", index)
        stop = len(self.text) if stop == -1 else stop
        return stop - 1 if stop > 0 and self.text[stop - 1] == "\r" else stop

    def _after_line(self, index: int) -> int:
        stop = self.text.find("\n", index)
        return len(self.text) if stop == -1 else stop + 1

    def _colon(self, key: yaml.Node) -> int:
        colon = self.text.find(":", key.end_mark.index)
        if colon == -1:
            raise EditError(f"{self.name}: cannot find the ':' after {key.value!r}")
        return colon + 1

    def _dash(self, item: yaml.Node) -> int:
        pos = item.start_mark.index - 1
        while pos >= 0 and self.text[pos] in " \t":
            pos -= 1
        if pos < 0 or self.text[pos] != "-" or self.text[self._line_start(pos):pos].strip():
            raise EditError(f"{self.name}:{item.start_mark.line + 1}: a list item laid out in a way "
                            "this change does not handle; change it by hand")
        return pos

    def _item_range(self, item: yaml.Node) -> tuple[int, int]:
        return self._line_start(self._dash(item)), self._after_line(self._end(item))

    def _column(self, index: int) -> int:
        return index - self._line_start(index)

    def _pair(self, mapping: yaml.Node, key: Any) -> tuple[yaml.Node, yaml.Node] | None:
        if not isinstance(mapping, yaml.MappingNode):
            raise EditError(f"{self.name}:{mapping.start_mark.line + 1}: expected a mapping")
        return next(((k, v) for k, v in mapping.value if k.value == key), None)

    # --- changing --------------------------------------------------------------

    def set(self, path: Path_, value: Any) -> None:
        """Set the mapping key at ``path`` to ``value`` (``None``: remove the key).

        A missing key is added after its siblings; a list is changed item by
        item, in the style (flow or block) it was written in.
        """
        expected = _replaced(self.data, path, _GONE if value is None else plain(value))
        mapping, flow = self._walk(path[:-1])
        flow = flow or bool(mapping.flow_style)
        pair = self._pair(mapping, path[-1])
        if pair is None and value is None:
            return
        if pair is None:
            edits = self._add_key(mapping, path[-1], value, flow)
        elif value is None:
            edits = self._remove_key(mapping, pair, flow)
        elif isinstance(value, (list, tuple)) and isinstance(pair[1], yaml.SequenceNode):
            edits = self._set_items(path, pair, list(value), flow)
        else:
            edits = self._replace(pair, value, flow)
        self._apply(edits, expected, path)

    def _apply(self, edits: list[tuple[int, int, str]], expected: Any, path: Path_) -> None:
        text = self.text
        for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
            text = text[:start] + new + text[end:]
        old = self.text
        try:
            self._set_text(text)
        except EditError as err:
            self._set_text(old)
            raise EditError(f"{self.name}: changing {_show(path)} would break the file ({err}); "
                            "change it by hand") from None
        if self.data != expected:
            self._set_text(old)
            raise EditError(f"{self.name}: changing {_show(path)} in place would change more than it; "
                            "change it by hand")

    def _add_key(self, mapping: yaml.MappingNode, key: str, value: Any, flow: bool) -> list:
        if flow:
            text = f"{key_text(key)}: {scalar_text(value, flow=True)}"
            if not mapping.value:
                return [(mapping.start_mark.index + 1, mapping.start_mark.index + 1, text)]
            return [(self._end(mapping.value[-1][1]), self._end(mapping.value[-1][1]), ", " + text)]
        if not mapping.value:
            raise EditError(f"{self.name}: cannot add {key!r} to an empty mapping")
        col = mapping.value[0][0].start_mark.column
        rest, below = block_value(value, col, self.nl)
        at = self._after_line(self._end(mapping.value[-1][1]))
        lead = self.nl if at == len(self.text) and not self.text.endswith("\n") else ""
        return [(at, at, f"{lead}{' ' * col}{key_text(key)}:{rest}{self.nl}{below}")]

    def _remove_key(self, mapping: yaml.MappingNode, pair: tuple, flow: bool) -> list:
        pairs = mapping.value
        i = next(n for n, p in enumerate(pairs) if p[0] is pair[0])
        key, value = pair
        if flow:
            if i + 1 < len(pairs):
                return [(key.start_mark.index, pairs[i + 1][0].start_mark.index, "")]
            if i > 0:
                return [(self._end(pairs[i - 1][1]), self._end(value), "")]
            return [(key.start_mark.index, self._end(value), "")]
        start = key.start_mark.index
        if self.text[self._line_start(start):start].strip():  # "- key: ..." : the key shares the dash's line
            if i + 1 >= len(pairs):
                raise EditError(f"{self.name}:{key.start_mark.line + 1}: cannot remove the only field")
            return [(start, pairs[i + 1][0].start_mark.index, "")]
        return [(self._line_start(start), self._after_line(self._end(value)), "")]

    def _replace(self, pair: tuple, value: Any, flow: bool) -> list:
        key, node = pair
        col = key.start_mark.column
        scalar = isinstance(node, yaml.ScalarNode)
        if scalar and node.style in ("|", ">"):  # the header stays on the key's line, the lines below go
            start = node.start_mark.index
            header_end = _BLOCK_HEADER.match(self.text, start).end()
            body = (self._after_line(start), self._after_line(self._end(node)))
            lines = [line for line in self.text[body[0]:body[1]].splitlines() if line.strip()]
            if lines:  # keep the block's own indentation
                col = max(col, len(lines[0]) - len(lines[0].lstrip(" ")) - 2)
        elif scalar and node.start_mark.index == node.end_mark.index:  # "key:" with nothing after it
            start = header_end = self._colon(key)
            body = (self._after_line(start),) * 2
        elif scalar or flow or node.flow_style:
            start, header_end = node.start_mark.index, self._end(node)
            body = (self._after_line(header_end),) * 2
        else:  # a block list or mapping gives way to a value on the key's line
            start = header_end = self._colon(key)
            body = (self._after_line(start), self._after_line(self._end(node)))
        if flow:
            rest, below = " " + scalar_text(value, flow=True), ""
        else:
            rest, below = block_value(value, col, self.nl)
        if start != header_end:  # replacing text that already follows "key: "
            rest = rest[1:] if rest.startswith(" ") else rest
        if below and body[0] == len(self.text) and not self.text.endswith("\n"):
            below = self.nl + below
        return [(start, header_end, rest), (body[0], body[1], below)]


_GONE = object()


def _replaced(data: Any, path: Path_, value: Any) -> Any:
    """``data`` with the value at ``path`` replaced (``_GONE``: removed), sharing every untouched part."""
    if not path:
        return value
    step, rest = path[0], path[1:]
    copy_ = dict(data) if isinstance(data, dict) else list(data)
    if not rest and value is _GONE:
        if isinstance(copy_, dict):
            copy_.pop(step, None)
        else:
            del copy_[step]
    else:
        copy_[step] = _replaced(data.get(step) if isinstance(data, dict) else data[step], rest, value)
    return copy_


def _show(path: Sequence) -> str:
    return ".".join(str(step) for step in path)
