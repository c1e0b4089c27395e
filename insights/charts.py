"""Server-side SVG charts for the insights pages: no JavaScript, readable on a laptop.

Each function returns a complete ``<svg>`` element as a SafeString; every label is escaped.
Values are Decimals or ints (never floats from the database); they become pixel positions only.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from b2bshop.money import format_yen

PALETTE = ("#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#e53e3e", "#718096")
WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 90, 20, 20, 60


def _num(value: Decimal | int | float) -> float:
    return float(value)


def yen_label(value: Decimal | int) -> str:
    """Axis label: ¥1,234,567, or ¥1.2M-style would hide the figure; keep thousands separators."""
    return format_yen(Decimal(value).quantize(Decimal(1)))


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _svg(body: list[str], *, title: str, width: int = WIDTH, height: int = HEIGHT) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width:{width}px" role="img" aria-label="{escape(title)}" class="insights-chart">'
        f"<title>{escape(title)}</title>"
        '<style>text{font:12px "Noto Sans CJK JP","Hiragino Sans",sans-serif;fill:#333}'
        ".grid{stroke:#ddd}.axis{stroke:#888}</style>"
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every label above went through escape()


def _legend(names: Sequence[str], *, y: int) -> list[str]:
    out = []
    x = LEFT
    for i, name in enumerate(names):
        color = PALETTE[i % len(PALETTE)]
        out.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{color}"/>')
        out.append(f'<text x="{x + 16}" y="{y}">{escape(name)}</text>')
        x += 24 + 13 * len(name)
    return out


def _y_axis(max_value: float, *, money: bool, percent: bool = False, steps: int = 4) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    out = []
    for i in range(steps + 1):
        value = max_value * i / steps
        y = TOP + plot_h - plot_h * i / steps
        if percent:
            label = f"{value:.0f}%"
        elif money:
            label = yen_label(Decimal(str(round(value))))
        else:
            label = f"{value:,.0f}"
        out.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(label)}</text>')
    return out


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[Decimal | int]],
    money: bool = True,
    stacked: bool = False,
) -> SafeString:
    """Grouped (or stacked) vertical bars; negative values are drawn from zero downwards."""
    names = list(series)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(labels), 1)
    if stacked:
        tops = [sum(_num(series[s][i]) for s in names if _num(series[s][i]) > 0) for i in range(len(labels))]
        lows = [sum(_num(series[s][i]) for s in names if _num(series[s][i]) < 0) for i in range(len(labels))]
    else:
        tops = [max([_num(series[s][i]) for s in names] + [0]) for i in range(len(labels))]
        lows = [min([_num(series[s][i]) for s in names] + [0]) for i in range(len(labels))]
    high = _nice_max(max(tops + [0]))
    low = -_nice_max(-min(lows + [0])) if min(lows + [0]) < 0 else 0.0
    span = high - low or 1.0

    def y_of(v: float) -> float:
        return TOP + plot_h * (high - v) / span

    body = []
    steps = 4
    for i in range(steps + 1):
        value = low + span * i / steps
        y = y_of(value)
        label = yen_label(Decimal(str(round(value)))) if money else f"{value:,.0f}"
        body.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        body.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(label)}</text>')
    slot = plot_w / n
    every = 1 if len(labels) <= 12 else 2
    bar_w = slot * 0.7 / (1 if stacked else max(len(names), 1))
    for i, label in enumerate(labels):
        x0 = LEFT + slot * i + slot * 0.15
        pos, neg = 0.0, 0.0
        for j, name in enumerate(names):
            value = _num(series[name][i])
            color = PALETTE[j % len(PALETTE)]
            if stacked:
                base = pos if value >= 0 else neg
                y1, y2 = y_of(base + value), y_of(base)
                if value >= 0:
                    pos += value
                else:
                    neg += value
                x = x0
            else:
                y1, y2 = (y_of(value), y_of(0)) if value >= 0 else (y_of(0), y_of(value))
                x = x0 + bar_w * j
            text = f"{name} {label}: " + (yen_label(Decimal(str(round(value)))) if money else f"{value:,.0f}")
            body.append(
                f'<rect x="{x:.1f}" y="{min(y1, y2):.1f}" width="{bar_w:.1f}" height="{abs(y2 - y1):.1f}" '
                f'fill="{color}"><title>{escape(text)}</title></rect>'
            )
        if i % every == 0:  # every other label when crowded (24 months)
            body.append(
                f'<text x="{LEFT + slot * i + slot / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    body.append(
        f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y_of(0):.1f}" y2="{y_of(0):.1f}"/>'
    )
    if len(names) > 1:
        body += _legend(names, y=HEIGHT - 12)
    return _svg(body, title=title)


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[Decimal | int]],
    money: bool = True,
) -> SafeString:
    """One polyline per series over evenly spaced labels (months); every other label shown when crowded."""
    names = list(series)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    high = _nice_max(max([_num(v) for s in names for v in series[s]] + [0]))
    n = max(len(labels) - 1, 1)
    body = _y_axis(high, money=money)
    every = 1 if len(labels) <= 12 else 2
    for i, label in enumerate(labels):
        if i % every == 0:
            x = LEFT + plot_w * i / n
            body.append(
                f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{escape(label)}</text>'
            )
    for j, name in enumerate(names):
        color = PALETTE[j % len(PALETTE)]
        points = " ".join(
            f"{LEFT + plot_w * i / n:.1f},{TOP + plot_h - plot_h * _num(v) / high:.1f}"
            for i, v in enumerate(series[name])
        )
        body.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{points}"/>')
    if len(names) > 1:
        body += _legend(names, y=HEIGHT - 12)
    return _svg(body, title=title)


def pareto_curve(
    *, title: str, cumulative: Sequence[Decimal], cut_a: int, cut_b: int, x_label: str, y_label: str
) -> SafeString:
    """Cumulative share of revenue (y, %) over the share of customers (x, %), with the A/B cut-offs.

    ``cumulative`` is each ranked customer's cumulative share (0-1); at most ~200 points are drawn.
    """
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = len(cumulative)
    body = _y_axis(100, money=False, percent=True)
    for pct in (0, 20, 40, 60, 80, 100):
        x = LEFT + plot_w * pct / 100
        body.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{pct}%</text>')
    body.append(
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - BOTTOM + 34}" text-anchor="middle">{escape(x_label)}</text>'
    )
    body.append(
        f'<text x="14" y="{TOP + plot_h / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {TOP + plot_h / 2:.1f})">{escape(y_label)}</text>'
    )
    body.append(
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP}" stroke="#bbb" stroke-dasharray="4 4"/>'
    )
    for cut, color in ((cut_a, PALETTE[4]), (cut_b, PALETTE[1])):
        y = TOP + plot_h - plot_h * cut / 100
        body.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="{color}" stroke-dasharray="2 3"/>'
        )
        body.append(
            f'<text x="{LEFT + plot_w - 4}" y="{y - 4:.1f}" text-anchor="end" fill="{color}">{cut}%</text>'
        )
    if n:
        step = max(n // 200, 1)
        indexes = list(range(step - 1, n, step))
        if indexes[-1] != n - 1:
            indexes.append(n - 1)
        pts = [f"{LEFT},{TOP + plot_h}"] + [
            f"{LEFT + plot_w * (i + 1) / n:.1f},{TOP + plot_h - plot_h * _num(cumulative[i]):.1f}"
            for i in indexes
        ]
        body.append(
            f'<polyline fill="none" stroke="{PALETTE[0]}" stroke-width="2.5" points="{" ".join(pts)}"/>'
        )
    return _svg(body, title=title)


def heat(value: Decimal) -> str:
    """Background colour for a share 0-1 (cohort tables)."""
    alpha = max(min(_num(value), 1.0), 0.0)
    return (
        f"background: rgba(43,108,176,{0.08 + 0.75 * alpha:.2f}); color: {'#fff' if alpha > 0.5 else '#222'}"
    )
