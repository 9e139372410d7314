"""Bringing the cache up to date after some authored files changed, by reading only those files.

What a file contributes (its source, findings and recommendations) depends
on that file and on the settings and owners, and on nothing else, except for
the rules that span files: source, finding and recommendation ids are
unique across the workspace, and a parent or a cited finding may be in
another file (with no loop of parents). So a changed file is read again with
the cached settings and owners, its ids are looked up among the other files'
ids (one indexed lookup each), every file's links (kept per file) are checked
again against all ids when any file has links, and the file's recommendations
are folded again: one whose id the cache already had replays that row's
history (every event folded into it, in order), a new one is folded from the
journal by the tracker's own fold. Anything else (a problem in a file, an id
now in two files, a broken link, changed settings or owners) is left to a
full read, which reports problems with their lines.
The cache is only ever written for a valid workspace, so a refresh starts
from one.
"""

from __future__ import annotations

import contextlib
import pickle
import sqlite3
from pathlib import Path

from ..errors import DiasporatrackError
from ..model import Recommendation
from ..workspace import Workspace, read_config, read_owners, read_source_file
from .fingerprints import Scan, content_hash, is_racy, order_key, read_settings_blob, settings_blob, settings_hashes
from .store import SCHEMA, connect, delete_index_rows, file_row, insert_recs, new_token, source_row


def refresh(path: Path, root: Path, scan: Scan) -> bool:
    """Make the cache at ``path`` match the files of ``scan``; False if only a full read can.

    The caller holds the writer lock. Everything happens in one transaction.
    """
    if not path.exists():
        return False
    try:
        db = connect(path)
    except (sqlite3.Error, OSError):
        return False
    try:
        db.execute("BEGIN IMMEDIATE")
        ok = False
        try:
            ok = _refresh(db, root, scan)
        except DiasporatrackError:  # a corrupt journal, an unreadable file: the full read reports it
            ok = False
        finally:
            db.execute("COMMIT" if ok else "ROLLBACK")
        return ok
    except sqlite3.Error:
        return False
    finally:
        with contextlib.suppress(sqlite3.Error):
            db.close()


def _refresh(db: sqlite3.Connection, root: Path, scan: Scan) -> bool:
    from ..yamlio import YamlProblem, load_yaml, read_text

    meta = dict(db.execute("SELECT key, value FROM meta"))
    if meta.get("format") != SCHEMA:
        return False
    config, lifecycle, responses, owners, children = pickle.loads(meta["workspace"])
    stats, racy, hashes = read_settings_blob(meta["settings"])
    if racy or stats != scan.settings:
        # Settings and owners decide what every file means: unchanged values are fine, anything else is a full read.
        before = settings_hashes(root)
        if before != hashes:
            problems: list = []
            now = (*read_config(root, problems), read_owners(root, problems)[0])
            if problems or now != (config, lifecycle, responses, owners) or settings_hashes(root) != before:
                return False
        db.execute("UPDATE meta SET value = ? WHERE key = 'settings'", (settings_blob(scan, before),))

    known = {row[0]: row[1:] for row in db.execute("SELECT path, size, mtime_ns, ctime_ns, ino, hash, racy FROM files")}
    texts: dict[str, tuple[str, str]] = {}
    for rel, stat in scan.files.items():
        old = known.get(rel)
        if old is not None and tuple(old[:4]) == stat and not old[5]:
            continue
        try:
            text = read_text(root / rel, root=root, kind="source")
        except YamlProblem:
            return False
        digest = content_hash(text)
        if old is not None and old[4] == digest:  # touched, not changed: remember the new fingerprint
            db.execute("UPDATE files SET size = ?, mtime_ns = ?, ctime_ns = ?, ino = ?, racy = ? WHERE path = ?",
                       (*stat, int(is_racy(stat, scan.taken_ns)), rel))
            continue
        texts[rel] = (text, digest)
    removed = [rel for rel in known if rel not in scan.files]
    if not texts and not removed:
        return True

    from ..yamlio import use_native

    use_native(len(texts))  # many changed files: the native parser, when installed, reads them
    scratch = Workspace(root=root, lifecycle=lifecycle, responses=responses, config=config, owners=owners)
    ids_of: dict[str, list[str]] = {}
    for rel in sorted(texts, key=order_key):
        try:
            raw = load_yaml(root / rel, texts[rel][0])
        except YamlProblem:
            return False
        if raw is None:
            return False
        before = set(scratch.recommendations)
        read_source_file(root / rel, scratch, raw)
        ids_of[rel] = [i for i in scratch.recommendations if i not in before]
    if scratch.problems:
        return False

    gone = set(texts) | set(removed)
    db.execute("CREATE TEMP TABLE IF NOT EXISTS gone_paths (path TEXT PRIMARY KEY)")
    db.execute("DELETE FROM gone_paths")
    db.executemany("INSERT INTO gone_paths VALUES (?)", ((rel,) for rel in gone))
    findings = [f.id for s in scratch.sources.values() for f in s.findings]
    for table, ids in (("recs", list(scratch.recommendations)), ("sources", list(scratch.sources)),
                       ("findings", findings)):
        if any(rel not in gone for _, rel in _lookup(db, f"SELECT id, path FROM {table}", ids)):
            return False  # the id is also in a file that did not change

    rel_of = {sid: p.relative_to(root).as_posix() for sid, p in scratch.source_paths.items()}
    links_of: dict[str, list] = {}
    for link in scratch.links:
        links_of.setdefault(rel_of[scratch.recommendations[link.rec].source], []).append(link)
    children = _check_links(db, scratch, links_of)
    if children is None:
        return False

    old = {rec_id: pickle.loads(body) for rec_id, body in
           _lookup(db, "SELECT id, body FROM recs", list(scratch.recommendations))}
    new = _fold_new(scratch, {i: r for i, r in scratch.recommendations.items() if i not in old})
    if new is None:
        return False
    rows = []
    for rec_id, rec in scratch.recommendations.items():
        rec = _replay(rec, old[rec_id].history) if rec_id in old else new[rec_id]
        rows.append((rec, rel_of[rec.source]))

    delete_index_rows(db, [i for (i,) in db.execute("SELECT id FROM recs WHERE path IN (SELECT path FROM gone_paths)")])
    for table in ("recs", "sources", "findings", "files"):
        db.execute(f"DELETE FROM {table} WHERE path IN (SELECT path FROM gone_paths)")
    insert_recs(db, rows)
    db.executemany("INSERT INTO sources VALUES (?, ?, ?, ?)",
                   (source_row(s, rel_of[s.id]) for s in scratch.sources.values()))
    db.executemany("INSERT INTO findings VALUES (?, ?)",
                   ((f.id, rel_of[s.id]) for s in scratch.sources.values() for f in s.findings))
    db.executemany("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (file_row(rel, scan, texts[rel][1], ids_of[rel], links_of.get(rel, [])) for rel in texts))
    db.execute("UPDATE meta SET value = ? WHERE key = 'workspace'",
               (pickle.dumps((config, lifecycle, responses, owners, children), protocol=pickle.HIGHEST_PROTOCOL),))
    db.execute("UPDATE meta SET value = ? WHERE key = 'token'", (new_token(),))
    return True


def _check_links(db: sqlite3.Connection, scratch: Workspace, links_of: dict[str, list]) -> dict | None:
    """Parents and citations across every file, as a full read checks them; the clusters, or None if wrong.

    Needs the ids of every recommendation and finding, so it runs only when
    some file has a link at all.
    """
    from types import SimpleNamespace

    from ..fieldcheck import check_links

    kept = "path NOT IN (SELECT path FROM gone_paths)"
    stored = db.execute(f"SELECT path, links FROM files WHERE links IS NOT NULL AND {kept}").fetchall()
    if not stored and not links_of:
        return {}
    by_file = {rel: pickle.loads(blob) for rel, blob in stored}
    by_file.update(links_of)
    links = [link for rel in sorted(by_file, key=order_key) for link in by_file[rel]]
    recs = dict.fromkeys(i for (i,) in db.execute(f"SELECT id FROM recs WHERE {kept}"))
    recs.update(dict.fromkeys(scratch.recommendations))
    findings = [f for (f,) in db.execute(f"SELECT id FROM findings WHERE {kept}")]
    findings += [f.id for s in scratch.sources.values() for f in s.findings]
    view = SimpleNamespace(recommendations=recs, locations=dict.fromkeys(f"finding:{f}" for f in findings),
                           problems=[], children={})
    check_links(view, links)
    return None if view.problems else view.children


def _lookup(db: sqlite3.Connection, select: str, ids: list[str]) -> list[tuple]:
    """Rows of ``select ... WHERE id IN ids``, in chunks SQLite accepts."""
    found: list[tuple] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found += db.execute(f"{select} WHERE id IN ({', '.join('?' * len(chunk))})", chunk).fetchall()
    return found


def _fold_new(scratch: Workspace, recs: dict[str, Recommendation]) -> dict[str, Recommendation] | None:
    """Recommendations the cache has no row for (new, or back after a removal), with the journal folded in
    by the tracker's own fold."""
    if not recs:
        return {}
    from ..journal import JOURNAL_NAME, Journal
    from ..tracker import Tracker

    alone = Workspace(root=scratch.root, lifecycle=scratch.lifecycle, responses=scratch.responses,
                      config=scratch.config, owners=scratch.owners, recommendations=dict(recs))
    tracker = Tracker(alone, Journal(scratch.root / JOURNAL_NAME))
    tracker._catch_up()
    if tracker.set_aside:  # events dated ahead: a full read, which keeps no cache while they wait
        return None
    return dict(tracker._state)


def _replay(rec: Recommendation, history) -> Recommendation:
    """Fold events into a recommendation as the tracker's fold does (an event already in it is skipped)."""
    for event in history:
        if rec.history and rec.history[-1].sort_key >= event.sort_key:
            continue
        rec = rec.apply(event)
    return rec
