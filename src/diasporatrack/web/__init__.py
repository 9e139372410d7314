"""``diasporatrack serve``: the web app for a team, over the same Tracker and journal.

An optional extra (``pip install -e ".[web]"``): Starlette for the app,
uvicorn to serve it, argon2-cffi for passwords, itsdangerous for signed
cookies (forms are read by the app itself: no upload parser needed). Nothing here is imported by the rest of
the library, so the core install stays light.

The modules: :mod:`.users` (the accounts file), :mod:`.auth` (sessions,
CSRF tokens, sign-in limits, who may do what), :mod:`.pages` (the pages, on
the templates of :mod:`diasporatrack.publish`), :mod:`.forms` (a form's
fields into a Tracker call), :mod:`.app` (routes and headers).
"""

from __future__ import annotations

import os
import re
from importlib.util import find_spec
from pathlib import Path

from ..errors import InputError

EXTRA = "web"
NEEDS = {"starlette": "starlette", "uvicorn": "uvicorn", "argon2": "argon2-cffi", "itsdangerous": "itsdangerous"}


def missing_extra(package: str) -> InputError:
    """The one-line error for a part of the ``[web]`` extra that is not installed."""
    return InputError(f"the web app needs the [{EXTRA}] extra ({package} is not installed): "
                      f"pip install 'diasporatrack[{EXTRA}]'")


def require(*modules: str) -> None:
    """Raise :func:`missing_extra` for the first of ``modules`` (default: all the extra's) not installed."""
    for module in modules or tuple(NEEDS):
        if find_spec(module) is None:
            raise missing_extra(NEEDS.get(module, module))


def is_shipped(root: str | os.PathLike[str]) -> bool:
    """Whether ``root`` is the ``recommendations/`` workspace of a diasporatrack checkout.

    That workspace is the record of the source documents: ``serve`` writes only
    to a copy. Known by where it is, not by a file in it (a copy would carry
    the file along): the folder beside this package's source tree, or any
    ``recommendations/`` folder next to the project's ``pyproject.toml``.
    """
    path = Path(root).resolve()
    package = Path(__file__).resolve().parents[1]  # src/diasporatrack
    if path == (package.parents[1] / "recommendations").resolve():
        return True
    project = path.parent / "pyproject.toml"
    if path.name != "recommendations" or not (path.parent / "src" / "diasporatrack").is_dir():
        return False
    try:
        text = project.read_text(encoding="utf-8", errors="replace")[:100_000]
    except OSError:
        return False
    return re.search(r'(?m)^name\s*=\s*"diasporatrack"\s*$', text) is not None
