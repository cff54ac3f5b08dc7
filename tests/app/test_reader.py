"""The reader over a paged source and the original-file download, on a small index of the work
report (text), the changde excerpt as exported to PDF, the hebei excerpt as .docx and as a saved
web page, and a hostile web page: page marks, ?page=N, the download's headers and bytes, and
markup that never reaches the page."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml

from indexer.build.pipeline import build_index
from indexer.embed.embedders import FakeEmbedder
from indexer.search.searcher import Searcher
from search_app.reader import page_anchor, page_count, page_marks
from tests.conftest import CORPUS, REPORT, make_config, quiet

FORMATS = Path(__file__).resolve().parents[1] / "data" / "formats"
PDF, DOCX, WEB, HOSTILE = "changde-plan-bold", "hebei-report-styled", "hebei-report", "hostile-page"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# What a hostile page carries: none of it may reach the reader as markup.
SCRIPT = "<script>alert('x')</script>"
HANDLER = '<img src="x" onerror="alert(1)">'
JS_LINK = '<a href="javascript:alert(2)">点此查看</a>'
# Text that reads as markup once extracted (the page escaped it): shown as text, never as a tag.
ESCAPED = "&lt;b onmouseover=&quot;alert(3)&quot;&gt;示范&lt;/b&gt;"


def hostile_page() -> bytes:
    html = (FORMATS / f"{WEB}.html").read_text(encoding="utf-8")
    html = html.replace("<head>", f"<head>{SCRIPT}", 1)
    html = html.replace('<div class="content" id="zoom">',
                        f'<div class="content" id="zoom" onclick="alert(0)">{HANDLER}{JS_LINK}', 1)
    return html.replace("各位代表：", f"各位代表：{ESCAPED}{SCRIPT}", 1).encode("utf-8")


def entry(doc_id: str, file: str, title: str, city: str, kind: str = "政府工作报告") -> dict:
    return {"id": doc_id, "file": file, "title": title, "short_title": title[:8], "city": city, "kind": kind,
            "period": "十四五", "year": 2021}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("paged") / "corpus"
    folder.mkdir()
    shutil.copy(CORPUS / f"{REPORT}.txt", folder)
    shutil.copy(FORMATS / f"{PDF}.pdf", folder)
    shutil.copy(FORMATS / f"{DOCX}.docx", folder)
    shutil.copy(FORMATS / f"{WEB}.html", folder)
    (folder / f"{HOSTILE}.html").write_bytes(hostile_page())
    report = next(d for d in yaml.safe_load((CORPUS / "catalog.yaml").read_text(encoding="utf-8"))["documents"]
                  if d["id"] == REPORT)
    docs = [report,
            entry(PDF, f"{PDF}.pdf", "常德市国民经济和社会发展第十四个五年规划纲要", "常德市", "规划纲要"),
            entry(DOCX, f"{DOCX}.docx", "2026年河北省政府工作报告", "河北省"),
            entry(WEB, f"{WEB}.html", "2026年河北省政府工作报告（网页）", "河北省"),
            entry(HOSTILE, f"{HOSTILE}.html", "2026年河北省政府工作报告（另一网页）", "河北省")]
    (folder / "catalog.yaml").write_text(yaml.safe_dump({"documents": docs}, allow_unicode=True), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def paged(corpus, tmp_path_factory):
    from search_app import create_app

    cfg = make_config(tmp_path_factory.mktemp("paged-index"), corpus)
    build_index(cfg, embedder=FakeEmbedder(cfg.embedding), progress=False, log=quiet)
    s = Searcher(cfg, embedder=FakeEmbedder(cfg.embedding))
    app = create_app(cfg, searcher=s)
    app.config["TESTING"] = True
    yield s, app.test_client()
    s.close()


def fetch(client, url: str, **kw):
    """A response read whole and closed (a file's response holds the file open until then)."""
    with client.get(url, **kw) as r:
        r.get_data()
        return r


def reader(client, doc_id: str, **args) -> str:
    r = client.get(f"/doc/{doc_id}", query_string=args)
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return r.get_data(as_text=True)


def test_the_pdf_has_pages_and_each_page_is_marked_before_its_first_passage(paged):
    s, client = paged
    passages = s.doc_passages(PDF)
    assert page_count(passages) >= 3 and all(p.pages for p in passages)
    html = reader(client, PDF)
    marks = page_marks(passages)
    assert sorted(marks.values()) == list(marks.values()) and 1 in marks.values()
    for pid, page in marks.items():
        m = re.search(rf'<(?:p|tr) class="page-mark" id="page-{page}">(.*?)</(?:p|tr)>\s*<[^>]+id="{pid}"', html, re.S)
        assert m, (page, pid)
        assert f"第 {page} 页" in m.group(1) and f'href="/doc/{PDF}/original#page={page}"' in m.group(1)
    first = next(p for p in passages if p.pages[0] == 2)
    assert marks[first.passage_id] == 2
    assert html.count('class="page-mark"') == len(marks)


def test_a_pdf_passage_links_to_its_page_of_the_original(paged):
    s, client = paged
    html = reader(client, PDF)
    p = next(p for p in s.doc_passages(PDF) if p.pages[0] > 1)
    assert re.search(rf'id="{p.passage_id}"[^>]*data-original="/doc/{PDF}/original#page={p.pages[0]}"', html)
    assert f'<a class="original" href="/doc/{PDF}/original">打开原文（PDF）</a>' in html


def test_page_n_redirects_to_its_mark_keeping_the_other_parameters(paged):
    s, client = paged
    r = client.get(f"/doc/{PDF}?page=2")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/doc/{PDF}#page-2")
    html = reader(client, PDF)
    for page in range(1, page_count(s.doc_passages(PDF)) + 1):
        anchor = client.get(f"/doc/{PDF}?page={page}").headers["Location"].split("#")[1]
        assert f'id="{anchor}"' in html, page
    r = client.get(f"/doc/{PDF}", query_string={"page": "1", "q": "城陵矶"})
    assert r.status_code == 302
    assert unquote(r.headers["Location"]).endswith(f"/doc/{PDF}?q=城陵矶#page-1")


def test_a_page_no_passage_starts_on_lands_on_the_passage_that_runs_over_it():
    from indexer.parse.model import Passage

    def p(i: int, pages: tuple[int, int]) -> Passage:
        return Passage(passage_id=f"d-{i}", doc_id="d", seq=i, ordinal=i, kind="paragraph", section_ids=(),
                       section_path=(), start=i, end=i + 1, text="段", search_text="段", pages=pages)

    passages = [p(0, (1, 1)), p(1, (1, 3)), p(2, (3, 3)), p(3, (5, 5))]
    assert page_marks(passages) == {"d-0": 1, "d-2": 3, "d-3": 5}
    assert [page_anchor(passages, n) for n in (1, 2, 3, 4, 5)] == ["page-1", "d-1", "page-3", "page-5", "page-5"]


@pytest.mark.parametrize(("doc", "page", "status", "line"), [
    (PDF, "999", 404, "没有这一页：第999页（本文件共 "),
    (PDF, "0", 400, "页码应为正整数（最多 6 位）：0"),
    (PDF, "-1", 400, "页码应为正整数（最多 6 位）：-1"),
    (PDF, "二", 400, "页码应为正整数（最多 6 位）：二"),
    (PDF, "٣", 400, "页码应为正整数"),
    (PDF, "", 400, "页码应为正整数"),
    (PDF, "9" * 5000, 400, "页码应为正整数（最多 6 位）：99999"),
    (PDF, "1000000", 400, "页码应为正整数"),
    (PDF, "999999", 404, "没有这一页：第999999页（本文件共 10 页）"),
    (REPORT, "1", 404, "没有这一页：第1页（这份文件没有页码）"),
])
def test_a_bad_or_missing_page_is_a_clear_4xx(paged, doc, page, status, line):
    _, client = paged
    r = client.get(f"/doc/{doc}", query_string={"page": page})
    assert r.status_code == status and line in r.get_data(as_text=True)


def test_a_plain_text_has_no_page_marks_and_its_original_is_text_in_its_charset(paged, corpus):
    _, client = paged
    html = reader(client, REPORT)
    assert "page-mark" not in html and "data-original" not in html
    assert f'<a class="original" href="/doc/{REPORT}/original">打开原文（文本）</a>' in html
    r = fetch(client, f"/doc/{REPORT}/original")
    assert r.status_code == 200 and r.data == (corpus / f"{REPORT}.txt").read_bytes()
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert r.headers["Content-Disposition"].startswith("inline; ")


def test_the_pdf_original_is_its_stored_bytes_inline_with_nosniff(paged, corpus):
    _, client = paged
    r = fetch(client, f"/doc/{PDF}/original")
    assert r.status_code == 200 and r.data == (corpus / f"{PDF}.pdf").read_bytes()
    assert r.headers["Content-Type"] == "application/pdf"
    assert r.headers["Content-Disposition"] == (f'inline; filename="{PDF}.pdf"; '
                                                f"filename*=UTF-8''{PDF}.pdf")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    partial = fetch(client, f"/doc/{PDF}/original", headers={"Range": "bytes=0-7"})
    assert partial.status_code == 206 and partial.data == (corpus / f"{PDF}.pdf").read_bytes()[:8]


@pytest.mark.parametrize(("doc", "suffix", "media_type"), [
    (DOCX, ".docx", DOCX_TYPE),
    (WEB, ".html", "text/html"),
    (HOSTILE, ".html", "text/html"),
])
def test_word_and_web_originals_are_attachments_never_rendered(paged, corpus, doc, suffix, media_type):
    _, client = paged
    r = fetch(client, f"/doc/{doc}/original")
    assert r.status_code == 200 and r.data == (corpus / f"{doc}{suffix}").read_bytes()
    assert r.headers["Content-Type"] == media_type
    assert r.headers["Content-Disposition"] == f"attachment; filename=\"{doc}{suffix}\"; filename*=UTF-8''{doc}{suffix}"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in r.headers["Content-Security-Policy"]
    assert f'href="/doc/{doc}/original" download>下载原文' in reader(client, doc)


def test_the_reader_shows_a_hostile_pages_text_never_its_markup(paged):
    s, client = paged
    html = reader(client, HOSTILE)
    assert any("各位代表" in p.text for p in s.doc_passages(HOSTILE))
    body = html.split('<article class="doc">', 1)[1]
    assert "<script" not in body and "<img" not in body and "<b " not in body
    assert not re.search(r"<[^>]*\son\w+=", body) and "javascript:" not in body
    assert "&lt;b onmouseover=" in body  # the page's escaped text stays text


@pytest.mark.parametrize(("url", "line"), [
    ("/doc/nope/original", "没有这份文件：nope"),
    ("/doc/catalog/original", "没有这份文件：catalog"),
    ("/doc/..%2Fconfig.yaml/original", ""),
    ("/doc/%2e%2e%2fcorpus%2fcatalog.yaml/original", ""),
    ("/doc/../catalog.yaml/original", ""),
    (f"/doc/{REPORT}/original/..%2F..%2Fcatalog.yaml", ""),
])
def test_an_unknown_id_is_the_apps_one_404_and_no_path_is_served(paged, url, line):
    _, client = paged
    r = fetch(client, url)
    text = r.get_data(as_text=True)
    assert r.status_code == 404 and line in text and 'class="empty"' in text
    assert "corpus_dir" not in text and "documents:" not in text


def test_an_original_gone_from_the_corpus_is_a_404_and_the_reader_still_reads(paged, corpus):
    _, client = paged
    moved = corpus.parent / "aside.html"
    (corpus / f"{WEB}.html").rename(moved)
    try:
        r = fetch(client, f"/doc/{WEB}/original")
        assert r.status_code == 404 and f"没有这份文件的原文：{WEB}" in r.get_data(as_text=True)
        html = reader(client, WEB)
        assert 'class="original"' not in html
    finally:
        moved.rename(corpus / f"{WEB}.html")


def test_an_original_that_is_a_link_out_of_the_corpus_is_not_served(paged, corpus, tmp_path):
    _, client = paged
    secret = tmp_path / "secret.txt"
    secret.write_text("机密", encoding="utf-8")
    path = corpus / f"{WEB}.html"
    kept = corpus.parent / "kept.html"
    path.rename(kept)
    path.symlink_to(secret)
    try:
        r = fetch(client, f"/doc/{WEB}/original")
        assert r.status_code == 404 and "机密" not in r.get_data(as_text=True)
    finally:
        path.unlink()
        kept.rename(path)


def test_a_page_that_starts_inside_a_table_is_marked_by_a_row_of_its_own(paged):
    """No fixture PDF has a ruled table, so the reader's template gets one by hand."""
    from flask import render_template

    from indexer.parse.model import Passage
    from search_app.reader import Block, cells

    s, client = paged

    def row(i: int, kind: str, page: int) -> Passage:
        return Passage(passage_id=f"{PDF}-t{i}", doc_id=PDF, seq=i, ordinal=i, kind=kind, section_ids=("box",),
                       section_path=("专栏1",), start=i, end=i + 1, text="指标\t2025年", search_text="指标",
                       cells=("指标", "2025年"), pages=(page, page))

    rows = [row(0, "table_header", 1), row(1, "table_row", 1), row(2, "table_row", 2)]
    with client.application.test_request_context(f"/doc/{PDF}"):
        html = render_template("doc.html", info=s.catalog.info(PDF), outline=[],
                               blocks=[Block("table", rows, title="box")], cells=cells, citation=lambda p: "",
                               back=None, query="", marks=page_marks(rows),
                               download="/o", src=None, at_page=lambda n: f"/o#page={n}", format_label="PDF")
    table = html.split('<table class="box">', 1)[1].split("</table>", 1)[0]
    assert re.search(r'<tr class="page-mark" id="page-1"><td colspan="2"><a href="/o#page=1">第 1 页</a></td></tr>\s*'
                     rf'<tr id="{PDF}-t0"', table)
    assert re.search(rf'<tr class="page-mark" id="page-2"><td colspan="2">.*?</td></tr>\s*<tr id="{PDF}-t2"', table)
    assert table.count("page-mark") == 2
