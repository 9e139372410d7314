"""Telling the encoding of a spreadsheet file from its first bytes.

A byte order mark decides; then UTF-8 if the bytes are UTF-8; then the
Western single-byte encodings that spreadsheets are saved in (Mac Roman,
which Excel for Mac writes with bare CR line ends, Windows-1252, Latin-1,
Windows-1250) when one of them reads as plausible Latin-script text; else
``charset-normalizer``'s best guess (UTF-16 without a mark, Cyrillic,
Arabic, CJK encodings).
"""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

from ..errors import InputError

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_PUNCTUATION = set("–—‘’‚“”„•…€£¥§©®°±«»¿¡·×÷¶†‡ªº¹²³½¼¾¢¤¦¨¯´¸\xa0")
_LABELS = {"utf_8": "UTF-8", "utf_8_sig": "UTF-8", "utf_16": "UTF-16", "utf_16_le": "UTF-16", "utf_16_be": "UTF-16",
           "utf_32": "UTF-32", "mac_roman": "Mac Roman", "cp1252": "Windows-1252", "latin_1": "Latin-1",
           "iso8859_1": "Latin-1", "cp1250": "Windows-1250"}


def detect_encoding(path: Path, sample: bytes, whole: bool) -> str:
    """The encoding of a file from its first bytes (``whole``: they are all of it)."""
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=whole)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    guess = likely_encoding(sample)
    if guess is None:
        raise InputError(f"{path}: cannot tell the encoding of this file; give --encoding "
                         "(for example cp1252, latin-1, mac_roman or utf-16)")
    return guess


def likely_encoding(sample: bytes) -> str | None:
    """The most likely encoding of bytes that are not UTF-8, or None."""
    bare_cr = b"\r" in sample and b"\n" not in sample
    western = ("mac_roman", "cp1252", "latin_1", "cp1250") if bare_cr else ("cp1252", "latin_1", "mac_roman",
                                                                           "cp1250")
    best, best_score = None, 0.97  # below this share of plausible characters, ask charset-normalizer
    for name in western:
        score = _western_score(sample, name)
        if score > best_score:
            best, best_score = name, score
    if best is not None:
        return best
    from charset_normalizer import from_bytes

    match = from_bytes(sample).best()
    return codecs.lookup(match.encoding).name if match is not None else None


def _western_score(sample: bytes, name: str) -> float:
    """The share of non-ASCII characters that belong in Latin-script text, 0 if it is not such text."""
    try:
        text = sample.decode(name)
    except UnicodeDecodeError:
        return 0.0
    foreign = [c for c in text if ord(c) > 127]
    if not foreign:
        return 1.0
    letters = sum(c.isalpha() for c in text)
    if len(foreign) > 0.3 * max(letters, 1):
        return 0.0  # words made of accented letters only: another script read as Latin
    good = sum(c in _PUNCTUATION or (c.isalpha() and unicodedata.name(c, "").startswith("LATIN")) for c in foreign)
    return good / len(foreign)


def check_encoding(name: str) -> str:
    """The codec named by ``--encoding``, or a one-line error."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise InputError(f"--encoding {name}: not an encoding Python knows (for example utf-8, cp1252, latin-1, "
                         "mac_roman, utf-16)") from None
    if not getattr(info, "_is_text_encoding", True):
        raise InputError(f"--encoding {name}: not a text encoding")
    return info.name


def label(encoding: str) -> str:
    """An encoding's usual name, for messages."""
    name = codecs.lookup(encoding).name.replace("-", "_")
    return _LABELS.get(name, encoding)
