"""Checking the sections of ``diasporatrack.yaml`` when it is read, by shape and by size.

Settings come with the workspace, so from whoever wrote it. Every value is
checked where it is read, with the line it is on, so that ``validate``
reports what ``remind``, ``score`` or an exporter would otherwise choke on
later (a window of 10**20 days, an infinite coefficient, a port that is
text). A section that fails is replaced by its defaults: nothing acts on a
setting that failed its check.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .model import MAX_DAYS
from .textsafety import control_character, describe_character, quote

__all__ = ["MAX_COEFFICIENT", "MAX_LIST", "MAX_SETTING_TEXT", "check_section"]

MAX_SETTING_TEXT = 4096  # characters of one text setting (a host, a file name, a plugin path)
MAX_LIST = 1000  # entries of a list setting (plugins, disable)
MAX_COEFFICIENT = 1_000_000.0  # magnitude of an urgency coefficient
REMINDER_KEYS = ("due_soon_days", "stale_days", "email", "calendar_file")
EMAIL_KEYS = ("host", "port", "sender", "security")
SECURITY = ("none", "starttls", "ssl")

Report = Callable[[str, "int | None"], None]


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {quote(value)}"
    if isinstance(value, str):
        return f"the text {quote(value)}"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing" if value is None else f"a {type(value).__name__}"


def _line(raw: Any, key: Any, default: int | None) -> int | None:
    line_of = getattr(raw, "line_of", None)
    return line_of(key) if line_of is not None else default


def setting_text(value: Any) -> str:
    """One line of text, short, without control characters."""
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {_kind(value)}")
    bad = control_character(value, allow_newline=False)
    if bad is not None:
        raise ValueError(f"control character {describe_character(bad)} is not allowed")
    if len(value) > MAX_SETTING_TEXT:
        raise ValueError(f"{quote(value)} is longer than {MAX_SETTING_TEXT:,} characters")
    return value


def days(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DAYS:
        raise ValueError(f"expected a whole number of days from 0 to {MAX_DAYS:,}, got {_kind(value)}")
    return value


def text_items(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list such as [a, b], got {_kind(value)}")
    if len(value) > MAX_LIST:
        raise ValueError(f"a list of {len(value):,} entries is longer than {MAX_LIST:,}")
    return [setting_text(item) for item in value]


def _port(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise ValueError(f"expected a port number from 1 to 65535, got {_kind(value)}")
    return value


def _security(value: Any) -> str:
    if value not in SECURITY:
        raise ValueError(f"expected one of {', '.join(SECURITY)}, got {_kind(value)}")
    return value


def base_url(value: Any) -> str:
    """The web app's address (``https://tracker.example.org/``): reminders link to its pages."""
    import re

    text = setting_text(value)
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", text, re.IGNORECASE):
        raise ValueError(f"expected the web app's address, http:// or https://, got {quote(text)}")
    return text if text.endswith("/") else text + "/"


def _coefficient(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or abs(value) > MAX_COEFFICIENT:
        raise ValueError(f"expected a number from {-MAX_COEFFICIENT:,.0f} to {MAX_COEFFICIENT:,.0f}, "
                         f"got {_kind(value)}")
    return float(value)


def _mapping(raw: Any, name: str, spec: dict[str, Callable[[Any], Any]], report: Report,
             line: int | None, what: str = "setting") -> bool:
    """Check each known key of ``raw`` with its converter; report unknown keys. True if all is well."""
    if not isinstance(raw, dict):
        report(f"{name}: expected a mapping, got {_kind(raw)}", line)
        return False
    ok = True
    for key, value in raw.items():
        where = _line(raw, key, line)
        if key not in spec:
            report(f"{name}: unknown {what} {quote(key)}; known: {', '.join(spec)}", where)
            ok = False
            continue
        if value is None:
            continue
        try:
            spec[key](value)
        except ValueError as err:
            report(f"{name}.{key}: {err}", where)
            ok = False
    return ok


def _email(value: Any) -> Any:
    # Checked as a section of its own (below), with the lines of its keys.
    return value


def _date_format(value: Any) -> str:
    from .importer.dates import check_format
    from .errors import InputError

    try:
        return check_format(setting_text(value))
    except InputError as err:
        raise ValueError(str(err).removeprefix(f"--date-format {value!r}: ")) from None


def _import(raw: Any, report: Report, line: int | None) -> bool:
    """``import:``: value maps (``values: {FIELD: {FROM: TO}}``) and a ``date_format`` used by every import."""
    ok = _mapping(raw, "import", {"values": lambda v: v, "date_format": _date_format}, report, line)
    values = raw.get("values") if isinstance(raw, dict) else None
    if values is None:
        return ok
    where = _line(raw, "values", line)
    if not isinstance(values, dict):
        report(f"import.values: expected a mapping of fields, got {_kind(values)}", where)
        return False
    for field, mapping in values.items():
        at = _line(values, field, where)
        if not isinstance(mapping, dict):
            report(f"import.values.{field}: expected a mapping such as {{Accepted: supported}}, got {_kind(mapping)}",
                   at)
            ok = False
            continue
        if len(mapping) > MAX_LIST:
            report(f"import.values.{field}: {len(mapping):,} values is more than {MAX_LIST:,}", at)
            ok = False
            continue
        for source, target in mapping.items():
            try:
                setting_text(str(source))
                setting_text(target if isinstance(target, str) else str(target))
            except ValueError as err:
                report(f"import.values.{field}: {err}", _line(mapping, source, at))
                ok = False
    return ok


def check_section(key: str, raw: Any, report: Report, line: int | None) -> bool:
    """Check the setting ``key`` of ``diasporatrack.yaml``; True if it may be used as written."""
    if key in ("plugins", "disable"):
        try:
            text_items(raw)
        except ValueError as err:
            report(f"{key}: {err}", line)
            return False
        return True
    if key == "urgency":
        from .builtin.scorers import URGENCY_COEFFICIENTS

        return _mapping(raw, "urgency", dict.fromkeys(URGENCY_COEFFICIENTS, _coefficient), report, line,
                        "coefficient")
    if key == "import":
        return _import(raw, report, line)
    if key == "reminders":
        spec = {"due_soon_days": days, "stale_days": days, "email": _email, "calendar_file": setting_text}
        ok = _mapping(raw, "reminders", spec, report, line)
        email = raw.get("email") if isinstance(raw, dict) else None
        if email is not None:
            where = _line(raw, "email", line)
            ok = _mapping(email, "reminders.email", {"host": setting_text, "port": _port, "sender": setting_text,
                                                     "security": _security, "base_url": base_url}, report, where) and ok
            if isinstance(email, dict):
                for required in ("host", "sender"):
                    if email.get(required) is None:
                        report(f"reminders.email: {required} is required (the SMTP server and the From address)",
                               where)
                        ok = False
        return ok
    return True
