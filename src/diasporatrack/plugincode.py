"""Running plugin code: its output kept off stdout, its failures told by its own file and line.

Used by :mod:`diasporatrack.plugins` and by every place that calls into a
plugin (scoring, exporting, reminding, commands).
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
import types
from collections.abc import Iterator
from pathlib import Path

_quiet_depth = 0


@contextlib.contextmanager
def output_to_stderr() -> Iterator[None]:
    """While plugin code runs, what it prints goes to stderr, not stdout.

    Both ``sys.stdout`` and file descriptor 1 are redirected, so a plugin's
    ``print``, a C extension's or a child process's output cannot corrupt a
    command's machine output (``export json``, ``--format json``).
    Re-entrant; a command a plugin adds is not run under it (its output is
    the command's).
    """
    global _quiet_depth
    if _quiet_depth:
        yield
        return
    saved = None
    try:
        sys.stdout.flush()
    except (OSError, ValueError, AttributeError):
        pass
    try:
        saved = os.dup(1)
        os.dup2(2, 1)
    except OSError:  # no usable fd 1 or 2 (a daemon): Python's stdout is still redirected
        if saved is not None:
            os.close(saved)
        saved = None
    _quiet_depth += 1
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        _quiet_depth -= 1
        try:
            sys.stderr.flush()
        except (OSError, ValueError, AttributeError):
            pass
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)


def run_file(name: str, path: Path, data: bytes) -> types.ModuleType:
    """Run the bytes of a plugin file that were checked against the trust store (not a re-read)."""
    module = types.ModuleType(f"diasporatrack_local_plugin_{name}")
    module.__file__ = str(path)
    # In sys.modules like any imported module: dataclasses and typing look classes' modules up there.
    sys.modules[module.__name__] = module
    try:
        exec(compile(data, str(path), "exec"), module.__dict__)  # noqa: S102 - trusted by the user, see trust.py
    except BaseException:
        sys.modules.pop(module.__name__, None)
        raise
    return module


_OURS = str(Path(__file__).resolve().parent)


def describe(err: BaseException) -> str:
    """``Type: message (file:line)``, the line being the plugin's own code."""
    where = ""
    if isinstance(err, SyntaxError) and err.filename:
        where = f" ({err.filename}:{err.lineno})"
    else:
        frames = [
            f for f in traceback.extract_tb(err.__traceback__)
            if not f.filename.startswith(_OURS)
            and not any(part in f.filename for part in ("pluggy", "<frozen", "importlib"))
        ]
        if frames:
            where = f" ({frames[-1].filename}:{frames[-1].lineno})"
    message = str(err)
    return f"{type(err).__name__}: {message}{where}" if message else f"{type(err).__name__}{where}"
