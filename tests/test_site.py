"""The static site (`export site -o DIR`): public only, escaped, valid-ish, paginated, and working in a browser."""

from __future__ import annotations

import re
import shutil
import sqlite3
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SHIPPED, write
from diasporatrack import Tracker
from diasporatrack.publish.site import CSP, MARKER, PAGE_SIZE, logo_kind, page_name, render_markdown
from test_publishing import _database_text, _secrets_in, seeded  # noqa: F401 - the fixture is shared

VOID = {"meta", "link", "img", "br", "hr", "input", "source", "wbr", "rect", "col", "area", "base", "embed"}
XSS = '<script>alert(1)</script><img src=x onerror="alert(2)">'


class Checked(HTMLParser):
    """Tags balanced, no script but our own file, no inline style or handler, no address of another host."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.csp: str | None = None
        self.landmarks: set[str] = set()
        self.headings: list[int] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "meta" and values.get("http-equiv") == "Content-Security-Policy":
            self.csp = values.get("content")
        if tag == "script" and values.get("src") not in ("assets/search.js",):
            self.problems.append(f"script {values}")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"attribute {name}={value!r}")
            if name in ("src", "href") and value and re.match(r"^\s*(javascript|data|vbscript):", value, re.I):
                self.problems.append(f"{name}={value!r}")
            if name == "src" and value and re.match(r"^(https?:)?//", value):
                self.problems.append(f"a request to another host: {value!r}")
        if tag in ("header", "main", "footer", "nav"):
            self.landmarks.add(tag)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def check_page(path: Path) -> Checked:
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>\n<html lang="), path
    page = Checked()
    page.feed(html)
    page.close()
    assert page.problems == [] and page.stack == [], (path, page.problems, page.stack)
    assert page.csp == CSP, path
    assert {"header", "main", "footer", "nav"} <= page.landmarks, path
    assert page.headings[0] == 1 and page.headings.count(1) == 1, path
    assert all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:])), (path, page.headings)
    return page


def build(cli, root: Path, out: Path, *more: str):
    result = cli("--root", str(root), "export", "site", "-o", str(out), *more)
    assert result.code == 0, result
    return result


def test_shipped_workspace_site(cli, tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(SHIPPED, root)
    result = build(cli, root, tmp_path / "public")
    assert "wrote 17 recommendations to" in result.err and "(site, public)" in result.err
    site = tmp_path / "public"
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 17 + 2 + 3
    for page in pages:
        check_page(page)
    tracker = Tracker.open(root)
    for rec in tracker:
        html = (site / "r" / f"{page_name(rec.id)}.html").read_text()
        assert re.search(r"<h1>[^<]+</h1>", html)
        if rec.quote:
            assert "<blockquote>" in html and "<cite>" in html
    home = (site / "index.html").read_text()
    # Sources in natural order on the home page, each with its page.
    for source in tracker.sources:
        assert f'href="s/{source}.html"' in home
    assert (site / MARKER).is_file()
    assert sqlite3.connect(site / "data.db").execute("SELECT count(*) FROM recommendations").fetchone() == (17,)
    import feedparser

    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception


def test_private_data_and_hostile_text_never_reach_the_site(seeded, cli, tmp_path):
    ws = seeded
    write(ws / "diasporatrack.yaml", f"""\
publish:
  title: '{XSS} tracker'
  introduction: |
    We **track** things. {XSS}
    [a trap](javascript:alert(3)) and ![an image](https://tracker.example/pixel.png)
  licence: CC-BY-4.0
  licence_url: "javascript:alert(4)"
  accent: "#AA3300"
""")
    tracker = Tracker.open(ws)
    tracker.update("rep-forum", status="accepted", note=f"Public {XSS} note", public_note=True, for_owner="org")
    build(cli, ws, tmp_path / "public")
    site = tmp_path / "public"
    for path in site.rglob("*"):
        if path.is_file():
            text = (_database_text(path) if path.suffix == ".db" else path.read_bytes().decode("latin-1")
                    if path.suffix == ".png" else path.read_text(encoding="utf-8"))
            assert _secrets_in(text) == [], path
    for page in site.rglob("*.html"):
        html = page.read_text()
        check_page(page)
        assert "<script>alert" not in html and "<img src=x" not in html and 'href="javascript:' not in html, page
    home = (site / "index.html").read_text()
    assert "<strong>track</strong>" in home and "&lt;script&gt;alert(1)&lt;/script&gt;" in home
    # An image in the introduction would be a request to another host: only its text is kept.
    assert "tracker.example" not in home and "an image" in home
    assert (site / "assets/theme.css").read_text() == ":root { --accent: #aa3300; }\n"
    rec = (site / "r/rep-health.html").read_text()
    assert "Announced at the public hearing" in rec and "Healthcare Expert Group" in rec
    forum = (site / "r/rep-forum.html").read_text()
    assert "Public &lt;script&gt;alert(1)&lt;/script&gt;" in forum
    import feedparser

    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo and sorted(e.title.split(": ")[-1] for e in feed.entries) == [
        "accepted → in-progress", "proposed → accepted", "proposed → accepted"]
    assert all(e.author in ("a member", "The Organisation", "Healthcare Expert Group") for e in feed.entries)
    # The owner page of the organisation rolls its expert groups up.
    org = (site / "o/org.html").read_text()
    assert "rep-education" in org and "rep-health" in org


def test_folder_rules(ws, cli, tmp_path):
    other = tmp_path / "other"
    write(other / "keep.txt", "mine")
    result = cli("--root", str(ws), "export", "site", "-o", str(other))
    assert result.code == 2 and "not empty and is not a site" in result.err
    assert (other / "keep.txt").read_text() == "mine" and len(list(other.iterdir())) == 1
    (tmp_path / "link").symlink_to(tmp_path / "nowhere")
    result = cli("--root", str(ws), "export", "site", "-o", str(tmp_path / "link"))
    assert result.code == 2 and "symbolic link" in result.err
    result = cli("--root", str(ws), "export", "site")
    assert result.code == 2 and "-o DIR" in result.err
    site = tmp_path / "public"
    site.mkdir()
    build(cli, ws, site)
    (site / "r" / "stale.html").write_text("old")
    build(cli, ws, site)  # a previous site is replaced whole
    assert not (site / "r" / "stale.html").exists() and (site / "r" / "rep-health.html").is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # nothing left beside it


@pytest.mark.parametrize("setting, message", [
    ("accent: red", "accent: 'red' is not a colour"),
    ("accent: '#12345'", "is not a colour"),
    ("logo: logo.svg", "an SVG can carry script"),
    ("logo: ../outside.png", "inside the workspace"),
    ("language: xx", "no labels for the language 'xx'"),
    ("base_url: 'javascript:alert(1)'", "is not the address of a site"),
    ("base_url: 'https://x.example/?q=1'", "without a query or a fragment"),
    ("archive: yes please", "expected true or false"),
])
def test_bad_site_settings_are_located(ws, cli, setting, message):
    write(ws / "diasporatrack.yaml", f"publish:\n  title: T\n  {setting}\n")
    result = cli("--root", str(ws), "validate")
    assert result.code == 1 and "diasporatrack.yaml:3: " in result.out and message in result.out, result


def test_logo_is_checked_by_its_bytes(ws, cli, tmp_path):
    write(ws / "diasporatrack.yaml", "publish:\n  logo: logo.png\n")
    (ws / "logo.png").write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    result = cli("--root", str(ws), "export", "site", "-o", str(tmp_path / "public"))
    assert result.code == 2 and "logo: 'logo.png' is not a PNG, JPEG or WebP image" in result.err
    assert not (tmp_path / "public").exists()
    png = b"\x89PNG\r\n\x1a\n" + bytes(32)
    (ws / "logo.png").write_bytes(png)
    build(cli, ws, tmp_path / "public")
    assert (tmp_path / "public/assets/logo.png").read_bytes() == png
    assert '<img src="assets/logo.png" alt="" height="40">' in (tmp_path / "public/index.html").read_text()
    assert [logo_kind(b) for b in (b"\xff\xd8\xff\xe0", b"RIFF\0\0\0\0WEBPVP8 ", b"GIF89a")] == ["jpg", "webp", None]


def test_urdu_labels_read_right_to_left(ws, cli, tmp_path):
    write(ws / "diasporatrack.yaml", "publish:\n  language: ur\n")
    build(cli, ws, tmp_path / "public")
    home = (tmp_path / "public/index.html").read_text(encoding="utf-8")
    assert '<html lang="ur" dir="rtl">' in home and "سفارشات" in home


def test_markdown_keeps_no_raw_html():
    html = render_markdown('Hi <b onclick="x()">there</b> [x](javascript:alert(1)) [ok](https://example.org)')
    assert "<b " not in html and "&lt;b onclick" in html and "href=\"javascript:" not in html
    assert '<a href="https://example.org">ok</a>' in html


def test_long_lists_are_paginated(ws, cli, tmp_path):
    n = PAGE_SIZE * 2 + 3
    recs = "".join(f"  - id: bulk-{i}\n    title: Bulk {i}\n    text: Text {i}.\n    themes: [bulk]\n"
                   for i in range(n))
    write(ws / "bulk.yaml", f"source:\n  id: bulk\n  title: Bulk source\nrecommendations:\n{recs}")
    build(cli, ws, tmp_path / "public")
    lists = tmp_path / "public/recommendations"
    assert sorted(p.name for p in lists.iterdir()) == ["index-2.html", "index-3.html", "index.html"]
    for page in lists.iterdir():
        assert page.read_text().count('<tr><td data-label="Recommendation">') <= PAGE_SIZE
    assert (tmp_path / "public/t/bulk-3.html").is_file() and (tmp_path / "public/s/bulk-2.html").is_file()
    # Sources in natural order: "Bulk 2" before "Bulk 10" within the source's list.
    first = (tmp_path / "public/s/bulk.html").read_text()
    assert first.index(">Bulk 2<") < first.index(">Bulk 10<")


def test_page_names_are_safe_and_distinct():
    assert page_name("rep-health") == "rep-health"
    names = {page_name(k) for k in ("A:b", "a:b", "a-b", "Human rights", "human-rights", "x.")}
    assert len(names) == 6 and all(re.fullmatch(r"[a-z0-9][a-z0-9._-]*", n) for n in names)


def test_introduction_links_are_web_or_mail_addresses_only():
    html = render_markdown("[a](ftp://x.example) [b](mailto:a@b.example) [c](about.html) [d](intent://x)")
    assert 'href="mailto:a@b.example"' in html and 'href="about.html"' in html
    assert "href=\"ftp:" not in html and "href=\"intent:" not in html


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(alphabet=st.sampled_from('<>"\'&/= ascriptimgonerrl()'), min_size=1, max_size=40)
       .filter(lambda t: t.strip()))
def test_any_title_is_text_on_every_page(ws, tmp_path_factory, title):
    """Whatever characters a title holds, the pages show them as text: no tag or attribute comes from it."""
    from diasporatrack.publish.site import build_site

    quoted = title.replace("\\", "\\\\").replace('"', '\\"')
    write(ws / "report.yaml", (original := (ws / "report.yaml").read_text()).replace(
        "title: Create a forum", f'title: "{quoted}"'))
    try:
        tracker = Tracker.open(ws)
        view = tracker.published()
        files = build_site(view, view.select(list(tracker)))
    finally:
        write(ws / "report.yaml", original)
    for name, data in files.items():
        if name.endswith(".html"):
            page = Checked()
            page.feed(data.decode("utf-8"))
            assert page.problems == [] and page.stack == [], (name, page.problems)
    assert title.strip() in "".join(page_text(files["r/rep-forum.html"]))


def page_text(data: bytes) -> list[str]:
    page = Checked()
    page.feed(data.decode("utf-8"))
    return [" ".join(page.text)]


def test_archived_documents_are_linked_unless_the_settings_republish_them(cli, tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(SHIPPED, root)
    (root / "sources/opp-2024-dialogue.html").write_text("<script>alert(1)</script>")  # an archived web page
    (root / "sources/opp-2024-dialogue.pdf").write_bytes(b"%PDF-1.4 not much of one")
    wilson = root / "wilson-afghanistan-diaspora.yaml"
    wilson.write_text(wilson.read_text().replace("  url: null\n", "  url: https://example.org/wilson.pdf\n", 1))
    build(cli, root, tmp_path / "linked")
    assert not (tmp_path / "linked/archive").exists()
    page = (tmp_path / "linked/s/wilson-afghanistan-diaspora.html").read_text(encoding="utf-8")
    assert 'The document: <a href="https://example.org/wilson.pdf" rel="noopener noreferrer">' in page
    assert "Archived copy" not in page
    write(root / "diasporatrack.yaml", "publish:\n  archive: true\n")
    build(cli, root, tmp_path / "republished")
    site = tmp_path / "republished"
    assert sorted(p.name for p in (site / "archive").iterdir()) == [
        "opp-2024-dialogue.pdf", "opp-2024-dialogue.txt", "pakistan-emigration-crisis.txt",
        "wilson-afghanistan-diaspora.txt"]  # the web page is not republished: it would run on the site's origin
    assert (site / "archive/wilson-afghanistan-diaspora.txt").read_bytes() == \
        (root / "sources/wilson-afghanistan-diaspora.txt").read_bytes()
    page = (site / "s/opp-2024-dialogue.html").read_text(encoding="utf-8")
    assert 'Archived copy: <a href="../archive/opp-2024-dialogue.txt">TXT</a>, ' \
           '<a href="../archive/opp-2024-dialogue.pdf">PDF</a>' in page
    check_page(site / "s/opp-2024-dialogue.html")


def test_feed_links_are_absolute_with_a_base_url(ws, cli, tmp_path):
    import feedparser

    Tracker.open(ws).update("rep-forum", status="accepted")
    build(cli, ws, tmp_path / "relative")
    feed = feedparser.parse((tmp_path / "relative/feed.xml").read_bytes())
    assert [e.link for e in feed.entries] == ["r/rep-forum.html"]
    write(ws / "diasporatrack.yaml", "publish:\n  base_url: https://tracker.example.org/upr\n")
    build(cli, ws, tmp_path / "absolute")
    feed = feedparser.parse((tmp_path / "absolute/feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert [e.link for e in feed.entries] == ["https://tracker.example.org/upr/r/rep-forum.html"]
    assert {link.rel: link.href for link in feed.feed.links} == {
        "self": "https://tracker.example.org/upr/feed.xml", "alternate": "https://tracker.example.org/upr/index.html"}


def test_a_folder_exporter_gives_names_to_bytes_and_a_bad_file_leaves_nothing(ws, tmp_path):
    """Files are made as they are written: one that is not bytes stops the export, and no half-site is left."""
    from diasporatrack import hookimpl
    from diasporatrack.errors import WriteError
    from diasporatrack.plugins import PluginError
    from diasporatrack.folders import write_folder

    class Folder:
        name, extension, description, folder, public = "folderish", "", "test", True, True

        def export(self, tracker, recommendations):
            return ["index.html"]

    class Plugin:
        @hookimpl
        def register_exporters(self):
            return [Folder()]

    with pytest.raises(PluginError, match="must return a mapping of file names to bytes"):
        Tracker.open(ws, plugins=[Plugin()]).export("folderish")
    made = []

    class Later(dict):
        def __getitem__(self, name):
            made.append(name)
            return super().__getitem__(name)

        def items(self):
            return ((k, self[k]) for k in self)

    out = tmp_path / "out"
    with pytest.raises(WriteError, match="refused to write 'b.html': the exporter gave str, not bytes"):
        write_folder(out, Later({MARKER: b"x", "a.html": b"<p>", "b.html": "not bytes", "c.html": b""}), MARKER)
    assert made == [MARKER, "a.html", "b.html"]  # read one by one, as written
    assert not out.exists() and [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_the_data_beside_the_pages_is_the_public_exports_written_in_pieces(seeded, tmp_path):
    """data.json, data.csv, data.db and search.json are written piece by piece, and are what the exports give."""
    import json

    from diasporatrack.builtin.csv_exporter import CsvExporter
    from diasporatrack.builtin.json_exporter import JsonExporter
    from diasporatrack.publish.site import build_site

    tracker = Tracker.open(seeded)
    view = tracker.published()
    recs = view.select(list(tracker))
    files = build_site(view, recs)
    pieces = {name: list(files[name]) for name in ("data.json", "data.csv", "data.db", "search.json")}
    assert all(all(isinstance(c, bytes) for c in p) for p in pieces.values())
    assert all(len(pieces[name]) >= 2 for name in ("data.json", "data.csv", "search.json"))  # a head, then rows
    assert b"".join(pieces["data.csv"]).decode() == CsvExporter().export(view, files_order(recs))
    written, exported = (json.loads(t) for t in (b"".join(pieces["data.json"]),
                                                 JsonExporter().export(view, files_order(recs))))
    assert {**written, "generated": None} == {**exported, "generated": None}
    index = json.loads(b"".join(pieces["search.json"]))
    assert [row[1] for row in index["rows"]] == [r.id for r in files_order(recs)] and index["facets"]["owner"]
    path = tmp_path / "data.db"
    path.write_bytes(b"".join(pieces["data.db"]))
    assert _secrets_in(_database_text(path)) == []
    assert sqlite3.connect(path).execute("SELECT count(*) FROM recommendations").fetchone() == (len(recs),)


def files_order(recs):
    from diasporatrack.publish.site import natural_key

    return sorted(recs, key=lambda r: (natural_key("A report"), natural_key(r.id)))
