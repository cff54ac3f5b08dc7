"""catalog.yaml edited entry by entry, so that ``add`` then ``remove`` leaves it byte-identical:
the lines of entries that did not change, comments and indentation included, are kept as written."""

from __future__ import annotations

import re

import yaml

ITEM_RE = re.compile(r"^(?P<indent>[ \t]*)- ")
LIST_KEY = "documents:"


def _blocks(lines: list[str]) -> tuple[str, list[tuple[int, int]]] | None:
    """The list items under ``documents:`` as (first, past-last) line numbers and their indent;
    None when the file is not laid out one item per ``- `` line (then it is written afresh)."""
    try:
        start = next(i for i, line in enumerate(lines) if line.rstrip() == LIST_KEY) + 1
    except StopIteration:
        return None
    spans: list[tuple[int, int]] = []
    indent: str | None = None
    for i in range(start, len(lines)):
        line = lines[i]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        m = ITEM_RE.match(line)
        if m and (indent is None or m["indent"] == indent):
            indent = m["indent"]
            spans.append((i, i + 1))
        elif spans and len(line) - len(line.lstrip()) > len(indent or ""):
            spans[-1] = (spans[-1][0], i + 1)
        else:
            return None
    return (indent, spans) if indent is not None else None


def _entry_id(block: list[str]) -> object:
    try:
        item = yaml.safe_load("".join(block))
    except yaml.YAMLError:
        return None
    return item[0].get("id") if isinstance(item, list) and item and isinstance(item[0], dict) else None


def render_entry(entry: dict, indent: str) -> list[str]:
    body = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, width=10_000)
    return [indent + line + "\n" for line in body.splitlines()]


def edit(text: str, entries: list[dict]) -> str | None:
    """``text`` with its list made equal to ``entries`` (dicts with an ``id``): items that are
    unchanged keep their lines, changed ones are rewritten in place, gone ones are cut, new ones
    are appended after the last item. None when the layout is not one this can edit."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    found = _blocks(lines)
    if found is None:
        return None
    indent, spans = found
    wanted = {e["id"]: e for e in entries}
    out: list[str] = []
    seen: set[object] = set()
    pos = 0
    for first, last in spans:
        out.extend(lines[pos:first])
        block = lines[first:last]
        doc_id = _entry_id(block)
        if doc_id is None or doc_id in seen:
            return None
        seen.add(doc_id)
        if doc_id in wanted:
            same = yaml.safe_load("".join(block))[0] == wanted[doc_id]
            out.extend(block if same else render_entry(wanted[doc_id], indent))
        pos = last
    for e in entries:
        if e["id"] not in seen:
            out.extend(render_entry(e, indent))
    out.extend(lines[pos:])
    return "".join(out)
