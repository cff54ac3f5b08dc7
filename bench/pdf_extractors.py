"""Compare the PDF text libraries on the format fixtures: speed (pages/s) and how much of the
text version's body comes out in reading order (share of its paragraphs found whole, spaces and
line breaks aside). Run: ``.venv/bin/python bench/pdf_extractors.py``."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pdfplumber
import pypdfium2

FIXTURES = Path(__file__).resolve().parents[1] / "tests/data/formats"
SPACE = re.compile(r"\s+")


def pdfium_pages(path: Path) -> list[str]:
    pdf = pypdfium2.PdfDocument(path)
    try:
        return [pdf[i].get_textpage().get_text_bounded() for i in range(len(pdf))]
    finally:
        pdf.close()


def plumber_pages(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [p.extract_text() or "" for p in pdf.pages]


def in_order(text_version: str, pages: list[str]) -> float:
    """Share of the text version's characters in paragraphs found whole and in order."""
    flat = SPACE.sub("", "".join(pages))
    paras = [SPACE.sub("", p) for p in text_version.split("\n") if p.strip()]
    found = pos = 0
    for p in paras:
        at = flat.find(p, pos)
        if at >= 0:
            found += len(p)
            pos = at + len(p)
    return found / sum(map(len, paras))


def main() -> None:
    for name, fn in (("pypdfium2", pdfium_pages), ("pdfplumber", plumber_pages)):
        pages = chars = 0
        seconds = 0.0
        scores = []
        for pdf in sorted(FIXTURES.glob("*.pdf")):
            t = time.perf_counter()
            out = fn(pdf)
            seconds += time.perf_counter() - t
            pages += len(out)
            chars += sum(map(len, out))
            text = (FIXTURES / (pdf.stem.rsplit("-", 1)[0] + ".txt")).read_text(encoding="utf-8")
            scores.append(f"{pdf.stem} {in_order(text, out):.1%}")
        print(f"{name}: {pages} pages in {seconds:.2f} s = {pages / seconds:.0f} pages/s; "
              f"paragraphs whole and in order (raw text): {', '.join(scores)}")


if __name__ == "__main__":
    main()
