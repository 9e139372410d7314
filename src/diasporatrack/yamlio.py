"""Reading YAML safely, strictly and with line numbers.

* Safe: only plain YAML types are built; ``!!python/...`` tags are refused.
* Strict: duplicate keys are errors, and the YAML 1.1 surprises are off:
  ``NO`` (Norway), ``on``, ``yes`` stay strings, ``12:30`` is not the number
  750, ``0123`` is not octal. Only ``true``/``false`` are booleans.
* Located: every mapping remembers the line it starts on and the line of each
  key, so later checks can say ``file:line: message``.

libyaml's C parser is used when PyYAML was built with it (about ten times
faster); the pure-Python parser is the fallback. Both give the same values
and the same located errors.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.resolver import BaseResolver

from .errors import Problem

__all__ = ["LocatedDict", "load_yaml", "YamlProblem"]


class LocatedDict(dict):
    """A dict built from a YAML mapping, with the lines it came from."""

    __slots__ = ("line", "key_lines")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line: int | None = None
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int | None:
        """The line of ``key`` if present, else the line of the mapping."""
        return self.key_lines.get(key, self.line)


class _StrictResolver(BaseResolver):
    """YAML 1.2-like implicit typing: fewer surprises than PyYAML's 1.1."""


for _tag, _regexp, _first in [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", "<"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (
        "tag:yaml.org,2002:timestamp",
        r"^(?:[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
        r"(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
        r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?)$",
        "0123456789",
    ),
]:
    _StrictResolver.add_implicit_resolver(_tag, re.compile(_regexp), list(_first))


class _LocatingConstructor(SafeConstructor):
    """SafeConstructor whose mappings are :class:`LocatedDict` without duplicates."""

    def construct_located_map(self, node: yaml.MappingNode):  # type: ignore[no-untyped-def]
        data = LocatedDict()
        data.line = node.start_mark.line + 1
        yield data
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise ConstructorError(None, None, "merge keys (<<) are not supported", key_node.start_mark)
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise ConstructorError(None, None, "a mapping key must be a plain value", key_node.start_mark) from None
            if key in data:
                raise ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first on line {data.key_lines[key]})",
                    key_node.start_mark,
                )
            data[key] = self.construct_object(value_node, deep=True)
            data.key_lines[key] = key_node.start_mark.line + 1


    def construct_checked_timestamp(self, node: yaml.ScalarNode):  # type: ignore[no-untyped-def]
        try:
            return self.construct_yaml_timestamp(node)
        except ValueError as err:
            raise ConstructorError(None, None, f"impossible date {node.value!r} ({err})", node.start_mark) from None


_LocatingConstructor.add_constructor("tag:yaml.org,2002:map", _LocatingConstructor.construct_located_map)
_LocatingConstructor.add_constructor("tag:yaml.org,2002:timestamp", _LocatingConstructor.construct_checked_timestamp)
# SafeConstructor registers these; they would build surprising types or sets.
_LocatingConstructor.add_constructor("tag:yaml.org,2002:omap", _LocatingConstructor.construct_undefined)
_LocatingConstructor.add_constructor("tag:yaml.org,2002:pairs", _LocatingConstructor.construct_undefined)
_LocatingConstructor.add_constructor("tag:yaml.org,2002:set", _LocatingConstructor.construct_undefined)


class _PureLoader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    _LocatingConstructor,
    _StrictResolver,
):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _LocatingConstructor.__init__(self)
        _StrictResolver.__init__(self)


try:
    from yaml.cyaml import CParser

    class _FastLoader(CParser, _LocatingConstructor, _StrictResolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _LocatingConstructor.__init__(self)
            _StrictResolver.__init__(self)

    Loader: type = _FastLoader
except ImportError:  # PyYAML built without libyaml
    Loader = _PureLoader


class YamlProblem(Exception):
    """A file could not be read as YAML; ``problem`` says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def load_yaml(path: Path, text: str | None = None, *, loader: type | None = None) -> Any:
    """Parse one YAML document from ``path`` (or from ``text``, named ``path``).

    Raises :class:`YamlProblem` with the file and line of the first error.
    An empty document gives ``None``.
    """
    if text is None:
        text = read_text(path)
    load = (loader or Loader)(text)
    try:
        return load.get_single_data()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        what = err.problem or err.context or "invalid YAML"
        if isinstance(err, ConstructorError) and "could not determine a constructor" in what:
            what = f"tag {what.rsplit(' ', 1)[-1]} is not allowed (only plain YAML values are read)"
        raise YamlProblem(Problem(message=what, path=path, line=line)) from None
    except yaml.YAMLError as err:
        raise YamlProblem(Problem(message=f"invalid YAML: {err}", path=path)) from None
    except RecursionError:
        raise YamlProblem(Problem(message="YAML nested too deeply", path=path)) from None
    finally:
        load.dispose()


def read_text(path: Path) -> str:
    """Read a text file as UTF-8, turning a decoding error into a located problem."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise YamlProblem(Problem(message=f"cannot read file: {err.strerror}", path=path)) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise YamlProblem(Problem(message="file is not UTF-8 text", path=path, line=line)) from None
