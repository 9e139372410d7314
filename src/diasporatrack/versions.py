"""The version of a recommendation: a short digest of everything it is, history included.

A form (or a script) that read a recommendation carries the version it read;
a change that names it with ``expect_version=`` is refused with
:class:`~diasporatrack.errors.StaleVersion` if anything changed since, the
change being checked under the journal lock, so two people who drew their
forms from the same state cannot both change it blindly.
"""

from __future__ import annotations

import hashlib
import json

from .errors import StaleVersion
from .model import Recommendation

LENGTH = 16  # hex digits: 64 bits tell versions of one recommendation apart


def version_of(rec: Recommendation) -> str:
    """The version of ``rec`` as it stands: equal for equal recommendations, in every process."""
    from .serialize import recommendation_to_dict

    text = json.dumps(recommendation_to_dict(rec, history=True), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:LENGTH]


def check_version(rec: Recommendation, expected: str | None) -> None:
    """Refuse a change drawn from another version of ``rec`` than the current one (None checks nothing)."""
    if expected is None:
        return
    current = version_of(rec)
    if expected != current:
        raise StaleVersion(f"{rec.id} changed since version {expected} was read (it is at version {current} now): "
                           "look at it again and repeat the change if it still applies",
                           current=rec, version=current)
