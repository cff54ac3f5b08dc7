"""A reader's paths through the web app in a real browser (Debian's Chromium, driven by
Playwright), at a desktop width and a phone width. Screenshots of each go to artifacts/."""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
import waitress
from playwright.sync_api import expect

from tests.app.test_citation import parse_bibtex, parse_ris

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP, PHONE = 1280, 390
WIDTHS = pytest.mark.parametrize("width", [DESKTOP, PHONE])


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium (make test does)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    """A page at one width that fails the test on any script error."""

    def __init__(self, browser, base_url: str, width: int) -> None:
        phone = width == PHONE
        self.context = browser.new_context(
            viewport={"width": width, "height": 844 if phone else 900}, locale="zh-CN", accept_downloads=True,
            is_mobile=phone, device_scale_factor=2 if phone else 1, has_touch=phone)
        self.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
        self.page = self.context.new_page()
        self.base_url, self.width = base_url, width
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", self._console)
        self.expect_http_errors = False

    def _console(self, message) -> None:
        if message.type == "error" and not (self.expect_http_errors and "Failed to load resource" in message.text):
            self.errors.append(message.text)

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}-{self.width}.png"), full_page=False)

    def overflow(self) -> int:
        return self.page.evaluate("document.documentElement.scrollWidth") - self.width

    def clipboard(self) -> str:
        return self.page.evaluate("navigator.clipboard.readText()")

    def close(self) -> None:
        self.context.close()
        assert not self.errors, self.errors


@pytest.fixture()
def open_page(browser, live_url):
    pages: list[Page] = []

    def make(width: int, base_url: str = live_url) -> Page:
        pages.append(Page(browser, base_url, width))
        return pages[-1]

    yield make
    for p in pages:
        p.close()


def search(page: Page, query: str, extra: str = "") -> None:
    page.goto(f"/?q={quote(query)}{extra}")
    page.page.wait_for_selector("article.hit, section.empty, p.error")


@WIDTHS
def test_numeric_hit_shows_its_row(open_page, width):
    page = open_page(width)
    search(page, "常德 地区生产总值 2025年")
    cards = page.page.locator("article.hit")
    row = cards.filter(has_text="5300")
    expect(row.first).to_be_visible()
    assert "地区生产总值" in row.first.inner_text()
    assert row.first.locator("mark", has_text="2025").count() >= 1
    page.shot("numeric")
    assert page.overflow() <= 0


@WIDTHS
def test_honest_total_and_why(open_page, width):
    page = open_page(width)
    search(page, "城陵矶新港区")
    expect(page.page.locator("p.summary")).to_contain_text("共 10 条匹配")
    assert page.page.locator("article.hit").count() == 10
    assert page.page.locator("a[rel=next]").count() == 0
    why = page.page.locator("article.hit details.why").first
    why.locator("summary").click()
    expect(why).to_contain_text("原文出现")
    expect(why).to_contain_text("关键词排名")
    page.shot("totals-why")
    search(page, "老人以后谁来照顾？")
    summary = page.page.locator("p.summary").inner_text()
    total = int(re.search(r"共 (\d+) 条匹配", summary).group(1))
    assert 10 < total < 200
    if page.page.locator("article.hit.semantic").count():
        expect(page.page.locator("article.hit.semantic .match").first).to_have_text("仅语义相近")
    page.shot("semantic")


@WIDTHS
def test_citations_copy_one_copy_several_and_download(open_page, width, tmp_path):
    page = open_page(width)
    search(page, "城陵矶新港区")
    hits = page.page.locator("article.hit")
    first = hits.first
    first.locator("details.cite-menu summary").click()
    button = first.locator("button.cite").first
    expected = button.get_attribute("data-citation")
    button.click()
    expect(button).to_have_text("已复制")
    assert page.clipboard() == expected
    assert expected.startswith("《") and f"{page.base_url}/doc/" in expected
    page.shot("cite-menu")
    for i in range(3):
        hits.nth(i).locator("input.pick").check()
    bar = page.page.locator(".selection")
    expect(bar).to_be_visible()
    expect(bar.locator(".count")).to_have_text("3")
    bar.locator(".copy-selected").click()
    expect(bar.locator(".copy-selected")).to_have_text("已复制")
    copied = page.clipboard().strip().splitlines()
    assert len(copied) == 3 and all(line.startswith("《") for line in copied)
    page.shot("cite-selected")
    ids = [hits.nth(i).get_attribute("data-passage") for i in range(3)]
    for fmt, parse in (("ris", parse_ris), ("bibtex", parse_bibtex)):
        with page.page.expect_download() as info:
            bar.locator(f"a.dl[data-format={fmt}]").click()
        path = tmp_path / info.value.suggested_filename
        info.value.save_as(path)
        records = parse(path.read_text(encoding="utf-8"))
        urls = [r.get("UR") or r.get("url") for r in records]
        assert [u.rsplit("#", 1)[1] for u in urls] == ids, fmt


@WIDTHS
def test_chinese_messages_for_bad_input(open_page, width):
    page = open_page(width)
    page.expect_http_errors = True
    for path in ("/?q=" + "长" * 501, "/?q=%E6%B8%AF&k=abc", "/?q=%E6%B8%AF&mode=fuzzy", "/?q=%E6%B8%AF&city=火星"):
        page.goto(path)
        message = page.page.locator("p.error").inner_text()
        # Parameter values may be named in brackets; the sentence itself is Chinese.
        prose = re.sub(r"（[^）]*）|“[^”]*”", "", message)
        assert re.search(r"[\u4e00-\u9fff]{4}", prose) and not re.search(r"[A-Za-z]{3,}", prose), message
    page.shot("error")
    page.goto("/?q=%EF%BC%9F%EF%BC%81")
    expect(page.page.locator("p.note")).to_contain_text("没有可检索的内容")


@WIDTHS
def test_compare_view_columns_and_more(open_page, width):
    page = open_page(width)
    search(page, "各地冷链物流建设", "&group=doc")
    groups = page.page.locator("section.group")
    assert groups.count() >= 2
    boxes = [groups.nth(i).bounding_box() for i in range(min(groups.count(), 3))]
    if width == DESKTOP:
        assert boxes[0]["y"] == boxes[1]["y"] and boxes[1]["x"] > boxes[0]["x"] + boxes[0]["width"] - 1
    else:
        assert all(b["x"] == boxes[0]["x"] for b in boxes) and boxes[1]["y"] > boxes[0]["y"]
    assert page.overflow() <= 0
    more = page.page.locator("section.group a.more").first
    expect(more).to_be_visible()
    page.shot("compare")
    more.click()
    page.page.wait_for_selector("article.hit")
    assert "doc=" in page.page.url and page.page.locator("section.group").count() == 0


@WIDTHS
def test_city_exclusion_drops_the_document(open_page, width):
    page = open_page(width)
    search(page, "冷链物流 -怀化")
    expect(page.page.locator("p.note")).to_contain_text("已排除文件：怀化")
    docs = page.page.locator("article.hit .doc").all_inner_texts()
    assert docs and not any("怀化" in d for d in docs)
    page.shot("exclusion")


@WIDTHS
def test_back_to_results_and_find_in_document(open_page, width):
    page = open_page(width)
    search(page, "城陵矶新港区")
    page.page.locator("article.hit a.open").first.click()
    page.page.wait_for_selector(".passage.target")
    find = page.page.locator("form.find input")
    find.fill("城陵矶")
    count = page.page.locator(".find-count")
    expect(count).to_have_text(re.compile(r"^1 / \d+$"))
    total = int(count.inner_text().split("/")[1])
    assert total >= 2 and page.page.locator("mark.find-hit").count() == total
    page.page.locator("button.find-next").click()
    expect(count).to_have_text(f"2 / {total}")
    expect(page.page.locator("mark.find-hit.current")).to_be_in_viewport()
    page.page.locator("button.find-prev").click()
    page.page.locator("button.find-prev").click()
    expect(count).to_have_text(f"{total} / {total}")
    if width == DESKTOP:
        expect(page.page.locator("nav.outline a.current")).to_have_count(1)
    page.shot("reader-find")
    page.page.locator("a.back").click()
    page.page.wait_for_selector("article.hit")
    assert page.page.locator("input[name=q]").input_value() == "城陵矶新港区"


def test_outline_marks_the_section_being_read(open_page, searcher):
    page = open_page(DESKTOP)
    doc = "changde-14th-five-year-plan"
    page.goto(f"/doc/{doc}")
    current = page.page.locator("nav.outline a.current")
    middle = page.page.locator(".doc .passage.heading").count() // 2
    for n in (5, 20, 40, middle):
        heading = page.page.locator(".doc .passage.heading").nth(n)
        heading.evaluate("el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 20)")
        # The section being read is the last heading above the upper third of the screen.
        expected = page.page.evaluate("""() => {
            const line = window.innerHeight / 3;
            const links = new Set([...document.querySelectorAll("nav.outline a")].map(a => a.hash.slice(1)));
            return [...document.querySelectorAll(".doc .passage.heading")]
                .filter(h => links.has(h.id) && h.getBoundingClientRect().top <= line).pop().id; }""")
        expect(current).to_have_count(1)
        expect(current).to_have_attribute("href", "#" + expected)
        # The outline stays in view beside the text, with the marked section inside its box.
        seen = page.page.evaluate("""() => {
            const nav = document.querySelector("nav.outline").getBoundingClientRect();
            const a = document.querySelector("nav.outline a.current").getBoundingClientRect();
            return {nav: [nav.top, nav.bottom], a: [a.top, a.bottom], h: window.innerHeight}; }""")
        assert 0 <= seen["nav"][0] < 50 and seen["nav"][1] <= seen["h"], (n, seen)
        assert seen["nav"][0] <= seen["a"][0] and seen["a"][1] <= seen["nav"][1], (n, seen)
    page.shot("reader-outline")


def test_no_horizontal_overflow_on_a_phone_for_any_document(open_page, searcher):
    page = open_page(PHONE)
    wide = {}
    for doc in searcher.catalog.ids:
        page.goto(f"/doc/{doc}")
        page.page.wait_for_selector("article.doc")
        if page.overflow() > 0:
            wide[doc] = page.overflow() + PHONE
        page.page.locator("details.outline-box summary").click()
        if page.overflow() > 0:
            wide[doc + " (outline open)"] = page.overflow() + PHONE
    assert not wide, wide
    page.page.locator("details.outline-box summary").click()
    table = page.page.locator(".table-wrap").first
    if table.count():
        table.scroll_into_view_if_needed()
    page.shot("reader-table")
    for path in ("/", "/help", "/?q=%E5%9F%8E%E9%99%B5%E7%9F%B6%E6%96%B0%E6%B8%AF%E5%8C%BA"):
        page.goto(path)
        assert page.overflow() <= 0, path


def test_help_page_is_linked_from_the_search_box(open_page):
    for width in (DESKTOP, PHONE):
        page = open_page(width)
        page.goto("/")
        page.page.locator("a.help-link").click()
        expect(page.page.locator("h1")).to_have_text("检索与引用说明")
        page.shot("help")


@pytest.fixture(scope="module")
def reparsed_url(reparsed):
    """The re-built index of the ``reparsed`` fixture, served."""
    from search_app import create_app

    cfg, _, new = reparsed
    server = waitress.create_server(create_app(cfg, searcher=new), host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)


@WIDTHS
def test_old_permalinks_resolve_after_a_reparse(open_page, reparsed, reparsed_url, width):
    _, old, new = reparsed
    base = reparsed_url
    old_ids = [(p.doc_id, p.passage_id, p.section_path) for p in old]
    gone = [x for x in old_ids if x[1] not in new.store.by_id]
    kept = [x for x in old_ids if x[1] in new.store.by_id]
    assert gone and kept
    page = open_page(width, base)
    doc, pid, path = kept[len(kept) // 2]
    page.goto(f"/doc/{doc}#{pid}")
    expect(page.page.locator(".passage.target")).to_have_attribute("id", pid)
    assert page.page.locator("p.notice").is_hidden()
    for doc, pid, path in gone[:: max(1, len(gone) // 5)]:
        page.goto(f"/doc/{doc}#{pid}")
        target = page.page.locator(".passage.target")
        expect(target).to_have_count(1)
        new_id = target.get_attribute("id")
        assert new_id != pid and new.passage(new_id).section_path == path
        expect(page.page.locator("p.notice")).to_contain_text("文件更新后")
        assert page.page.url.endswith("#" + new_id)
    page.shot("old-permalink")


def test_a_pasted_query_longer_than_the_box_takes_is_cut_with_a_notice(open_page):
    page = open_page(DESKTOP)
    page.goto("/")
    box = page.page.locator("form.search input[name=q]")
    limit = int(box.get_attribute("maxlength"))
    notice = page.page.locator("#q-cut")
    expect(notice).to_be_hidden()
    page.page.evaluate("t => navigator.clipboard.writeText(t)", "长" * (limit + 20))
    box.focus()
    page.page.keyboard.press("Control+V")
    expect(notice).to_be_visible()
    assert len(box.input_value()) == limit
    page.page.keyboard.press("Backspace")
    expect(notice).to_be_hidden()
