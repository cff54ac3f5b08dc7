"""The query language people type: quoted phrases, a leading '-' to exclude, plain words.
Pure: it knows no index."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

QUOTE_CHARS = "\"“”「」『』"


@dataclass(frozen=True)
class ParsedQuery:
    """What a user typed, split into the parts the engine acts on."""

    text: str
    terms: str
    phrases: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not (self.terms.strip() or self.phrases)

    @property
    def positive_text(self) -> str:
        """Everything a passage should match, for the dense model and highlighting."""
        return " ".join([self.terms.strip(), *self.phrases]).strip()


def parse_query(text: str) -> ParsedQuery:
    """Quotes make phrases, a leading '-' excludes; everything else is plain
    words. Unbalanced quotes and operators never fail: they fall back to words."""
    notes: list[str] = []
    normalized = re.sub(f"[{QUOTE_CHARS}]", '"', text)
    if normalized.count('"') % 2:
        notes.append("引号不成对，已忽略多出的引号")
        idx = normalized.rfind('"')
        normalized = normalized[:idx] + " " + normalized[idx + 1 :]
    phrases: list[str] = []
    excluded: list[str] = []
    rest: list[str] = []
    for m in re.finditer(r'(-?)"([^"]*)"|(\S+)', normalized):
        neg, quoted, bare = m.group(1), m.group(2), m.group(3)
        if quoted is not None:
            if not quoted.strip():
                continue
            (excluded if neg else phrases).append(quoted.strip())
        elif bare.startswith("-") and len(bare) > 1 and not bare[1:].startswith("-"):
            excluded.append(bare[1:])
        elif bare.upper() in ("AND", "OR", "NOT"):
            notes.append(f"{bare} 不是运算符，已按普通词检索")
            rest.append(bare)
        else:
            rest.append(bare)
    return ParsedQuery(text, " ".join(rest), tuple(phrases), tuple(excluded), tuple(notes))
