"""Finding imported recommendations by their place in the file: ids are made from the rows, not their places."""

from __future__ import annotations

import yaml


def nth(tracker, source: str, n: int = 1):
    """The ``n``-th recommendation (from 1) of ``source`` in the order of its file."""
    data = yaml.safe_load((tracker.root / f"{source}.yaml").read_text(encoding="utf-8"))
    return tracker.get(data["recommendations"][n - 1]["id"])
