"""Installed plugins are listed as importlib.metadata lists them, from a kept listing while nothing installed changed."""

from __future__ import annotations

import importlib.metadata
import os
import time

import pytest

from diasporatrack import entrypoints

from conftest import write


def metadata_listing(group: str) -> list[tuple]:
    return [(ep.name, ep.value, ep.dist.name if ep.dist else None, ep.dist.version if ep.dist else None)
            for ep in importlib.metadata.entry_points(group=group)]


def test_the_listing_is_importlib_metadatas_and_is_kept(monkeypatch):
    for group in ("diasporatrack", "console_scripts", "pytest11"):
        assert entrypoints.listed(group) == metadata_listing(group)

    def unreadable(**kwargs):
        raise AssertionError("read again although nothing changed")

    expected = metadata_listing("console_scripts")
    monkeypatch.setattr(importlib.metadata, "entry_points", unreadable)
    assert entrypoints.listed("console_scripts") == expected


def test_installing_or_changing_a_plugin_is_seen(tmp_path, monkeypatch):
    site = tmp_path / "site"
    write(site / "dt_listed_plugin.py", "class Plugin:\n    class Inner:\n        x = 1\n")
    monkeypatch.syspath_prepend(str(site))
    assert entrypoints.listed("diasporatrack-test") == []
    info = site / "dt_listed_plugin-0.1.dist-info"
    write(info / "METADATA", "Metadata-Version: 2.1\nName: dt-listed-plugin\nVersion: 0.1\n")
    write(info / "entry_points.txt", "[diasporatrack-test]\none = dt_listed_plugin:Plugin.Inner\n")
    found = entrypoints.listed("diasporatrack-test")
    assert found == [("one", "dt_listed_plugin:Plugin.Inner", "dt-listed-plugin", "0.1")]
    assert entrypoints.load(found[0][1]).x == 1
    time.sleep(0.01)  # an edit in place (same folders): the file's own fingerprint changes
    (info / "entry_points.txt").write_text("[diasporatrack-test]\ntwo = dt_listed_plugin\n", encoding="utf-8")
    os.utime(info / "entry_points.txt", ns=(time.time_ns(), time.time_ns() + 10**9))
    assert entrypoints.listed("diasporatrack-test") == [("two", "dt_listed_plugin", "dt-listed-plugin", "0.1")]
    assert entrypoints.load("dt_listed_plugin").Plugin.Inner.x == 1


def test_broken_metadata_is_not_kept(monkeypatch):
    def broken(**kwargs):
        raise ValueError("bad entry_points.txt")

    monkeypatch.setattr(importlib.metadata, "entry_points", broken)
    with pytest.raises(ValueError):
        entrypoints.listed("diasporatrack-broken")
    monkeypatch.undo()
    assert entrypoints.listed("diasporatrack-broken") == []
