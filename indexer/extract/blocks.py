"""Extracted blocks joined into the one text every offset indexes: paragraphs apart by a blank
line, consecutive table rows (tab-separated) by a line break."""

from __future__ import annotations


def join_blocks(blocks: list[str]) -> tuple[str, list[int]]:
    """The text and the offset where each block starts, the same for every format."""
    parts: list[str] = []
    offsets: list[int] = []
    pos = 0
    for i, block in enumerate(blocks):
        if i:
            sep = "\n" if block.startswith("\t") and blocks[i - 1].startswith("\t") else "\n\n"
            parts.append(sep)
            pos += len(sep)
        offsets.append(pos)
        parts.append(block)
        pos += len(block)
    return "".join(parts) + "\n", offsets
