"""Indicators in a real browser at 1280 and 390 px: the /indicators sheet and chart, and a
numeric question's answer card above the passages, each figure opening the row it is printed in."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.browser import test_browser as shared
from tests.browser.test_browser import PHONE, WIDTHS, search

pytestmark = pytest.mark.slow
# The reader's browser and pages, shared with test_browser.py (one Chromium a module).
browser = shared.browser
open_page = shared.open_page


def box(locator) -> dict:
    b = locator.bounding_box()
    assert b is not None
    return b


@WIDTHS
def test_the_indicator_sheet_fits_and_each_figure_opens_its_row(open_page, width):
    page = open_page(width)
    page.goto("/indicators?q=" + quote("地区生产总值"))
    sheet = page.page.locator("table.ind").first
    expect(sheet).to_be_visible()
    wrap = page.page.locator(".ind-wrap").first
    assert box(wrap)["x"] + box(wrap)["width"] <= width + 1
    chart = page.page.locator("svg.chart").first
    expect(chart).to_be_visible()
    assert box(chart)["x"] + box(chart)["width"] <= width + 1
    assert page.overflow() <= 0
    if width == PHONE:  # the wide sheet scrolls inside its box, its first column stays
        assert wrap.evaluate("e => e.scrollWidth > e.clientWidth")
        wrap.evaluate("e => e.scrollLeft = e.scrollWidth")
        first = page.page.locator("table.ind th[scope=row]").first
        assert box(first)["x"] >= box(wrap)["x"] - 1
    page.shot("indicators")
    cell = page.page.locator("table.ind td.num a", has_text="5300").first
    cell.scroll_into_view_if_needed()
    cell.click()
    row = page.page.locator(".passage.target")
    expect(row).to_contain_text("5300")
    expect(row).to_contain_text("地区生产总值")


@WIDTHS
def test_a_numeric_question_is_answered_above_the_passages(open_page, width):
    page = open_page(width)
    search(page, "常德2025年地区生产总值目标是多少")
    card = page.page.locator("section.answer")
    expect(card).to_be_visible()
    assert box(card)["y"] < box(page.page.locator("article.hit").first)["y"]
    assert box(card)["x"] + box(card)["width"] <= width + 1 and page.overflow() <= 0
    figure = card.locator("a.fig", has_text="5300")
    expect(figure).to_be_visible()
    expect(card.locator(".answer-record").first).to_contain_text("常德 · 十四五")
    page.shot("answer-card")
    figure.click()
    row = page.page.locator(".passage.target")
    expect(row).to_contain_text("5300")
    expect(row).to_contain_text("地区生产总值")


@WIDTHS
def test_energy_question_and_a_question_without_an_indicator(open_page, width):
    page = open_page(width)
    search(page, "各地单位GDP能耗下降目标")
    records = page.page.locator("section.answer .answer-record")
    assert records.count() >= 4 and page.overflow() <= 0
    for text in records.all_inner_texts():
        assert "能耗" in text or "能源消耗" in text
    page.shot("answer-energy")
    search(page, "老人以后谁来照顾？")
    assert page.page.locator("section.answer").count() == 0
    assert page.page.locator("article.hit").count() > 0
