"""A small bar chart of an indicator's parsed figures, drawn on the server as inline SVG
(no script, no library, nothing fetched: the page's CSP allows neither)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from indexer.indicators.records import Record
from indexer.indicators.sheet import ROLE_COLUMNS

WIDTH = 640
LABEL_W = 210
VALUE_W = 90
BAR_H = 16
GAP = 6
TOP = 6
MAX_BARS = 40
# One colour per role, as the table's column heads show them (presentation attributes, not CSS).
COLOURS = {"baseline": "#8a93a0", "target": "#1a4f9c", "growth": "#5a8fd6", "achieved": "#b3261e"}
LABELS = {(c.role, c.measure): c.label for c in ROLE_COLUMNS}


@dataclass(frozen=True)
class Bar:
    label: str
    number: float
    text: str
    role: str
    href: str


def bars_by_unit(records: list[Record], href: Callable[[Record], str]) -> list[tuple[str, list[Bar]]]:
    """The records' figures read as numbers, one series per unit (亿元 and % are not drawn on
    one axis), the unit with most figures first."""
    series: dict[str, list[Bar]] = {}
    for r in records:
        for v in r.values:
            q = v.quantity
            if q.number is None:
                continue
            label = f"{r.city} {r.period} {LABELS.get((v.role, v.measure), v.role)}"
            series.setdefault(q.unit or r.unit, []).append(Bar(label, q.number, q.text, v.role, href(r)))
    return sorted(series.items(), key=lambda kv: -len(kv[1]))


def bar_chart(bars: list[Bar], unit: str) -> Markup:
    """Horizontal bars with their labels and the figures as printed; scales to its box."""
    bars = bars[:MAX_BARS]
    low = min(0.0, *(b.number for b in bars))
    high = max(0.0, *(b.number for b in bars))
    span = (high - low) or 1.0
    plot = WIDTH - LABEL_W - VALUE_W

    def x(n: float) -> float:
        return LABEL_W + plot * (n - low) / span

    height = TOP * 2 + len(bars) * (BAR_H + GAP)
    title = f"各地各期数值（{unit or '无单位'}）"
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
             f'role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>",
             f'<line x1="{x(0):.1f}" y1="0" x2="{x(0):.1f}" y2="{height}" stroke="#c9ced6"/>']
    for i, b in enumerate(bars):
        y = TOP + i * (BAR_H + GAP)
        x0, x1 = sorted((x(0), x(b.number)))
        colour = COLOURS.get(b.role, "#5b6473")
        parts.append(
            f'<a href="{escape(b.href)}"><title>{escape(b.label)}：{escape(b.text)}</title>'
            f'<text x="{LABEL_W - 6}" y="{y + BAR_H - 4}" text-anchor="end" font-size="12" fill="#1d2430">'
            f"{escape(b.label)}</text>"
            f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 1):.1f}" height="{BAR_H}" fill="{colour}"/>'
            f'<text x="{x1 + 4:.1f}" y="{y + BAR_H - 4}" font-size="12" fill="#1d2430">{escape(b.text)}</text></a>')
    parts.append("</svg>")
    return Markup("".join(parts))
