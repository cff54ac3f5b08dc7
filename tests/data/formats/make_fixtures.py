"""Make the format fixtures from excerpts of the real texts, the way governments publish them.

Each excerpt is written as a text version (``NAME.txt``), then as Word files (headings as bold
paragraphs with typed numbers; heading styles with Word's automatic numbering), each with a
running header holding the title and a page number in the footer, then as the PDF that
LibreOffice exports from each, plus a saved government web page and the bad files.
Needs python-docx, LibreOffice (``soffice``), qpdf and fonts-noto-cjk; CI uses the committed
output.  Run: ``.venv/bin/python tests/data/formats/make_fixtures.py``.
"""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

import docx  # noqa: E402
from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: E402
from docx.oxml import parse_xml  # noqa: E402
from docx.oxml.ns import nsdecls, qn  # noqa: E402
from docx.shared import Pt  # noqa: E402

from indexer.documents.corpus import Document, DocumentInfo  # noqa: E402
from indexer.parse.boilerplate import furniture  # noqa: E402
from indexer.parse.parser import parse  # noqa: E402

HERE = Path(__file__).resolve().parent
FONT = HEITI = "Noto Sans CJK SC"  # one font: each one embedded adds ~100 kB to every PDF

# name, source, title, first line, characters, footer ("— {} —", "第{}页", "- {} -")
SOURCES = [
    ("changde-plan", ROOT / "corpus/changde-14th-five-year-plan.txt",
     "常德市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要", 0, 7000, "— {} —"),
    ("hebei-report", ROOT / "collections/provinces/hebei-2026-government-work-report.txt",
     "2026年河北省政府工作报告", 0, 8000, "第{}页"),
    ("jinshi-plan", ROOT / "corpus/jinshi-13th-five-year-plan.txt",
     "津市市国民经济和社会发展第十三个五年规划纲要", 0, 7000, "- {} -"),
]

# PDFs embed a subset of the CJK font (~300 kB each): only these, to keep the fixtures small.
PDF_OF = ("changde-plan", "hebei-report")
CN = "〇一二三四五六七八九"
NUMBERED = [  # typed number → (Word level text, numbering level)
    (re.compile(r"^第([一二三四五六七八九十百]+)篇\s*"), "第%1篇", 0),
    (re.compile(r"^第([一二三四五六七八九十百]+)章\s*"), "第%2章", 1),
    (re.compile(r"^第([一二三四五六七八九十百]+)节\s*"), "第%3节", 2),
    (re.compile(r"^([一二三四五六七八九十]+)、\s*"), "%4、", 3),
    (re.compile(r"^（([一二三四五六七八九十]+)）\s*"), "（%5）", 4),
]


def chinese(n: int) -> str:
    if n < 10:
        return CN[n]
    tens, units = divmod(n, 10)
    return ("" if tens == 1 else CN[tens]) + "十" + (CN[units] if units else "")


def excerpt(path: Path, chars: int) -> str:
    lines = path.read_text(encoding="utf-8").split("\n")
    skip = furniture(lines)
    out: list[str] = []
    total = 0
    for i, line in enumerate(lines):
        if i in skip:
            continue
        out.append(line)
        total += len(line)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if total >= chars and not line.startswith("\t") and not nxt.startswith("\t") and line.strip():
            break
    return "\n".join(out).strip("\n") + "\n"


def blocks(name: str, text: str) -> list[tuple]:
    """The excerpt as headings (with depth), box titles, paragraphs and tables."""
    info = DocumentInfo(id=name, file=f"{name}.txt", title=name, short_title=name, city="", kind="",
                        period="", year=0)
    parsed = parse(Document(info, text))
    depth: dict[int, tuple[int, bool]] = {}

    def visit(sections, d):
        for s in sections:
            if s.level != "lead":
                depth[s.start] = (d, text[s.end:s.end + 1] in ("\n", ""))
            visit(s.children, d + 1)
    visit(parsed.sections, 0)
    out: list[tuple] = []
    pos = 0
    rows: list[list[str]] = []
    row: list[str] = []
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        if line.startswith("\t") or ((rows or row) and line == ""):
            if line.startswith("\t"):
                row.append(line[1:].strip())
                continue
            if row:
                rows.append(row)
                row = []
            continue
        if row:
            rows.append(row)
            row = []
        if rows:
            out.append(("table", rows))
            rows = []
        s = line.strip()
        if not s:
            continue
        lead = start + len(line) - len(line.lstrip())
        if lead in depth and depth[lead][1]:
            out.append(("heading", depth[lead][0], s))
        else:
            out.append(("para", s))
    if row:
        rows.append(row)
    if rows:
        out.append(("table", rows))
    return _split_box_titles(out)


def _split_box_titles(out: list[tuple]) -> list[tuple]:
    fixed: list[tuple] = []
    for b in out:
        if b[0] == "table" and len(b[1][0]) == 1:
            fixed += [("box", b[1][0][0]), ("table", b[1][1:])] if len(b[1]) > 1 else [("para", b[1][0][0])]
        else:
            fixed.append(b)
    return fixed


def _fonts(run, bold: bool = False, size: float | None = None, font: str = FONT) -> None:
    run.bold = bold or None
    if size:
        run.font.size = Pt(size)
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = parse_xml(f"<w:rFonts {nsdecls('w')}/>")
        rpr.insert(0, fonts)
    for key in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(key), font)


def _page_field(paragraph, pattern: str) -> None:
    before, after = pattern.split("{}")
    _fonts(paragraph.add_run(before), size=10.5)
    run = paragraph.add_run()
    _fonts(run, size=10.5)
    for xml in (f'<w:fldChar {nsdecls("w")} w:fldCharType="begin"/>',
                f'<w:instrText {nsdecls("w")} xml:space="preserve"> PAGE </w:instrText>',
                f'<w:fldChar {nsdecls("w")} w:fldCharType="end"/>'):
        run._element.append(parse_xml(xml))
    _fonts(paragraph.add_run(after), size=10.5)


NUMBERING_XML = ("""<w:abstractNum {ns} w:abstractNumId="90"><w:multiLevelType w:val="multilevel"/>"""
                 """{levels}</w:abstractNum>""")
LEVEL_XML = """<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>{restart}
<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/><w:suff w:val="{suff}"/></w:lvl>"""


def _add_numbering(document) -> int:
    numbering = document.part.numbering_part.element
    # 章 are numbered straight through the 篇 (lvlRestart 0); the rest restart under their parent.
    # After 、 and ） the punctuation separates: no space (suff nothing), as in the typed texts.
    levels = "".join(LEVEL_XML.format(i=i, text=t, restart='<w:lvlRestart w:val="0"/>' if i == 1 else "",
                                      suff="nothing" if t[-1] in "、）" else "space")
                     for i, t in enumerate(["第%1篇", "第%2章", "第%3节", "%4、", "（%5）"]))
    numbering.insert(0, parse_xml(NUMBERING_XML.format(ns=nsdecls("w"), levels=levels)))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    # LibreOffice ignores lvlRestart 0 when it exports: chapters get a list of their own.
    chapters = LEVEL_XML.format(i=0, text="第%1章", restart="", suff="space")
    numbering.insert(1, parse_xml(NUMBERING_XML.format(ns=nsdecls("w"), levels=chapters).replace('"90"', '"91"')))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="91"><w:abstractNumId w:val="91"/></w:num>'))
    return 90


def _numbered(text: str, counters: list[int]) -> tuple[str, int] | None:
    """The heading's text without its typed number and its list level, when Word's counter
    would print the same number."""
    for pattern, _, level in NUMBERED:
        m = pattern.match(text)
        if m:
            n = counters[level] + 1
            if chinese(n) != m.group(1) or not text[m.end():]:
                return None
            counters[level] = n
            # Chapters are a list of their own: they restart nothing, and nothing restarts them.
            for deeper in range(level + 1, len(counters)):
                if deeper != 1 and level != 1:
                    counters[deeper] = 0
            return text[m.end():], level
    return None


def write_docx(path: Path, title: str, footer: str, content: list[tuple], styled: bool) -> None:
    d = docx.Document()
    normal = d.styles["Normal"]
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    section = d.sections[0]
    head = section.header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(head.add_run(title), size=9)
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(foot, footer)
    num_id = _add_numbering(d) if styled else 0
    counters = [0] * 5
    for block in content:
        kind = block[0]
        if kind == "heading":
            _, depth, text = block
            numbered = _numbered(text, counters) if styled else None
            if styled:
                p = d.add_paragraph(style=f"Heading {min(depth + 1, 3)}")
                if numbered:
                    text, level = numbered
                    ppr = p._element.get_or_add_pPr()
                    ilvl, num = (0, 91) if level == 1 else (level, num_id)
                    ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/>'
                                         f'<w:numId w:val="{num}"/></w:numPr>'))
                _fonts(p.add_run(text), bold=True, size=16 - 2 * min(depth, 2), font=HEITI)
            else:
                p = d.add_paragraph()
                _fonts(p.add_run(text), bold=True, size=14 if depth < 2 else 12, font=HEITI)
            if depth == 0:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif kind == "box":
            p = d.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _fonts(p.add_run(block[1]), bold=True, size=12, font=HEITI)
        elif kind == "para":
            p = d.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(24)
            _fonts(p.add_run(block[1]))
        else:
            rows = block[1]
            width = max(len(r) for r in rows)
            table = d.add_table(rows=len(rows), cols=width)
            table.style = "Table Grid"
            for r, cells in enumerate(rows):
                for c in range(width):
                    cell = table.cell(r, c)
                    cell.paragraphs[0].text = ""
                    _fonts(cell.paragraphs[0].add_run(cells[c] if c < len(cells) else ""), size=9)
            d.add_paragraph()
    d.core_properties.title = title
    d.save(path)


def to_pdf(docx_path: Path, out_dir: Path, fmt: str = "pdf") -> Path:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", fmt, "--outdir", str(out_dir), str(docx_path)],
                       check=True, capture_output=True, timeout=300)
    return out_dir / f"{docx_path.stem}.{fmt}"


GOV_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}_政府工作报告_河北省人民政府网</title>
<script>var _hmt = [];</script><style>.nav {{ color: red }}</style></head>
<body>
<div class="header"><a href="/">首页</a> <a href="/zwgk">政务公开</a> <a href="/bs">办事服务</a>
<a href="/hd">互动交流</a> <a href="/sq">走进河北</a><form><input name="q"> 搜索</form></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; 政府工作报告</div>
<div class="main">
<div class="article">
<h1>{title}</h1>
<div class="info">来源：河北日报 时间：2026-02-02 【字号：<a>大</a> <a>中</a> <a>小</a>】 <a>打印</a></div>
<div class="content" id="zoom">
{body}
</div>
<div class="share">分享到：<a>微信</a> <a>微博</a></div>
</div>
<div class="side"><h3>相关链接</h3><ul><li><a href="/a">2025年河北省政府工作报告</a></li>
<li><a href="/b">2024年河北省政府工作报告</a></li><li><a href="/c">政府信息公开年报</a></li></ul></div>
</div>
<div class="footer"><p>主办：河北省人民政府办公厅 承办：河北省人民政府办公厅信息中心</p>
<p>网站标识码：1300000049 冀ICP备05001234号 冀公网安备13010002000001号</p>
<p><a href="/map">网站地图</a> | <a href="/contact">联系我们</a></p></div>
</body></html>
"""

NO_MAIN = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>河北省人民政府网</title></head>
<body><div class="nav"><a href="/">首页</a> <a href="/zwgk">政务公开</a> <a href="/bs">办事服务</a></div>
<div class="footer">主办：河北省人民政府办公厅 网站地图 联系我们</div></body></html>
"""


def write_html(path: Path, title: str, content: list[tuple]) -> None:
    parts = []
    for block in content:
        if block[0] == "heading":
            parts.append(f"<p style=\"text-indent:2em\"><strong>{html.escape(block[2])}</strong></p>")
        elif block[0] in ("para", "box"):
            parts.append(f"<p style=\"text-indent:2em\">{html.escape(block[1])}</p>")
        else:
            rows = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in block[1])
            parts.append(f"<table border=\"1\">{rows}</table>")
    path.write_text(GOV_PAGE.format(title=html.escape(title), body="\n".join(parts)), encoding="utf-8")


def bad_files(work: Path) -> None:
    bad = HERE / "bad"
    bad.mkdir(exist_ok=True)
    short = work / "short.docx"
    write_docx(short, "加密的文件", "— {} —", [("para", "这份文件打开需要密码。")], styled=False)
    subprocess.run(["qpdf", "--encrypt", "secret", "owner", "256", "--", str(to_pdf(short, work)),
                    str(bad / "encrypted.pdf")], check=True)
    data = (HERE / "hebei-report-bold.pdf").read_bytes()
    (bad / "damaged.pdf").write_bytes(data[:2000] + b"\0" * 500)
    from PIL import Image, ImageDraw

    img = Image.new("L", (1240, 1754), 255)
    ImageDraw.Draw(img).rectangle((200, 200, 1040, 260), fill=0)
    img.save(bad / "scanned.pdf", resolution=150)
    doc = to_pdf(HERE / "hebei-report-bold.docx", work, "doc")
    shutil.copy(doc, bad / "really-a-doc.docx")
    shutil.copy(doc, HERE / "hebei-report-bold.doc")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/epub+zip")
        z.writestr("content.txt", "这不是一个Word文件。")
    (bad / "not-word.docx").write_bytes(buf.getvalue())
    (bad / "no-main-text.html").write_text(NO_MAIN, encoding="utf-8")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, source, title, _, chars, footer in SOURCES:
            text = excerpt(source, chars)
            (HERE / f"{name}.txt").write_text(text, encoding="utf-8")
            content = blocks(name, text)
            for variant, styled in (("bold", False), ("styled", True)):
                path = HERE / f"{name}-{variant}.docx"
                write_docx(path, title, footer, content, styled)
                if name in PDF_OF:
                    shutil.copy(to_pdf(path, work), HERE / f"{name}-{variant}.pdf")
            if name == "hebei-report":
                write_html(HERE / f"{name}.html", title, content)
        bad_files(work)


if __name__ == "__main__":
    main()
