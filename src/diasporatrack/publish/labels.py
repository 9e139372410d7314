"""The words of the static site, in the language the ``publish:`` settings choose.

Each language is a YAML file of ``locales/`` (English and Urdu ship); a label
missing from a translation falls back to English, so a partial file still
gives a whole site.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

# Languages written from right to left: the site gets dir="rtl".
RIGHT_TO_LEFT = ("ar", "fa", "prs", "ps", "ur")


def languages() -> tuple[str, ...]:
    """The language codes that have a label file."""
    folder = resources.files(__package__).joinpath("locales")
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml")))


@cache
def labels(language: str = "en") -> dict[str, str]:
    """The labels of ``language``, English where it has none."""
    def load(code: str) -> dict[str, str]:
        text = resources.files(__package__).joinpath("locales", f"{code}.yaml").read_text(encoding="utf-8")
        return {str(k): str(v) for k, v in (yaml.safe_load(text) or {}).items()}

    words = load("en")
    if language != "en":
        words.update(load(language))
    return words


def direction(language: str) -> str:
    """``rtl`` for the languages written from right to left, else ``ltr`` (see :func:`diasporatrack.translations.direction`)."""
    from ..translations import direction as text_direction

    return "rtl" if text_direction(language) == "rtl" else "ltr"
