"""SHA-256 without loading OpenSSL.

``hashlib`` loads the OpenSSL library, which costs a command answered from
the cache more than its work. CPython's own SHA-256 module gives the same
digests; where it is missing, ``hashlib`` is used.
"""

from __future__ import annotations

_make = None


def sha256(data: bytes = b""):
    """A SHA-256 hash object, as ``hashlib.sha256(data)`` makes."""
    global _make
    if _make is None:
        try:
            from _sha2 import sha256 as make  # CPython 3.12 and later
        except ImportError:
            try:
                from _sha256 import sha256 as make  # CPython 3.11 and earlier
            except ImportError:  # another Python, or one built without them
                from hashlib import sha256 as make
        _make = make
    return _make(data)
