"""Stage 1, reading: each page reduced to text lines, vector drawings and raster images, and the document's
body font, line height, columns and text area estimated over all pages."""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass

import pymupdf

from .geometry import Box, area, height, intersection, union_all, width

TEXT_FLAGS = pymupdf.TEXTFLAGS_DICT & ~pymupdf.TEXT_PRESERVE_IMAGES
CAPTION_HINT = re.compile(r"(?i)\s*(fig|table)")  # a line that may open a caption (captions.py decides)
# Work limits that keep hostile or broken PDFs bounded in time and memory.
HEAVY_CONTENT_BYTES = 1_000_000  # above this (or with form XObjects) count a page's items before listing them
MAX_PAGE_ITEMS = 20_000  # more drawing items than this: take their boxes only, from the cheap bbox log
# Drawings covering more of the page than this are page backgrounds or frames, not figure parts.
MAX_VECTOR_PAGE_SHARE = 0.6
MAX_RASTER_PAGE_SHARE = 0.7
MIN_RASTER_SIDE = 4.0  # points; smaller images are bullets, rules or tracking pixels
NEAR_WHITE = 0.97  # fills at least this light (on every channel) with no stroke are invisible masks
SAME_SIZE = 0.6  # points: two font sizes closer than this are the same size


@dataclass
class Line:
    """One text line: box, text, dominant font size, block index and style cues."""

    box: Box
    text: str
    size: float
    block: int
    horizontal: bool
    styled: bool  # first span's font differs from the rest, e.g. a bold "Fig. 3" label
    bold: bool
    starts_para: bool
    font: str = ""


@dataclass
class Element:
    """Something a figure region is built from: a drawing, an image or a line of text."""

    box: Box
    kind: str  # "vector" | "raster" | "text"
    panel_letter: bool = False  # a text line that is only "(a)", "b)", ...


@dataclass
class PageData:
    index: int
    rect: Box
    lines: list[Line]
    graphics: list[Element]


@dataclass
class Layout:
    """The document's text geometry, learnt from its paragraphs."""

    body_size: float
    body_font: str
    line_h: float
    density: float  # characters * font size / width of a body line; lower for table rows
    columns: list[tuple[float, float]]
    left: float
    right: float
    top: float
    bottom: float


def read_page(page: pymupdf.Page) -> PageData:
    """Reduce a page to text lines and graphic elements, all in unrotated coordinates."""
    r = page.rect * page.derotation_matrix
    rect: Box = (r.x0, r.y0, r.x1, r.y1)
    page_area = area(rect)
    lines: list[Line] = []
    for bi, block in enumerate(page.get_text("dict", flags=TEXT_FLAGS)["blocks"]):
        if block.get("type") != 0:
            continue
        block_lines: list[Line] = []
        for raw in block["lines"]:
            spans = [s for s in raw["spans"] if s["text"].strip()]
            if not spans:
                continue
            text = " ".join("".join(s["text"] for s in raw["spans"]).split())
            size = float(max(spans, key=lambda s: len(s["text"].strip()))["size"])
            bold = bool(spans[0]["flags"] & pymupdf.TEXT_FONT_BOLD) or "bold" in spans[0]["font"].lower()
            styled = bold or (len(spans) > 1 and spans[0]["font"] != spans[1]["font"])
            horizontal = abs(raw["dir"][0] - 1.0) < 1e-3
            block_lines.append(Line(tuple(raw["bbox"]), text, size, bi, horizontal, styled, bold, False,
                                    spans[0]["font"]))
        mark_paragraph_starts(block_lines, tuple(block["bbox"]))
        lines.extend(block_lines)

    graphics: list[Element] = []
    # Listing drawings is the costliest read: a page with no caption-like line has no captioned float, and
    # its uncaptioned figures are photos, so it only needs its images.
    if any(CAPTION_HINT.match(line.text) for line in lines):
        graphics.extend(_drawings(page, rect))
    for info in page.get_image_info():
        box = intersection(tuple(info["bbox"]), rect)
        if (width(box) > MIN_RASTER_SIDE and height(box) > MIN_RASTER_SIDE
                and area(box) < MAX_RASTER_PAGE_SHARE * page_area):
            graphics.append(Element(box, "raster"))
    return PageData(page.number, rect, lines, graphics)


def _drawings(page: pymupdf.Page, rect: Box) -> list[Element]:
    """The page's visible vector drawings, from the cheap bounding-box log when there are very many."""
    page_area = area(rect)
    graphics: list[Element] = []
    heavy = len(page.read_contents()) > HEAVY_CONTENT_BYTES or bool(page.get_xobjects())
    bboxlog = page.get_bboxlog() if heavy else []
    if len(bboxlog) > MAX_PAGE_ITEMS:  # a plot with a million points: boxes only, no per-path dicts
        for kind, r in bboxlog:
            box = intersection(tuple(r), rect)
            if (kind in ("fill-path", "stroke-path") and box[0] <= box[2] and box[1] <= box[3]
                    and area(box) < MAX_VECTOR_PAGE_SHARE * page_area):
                graphics.append(Element(box, "vector"))
    for d in [] if len(bboxlog) > MAX_PAGE_ITEMS else page.get_drawings():
        fill, stroke = d.get("fill"), d.get("color")
        if stroke is None and (fill is None or min(fill) > NEAR_WHITE):
            continue  # white-on-white: backgrounds and masks are invisible
        dr = d["rect"].normalize()
        box = intersection((dr.x0, dr.y0, dr.x1, dr.y1), rect)
        if box[0] <= box[2] and box[1] <= box[3] and area(box) < MAX_VECTOR_PAGE_SHARE * page_area:
            graphics.append(Element(box, "vector"))
    return graphics


def mark_paragraph_starts(lines: list[Line], block: Box) -> None:
    """A line starts a paragraph if it opens its block or follows a gap, a size change or a short line."""
    prev: Line | None = None
    for line in lines:
        if prev is None:
            line.starts_para = True
        elif line.box[1] >= prev.box[3] - 0.3 * height(prev.box):  # on a new row
            gap = line.box[1] - prev.box[3]
            line.starts_para = (gap > 0.5 * height(line.box) or abs(line.size - prev.size) > SAME_SIZE
                                or prev.box[2] < block[2] - 0.25 * width(block))
        prev = line


def document_layout(pages: list[PageData]) -> Layout:
    """Body font size, line height, columns and text area, estimated over the whole document."""
    sizes: Counter[float] = Counter()
    for p in pages:
        for line in p.lines:
            if line.horizontal:
                sizes[round(line.size * 2) / 2] += len(line.text)
    body = sizes.most_common(1)[0][0] if sizes else 10.0
    fonts: Counter[str] = Counter()
    for p in pages:
        for line in p.lines:
            if line.horizontal and abs(line.size - body) <= SAME_SIZE:
                fonts[line.font] += len(line.text)
    body_font = fonts.most_common(1)[0][0] if fonts else ""
    body_lines = [ln for p in pages for ln in p.lines if ln.horizontal and abs(ln.size - body) <= SAME_SIZE]
    line_h = statistics.median(height(ln.box) for ln in body_lines) if body_lines else body * 1.2

    by_block: dict[tuple[int, int], list[Line]] = defaultdict(list)
    for p in pages:
        for ln in p.lines:
            if ln.horizontal and abs(ln.size - body) <= SAME_SIZE:
                by_block[(p.index, ln.block)].append(ln)
    paragraphs = [union_all([ln.box for ln in lns]) for lns in by_block.values()
                  if len(lns) >= 2 and sum(len(ln.text) for ln in lns) >= 25 * len(lns)]
    if not paragraphs:  # nothing to learn the layout from: assume one column inside 10% margins
        w, h = width(pages[0].rect), height(pages[0].rect)
        return Layout(body, body_font, line_h, 1.6, [(0.1 * w, 0.9 * w)], 0.1 * w, 0.9 * w, 0.1 * h, 0.9 * h)

    left, right = min(b[0] for b in paragraphs), max(b[2] for b in paragraphs)
    mid, span = (left + right) / 2, right - left
    lefts = [b for b in paragraphs if b[2] <= mid + 0.05 * span]
    rights = [b for b in paragraphs if b[0] >= mid - 0.05 * span]
    columns = [(left, right)]
    if lefts and rights and len(lefts) + len(rights) >= 0.6 * len(paragraphs):
        gutter_l, gutter_r = max(b[2] for b in lefts), min(b[0] for b in rights)
        if gutter_l >= gutter_r:
            gutter_l, gutter_r = mid - 5, mid + 5
        columns = [(left, gutter_l), (gutter_r, right)]
    col_w = min(c[1] - c[0] for c in columns)
    densities = [len(ln.text) * ln.size / width(ln.box)
                 for ln in body_lines if width(ln.box) >= 0.5 * col_w]
    density = statistics.median(densities) if densities else 1.6
    top, bottom = min(b[1] for b in paragraphs), max(b[3] for b in paragraphs)
    return Layout(body, body_font, line_h, density, columns, left, right, top, bottom)


def column_of(x: float, lay: Layout) -> tuple[float, float]:
    """The column holding (or nearest to) the horizontal position ``x``."""
    return min(lay.columns, key=lambda c: 0.0 if c[0] <= x <= c[1] else min(abs(x - c[0]), abs(x - c[1])))
