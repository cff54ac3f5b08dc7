"""Hostile PDF, Word and HTML files, made here: each is refused in one line or reduced to its text.

The generators (``HOSTILE``) are used again by tests/ops/test_bad_files.py, which runs `add` on
each and checks that nothing was written."""

from __future__ import annotations

import io
import re
import struct
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.errors import CorpusError, ExtractionError, ExtractionLimitError
from indexer.extract import extract, sandbox, word
from indexer.extract.formats import MAX_TREE_DEPTH, Limits
from tests.unit.test_formats import FIXTURES

DOCX = FIXTURES / "hebei-report-bold.docx"
PDF = FIXTURES / "hebei-report-bold.pdf"
HTML = FIXTURES / "hebei-report.html"
PASSWD = "root:x:0:0"


def _rezip(src: Path, out: Path, change: Callable[[str, bytes], bytes], extra: Callable | None = None) -> Path:
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as w:
        for info in z.infolist():
            w.writestr(info.filename, change(info.filename, z.read(info)))
        if extra is not None:
            extra(w)
    return out


def zip_bomb_docx(tmp: Path) -> Path:
    """A real .docx with one more member that unzips to 120 MB from ~120 kB (1000×)."""
    def bomb(w: zipfile.ZipFile) -> None:
        info = zipfile.ZipInfo("word/media/image1.png")
        info.compress_type = zipfile.ZIP_DEFLATED
        with w.open(info, "w", force_zip64=True) as f:
            for _ in range(120):
                f.write(bytes(1 << 20))
    return _rezip(DOCX, tmp / "bomb.docx", lambda _, data: data, bomb)


def lying_zip_docx(tmp: Path) -> Path:
    """A .docx whose document.xml says it unzips to 1 kB and unzips to far more."""
    out = _rezip(DOCX, tmp / "lying.docx", lambda n, d: d + b" " * 5_000_000 if n == "word/document.xml" else d)
    data = bytearray(out.read_bytes())
    info = zipfile.ZipFile(out).getinfo("word/document.xml")
    struct.pack_into("<I", data, info.header_offset + 22, 1000)  # local header: uncompressed size
    name = b"word/document.xml"
    central = data.index(b"PK\x01\x02", data.index(b"PK\x01\x02"))
    while data[central + 46:central + 46 + len(name)] != name:
        central = data.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, 1000)  # central directory: uncompressed size
    out.write_bytes(bytes(data))
    return out


XXE = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
       b'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd"> <!ENTITY lol "lol">]>\n')


def _with_entity(xml: bytes) -> bytes:
    body = xml[xml.index(b"?>") + 2:].lstrip()
    head = body.index(b"<w:t>") + len(b"<w:t>")
    return XXE + body[:head] + b"&xxe;&lol;" + body[head:]


def xxe_docx(tmp: Path) -> Path:
    """A .docx whose document.xml declares an external entity for /etc/passwd and uses it."""
    return _rezip(DOCX, tmp / "xxe.docx", lambda n, d: _with_entity(d) if n == "word/document.xml" else d)


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF of these objects (1 the catalog), with a correct xref table."""
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


_PAGE = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
         b"/Resources << /Font << /F1 5 0 R >> >> >>")
_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
_TEXT = b"BT /F1 12 Tf 72 700 Td (Plans as they are published, cited by page.) Tj ET"


def _stream(data: bytes, compressed: bool = False) -> bytes:
    return b"<< /Length %d%s >>\nstream\n" % (len(data), b" /Filter /FlateDecode" if compressed else b"") \
        + data + b"\nendstream"


def deflate_bomb_pdf(tmp: Path) -> Path:
    """One page whose content stream inflates from ~150 kB to 150 MB."""
    z = zlib.compressobj(9)
    packed = z.compress(_TEXT + b"\n") + b"".join(z.compress(b" " * (1 << 20)) for _ in range(150)) + z.flush()
    out = tmp / "deflate-bomb.pdf"
    out.write_bytes(_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                          _PAGE, _stream(packed, compressed=True), _FONT]))
    return out


def cyclic_pdf(tmp: Path) -> Path:
    """A page tree whose root lists itself among its kids."""
    out = tmp / "cycle.pdf"
    out.write_bytes(_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>",
                          _PAGE, _stream(_TEXT), _FONT]))
    return out


def deep_pdf(tmp: Path, depth: int = 3000) -> Path:
    """A page tree nested ``depth`` levels deep (pdfminer's recursion ends in RecursionError)."""
    first = 6
    chain = [b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (first + i + 1 if i + 1 < depth else 3)
             for i in range(depth)]
    page = _PAGE.replace(b"/Parent 2 0 R", b"/Parent %d 0 R" % (first + depth - 1))
    out = tmp / "deep.pdf"
    out.write_bytes(_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [6 0 R] /Count 1 >>",
                          page, _stream(_TEXT), _FONT, *chain]))
    return out


def uncounted_pages_pdf(tmp: Path, pages: int = 7) -> Path:
    """A page tree that declares one page and holds ``pages``."""
    kids = b" ".join(b"3 0 R" if i == 0 else b"%d 0 R" % (5 + i) for i in range(pages))
    out = tmp / "uncounted.pdf"
    out.write_bytes(_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count 1 >>" % kids,
                          _PAGE, _stream(_TEXT), _FONT, *[_PAGE] * (pages - 1)]))
    return out


def many_pages_pdf(tmp: Path) -> Path:
    """A page tree that declares a million pages."""
    out = tmp / "many-pages.pdf"
    out.write_bytes(_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1000000 >>",
                          _PAGE, _stream(_TEXT), _FONT]))
    return out


# Each generator, the exception it must raise and the words its one line must hold.
HOSTILE = [
    (zip_bomb_docx, ExtractionLimitError, "unzips 1"),
    (lying_zip_docx, ExtractionError, "damaged zip file (BadZipFile)"),
    (xxe_docx, ExtractionError, "declares a DTD or entities"),
    (cyclic_pdf, ExtractionError, "page tree has a cycle"),
    (deep_pdf, ExtractionLimitError, f"nests deeper than {MAX_TREE_DEPTH} levels"),
    (many_pages_pdf, ExtractionLimitError, "declares 1000000 pages, over the limit of 3000"),
]


@pytest.mark.parametrize(("make", "error", "message"), HOSTILE, ids=[h[0].__name__ for h in HOSTILE])
def test_a_hostile_file_is_refused_in_one_line(tmp_path, make, error, message):
    path = make(tmp_path)
    with pytest.raises(error, match=re.escape(message)) as err:
        extract(path.read_bytes(), path.name)
    assert "\n" not in str(err.value) and err.value.exit_code == 2 and str(err.value).startswith(path.name)


def test_a_deflate_bomb_meets_the_memory_limit_then_the_time_limit(tmp_path):
    data = deflate_bomb_pdf(tmp_path).read_bytes()
    assert len(data) < 1_000_000
    with pytest.raises(ExtractionLimitError, match=r"more than 100 MB of memory"):
        extract(data, "bomb.pdf", Limits(memory_mb=100))
    start = time.monotonic()
    with pytest.raises(ExtractionLimitError, match=r"took more than 1 s \(the limit per file\); refused"):
        extract(data, "bomb.pdf", Limits(seconds=1))
    assert time.monotonic() - start < 10


def test_the_zip_checks_count_declared_and_actual_sizes(tmp_path):
    data = DOCX.read_bytes()
    with pytest.raises(ExtractionLimitError, match=r"unzips to more than 0\.5 MB"):
        extract(data, "x.docx", Limits(unzipped=500_000))  # declared: ~860 kB
    assert extract(data, "x.docx").text == extract(data, "x.docx", Limits(zip_ratio=40)).text


def test_an_external_entity_is_never_expanded_even_past_the_dtd_check(tmp_path):
    """python-docx parses with resolve_entities=False: the check before it is a second wall."""
    text, _ = word.extract_docx(xxe_docx(tmp_path).read_bytes(), "xxe.docx")
    assert PASSWD not in text and "lol" not in text and "河北" in text


def test_a_pdf_over_the_page_limit_is_refused_by_the_pages_it_declares_and_holds(tmp_path):
    with pytest.raises(ExtractionLimitError, match="declares 9 pages, over the limit of 5"):
        extract(PDF.read_bytes(), "x.pdf", Limits(pdf_pages=5))
    data = uncounted_pages_pdf(tmp_path).read_bytes()
    assert len(extract(data, "x.pdf").page_starts) == 7
    with pytest.raises(ExtractionLimitError, match="has more than 5 pages"):
        extract(data, "x.pdf", Limits(pdf_pages=5))


def _hostile_html() -> bytes:
    page = HTML.read_text(encoding="utf-8")
    evil = ('<script>alert("script")</script><style>body{background:url(javascript:alert(1))}</style>'
            '<svg><script>alert("svg")</script></svg><template><script>alert("tpl")</script></template>'
            '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe><!-- <script>alert("c")</script> -->'
            '<object data="javascript:alert(2)"></object><img src="x" onerror="alert(\'img\')">'
            '<noscript><script>alert("ns")</script></noscript>')
    page = page.replace("<body", f"<head>{evil}</head><body onload=\"alert('load')\"", 1)
    first = page.index("<p", page.index("<h1"))
    end = page.index("</p>", first)
    inner = page[page.index(">", first) + 1:end]
    page = (page[:first] + '<p onclick="alert(\'p\')" onmouseover="steal()">'
            f'<a href="javascript:alert(\'a\')" onfocus="x()">{inner}</a>' + evil + page[end:])
    return page.encode("utf-8")


def test_scripts_handlers_and_javascript_links_leave_only_the_text():
    clean = extract(HTML.read_bytes(), "page.html").text
    got = extract(_hostile_html(), "page.html").text
    assert got == clean
    for word_ in ("alert", "javascript", "onclick", "onerror", "steal", "<", "srcdoc"):
        assert word_ not in got


def test_the_child_reports_a_crash_and_a_library_bug_in_one_line(monkeypatch):
    import os
    import signal

    monkeypatch.setattr(sandbox, "_die_with_parent", lambda: os.kill(os.getpid(), signal.SIGKILL))
    with pytest.raises(ExtractionError, match=r"^x.pdf: the extractor died on this file \(signal SIGKILL\)"):
        sandbox.run(len, ("abc",), "x.pdf", Limits())
    monkeypatch.undo()
    with pytest.raises(ExtractionError, match=r"^x.pdf: the extractor failed on this file \(ZeroDivisionError\)"):
        sandbox.run(divmod, (1, 0), "x.pdf", Limits())
    assert sandbox.run(len, ("abc",), "x.pdf", Limits()) == 3


def test_the_sandbox_returns_what_in_process_extraction_gives():
    from indexer.extract import pdf

    text, starts = pdf.extract(io.BytesIO(PDF.read_bytes()), "x.pdf")
    got = extract(PDF.read_bytes(), "x.pdf")
    assert (got.text, got.page_starts) == (text, starts)


def test_the_extraction_limits_come_from_config_or_the_defaults(tmp_path):
    from indexer.config import config_from_dict
    from indexer.errors import ConfigError

    got = config_from_dict({"extract_seconds": 30, "extract_memory_mb": 512}, base=tmp_path).limits
    assert (got.seconds, got.memory_mb) == (30.0, 512)
    assert config_from_dict({}, base=tmp_path).limits == Limits()
    for bad, message in (({"extract_seconds": 0}, "extract_seconds must be positive"),
                         ({"extract_memory_mb": "lots"}, "extract_memory_mb must be a number")):
        with pytest.raises(ConfigError, match=message):
            config_from_dict(bad, base=tmp_path)


_SMALL_PDF = _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                   _PAGE, _stream(_TEXT), _FONT])
_SEEDS = [_SMALL_PDF, DOCX.read_bytes(), HTML.read_bytes()[:4000]]


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(range(len(_SEEDS))), st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)),
                                                     min_size=1, max_size=8))
def test_a_mutated_pdf_docx_or_page_is_extracted_or_refused_in_one_line(seed, flips):
    data = bytearray(_SEEDS[seed])
    for pos, byte in flips:
        data[pos % len(data)] = byte
    try:
        got = extract(bytes(data), "x")
    except CorpusError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("x: ")
    else:
        assert isinstance(got.text, str) and got.text.strip()


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([b"%PDF-1.4\n", b"PK\x03\x04", b"<html><body>", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]),
       st.binary(max_size=600))
def test_any_bytes_after_a_format_signature_are_extracted_or_refused_in_one_line(head, tail):
    try:
        extract(head + tail, "x")
    except CorpusError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("x: ")
