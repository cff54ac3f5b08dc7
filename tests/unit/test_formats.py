"""PDF, Word and HTML renderings of real plan excerpts extract to the text version's outline and body."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from indexer.documents.corpus import Document, DocumentInfo
from indexer.errors import CorpusError, ExtractionError
from indexer.extract import extract
from indexer.extract.formats import Limits, detect
from indexer.extract.layout import PrintedLine, assemble
from indexer.extract.numbering import chinese
from indexer.parse.parser import parse

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "formats"
BAD = FIXTURES / "bad"
SPACE = re.compile(r"\s+")
RENDERINGS = sorted(p.name for p in FIXTURES.iterdir() if p.suffix in (".pdf", ".docx", ".html"))


def _parsed(text: str, page_starts: tuple[int, ...] = ()):
    info = DocumentInfo(id="x", file="x.txt", title="x", short_title="x", city="", kind="", period="", year=0)
    return parse(Document(info, text, "utf-8", page_starts))


def _titles(parsed) -> list[str]:
    return [SPACE.sub("", s.title) for s in parsed.walk() if s.level != "lead"]


def _text_version(name: str) -> str:
    stem = re.sub(r"-(bold|styled)$", "", Path(name).stem)
    return (FIXTURES / f"{stem}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", RENDERINGS)
def test_a_rendering_has_the_outline_and_the_body_of_its_text_version(name):
    got = extract((FIXTURES / name).read_bytes(), name)
    text = _text_version(name)
    assert _titles(_parsed(got.text, got.page_starts)) == _titles(_parsed(text))
    flat = SPACE.sub("", got.text)
    body = [SPACE.sub("", ln) for ln in text.split("\n") if ln.strip() and not ln.startswith("\t")]
    found = sum(len(p) for p in body if p in flat)
    assert found >= 0.99 * sum(map(len, body))


@pytest.mark.parametrize("name", [n for n in RENDERINGS if n.endswith(".pdf")])
def test_pdf_pages_start_where_their_text_is_printed_and_furniture_is_gone(name):
    got = extract((FIXTURES / name).read_bytes(), name)
    assert len(got.page_starts) >= 5 and list(got.page_starts) == sorted(got.page_starts)
    assert not re.search(r"^\s*(?:[—-]\s*\d+\s*[—-]|第\d+页)\s*$", got.text, re.M)
    assert "河北省政府工作报告\n" not in got.text[got.page_starts[1]:] or "hebei" not in name
    import pdfplumber

    with pdfplumber.open(FIXTURES / name) as pdf:
        for page, start in zip(pdf.pages[1:], got.page_starts[1:], strict=True):
            printed = SPACE.sub("", page.extract_text() or "")
            if "\t" in got.text[got.text.rfind("\n", 0, start) + 1:start + 1]:
                continue  # a table row: the page's own text order differs
            assert SPACE.sub("", got.text[start:start + 12])[:6] in printed


def test_extraction_is_deterministic():
    for name in RENDERINGS:
        data = (FIXTURES / name).read_bytes()
        assert extract(data, name) == extract(data, name)


def test_a_sentence_cut_by_a_page_break_is_one_paragraph():
    def line(text, x1=500.0, x0=72.0):
        return PrintedLine(text, x0, x1, 100.0, 12.0)
    pages = [[line("标题"), line("这是一段很长的文字，在页末被切", 500.0, 96.0)],
             [line("标题"), line("断了，然后继续。", 200.0), line("— 2 —", 300.0, 280.0)]]
    pages[0].insert(1, PrintedLine("— 1 —", 280.0, 300.0, 700.0, 12.0))
    text, starts = assemble(pages)
    assert "这是一段很长的文字，在页末被切断了，然后继续。" in text and "— 1 —" not in text
    assert text[starts[1]:].startswith("断了")


def test_word_numbering_renders_chinese_counters():
    assert [chinese(n) for n in (1, 10, 11, 20, 21, 99)] == ["一", "十", "十一", "二十", "二十一", "九十九"]
    got = extract((FIXTURES / "changde-plan-styled.docx").read_bytes(), "x.docx")
    assert "第一篇 立足全面建成小康社会新起点" in got.text and "第二章 发展形势" in got.text


def test_formats_are_told_by_content_not_name():
    assert detect((FIXTURES / "hebei-report-bold.pdf").read_bytes(), "a.txt") == "pdf"
    assert detect((FIXTURES / "hebei-report-bold.docx").read_bytes(), "a.pdf") == "docx"
    assert detect((FIXTURES / "hebei-report.html").read_bytes(), "a.docx") == "html"
    assert detect((FIXTURES / "hebei-report-bold.doc").read_bytes(), "a.docx") == "doc"
    assert detect((FIXTURES / "hebei-report.txt").read_bytes(), "a.html") == "text"


# Each bad file of tests/data/formats/bad and the words its one line must hold (after the name).
# A .docx that is really a .doc is read as .doc where LibreOffice is installed.
BAD_FILES = [
    ("encrypted.pdf", "the PDF is encrypted; save an unprotected copy"),
    ("damaged.pdf", "a damaged PDF (PSEOF); it cannot be read"),
    ("scanned.pdf", "the PDF has no text layer (a scan, 1 page of images)"),
    ("not-word.docx", "a zip archive, not a Word document (no word/document.xml)"),
    ("no-main-text.html", "no main text found in the HTML page"),
    *([("really-a-doc.docx", "a Word 97-2003 (.doc/.wps) file; install LibreOffice")]
      if shutil.which("soffice") is None and shutil.which("libreoffice") is None else []),
]


@pytest.mark.parametrize(("name", "message"), BAD_FILES)
def test_a_bad_file_is_one_clear_line(name, message):
    with pytest.raises(ExtractionError) as err:
        extract((BAD / name).read_bytes(), name)
    assert str(err.value).startswith(f"{name}: {message}")
    assert "\n" not in str(err.value) and err.value.exit_code == 2


def test_each_format_has_its_own_size_limit():
    data = (FIXTURES / "hebei-report-bold.pdf").read_bytes()
    with pytest.raises(CorpusError, match=r"over the limit of 0\.1 MB per pdf document"):
        extract(data, "x.pdf", Limits(pdf=100_000))
    assert extract(data, "x.pdf", Limits(text=1000)).format == "pdf"
