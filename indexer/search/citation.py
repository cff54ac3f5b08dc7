"""Citations for publication: a Chinese reference line, GB/T 7714-2015, RIS, BibTeX and CSV.

Pure functions of a passage, its document's catalog entry, the site's base URL and the
date of access, so the web page, the API and the CLI cite alike.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from indexer.documents.corpus import DocumentInfo
from indexer.indicators.records import Record
from indexer.parse.model import Passage, PassageKind

ISSUER_RE = re.compile(r"^(?:\d{4}年)?([\u4e00-\u9fff]{2,12}?(?:自治区|自治州|省|市|州|盟|地区|县))")
BIBTEX_SPECIAL_RE = re.compile(r"([{}\\%&$#_^~])")


@dataclass(frozen=True)
class Cited:
    """One passage to cite, with what every format needs."""

    passage: Passage
    info: DocumentInfo
    url: str

    @property
    def is_heading(self) -> bool:
        return self.passage.kind == PassageKind.HEADING

    @property
    def place(self) -> str:
        """Where in the document: the heading path, then the paragraph or table row; a
        heading is cited as its section."""
        path = " > ".join(self.passage.section_path)
        if self.is_heading:
            return path
        unit = "行" if self.passage.kind == PassageKind.TABLE_ROW else "段"
        where = f"第{self.passage.ordinal}{unit}" + (f"，{self.page_label}" if self.page_label else "")
        return f"{path}，{where}" if path else where

    @property
    def page_range(self) -> str:
        """``3`` or ``3-4`` for a passage of a paged source (PDF, Word); empty otherwise."""
        pages = self.passage.pages
        if not pages:
            return ""
        first, last = pages
        return str(first) if first == last else f"{first}-{last}"

    @property
    def page_label(self) -> str:
        """第3页 / 第3–4页, as a Chinese reference line names pages."""
        return f"第{self.page_range.replace('-', '–')}页" if self.page_range else ""


def permalink(p: Passage | Record) -> str:
    """The passage's address on the site, relative to its root (an indicator record's: the row it cites)."""
    return f"/doc/{p.doc_id}#{p.passage_id}"


def issuer(info: DocumentInfo) -> str:
    """The issuing government, read from the title (常德市… → 常德市人民政府)."""
    m = ISSUER_RE.match(info.title)
    return f"{m.group(1) if m else info.city}人民政府"


def reference_line(c: Cited) -> str:
    return f"《{c.info.title}》，{c.place}。{c.url}"


def gbt7714(c: Cited, accessed: date) -> str:
    """GB/T 7714-2015, electronic resource ([EB/OL]), for the document."""
    pages = f": {c.page_range}" if c.page_range else ""
    return (f"{issuer(c.info)}. {c.info.title}[EB/OL]. ({c.info.year}){pages}[{accessed.isoformat()}]. "
            f"{c.url}.")


def ris(items: Sequence[Cited], accessed: date) -> str:
    records = []
    for c in items:
        lines = [("TY", "GOVDOC"), ("TI", c.info.title), ("AU", issuer(c.info)), ("PY", str(c.info.year)),
                 ("CY", c.info.city), ("N1", c.place), ("UR", c.url), ("Y2", accessed.isoformat())]
        if c.passage.pages:
            lines += [("SP", str(c.passage.pages[0])), ("EP", str(c.passage.pages[1]))]
        lines.append(("ER", ""))
        records.append("\r\n".join(f"{tag}  - {value}" for tag, value in lines))
    return "\r\n".join(records) + "\r\n"


def _bibtex_escape(value: str) -> str:
    return BIBTEX_SPECIAL_RE.sub(r"\\\1", value)


def bibtex_key(c: Cited, taken: set[str]) -> str:
    base = re.sub(r"[^\w-]", "", f"{c.info.id}-{c.info.year}") or "plan"
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    taken.add(key)
    return key


def bibtex(items: Sequence[Cited], accessed: date) -> str:
    taken: set[str] = set()
    entries = []
    for c in items:
        fields = [("author", f"{{{_bibtex_escape(issuer(c.info))}}}"), ("title", f"{{{_bibtex_escape(c.info.title)}}}"),
                  ("year", str(c.info.year)), ("address", _bibtex_escape(c.info.city)),
                  ("note", _bibtex_escape(c.place)), ("url", c.url), ("urldate", accessed.isoformat())]
        if c.page_range:
            fields.append(("pages", c.page_range.replace("-", "--")))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        entries.append(f"@misc{{{bibtex_key(c, taken)},\n{body}\n}}")
    return "\n\n".join(entries) + "\n"


CSV_COLUMNS = ("passage_id", "title", "issuer", "year", "section", "place", "source", "pages", "start", "end",
               "url", "reference", "text")


def csv_table(items: Sequence[Cited], accessed: date) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for c in items:
        p = c.passage
        writer.writerow([p.passage_id, c.info.title, issuer(c.info), c.info.year, " > ".join(p.section_path),
                         c.place, c.info.file, c.page_range, p.start, p.end, c.url, reference_line(c), p.text])
    return out.getvalue()


def _lines(one: Callable[[Cited], str]) -> Callable[[Sequence[Cited], date], str]:
    return lambda items, accessed: "\n".join(one(c) for c in items) + "\n"


@dataclass(frozen=True)
class CiteFormat:
    render: Callable[[Sequence[Cited], date], str]
    media_type: str
    extension: str
    label: str


FORMATS: dict[str, CiteFormat] = {
    "text": CiteFormat(_lines(reference_line), "text/plain", "txt", "中文引用"),
    "gbt7714": CiteFormat(lambda items, accessed: "\n".join(gbt7714(c, accessed) for c in items) + "\n",
                          "text/plain", "txt", "GB/T 7714"),
    "ris": CiteFormat(ris, "application/x-research-info-systems", "ris", "RIS"),
    "bibtex": CiteFormat(bibtex, "application/x-bibtex", "bib", "BibTeX"),
    "csv": CiteFormat(csv_table, "text/csv", "csv", "CSV"),
}
