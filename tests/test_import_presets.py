"""The presets on faithful samples of the real layouts (tests/samples/, generated text in the public layouts)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from diasporatrack import Tracker, init_workspace
from diasporatrack.builtin.importers.upr_info import cycle_of
from rowids import nth

SAMPLES = Path(__file__).parent / "samples"


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "ws"
    init_workspace(root)
    return root


def yaml_files(root):
    return sorted(p.name for p in root.glob("*.yaml"))


def test_upr_info_export_in_mac_roman_with_cr_line_ends_keeps_every_column(cli, root):
    sample = SAMPLES / "upr-info.csv"
    assert b"\r" in sample.read_bytes() and b"\n" not in sample.read_bytes()
    result = cli("--root", str(root), "import", str(sample), "--preset", "upr-info")
    assert result.code == 0, result.err
    assert "read as Mac Roman (guessed; --encoding overrides)" in result.err
    assert "columns not used" not in result.err
    assert "To-Org -> extra.to_organisations" in result.err and "Action -> action_category" in result.err
    tracker = Tracker.open(root, cache=False)
    assert sorted(tracker.sources) == ["upr-s15-panama", "upr-s42-cote-d-ivoire"]
    assert tracker.sources["upr-s42-cote-d-ivoire"].title == "UPR of Côte d’Ivoire, session 42 (cycle 4)"
    first = nth(tracker, "upr-s42-cote-d-ivoire", 1)
    assert first.addressed_to == ("Côte d’Ivoire",) and first.authors == ("Türkiye",)
    assert (first.author_group, first.action_category, first.session, first.cycle) == ("WEOG", 5, "42", "4")
    assert first.response == "supported" and first.quote == first.text
    assert first.themes == ("torture-and-other-cid-treatment", "international-instruments")
    assert dict(first.extra) == {"to_regional_group": "African Group", "to_organisations": "AU, OIF",
                                 "from_organisations": "CoE, OSCE, G20"}
    panama = nth(tracker, "upr-s15-panama", 1)
    assert (panama.cycle, panama.response) == ("2", "supported")  # "Accepted" is UPR Info's older word
    assert nth(tracker, "upr-s42-cote-d-ivoire", 2).response == "noted"


@pytest.mark.parametrize(("session", "cycle"), [("1", "1"), ("12", "1"), ("13", "2"), ("26", "2"), ("27", "3"),
                                                ("40", "3"), ("41", "4"), ("54", "4"), ("55", "5"),
                                                ("42nd session", "4"), ("", None)])
def test_the_cycle_comes_from_the_session_number(session, cycle):
    assert cycle_of(session) == cycle


def test_a_decision_column_and_unknown_responses_are_said_once_with_their_count(cli, root, tmp_path):
    sheet = tmp_path / "u.csv"
    sheet.write_text("To,Text,From,Decision,Session\n"
                     "Chile,Ratify the convention,Peru,Voluntary Pledge,30\n"
                     "Chile,Fund the institution,Peru,Voluntary Pledge,30\n"
                     "Chile,Train the police,Peru,Maybe,30\n"
                     "Chile,Protect journalists,Peru,Supported,30\n", encoding="utf-8")
    result = cli("--root", str(root), "import", str(sheet), "--preset", "upr-info")
    assert result.code == 2
    assert result.err.splitlines() == [
        f"diasporatrack: {sheet}:2: row 2: response 'Voluntary Pledge' (on this row and 1 more row) is not one of "
        "this workspace's response values (supported, supported-in-part, noted, no-response); map it with "
        "--value 'response:Voluntary Pledge=...'",
        f"diasporatrack: {sheet}:4: row 4: response 'Maybe' (on this row) is not one of this workspace's response "
        "values (supported, supported-in-part, noted, no-response); map it with --value 'response:Maybe=...'",
    ]
    assert yaml_files(root) == ["diasporatrack.yaml", "owners.yaml"]
    result = cli("--root", str(root), "import", str(sheet), "--preset", "upr-info",
                 "--value", "response:voluntary pledge=supported", "--value", "response:Maybe=noted")
    assert result.code == 0, result.err
    tracker = Tracker.open(root, cache=False)
    assert [r.response for r in tracker] == ["supported", "supported", "noted", "supported"]
    assert "Decision -> response" in result.err


def test_decidim_results_export(cli, root):
    sample = SAMPLES / "decidim-results.csv"
    result = cli("--root", str(root), "import", str(sample), "--preset", "decidim")
    assert result.code == 2 and "give --source ID" in result.err
    result = cli("--root", str(root), "import", str(sample), "--preset", "decidim", "--source", "plan-2024",
                 "--title", "City plan 2024")
    assert result.code == 0, result.err
    assert "semicolon-separated (guessed; --delimiter overrides)" in result.err
    assert "columns not used: category/id, category/name/ca" in result.err
    tracker = Tracker.open(root, cache=False)
    assert tracker.sources["plan-2024"].title == "City plan 2024"
    lanes = tracker.get("plan-2024-101")
    assert lanes.title == "Safer cycling routes to schools"
    assert lanes.text == ("Build protected cycle lanes on the routes to the district's six schools.\n"
                          "Phase one covers the two largest schools.")
    assert (lanes.status, lanes.progress, lanes.due) == ("in-progress", 40.0, dt.date(2025, 12, 31))
    assert lanes.extra["start_date"] == dt.date(2024, 3, 1)
    assert dict(lanes.translations) == {"ca": {"title": "Rutes escolars en bicicleta més segures",
                                               "text": "Construir carrils bici protegits."}}
    assert "title/ca -> translations.ca.title" in result.err and "title_ca" not in lanes.extra
    assert lanes.themes == ("mobility",) and lanes.extra["scope"] == "North district"
    child = tracker.get("plan-2024-102")
    assert (child.parent, child.status, child.progress) == ("plan-2024-101", "implemented", 100.0)
    assert child.text == "Paint and kerb the lanes on Elm Street & Mill Road."
    assert tracker.get("plan-2024-103").status == "accepted"


def test_decidim_title_underscore_columns_and_keep_html(cli, root, tmp_path):
    sheet = tmp_path / "results.csv"
    sheet.write_text("id;parent_id;title_es;title_en;description_es;status;progress\n"
                     "7;;Parque nuevo;New park;\"<p>Un parque &amp; un huerto</p>\";completed;100\n"
                     "8;7;Bancos;Benches;<p>Diez bancos</p>;in_progress;50\n", encoding="utf-8")
    result = cli("--root", str(root), "import", str(sheet), "--preset", "decidim", "--source", "p", "--keep-html")
    assert result.code == 0, result.err
    tracker = Tracker.open(root, cache=False)
    park = tracker.get("p-7")
    assert (park.title, park.text, park.translations["en"]["title"]) == (
        "Parque nuevo", "<p>Un parque &amp; un huerto</p>", "New park")
    assert (tracker.get("p-8").parent, tracker.get("p-8").status) == ("p-7", "in-progress")


def test_upr_preset_honours_source_title_and_map(cli, root, tmp_path):
    sheet = tmp_path / "upr.csv"
    sheet.write_text("Recommendation,State under Review,Decision,Notes,Session\n"
                     "Ratify the protocol,Pakistan,Accepted,see para 3,42\n"
                     "Protect journalists,Pakistan,Noted,,28\n", encoding="utf-8")
    result = cli("--root", str(root), "import", str(sheet), "--preset", "upr", "--title", "UPR")
    assert result.code == 2 and "--title names one source, but the file makes 2" in result.err
    result = cli("--root", str(root), "import", str(sheet), "--preset", "upr", "--source", "upr-pk",
                 "--title", "UPR of Pakistan", "--map", "Notes=extra.notes", "--map", "Session=")
    assert result.code == 0, result.err
    assert "columns skipped (--map COLUMN=): Session" in result.err
    tracker = Tracker.open(root, cache=False)
    assert list(tracker.sources) == ["upr-pk"] and tracker.sources["upr-pk"].title == "UPR of Pakistan"
    first = nth(tracker, "upr-pk", 1)
    assert (first.response, first.session, dict(first.extra)) == ("supported", None, {"notes": "see para 3"})
    assert nth(tracker, "upr-pk", 2).response == "noted"


def test_a_preset_sample_imports_from_any_folder(cli, root, tmp_path, monkeypatch):
    copy = tmp_path / "elsewhere" / "UPR export.CSV"
    copy.parent.mkdir()
    shutil.copy(SAMPLES / "upr-info.csv", copy)
    monkeypatch.chdir(copy.parent)
    result = cli("--root", str(root), "import", "UPR export.CSV", "--preset", "upr-info", "--dry-run")
    assert result.code == 0, result.err
    assert "would write" in result.out and yaml_files(root) == ["diasporatrack.yaml", "owners.yaml"]


def test_translations_into_a_language_the_workspace_does_not_declare_are_refused_once(cli, root):
    (root / "diasporatrack.yaml").write_text("languages: [en, es]\n", encoding="utf-8")
    sample = SAMPLES / "decidim-results.csv"
    result = cli("--root", str(root), "import", str(sample), "--preset", "decidim", "--source", "p")
    assert result.code == 2 and yaml_files(root) == ["diasporatrack.yaml", "owners.yaml"]
    assert [line for line in result.err.splitlines() if line.startswith("diasporatrack:")] == [
        f"diasporatrack: {sample}:2: row 2: a translation into 'ca', which the languages: setting of "
        "diasporatrack.yaml does not declare (en, es); add it there"]
    result = cli("--root", str(root), "import", str(sample), "--preset", "decidim", "--source", "p",
                 "--map", "title/ca=extra.title_ca", "--map", "description/ca=")
    assert result.code == 0, result.err
    assert Tracker.open(root, cache=False).get("p-101").extra["title_ca"].startswith("Rutes")


def test_a_column_can_be_read_as_a_translation(cli, root, tmp_path):
    sheet = tmp_path / "s.csv"
    sheet.write_text("text,Texte\nFund the forum,Financer le forum\n", encoding="utf-8")
    result = cli("--root", str(root), "import", str(sheet), "--source", "s", "--map", "Texte=translations.fr.text")
    assert result.code == 0, result.err
    assert dict(nth(Tracker.open(root, cache=False), "s", 1).translations) == {"fr": {"text": "Financer le forum"}}
    bad = cli("--root", str(root), "import", str(sheet), "--source", "t", "--map", "Texte=translations.fr.owners")
    assert bad.code == 2 and "a translation is translations.LANG.FIELD" in bad.err


def test_a_preset_keeps_the_workspace_s_own_words(cli, root, tmp_path):
    (root / "diasporatrack.yaml").write_text(
        "responses:\n  - {name: accepted, definition: Accepted by the State.}\n"
        "  - {name: noted, definition: Noted by the State.}\n", encoding="utf-8")
    sheet = tmp_path / "u.csv"
    sheet.write_text("To,Text,From,Response,Session\nChile,Ratify it,Peru,Accepted,30\nChile,Fund it,Peru,Rejected,30\n",
                     encoding="utf-8")
    result = cli("--root", str(root), "import", str(sheet), "--preset", "upr-info")
    assert result.code == 0, result.err
    assert [r.response for r in Tracker.open(root, cache=False)] == ["accepted", "noted"]


def test_upr_preset_says_which_columns_it_did_not_use_and_reads_a_decision_column(cli, root, tmp_path):
    sheet = tmp_path / "upr.csv"
    sheet.write_text("Recommendation,Recommending State,State under Review,decision,To-Rgrp,From-Org,Session\n"
                     + "".join(f"Do thing {n},Norway,Pakistan,Supported,Asia-Pacific Group,CoE,42\n" for n in range(30)),
                     encoding="utf-8")
    result = cli("--root", str(root), "import", str(sheet), "--preset", "upr")
    assert result.code == 0, result.err
    assert f"{sheet}: columns not used: To-Rgrp, From-Org" in result.err and "decision -> response" in result.err
    assert {r.response for r in Tracker.open(root, cache=False)} == {"supported"}
