"""A saved government web page → its main text, through lxml and the corpus's page-furniture rules.

The main text is the block with the most paragraph text that is not links (navigation, side
bars and footers are mostly links or short lines), widened to the nearest enclosing block that
holds the page's <h1> title; indexer.parse.boilerplate then sets aside the tool bars, source and
date labels that government sites print around a document. No readability library: the genre's
pages are simple, and the furniture rules already know the site phrases.
"""

from __future__ import annotations

import re
from importlib.metadata import version

from indexer.errors import ExtractionError
from indexer.parse.boilerplate import furniture

RULES_VERSION = 1
# Never text: scripts, styles, embedded objects and frames (their content is code or another page).
DROP = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "select", "button",
        "template", "object", "embed", "applet", "frame", "frameset", "svg", "math", "canvas", "audio", "video")
CHROME_RE = re.compile(r"nav|menu|header|footer|crumb|share|side|related|links|toolbar|foot|top|bottom", re.I)
BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "br", "tr", "table",
          "blockquote", "pre", "dd", "dt"}
MIN_MAIN_HAN = 200  # Han characters; a page with less main text is a front page or a list of links


def extractor() -> str:
    return f"html: lxml {version('lxml')}, rules {RULES_VERSION}"


def extract(data: bytes, name: str) -> tuple[str, tuple[int, ...]]:
    import lxml.html

    # No network, no comments or processing instructions (text only; an HTML parser loads no DTD).
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(data, parser=parser)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise ExtractionError(f"{name}: not a readable HTML page ({exc})") from None
    for el in list(root.iter(*DROP)):
        el.drop_tree() if el.getparent() is not None else None
    for el in list(root.iter()):
        attrs = f"{el.get('class', '')} {el.get('id', '')}"
        if isinstance(el.tag, str) and el.tag not in ("html", "body") and CHROME_RE.search(attrs) \
                and el.getparent() is not None:
            el.drop_tree()
    main = _main(root)
    lines = _lines(main) if main is not None else []
    skip = furniture(lines)
    kept = [ln for i, ln in enumerate(lines) if i not in skip]
    if sum(1 for ch in "".join(kept) if "\u4e00" <= ch <= "\u9fff") < MIN_MAIN_HAN:
        raise ExtractionError(f"{name}: no main text found in the HTML page (navigation and links only); "
                              "save the page of the document itself")
    text = "\n\n".join(kept).replace("\n\n\t", "\n\t") + "\n"
    return text, ()


def _own_text(el) -> int:
    """Characters of paragraph text directly in ``el``, links not counted."""
    total = 0
    for child in el:
        if child.tag in ("p", "br", "span", "font", "strong", "b") or not isinstance(child.tag, str):
            text = child.text_content() if isinstance(child.tag, str) else ""
            links = sum(len(a.text_content()) for a in child.iter("a")) if isinstance(child.tag, str) else 0
            total += max(0, len(text.strip()) - links)
    return total + len((el.text or "").strip())


def _main(root):
    candidates = [el for el in root.iter("div", "td", "article", "section", "body") if _own_text(el) > 0]
    if not candidates:
        return None
    best = max(candidates, key=_own_text)
    h1 = next(iter(root.iter("h1")), None)
    node = best
    for _ in range(3):
        if h1 is not None and node.getparent() is not None and not any(h is h1 for h in node.iter("h1")):
            node = node.getparent()
    return node if h1 is not None and any(h is h1 for h in node.iter("h1")) else best


def _lines(el) -> list[str]:
    lines: list[str] = []
    buf: list[str] = []

    def flush():
        s = re.sub(r"[ \t\r\n\u00a0]+", " ", "".join(buf)).strip()
        if s:
            lines.append(s)
        buf.clear()

    def walk(node):
        if not isinstance(node.tag, str):
            return
        if node.tag == "tr":
            flush()
            cells = [re.sub(r"\s+", "", c.text_content()) for c in node if c.tag in ("td", "th")]
            if any(cells):
                lines.append("\t" + "\t".join(cells))
            buf.append(node.tail or "")
            return
        block = node.tag in BLOCKS
        if block:
            flush()
        buf.append(node.text or "")
        for child in node:
            walk(child)
        if block:
            flush()
        buf.append(node.tail or "")

    walk(el)
    flush()
    return lines
