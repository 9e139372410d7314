"""What loading plugins gives: where each came from, and the objects of each kind by name."""

from __future__ import annotations

from typing import Any

import attrs

from .errors import DiasporatrackError


class PluginError(DiasporatrackError):
    """A plugin could not be loaded or failed in a hook."""


@attrs.frozen
class PluginInfo:
    """Where a loaded plugin came from."""

    name: str
    origin: str  # "builtin", "entry point", "file", "object"
    location: str  # module name, distribution, file path
    version: str | None = None


@attrs.frozen
class Registry:
    """Objects of one kind (exporters, scorers, ...) by name, with their plugin."""

    kind: str
    items: dict[str, Any]
    owners: dict[str, str]

    def __getitem__(self, name: str) -> Any:
        if name not in self.items:
            known = ", ".join(sorted(self.items)) or "none"
            raise PluginError(f"unknown {self.kind} {name!r}; available: {known}")
        return self.items[name]

    def __contains__(self, name: object) -> bool:
        return name in self.items

    def __iter__(self):
        return iter(self.items.values())

    def names(self) -> list[str]:
        return sorted(self.items)
