"""Proving quotes verbatim against the archived text of their source.

A source's archive is ``sources/ID.txt`` in the workspace (written by
``source archive``), its sha256 recorded in the source block as
``text_sha256``. A quote is *verbatim* when it occurs in the archived text
after one normalisation, applied to both: runs of whitespace (line breaks
included) count as one space, and typographic quotes and apostrophes
(‘ ’ ‚ ‛ “ ” „ ‟) count as their plain forms. Nothing else is forgiven:
a changed word, letter case or punctuation mark is a problem, reported with
the closest passage of the archive and its similarity.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import attrs

from .errors import Problem
from .extraction import Locator

ARCHIVE_DIR = "sources"
MAX_ARCHIVE_BYTES = 50 * 1024 * 1024  # = safeio.LIMITS["document"]
_SAME = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"'})
_SPACE = re.compile(r"\s+")


@attrs.frozen
class QuoteLocation:
    """Where a quote sits in its source's archived text."""

    line: int
    paragraph: int
    start: int
    end: int

    def __str__(self) -> str:
        return f"line {self.line}, paragraph {self.paragraph}"


def normalise(text: str) -> tuple[str, list[int]]:
    """The normalised text, and for each of its characters the offset it came from."""
    out: list[str] = []
    origin: list[int] = []
    for match in re.finditer(r"\s+|\S+", text):
        if match.group(0)[0].isspace():
            if out:
                out.append(" ")
                origin.append(match.start())
        else:
            out.append(match.group(0).translate(_SAME))
            origin.extend(range(match.start(), match.end()))
    joined = "".join(out)
    return joined, origin[: len(joined)]


def archive_path(root: Path, source_id: str) -> Path:
    return root / ARCHIVE_DIR / f"{source_id}.txt"


@attrs.define
class Archive:
    """One source's archived text, normalised once for every quote checked against it."""

    path: Path
    text: str
    normal: str = ""
    origin: list[int] = attrs.Factory(list)
    locate: Locator | None = attrs.field(default=None, init=False)

    def __attrs_post_init__(self) -> None:
        self.normal, self.origin = normalise(self.text)
        self.locate = Locator(self.text)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def find(self, quote: str) -> QuoteLocation | None:
        wanted = _SPACE.sub(" ", quote.translate(_SAME)).strip()
        if not wanted:
            return None
        at = self.normal.find(wanted)
        if at < 0:
            return None
        start, end = self.origin[at], self.origin[at + len(wanted) - 1] + 1
        line, paragraph = self.locate(start)
        return QuoteLocation(line=line, paragraph=paragraph, start=start, end=end)

    def closest(self, quote: str) -> tuple[str, float, int]:
        """The passage most like ``quote``, its similarity (0-100) and its line."""
        wanted = _SPACE.sub(" ", quote.translate(_SAME)).strip()
        try:
            from rapidfuzz import fuzz

            found = fuzz.partial_ratio_alignment(wanted, self.normal)
            start, end, score = found.dest_start, found.dest_end, found.score
        except ImportError:  # pragma: no cover - rapidfuzz is a dependency; keep validate working without it
            import difflib

            match = difflib.SequenceMatcher(None, self.normal, wanted, autojunk=False).find_longest_match()
            start, end = match.a, match.a + match.size
            score = 100.0 * match.size / max(len(wanted), 1)
        passage = self.normal[start:end]
        line = self.locate(self.origin[start])[0] if self.origin and start < len(self.origin) else 1
        return passage, float(score), line


def load_archive(root: Path, source_id: str) -> Archive | None:
    """The archived text of a source, or None when it has none (a symlink or oversized file is not read)."""
    from .safeio import UnsafeFile, read_bytes

    path = archive_path(root, source_id)
    try:  # a regular file inside the workspace: neither the file nor its folder may be a link
        return Archive(path, read_bytes(root, path, "document").decode("utf-8"))
    except (OSError, UnsafeFile, UnicodeDecodeError):
        return None


def locate_quote(tracker, rec) -> QuoteLocation | None:
    """Where a recommendation's quote sits in its source's archived text (None: no archive, or not found)."""
    if not rec.quote:
        return None
    archive = load_archive(Path(tracker.root), rec.source)
    return archive.find(rec.quote) if archive is not None else None


def check_quotes(tracker, *, require_archive: bool = False) -> tuple[list[Problem], list[Problem]]:
    """Problems (quotes not found, archives missing when required) and warnings (changed archives)."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    root = Path(tracker.root)
    locations = tracker.workspace.locations
    quoted: dict[str, list[tuple[str, str, object]]] = {}
    for rec in tracker:
        if rec.quote:
            quoted.setdefault(rec.source, []).append((rec.id, rec.quote, locations.get(rec.id)))
    for source in tracker.sources.values():
        for finding in source.findings:
            if finding.quote:
                where = locations.get("finding:" + finding.id)
                quoted.setdefault(source.id, []).append((finding.id, finding.quote, where))
    for source_id, source in sorted(tracker.sources.items()):
        archive = load_archive(root, source_id)
        source_where = locations.get("source:" + source_id)
        shown = f"{ARCHIVE_DIR}/{source_id}.txt"
        if archive is None:
            if require_archive:
                problems.append(_problem(source_where, f"source {source_id!r} has no archived text ({shown}); "
                                                       f"add it with: diasporatrack source archive {source_id} "
                                                       "--document FILE"))
            continue
        if source.text_sha256 and source.text_sha256 != archive.sha256:
            warnings.append(_problem(source_where, f"{shown} changed since it was archived (its sha256 differs "
                                                   "from text_sha256 in the source block)"))
        for item_id, quote, where in quoted.get(source_id, []):
            if archive.find(quote) is None:
                passage, score, line = archive.closest(quote)
                problems.append(_problem(where, f"quote of {item_id} not found in {shown}; closest passage "
                                                f"(line {line}, {score:.0f}% similar): {_clip(passage)!r}"))
    return problems, warnings


def _problem(where, message: str) -> Problem:
    return Problem(message=message, path=getattr(where, "path", None), line=getattr(where, "line", None))


def _clip(text: str, width: int = 120) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
