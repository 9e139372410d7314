"""Text similarity for matching re-imported rows, with rapidfuzz (a compiled, dependency-free library)."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import InputError


def similar(text: str, choices: Sequence[str], threshold: float) -> dict[int, float]:
    """Index -> similarity (0 to 100, normalised Indel distance) of the choices at least ``threshold`` alike."""
    try:
        from rapidfuzz import fuzz, process
    except ImportError:  # pragma: no cover - a dependency; said plainly if an install lost it
        raise InputError("matching rows by their text needs the rapidfuzz package: pip install rapidfuzz") from None
    found = process.extract(text, choices, scorer=fuzz.ratio, score_cutoff=threshold, limit=None)
    return {index: float(score) for _, score, index in found}
