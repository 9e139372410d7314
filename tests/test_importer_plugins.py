"""Importers are plugins: readers, document importers and presets registered through `register_importers`."""

from __future__ import annotations

import pytest

from diasporatrack import Tracker, hookimpl, init_workspace
from diasporatrack.errors import InputError, WorkspaceError
from diasporatrack.importer import ImportOptions, Row, Sheet, plan_file
from diasporatrack.plugins import PluginError
from rowids import nth


class LinesReader:
    name = "lines"
    description = "text files of 'recommendation | state' lines"
    extensions = (".lines",)
    options = ("strict",)

    def read(self, path, options):
        text = path.read_text(encoding="utf-8").splitlines()

        def rows():
            for number, line in enumerate(text, start=1):
                if "|" not in line:
                    yield Row({}, number + 1, line=number, where=f"row {number + 1}", problem="no '|' on the line")
                    continue
                what, _, who = line.partition("|")
                yield Row({"Recommendation": what.strip(), "State": who.strip()}, number + 1, line=number,
                          where=f"row {number + 1}")

        return Sheet(path, ["Recommendation", "State"], rows())


class CouncilPreset:
    name = "council"
    description = "our council's export"
    columns = {"text": ["Recommendation"], "addressed_to": ["State"]}
    values = {"addressed_to": {"pk": "Pakistan"}}

    def source(self, record):
        return {"id": "council-" + record["addressed_to"][0].casefold(), "title": "Council"}


class Plugin:
    @hookimpl
    def register_importers(self):
        return [LinesReader(), CouncilPreset()]


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "ws"
    init_workspace(root)
    return root


def test_a_plugin_reader_and_preset_import_through_the_same_steps(root, tmp_path):
    data = tmp_path / "recs.lines"
    data.write_text("Ratify the convention | PK\nFund the forum | Chile\n", encoding="utf-8")
    tracker = Tracker.open(root, plugins=[Plugin()])
    plan = plan_file(tracker, data, preset="council")
    assert plan.notes == [f"{data}: columns read: Recommendation -> text, State -> addressed_to"]
    with plan:
        plan.write()
    tracker = Tracker.open(root, cache=False)
    assert sorted(tracker.sources) == ["council-chile", "council-pakistan"]
    rec = nth(tracker, "council-pakistan", 1)
    assert (rec.text, rec.addressed_to) == ("Ratify the convention", ("Pakistan",))


def test_a_row_the_reader_cannot_read_is_reported_at_its_place(root, tmp_path):
    data = tmp_path / "recs.lines"
    data.write_text("Ratify | PK\nno bar here\n", encoding="utf-8")
    with pytest.raises(WorkspaceError) as caught:
        plan_file(Tracker.open(root, plugins=[Plugin()]), data, preset="council")
    assert [str(p) for p in caught.value.problems] == [f"{data}:2: row 3: no '|' on the line"]
    assert sorted(p.name for p in root.glob("*.yaml")) == ["diasporatrack.yaml", "owners.yaml"]


def test_options_a_reader_does_not_take_are_refused(root, tmp_path):
    data = tmp_path / "recs.lines"
    data.write_text("Ratify | PK\n", encoding="utf-8")
    tracker = Tracker.open(root, plugins=[Plugin()])
    with pytest.raises(InputError, match="--encoding is not for lines files"):
        plan_file(tracker, data, preset="council", read={"encoding": "latin-1"})
    with pytest.raises(InputError, match="unknown preset 'nope'; presets: council, decidim, ohchr, upr, upr-info"):
        plan_file(tracker, data, preset="nope")
    with pytest.raises(InputError, match=r"cannot import \.xyz; the importers read .*\.lines"):
        plan_file(tracker, tmp_path / "a.xyz")
    page = tmp_path / "a.md"
    page.write_text("- Do it\n")
    with pytest.raises(InputError, match="--map is for tables"):
        plan_file(tracker, page, options=ImportOptions(source="s", maps=("a=text",)))
    for given, flag in ((dict(create_owners=True), "--create-owners"), (dict(values=("status:a=b",)), "--value"),
                        (dict(keep_html=True), "--keep-html")):
        with pytest.raises(InputError, match=f"{flag} is not for markdown files"):
            plan_file(tracker, page, options=ImportOptions(source="s", **given))


def test_two_importers_of_one_name_are_an_error_naming_both(root):
    class Clash:
        @hookimpl
        def register_importers(self):
            return [CouncilPreset()]

    with pytest.raises(PluginError, match="importer 'council' is registered by two plugins"):
        Tracker.open(root, plugins=[Plugin(), Clash()]).plugins.importers


def test_an_object_that_is_no_importer_is_refused(root):
    class Broken:
        @hookimpl
        def register_importers(self):
            return [object()]

    with pytest.raises(PluginError, match="which is not an importer"):
        Tracker.open(root, plugins=[Broken()]).plugins.importers


def test_list_presets_shows_every_preset_and_format(cli, root):
    result = cli("--root", str(root), "import", "--list-presets")
    assert result.code == 0, result.err
    lines = {line.split()[0]: line for line in result.out.splitlines()[2:]}
    assert {"upr", "upr-info", "decidim", "csv", "markdown", "json"} <= set(lines)
    assert "preset" in lines["upr-info"] and "builtin.upr_info" in lines["upr-info"]
    assert "format .csv .tsv" in lines["csv"]
    assert "plugins" not in result.err
    assert cli("--root", str(root), "import").err.startswith("diasporatrack: error: give the FILE to import")
