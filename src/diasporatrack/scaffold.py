"""``init``: start a new workspace without touching an existing one."""

from __future__ import annotations

from pathlib import Path

from .errors import InputError
from .workspace import CONFIG_FILE, OWNERS_FILE, is_workspace

GITATTRIBUTES_LINE = "journal.jsonl merge=union"

OWNERS_TEMPLATE = """\
# yaml-language-server: $schema=.schemas/owners.schema.json
# Who carries recommendations forward: expert groups, organisations, people.
# Example:
#   - id: healthcare
#     name: Healthcare Expert Group
#     kind: expert-group        # expert-group | organisation | government | person
#     parent: my-organisation   # optional: the owner this one belongs to
#     email: null               # optional: where reminders go
owners: []
"""

CONFIG_TEMPLATE = """\
# yaml-language-server: $schema=.schemas/config.schema.json
# Settings of this workspace; every key is optional.
# statuses:            # replace the default lifecycle (see: diasporatrack statuses)
#   - name: proposed
#     definition: Recommended; nobody has committed to act yet.
#     weight: 0
#     next: [accepted]
# plugins: []          # local plugin files, relative to this folder
# disable: []          # plugins to turn off, by name
"""


def init_workspace(path: str | Path) -> list[Path]:
    """Create a workspace at ``path``; returns the files written.

    Refuses to touch a directory that already is a workspace. The journal
    merges by union in git, so two people's updates never conflict.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(f"{path} exists and is not a directory; nothing was changed")
    if is_workspace(path):
        raise InputError(f"{path} already is a workspace; nothing was changed")
    from .safeio import read_bytes, write_bytes

    schemas = path / ".schemas"
    attributes = path / ".gitattributes"
    for planted in (schemas, attributes):  # a cloned folder may hold links: refused before anything is written
        if planted.is_symlink() or (planted.exists() and planted.is_dir() != (planted is schemas)):
            raise InputError(f"{planted} is a link or not a {'folder' if planted is schemas else 'file'}; "
                             "nothing was changed")
    path.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in ((OWNERS_FILE, OWNERS_TEMPLATE), (CONFIG_FILE, CONFIG_TEMPLATE)):
        write_bytes(path, path / name, content.encode("utf-8"))
        written.append(path / name)
    # Editors validate as you type against these (the first line of each file names one).
    import json

    from .schemas import SCHEMAS, load_schema

    schemas.mkdir(exist_ok=True)
    for name, filename in SCHEMAS.items():
        write_bytes(path, schemas / filename, (json.dumps(load_schema(name), indent=2) + "\n").encode("utf-8"))
    written.append(schemas)
    existing = read_bytes(path, attributes, "settings").decode("utf-8", "replace") if attributes.exists() else ""
    if GITATTRIBUTES_LINE not in existing.splitlines():
        sep = "" if not existing or existing.endswith("\n") else "\n"
        write_bytes(path, attributes, (existing + sep + GITATTRIBUTES_LINE + "\n").encode("utf-8"))
        written.append(attributes)
    return written
