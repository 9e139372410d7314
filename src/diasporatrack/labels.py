"""Labels people type differently: themes, groups of persons, addressees, authors.

"Women's rights", "women’s rights" and "WOMENS RIGHTS" are one label; so are
the NFC and NFD spellings of "Santé". :func:`label_key` is what filters
compare and what breakdowns group by; :func:`group_labels` picks the
spelling to show for each group (the most used one, then the first seen).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from .search import fold

# Apostrophes join the letters around them ("women's" -> "womens"); any other
# run of characters that is not a letter or digit separates words.
_APOSTROPHES = str.maketrans("", "", "'’ʼ`´‘")
_SEPARATORS = re.compile(r"[\W_]+")


def label_key(label: str) -> str:
    """The form of a label that matching uses: no case, accents or punctuation."""
    return _SEPARATORS.sub(" ", fold(label).translate(_APOSTROPHES)).strip()


def label_keys(labels: Iterable[str]) -> set[str]:
    return {label_key(label) for label in labels}


def any_label(wanted: set[str], labels: Iterable[str]) -> bool:
    """Whether any of ``labels`` is one of the ``wanted`` keys (made by :func:`label_key`)."""
    return any(label_key(label) in wanted for label in labels)


def group_labels(labels: Iterable[str]) -> dict[str, str]:
    """For each key, the spelling to show: the most used, then the first seen."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for i, label in enumerate(labels):
        counts[label] += 1
        first.setdefault(label, i)
    shown: dict[str, str] = {}
    for label in sorted(counts, key=lambda s: (-counts[s], first[s])):
        shown.setdefault(label_key(label), label)
    return shown
