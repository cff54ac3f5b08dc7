"""A person's path through the web app in a real browser (Debian's Chromium,
driven by Playwright): search, see highlights, copy a citation, follow the
permalink, land on the highlighted passage. Screenshots go to artifacts/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def base_url(live_url):
    return live_url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium (make test does)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def test_search_cite_and_follow_a_permalink(browser, base_url):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(base_url + "/")
    page.fill("input[name=q]", "城陵矶新港区")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("article.hit")
    hits = page.locator("article.hit")
    assert hits.count() == 10
    assert page.locator("article.hit mark").first.inner_text() == "城陵矶新港区"
    page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=False)

    first = hits.first
    expected = first.locator("button.cite").get_attribute("data-citation")
    first.locator("button.cite").click()
    expect(first.locator("button.cite")).to_have_text("已复制")
    assert page.evaluate("navigator.clipboard.readText()") == expected
    assert expected.startswith("《")

    href = first.locator("a.open").get_attribute("href")
    passage_id = href.split("#", 1)[1]
    first.locator("a.open").click()
    page.wait_for_selector(".passage.target")
    target = page.locator(".passage.target")
    assert target.get_attribute("id") == passage_id
    assert "城陵矶新港区" in target.inner_text().replace("\n", "").replace("\t", "")
    box = target.bounding_box()
    assert box is not None and 0 <= box["y"] < 900
    assert page.locator(".target-tools button.cite").count() == 1
    page.screenshot(path=str(ARTIFACTS / "document.png"), full_page=False)
    assert not errors, errors
    context.close()


def test_phone_layout_and_grouped_comparison(browser, base_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, locale="zh-CN")
    page = context.new_page()
    page.goto(base_url + "/?q=夜间经济&group=doc")
    page.wait_for_selector("section.group")
    assert page.locator("section.group").count() >= 3
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.screenshot(path=str(ARTIFACTS / "phone-grouped.png"), full_page=False)
    context.close()
