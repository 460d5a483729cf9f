"""Geometry for the SVG charts: sizes go into attributes (the CSP forbids inline styles), no JS.

Every chart is drawn next to a table with the same numbers; the SVG itself is decoration for
screen readers (`aria-hidden`) or carries a short `<title>` summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from convene.privacy.disclosure import Figure

BAR_WIDTH = 160
# Dark enough for 3:1 against white (WCAG non-text contrast), told apart by dash pattern as well.
PALETTE = [
    ("#1d4ed8", ""),
    ("#b42318", "6 4"),
    ("#166534", "2 3"),
    ("#8a4b00", "10 3 2 3"),
    ("#6b21a8", "1 5"),
]


def bar_width(value, maximum: int, *, width: int = BAR_WIDTH) -> int:
    """Width in px of a bar for `value` (0 for hidden cells), at least 2 px for a non-zero value."""
    if isinstance(value, Figure):
        value = value.value
    if value is None or not maximum:
        return 0
    return max(2, round(width * float(value) / maximum))


@dataclass
class Segment:
    points: str  # "x,y x,y ..."


@dataclass
class Series:
    label: str
    color: str
    dash: str
    segments: list[Segment]
    dots: list[tuple[float, float]]


@dataclass
class LineChart:
    width: int
    height: int
    left: int
    top: int
    plot_w: int
    plot_h: int
    y_ticks: list[tuple[float, str]]  # (y, label)
    x_labels: list[tuple[float, str]]
    series: list[Series]


def line_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    y_max: float = 1.0,
    width: int = 640,
    height: int = 220,
    y_format: str = "{:.2f}",
) -> LineChart:
    """A line per series over the x labels; None values leave a gap in the line."""
    left, top, right, bottom = 44, 12, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(labels), 1)
    step = plot_w / max(n - 1, 1)
    y_max = y_max or 1.0

    def x(i: int) -> float:
        return round(left + i * step, 1)

    def y(v: float) -> float:
        return round(top + plot_h * (1 - min(max(v / y_max, 0.0), 1.0)), 1)

    out = []
    for s_i, (label, values) in enumerate(series):
        color, dash = PALETTE[s_i % len(PALETTE)]
        segments, current, dots = [], [], []
        for i, v in enumerate(values):
            if v is None:
                if current:
                    segments.append(Segment(" ".join(current)))
                current = []
                continue
            current.append(f"{x(i)},{y(float(v))}")
            dots.append((x(i), y(float(v))))
        if current:
            segments.append(Segment(" ".join(current)))
        out.append(Series(label, color, dash, segments, dots))
    ticks = [(y(y_max * f), y_format.format(y_max * f)) for f in (0, 0.25, 0.5, 0.75, 1)]
    return LineChart(
        width=width,
        height=height,
        left=left,
        top=top,
        plot_w=plot_w,
        plot_h=plot_h,
        y_ticks=ticks,
        x_labels=[(x(i), lab) for i, lab in enumerate(labels)],
        series=out,
    )
