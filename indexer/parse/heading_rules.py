"""The heading shapes of Chinese plans and work reports: one rule per level.

To teach the parser a new shape, add or widen a rule here. Each rule says how
a heading line starts (``marker``), how long a line may be and still be a
heading on its own, whether the heading may instead be the first sentence of a
longer line (run-in: ``（二）坚持创新驱动，加快产业升级。全面实施……``), and
whether a short line after it continues its title (a heading split over two
lines). Ranks order the levels: a heading closes every open heading of equal
or lower rank, so the tree needs no per-document knowledge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NUM = "一二三四五六七八九十百零〇两"
SENTENCE_END = "。！？；!?;"
SENTENCE_END_RE = re.compile(f"[{SENTENCE_END}]")
# The longest first sentence that still reads as a run-in heading.
RUN_IN_MAX = 50


@dataclass(frozen=True)
class HeadingRule:
    level: str
    label: str
    rank: int
    marker: re.Pattern[str]
    max_chars: int = 60
    run_in: bool = False
    joins_next: bool = False
    own_line_period: bool = False
    # A labelled division (前言, 附件, 第…部分/篇/章/节): recognised before boxes and tables,
    # and it ends any open box.
    structural: bool = False


def _m(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# Outermost first; the first rule whose marker matches a line decides its level.
HEADING_RULES: tuple[HeadingRule, ...] = (
    HeadingRule("preface", "前言", 2, _m(r"^前\s*言$"), structural=True),
    HeadingRule("appendix", "附件", 1,
                _m(rf"^(?:附\s*件\s*[\d{NUM}]*|附\s*录\s*[\d{NUM}]*|附\s*表\s*\d*|名\s*词\s*解\s*释|注\s*释)[：:]?$"),
                joins_next=True, structural=True),
    HeadingRule("bufen", "第一部分", 1, _m(rf"^第\s*[{NUM}\d]+\s*部分"), run_in=True, joins_next=True, structural=True),
    HeadingRule("pian", "篇", 1, _m(rf"^第\s*[{NUM}\d]+\s*篇(?!章)"), run_in=True, joins_next=True, structural=True),
    HeadingRule("zhang", "章", 2, _m(rf"^第\s*[{NUM}\d]+\s*章"), run_in=True, joins_next=True, structural=True),
    HeadingRule("jie", "节", 3, _m(rf"^第\s*[{NUM}\d]+\s*节"), run_in=True, structural=True),
    # 一、 but not 一、二、三产业…
    HeadingRule("cn_item", "一、", 4, _m(rf"^[{NUM}]+\s*、(?=\S)(?![{NUM}]+、)"), max_chars=40,
                run_in=True, own_line_period=True),
    HeadingRule("paren_item", "（一）", 5, _m(rf"^[（(]\s*[{NUM}]+\s*[）)](?=\S)"),
                run_in=True, own_line_period=True),
    HeadingRule("ordinal", "一是", 6, _m(rf"^[{NUM}]{{1,3}}是(?=\S)"), run_in=True, own_line_period=True),
    HeadingRule("num_item", "1.", 7, _m(r"^(\d{1,2})[.．、]\s*(?=[^\d\s])"), run_in=True),
)
# Levels the parser makes without a marker: the title block, unnumbered parts
# (a short standalone line in a report that numbers nothing above （一）),
# lead sentences (``推动投资回稳向好。稳定基础设施……``), boxes and the contents.
EXTRA_LEVELS = {"title": ("标题", 0), "part": ("部分", 4), "lead": ("段首句", 8),
                "box": ("专栏", 9), "toc": ("目录", 1)}

RULES_BY_LEVEL = {r.level: r for r in HEADING_RULES}
STRUCTURAL_LEVELS = tuple(r.level for r in HEADING_RULES if r.structural)
RANKS = {**{r.level: r.rank for r in HEADING_RULES}, **{k: v[1] for k, v in EXTRA_LEVELS.items()}}
LEVEL_NAMES = {**{r.level: r.label for r in HEADING_RULES}, **{k: v[0] for k, v in EXTRA_LEVELS.items()}}


def match_heading(clean: str) -> tuple[HeadingRule, int] | None:
    """The rule whose marker starts ``clean``, and where the marker ends."""
    for rule in HEADING_RULES:
        m = rule.marker.match(clean)
        if m:
            return rule, m.end()
    return None


def stands_alone(rule: HeadingRule, clean: str) -> bool:
    """A whole line that is a heading: short, and no sentence ends inside it."""
    if len(clean) > rule.max_chars:
        return False
    inner = clean[:-1] if (rule.own_line_period or rule.structural) else clean
    return not SENTENCE_END_RE.search(inner or "x")


def run_in_title_end(clean: str, marker_end: int) -> int | None:
    """End of the heading when it is the first sentence of a longer line, or None."""
    m = SENTENCE_END_RE.search(clean, marker_end)
    if m is None or m.start() - marker_end > RUN_IN_MAX or m.start() <= marker_end:
        return None
    if not clean[m.end():].strip():
        return None
    return m.start()


def structural_title_end(clean: str, marker_end: int) -> int | None:
    """A 篇/章/节 heading run into its body with a space: ``第一章 发展环境 当前……。``."""
    rest = clean[marker_end:]
    words = re.match(r"\s*(\S+)(\s+)(?=\S)", rest)
    if words and len(words.group(1)) <= RUN_IN_MAX and SENTENCE_END_RE.search(rest[words.end():]):
        return marker_end + len(words.group(0).rstrip())
    return run_in_title_end(clean, marker_end)
