"""Text from a workspace, made safe to show: in a terminal, and inside an error message.

A workspace may come from anyone, so its text may try to talk to the
terminal (escape sequences set the window title or erase lines), reorder
what is displayed (bidi overrides), or be huge (an error quoting a 5 MB value
floods the screen). Three small tools, used everywhere text is shown:

* :func:`control_character` finds the characters the data files may not hold;
* :func:`terminal_safe` strips what a terminal would obey, keeping the marks
  that right-to-left text (Urdu, Persian, Arabic) needs;
* :func:`quote` gives a bounded, escaped rendering of any value for a message.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # typing itself is not imported: it costs start-up
if TYPE_CHECKING:
    from typing import Any

__all__ = ["QUOTE_LIMIT", "TerminalSafeStream", "clip", "control_character", "describe_character", "quote",
           "terminal_safe"]

# C0 controls but tab and newline, DEL, and the C1 controls (0x80-0x9f: 0x9b is a one-byte escape).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# What a terminal must not get: every control above, carriage return and escape included, and
# the bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069). The marks
# U+200E, U+200F and U+061C only affect the characters next to them and stay.
_TERMINAL_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

QUOTE_LIMIT = 80  # characters of a value an error message shows


def control_character(text: str, *, allow_newline: bool = True) -> str | None:
    """The first character ``text`` may not hold in a data file, or None.

    Tab is always allowed; newline only with ``allow_newline`` (text fields
    span lines, identifiers do not).
    """
    found = _CONTROL.search(text)
    if found is not None:
        return found.group()
    if not allow_newline and "\n" in text:
        return "\n"
    return None


def describe_character(char: str) -> str:
    """``U+001B`` for a message: the code, never the character itself."""
    return f"U+{ord(char):04X}"


def terminal_safe(text: str) -> str:
    """``text`` without what would steer a terminal; newline and tab stay.

    Removes control characters (escape, carriage return, backspace, ...) and
    the bidi embedding, override and isolate controls; keeps the left-to-right,
    right-to-left and Arabic letter marks (U+200E, U+200F, U+061C).
    """
    if _TERMINAL_UNSAFE.search(text) is None:  # the common case: nothing to copy
        return text
    return _TERMINAL_UNSAFE.sub("", text)


def quote(value: Any, limit: int = QUOTE_LIMIT) -> str:
    """``value`` as an error message shows it: its ``repr``, at most ``limit`` characters of it.

    Text longer than ``limit`` is cut and says how long it was, so an error
    about a huge value stays one short line. ``repr`` escapes control and
    bidi characters, so the quoted text cannot steer a terminal either.
    Containers are never expanded (an alias bomb would be).
    """
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        return repr(value[:limit]) + f"... ({len(value):,} characters)"
    if isinstance(value, (list, tuple, dict, set)):
        return f"a {type(value).__name__} of {len(value):,} item{'s' * (len(value) != 1)}"
    shown = repr(value)
    return shown if len(shown) <= limit else shown[:limit] + f"... ({len(shown):,} characters)"


def clip(text: str, limit: int = 200) -> str:
    """At most ``limit`` characters of a message part (such as another library's error text)."""
    return text if len(text) <= limit else text[:limit] + f"... ({len(text):,} characters)"


class TerminalSafeStream:
    """A text stream that passes everything written through :func:`terminal_safe`.

    The CLI puts it in front of stdout (human formats only: JSON and exports
    stay byte for byte) and stderr, so no text from a workspace, a plugin or
    an error message can steer the terminal. Everything else is the wrapped
    stream's.
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(terminal_safe(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
