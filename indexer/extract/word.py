"""Word → text: .docx through python-docx with list numbering rendered, .doc/.wps converted to
.docx by LibreOffice headless first.

A paragraph is a line; a heading (a Heading style, or a short paragraph all in bold) stands on
its own line; a table is one tabbed line per row. Pages: the breaks Word saved with the file
(rendered and hard page breaks); a file saved without them has one page.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from importlib.metadata import version
from pathlib import Path

from indexer.errors import ExtractionError
from indexer.extract.blocks import join_blocks
from indexer.extract.numbering import Numbering, W

RULES_VERSION = 1
SOFFICE_TIMEOUT_S = 120


def extractor(fmt: str = "docx") -> str:
    via = "LibreOffice → " if fmt == "doc" else ""
    return f"{fmt}: {via}python-docx {version('python-docx')}, rules {RULES_VERSION}"


def extract_docx(data: bytes, name: str) -> tuple[str, tuple[int, ...]]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        d = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise ExtractionError(f"{name}: a damaged Word file ({type(exc).__name__})") from None
    try:
        numbering = Numbering.read(d.part.numbering_part.element)
    except (KeyError, NotImplementedError):
        numbering = Numbering()
    styles = _style_numbering(d)
    blocks: list[str] = []
    page_breaks: list[int] = []  # block index where a new page starts
    for el in d.element.body.iterchildren():
        if el.tag == f"{W}p":
            if el.findall(f".//{W}lastRenderedPageBreak") or any(
                    b.get(f"{W}type") == "page" for b in el.iter(f"{W}br")):
                page_breaks.append(len(blocks))
            text = _paragraph(el, numbering, styles)
            if text.strip():
                blocks.append(text.strip())
        elif el.tag == f"{W}tbl":
            blocks.extend("\t" + "\t".join(row) for row in _rows(el))
    if not any(b.strip() for b in blocks):
        raise ExtractionError(f"{name}: the Word file holds no text")
    return _join(blocks, page_breaks)


def _style_numbering(d) -> dict[str, tuple[str, int]]:
    """Heading styles that carry their own numbering (numPr in the style)."""
    out = {}
    for style in d.styles.element.iter(f"{W}style"):
        num = style.find(f"{W}pPr/{W}numPr")
        if num is not None and num.find(f"{W}numId") is not None:
            ilvl = num.find(f"{W}ilvl")
            out[style.get(f"{W}styleId")] = (num.find(f"{W}numId").get(f"{W}val"),
                                             int(ilvl.get(f"{W}val")) if ilvl is not None else 0)
    return out


def _paragraph(p, numbering: Numbering, styles: dict[str, tuple[str, int]]) -> str:
    text = "".join(t.text or "" if t.tag == f"{W}t" else "\t" if t.tag == f"{W}tab" else ""
                   for t in p.iter(f"{W}t", f"{W}tab"))
    ppr = p.find(f"{W}pPr")
    num = ppr.find(f"{W}numPr") if ppr is not None else None
    style = ppr.find(f"{W}pStyle") if ppr is not None else None
    num_id, ilvl = None, 0
    if num is not None and num.find(f"{W}numId") is not None:
        num_id = num.find(f"{W}numId").get(f"{W}val")
        lvl = num.find(f"{W}ilvl")
        ilvl = int(lvl.get(f"{W}val")) if lvl is not None else 0
    elif style is not None and style.get(f"{W}val") in styles:
        num_id, ilvl = styles[style.get(f"{W}val")]
    if num_id and num_id != "0" and text.strip():
        text = numbering.label(num_id, ilvl).replace("\t", " ") + text
    return text.replace("\t", " ")


def _rows(tbl) -> list[tuple[str, ...]]:
    rows = []
    for tr in tbl.iter(f"{W}tr"):
        cells = []
        for tc in tr.findall(f"{W}tc"):
            # A cell of several paragraphs is one cell.
            cells.append("".join("".join(t.text or "" for t in p.iter(f"{W}t")).strip()
                                 for p in tc.iter(f"{W}p")))
        if any(cells):
            rows.append(tuple(cells))
    return rows


def _join(blocks: list[str], page_breaks: list[int]) -> tuple[str, tuple[int, ...]]:
    text, offsets = join_blocks(blocks)
    starts = sorted({0, *(offsets[b] for b in page_breaks if 0 < b < len(offsets))})
    return text, tuple(starts)


def _unlimited() -> None:
    """LibreOffice maps more address space than the extraction child's RLIMIT_AS allows; its own
    timeout bounds it instead."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (resource.getrlimit(resource.RLIMIT_AS)[1],) * 2)


def extract_doc(path: Path, name: str) -> tuple[str, tuple[int, ...]]:
    """A .doc or .wps, converted to .docx by LibreOffice headless when it is installed."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise ExtractionError(f"{name}: a Word 97-2003 (.doc/.wps) file; install LibreOffice "
                              "(apt-get install libreoffice-writer-nogui) to read it, or save it as .docx")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"in{path.suffix.lower() if path.suffix.lower() in ('.doc', '.wps') else '.doc'}"
        shutil.copyfile(path, src)
        try:
            subprocess.run([soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                            "--convert-to", "docx", "--outdir", tmp, str(src)],
                           check=True, capture_output=True, timeout=SOFFICE_TIMEOUT_S, preexec_fn=_unlimited)
            data = (Path(tmp) / f"{src.stem}.docx").read_bytes()
        except (subprocess.SubprocessError, OSError):
            raise ExtractionError(f"{name}: LibreOffice could not convert this .doc/.wps file") from None
    return extract_docx(data, name)
