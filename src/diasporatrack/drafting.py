"""Turning extraction candidates into a draft source file for a person to review.

Every entry is ``status: proposed`` and ``draft: true``: drafts validate like
any recommendation, are marked in ``list`` and ``show``, and stay out of
reminders and public exports until a person removes the mark. The file is
created, never overwritten.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import InputError
from .extraction import Candidate


def draft_document(source: dict[str, Any], candidates: Sequence[Candidate]) -> dict[str, Any]:
    """The source file's content: the ``source:`` block and one draft recommendation per candidate."""
    width = max(3, len(str(len(candidates))))
    recs = []
    for n, cand in enumerate(candidates, 1):
        rec: dict[str, Any] = {
            "id": f"{source['id']}-{n:0{width}d}",
            "title": cand.title,
            "text": " ".join(cand.quote.split()),
            "quote": cand.quote if "\n" not in cand.quote else " ".join(cand.quote.split()),
            "addressed_to": list(cand.addressed_to),
            "status": "proposed",
            "draft": True,
        }
        if not rec["addressed_to"]:
            del rec["addressed_to"]
        recs.append(rec)
    return {"source": {k: v for k, v in source.items() if v not in (None, "", [])}, "recommendations": recs}


def render_draft(document: dict[str, Any], candidates: Sequence[Candidate], document_name: str) -> str:
    """YAML text for the draft, each entry preceded by a comment with its confidence, reason and place."""
    import yaml

    header = (f"# yaml-language-server: $schema=.schemas/source.schema.json\n"
              f"# Draft written by `diasporatrack extract` from {document_name} on {dt.date.today()}.\n"
              "# Review every entry: fix titles and texts, add owners and themes, delete what is not a\n"
              "# recommendation, then remove `draft: true` (or run: diasporatrack set ID --no-draft).\n")
    source_text = yaml.safe_dump({"source": document["source"]}, sort_keys=False, allow_unicode=True, width=100)
    parts = [header, source_text, "recommendations:\n"]
    for rec, cand in zip(document["recommendations"], candidates):
        where = f"line {cand.line}, paragraph {cand.paragraph}" + (f", {cand.reference}" if cand.reference else "")
        reason = re.sub(r"\s+", " ", cand.reason)
        parts.append(f"  # confidence {cand.confidence:.2f}: {reason} ({where})\n")
        entry = yaml.safe_dump([rec], sort_keys=False, allow_unicode=True, width=100)
        parts.append("".join("  " + line + "\n" for line in entry.splitlines()))
    if not document["recommendations"]:
        parts[-1] = "recommendations: []\n"
    return "".join(parts)


def write_new(path: Path, text: str) -> None:
    """Create ``path`` with ``text``; an existing file (or link) is never replaced."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except FileExistsError:
        raise InputError(f"{path} already exists; nothing was written (extract never overwrites a file)") from None
    except OSError as err:
        raise InputError(f"{path}: cannot create: {err.strerror or err}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as err:
        path.unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write: {err.strerror or err}") from None
