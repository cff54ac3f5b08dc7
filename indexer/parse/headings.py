"""What one line is (heading, numbered item, box title, caption, cell or text), by the rule table.

The shapes themselves live in heading_rules.py; this module applies them to a line and
reads an item's title out of its first sentence.
"""

from __future__ import annotations

import re

from indexer.parse.heading_rules import (
    SENTENCE_END_RE,
    match_heading,
    run_in_title_end,
    stands_alone,
    structural_title_end,
)
from indexer.parse.lines import CLAUSE_END_RE, WS_RE, Line, Role

BOX_RE = re.compile(r"^(?:专栏\s*\d*|表\s*\d+(?:[-－‐]\d+)?)(?:[：:\s]|$)")
CAPTION_RE = re.compile(r"^图\s*\d+(?:[-－]\d+)?(?:[：:\s]|$)")
LEAD_RE = re.compile(r"^(?:——)?([^，,；;：:。！？\s]{2,22})。")
OCR_DIGITS_RE = re.compile(r"(?<!\d)\d(?: \d){2,}(?!\d)")
SHORT_LINE = 22


def normalize_heading(text: str) -> str:
    """Whitespace normalised as a reader would cite it: runs become one space,
    and a heading that is only spaced-out characters (前    言) is joined."""
    text = WS_RE.sub(" ", text.strip())
    text = OCR_DIGITS_RE.sub(lambda m: m.group().replace(" ", ""), text)
    if len(text.replace(" ", "")) <= 4:
        return text.replace(" ", "")
    return text


def classify(line: Line) -> None:
    """Give a line its role (heading, item, box title, caption, cell, text) by the heading rules."""
    if line.blank:
        line.role = Role.BLANK
        return
    clean = line.clean.strip()
    found = match_heading(clean)
    rule, marker_end = found if found else (None, 0)
    structural = rule is not None and rule.structural
    run_in_end = structural_title_end(clean, marker_end) if structural and rule.run_in else None
    if structural and stands_alone(rule, clean) and not (run_in_end and _has_gap(clean, marker_end, run_in_end)):
        line.role, line.level = Role.HEADING, rule.level
    elif structural and run_in_end:
        line.role, line.level, line.title_end = Role.ITEM, rule.level, run_in_end
    elif BOX_RE.match(clean) and len(clean) <= 80:
        line.role = Role.BOX_TITLE
    elif CAPTION_RE.match(clean) and len(clean) <= 50 and not line.tabbed:
        line.role = Role.CAPTION
    elif line.tabbed:
        line.role = Role.CELL
    elif rule is None or structural:
        line.role = Role.TEXT
    elif rule.level == "num_item":
        line.role, line.level = Role.ITEM, "num_item"
    elif stands_alone(rule, clean):
        line.role, line.level = Role.HEADING, rule.level
    elif rule.run_in and (end := run_in_title_end(clean, marker_end)):
        line.role, line.level, line.title_end = Role.ITEM, rule.level, end
    else:
        line.role = Role.TEXT


def _has_gap(clean: str, marker_end: int, title_end: int) -> bool:
    """``第一章 发展环境 当前……。``: a space after the title words and a sentence after it."""
    return title_end < len(clean) and clean[title_end].isspace() and bool(SENTENCE_END_RE.search(clean, title_end))


def is_title_fragment(line: Line) -> bool:
    """A short line that reads as part of a heading rather than a sentence."""
    clean = line.clean.strip()
    return (
        line.role == Role.TEXT
        and not line.tabbed
        and 1 <= len(clean) <= SHORT_LINE
        and not SENTENCE_END_RE.search(clean)
        and not clean.startswith(("——", "（", "("))
    )


def item_title(clean: str) -> tuple[str, int]:
    """Title of a numbered item and its length within ``clean``."""
    m = SENTENCE_END_RE.search(clean)
    if m and m.start() <= 50:
        return clean[: m.start()], m.start()
    if len(clean) <= 50:
        return clean, len(clean)
    m = CLAUSE_END_RE.search(clean)
    cut = m.start() if m and m.start() <= 50 else 30
    return clean[:cut], cut


def names_appendix(line: Line, nxt: Line) -> bool:
    """``附件2`` followed by ``名词解释``: one appendix heading."""
    return line.level == "appendix" and nxt.level == "appendix" and not nxt.text.startswith("附")
