"""Reading a workspace directory into model objects, with every problem located.

A workspace holds one YAML file per source document (any depth),
``owners.yaml``, an optional ``diasporatrack.yaml`` and the journal. The
reader never raises on bad content: it returns a :class:`Workspace` whose
``problems`` list every mistake as ``file:line: message``, so ``validate``
can show them all at once. Writing them is :mod:`diasporatrack.authoring`'s job.

One module per job: ``layout`` finds the workspace and its files, ``fields``
checks raw values field by field, ``readers`` reads the settings, owners and
source files; reading them all (on two cores for the CLI) is here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import attrs

from ..errors import Problem
from .fields import (
    FINDING_SPEC, OWNER_SPEC, PUBLISH_SPEC, RECOMMENDATION_SPEC, RESPONSE_SPEC, SOURCE_SPEC, STATUS_SPEC,
    FieldChecker, date, did_you_mean, flag, id_list, identifier, impact, kind, line_of, positive_int,
    sha256_hex, status_name, text, text_list,
)
from .layout import (
    ACTIONS_FILE, CONFIG_FILE, CONFIG_KEYS, DEFAULT_DIR, OWNERS_FILE, ROOT_ENV, Location, Workspace,
    display_path, find_root, is_workspace, source_files,
)
from .readers import load_file, read_config, read_owners, read_source_file

# What other modules import from here; the readers and checkers live in the modules named above.
__all__ = [
    "ACTIONS_FILE", "CONFIG_FILE", "CONFIG_KEYS", "DEFAULT_DIR", "FINDING_SPEC", "OWNERS_FILE", "OWNER_SPEC",
    "PUBLISH_SPEC", "RECOMMENDATION_SPEC", "RESPONSE_SPEC", "ROOT_ENV", "SOURCE_SPEC", "STATUS_SPEC",
    "FieldChecker", "Location", "Workspace", "date", "did_you_mean", "display_path", "find_root", "flag",
    "id_list", "identifier", "impact", "is_workspace", "kind", "line_of", "load_file", "positive_int",
    "read_config", "read_owners", "read_source_file", "read_workspace", "sha256_hex", "source_files",
    "status_name", "text", "text_list",
]

def read_workspace(root: Path) -> Workspace:
    """Read every authored file of the workspace at ``root``; never raises on content."""
    problems: list[Problem] = []
    config, lifecycle, responses = read_config(root, problems)
    ws = Workspace(root=root, lifecycle=lifecycle, responses=responses, config=config, problems=problems)
    ws.owners, owner_locations = read_owners(root, problems)
    ws.locations.update({"owner:" + k: v for k, v in owner_locations.items()})
    files = source_files(root)
    for path, (raw, problem) in zip(files, _parse_all(root, files)):
        if problem is not None:
            problems.append(attrs.evolve(problem, path=display_path(path)))
        elif raw is None:
            problems.append(Problem(message="file is empty", path=display_path(path), line=1))
        else:
            read_source_file(path, ws, raw)
    from ..fieldcheck import check_links

    check_links(ws, ws.links)
    return ws


# The CLI turns this on: a large workspace is then parsed on two cores. Off
# for the library, where forking a process that may run threads is unsafe.
PARALLEL = False


def _parse_all(root: Path, paths: list[Path]) -> list[tuple[Any, Problem | None]]:
    """Each file's YAML, or the problem that stopped it, in order."""
    from ..yamlio import YamlProblem, load_yaml, use_native

    def parse(path: Path) -> tuple[Any, Problem | None]:
        try:
            return load_yaml(path, root=root, kind="source"), None
        except YamlProblem as err:
            return None, err.problem

    # The native parser reads faster than a second process could send its half back.
    if use_native(len(paths)) or not (PARALLEL and hasattr(os, "fork") and len(paths) >= 16 and (os.cpu_count() or 1) > 1):
        return [parse(p) for p in paths]
    import pickle

    half = len(paths) // 2
    first, second = paths[:half], paths[half:]
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child parses the first half and sends it back whole
        os.close(read_fd)
        try:
            payload = pickle.dumps([parse(p) for p in first], protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_fd, "wb") as out:
                out.write(payload)
        finally:
            os._exit(0)
    os.close(write_fd)
    mine = [parse(p) for p in second]
    with os.fdopen(read_fd, "rb") as incoming:
        payload = incoming.read()
    os.waitpid(pid, 0)
    try:
        theirs = pickle.loads(payload)
        if len(theirs) != len(first):
            raise ValueError("incomplete")
    except Exception:  # the child died or sent something broken: do its half here
        theirs = [parse(p) for p in first]
    return theirs + mine
