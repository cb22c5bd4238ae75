"""Synthetic paper generator: real-looking PDFs drawn with PyMuPDF, plus the exact box of every figure/table.

Figure specs (``make_paper(figures=[...])``) are dicts with a ``kind`` and optional keys:

- ``"vector"``: a line plot (``style="bar"`` for bars) with axes, ticks, tick labels and a legend.
- ``"raster"``: a noisy-gradient photo (an embedded image).
- ``"multipanel"``: ``panels`` (2 or 3) side-by-side sub-plots labelled (a), (b), (c); ``raster_panel`` (bool)
  makes the first panel a photo, so the figure is "mixed".
- ``"spanning"``: a wide multi-panel figure; in two-column mode it spans both columns at the top of a page.
- ``"table"``: a booktabs-style table (``grid`` for a full grid, ``rows``/``columns`` for its size) with its
  caption ABOVE.
- ``"uncaptioned"``: a photo with no caption (truth number ``""``), over 15% of the page in one-column mode.

Common keys: ``caption`` (text after "Figure N: "), ``label`` ("Fig.", "TABLE", ...) and ``delim`` (":" by
default, "." or "" for other styles), ``caption_below`` (tables only), ``after`` (index of the paragraph the
float follows; defaults spread the floats through the text), ``top`` (always float to the top of the next
column, stacking with other deferred floats). Floats are numbered in order of appearance.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import pymupdf

PAGE_W, PAGE_H = 612.0, 792.0
TOP, BOTTOM = 72.0, 720.0
BODY_FONT, BOLD_FONT, SANS_FONT, SANS_BOLD = "tiro", "tibo", "helv", "hebo"
BODY_SIZE, LEADING, CAPTION_SIZE, SMALL_SIZE = 10.0, 12.2, 9.0, 6.5
FLOAT_GAP = 18.0
PALETTE = [(0.12, 0.47, 0.71), (1.0, 0.5, 0.05), (0.17, 0.63, 0.17), (0.84, 0.15, 0.16)]
_FONTS = {name: pymupdf.Font(name) for name in (BODY_FONT, BOLD_FONT, SANS_FONT, SANS_BOLD)}

DEFAULT_FIGURES: list[dict] = [
    {"kind": "vector"},
    {"kind": "raster"},
    {"kind": "table"},
    {"kind": "vector", "style": "bar"},
]

_SUBJECTS = ["The model", "Our method", "The encoder", "This approach", "The proposed objective",
             "The baseline", "A sparse variant", "The decoder", "Each attention head",
             "The training schedule"]
_VERBS = ["improves", "reduces", "captures", "outperforms", "stabilises", "accelerates", "regularises",
          "simplifies", "preserves", "recovers"]
_OBJECTS = ["the reconstruction error", "long-range dependencies", "the prior work", "the memory footprint",
            "the gradient variance", "fine-grained structure", "the calibration of predictions",
            "the number of tokens", "the optimisation landscape", "the representation quality"]
_TAILS = ["on all benchmarks we consider", "without additional supervision", "at a fraction of the cost",
          "in the low-data regime", "across random seeds", "when the input resolution grows",
          "compared with dense attention", "under distribution shift", "for every model size",
          "while keeping inference latency constant"]
_LABELS = ["Accuracy", "Loss", "Recall", "BLEU", "FID", "Reward"]
_METHODS = ["Baseline", "ResNet-50", "ViT-B/16", "Swin-T", "DeiT-S", "Ours"]


@dataclass
class TruthBox:
    """Ground truth for one float: kind ("figure"/"table"), number, 0-based page and graphic+caption box."""

    kind: str
    number: str
    page: int
    bbox: tuple[float, float, float, float]
    graphic: str  # "vector" | "raster" | "mixed"


@dataclass
class _Box:
    """A growing union of rectangles (the truth box of a float)."""

    rect: pymupdf.Rect = field(default_factory=lambda: pymupdf.Rect(pymupdf.EMPTY_RECT()))

    def add(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.rect |= pymupdf.Rect(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


@functools.cache
def _advance(font: str, char: str) -> float:
    return _FONTS[font].glyph_advance(ord(char))


def _width(text: str, font: str, size: float) -> float:
    """Text width in points (Font.text_length is slow; per-glyph advances are cached)."""
    return sum(_advance(font, c) for c in text) * size


def _text(page: pymupdf.Page, box: _Box | None, x: float, baseline: float, text: str, font: str,
          size: float, color: tuple[float, float, float] = (0, 0, 0)) -> float:
    """Write one line of horizontal text, add its box as MuPDF will report it, and return its width."""
    page.insert_text((x, baseline), text, fontname=font, fontsize=size, color=color)
    width = _width(text, font, size)
    if box is not None:
        f = _FONTS[font]
        box.add(x, baseline - f.ascender * size, x + width, baseline - f.descender * size)
    return width


def _wrap(text: str, width: float, font: str, size: float, first_indent: float = 0.0) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        limit = width - (first_indent if not lines else 0.0)
        if current and _width(candidate, font, size) > limit:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def _photo(rng: random.Random, w: int = 160, h: int = 120) -> pymupdf.Pixmap:
    """A photo-like raster: a smooth two-colour gradient with a few blobs and per-pixel noise."""
    c0 = [rng.randint(20, 120) for _ in range(3)]
    c1 = [rng.randint(130, 250) for _ in range(3)]
    blobs = [(rng.uniform(0, w), rng.uniform(0, h), rng.uniform(8, 30), rng.randint(-90, 90))
             for _ in range(4)]
    noise = [rng.randint(-18, 18) for _ in range(997)]
    samples = bytearray()
    for y in range(h):
        for x in range(w):
            t = (x / w + y / h) / 2
            bump = sum(a for bx, by, r, a in blobs if (x - bx) ** 2 + (y - by) ** 2 < r * r)
            n = noise[(x * 31 + y * 17) % 997]
            samples.extend(max(0, min(255, int(c0[i] + (c1[i] - c0[i]) * t + bump + n))) for i in range(3))
    return pymupdf.Pixmap(pymupdf.csRGB, w, h, bytes(samples), False)


class _Paper:
    """A minimal LaTeX-like layout engine: flowing text in 1 or 2 columns with floats."""

    def __init__(self, columns: int, seed: int, title: str) -> None:
        self.doc = pymupdf.open()
        self.rng = random.Random(seed)
        self.columns = columns
        self.title = title
        margin = 72.0 if columns == 1 else 54.0
        gutter = 18.0
        self.left, self.right = margin, PAGE_W - margin
        col_w = (self.right - self.left - gutter * (columns - 1)) / columns
        self.cols = [(self.left + i * (col_w + gutter), self.left + i * (col_w + gutter) + col_w)
                     for i in range(columns)]
        self.truth: list[TruthBox] = []
        self.pending: list[tuple[float, Callable[[float, float, float], float]]] = []
        self.pending_span: list[tuple[float, Callable[[float, float, float], float]]] = []
        self.counts = {"figure": 0, "table": 0}
        self.col = 0
        self.col_top = TOP
        self.y = TOP
        self.new_page()

    # ---- flow -------------------------------------------------------------------------------------------
    @property
    def page(self) -> pymupdf.Page:
        return self.doc[-1]

    def new_page(self) -> None:
        page = self.doc.new_page(width=PAGE_W, height=PAGE_H)
        index = page.number
        head = self.title[:48]
        _text(page, None, self.left, 52, "Preprint. Under review.", BODY_FONT, 8)
        _text(page, None, self.right - _width(head, BODY_FONT, 8), 52, head, BODY_FONT, 8)
        page.draw_line((self.left, 58), (self.right, 58), width=0.5)
        num = str(index + 1)
        _text(page, None, (PAGE_W - _width(num, BODY_FONT, 9)) / 2, 750, num, BODY_FONT, 9)
        self.col, self.col_top, self.y = 0, TOP, TOP
        spans, self.pending_span = self.pending_span, []
        for _height, draw in spans:
            self.col_top = draw(self.left, self.right, self.col_top) + FLOAT_GAP
        self.y = self.col_top
        self._flush_pending()

    def _flush_pending(self) -> None:
        """Place deferred column floats at the top of the new column, as LaTeX does."""
        while self.pending and self.y + self.pending[0][0] <= BOTTOM:
            _height, draw = self.pending.pop(0)
            x0, x1 = self.cols[self.col]
            self.y = draw(x0, x1, self.y) + FLOAT_GAP

    def advance(self) -> None:
        if self.col + 1 < self.columns:
            self.col += 1
            self.y = self.col_top
            self._flush_pending()
        else:
            self.new_page()

    def place(self, height: float, draw: Callable[[float, float, float], float], spanning: bool,
              defer: bool = False) -> None:
        """Draw a float here if it fits, else defer it to the next column (or next page when spanning)."""
        if spanning and self.columns > 1:
            self.pending_span.append((height, draw))
        elif not defer and not self.pending and self.y + FLOAT_GAP + height <= BOTTOM:
            x0, x1 = self.cols[self.col]
            self.y = draw(x0, x1, self.y + FLOAT_GAP) + FLOAT_GAP
        else:
            self.pending.append((height, draw))

    def flush_floats(self) -> None:
        while self.pending or self.pending_span:
            self.advance()

    # ---- text -------------------------------------------------------------------------------------------
    def paragraph(self, text: str, *, font: str = BODY_FONT, size: float = BODY_SIZE, indent: float = 10.0,
                  leading: float = LEADING) -> None:
        x0, x1 = self.cols[self.col]
        for i, line in enumerate(_wrap(text, x1 - x0, font, size, indent)):
            if self.y + leading > BOTTOM:
                self.advance()
            x0, x1 = self.cols[self.col]
            _text(self.page, None, x0 + (indent if i == 0 else 0.0), self.y + size, line, font, size)
            self.y += leading
        self.y += 3.0

    def heading(self, text: str) -> None:
        if self.y + 40 > BOTTOM:
            self.advance()
        self.y += 8.0
        x0, _ = self.cols[self.col]
        _text(self.page, None, x0, self.y + 12, text, BOLD_FONT, 12)
        self.y += 20.0

    def title_block(self, authors: list[str], affiliations: list[str] | None = None) -> None:
        page = self.page
        for i, line in enumerate(_wrap(self.title, self.right - self.left - 40, SANS_BOLD, 17)):
            w = _width(line, SANS_BOLD, 17)
            _text(page, None, (PAGE_W - w) / 2, TOP + 18 + i * 21, line, SANS_BOLD, 17)
            self.y = TOP + 30 + i * 21
        author_line = ", ".join(authors)
        for line in [*_wrap(author_line, self.right - self.left - 60, BODY_FONT, 11), *(affiliations or [])]:
            w = _width(line, BODY_FONT, 11)
            _text(page, None, (PAGE_W - w) / 2, self.y + 14, line, BODY_FONT, 11)
            self.y += 14
        self.y += 18
        self.col_top = self.y
        # arXiv-style identifier stamp in the left margin and a small logo in the header: both decoration.
        page.insert_text((36, 560), "arXiv:2406.01234v1 [cs.LG] 3 Jun 2024", fontname=SANS_FONT, fontsize=18,
                         rotate=90, color=(0.5, 0.5, 0.5))
        page.insert_image(pymupdf.Rect(self.right - 20, 16, self.right, 36), pixmap=_photo(self.rng, 24, 24))

    # ---- floats -----------------------------------------------------------------------------------------
    def _caption(self, box: _Box, label: str, text: str, x0: float, x1: float, top: float) -> float:
        """Write "Label N: text" (bold label, centred if one line) starting at ``top``; return its bottom."""
        head = f"{label} "
        head_w = _width(head, BOLD_FONT, CAPTION_SIZE)
        lines = _wrap(text, x1 - x0, BODY_FONT, CAPTION_SIZE, head_w)
        leading = CAPTION_SIZE * 1.2
        baseline = top + CAPTION_SIZE
        for i, line in enumerate(lines):
            x = x0
            if i == 0:
                if len(lines) == 1:
                    x = (x0 + x1 - head_w - _width(line, BODY_FONT, CAPTION_SIZE)) / 2
                _text(self.page, box, x, baseline, label, BOLD_FONT, CAPTION_SIZE)
                x += head_w
            _text(self.page, box, x, baseline, line, BODY_FONT, CAPTION_SIZE)
            baseline += leading
        return top + len(lines) * leading

    def _caption_height(self, label: str, text: str, width: float) -> float:
        head_w = _width(f"{label} ", BOLD_FONT, CAPTION_SIZE)
        return len(_wrap(text, width, BODY_FONT, CAPTION_SIZE, head_w)) * CAPTION_SIZE * 1.2

    def add_float(self, spec: dict) -> None:
        kind = spec["kind"]
        spanning = kind == "spanning"
        full = spanning or self.columns == 1
        width = (self.right - self.left) if full else (self.cols[0][1] - self.cols[0][0])
        if kind == "uncaptioned":
            height = 0.3 * PAGE_H + 96
            self.place(height, self._uncaptioned(height), spanning=False)
            return
        table = kind == "table"
        key = "table" if table else "figure"
        self.counts[key] += 1
        number = str(self.counts[key])
        label = f"{spec.get('label', 'Table' if table else 'Figure')} {number}{spec.get('delim', ':')}"
        caption = spec.get("caption") or self.caption_text(table)
        graphic_h = self._table_height(spec) if table else float(spec.get("height", 0.38 * width + 30))
        if kind in ("multipanel", "spanning") and "height" not in spec:
            graphic_h = min(150.0, width / spec.get("panels", 3) * 0.8 + 14) if spanning else 0.55 * width
        height = graphic_h + 8 + self._caption_height(label, caption, width)

        def draw(x0: float, x1: float, top: float) -> float:
            if spanning:
                x0, x1 = self.left, self.right
            box = _Box()
            if table and spec.get("caption_below"):
                bottom = self._table(box, spec, x0, x1, top)
                bottom = self._caption(box, label, caption, x0, x1, bottom + 8)
                graphic = "vector"
            elif table:
                bottom = self._caption(box, label, caption, x0, x1, top)
                bottom = self._table(box, spec, x0, x1, bottom + 6)
                graphic = "vector"
            else:
                graphic = self._figure_graphic(box, kind, spec, x0, x1, top, graphic_h)
                bottom = self._caption(box, label, caption, x0, x1, box.rect.y1 + 8)
            r = box.rect
            self.truth.append(TruthBox(key, number, self.page.number, (r.x0, r.y0, r.x1, r.y1), graphic))
            return bottom

        self.place(height, draw, spanning, defer=bool(spec.get("top")))

    def _uncaptioned(self, height: float) -> Callable[[float, float, float], float]:
        """A large photo with no caption, kept well clear of other floats so that it is unambiguous."""
        clear = 48.0

        def draw(x0: float, x1: float, top: float) -> float:
            rect = pymupdf.Rect(x0 + 0.1 * (x1 - x0), top + clear, x1 - 0.1 * (x1 - x0), top + height - clear)
            self.page.insert_image(rect, pixmap=_photo(self.rng, 120, 90), keep_proportion=False)
            box = (rect.x0, rect.y0, rect.x1, rect.y1)
            self.truth.append(TruthBox("figure", "", self.page.number, box, "raster"))
            return top + height

        return draw

    def _figure_graphic(self, box: _Box, kind: str, spec: dict, x0: float, x1: float, top: float,
                        height: float) -> str:
        page = self.page
        width = x1 - x0
        if kind == "vector":
            w = width * (0.92 if self.columns > 1 else 0.62)
            self._plot(box, pymupdf.Rect((x0 + x1 - w) / 2, top, (x0 + x1 + w) / 2, top + height),
                       spec.get("style", "line"))
            return "vector"
        if kind == "raster":
            w = min(width * 0.8, height * 4 / 3)
            rect = pymupdf.Rect((x0 + x1 - w) / 2, top, (x0 + x1 + w) / 2, top + w * 3 / 4)
            page.insert_image(rect, pixmap=_photo(self.rng))
            box.add(*rect)
            return "raster"
        panels = int(spec.get("panels", 3 if kind == "spanning" else 2))
        raster_first = bool(spec.get("raster_panel", kind == "spanning"))
        gap = 10.0
        pw = (width - gap * (panels - 1)) / panels
        for i in range(panels):
            px0 = x0 + i * (pw + gap)
            rect = pymupdf.Rect(px0, top, px0 + pw, top + height - 12)
            if i == 0 and raster_first:
                side = min(rect.width, rect.height)
                left = rect.x0 + (rect.width - side) / 2
                img = pymupdf.Rect(left, rect.y0, left + side, rect.y0 + side)
                page.insert_image(img, pixmap=_photo(self.rng, 96, 96))
                box.add(*img)
            else:
                self._plot(box, rect, "bar" if i == 2 else "line")
            label = f"({'abc'[i]}) {self.rng.choice(_LABELS).lower()}"
            lw = _width(label, BODY_FONT, 8)
            _text(page, box, px0 + (pw - lw) / 2, top + height - 2, label, BODY_FONT, 8)
        return "mixed" if raster_first else "vector"

    def _plot(self, box: _Box, rect: pymupdf.Rect, style: str) -> None:
        """An axes frame with ticks, tick labels, axis labels, curves or bars and a legend."""
        page, rng = self.page, self.rng
        ax = pymupdf.Rect(rect.x0 + 24, rect.y0 + 3, rect.x1 - 4, rect.y1 - 18)
        page.draw_rect(ax, color=(0, 0, 0), width=0.6)
        box.add(*ax)
        for i in range(5):
            x = ax.x0 + i * ax.width / 4
            page.draw_line((x, ax.y1), (x, ax.y1 - 3), width=0.5)
            label = str(i * 25)
            lw = _width(label, SANS_FONT, SMALL_SIZE)
            _text(page, box, x - lw / 2, ax.y1 + 8, label, SANS_FONT, SMALL_SIZE)
        for i in range(4):
            y = ax.y1 - i * ax.height / 3
            page.draw_line((ax.x0, y), (ax.x0 + 3, y), width=0.5)
            label = f"{i / 3:.1f}"
            lw = _width(label, SANS_FONT, SMALL_SIZE)
            _text(page, box, ax.x0 - 3 - lw, y + 2, label, SANS_FONT, SMALL_SIZE)
        xlabel = "Epoch" if style == "line" else "Method"
        _text(page, box, (ax.x0 + ax.x1 - _width(xlabel, SANS_FONT, 7)) / 2, ax.y1 + 16, xlabel, SANS_FONT, 7)
        ylabel = rng.choice(_LABELS)
        ylen = _width(ylabel, SANS_FONT, 7)
        px, py = rect.x0 + 7, (ax.y0 + ax.y1 + ylen) / 2
        page.insert_text((px, py), ylabel, fontname=SANS_FONT, fontsize=7, rotate=90)
        f = _FONTS[SANS_FONT]
        box.add(px - f.ascender * 7, py - ylen, px - f.descender * 7, py)
        series = rng.randint(2, 3)
        if style == "bar":
            n = 5
            bw = ax.width / (n * (series + 1))
            for i in range(n):
                for s in range(series):
                    h = ax.height * rng.uniform(0.2, 0.9)
                    x = ax.x0 + (i * (series + 1) + s + 0.5) * bw
                    page.draw_rect(pymupdf.Rect(x, ax.y1 - h, x + bw, ax.y1), color=None, fill=PALETTE[s])
        else:
            for s in range(series):
                rate, top = rng.uniform(0.08, 0.3), rng.uniform(0.55, 0.92)
                pts = []
                for k in range(30):
                    t = k / 29
                    v = top * (1 - 2.718 ** (-k * rate)) + rng.uniform(-0.02, 0.02)
                    pts.append(pymupdf.Point(ax.x0 + t * ax.width, ax.y1 - max(0.0, min(1.0, v)) * ax.height))
                page.draw_polyline(pts, color=PALETTE[s], width=1.0)
        lx, ly = ax.x1 - 46, ax.y1 - 8 - 8 * series
        page.draw_rect(pymupdf.Rect(lx - 3, ly - 5, ax.x1 - 3, ly + 8 * series - 2), color=(0.6, 0.6, 0.6),
                       fill=(1, 1, 1), width=0.4)
        for s in range(series):
            y = ly + 8 * s
            page.draw_line((lx, y), (lx + 9, y), color=PALETTE[s], width=1.2)
            _text(page, None, lx + 12, y + 2, _METHODS[s + 2], SANS_FONT, 5.5)

    def _table_rows(self, spec: dict) -> list[list[str]]:
        if "_rows" not in spec:
            cols = ["Method", "Acc. (%)", "F1", "Params (M)"][: int(spec.get("columns", 4))]
            rows = [cols]
            for name in _METHODS[: int(spec.get("rows", 5))]:
                rows.append([name] + [f"{self.rng.uniform(40, 95):.1f}" for _ in cols[1:]])
            spec["_rows"] = rows
        return spec["_rows"]

    def _table_height(self, spec: dict) -> float:
        return 6 + len(self._table_rows(spec)) * 12.0 + 6

    def _table(self, box: _Box, spec: dict, x0: float, x1: float, top: float) -> float:
        page = self.page
        rows = self._table_rows(spec)
        ncol = len(rows[0])
        widths = [max(_width(r[c], BOLD_FONT, CAPTION_SIZE) for r in rows) + 16 for c in range(ncol)]
        tw = min(sum(widths), x1 - x0)
        tx0 = (x0 + x1 - tw) / 2
        grid = bool(spec.get("grid", False))
        y = top
        page.draw_line((tx0, y), (tx0 + tw, y), width=0.8)
        box.add(tx0, y - 0.4, tx0 + tw, y + 0.4)
        for r, row in enumerate(rows):
            x = tx0
            for c, cell in enumerate(row):
                font = BOLD_FONT if r == 0 else BODY_FONT
                _text(page, box, x + 8, y + 9.5, cell, font, CAPTION_SIZE)
                x += widths[c] * tw / sum(widths)
            y += 12.0
            if r == 0 or grid:
                page.draw_line((tx0, y), (tx0 + tw, y), width=0.5)
        page.draw_line((tx0, y), (tx0 + tw, y), width=0.8)
        if grid:
            x = tx0
            for w in widths:
                page.draw_line((x, top), (x, y), width=0.5)
                x += w * tw / sum(widths)
            page.draw_line((tx0 + tw, top), (tx0 + tw, y), width=0.5)
        box.add(tx0, y - 0.4, tx0 + tw, y + 0.4)
        return y

    # ---- words ------------------------------------------------------------------------------------------
    def sentence(self) -> str:
        r = self.rng
        return f"{r.choice(_SUBJECTS)} {r.choice(_VERBS)} {r.choice(_OBJECTS)} {r.choice(_TAILS)}."

    def paragraph_text(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(4, 7)))

    def caption_text(self, table: bool) -> str:
        what = ("Comparison with prior work on the validation split" if table
                else "Behaviour of the sparse model")
        extra = " ".join(self.sentence() for _ in range(self.rng.randint(0, 2)))
        return f"{what}. {extra}".strip()


_DEFAULT_SECTIONS = {"1 Introduction": 3, "2 Related Work": 2, "3 Method": 3, "4 Experiments": 3,
                     "5 Conclusion": 1}


def make_paper(*, title: str = "Learning Sparse Attention for Efficient Vision Transformers",
               authors: list[str] | None = None, sections: dict[str, str] | None = None, columns: int = 1,
               figures: list[dict] | None = None, seed: int = 0,
               rotate: int = 0, affiliations: list[str] | None = None, abstract: str | None = None,
               footnote: str | None = None) -> tuple[bytes, list[TruthBox]]:
    """Draw a paper; return its PDF bytes and truth boxes (figures by number, tables, then uncaptioned).

    ``sections`` maps headings to text (paragraphs separated by blank lines); without it the default
    sections get generated prose with planted mentions of every float. ``rotate`` sets /Rotate on every
    page; truth boxes stay in unrotated page coordinates, as PyMuPDF's text extraction reports them.
    """
    if columns not in (1, 2):
        raise ValueError("columns must be 1 or 2")
    paper = _Paper(columns, seed, title)
    paper.title_block(authors or ["Ada Lovelace", "Alan Turing", "Grace Hopper"], affiliations)
    if footnote:  # small type at the foot of the first page, as LaTeX sets \thanks and \footnote
        paper.doc[0].insert_text((paper.left, PAGE_H - 40), footnote, fontname=BODY_FONT, fontsize=7)
    specs = [dict(f) for f in (DEFAULT_FIGURES if figures is None else figures)]
    for i, spec in enumerate(specs):
        spec.setdefault("after", 1 + 2 * i)
    if sections is None:
        body = {h: [paper.paragraph_text() for _ in range(n)] for h, n in _DEFAULT_SECTIONS.items()}
    else:
        body = {h: [p for p in text.split("\n\n") if p.strip()] for h, text in sections.items()}

    # Body-text mentions: "as shown in Figure N" mid-paragraph before each float and a paragraph that
    # *starts* with "Figure N shows" after it, the hardest case for a caption detector.
    counts = {"figure": 0, "table": 0}
    numbers: dict[int, tuple[str, int]] = {}
    for i, spec in enumerate(specs):
        if spec["kind"] != "uncaptioned":
            key = "table" if spec["kind"] == "table" else "figure"
            counts[key] += 1
            numbers[i] = (key, counts[key])
    paragraphs = [(h, p) for h, ps in body.items() for p in ps]
    if sections is None:
        for i, (key, n) in numbers.items():
            name = "Table" if key == "table" else "Figure"
            at = specs[i]["after"]
            if at < len(paragraphs):
                h, p = paragraphs[at]
                first, _, rest = p.partition(". ")
                paragraphs[at] = (h, f"{first}, as shown in {name} {n}. {rest}")
            if at + 1 < len(paragraphs):
                h, p = paragraphs[at + 1]
                verb = "reports" if key == "table" else "shows"
                lead = p[0].lower() if p[1:2].islower() else p[0]
                paragraphs[at + 1] = (h, f"{name} {n} {verb} that {lead}{p[1:]}")

    abstract = abstract or " ".join(paper.sentence() for _ in range(5))
    paper.heading("Abstract")
    paper.paragraph(abstract, indent=0.0)
    heading = None
    for index, (h, p) in enumerate(paragraphs):
        if h != heading:
            paper.heading(h)
            heading = h
        paper.paragraph(p)
        for spec in specs:
            if spec["after"] == index:
                paper.add_float(spec)
    for spec in specs:
        if spec["after"] >= len(paragraphs):
            paper.add_float(spec)
    if "References" not in body:  # small-font, full-width lines: body text for the extractor, not a table
        paper.heading("References")
        for i in range(6):
            who = paper.rng.choice(["A. Smith", "B. Chen", "C. Okafor", "D. Novak"])
            year = paper.rng.randint(2010, 2024)
            venue = f"In Proc. of the Conference on Learning, {year}."
            paper.paragraph(f"[{i + 1}] {who} and others. {paper.sentence()} {venue}", size=8.0, leading=9.6,
                            indent=0.0)
    paper.flush_floats()
    if rotate:
        for page in paper.doc:
            page.set_rotation(rotate)
    data = paper.doc.tobytes(garbage=3, deflate=True)
    order = {"figure": 0, "table": 1}
    truth = sorted(paper.truth, key=lambda t: (order[t.kind], t.number == "", int(t.number or 0), t.page))
    return data, truth


# Float mixes the figure tests and the benchmark both lay out (arguments to make_paper's ``figures``).
MIXED_2COL = [{"kind": "vector"}, {"kind": "spanning"}, {"kind": "table"}, {"kind": "raster"},
              {"kind": "multipanel", "raster_panel": True}, {"kind": "table", "grid": True}]
MIXED_1COL = [{"kind": "multipanel", "panels": 3}, {"kind": "table", "grid": True}, {"kind": "uncaptioned"},
              {"kind": "raster"}, {"kind": "table"}, {"kind": "spanning"}]
# Floats stacked at the top of a column: table (caption above) over a figure (caption below) must be split.
STACKED = [{"kind": "table", "after": 1, "top": True}, {"kind": "vector", "after": 1, "top": True},
           {"kind": "table", "after": 3, "caption_below": True}, {"kind": "raster", "after": 3},
           {"kind": "multipanel", "after": 3}]
IEEE = [{"kind": "vector", "label": "Fig.", "delim": "."},
        {"kind": "table", "label": "TABLE", "caption_below": True},
        {"kind": "raster", "label": "Fig.", "delim": "."}, {"kind": "spanning", "label": "Fig.", "delim": ""},
        {"kind": "table", "label": "TABLE", "delim": ""}]
RASTER_HEAVY = [{"kind": "raster"}, {"kind": "multipanel", "panels": 3, "raster_panel": True},
                {"kind": "raster"}, {"kind": "uncaptioned"}, {"kind": "vector", "style": "bar"}]
