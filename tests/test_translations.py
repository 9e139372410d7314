"""Translations: reading and checking them, --lang on list, show and the exporters, authoring, round trips."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest

from conftest import write
from diasporatrack.tracker import Tracker
from diasporatrack.translations import Localizer, canonical, direction, tag_problem

URDU_TITLE = "صحت کا گروپ بنائیں"
URDU_QUOTE = "ماہرین کے چھوٹے گروپ بنانا"

TRANSLATED = f"""\
source:
  id: report-2025
  title: A report
  language: en
  translations:
    ur: {{title: ایک رپورٹ}}
findings:
  - id: f-groups
    text: Small groups work.
    quote: "Small groups work best"
    translations:
      ur: {{text: چھوٹے گروپ کام کرتے ہیں}}
recommendations:
  - id: rep-health
    title: Form a healthcare group
    text: Form a healthcare expert group.
    quote: "Forming small groups of experts"
    themes: [healthcare]
    translations:
      ur:
        title: {URDU_TITLE}
        quote: {URDU_QUOTE}
  - id: rep-forum
    title: Create a forum
    text: Create a forum for the diaspora.
"""


@pytest.fixture
def tws(ws):
    """The small workspace, its source carrying Urdu translations; languages: en and ur."""
    write(ws / "report.yaml", TRANSLATED)
    write(ws / "diasporatrack.yaml", "languages: [en, ur]\n")
    return ws


# --- the model and the reader -------------------------------------------------------------------------------


def test_translations_are_read_on_recommendations_sources_and_findings(tws):
    tracker = Tracker.open(tws)
    assert tracker.get("rep-health").translations == {"ur": {"title": URDU_TITLE, "quote": URDU_QUOTE}}
    source = tracker.sources["report-2025"]
    assert source.language == "en" and source.translations == {"ur": {"title": "ایک رپورٹ"}}
    assert source.findings[0].translations["ur"]["text"] == "چھوٹے گروپ کام کرتے ہیں"
    assert tracker.get("rep-forum").translations == {}


@pytest.mark.parametrize("line, old, new, message", [
    (22, f"        quote: {URDU_QUOTE}\n", "        themes: ترجمہ\n",
     "translations: ur: 'themes' cannot be translated; a recommendation's translatable fields are title, text, quote"),
    (20, "      ur:\n", "      fa:\n",
     "rep-health: translations: 'fa' is not one of the workspace's languages (en, ur; add it to languages:"),
    (20, "      ur:\n", "      UR:\n", "translations: write the language tag 'UR' as 'ur'"),
    (20, "      ur:\n", "      urdu please:\n", "translations: 'urdu please' is not a language tag (BCP 47"),
    (6, "    ur: {title: ایک رپورٹ}\n", "    ur: {publisher: ایک}\n",
     "translations: ur: 'publisher' cannot be translated; a source's translatable fields are title, note"),
    (4, "  language: en\n", "  language: English\n", "language: 'English' is not a language tag"),
    (12, "      ur: {text: چھوٹے گروپ کام کرتے ہیں}\n", "      ur: {text: ''}\n",
     "translations: ur: text: expected the translated text, got the text ''"),
])
def test_a_bad_translation_is_a_located_error(tws, cli, line, old, new, message):
    text = TRANSLATED.replace(old, new)
    assert text != TRANSLATED
    write(tws / "report.yaml", text)
    result = cli("validate", "--root", str(tws))
    assert result.code == 1, result
    assert f"report.yaml:{line}: " in result.out and message in result.out, result.out


def test_without_a_languages_setting_any_well_formed_tag_is_accepted(tws, cli):
    (tws / "diasporatrack.yaml").unlink()
    write(tws / "report.yaml", TRANSLATED.replace("      ur:\n", "      fa-AF:\n"))
    assert cli("validate", "--root", str(tws)).code == 0
    write(tws / "diasporatrack.yaml", "languages: [en, en]\n")
    result = cli("validate", "--root", str(tws))
    assert result.code == 1 and "diasporatrack.yaml:1: languages: a language is listed twice" in result.out


@pytest.mark.parametrize("tag, expected", [
    ("ur", "rtl"), ("fa-AF", "rtl"), ("prs", "rtl"), ("ps", "rtl"), ("ar", "rtl"), ("fa", "rtl"),
    ("ur-Latn", "ltr"), ("en", "ltr"), ("de-CH", "ltr"), ("az-Arab", "rtl"), (None, "auto"), ("und", "auto"),
])
def test_direction_follows_the_language_and_its_script(tag, expected):
    assert direction(tag) == expected


def test_language_tags_are_checked_and_their_case_is_told():
    assert tag_problem("ur") is tag_problem("zh-Hant-TW") is tag_problem("sr-Latn-RS") is None
    assert canonical("FA-af") == "fa-AF" and canonical("UR-LATN") == "ur-Latn"
    assert "as 'fa-AF'" in tag_problem("fa-af")
    assert "not a language tag" in tag_problem("ur_PK") and "not a language tag" in tag_problem(3)


def test_the_localizer_falls_back_and_names_what_fell_back(tws):
    tracker = Tracker.open(tws)
    loc = Localizer.for_tracker(tracker, "ur")
    title = loc.rec(tracker.get("rep-health"), "title")
    assert (title.text, title.lang, title.dir, title.translated) == (URDU_TITLE, "ur", "rtl", True)
    text = loc.rec(tracker.get("rep-health"), "text")
    assert (text.text, text.lang, text.dir) == ("Form a healthcare expert group.", "en", "ltr")
    quote = loc.rec(tracker.get("rep-health"), "quote")  # never translated in place
    assert (quote.text, quote.lang) == ("Forming small groups of experts", "en")
    assert loc.quote_translation(tracker.get("rep-health")).text == URDU_QUOTE
    loc.rec(tracker.get("rep-forum"), "title")
    assert loc.notice() == "no ur translation, shown as written: text of rep-health; title of rep-forum"
    same = Localizer.for_tracker(tracker, "en")  # the authored language: nothing is missing
    same.rec(tracker.get("rep-forum"), "title")
    assert same.notice() is None


# --- the CLI -----------------------------------------------------------------------------------------------


def test_list_and_show_in_urdu_fall_back_with_one_line_on_stderr(tws, cli):
    root = str(tws)
    result = cli("list", "--lang", "ur", "--root", root)
    assert result.code == 0 and URDU_TITLE in result.out and "Create a forum" in result.out
    assert result.err.count("\n") == 1 and "no ur translation, shown as written: title of rep-forum" in result.err
    assert "Invest in education" not in cli("list", "--root", root).out  # the fixture's file replaced it
    shown = cli("show", "rep-health", "--lang", "ur", "--root", root)
    assert f"title:        {URDU_TITLE}" in shown.out and "source:       report-2025: ایک رپورٹ" in shown.out
    assert "“Forming small groups of experts”" in shown.out  # the verbatim quote stays
    assert "translation of the quote (ur), not the source's words:" in shown.out
    assert shown.err == "diasporatrack: no ur translation, shown as written: text of rep-health\n"
    plain = cli("show", "rep-health", "--root", root)
    assert URDU_TITLE not in plain.out and plain.err == ""


def test_json_and_csv_listings_carry_the_translations_and_what_is_shown(tws, cli):
    rows = json.loads(cli("list", "--format", "json", "--lang", "ur", "--root", str(tws)).out)
    health = next(r for r in rows if r["id"] == "rep-health")
    assert health["title"] == "Form a healthcare group"  # the authored text stays what it is
    assert health["translations"]["ur"]["title"] == URDU_TITLE
    assert health["localized"]["title"] == {"text": URDU_TITLE, "lang": "ur", "dir": "rtl"}
    assert health["localized"]["text"]["lang"] == "en"
    table = list(csv.DictReader(io.StringIO(cli("list", "--format", "csv", "--lang", "ur", "--root", str(tws)).out)))
    assert {r["id"]: (r["title_shown"], r["title_lang"]) for r in table} == {
        "rep-health": (URDU_TITLE, "ur"), "rep-forum": ("Create a forum", "en")}
    assert cli("list", "--lang", "ur_PK", "--root", str(tws)).code == 2


def test_search_finds_a_word_of_a_translation(tws, cli):
    assert [r.id for r in Tracker.open(tws).query(search="گروپ")] == ["rep-health"]
    assert "rep-health" in cli("list", "--search", "بنائیں", "--root", str(tws)).out


def test_set_translation_changes_only_its_line_and_is_journaled(tws, cli):
    path = tws / "report.yaml"
    before = path.read_text(encoding="utf-8").splitlines()
    result = cli("set", "rep-health", "--translation", "ur:text=صحت کے ماہرین کا گروپ بنائیں", "--root", str(tws))
    assert result.code == 0, result
    after = path.read_text(encoding="utf-8").splitlines()
    assert after == before[:22] + ["        text: صحت کے ماہرین کا گروپ بنائیں"] + before[22:]
    edit = Tracker.open(tws).history("rep-health")[-1]
    assert (edit.kind, edit.field) == ("edit", "translations") and edit.new["ur"]["text"].startswith("صحت")
    # an empty text takes one out; the last of a record takes the block out
    assert cli("set", "rep-health", "--translation", "ur:text=", "--root", str(tws)).code == 0
    assert path.read_text(encoding="utf-8").splitlines() == before
    assert cli("set", "rep-forum", "--translation", "ur:title=ایک فورم بنائیں", "--root", str(tws)).code == 0
    assert Tracker.open(tws).get("rep-forum").translations == {"ur": {"title": "ایک فورم بنائیں"}}
    assert cli("set", "rep-forum", "--translation", "ur:title=", "--root", str(tws)).code == 0
    assert path.read_text(encoding="utf-8").splitlines() == before


@pytest.mark.parametrize("entry, message", [
    ("ur:owners=x", "'owners' cannot be translated"),
    ("fa:title=x", "'fa' is not one of the workspace's languages"),
    ("ur title=x", "expected LANG:FIELD=TEXT"),
    ("ur:text=", "there is no ur translation of text to remove"),
])
def test_a_bad_translation_from_the_cli_changes_nothing(tws, cli, entry, message):
    path = tws / "report.yaml"
    before = path.read_bytes()
    result = cli("set", "rep-health", "--translation", entry, "--root", str(tws))
    assert result.code == 2 and message in result.err and "Traceback" not in result.err
    journal = tws / "journal.jsonl"
    assert path.read_bytes() == before and (not journal.exists() or journal.read_text() == "")


def test_sources_and_actions_take_translations_from_the_cli(tws, cli):
    root = str(tws)
    assert cli("source", "set", "report-2025", "--translation", "ur:note=ایک نوٹ", "--root", root).code == 0
    assert Tracker.open(tws).sources["report-2025"].translations["ur"] == {"title": "ایک رپورٹ", "note": "ایک نوٹ"}
    write(tws / "actions.yaml", "actions:\n  - id: act-clinic\n    title: Run a clinic\n"
                                "    implements: [rep-health]\n")
    assert cli("action", "set", "act-clinic", "--translation", "ur:title=کلینک چلائیں", "--root", root).code == 0
    assert (tws / "actions.yaml").read_text(encoding="utf-8").endswith("translations:\n      ur:\n"
                                                                       "        title: کلینک چلائیں\n")
    shown = cli("show", "rep-health", "--lang", "ur", "--root", root)
    assert "کلینک چلائیں" in shown.out
    result = cli("action", "set", "act-clinic", "--translation", "ur:text=x", "--root", root)
    assert result.code == 2 and "an action's translatable fields are title, description" in result.err


# --- exports ------------------------------------------------------------------------------------------------


def test_html_marks_each_translated_text_with_its_language_and_direction(tws):
    html = Tracker.open(tws).export("html", lang="ur")
    assert '<html lang="en">' in html  # the dashboard's own words are English
    assert f'<summary lang="ur" dir="rtl">{URDU_TITLE}</summary>' in html
    assert "<summary>Create a forum</summary>" in html  # a fallback: English, on an English page
    assert "<p>Forming small groups of experts</p>" in html  # the quote as the source wrote it
    assert f'Translation of the quote (ur), not the source\'s words: <span lang="ur" dir="rtl">{URDU_QUOTE}' in html
    assert '<td lang="ur" dir="rtl">چھوٹے گروپ کام کرتے ہیں</td>' in html
    assert URDU_TITLE not in Tracker.open(tws).export("html")


def test_site_pages_in_urdu_are_right_to_left_and_mark_each_fallback(tws):
    files = Tracker.open(tws).export("site", lang="ur")
    page = files.read("r/rep-health.html").decode()
    assert '<html lang="ur" dir="rtl">' in page
    assert f"<h1>{URDU_TITLE}</h1>" in page
    assert '<p lang="en" dir="ltr">Form a healthcare expert group.</p>' in page
    assert '<blockquote><p lang="en" dir="ltr">Forming small groups of experts</p></blockquote>' in page
    assert f"): {URDU_QUOTE}</p>" in page  # its translation, labelled, in the page's own language
    forum = files.read("r/rep-forum.html").decode()
    assert '<h1 lang="en" dir="ltr">Create a forum</h1>' in forum
    assert "گروپ" in files.read("search.json").decode()  # the search finds words of translations
    english = Tracker.open(tws).export("site").read("r/rep-health.html").decode()
    assert '<html lang="en" dir="ltr">' in english and "<h1>Form a healthcare group</h1>" in english


def test_markdown_says_which_text_is_not_translated(tws):
    text = Tracker.open(tws).export("markdown", lang="ur")
    assert f"| {URDU_TITLE} |" in text and "| Create a forum \\[en\\] |" in text
    assert "Text in ur where it is translated" in text


def test_sqlite_has_the_translations_with_foreign_keys(tws, tmp_path):
    path = tmp_path / "x.db"
    path.write_bytes(Tracker.open(tws).export("sqlite"))
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert sorted(db.execute("SELECT recommendation, lang, field, dir FROM recommendation_translations")) == [
        ("rep-health", "ur", "quote", "rtl"), ("rep-health", "ur", "title", "rtl")]
    assert db.execute("SELECT text FROM source_translations").fetchall() == [("ایک رپورٹ",)]
    assert db.execute("SELECT finding, lang FROM finding_translations").fetchall() == [("f-groups", "ur")]
    assert db.execute("SELECT language FROM sources").fetchall() == [("en",)]
    tables = {t: {r[2] for r in db.execute(f"PRAGMA foreign_key_list({t})")}
              for t in ("recommendation_translations", "source_translations", "finding_translations")}
    assert tables == {"recommendation_translations": {"recommendations"}, "source_translations": {"sources"},
                      "finding_translations": {"findings"}}


def test_a_translation_of_an_unpublished_field_is_not_published(tws):
    write(tws / "diasporatrack.yaml", "languages: [en, ur]\npublish:\n  fields: [text]\n")
    data = json.loads(Tracker.open(tws).export("json", public=True))
    health = next(r for r in data["recommendations"] if r["id"] == "rep-health")
    assert health["quote"] is None and health["translations"] == {"ur": {"title": URDU_TITLE}}


def test_json_export_with_lang_says_what_it_shows(tws):
    data = json.loads(Tracker.open(tws).export("json", lang="ur"))
    assert data["version"] == 3 and data["lang"] == "ur"
    health = next(r for r in data["recommendations"] if r["id"] == "rep-health")
    assert health["localized"]["quote_translation"] == {"text": URDU_QUOTE, "lang": "ur", "dir": "rtl"}
    assert data["sources"][0]["language"] == "en" and data["sources"][0]["findings"][0]["translations"]
    with pytest.raises(Exception, match="not a language tag"):
        Tracker.open(tws).export("json", lang="ur PK")


def test_the_calendar_says_the_language_of_each_title(tws):
    import icalendar

    write(tws / "report.yaml", TRANSLATED.replace("    themes: [healthcare]\n", "    themes: [healthcare]\n"
                                                  "    due: 2030-01-31\n"))
    calendar = icalendar.Calendar.from_ical(Tracker.open(tws).export("ics", lang="ur"))
    (event,) = [c for c in calendar.walk("VEVENT")]
    assert str(event["summary"]) == f"Due: {URDU_TITLE}" and event["summary"].params["LANGUAGE"] == "ur"
    plain = icalendar.Calendar.from_ical(Tracker.open(tws).export("ics"))
    (event,) = [c for c in plain.walk("VEVENT")]
    assert str(event["summary"]) == "Due: Form a healthcare group" and "LANGUAGE" not in event["summary"].params


def test_export_with_lang_names_the_fallbacks_on_stderr(tws, cli, tmp_path):
    result = cli("export", "html", "--lang", "ur", "-o", str(tmp_path / "d.html"), "--root", str(tws))
    assert result.code == 0
    assert ("diasporatrack: no ur translation, shown as written: title of rep-forum; text of rep-forum, rep-health\n"
            in result.err)


# --- in a real browser --------------------------------------------------------------------------------------

from test_site_browser import browser  # noqa: E402,F401 - the Chromium fixture


@pytest.fixture
def urdu_site(tws, cli, tmp_path):
    """The site exported with --lang ur, served on loopback; yields its address."""
    import re
    import subprocess
    import sys

    assert cli("export", "site", "--lang", "ur", "-o", str(tmp_path / "public"), "--root", str(tws)).code == 0
    server = subprocess.Popen([sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
                               "--directory", str(tmp_path / "public")],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = re.search(r"port (\d+)", server.stdout.readline())
        assert port
        yield f"http://127.0.0.1:{port.group(1)}/"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_an_urdu_page_renders_right_to_left_in_a_browser(urdu_site, browser):
    browser.get(urdu_site + "r/rep-health.html")
    assert browser.execute_script("return document.documentElement.dir") == "rtl"
    heading = browser.find_element("tag name", "h1")
    assert heading.text == URDU_TITLE and heading.size["width"] > 0
    assert browser.execute_script("return getComputedStyle(arguments[0]).direction", heading) == "rtl"
    # the English fallback lays out left to right inside the right-to-left page
    fallback = browser.find_element("css selector", "blockquote p")
    assert fallback.text == "Forming small groups of experts"
    assert browser.execute_script("return getComputedStyle(arguments[0]).direction", fallback) == "ltr"
    # right to left: the (short) heading's text sits against the right edge of its box, far from the left
    box, text = browser.execute_script(
        "const r = document.createRange(); r.selectNodeContents(arguments[0]);"
        "const t = r.getBoundingClientRect(), b = arguments[0].getBoundingClientRect();"
        "return [[b.left, b.right], [t.left, t.right]];", heading)
    assert abs(box[1] - text[1]) < 2 and text[0] - box[0] > 100
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
