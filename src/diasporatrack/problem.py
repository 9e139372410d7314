"""One thing wrong with the input, with its place: see :mod:`diasporatrack.errors` (which exports it)."""

from __future__ import annotations

from pathlib import Path

import attrs


@attrs.frozen(kw_only=True)
class Problem:
    """One thing wrong with the input, printed as ``file:line: message``."""

    message: str
    path: Path | None = None
    line: int | None = None

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = str(self.path) if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


Problem.__module__ = "diasporatrack.errors"  # its public home: where it is documented, imported and pickled from
