"""Archiving a source document in the workspace: ``sources/ID.EXT`` and its plain text ``sources/ID.txt``.

The text's sha256 goes into the source block (``text_sha256``, a journaled
edit), so ``validate`` can prove quotes against the text and notice when the
archive changes. Documents are copied, never moved; the workspace's files
are written atomically.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from .documents import document_text, read_bounded, text_sha256
from .errors import InputError
from .files import atomic_write, check_target
from .quotes import ARCHIVE_DIR


@attrs.frozen
class Archived:
    """What ``archive_document`` wrote."""

    document: Path | None  # the copy of the original (None when the original is plain text)
    text: Path
    sha256: str


def archive_document(tracker, source_ref: str, document: Path, *, encoding: str | None = None,
                     by: str | None = None) -> Archived:
    """Copy ``document`` and its plain text into the workspace and record the text's sha256."""
    source_id = tracker.resolve_source(source_ref)
    document = Path(document)
    text = document_text(document, encoding=encoding)
    folder = Path(tracker.root) / ARCHIVE_DIR
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise InputError(f"{folder}: not a folder of the workspace")
    folder.mkdir(exist_ok=True)
    text_path = folder / f"{source_id}.txt"
    copy = None
    suffix = document.suffix.casefold()
    if suffix != ".txt":  # a plain-text original is its own archived text
        copy = folder / f"{source_id}{suffix}"
        check_target(copy)
        atomic_write(copy, read_bounded(document))
    check_target(text_path)
    atomic_write(text_path, text)
    digest = text_sha256(text)
    if tracker.sources[source_id].text_sha256 != digest:
        tracker.set_source_fields(source_id, text_sha256=digest, by=by)
    return Archived(document=copy, text=text_path, sha256=digest)
