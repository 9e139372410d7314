"""The plain text of a source document: .txt, .md, .html, .pdf and .docx.

Text files are read as they are (UTF-8, else the encoding charset-normalizer
detects); HTML pages give their main content through trafilatura (menus,
footers and scripts left out); PDF pages through pypdf; Word files through
python-docx (paragraphs, then tables). The three libraries are the optional
extra ``[documents]``; plain text and Markdown need nothing beyond the core.

Every document is input from anyone: the size is bounded, a binary or empty
file, an encrypted PDF and a PDF without a text layer are one-line errors.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from .errors import InputError

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024  # a report with images; the limits table in docs/reliability.md
TEXT_SUFFIXES = (".txt", ".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + (".pdf", ".docx")
EXTRA_HINT = "install the optional extra: pip install 'diasporatrack[documents]'"


def read_bounded(path: Path, limit: int | None = None) -> bytes:
    """A regular file's bytes, refusing anything larger than ``limit`` (default: the document limit)."""
    limit = MAX_DOCUMENT_BYTES if limit is None else limit
    try:
        if not path.is_file():
            raise InputError(f"{path}: not a regular file")
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror or err}") from None
    if len(data) > limit:
        raise InputError(f"{path}: larger than the limit of {limit:,} bytes for a document")
    return data


def decode_text(data: bytes, path: Path, encoding: str | None = None) -> str:
    """Bytes of a text file as text: ``encoding`` if given, else UTF-8 (with or without BOM), else detected."""
    if encoding is not None:
        try:
            return data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")
        except LookupError:
            raise InputError(f"--encoding {encoding!r}: unknown encoding") from None
        except UnicodeDecodeError as err:
            raise InputError(f"{path}: not valid {encoding} text (byte {err.start})") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError:
            raise InputError(f"{path}: not valid UTF-16 text") from None
    if b"\0" in data[:8192]:
        raise InputError(f"{path}: a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data[: 1024 * 1024]).best()
        if best is None:
            raise InputError(f"{path}: not text in any encoding that could be recognised") from None
        try:
            text = data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            raise InputError(f"{path}: not valid {best.encoding} text") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _html_text(data: bytes, path: Path, encoding: str | None) -> str:
    try:
        import trafilatura
    except ImportError:
        raise InputError(f"{path}: reading HTML needs trafilatura; {EXTRA_HINT}") from None
    html = decode_text(data, path, encoding)
    text = trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True)
    if not text:
        raise InputError(f"{path}: no main text found in this HTML page")
    return text


def _pdf_text(data: bytes, path: Path) -> str:
    try:
        import io

        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:
        raise InputError(f"{path}: reading PDF needs pypdf; {EXTRA_HINT}") from None
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise InputError(f"{path}: the PDF is encrypted; save an unencrypted copy and try again")
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as err:
        raise InputError(f"{path}: not a readable PDF ({err})") from None
    if not any(page.strip() for page in pages):
        raise InputError(f"{path}: the PDF has no text layer on any page (scanned images?): it needs OCR, "
                         "which diasporatrack does not do")
    return "\n\n".join(page.strip() for page in pages)


def _docx_text(data: bytes, path: Path) -> str:
    try:
        import io
        import zipfile

        import docx
    except ImportError:
        raise InputError(f"{path}: reading Word files needs python-docx; {EXTRA_HINT}") from None
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as err:
        raise InputError(f"{path}: not a readable Word (.docx) file ({err})") from None
    blocks = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            blocks.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(blocks)


def document_text(path: Path, encoding: str | None = None) -> str:
    """The plain text of a document, by its extension; :class:`InputError` when there is none.

    ``encoding`` states the encoding of a text or HTML file instead of detecting it.
    """
    suffix = path.suffix.casefold()
    if suffix not in SUFFIXES:
        raise InputError(f"{path}: cannot read {suffix or 'a file without an extension'}; "
                         f"use one of {', '.join(SUFFIXES)}")
    data = read_bounded(path)
    if not data.strip():
        raise InputError(f"{path}: the file is empty")
    if suffix in TEXT_SUFFIXES:
        text = decode_text(data, path, encoding)
    elif suffix in HTML_SUFFIXES:
        text = _html_text(data, path, encoding)
    elif suffix == ".pdf":
        if not data.startswith(b"%PDF"):
            raise InputError(f"{path}: not a PDF file")
        text = _pdf_text(data, path)
    else:
        text = _docx_text(data, path)
    text = re.sub(r"[^\S\n]+\n", "\n", text).strip("\n") + "\n"
    if not text.strip():
        raise InputError(f"{path}: no text in this document")
    return text


def text_sha256(text: str) -> str:
    """The checksum recorded in a source block for its archived text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
