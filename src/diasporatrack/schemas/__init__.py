"""JSON Schemas of the workspace files, shipped with the package.

Editors that speak the YAML language server validate a file as it is typed
when its first line names a schema::

    # yaml-language-server: $schema=../schemas/source.schema.json

``diasporatrack schema NAME`` prints one, so a workspace can keep a copy.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from ..errors import InputError

SCHEMAS = {
    "source": "source.schema.json",
    "owners": "owners.schema.json",
    "actions": "actions.schema.json",
    "config": "config.schema.json",
    "event": "event.schema.json",
}


def schema_names() -> list[str]:
    return list(SCHEMAS)


def load_schema(name: str) -> dict[str, Any]:
    """The schema called ``name`` (source, owners, actions, config, event) as a dict."""
    if name not in SCHEMAS:
        raise InputError(f"no schema {name!r}; schemas are: {', '.join(SCHEMAS)}")
    text = resources.files(__package__).joinpath(SCHEMAS[name]).read_text(encoding="utf-8")
    return json.loads(text)
