"""Boxes as plain (x0, y0, x1, y1) tuples in unrotated PDF points; PyMuPDF's Rect union drops zero-height rules.

The helpers compare with conditional expressions, not min() and max(): they run millions of times per paper, and
a builtin call costs more than the comparison."""

from __future__ import annotations

Box = tuple[float, float, float, float]


def union(a: Box, b: Box) -> Box:
    return (a[0] if a[0] < b[0] else b[0], a[1] if a[1] < b[1] else b[1],
            a[2] if a[2] > b[2] else b[2], a[3] if a[3] > b[3] else b[3])


def union_all(boxes: list[Box]) -> Box:
    x0s, y0s, x1s, y1s = zip(*boxes, strict=True)
    return (min(x0s), min(y0s), max(x1s), max(y1s))


def area(b: Box) -> float:
    w, h = b[2] - b[0], b[3] - b[1]
    return w * h if w > 0 and h > 0 else 0.0


def x_overlap(a: Box, b: Box) -> float:
    lo, hi = (a[0] if a[0] > b[0] else b[0]), (a[2] if a[2] < b[2] else b[2])
    return hi - lo if hi > lo else 0.0


def level_with(a: Box, b: Box, share: float) -> bool:
    """Whether two boxes stand level (share a row): they overlap vertically by ``share`` of the shorter's height."""
    lo, hi = (a[1] if a[1] > b[1] else b[1]), (a[3] if a[3] < b[3] else b[3])
    ha, hb = a[3] - a[1], b[3] - b[1]
    return hi - lo >= share * (ha if ha < hb else hb)


def range_overlap(a: Box, xr: tuple[float, float]) -> float:
    """How much of the horizontal range ``xr`` box ``a`` covers, in points."""
    lo, hi = (a[0] if a[0] > xr[0] else xr[0]), (a[2] if a[2] < xr[1] else xr[1])
    return hi - lo if hi > lo else 0.0


def intersection(a: Box, b: Box) -> Box:
    return (a[0] if a[0] > b[0] else b[0], a[1] if a[1] > b[1] else b[1],
            a[2] if a[2] < b[2] else b[2], a[3] if a[3] < b[3] else b[3])


def near(a: Box, b: Box, gap: float) -> bool:
    """``a`` overlaps ``b`` grown by ``gap`` on every side."""
    return area(intersection(a, (b[0] - gap, b[1] - gap, b[2] + gap, b[3] + gap))) > 0


def contains(outer: Box, inner: Box, tol: float = 1.0) -> bool:
    return (outer[0] - tol <= inner[0] and outer[1] - tol <= inner[1]
            and inner[2] <= outer[2] + tol and inner[3] <= outer[3] + tol)


def width(b: Box) -> float:
    return b[2] - b[0]


def height(b: Box) -> float:
    return b[3] - b[1]


def center_x(b: Box) -> float:
    return (b[0] + b[2]) / 2


def pad(b: Box, page: Box, margin: float) -> Box:
    """``b`` grown by ``margin`` on every side, kept on the page."""
    return intersection((b[0] - margin, b[1] - margin, b[2] + margin, b[3] + margin), page)


def rounded(b: Box) -> Box:
    """The box to whole points: the same drawing drawn twice has one."""
    return (round(b[0]), round(b[1]), round(b[2]), round(b[3]))
