"""Helpers shared by the figure tests: synthetic papers (cached), opening bytes, IoU."""

from __future__ import annotations

import functools

import pymupdf

from pdfgen import IEEE, MIXED_1COL, MIXED_2COL, STACKED, TruthBox, make_paper

LAYOUTS: dict[str, dict] = {
    "1col": {"columns": 1},
    "2col": {"columns": 2},
    "1col-mixed": {"columns": 1, "figures": MIXED_1COL},
    "2col-mixed": {"columns": 2, "figures": MIXED_2COL},
    "1col-stacked": {"columns": 1, "figures": STACKED},
    "2col-stacked": {"columns": 2, "figures": STACKED},
    "2col-ieee": {"columns": 2, "figures": IEEE},
    "2col-rotated": {"columns": 2, "rotate": 90},
}


@functools.cache
def generated(layout: str, seed: int = 0) -> tuple[bytes, tuple[TruthBox, ...]]:
    data, truth = make_paper(seed=seed, **LAYOUTS[layout])
    return data, tuple(truth)


def open_pdf(data: bytes) -> pymupdf.Document:
    return pymupdf.open(stream=data, filetype="pdf")


def iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


BODY = ("Adaptive beamformers lose most of their gain when the array is miscalibrated and the loss grows "
        "with the number of elements in the array")


def body_text(page: pymupdf.Page, top: float, lines: int, *, x: float = 72, step: float = 12,
              size: float = 10) -> float:
    """Lines of body text from ``top`` down; returns where the next line would go."""
    words = BODY.split()
    for i in range(lines):
        page.insert_text((x, top + step * i), " ".join(words[i % 5:i % 5 + 14]), fontsize=size, fontname="tiro")
    return top + step * lines


def two_columns(page: pymupdf.Page, top: float, lines: tuple[int, int], *, step: float = 10) -> None:
    """Body text in two columns, the left one written first (as a PDF's reading order has it), 9 pt."""
    words = BODY.split()
    for x, n in zip((50, 312), lines, strict=True):
        for i in range(n):
            page.insert_text((x, top + step * i), " ".join(words[i % 5:i % 5 + 8]), fontsize=9, fontname="tiro")


def plot(page: pymupdf.Page, box: pymupdf.Rect) -> None:
    """A framed line plot filling ``box``."""
    page.draw_rect(box, color=(0, 0, 0), width=0.8)
    page.draw_polyline([(box.x0, box.y1), (box.x0 + box.width / 2, box.y0 + 20), (box.x1, box.y0 + 10)],
                       color=(0.8, 0.1, 0.1), width=1.2)


def second_page() -> tuple[pymupdf.Document, pymupdf.Page]:
    """A document whose first page of body text sets the body's type, and a blank second page to draw on."""
    doc = pymupdf.open()
    body_text(doc.new_page(), 80, 50)
    return doc, doc.new_page()
