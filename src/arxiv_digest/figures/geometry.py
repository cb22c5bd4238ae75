"""Boxes as plain (x0, y0, x1, y1) tuples in unrotated PDF points; PyMuPDF's Rect union drops zero-height rules."""

from __future__ import annotations

Box = tuple[float, float, float, float]


def union(a: Box, b: Box) -> Box:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def union_all(boxes: list[Box]) -> Box:
    x0s, y0s, x1s, y1s = zip(*boxes, strict=True)
    return (min(x0s), min(y0s), max(x1s), max(y1s))


def area(b: Box) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def x_overlap(a: Box, b: Box) -> float:
    return range_overlap(a, (b[0], b[2]))


def range_overlap(a: Box, xr: tuple[float, float]) -> float:
    """How much of the horizontal range ``xr`` box ``a`` covers, in points."""
    return max(0.0, min(a[2], xr[1]) - max(a[0], xr[0]))


def intersection(a: Box, b: Box) -> Box:
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


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
