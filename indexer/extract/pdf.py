"""PDF → text with page starts, through pdfplumber (pdfminer.six): positioned characters for the
layout rules, and the ruling lines for tables (bench/pdf_extractors.py, docs: Formats)."""

from __future__ import annotations

from importlib.metadata import version
from itertools import pairwise

from indexer.errors import ExtractionError, ExtractionLimitError
from indexer.extract.formats import MAX_PDF_PAGES, MAX_TREE_DEPTH
from indexer.extract.layout import PrintedLine, assemble

RULES_VERSION = 1
# A page with fewer characters than this holds no text layer worth the name (a scan).
MIN_CHARS_PER_PAGE = 20
CJK_GAP = 0.6  # of the type size: a narrower gap between two characters is kerning, not a space


def extractor() -> str:
    return f"pdf: pdfplumber {version('pdfplumber')}, rules {RULES_VERSION}"


def extract(path_or_file, name: str, max_pages: int = MAX_PDF_PAGES) -> tuple[str, tuple[int, ...]]:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        try:
            _check_page_tree(path_or_file, name, max_pages)
            with pdfplumber.open(path_or_file) as pdf:
                pages = [_page(page) for page in pdf.pages]
        except PdfminerException as wrapped:  # pdfplumber wraps what pdfminer raised
            cause = wrapped.args[0] if wrapped.args and isinstance(wrapped.args[0], BaseException) else wrapped
            raise cause from None
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise ExtractionError(f"{name}: the PDF is encrypted; save an unprotected copy") from None
    except (ExtractionError, MemoryError, RecursionError):
        raise
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ExtractionError(f"{name}: a damaged PDF ({type(exc).__name__}); it cannot be read") from None
    except Exception as exc:  # pdfminer raises bare Exceptions on some broken files
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise ExtractionError(f"{name}: the PDF is encrypted; save an unprotected copy") from None
        raise ExtractionError(f"{name}: a damaged PDF ({type(exc).__name__}); it cannot be read") from None
    if not pages:
        raise ExtractionError(f"{name}: the PDF has no pages")
    chars = sum(len(line.text.strip()) + sum(map(len, line.row or ())) for page in pages for line in page)
    if chars < MIN_CHARS_PER_PAGE * len(pages):
        scan = f"{len(pages)} page{'s' if len(pages) > 1 else ''} of images"
        raise ExtractionError(f"{name}: the PDF has no text layer (a scan, {scan}); "
                              "OCR it first, e.g. ocrmypdf -l chi_sim")
    return assemble(pages)


def _check_page_tree(path_or_file, name: str, max_pages: int) -> None:
    """Refuse a PDF of more pages than plans have, or whose page tree is not a tree, before any page
    is read: first the count it declares, then a walk of the tree without recursion (a cycle, a
    node reached twice or a nesting deeper than MAX_TREE_DEPTH is refused; pdfminer would skip a
    cycle silently and recurse into a deep chain until RecursionError)."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import PDFObjRef, resolve1

    if hasattr(path_or_file, "seek"):
        catalog = PDFDocument(PDFParser(path_or_file)).catalog
        path_or_file.seek(0)
    else:
        with open(path_or_file, "rb") as f:
            catalog = PDFDocument(PDFParser(f)).catalog
    try:
        declared = int(resolve1(catalog["Pages"]).get("Count", 0))
    except (AttributeError, KeyError, TypeError, ValueError):
        declared = 0
    if declared > max_pages:
        raise ExtractionLimitError(f"{name}: the PDF declares {declared} pages, over the limit of {max_pages}; refused")
    stack, seen, pages = [(catalog.get("Pages"), 0)], set(), 0
    while stack:
        ref, depth = stack.pop()
        if isinstance(ref, PDFObjRef):
            if ref.objid in seen:
                raise ExtractionError(f"{name}: the PDF's page tree has a cycle (object {ref.objid} is reached "
                                      "twice); refused")
            seen.add(ref.objid)
        if depth > MAX_TREE_DEPTH:
            raise ExtractionLimitError(f"{name}: the PDF's page tree nests deeper than {MAX_TREE_DEPTH} levels; "
                                       "refused")
        node = resolve1(ref)
        kids = resolve1(node.get("Kids")) if isinstance(node, dict) else None
        if isinstance(kids, list):
            stack.extend((kid, depth + 1) for kid in kids)
        elif isinstance(node, dict):
            pages += 1
            if pages > max_pages:
                raise ExtractionLimitError(f"{name}: the PDF has more than {max_pages} pages (the limit); refused")


def _page(page) -> list[PrintedLine]:
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    chars = [c for c in page.chars if not any(_inside(c, b) for b in boxes)]
    lines = _lines(chars)
    for table in tables:
        for row in table.extract():
            cells = tuple(_cell(c) for c in row)
            if any(cells):
                lines.append(PrintedLine(" ".join(c for c in cells if c), table.bbox[0], table.bbox[2],
                                         _row_top(table, row), 0.0, row=cells))
    return sorted(lines, key=lambda line: (line.top, line.x0))


def _row_top(table, row) -> float:
    i = table.extract().index(row) if row in table.extract() else 0
    return table.rows[i].bbox[1] if i < len(table.rows) else table.bbox[1]


def _inside(c: dict, box: tuple[float, float, float, float]) -> bool:
    x = (c["x0"] + c["x1"]) / 2
    y = (c["top"] + c["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _cell(text: str | None) -> str:
    """A cell over two lines is one cell: its lines joined as one."""
    lines = [s.strip() for s in (text or "").split("\n")]
    out = ""
    for s in lines:
        glue = " " if out[-1:].isascii() and out[-1:].isalnum() and s[:1].isascii() and s[:1].isalnum() else ""
        out += glue + s
    return out


def _lines(chars: list[dict]) -> list[PrintedLine]:
    rows: list[list[dict]] = []
    for c in sorted(chars, key=lambda c: (round(c["top"], 1), c["x0"])):
        if rows and abs(rows[-1][0]["top"] - c["top"]) < c["size"] * 0.5:
            rows[-1].append(c)
        else:
            rows.append([c])
    out = []
    for row in rows:
        row.sort(key=lambda c: c["x0"])
        row = [c for c in row if c["text"].strip()] or row
        text = row[0]["text"]
        for a, b in pairwise(row):
            gap = b["x0"] - a["x1"]
            # An explicit space glyph leaves a gap of its width; kerning and LibreOffice's
            # CJK/Latin autospace leave less.
            if gap > CJK_GAP * b["size"] * (0.3 if _wide(a["text"]) and _wide(b["text"]) else 1):
                text += " "
            text += b["text"]
        size = max(c["size"] for c in row)
        bold = all("bold" in c["fontname"].lower() for c in row)
        out.append(PrintedLine(text, row[0]["x0"], row[-1]["x1"], min(c["top"] for c in row), size, bold))
    return out


def _wide(ch: str) -> bool:
    return ord(ch[0]) >= 0x2E80
