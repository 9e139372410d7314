"""What an import will write, and writing it all or nothing.

A :class:`Draft` is one new source file. Its recommendations are written,
a thousand at a time, to a staged file beside the target as they are read,
so a file of a million rows is never held in memory; a dry run keeps only
their count. :meth:`ImportPlan.write` then puts every file in place under
the journal's lock: ``owners.yaml``, the new source files (never over an
existing file), the journal's events last; a failure at any step puts back
every file it had changed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from ..errors import InputError, WriteError
from ..files import StagedFile
from ..model import Event

HEADER = ("# yaml-language-server: $schema=.schemas/source.schema.json\n"
          "# Written by `diasporatrack import`; edit freely.\n")
CHUNK = 1000  # recommendations rendered per call of the YAML emitter


def _dump(data: Any) -> str:
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter: a UPR file has 80,000 rows
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v not in (None, [], "")}


@attrs.define(eq=False)
class Draft:
    """A new source file: its ``source:`` block, then its recommendations as they are added.

    With ``target`` the recommendations go to a staged file beside it;
    without (a dry run), only ``ids`` and the count are kept.
    """

    source: dict[str, Any]
    target: Path | None = None
    findings: list[dict[str, Any]] = attrs.Factory(list)
    count: int = 0
    _pending: list[dict[str, Any]] = attrs.Factory(list)
    _staged: StagedFile | None = None
    _written: bool = False

    def add(self, recommendation: dict[str, Any]) -> None:
        self.count += 1
        if self.target is None:
            return
        self._pending.append(_clean(recommendation))
        if len(self._pending) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        """Write the pending recommendations to the staged file."""
        if self.target is None:
            return
        if self._staged is None:
            self._staged = StagedFile(self.target)
            self._staged.open()
            self._staged.append(HEADER + _dump({"source": _clean(self.source)}) + "recommendations:\n")
        if self._pending:
            self._staged.append(_dump(self._pending))
            self._pending = []

    def seal(self) -> None:
        """Write what is pending and the findings; the staged file is complete."""
        if self.target is None or self._written:
            return
        if self.count == 0 and self._staged is None:
            self._staged = StagedFile(self.target)
            self._staged.open()
            self._staged.append(HEADER + _dump({"source": _clean(self.source)}) + "recommendations: []\n")
        self.flush()
        if self.findings:
            self._staged.append(_dump({"findings": [_clean(f) for f in self.findings]}))
        self._staged.close()
        self._written = True

    @property
    def staged(self) -> StagedFile | None:
        return self._staged

    def discard(self) -> None:
        if self._staged is not None:
            self._staged.discard()


@attrs.define(eq=False)
class ImportPlan:
    """What an import will write; ``write`` does it, all or nothing. ``discard`` drops it."""

    root: Path
    drafts: list[Draft]
    new_owners: list[dict[str, Any]] = attrs.Factory(list)
    events: list[Event] = attrs.Factory(list)  # from a JSON export's history, for new recommendations only
    dry_run: bool = False
    notes: list[str] = attrs.Factory(list)  # what was read and how: guesses, columns to fields, columns unused
    warnings: list[str] = attrs.Factory(list)  # what looks wrong as a whole: the command refuses it unless forced

    def paths(self) -> list[Path]:
        return [self.root / f"{d.source['id']}.yaml" for d in self.drafts]

    @property
    def total(self) -> int:
        return sum(d.count for d in self.drafts)

    def __enter__(self) -> ImportPlan:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()

    def discard(self) -> None:
        for draft in self.drafts:
            draft.discard()

    def write(self) -> list[Path]:
        """Put every file in place, or none: returns the paths written."""
        from ..journal import JOURNAL_NAME, Journal

        if self.dry_run:
            raise InputError("a dry run's plan cannot be written; plan again without dry_run")
        for path in self.paths():
            if path.exists() or path.is_symlink():
                self.discard()
                raise InputError(f"{path} already exists; nothing was written (import never overwrites a file)")
        done: list[StagedFile] = []
        written: list[Path] = []
        journal = Journal(self.root / JOURNAL_NAME)
        try:
            for draft in self.drafts:
                draft.seal()
            with journal.locked() as fh:
                if self.new_owners:
                    owners = StagedFile(self.root / "owners.yaml")
                    owners.stage(owners_text(owners.path, self.new_owners))
                    owners.commit()
                    done.append(owners)
                    written.append(owners.path)
                for draft in self.drafts:
                    assert draft.staged is not None
                    draft.staged.commit(exclusive=True)
                    done.append(draft.staged)
                    written.append(draft.staged.path)
                if self.events:
                    journal.append(fh, self.events)
                    written.append(journal.path)
        except BaseException:
            for staged in reversed(done):
                try:
                    staged.rollback()
                except OSError as err:  # pragma: no cover - the disk refused to put a file back
                    raise WriteError(f"import failed and {staged.path} could not be put back: "
                                     f"{err.strerror}") from None
            self.discard()
            raise
        for staged in done:
            staged.finish()
        return written


def owners_text(path: Path, owners: Sequence[dict[str, Any]]) -> str:
    """``owners.yaml`` with ``owners`` added after the lines already there (never rewriting them)."""
    import yaml

    from ..yamlio import YamlProblem, load_yaml

    try:
        text = path.read_text(encoding="utf-8") if path.exists() else "owners:\n"
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read it to add the imported owners ({err})") from None
    entries = yaml.safe_dump([_clean(o) for o in owners], sort_keys=False, allow_unicode=True, width=100)
    entries = "".join("  " + line + "\n" for line in entries.splitlines())
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if re.match(r"^owners:\s*(\[\s*\]|null|~)?\s*(#.*)?$", line):
            if re.match(r"^owners:\s*$", line.split("#")[0].rstrip() + "\n"):
                new = text if text.endswith("\n") else text + "\n"
                new += entries
            else:  # `owners: []`: the only line that changes, to open the list
                lines[index] = "owners:\n"
                new = "".join(lines[: index + 1]) + entries + "".join(lines[index + 1:])
            break
    else:
        raise InputError(f"{path}: cannot find the 'owners:' list to add imported owners to")
    try:
        load_yaml(path, new)  # never leave a file that does not read back
    except YamlProblem as err:
        raise InputError(f"{path}: adding owners would break the file ({err}); add them by hand") from None
    return new


class DraftSet:
    """The drafts of one import, by source id, keeping few recommendations in memory at once."""

    MAX_PENDING = 20_000  # recommendations waiting to be written, over every draft

    def __init__(self, root: Path, dry_run: bool) -> None:
        self.root, self.dry_run = root, dry_run
        self.drafts: dict[str, Draft] = {}
        self._pending = 0

    def __contains__(self, source_id: str) -> bool:
        return source_id in self.drafts

    def __getitem__(self, source_id: str) -> Draft:
        return self.drafts[source_id]

    def layout(self, **_: Any) -> None:
        """What the layout reads (used by an update, see :class:`~diasporatrack.importer.update.UpdateSet`)."""

    def source_problem(self, tracker, source_id: str) -> str | None:
        """Why ``source_id`` cannot be a new source, or None."""
        from .checks import source_id_problem

        return source_id_problem(tracker, source_id)

    def id_taken(self, tracker, rec_id: str, source_id: str) -> bool:
        return rec_id in tracker

    def new(self, source: dict[str, Any]) -> Draft:
        target = None if self.dry_run else self.root / f"{source['id']}.yaml"
        draft = self.drafts[source["id"]] = Draft(source, target)
        return draft

    def add(self, source_id: str, recommendation: dict[str, Any], **where: Any) -> None:
        self.drafts[source_id].add(recommendation)
        self._pending += 1
        if self._pending >= self.MAX_PENDING:
            for draft in self.drafts.values():
                draft.flush()
            self._pending = 0

    def plan(self, **fields: Any) -> ImportPlan:
        return ImportPlan(self.root, list(self.drafts.values()), dry_run=self.dry_run, **fields)

    def discard(self) -> None:
        for draft in self.drafts.values():
            draft.discard()
