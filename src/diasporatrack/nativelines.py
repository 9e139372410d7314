"""Where the values the native reader read sit in their file: line numbers, found cheaply or when asked for.

The native reader (:mod:`.nativeyaml`) gives the line of each record at
once, from the byte offsets of rapidyaml's views into the parsed buffer;
any other line is found by :class:`Locator` only when a message needs it,
by reading the same text again with the strict loader.
"""

from __future__ import annotations

from typing import Any

from . import yamlio


class Unsure(Exception):
    """The fast path cannot vouch for this file: read it strictly."""


class Lines:
    """Line numbers of byte offsets asked for in increasing order (counted once)."""

    def __init__(self, raw: bytes) -> None:
        self.raw, self.offset, self.line = raw, 0, 1

    def at(self, offset: int) -> int:
        if offset < self.offset:
            self.offset, self.line = 0, 1
        self.line += self.raw.count(b"\n", self.offset, offset)
        self.offset = offset
        return self.line


class Addresses:
    """Byte offsets into the parsed buffer of the memoryviews ryml hands out (through the buffer protocol)."""

    _api: Any = None

    def __init__(self, buf: bytearray) -> None:
        if Addresses._api is None:
            Addresses._api = _buffer_api()
        self._view, self._ref, self._get, self._release = Addresses._api
        self.size = len(buf)
        self.base = 0
        self.base = self.of(memoryview(buf))

    def of(self, view: memoryview) -> int:
        if self._get(view, self._ref, 0) != 0:
            raise Unsure
        offset = self._view.buf - self.base
        self._release(self._ref)
        if self.base and not 0 <= offset < self.size:
            raise Unsure
        return offset


def _buffer_api() -> tuple[Any, Any, Any, Any]:
    import ctypes

    class PyBuffer(ctypes.Structure):
        _fields_ = [("buf", ctypes.c_void_p), ("obj", ctypes.py_object), ("len", ctypes.c_ssize_t),
                    ("itemsize", ctypes.c_ssize_t), ("readonly", ctypes.c_int), ("ndim", ctypes.c_int),
                    ("format", ctypes.c_char_p), ("shape", ctypes.c_void_p), ("strides", ctypes.c_void_p),
                    ("suboffsets", ctypes.c_void_p), ("internal", ctypes.c_void_p)]

    get = ctypes.pythonapi.PyObject_GetBuffer
    get.argtypes = [ctypes.py_object, ctypes.POINTER(PyBuffer), ctypes.c_int]
    get.restype = ctypes.c_int
    release = ctypes.pythonapi.PyBuffer_Release
    release.argtypes = [ctypes.POINTER(PyBuffer)]
    view = PyBuffer()
    return view, ctypes.byref(view), get, release


class Locator:
    """The lines of a document the native reader read, found by the strict loader when a message needs one.

    Reads the same text again with the strict loader and copies each
    mapping's lines onto the native reader's mapping at the same place (the
    values are the same, so the shapes are).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.root: Any = None

    def locate(self) -> None:
        root, self.root = self.root, None  # once: every mapping of the document gets its lines now
        if root is None:
            return
        try:
            strict = yamlio.load_yaml(None, self.text, loader=yamlio.Loader)  # type: ignore[arg-type]
        except yamlio.YamlProblem:
            strict = None
        _copy_lines(root, strict)


def _copy_lines(fast: Any, strict: Any) -> None:
    if isinstance(fast, yamlio.LocatedDict):
        if not isinstance(strict, yamlio.LocatedDict):
            strict = yamlio.LocatedDict()
        if fast._line is None:
            fast._line = strict._line
        fast._keys, fast._where = strict._keys, None
        for key, value in fast.items():
            _copy_lines(value, strict.get(key))
    elif isinstance(fast, list):
        others = strict if isinstance(strict, list) and len(strict) == len(fast) else [None] * len(fast)
        for value, other in zip(fast, others):
            _copy_lines(value, other)
