"""Where a workspace is and which of its files are authored: names and walks, nothing read.

Kept apart from :mod:`diasporatrack.workspace` (which reads the files into
the model) so that a command answered from the cache can find the
workspace and fingerprint its files without importing the model.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # pathlib is imported where a Path is made: a command answered from the cache needs none
if TYPE_CHECKING:
    from pathlib import Path

OWNERS_FILE = "owners.yaml"
CONFIG_FILE = "diasporatrack.yaml"
DEFAULT_DIR = "recommendations"
ROOT_ENV = "DIASPORATRACK_ROOT"
ACTIONS_FILE = "actions.yaml"  # the plan (see diasporatrack.actions): never a source file
JOURNAL_NAME = "journal.jsonl"


def is_workspace(path: Path) -> bool:
    # lexists: a workspace whose settings are a link is still found, and then refused with a located error.
    return os.path.lexists(path / CONFIG_FILE) or os.path.lexists(path / OWNERS_FILE)


def find_root(root: str | os.PathLike[str] | None = None, start: Path | None = None) -> Path:
    """The workspace directory: ``root``, else ``$DIASPORATRACK_ROOT``, else
    the nearest workspace or ``recommendations/`` upward from ``start``."""
    from pathlib import Path

    from .errors import InputError
    from .textsafety import quote

    given = root if root is not None else os.environ.get(ROOT_ENV) or None
    if given is not None:
        path = Path(given)
        try:
            is_dir = path.is_dir()
        except OSError as err:  # a name too long, a loop of links
            from .safeio import describe_os_error

            raise InputError(f"workspace {quote(str(path))} {describe_os_error(err)}") from None
        if not is_dir:
            raise InputError(f"workspace {quote(str(path))} is not a directory")
        return path
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        if is_workspace(directory):
            return directory
        candidate = directory / DEFAULT_DIR
        if candidate.is_dir():
            return candidate
    raise InputError(
        f"no workspace found in {here} or above: run 'diasporatrack init', or pass --root "
        f"or set {ROOT_ENV}"
    )


def source_files(root: Path) -> list[Path]:
    """Every source YAML file of a workspace, in a stable order.

    A linked folder is listed too (it is not walked into): reading it then
    fails with a located error, so a link cannot hide or import files.
    """
    return [root.joinpath(*rel.split("/")) for rel in source_names(root)]


def source_names(root: str | os.PathLike[str]) -> list[str]:
    """:func:`source_files` as paths relative to ``root`` joined with ``/`` (without building a Path)."""
    found = []
    top = os.fspath(root)
    for dirpath, dirnames, filenames in os.walk(top):
        linked = [d for d in dirnames if not d.startswith((".", "_")) and os.path.islink(os.path.join(dirpath, d))]
        folder = os.path.relpath(dirpath, top).replace(os.sep, "/")
        prefix = "" if folder == "." else folder + "/"
        found.extend(prefix + d for d in sorted(linked))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")) and d not in linked)
        for name in sorted(filenames):
            if not name.endswith((".yaml", ".yml")) or name.startswith("."):
                continue
            if not prefix and name in (OWNERS_FILE, CONFIG_FILE, ACTIONS_FILE):
                continue
            found.append(prefix + name)
    return found


def locate_root(root: str | None = None) -> str | None:
    """:func:`find_root` without pathlib, for a command answered from the cache: the folder, or None if
    :func:`find_root` would raise (it then says why)."""
    given = root if root is not None else os.environ.get(ROOT_ENV) or None
    if given is not None:
        try:
            return given if os.path.isdir(given) else None
        except (OSError, ValueError):
            return None
    try:
        here = os.path.realpath(os.getcwd())
    except OSError:
        return None
    while True:
        if os.path.lexists(os.path.join(here, CONFIG_FILE)) or os.path.lexists(os.path.join(here, OWNERS_FILE)):
            return here
        candidate = os.path.join(here, DEFAULT_DIR)
        if os.path.isdir(candidate):
            return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent
