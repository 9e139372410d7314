"""Writing YAML values as text that reads back as exactly that value.

:func:`scalar_text` uses :mod:`yaml`'s own emitter and reads the result back
with the project's strict loader: text that YAML 1.1 or the strict loader
would read as something else (``no``, ``on``, ``12:30``, ``0123``,
``2025-01-01``, ``1.0e5``, a leading ``*``, ``&``, ``!``, ``#``) gets quotes.
Multi-line text becomes a ``|`` block where that reads back the same.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from .errors import DiasporatrackError
from .yamlio import YamlProblem, load_yaml

__all__ = ["EditError", "block_item", "block_value", "render_document", "scalar_text"]


class EditError(DiasporatrackError):
    """A change could not be written into a file without disturbing it."""


def _reads_back(text: str, value: Any, flow: bool) -> bool:
    doc = f"k: [{text}]\n" if flow else f"k: {text}\n"
    try:
        loaded = load_yaml(None, doc)  # type: ignore[arg-type]
    except YamlProblem:
        return False
    got = loaded.get("k") if isinstance(loaded, dict) else None
    return got == ([value] if flow else value) and type(got if not flow else got[0]) is type(value)


def scalar_text(value: Any, *, flow: bool = False) -> str:
    """One value as YAML text on one line, quoted when it would read as something else.

    ``flow`` is for a value inside ``[...]`` or ``{...}``, where ``,`` and
    brackets also need quotes.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)) or isinstance(value, dt.date):
        return value.isoformat() if isinstance(value, dt.date) else repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(scalar_text(v, flow=True) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key_text(k)}: {scalar_text(v, flow=True)}" for k, v in value.items()) + "}"
    if not isinstance(value, str):
        raise EditError(f"cannot write a {type(value).__name__} in YAML")
    if "\n" not in value and "\r" not in value:
        dumped = yaml.safe_dump([value] if flow else value, allow_unicode=True, width=float("inf"),
                                default_flow_style=True)
        text = dumped[1:-2] if flow else dumped.rstrip("\n").removesuffix("\n...")
        if "\n" not in text and _reads_back(text, value, flow):
            return text
    # Double quotes can say anything on one line (line breaks become \n).
    text = yaml.safe_dump(value, allow_unicode=True, width=float("inf"), default_style='"').rstrip("\n")
    if "\n" in text or not _reads_back(text, value, flow):
        raise EditError(f"cannot write {value!r} as YAML text")
    return text


def key_text(key: str) -> str:
    return scalar_text(key, flow=True)


def _literal_lines(value: str) -> tuple[str, list[str]] | None:
    """A multi-line text as a ``|`` block: its header and its lines (unindented), or None."""
    if "\r" in value or value.endswith("\n\n") or "\t" in value:
        return None
    lines = value.split("\n")
    header = "|"
    if value.endswith("\n"):
        lines = lines[:-1]
    else:
        header = "|-"
    first = next((line for line in lines if line.strip()), None)
    if first is None or first[0] == " ":
        return None
    body = "".join("  " + line + "\n" if line else "\n" for line in lines)
    try:
        if load_yaml(None, f"k: {header}\n{body}") != {"k": value}:  # type: ignore[arg-type]
            return None
    except YamlProblem:
        return None
    return header, lines


def block_value(value: Any, col: int, nl: str) -> tuple[str, str]:
    """A value written after ``key:`` at column ``col``: the rest of that line and the lines after it."""
    if isinstance(value, str) and "\n" in value:
        literal = _literal_lines(value)
        if literal is not None:
            header, lines = literal
            pad = " " * (col + 2)
            return " " + header, "".join(pad + line + nl if line else nl for line in lines)
    if isinstance(value, dict) and value:
        return "", _block_mapping(value, col + 2, nl)
    if isinstance(value, (list, tuple)) and value and any(isinstance(v, dict) for v in value):
        return "", "".join(block_item(v, col + 2, col + 4, nl) for v in value)
    return " " + scalar_text(value), ""


def _block_mapping(mapping: dict, col: int, nl: str, first_prefix: str | None = None) -> str:
    out = []
    for i, (key, value) in enumerate(mapping.items()):
        rest, below = block_value(value, col, nl)
        prefix = first_prefix if i == 0 and first_prefix is not None else " " * col
        out.append(f"{prefix}{key_text(key)}:{rest}{nl}{below}")
    return "".join(out)


def block_item(value: Any, dash_col: int, item_col: int, nl: str) -> str:
    prefix = " " * dash_col + "-" + " " * (item_col - dash_col - 1)
    if isinstance(value, dict) and value:
        return _block_mapping(value, item_col, nl, first_prefix=prefix)
    return prefix + scalar_text(value) + nl


def render_document(data: dict, nl: str = "\n") -> str:
    """A new file holding ``data`` (a mapping), in block style."""
    return _block_mapping(data, 0, nl)
