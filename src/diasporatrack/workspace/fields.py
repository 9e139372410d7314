"""Checking raw YAML values field by field: each converter returns the value or raises with what was wrong.

The ``*_SPEC`` tables name each kind of record's fields and their
converters; :class:`FieldChecker` applies one to a mapping and records every
problem with its line.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..errors import Problem
from ..model import ID_PATTERN, IMPACTS, MAX_DAYS, NAME_PATTERN, date_in_range
from ..textsafety import quote
from ..translations import language_tag, translations_of

class FieldChecker:
    """Turns raw YAML mappings into checked field values, recording problems."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems

    def problem(self, message: str, line: int | None) -> None:
        self.problems.append(Problem(message=message, path=self.path, line=line))

    def fields(
        self, raw: Any, spec: dict[str, Callable[[Any], Any]], required: Iterable[str], what: str, line: int | None
    ) -> dict[str, Any] | None:
        """Check a mapping against ``spec`` (field -> converter); None if unusable."""
        if not isinstance(raw, dict):
            self.problem(f"each {what} must be a mapping of fields, not {kind(raw)}", line)
            return None
        line = getattr(raw, "line", line)
        out: dict[str, Any] = {}
        ok = True
        for key in raw:
            if key not in spec:
                hint = did_you_mean(str(key), spec)
                self.problem(f"unknown field {quote(key)} in {what}{hint}", line_of(raw, key))
                ok = False
        for key in required:
            if raw.get(key) is None:
                self.problem(f"{what} lacks required field {quote(key)}", line)
                ok = False
            elif isinstance(raw[key], str) and not raw[key].strip():
                self.problem(f"{what}: required field {key!r} is empty", line_of(raw, key))
                ok = False
        for key, convert in spec.items():
            if key not in raw or raw[key] is None:
                continue
            try:
                out[key] = convert(raw[key])
            except ValueError as err:  # a mapping's converter may know the line of the entry at fault
                self.problem(f"{key}: {err}", getattr(err, "line", None) or line_of(raw, key))
                ok = False
        return out if ok else None


def line_of(raw: Any, key: Any) -> int | None:
    line_of = getattr(raw, "line_of", None)  # a LocatedDict from the YAML reader
    return line_of(key) if line_of is not None else None


def kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {quote(value)}"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"the date {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing"
    return f"the text {quote(value)}"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {quote(close[0])}?)" if close else ""


def text(value: Any) -> str:
    if value.__class__ is str:  # the common case, checked once per field of every recommendation
        return value
    from ..yamlio import ImpossibleDate

    if isinstance(value, ImpossibleDate):  # date-shaped, like a real date there: ask for quotes too
        raise ValueError(f"expected text, got the date-like {quote(str(value))} (put it in quotes)")
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {kind(value)} (put it in quotes)")
    return value


def identifier(value: Any) -> str:
    value = text(value)
    if not _ID.match(value):
        if len(value) > 128 and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:-]*", value):
            raise ValueError(f"{quote(value)} is not a valid id (at most 128 characters)")
        raise ValueError(f"{quote(value)} is not a valid id (letters, digits and . _ : - only)")
    return value


_ID = re.compile(ID_PATTERN)


def text_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list such as [a, b], got {kind(value)}")
    for item in value:
        if not isinstance(item, str):
            raise ValueError(f"expected a list of text, found {kind(item)}")
    return tuple(value)


def id_list(value: Any) -> tuple[str, ...]:
    return tuple(identifier(item) for item in text_list(value))


def date(value: Any) -> dt.date:
    from ..yamlio import ImpossibleDate

    if isinstance(value, ImpossibleDate):
        raise ValueError(f"impossible date {quote(str(value))} ({value.reason})")
    if isinstance(value, dt.datetime):
        raise ValueError(f"expected a date (YYYY-MM-DD), got the time {value}")
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{quote(value)} is not a date (YYYY-MM-DD)") from None
    if isinstance(value, dt.date):
        if date_in_range(value):  # later arithmetic and exporters would fail on it
            raise ValueError(date_in_range(value))
        return value
    raise ValueError(f"expected a date (YYYY-MM-DD), got {kind(value)}")


def positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_DAYS:
        raise ValueError(f"expected a whole number of days from 1 to {MAX_DAYS:,}, got {kind(value)}")
    return value


def impact(value: Any) -> str:
    value = text(value)
    if value not in IMPACTS:
        raise ValueError(f"{quote(value)} is not an impact rating; use one of {', '.join(IMPACTS)}")
    return value


SOURCE_SPEC = {
    "id": identifier, "title": text, "publisher": text, "kind": text, "date": date,
    "authors": text_list, "url": text, "note": text, "text_sha256": lambda v: sha256_hex(v),
    "language": language_tag, "translations": translations_of("source"),
}


def _recommendation_spec() -> dict[str, Callable[[Any], Any]]:
    from .. import fieldcheck as f

    return {
        "id": identifier, "title": text, "text": text, "quote": text, "author": f.authors,
        "addressed_to": text_list, "owners": id_list, "themes": text_list, "status": text, "response": text,
        "due": date, "review_every": positive_int, "impact": impact, "links": text_list,
        "reference": text, "sdgs": f.sdg_list, "affected_persons": text_list, "author_group": text,
        "action_category": f.action_category, "cycle": f.text_or_number, "session": f.text_or_number,
        "extra": f.extra, "progress": f.percent, "parent": identifier, "weight": f.positive_number,
        "cites": id_list, "draft": lambda v: flag(v), "progress_from": f.progress_basis,
        "translations": translations_of("recommendation"),
    }


RECOMMENDATION_SPEC = _recommendation_spec()
FINDING_SPEC = {"id": identifier, "text": text, "quote": text, "themes": text_list,
                "translations": translations_of("finding")}
OWNER_SPEC = {"id": identifier, "name": text, "kind": text, "parent": identifier, "email": text, "note": text}
RESPONSE_SPEC = {"name": lambda v: status_name(v), "definition": text}
STATUS_SPEC = {"name": lambda v: status_name(v), "definition": text, "weight": lambda v: _weight(v), "next": text_list}


def flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {kind(value)}")
    return value


def sha256_hex(value: Any) -> str:
    import re

    value = text(value)
    if not re.fullmatch(r"[0-9a-f]{64}", value):
        raise ValueError("expected a sha256 checksum: 64 lowercase hexadecimal digits")
    return value


def publish_fields(value: Any) -> tuple[str, ...]:
    from ..publish.profile import ALWAYS_PUBLISHED, PUBLISHABLE_FIELDS

    fields = text_list(value)
    for name in fields:
        if name not in PUBLISHABLE_FIELDS + ALWAYS_PUBLISHED + ("author",):
            raise ValueError(f"{name!r} is not a recommendation field{did_you_mean(name, PUBLISHABLE_FIELDS)}; "
                             f"use some of {', '.join(PUBLISHABLE_FIELDS)}")
    return fields


def accent_colour(value: Any) -> str:
    import re

    value = text(value)
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
        raise ValueError(f"{quote(value)} is not a colour: use #RRGGBB, e.g. #1f6f78")
    return value.lower()


def label_language(value: Any) -> str:
    from ..publish.labels import languages

    value = text(value)
    if value not in languages():
        raise ValueError(f"no labels for the language {quote(value)}{did_you_mean(value, languages())}; "
                         f"use one of {', '.join(languages())}")
    return value


def logo_path(value: Any) -> str:
    import re

    value = text(value)
    parts = value.replace("\\", "/").split("/")
    if value.startswith("/") or ".." in parts or not re.search(r"\.(png|jpe?g|webp)\Z", value, re.IGNORECASE):
        raise ValueError(f"{quote(value)}: the logo is a PNG, JPEG or WebP file inside the workspace, "
                         "named by its path from the workspace (an SVG can carry script: it is refused)")
    return value


def site_url(value: Any) -> str:
    import re

    value = text(value)
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?", value):
        raise ValueError(f"{quote(value)} is not the address of a site: use http(s)://host/path/, "
                         "without a query or a fragment")
    return value if value.endswith("/") else value + "/"


PUBLISH_SPEC = {
    "title": text, "description": text, "licence": text, "licence_url": text, "persons": flag,
    "fields": publish_fields, "statuses": lambda v: tuple(status_name(s) for s in text_list(v)), "sources": id_list,
    # The static site's settings (docs/publishing.md, "A static site"); every one is hostile input.
    "introduction": text, "logo": logo_path, "language": label_language, "accent": accent_colour,
    # Where the site will be online (absolute links in the feed), and whether archived documents are republished.
    "base_url": site_url, "archive": flag,
}


def status_name(value: Any) -> str:
    import re

    value = text(value)
    if not re.match(NAME_PATTERN, value):
        raise ValueError(f"{quote(value)} is not a valid status name "
                         "(lowercase letters, digits and - only, at most 64)")
    return value


def _weight(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"expected a number from 0 to 1, got {kind(value)}")
    return float(value)
