"""Locate and crop figures and tables in paper PDFs with PyMuPDF, anchored on captions like pdffigures2.

Each page is reduced to text lines, vector drawings and raster images. Caption lines ("Figure 3:",
"TABLE II.") anchor a search above and below for graphics, bounded by body text, headings and other
captions within the caption's column; the side that holds graphics (figures prefer above, tables below)
becomes the figure. Everything is in unrotated page coordinates, as PyMuPDF's extraction reports them.
"""

from __future__ import annotations

import json
import logging
import re
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymupdf

from arxiv_digest.models import FigureKind
from arxiv_digest.pdf import PaperError

log = logging.getLogger(__name__)

Box = tuple[float, float, float, float]

_TEXT_FLAGS = pymupdf.TEXTFLAGS_DICT & ~pymupdf.TEXT_PRESERVE_IMAGES
_CAPTION_RE = re.compile(
    r"(?P<label>(?i:fig(?:ure)?\.?|table))\s*"
    r"(?P<number>[A-Z]?\d+(?:\.\d+)*[a-z]?|[IVXLC]+)"
    r"(?P<delim>\s*[:.|\u2014\u2013]|\s|$)"
)
_HEADING_RE = re.compile(r"(\d+(\.\d+)*\.?|[IVX]+\.|[A-Z]\.)\s+[A-Z]")
_HEADING_WORDS = {"abstract", "references", "bibliography", "acknowledgments", "acknowledgements", "appendix"}
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_PAD = 2.0
_PAGE_DPI = 100
_JPEG_QUALITY = 85
# Work limits that keep hostile or broken PDFs bounded in time and memory.
_HEAVY_CONTENT_BYTES = 1_000_000  # above this (or with form XObjects) count a page's items before listing them
_MAX_PAGE_ITEMS = 20_000  # more drawing items than this: take their boxes only, from the cheap bbox log
_MAX_IMAGE_PIXELS = 40_000_000  # figures showing a bigger embedded image are not rendered: decoding costs GBs


class UnreadablePDF(PaperError):
    """The document cannot be searched for figures (not a PDF, encrypted): a per-paper error."""


@dataclass(frozen=True)
class LocatedFigure:
    """Where a figure, table or the first-page image is: page, box (caption included) and caption text."""

    kind: FigureKind
    number: str | None
    page: int
    bbox: Box
    caption: str


@dataclass(frozen=True)
class RenderedFigure:
    """A located figure rendered to image bytes."""

    figure: LocatedFigure
    data: bytes
    content_type: str
    width: int
    height: int


@dataclass
class _Line:
    box: Box
    text: str
    size: float
    block: int
    horizontal: bool
    styled: bool  # first span's font differs from the rest, e.g. a bold "Fig. 3" label
    bold: bool
    starts_para: bool


@dataclass
class _Element:
    box: Box
    kind: str  # "vector" | "raster" | "text"


@dataclass
class _PageData:
    index: int
    rect: Box
    lines: list[_Line]
    graphics: list[_Element]


@dataclass
class _Layout:
    body_size: float
    line_h: float
    density: float  # characters * font size / width of a body line; lower for table rows
    columns: list[tuple[float, float]]
    left: float
    right: float
    top: float
    bottom: float


@dataclass
class _Caption:
    kind: FigureKind
    number: str
    box: Box
    text: str
    lines: set[int]
    xr: tuple[float, float] = (0.0, 0.0)


@dataclass
class _Option:
    taken: list[_Element]
    neighbor: int | None


# ---- geometry on plain tuples (PyMuPDF's Rect union drops zero-height rects such as rules) ---------------
def _union(a: Box, b: Box) -> Box:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _union_all(boxes: list[Box]) -> Box:
    x0s, y0s, x1s, y1s = zip(*boxes, strict=True)
    return (min(x0s), min(y0s), max(x1s), max(y1s))


def _area(b: Box) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def _x_overlap(a: Box, b: Box) -> float:
    return _range_overlap(a, (b[0], b[2]))


def _range_overlap(a: Box, xr: tuple[float, float]) -> float:
    """How much of the horizontal range ``xr`` box ``a`` covers, in points."""
    return max(0.0, min(a[2], xr[1]) - max(a[0], xr[0]))


def _intersection(a: Box, b: Box) -> Box:
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


def _contains(outer: Box, inner: Box, tol: float = 1.0) -> bool:
    return (outer[0] - tol <= inner[0] and outer[1] - tol <= inner[1]
            and inner[2] <= outer[2] + tol and inner[3] <= outer[3] + tol)


def _width(b: Box) -> float:
    return b[2] - b[0]


def _height(b: Box) -> float:
    return b[3] - b[1]


def _center_x(b: Box) -> float:
    return (b[0] + b[2]) / 2


# ---- page reading ---------------------------------------------------------------------------------------
def _read_page(page: pymupdf.Page) -> _PageData:
    """Reduce a page to text lines and graphic elements, all in unrotated coordinates."""
    r = page.rect * page.derotation_matrix
    rect: Box = (r.x0, r.y0, r.x1, r.y1)
    page_area = _area(rect)
    lines: list[_Line] = []
    for bi, block in enumerate(page.get_text("dict", flags=_TEXT_FLAGS)["blocks"]):
        if block.get("type") != 0:
            continue
        block_lines: list[_Line] = []
        for raw in block["lines"]:
            spans = [s for s in raw["spans"] if s["text"].strip()]
            if not spans:
                continue
            text = " ".join("".join(s["text"] for s in raw["spans"]).split())
            size = float(max(spans, key=lambda s: len(s["text"].strip()))["size"])
            bold = bool(spans[0]["flags"] & pymupdf.TEXT_FONT_BOLD) or "bold" in spans[0]["font"].lower()
            styled = bold or (len(spans) > 1 and spans[0]["font"] != spans[1]["font"])
            horizontal = abs(raw["dir"][0] - 1.0) < 1e-3
            block_lines.append(_Line(tuple(raw["bbox"]), text, size, bi, horizontal, styled, bold, False))
        _mark_paragraph_starts(block_lines, tuple(block["bbox"]))
        lines.extend(block_lines)

    graphics: list[_Element] = []
    heavy = len(page.read_contents()) > _HEAVY_CONTENT_BYTES or bool(page.get_xobjects())
    bboxlog = page.get_bboxlog() if heavy else []
    if len(bboxlog) > _MAX_PAGE_ITEMS:  # a plot with a million points: boxes only, no per-path dicts
        for kind, r in bboxlog:
            box = _intersection(tuple(r), rect)
            if (kind in ("fill-path", "stroke-path") and box[0] <= box[2] and box[1] <= box[3]
                    and _area(box) < 0.6 * page_area):
                graphics.append(_Element(box, "vector"))
    for d in [] if len(bboxlog) > _MAX_PAGE_ITEMS else page.get_drawings():
        fill, stroke = d.get("fill"), d.get("color")
        if stroke is None and (fill is None or min(fill) > 0.97):
            continue  # white-on-white: backgrounds and masks are invisible
        dr = d["rect"].normalize()
        box = _intersection((dr.x0, dr.y0, dr.x1, dr.y1), rect)
        if box[0] <= box[2] and box[1] <= box[3] and _area(box) < 0.6 * page_area:
            graphics.append(_Element(box, "vector"))
    for info in page.get_image_info():
        box = _intersection(tuple(info["bbox"]), rect)
        if _width(box) > 4 and _height(box) > 4 and _area(box) < 0.7 * page_area:
            graphics.append(_Element(box, "raster"))
    return _PageData(page.number, rect, lines, graphics)


def _mark_paragraph_starts(lines: list[_Line], block: Box) -> None:
    """A line starts a paragraph if it opens its block or follows a gap, a size change or a short line."""
    prev: _Line | None = None
    for line in lines:
        if prev is None:
            line.starts_para = True
        elif line.box[1] >= prev.box[3] - 0.3 * _height(prev.box):  # on a new row
            gap = line.box[1] - prev.box[3]
            line.starts_para = (gap > 0.5 * _height(line.box) or abs(line.size - prev.size) > 0.6
                                or prev.box[2] < block[2] - 0.25 * _width(block))
        prev = line


# ---- document layout ------------------------------------------------------------------------------------
def _layout(pages: list[_PageData]) -> _Layout:
    """Body font size, line height, columns and text area, estimated over the whole document."""
    sizes: Counter[float] = Counter()
    for p in pages:
        for line in p.lines:
            if line.horizontal:
                sizes[round(line.size * 2) / 2] += len(line.text)
    body = sizes.most_common(1)[0][0] if sizes else 10.0
    body_lines = [ln for p in pages for ln in p.lines if ln.horizontal and abs(ln.size - body) <= 0.6]
    line_h = statistics.median(_height(ln.box) for ln in body_lines) if body_lines else body * 1.2

    by_block: dict[tuple[int, int], list[_Line]] = defaultdict(list)
    for p in pages:
        for ln in p.lines:
            if ln.horizontal and abs(ln.size - body) <= 0.6:
                by_block[(p.index, ln.block)].append(ln)
    paragraphs = [_union_all([ln.box for ln in lns]) for lns in by_block.values()
                  if len(lns) >= 2 and sum(len(ln.text) for ln in lns) >= 25 * len(lns)]
    if not paragraphs:  # nothing to learn the layout from: assume one column inside 10% margins
        w, h = _width(pages[0].rect), _height(pages[0].rect)
        return _Layout(body, line_h, 1.6, [(0.1 * w, 0.9 * w)], 0.1 * w, 0.9 * w, 0.1 * h, 0.9 * h)

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
    densities = [len(ln.text) * ln.size / _width(ln.box)
                 for ln in body_lines if _width(ln.box) >= 0.5 * col_w]
    density = statistics.median(densities) if densities else 1.6
    top, bottom = min(b[1] for b in paragraphs), max(b[3] for b in paragraphs)
    return _Layout(body, line_h, density, columns, left, right, top, bottom)


def _column_of(x: float, lay: _Layout) -> tuple[float, float]:
    return min(lay.columns, key=lambda c: 0.0 if c[0] <= x <= c[1] else min(abs(x - c[0]), abs(x - c[1])))


# ---- captions -------------------------------------------------------------------------------------------
def _find_captions(p: _PageData, lay: _Layout, decor: list[bool]) -> list[_Caption]:
    """Caption lines start a paragraph with "Figure N" and a delimiter or a distinct style."""
    captions: list[_Caption] = []
    used: set[int] = set()
    for i, line in enumerate(p.lines):
        if i in used or decor[i] or not (line.horizontal and line.starts_para):
            continue
        m = _CAPTION_RE.match(line.text)
        if m is None:
            continue
        # ":" never follows "Figure 3" in prose, but "." and a space do ("... in Figure 3. Then", "Figure 3
        # shows"), so those need a caption style: a bold label, a caption font size or an all-caps label.
        delim = m["delim"].strip()
        distinct = line.styled or abs(line.size - lay.body_size) > 0.6 or m["label"].isupper()
        if delim in ("", ".") and not distinct:
            continue
        idx = _caption_lines(p, i)
        used.update(idx)
        text = ""
        for j in idx:
            piece = p.lines[j].text
            hyphenated = text.endswith("-") and piece[:1].islower()
            text = text[:-1] + piece if hyphenated else f"{text} {piece}".strip()
        kind = FigureKind.TABLE if m["label"].lower().startswith("t") else FigureKind.FIGURE
        box = _union_all([p.lines[j].box for j in idx])
        captions.append(_Caption(kind, m["number"], box, text, set(idx)))
    return captions


def _caption_lines(p: _PageData, first: int) -> list[int]:
    """The caption's first line plus the lines that continue it: same size, tight spacing, no rule between."""
    head = p.lines[first]
    idx = [first]
    box = head.box
    for j in range(first + 1, len(p.lines)):
        nxt = p.lines[j]
        gap = nxt.box[1] - box[3]
        if (not nxt.horizontal or abs(nxt.size - head.size) > 0.6 or _x_overlap(nxt.box, box) <= 0
                or not -0.6 * _height(nxt.box) <= gap <= 0.3 * _height(nxt.box)
                or _CAPTION_RE.match(nxt.text) is not None):
            break
        if any(g.box[1] >= box[3] - 1 and g.box[3] <= nxt.box[1] + 1 and _x_overlap(g.box, nxt.box) > 0
               for g in p.graphics):
            break  # a table's top rule separates the caption from the header row
        idx.append(j)
        box = _union(box, nxt.box)
    return idx


def _caption_range(c: _Caption, captions: list[_Caption], lay: _Layout) -> tuple[float, float]:
    """The horizontal range a caption's graphics may occupy: its column, or the full width if it spans."""
    if len(lay.columns) > 1:
        (l0, gl), (gr, r1) = lay.columns[0], lay.columns[-1]
        spans_gutter = c.box[0] < gl - 5 and c.box[2] > gr + 5
        centre = _center_x(c.box)
        xr = (l0, r1) if spans_gutter or gl < centre < gr else _column_of(centre, lay)
    else:
        xr = lay.columns[0]
    lo, hi = xr
    for other in captions:  # side-by-side captions split the range between them
        if other is c or min(c.box[3], other.box[3]) <= max(c.box[1], other.box[1]):
            continue
        if xr[0] <= _center_x(other.box) <= xr[1]:
            if other.box[2] <= c.box[0]:
                lo = max(lo, (other.box[2] + c.box[0]) / 2)
            elif other.box[0] >= c.box[2]:
                hi = min(hi, (c.box[2] + other.box[0]) / 2)
    return lo, hi


# ---- region proposal ------------------------------------------------------------------------------------
def _locate_page(p: _PageData, lay: _Layout) -> list[LocatedFigure]:
    """Figures and tables of one page: caption-anchored regions, then large uncaptioned graphics."""
    page_h = _height(p.rect)
    top_band = _top_band(p, min(lay.top, p.rect[1] + 0.1 * page_h), 1.2 * lay.body_size) - 1
    bottom_band = max(lay.bottom, p.rect[1] + 0.9 * page_h) + 1

    def is_decor(b: Box) -> bool:
        """Running heads, page numbers, rules in the margins and the arXiv stamp lie outside the text area."""
        return b[3] <= top_band or b[1] >= bottom_band or b[2] <= lay.left - 2 or b[0] >= lay.right + 2

    decor = [is_decor(ln.box) for ln in p.lines]
    graphics = [g for g in p.graphics if not is_decor(g.box)]
    captions = _find_captions(p, lay, decor)
    for c in captions:
        c.xr = _caption_range(c, captions, lay)
    caption_lines = set().union(*(c.lines for c in captions))

    frames = [g.box for g in graphics if g.kind == "vector" and _area(g.box) > 2000]
    barriers: list[Box] = []
    text_elements: list[_Element] = []
    prose = _prose_lines(p, lay, caption_lines)
    for i, line in enumerate(p.lines):
        if i in caption_lines or decor[i]:
            continue
        boxed = any(_contains(f, line.box) for f in frames)  # text drawn inside a figure's frame
        heading = line.horizontal and line.size >= lay.body_size - 0.6 and len(line.text) <= 80 and (
            line.bold or line.size > lay.body_size + 0.9) and (
            _HEADING_RE.match(line.text) is not None or line.text.lower() in _HEADING_WORDS)
        big = line.horizontal and line.size >= lay.body_size + 2.5
        if not boxed and (i in prose or heading or big):
            barriers.append(line.box)
        elif line.size <= lay.body_size + 0.5:
            text_elements.append(_Element(line.box, "text"))
    elements = graphics + text_elements

    gap_g, gap_t = 3.0 * lay.line_h, 1.0 * lay.line_h
    options: list[dict[str, _Option]] = []
    for c in captions:
        opts = {}
        for up in (True, False):
            limit, neighbor = _limit(c, captions, barriers, p.rect, up)
            edge = c.box[1] if up else c.box[3]
            lo, hi = (limit, edge) if up else (edge, limit)
            zone = [e for e in elements if lo - 0.5 <= e.box[1] and e.box[3] <= hi + 0.5
                    and c.xr[0] - 1 <= _center_x(e.box) <= c.xr[1] + 1]
            taken = _grow(zone, edge, up, gap_g, gap_t)
            opts["up" if up else "down"] = _Option(taken if _has_content(c, taken) else [], neighbor)
        options.append(opts)
    chosen = _choose_directions(captions, options)

    found: list[LocatedFigure] = []
    regions: list[Box] = []
    for i, c in enumerate(captions):
        d = chosen[i]
        if d is None:
            continue
        taken = _resolve_shared(i, d, captions, options, chosen)
        if not _has_content(c, taken):
            continue
        box = _pad(_union(_union_all([e.box for e in taken]), c.box), p.rect)
        regions.append(box)
        found.append(LocatedFigure(c.kind, c.number, p.index, box, c.text))
    found.extend(_uncaptioned(p, graphics, text_elements, regions, [p.lines[i].box for i in prose]))
    return found


def _top_band(p: _PageData, limit: float, min_gap: float) -> float:
    """Where the page's running head ends: the last clear vertical gap above ``limit``, else the page top."""
    band = p.rect[1]
    bottom: float | None = None
    for b in sorted([ln.box for ln in p.lines] + [g.box for g in p.graphics], key=lambda b: b[1]):
        if bottom is not None and b[1] - bottom >= min_gap:
            band = bottom
        bottom = b[3] if bottom is None else max(bottom, b[3])
        if bottom > limit:
            break
    return band + 1


def _prose_lines(p: _PageData, lay: _Layout, caption_lines: set[int]) -> set[int]:
    """Body-text lines: wide, normally spaced lines, plus the short lines of blocks that are mostly such."""
    prose: set[int] = set()
    by_block: dict[int, list[int]] = defaultdict(list)
    for i, line in enumerate(p.lines):
        if i in caption_lines or not line.horizontal:
            continue
        by_block[line.block].append(i)
        col = _column_of(_center_x(line.box), lay)
        w = _width(line.box)
        if (line.size >= lay.body_size - 2.5 and w >= 0.55 * (col[1] - col[0])
                and len(line.text) * line.size / w >= 0.6 * lay.density):
            prose.add(i)
    for members in by_block.values():
        hits = [i for i in members if i in prose]
        if len(members) >= 2 and 2 * len(hits) >= len(members):
            sizes = {round(p.lines[i].size) for i in hits}
            prose.update(i for i in members if round(p.lines[i].size) in sizes)
    # Short body-size lines at normal line spacing from body text belong to it, e.g. the end of a paragraph
    # carried over to the top of a column, right under a float.
    near = 0.5 * lay.line_h
    loose = [i for members in by_block.values() for i in members
             if i not in prose and abs(p.lines[i].size - lay.body_size) <= 0.6]
    changed = True
    while changed:
        changed = False
        for i in loose:
            a = p.lines[i].box
            if i not in prose and any(
                _x_overlap(a, p.lines[j].box) > 0
                and (0 <= p.lines[j].box[1] - a[3] <= near or 0 <= a[1] - p.lines[j].box[3] <= near)
                for j in prose
            ):
                prose.add(i)
                changed = True
    return prose


def _limit(c: _Caption, captions: list[_Caption], barriers: list[Box], page: Box,
           up: bool) -> tuple[float, int | None]:
    """How far the search from a caption may go: the nearest body text, heading or caption in its range."""
    limit = page[1] if up else page[3]
    neighbor: int | None = None

    def overlaps(b: Box) -> bool:
        return _range_overlap(b, c.xr) >= 0.3 * min(_width(b), c.xr[1] - c.xr[0])

    for b in barriers:
        if overlaps(b):
            if up and b[3] <= c.box[1] + 1 and b[3] > limit:
                limit = b[3]
            elif not up and b[1] >= c.box[3] - 1 and b[1] < limit:
                limit = b[1]
    for j, o in enumerate(captions):
        if o is c or not overlaps(o.box):
            continue
        if up and o.box[3] <= c.box[1] + 1 and o.box[3] >= limit:
            limit, neighbor = o.box[3], j
        elif not up and o.box[1] >= c.box[3] - 1 and o.box[1] <= limit:
            limit, neighbor = o.box[1], j
    return limit, neighbor


def _grow(zone: list[_Element], edge: float, up: bool, gap_g: float, gap_t: float) -> list[_Element]:
    """Take elements outward from the caption while each is within a small gap of what was taken."""
    frontier = edge
    taken: list[_Element] = []
    skipped: list[_Element] = []
    for e in sorted(zone, key=lambda e: edge - e.box[3] if up else e.box[1] - edge):
        dist = frontier - e.box[3] if up else e.box[1] - frontier
        # The first step may cross the caption skip (LaTeX puts ~10pt between a plot's axis label and its
        # caption); after that, text must sit within a line of what was taken, graphics within three.
        if dist <= (gap_t if e.kind == "text" and taken else gap_g):
            taken.append(e)
            frontier = min(frontier, e.box[1]) if up else max(frontier, e.box[3])
        else:
            skipped.append(e)
    lo, hi = (frontier, edge) if up else (edge, frontier)
    taken.extend(e for e in skipped if e.box[1] >= lo - 1 and e.box[3] <= hi + 1)
    return taken


def _has_content(c: _Caption, taken: list[_Element]) -> bool:
    """Tables may be pure text; a figure needs at least one drawing or image."""
    return any(e.kind != "text" for e in taken) if c.kind is FigureKind.FIGURE else bool(taken)


def _preferred(c: _Caption) -> str:
    return "up" if c.kind is FigureKind.FIGURE else "down"


def _opposite(d: str) -> str:
    return "down" if d == "up" else "up"


def _choose_directions(captions: list[_Caption], options: list[dict[str, _Option]]) -> list[str | None]:
    """Pick above or below for each caption: the only side with graphics, else the conventional side.

    A caption with a single candidate side claims it first, and that takes the space away from the caption
    beyond it unless both face each other on their conventional sides (a table captioned above and the
    figure under it; the graphics are split later). The rest prefer sides nobody else can claim, so a table
    captioned below takes its own table rather than the figure under it.
    """
    n = len(captions)
    avail = [{d for d in ("up", "down") if options[i][d].taken} for i in range(n)]
    chosen: list[str | None] = [None] * n
    changed = True
    while changed:
        changed = False
        for i in range(n):
            if chosen[i] is not None or len(avail[i]) != 1:
                continue
            d = chosen[i] = next(iter(avail[i]))
            changed = True
            nb, back = options[i][d].neighbor, _opposite(d)
            if nb is not None and chosen[nb] is None and _clash(options[i][d], options[nb][back]) and not (
                    d == _preferred(captions[i]) and back == _preferred(captions[nb])):
                avail[nb].discard(back)

    def shared(i: int, d: str) -> bool:
        nb, back = options[i][d].neighbor, _opposite(d)
        return nb is not None and (chosen[nb] == back if chosen[nb] is not None else back in avail[nb])

    for i, c in enumerate(captions):
        if chosen[i] is None:
            pref, other = _preferred(c), _opposite(_preferred(c))
            order = [(pref, False), (other, False), (pref, True), (other, True)]
            chosen[i] = next((d for d, s in order if d in avail[i] and shared(i, d) == s), None)
    return chosen


def _clash(a: _Option, b: _Option) -> bool:
    """Two captions facing each other want some of the same elements."""
    return not {id(e) for e in a.taken}.isdisjoint(id(e) for e in b.taken)


def _resolve_shared(i: int, d: str, captions: list[_Caption], options: list[dict[str, _Option]],
                    chosen: list[str | None]) -> list[_Element]:
    """Split graphics between two captions that both claim the space between them."""
    taken = options[i][d].taken
    n = options[i][d].neighbor
    if n is None or chosen[n] != _opposite(d) or not _clash(options[i][d], options[n][_opposite(d)]):
        return taken
    mine, theirs = d == _preferred(captions[i]), chosen[n] == _preferred(captions[n])
    if mine != theirs:
        return taken if mine else []
    pool = {id(e): e for e in taken + options[n][_opposite(d)].taken}.values()
    spans = sorted((e.box[1], e.box[3]) for e in pool)
    merged = [list(spans[0])]
    for y0, y1 in spans[1:]:
        if y0 <= merged[-1][1] + 0.5:
            merged[-1][1] = max(merged[-1][1], y1)
        else:
            merged.append([y0, y1])
    if len(merged) == 1:  # nothing to split at: the caption below (the figure convention) keeps it
        return taken if d == "up" else []
    _, k = max((merged[k + 1][0] - merged[k][1], k) for k in range(len(merged) - 1))
    cut = (merged[k][1] + merged[k + 1][0]) / 2
    return [e for e in taken if (e.box[1] >= cut if d == "up" else e.box[3] <= cut)]


def _uncaptioned(p: _PageData, graphics: list[_Element], texts: list[_Element], regions: list[Box],
                 prose: list[Box]) -> list[LocatedFigure]:
    """Large leftover graphics (over 15% of the page, not a frame around text) become unnumbered figures."""
    page_area = _area(p.rect)
    free = [g for g in graphics if min(_width(g.box), _height(g.box)) >= 2
            and not any(_contains(r, g.box) for r in regions)]
    clusters: list[tuple[Box, list[_Element]]] = []
    for g in sorted(free, key=lambda g: g.box[1]):
        grown = (g.box[0] - 6, g.box[1] - 6, g.box[2] + 6, g.box[3] + 6)
        hit = [k for k, (b, _) in enumerate(clusters) if _area(_intersection(b, grown)) > 0]
        box, members = g.box, [g]
        for k in reversed(hit):
            b, ms = clusters.pop(k)
            box, members = _union(box, b), members + ms
        clusters.append((box, members))
    found: list[LocatedFigure] = []
    for box, members in clusters:
        if _area(box) <= 0.15 * page_area or any(_area(_intersection(box, r)) > 0 for r in regions):
            continue
        if not any(m.kind == "raster" for m in members) and len(members) < 3:
            continue
        if sum(_area(_intersection(box, t)) for t in prose) > 0.25 * _area(box):
            continue
        labels = [t.box for t in texts if _contains(box, t.box, tol=6)]
        bbox = _pad(_union_all([box, *labels]), p.rect)
        found.append(LocatedFigure(FigureKind.FIGURE, None, p.index, bbox, ""))
    return found


def _pad(b: Box, page: Box) -> Box:
    return _intersection((b[0] - _PAD, b[1] - _PAD, b[2] + _PAD, b[3] + _PAD), page)


# ---- public API -----------------------------------------------------------------------------------------
def locate_figures(doc: pymupdf.Document, *, max_pages: int = 50,
                   deadline: float | None = None) -> list[LocatedFigure]:
    """Figures and tables page by page, top to bottom; one per (kind, number): the first with graphics.

    Reads at most ``max_pages`` pages, and no page after ``deadline`` (a time.monotonic() value).
    """
    pages: list[_PageData] = []
    for index in range(min(doc.page_count, max_pages)):
        if deadline is not None and time.monotonic() > deadline:
            log.warning("figure search stopped at page %d: time limit reached", index)
            break
        try:
            pages.append(_read_page(doc[index]))
        except Exception:  # a broken page must not cost the paper its other figures
            log.warning("skipping unreadable page %d", index, exc_info=True)
    if not pages:
        return []
    lay = _layout(pages)
    found: list[LocatedFigure] = []
    seen: set[tuple[FigureKind, str]] = set()
    for p in pages:
        try:
            located = _locate_page(p, lay)
        except Exception:
            log.warning("skipping page %d: figure location failed", p.index, exc_info=True)
            continue
        for f in sorted(located, key=lambda f: (f.bbox[1], f.bbox[0])):
            if f.number is not None:
                if (f.kind, f.number) in seen:
                    continue
                seen.add((f.kind, f.number))
            found.append(f)
    return found


def first_page_figure(doc: pymupdf.Document) -> LocatedFigure:
    """The whole first page, used as the paper's thumbnail."""
    page = doc[0]
    r = page.rect * page.derotation_matrix
    return LocatedFigure(FigureKind.PAGE, None, 0, (r.x0, r.y0, r.x1, r.y1), "")


def render_figures(doc: pymupdf.Document, figures: list[LocatedFigure], *, dpi: int = 150,
                   max_pixels: int = 1600, max_bytes: int = 1_500_000) -> list[RenderedFigure]:
    """Render each figure (skipping any that fails): PNG for line art, JPEG for photos or oversized PNGs."""
    rendered: list[RenderedFigure] = []
    for fig in figures:
        try:
            rendered.append(_render(doc, fig, dpi, max_pixels, max_bytes))
        except Exception:
            log.warning("could not render %s %s on page %d", fig.kind, fig.number, fig.page, exc_info=True)
    return rendered


def _render(doc: pymupdf.Document, fig: LocatedFigure, dpi: int, max_pixels: int,
            max_bytes: int) -> RenderedFigure:
    page = doc[fig.page]
    clip = (pymupdf.Rect(fig.bbox) * page.rotation_matrix) & page.rect
    if clip.is_empty:
        raise ValueError(f"figure box {fig.bbox} is outside page {fig.page}")
    images = [i for i in page.get_image_info() if _area(_intersection(fig.bbox, tuple(i["bbox"]))) > 0]
    if any(i["width"] * i["height"] > _MAX_IMAGE_PIXELS for i in images):
        raise ValueError(f"figure shows an embedded image over {_MAX_IMAGE_PIXELS} pixels")
    if fig.kind is FigureKind.PAGE:
        dpi, photo = min(dpi, _PAGE_DPI), True
    else:
        covered = sum(_area(_intersection(fig.bbox, tuple(i["bbox"]))) for i in images)
        photo = covered > 0.5 * _area(fig.bbox)
    scale = min(dpi / 72, max_pixels / max(clip.width, clip.height))
    while True:
        pix = page.get_pixmap(matrix=pymupdf.Matrix(scale, scale), clip=clip, alpha=False)
        if max(pix.width, pix.height) > max_pixels:  # the clip is rounded outwards to whole pixels
            ratio = max_pixels / max(pix.width, pix.height)
            pix = pymupdf.Pixmap(pix, max(1, int(pix.width * ratio)), max(1, int(pix.height * ratio)), None)
        if not photo:
            data = pix.tobytes("png")
            photo = len(data) > max_bytes  # too busy for PNG: JPEG from here on, shrinking if need be
        if photo:
            data = pix.tobytes("jpeg", jpg_quality=_JPEG_QUALITY)
        if len(data) <= max_bytes or max(pix.width, pix.height) < 64:
            content_type = "image/jpeg" if photo else "image/png"
            return RenderedFigure(fig, data, content_type, pix.width, pix.height)
        scale *= 0.7


def _number_key(number: str | None) -> tuple[int, int, str]:
    """Sort key: plain numbers (arabic or roman) first, then prefixed ones like S1 or A.2, then unnumbered."""
    if number is None:
        return (3, 0, "")
    if m := re.fullmatch(r"(\d+)(.*)", number):
        return (0, int(m[1]), m[2])
    if all(ch in _ROMAN for ch in number):
        values = [_ROMAN[ch] for ch in number]
        return (0, sum(-v if v < nxt else v for v, nxt in zip(values, values[1:] + [0], strict=True)), "")
    if m := re.fullmatch(r"([A-Z])\.?(\d+)(.*)", number):
        return (1, ord(m[1]) * 10_000 + int(m[2]), m[3])
    return (2, 0, number)


def extract(doc: pymupdf.Document, *, dpi: int = 150, max_pixels: int = 1600, max_figures: int | None = None,
            include_first_page: bool = True, max_pages: int = 50,
            time_limit: float | None = 60.0) -> list[RenderedFigure]:
    """First page first, then figures in figure-number order, then tables in number order; capped at
    max_figures (cap counts the page image).

    Work is bounded: at most ``max_pages`` pages are searched, oversized embedded images are not decoded,
    and after ``time_limit`` seconds no further page is read nor figure rendered (a MuPDF call already
    running is not interrupted). Raises UnreadablePDF for documents that are not PDFs or are encrypted.
    """
    if not doc.is_pdf:
        raise UnreadablePDF("not a PDF (an HTML or other page saved as .pdf?)")
    if doc.needs_pass:
        raise UnreadablePDF("PDF is encrypted with a password")
    deadline = None if time_limit is None else time.monotonic() + time_limit
    located = locate_figures(doc, max_pages=max_pages, deadline=deadline)
    order = {FigureKind.FIGURE: 0, FigureKind.TABLE: 1}
    located.sort(key=lambda f: (order.get(f.kind, 2), _number_key(f.number), f.page, f.bbox[1]))
    if include_first_page and doc.page_count:
        located.insert(0, first_page_figure(doc))
    rendered: list[RenderedFigure] = []
    for fig in located:
        if max_figures is not None and len(rendered) >= max_figures:
            break
        if fig.kind is not FigureKind.PAGE and deadline is not None and time.monotonic() > deadline:
            log.warning("stopped rendering figures: time limit reached")
            break
        rendered.extend(render_figures(doc, [fig], dpi=dpi, max_pixels=max_pixels))
    return rendered


def write_figures_dir(pdf_path: Path, outdir: Path, *, dpi: int = 150) -> list[dict[str, Any]]:
    """CLI helper: writes each image (e.g. figure-1.png, table-2.png, page-1.jpg) and figures.json (a list of
    {kind, number, page, bbox, caption, file, content_type, width, height}) into outdir; returns that list."""
    outdir.mkdir(parents=True, exist_ok=True)
    entries: list[dict[str, Any]] = []
    try:
        doc = pymupdf.open(pdf_path, filetype="pdf")
    except Exception as exc:
        raise UnreadablePDF(f"{pdf_path} cannot be opened as a PDF: {exc}") from exc
    with doc:
        rendered = extract(doc, dpi=dpi)
    names: Counter[str] = Counter()
    for r in rendered:
        f = r.figure
        if f.kind is FigureKind.PAGE:
            stem = f"page-{f.page + 1}"
        elif f.number is None:
            stem = f"{f.kind.value}-p{f.page + 1}"
        else:
            stem = f"{f.kind.value}-{re.sub(r'[^A-Za-z0-9.]+', '_', f.number)}"
        names[stem] += 1
        if names[stem] > 1:
            stem = f"{stem}-{names[stem]}"
        name = f"{stem}.{'jpg' if r.content_type == 'image/jpeg' else 'png'}"
        (outdir / name).write_bytes(r.data)
        entries.append({"kind": f.kind.value, "number": f.number, "page": f.page, "bbox": list(f.bbox),
                        "caption": f.caption, "file": name, "content_type": r.content_type,
                        "width": r.width, "height": r.height})
    (outdir / "figures.json").write_text(json.dumps(entries, indent=2, ensure_ascii=False), encoding="utf-8")
    return entries
