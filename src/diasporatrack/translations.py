"""Translations of authored text, and the languages text is written in.

A recommendation, an action, a source or a finding may carry
``translations: {ur: {title: ..., text: ...}}``: for each language (a BCP 47
tag such as ``ur``, ``fa-AF`` or ``ur-Latn``) the translated fields. Only the
fields people write as prose can be translated (:data:`TRANSLATABLE`). A
source declares the language it is written in (``language: en``); where it
does not, the first of the workspace's ``languages:`` setting stands for it.

A quote is never translated in place: it stays the verbatim words of its
source, and a translation of it is shown beside it, labelled as one.

:class:`Localizer` picks the text to show in a language, falls back to the
authored text where there is no translation, and remembers what fell back so
the CLI can say so in one line. Nothing here reads a file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

# The fields a translation may hold, by the kind of record.
TRANSLATABLE: dict[str, tuple[str, ...]] = {
    "recommendation": ("title", "text", "quote"),
    "action": ("title", "description"),
    "source": ("title", "note"),
    "finding": ("text", "quote"),
}
QUOTE = "quote"
# Languages written from right to left (primary subtags), and the scripts that are; a script subtag
# decides when there is one (ur-Latn, Roman Urdu, runs left to right).
RIGHT_TO_LEFT = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "prs", "ps", "sd", "syr", "ug", "ur",
                           "yi"})
RIGHT_TO_LEFT_SCRIPTS = frozenset({"Adlm", "Arab", "Hebr", "Nkoo", "Rohg", "Syrc", "Thaa"})
# language[-Script][-REGION][-variant...]: the subset of BCP 47 that names a written language.
_TAG = re.compile(r"(?P<language>[a-z]{2,3})(?:-(?P<script>[A-Z][a-z]{3}))?(?:-(?P<region>[A-Z]{2}|[0-9]{3}))?"
                  r"(?:-(?:[0-9a-z]{5,8}|[0-9][0-9a-z]{3}))*\Z")

Translations = Mapping[str, Mapping[str, str]]


def canonical(tag: str) -> str:
    """``tag`` in the case BCP 47 recommends: ``FA-af`` is ``fa-AF``, ``UR-LATN`` is ``ur-Latn``."""
    parts = tag.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def tag_problem(tag: Any) -> str | None:
    """Why ``tag`` is not a language tag, or None."""
    from .textsafety import quote

    if not isinstance(tag, str):
        return f"{quote(tag)} is not a language tag (BCP 47, e.g. ur, en, fa-AF)"
    if _TAG.match(tag):
        return None
    if _TAG.match(canonical(tag)):
        return f"write the language tag {quote(tag)} as {quote(canonical(tag))}"
    return f"{quote(tag)} is not a language tag (BCP 47, e.g. ur, en, fa-AF, ur-Latn)"


def language_tag(value: Any) -> str:
    """A converter for ``language:``: the tag, or ``ValueError``."""
    problem = tag_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def language_list(value: Any) -> tuple[str, ...]:
    """A converter for the ``languages:`` setting: a list of distinct tags."""
    if not isinstance(value, list) or not value:
        raise ValueError("expected a list of language tags such as [en, ur]")
    tags = tuple(language_tag(item) for item in value)
    if len(set(tags)) != len(tags):
        raise ValueError("a language is listed twice")
    return tags


def direction(tag: str | None) -> str:
    """``rtl`` or ``ltr`` for a language tag; ``auto`` when the language is not known."""
    if not tag or tag == "und":
        return "auto"
    found = _TAG.match(tag)
    if found is not None and found.group("script"):
        return "rtl" if found.group("script") in RIGHT_TO_LEFT_SCRIPTS else "ltr"
    return "rtl" if tag.split("-")[0].lower() in RIGHT_TO_LEFT else "ltr"


def translations_of(kind: str) -> Callable[[Any], dict[str, dict[str, str]]]:
    """A converter for the ``translations:`` of a ``kind`` of record; errors know their line."""
    allowed = TRANSLATABLE[kind]

    def convert(value: Any) -> dict[str, dict[str, str]]:
        from .fieldcheck import LocatedValueError
        from .textsafety import control_character, describe_character, quote
        from .workspace import did_you_mean as _did_you_mean, kind as _kind

        if not isinstance(value, Mapping):
            raise ValueError(f"expected languages with their translated fields, such as "
                             f"{{ur: {{{allowed[0]}: ...}}}}, got {_kind(value)}")
        line_of: Callable[[Any], int | None] = getattr(value, "line_of", lambda key: None)
        out: dict[str, dict[str, str]] = {}
        for lang, fields in value.items():
            problem = tag_problem(lang)
            if problem:
                raise LocatedValueError(problem, line_of(lang))
            if not isinstance(fields, Mapping) or not fields:
                raise LocatedValueError(f"{lang}: expected the translated fields, such as {allowed[0]}: ...; "
                                        f"got {_kind(fields)}", line_of(lang))
            inner: Callable[[Any], int | None] = getattr(fields, "line_of", lambda key: line_of(lang))
            out[lang] = {}
            for name, text in fields.items():
                if name not in allowed:
                    raise LocatedValueError(
                        f"{lang}: {quote(name)} cannot be translated{_did_you_mean(str(name), allowed)}; "
                        f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}'s translatable fields are "
                        f"{', '.join(allowed)}", inner(name))
                if not isinstance(text, str) or not text.strip():
                    raise LocatedValueError(f"{lang}: {name}: expected the translated text, got {_kind(text)}",
                                            inner(name))
                bad = control_character(text)
                if bad is not None:
                    raise LocatedValueError(f"{lang}: {name}: control character {describe_character(bad)} is not "
                                            "allowed (only newline and tab are)", inner(name))
                out[lang][name] = text
        return out

    convert.__name__ = "translations"
    return convert


def valid_translations(kind: str):
    """An attrs validator: the model never holds a translation the reader would refuse."""
    convert = translations_of(kind)

    def check(instance: object, attribute: attrs.Attribute, value: Translations) -> None:
        if not value and isinstance(value, Mapping):  # the common case, on every evolve: nothing to check
            return
        try:
            convert(value)
        except ValueError as err:
            raise ValueError(f"{attribute.name}: {err}") from None

    return check


def undeclared(translations: Translations, declared: Iterable[str] | None) -> list[str]:
    """The languages of ``translations`` that the ``languages:`` setting does not declare (none without it)."""
    if not declared:
        return []
    known = set(declared)
    return [lang for lang in translations if lang not in known]


def declared(check: Any, what: str, raw: Any, fields: Mapping[str, Any], config: Mapping[str, Any]) -> bool:
    """Report (on ``check``, a field checker) each translation into a language ``languages:`` does not declare."""
    from .textsafety import quote

    languages = config.get("languages")
    bad = undeclared(fields.get("translations") or {}, languages)
    for lang in bad:
        where = raw["translations"].line_of(lang) if hasattr(raw["translations"], "line_of") else None
        check.problem(f"{what}: translations: {quote(lang)} is not one of the workspace's languages "
                      f"({', '.join(languages)}; add it to languages: in diasporatrack.yaml)", where)
    return not bad


def with_entries(current: Translations, entries: Iterable[str]) -> dict[str, dict[str, str]]:
    """``current`` translations with ``LANG:FIELD=TEXT`` entries applied (an empty TEXT removes one).

    The CLI's ``--translation``; the result is checked like the file's value when it is written.
    """
    from .errors import InputError

    out = to_plain(current)
    for entry in entries:
        lang, colon, rest = entry.partition(":")
        field, equals, text = rest.partition("=")
        if not colon or not equals or not lang.strip() or not field.strip():
            raise InputError(f"--translation {entry!r}: expected LANG:FIELD=TEXT, e.g. ur:title=...")
        lang, field = lang.strip(), field.strip()
        if text.strip():
            out.setdefault(lang, {})[field] = text
        elif field in out.get(lang, {}):
            del out[lang][field]
            if not out[lang]:
                del out[lang]
        else:
            raise InputError(f"--translation {entry!r}: there is no {lang} translation of {field} to remove")
    return out


def to_plain(translations: Translations) -> dict[str, dict[str, str]]:
    """Translations as JSON and YAML write them: plain dicts, languages and fields in their order."""
    return {lang: dict(fields) for lang, fields in translations.items()}


# --- showing text in a language ------------------------------------------------------------------


@attrs.frozen
class Shown:
    """A text to show, the language it is in, and whether it is a translation."""

    text: str
    lang: str | None
    translated: bool = False

    @property
    def dir(self) -> str:
        return direction(self.lang)


class Localizer:
    """Picks each text in ``lang`` where a translation has it, else the authored text, and notes the fallbacks.

    ``lang`` None shows everything as authored and notes nothing. ``sources``
    gives each recommendation's authored language (``language:`` of its
    source); ``default`` stands for a source that declares none.
    """

    def __init__(self, lang: str | None, sources: Mapping[str, Any] | None = None, default: str | None = None
                 ) -> None:
        self.lang = lang
        self.sources = sources or {}
        self.default = default
        self.missing: dict[str, list[str]] = {}  # field -> ids of the records whose text fell back

    @classmethod
    def for_tracker(cls, tracker: Any, lang: str | None = None) -> Localizer:
        """The localizer of a tracker (or a published view); ``lang`` defaults to the view's ``language``."""
        lang = lang or getattr(tracker, "language", None)
        return cls(lang, tracker.sources, default_language(getattr(tracker, "config", {}) or {}))

    def authored(self, source_id: str | None) -> str | None:
        source = self.sources.get(source_id) if source_id is not None else None
        return getattr(source, "language", None) or self.default

    def pick(self, record: Any, field: str, authored: str | None, key: str | None = None) -> Shown | None:
        """``record.field`` in the language asked for, or as authored (noted as a fallback); None if empty."""
        value = getattr(record, field, None)
        if not value:
            return None
        if self.lang is None or self.lang == authored:
            return Shown(value, authored)
        translated = (getattr(record, "translations", None) or {}).get(self.lang, {}).get(field)
        if translated:
            return Shown(translated, self.lang, True)
        self.missing.setdefault(field, []).append(key or getattr(record, "id", "?"))
        return Shown(value, authored)

    def rec(self, rec: Any, field: str) -> Shown | None:
        """A recommendation's title or text; a quote is always the verbatim one (see :meth:`quote_translation`)."""
        authored = self.authored(rec.source)
        if field == QUOTE:
            return Shown(rec.quote, authored) if rec.quote else None
        return self.pick(rec, field, authored)

    def quote_translation(self, record: Any) -> Shown | None:
        """The translation of a record's quote into the language asked for, when there is one (never a fallback)."""
        if self.lang is None or not getattr(record, "quote", None):
            return None
        text = (getattr(record, "translations", None) or {}).get(self.lang, {}).get(QUOTE)
        return Shown(text, self.lang, True) if text else None

    def source(self, source: Any, field: str = "title") -> Shown | None:
        return self.pick(source, field, getattr(source, "language", None) or self.default, source.id)

    def finding(self, finding: Any, source: Any, field: str = "text") -> Shown | None:
        authored = getattr(source, "language", None) or self.default
        if field == QUOTE:
            return Shown(finding.quote, authored) if finding.quote else None
        return self.pick(finding, field, authored)

    def action(self, action: Any, field: str = "title") -> Shown | None:
        return self.pick(action, field, self.default)

    def notice(self, limit: int = 3) -> str | None:
        """One line naming what was shown untranslated, or None when everything was translated."""
        if self.lang is None or not self.missing:
            return None
        parts = []
        for field, ids in self.missing.items():
            ids = list(dict.fromkeys(ids))
            named = ", ".join(ids[:limit]) + (f" and {len(ids) - limit} more" if len(ids) > limit else "")
            parts.append(f"{field} of {named}")
        return f"no {self.lang} translation, shown as written: " + "; ".join(parts)


class InLanguage:
    """A tracker (or a published view) whose exporters show text in ``language`` where it is translated.

    Everything else is the wrapped object's: an exporter reads ``language``
    (``getattr(tracker, "language", None)``) and :meth:`Localizer.for_tracker`.
    """

    def __init__(self, inner: Any, language: str) -> None:
        self._inner = inner
        self.language = language

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __iter__(self):
        return iter(self._inner)

    def __len__(self) -> int:
        return len(self._inner)

    def __contains__(self, item: object) -> bool:
        return item in self._inner


PROGRAM_LANGUAGE = "en"  # the language of the program's own words (labels), where nothing else is chosen


def lang_attributes(shown: Shown | None, around: str | None) -> str:
    """` lang="…" dir="…"` for an HTML element holding ``shown``, when it differs from the text ``around`` it.

    Text whose language nobody declared is left unmarked on a page in the program's own language
    (English): that is what every workspace without ``languages:`` gets. On a page in another language it
    is marked ``lang="und" dir="auto"``, so a browser neither takes it for that language nor lays it out
    in that language's direction.
    """
    from html import escape

    if shown is None or shown.lang == around or (shown.lang is None and around in (None, PROGRAM_LANGUAGE)):
        return ""
    lang = shown.lang or "und"
    return f' lang="{escape(lang)}" dir="{direction(lang)}"'


def localized(loc: Localizer, rec: Any) -> dict[str, Any]:
    """What ``--lang`` shows of a recommendation, each text with its language: for JSON beside the authored fields."""
    out: dict[str, Any] = {"lang": loc.lang}
    for field in ("title", "text"):
        shown = loc.rec(rec, field)
        out[field] = {"text": shown.text, "lang": shown.lang, "dir": shown.dir} if shown else None
    said = loc.quote_translation(rec)
    out["quote_translation"] = {"text": said.text, "lang": said.lang, "dir": said.dir} if said else None
    return out


def default_language(config: Mapping[str, Any]) -> str | None:
    """The workspace's authored language: the first of ``languages:``, or None when it declares none."""
    declared = config.get("languages") or ()
    return declared[0] if declared else None
