"""The environment's plugin switches (described in :mod:`diasporatrack.trust`), importing nothing.

Kept apart from :mod:`diasporatrack.trust` so that a command answered
straight from the cache can tell whether the full command would load an
installed plugin without importing pathlib, json or hashlib.
"""

from __future__ import annotations

import os

NO_PLUGINS_ENV = "DIASPORATRACK_NO_PLUGINS"
TRUST_LOCAL_ENV = "DIASPORATRACK_TRUST_LOCAL_PLUGINS"
LOAD_PLUGINS_ENV = "DIASPORATRACK_LOAD_PLUGINS"


def flag(name: str) -> bool:
    """Whether the environment variable ``name`` is set to a yes (1, true, yes, on)."""
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def installed_allowed(name: str) -> bool:
    """Whether the installed plugin ``name`` may load (``DIASPORATRACK_LOAD_PLUGINS`` limits them)."""
    chosen = os.environ.get(LOAD_PLUGINS_ENV)
    if chosen is None:
        return True
    return name in {part.strip() for part in chosen.split(",") if part.strip()}
