"""Page furniture: the lines of a scraped plan text that are the website's, not the document's.

Government sites and newspapers wrap a report in tool bars (下载/打印/全屏/收藏,
【字号：加大 还原 减小】), breadcrumbs (首页 > 政府信息公开 > …), source and date
labels, photo credits, share prompts and a tail of related links. Such lines
are kept out of passages and out of the title; the text itself is untouched.
"""

from __future__ import annotations

import re

from indexer.parse.heading_rules import SENTENCE_END_RE, match_heading

_TOOLBAR = r"下载|打印|全屏|收藏|分享[:：]?|首页|[>＞»]|加大|还原|减小|[大中小]|】|【?字[号体][:：]?.*"
_LABELS = r"(?:来源|稿源|时间|发布时间|发布日期|日期|作者|浏览次数|阅读次数|点击数)[:：].*"
_DATES = r"\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?|\d{4}年\d{1,2}月\d{1,2}日\s*\d{1,2}[时:]\d{2}分?"
_NEWSPAPER = r".{0,12}(?:日报|晚报|时报)\s*\d{4}年\d{1,2}月\d{1,2}日.{0,10}第\s*\d+\s*版.*|.*第\s*\d+\s*版\s*[:：].*"
HEAD_RE = re.compile(rf"^(?:{_TOOLBAR}|{_LABELS}|{_DATES}|{_NEWSPAPER}|[【\[]?(?:打印本页|关闭窗口|返回顶部)[】\]]?)$")
LABEL_ONLY_RE = re.compile(r"^(?:来源|稿源|时间|发布时间|日期|作者|责任编辑|编辑)[:：]$")
PHOTO_RE = re.compile(r"(?:记者|通讯员).{0,12}摄$|^.{2,24}作政府工作报告。?$|摄影[:：]")
TAIL_RE = re.compile(
    r"^(?:相关(?:报道|新闻|阅读|附件|链接|文章)\s*[:：>]*|(?:责任)?编辑[:：].*|扫一扫在手机打开当前页"
    r"|[【\[]?(?:打印本页|关闭窗口)[】\]]?)$"
)
BODY_START_RE = re.compile(r"^(?:各位代表|同志们)")
HEAD_SCAN = 60
TAIL_SHARE = 0.3
SHORT = 40


def furniture(lines: list[str]) -> set[int]:
    """Indexes of the furniture lines among ``lines`` (each a line's text without its line break)."""
    stripped = [ln.strip() for ln in lines]
    found = _head(stripped) | _tail(stripped)
    for i, s in enumerate(stripped):
        if s and len(s) <= SHORT and PHOTO_RE.search(s):
            found.add(i)
    return found


def _body_start(lines: list[str]) -> int:
    """Where the document proper begins (the salutation, a heading, a first long sentence);
    a text with none of these near its top is all head."""
    for i, s in enumerate(lines[:HEAD_SCAN]):
        if BODY_START_RE.match(s) or match_heading(s) or (len(s) > 60 and SENTENCE_END_RE.search(s)):
            return i
    return min(len(lines), HEAD_SCAN)


def _head(lines: list[str]) -> set[int]:
    end = _body_start(lines)
    found: set[int] = set()
    seen: set[str] = set()
    for i in range(end):
        s = lines[i]
        if not s:
            continue
        crumb = any(0 <= j < end and lines[j] in (">", "＞", "»") for j in (i - 1, i + 1))
        labelled = i - 1 in found and LABEL_ONLY_RE.match(lines[i - 1])
        if HEAD_RE.match(s) or TAIL_RE.match(s) or crumb or s in seen or labelled:
            found.add(i)
        seen.add(s)
    return found


def _tail(lines: list[str]) -> set[int]:
    first = int(len(lines) * (1 - TAIL_SHARE))
    for i in range(max(first, _body_start(lines) + 1), len(lines)):
        s = lines[i]
        if s and len(s) <= SHORT and TAIL_RE.match(s):
            return set(range(i, len(lines)))
    return set()
