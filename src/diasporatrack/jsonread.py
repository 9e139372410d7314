"""JSON text read by the C scanner alone, for a command answered straight from the cache.

Importing ``json`` compiles its regular expressions, which costs that path
more than the reading. The scanner of ``_json`` (what ``json.loads`` runs)
reads the same values; where it is missing, ``json`` does.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_scan = None
_SPACE = " \t\n\r"  # JSON's whitespace


class _Settings:
    """What the scanner reads from a decoder: ``json.loads``'s defaults."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}.__getitem__
    memo: dict = {}


def loads(text: str) -> Any:
    """The value of a JSON document, as ``json.loads(text)`` gives it; ValueError if it is not one."""
    global _scan
    if _scan is None:
        try:
            from _json import make_scanner
        except ImportError:
            import json

            _scan = json.JSONDecoder().scan_once
        else:
            _scan = make_scanner(_Settings())
    start = len(text) - len(text.lstrip(_SPACE))
    try:
        value, end = _scan(text, start)
    except StopIteration:
        raise ValueError("not a JSON document") from None
    if text[end:].strip(_SPACE):
        raise ValueError("text after the JSON document")
    return value
