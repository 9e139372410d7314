"""Source documents in: plain text from every kind of file, quotes proven against the archive, `extract`."""

from __future__ import annotations

import builtins
import json
import shutil

import pytest
from conftest import REPO, write
from pdfmaker import pdf_bytes

from diasporatrack.documents import document_text
from diasporatrack.errors import InputError
from diasporatrack.quotes import Archive

SEEDS = REPO / "tests" / "seeds"


def test_plain_text_in_any_common_encoding(tmp_path):
    text = ("Les membres de la diaspora doivent être consultés avant toute réforme. La santé publique, "
            "l'éducation et les droits de l'homme sont les thèmes où leur expérience compte le plus. "
            "Le gouvernement devrait créer un conseil consultatif élu par les citoyens résidant à l'étranger.\n")
    for encoding in ("utf-8", "utf-8-sig", "cp1252", "utf-16"):
        path = tmp_path / f"doc-{encoding}.txt"
        path.write_bytes(text.encode(encoding))
        assert document_text(path) == text


def test_the_encoding_can_be_stated(tmp_path, cli):
    path = tmp_path / "short.txt"
    path.write_bytes("Être consulté.\n".encode("cp1252"))
    assert document_text(path, encoding="cp1252") == "Être consulté.\n"
    with pytest.raises(InputError, match="not valid utf-8"):
        document_text(path, encoding="utf-8")
    with pytest.raises(InputError, match="unknown encoding"):
        document_text(path, encoding="klingon")


def test_html_gives_the_main_content_without_menus_or_scripts(tmp_path):
    path = write(tmp_path / "page.html", """\
        <html><head><title>T</title><script>alert('x')</script></head><body>
        <nav><a href="/">Home</a> <a href="/about">About us</a></nav>
        <article><h1>Policy brief</h1>
        <p>The diaspora is large and active in many host countries around the world today.</p>
        <p>Governments should consult diaspora organisations &amp; listen to them before deciding.</p></article>
        <footer>Copyright 2025, all rights reserved</footer></body></html>
        """)
    text = document_text(path)
    assert "Governments should consult diaspora organisations & listen" in text
    assert "alert" not in text and "<p>" not in text


def test_pdf_text_layer(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf_bytes(["Recommendations", "1. Ratify the Convention against Torture."]))
    text = document_text(path)
    assert "Ratify the Convention against Torture." in text


def test_docx_paragraphs_and_tables(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("The government should publish a timetable.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "140.1"
    table.rows[0].cells[1].text = "Ratify the Protocol"
    document.save(tmp_path / "list.docx")
    text = document_text(tmp_path / "list.docx")
    assert "The government should publish a timetable." in text and "140.1 | Ratify the Protocol" in text


def image_only_pdf(path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    with open(path, "wb") as fh:
        writer.write(fh)


def encrypted_pdf(path):
    from pypdf import PdfReader, PdfWriter

    plain = path.with_name("plain.pdf")
    plain.write_bytes(pdf_bytes(["secret text"]))
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt("pw")
    with open(path, "wb") as fh:
        writer.write(fh)


@pytest.mark.parametrize("name, make, message", [
    ("scan.pdf", image_only_pdf, "needs OCR"),
    ("locked.pdf", encrypted_pdf, "encrypted"),
    ("empty.txt", lambda p: p.write_bytes(b""), "empty"),
    ("binary.txt", lambda p: p.write_bytes(b"\x00\x01\x02" * 100), "binary"),
    ("fake.pdf", lambda p: p.write_bytes(b"<html>not a pdf</html>"), "not a PDF"),
    ("broken.docx", lambda p: p.write_bytes(b"PK\x03\x04 not really a zip"), "not a readable Word"),
    ("picture.png", lambda p: p.write_bytes(b"\x89PNG\r\n"), "cannot read .png"),
])
def test_documents_that_hold_no_text_are_one_line_errors(tmp_path, cli, name, make, message):
    path = tmp_path / name
    make(path)
    with pytest.raises(InputError, match=message):
        document_text(path)
    result = cli("extract", str(path), "--source", "x", "--out", str(tmp_path / "draft.yaml"))
    assert result.code == 2 and message in result.err and result.err.count("\n") == 1
    assert not (tmp_path / "draft.yaml").exists()


def test_a_document_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr("diasporatrack.documents.MAX_DOCUMENT_BYTES", 1024)
    path = tmp_path / "big.txt"
    path.write_text("x" * 2000)
    with pytest.raises(InputError, match="larger than the limit"):
        document_text(path)


def test_without_the_documents_extra_the_error_says_how_to_install_it(tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_pypdf(name, *args, **kwargs):
        if name.startswith("pypdf"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pypdf)
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf_bytes(["text"]))
    with pytest.raises(InputError, match=r"diasporatrack\[documents\]"):
        document_text(path)


@pytest.mark.parametrize("quote, found", [
    ("Unified Vision - The diaspora must align their efforts", True),
    ("Unified Vision -   The diaspora\nmust align their efforts", True),  # whitespace counts as one space
    ('Working in small "Expert Groups"', True),  # typographic quotes count as plain ones
    ("Unified Vision - The diaspora should align their efforts", False),  # a changed word is not forgiven
    ("unified vision - the diaspora must align", False),  # nor is letter case
])
def test_quote_normalisation(quote, found):
    archive = Archive(SEEDS / "000_1a0e0081be151d82.txt",
                      (SEEDS / "000_1a0e0081be151d82.txt").read_text(encoding="utf-8"))
    location = archive.find(quote)
    assert (location is not None) == found
    if found:
        assert location.line in (32, 40)


def archived_shipped_workspace(tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(REPO / "recommendations", root)
    (root / "sources").mkdir(exist_ok=True)  # the shipped workspace archives its texts already
    names = {"opp-2024-dialogue": "000", "pakistan-emigration-crisis": "001", "wilson-afghanistan-diaspora": "002"}
    for source, prefix in names.items():
        seed = next(SEEDS.glob(f"{prefix}_*.txt"))
        shutil.copy(seed, root / "sources" / f"{source}.txt")
    return root


def test_validate_proves_every_shipped_quote_against_the_archived_seeds(tmp_path, cli):
    root = archived_shipped_workspace(tmp_path)
    result = cli("--root", str(root), "validate", "--require-archive")
    assert result.code == 0, result.out + result.err
    shown = json.loads(cli("--root", str(root), "show", "opp-2024-unified", "--format", "json").out)
    assert shown["quote_location"] == {"file": "sources/opp-2024-dialogue.txt", "line": 32, "paragraph": 7}


def test_a_quote_not_in_the_archive_is_located_with_the_closest_passage(tmp_path, cli):
    root = archived_shipped_workspace(tmp_path)
    source = root / "opp-2024-dialogue.yaml"
    before = source.read_bytes()
    source.write_text(source.read_text(encoding="utf-8").replace("The diaspora must align", "The diaspora should align"),
                      encoding="utf-8")
    result = cli("--root", str(root), "validate")
    assert result.code == 1
    line = next(line for line in result.out.splitlines() if "opp-2024-unified-vision" in line)
    assert line.startswith(f"{root}/opp-2024-dialogue.yaml:21: quote of opp-2024-unified-vision not found in "
                           "sources/opp-2024-dialogue.txt; closest passage (line 32, ")
    assert "The diaspora must align" in line
    source.write_bytes(before)


def test_a_changed_archive_is_a_warning_and_a_missing_one_an_error_only_when_required(tmp_path, cli):
    root = archived_shipped_workspace(tmp_path)
    archive = root / "sources" / "pakistan-emigration-crisis.txt"
    archive.write_text(archive.read_text(encoding="utf-8") + "A line added after archiving.\n", encoding="utf-8")
    result = cli("--root", str(root), "validate")
    assert result.code == 0 and "warning:" in result.out and "changed since it was archived" in result.out
    (root / "sources" / "wilson-afghanistan-diaspora.txt").unlink()
    assert cli("--root", str(root), "validate").code == 0  # sources without an archive keep working
    required = cli("--root", str(root), "validate", "--require-archive")
    assert required.code == 1 and "source 'wilson-afghanistan-diaspora' has no archived text" in required.out


def test_extract_writes_a_draft_that_validates_and_never_overwrites(ws, cli):
    document = REPO / "tests" / "extraction" / "report-with-recommendations.md"
    out = ws / "remit.yaml"
    result = cli("--root", "ws", "extract", str(document), "--source", "remit-2025", "--out", str(out))
    assert result.code == 0 and "4 draft recommendations" in result.err
    assert cli("--root", "ws", "validate").code == 0
    listed = json.loads(cli("--root", "ws", "list", "--source", "remit", "--format", "json").out)
    assert [r["id"] for r in listed] == [f"remit-2025-00{n}" for n in range(1, 5)]
    assert all(r["draft"] and r["status"] == "proposed" for r in listed)
    assert "(draft)" in cli("--root", "ws", "list", "--source", "remit").out
    before = out.read_bytes()
    again = cli("--root", "ws", "extract", str(document), "--source", "remit-2025", "--out", str(out))
    assert again.code == 2 and "already exists" in again.err and out.read_bytes() == before


def test_extract_json_and_unknown_extractor(ws, cli):
    document = REPO / "tests" / "extraction" / "prose-article.txt"
    data = json.loads(cli("extract", str(document), "--source", "vote", "--format", "json").out)
    assert data["extractor"] == "heuristic" and len(data["candidates"]) >= 3
    assert all({"quote", "title", "confidence", "reason", "line", "paragraph"} <= set(c) for c in data["candidates"])
    bad = cli("extract", str(document), "--source", "vote", "--extractor", "oracle")
    assert bad.code == 2 and "oracle" in bad.err


def test_drafts_are_left_out_of_reminders(ws, cli):
    write(ws / "drafts.yaml", """\
        source: {id: d, title: D}
        recommendations:
          - {id: d-1, title: T, text: T, owners: [org], due: 2020-01-01, draft: true}
        """)
    result = cli("--root", "ws", "remind", "--format", "json", "--today", "2030-01-01")
    assert result.code == 0 and "d-1" not in result.out and "rep-education" in result.out
