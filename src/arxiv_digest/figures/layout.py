"""Stage 1, reading: each page reduced to text lines, vector drawings and raster images, and the document's
body font, line height, columns and text area estimated over all pages."""

from __future__ import annotations

import logging
import math
import re
import statistics
import zlib
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pymupdf

from .geometry import Box, area, center_x, contains, height, intersection, near, rounded, union, union_all, width

# An embedded image as drawn on the unrotated page: its box and its pixel count.
Images = tuple[tuple[Box, int], ...]
log = logging.getLogger(__name__)

TEXT_FLAGS = pymupdf.TEXTFLAGS_DICT & ~pymupdf.TEXT_PRESERVE_IMAGES
# "Figure", "Fig.", "FIG.", "Table", "TABLE", and the labels of papers and theses written in other languages:
# "Figura"/"Tabla", "Figura"/"Tabela", "Figura"/"Tabella", "Abbildung"/"Tabelle", "Figure"/"Tableau",
# "Figuur"/"Tabel", "Figur", "Рисунок"/"Таблица", "图"/"表", "図", "그림"/"표".
FIGURE_LABEL = r"F(?i:ig(?:ure|ura|uur|ur)?)\.?|A(?i:bbildung|bb\.)|Р(?i:ис(?:унок|\.))|图|圖|図|그림"
TABLE_LABEL = r"T(?i:ableau|able|abla|abelle|abella|abela|abel)|Т(?i:аблица)|表|표"
LABEL = rf"{FIGURE_LABEL}|{TABLE_LABEL}"
TABLE_LABEL_RE = re.compile(TABLE_LABEL)
# A label may carry a qualifier: "Supplementary Figure S2", "Extended Data Fig. 1", "Appendix Table A3".
QUALIFIER = r"(?:S(?i:upplementary|upplemental|upporting)|E(?i:xtended\s+data)|A(?i:ppendix)|O(?i:nline))\s+"
CAPTION_INITIALS = frozenset("FTSEAO[РТ图圖図그表표")  # the letters a caption's label (or its qualifier) may open with
# a line that may open a caption
CAPTION_HINT = re.compile(rf"(?i)\s*\[?(?:{QUALIFIER})?(fig|tabl|tabel|abb(?:\.|ildung)|рис|табл|图|圖|図|그림|表|표)")
# A capital label ("table 0.026" is a table row) and a number that is no decimal fraction; pandoc-crossref
# sets a caption it could not attach in brackets ("[Table 2: ...]"). An appendix may number its floats by a
# letter alone ("Figure D.", "Table E:"), which needs a delimiter: "Figure A shows" is prose. A figure may be
# numbered 0 ("Fig. 0. Overview"), but "Table 0.5" is a row. Brazilian theses set a spaced hyphen after the
# number ("Tabela 1 - Perguntas"), Chinese papers a full-width colon ("表1：").
CAPTION_RE = re.compile(
    rf"\[?(?:{QUALIFIER})?(?P<label>{LABEL})\s*"
    r"(?P<number>(?:[A-Z]\.?)?(?:[1-9]\d*|0(?![\d.])|0(?=\.\s+[A-Z]))(?:[.-]\d+)*[a-z]?"
    r"|[IVXLC]+|[A-Z](?=\s*[:.|\u2014\u2013]))"
    r"(?P<delim>\s*[:.|\u2014\u2013\uff1a]|\s+-(?=\s+[^\d\s])|\s|$)"
)
# Work limits that keep hostile or broken PDFs bounded in time and memory.
HEAVY_CONTENT_BYTES = 1_000_000  # drawing operators above this (page and forms) count a page's items before listing
MAX_PAGE_ITEMS = 20_000  # more drawing items than this: take their boxes only, from the cheap bbox log
MAX_PAGE_LINES = 5_000  # more text lines than this: a plot whose markers are glyphs (R's pch symbols)...
MARKER_MAX_SIZE = 4.0  # ...set this small (points)...
MARKER_MAX_CHARS = 4  # ...and this short, which become drawings, merged on a grid of...
MARKER_GRID = 10.0  # ...this many points
# Drawings covering more of the page than this are page backgrounds or frames, not figure parts (a text figure's
# frame filled under a white box, as tcolorbox draws it, may cover two thirds of the page).
MAX_VECTOR_PAGE_SHARE = 0.75
MAX_RASTER_PAGE_SHARE = 0.7
MAX_IMAGE_PIXELS = 40_000_000  # an embedded image bigger than this is never decoded (it costs GBs): not rendered
# as a figure, not read as a scanned page
SCAN_CELL = 1.5  # points: a scanned page's ink is read on a grid this fine (one pixel per cell)...
SCAN_INK_LEVEL = 200  # ...a cell darker than this (0-255 grey, averaged over the cell) holds ink...
SCAN_INK_CONTRAST = 40  # ...and darker than the paper (the page's commonest grey) by this much...
SCAN_MARGIN = 0.04  # ...unless within this share of the page's size from its edge (the scanner's shadows)
IMAGE_PAGE_BLOT_HEIGHT = 36.0  # points: on a page with no text, a blot of ink this tall is a figure's, not a word's...
IMAGE_PAGE_JOIN = 30.0  # ...and blots this close are one figure's...
IMAGE_PAGE_LABEL_GAP = 10.0  # ...with the shorter blots this close to it (its tick and axis labels)...
IMAGE_PAGE_LABEL_STEPS = 2  # ...taken in this many steps
WORDLESS_DOCUMENT_SHARE = 0.25  # a document with more than this share of wordless pages has no figures read from ink
_INK_RUN = re.compile(b"\x01+")  # a run of inked cells in a row, once cells are mapped to 1 (ink) or 0
# An image drawn this many points past the page's edge (a picture exported at a size of its own, with wide white or
# clear margins) is taken at its ink: pixels darker than INK_LEVEL where more opaque than INK_OPACITY, read on at
# most INK_SCAN_SIDE pixels a side.
OVERREACH = 5.0
INK_LEVEL = 240
INK_OPACITY = 16
INK_SCAN_SIDE = 256
_INKED = bytes(v < INK_LEVEL for v in range(256))  # translate tables: a grey pixel to 1 when it is ink, else 0...
_OPAQUE = bytes(v > INK_OPACITY for v in range(256))  # ...a soft mask's pixel to 1 when it shows
LINKED_IMAGE_SHARE = 0.1  # an image covering this share of its page has its page's web links read
MIN_RASTER_SIDE = 4.0  # points; narrower images are bullets, rules or tracking pixels
OWN_CLIP_SHARE = 1.5  # a clip at most this much larger than an image inside it is that image's own
CLIP_INSIDE = 0.95  # a clip this much inside an image, and smaller by this share, shows only part of it...
MIN_TRIM_SHARE = 0.02  # ...and at least this share of it (smaller ones clip a plot's marks drawn over the image)
RULE_PIECE_HEIGHT = 2.0  # points: a drawing this thin may be a piece of a horizontal rule...
RULE_JOIN = 0.5  # ...joined to pieces at its height, within this many points, that it runs on from...
RULE_JOIN_LOOKBACK = 8  # ...among this many rules read last (pieces are read top to bottom)
MIN_RULE_LENGTH = 8.0  # points; a narrower image at least this long is a rule, drawn like a vector line
NEAR_WHITE = 0.97  # fills at least this light (on every channel) with no stroke are invisible masks
SAME_SIZE = 0.6  # points: two font sizes closer than this are the same size
# a caption opening this share of its type size below (or above) the text run into it in one line: a caption of
# the next figure beside, not words of the line
RUN_IN_BASELINE_SHARE = 0.3
# The body's size is counted before the last heading of the reference list when that text holds this share of the
# document's characters (not when the only such heading is a table of contents' line).
REFERENCES_RE = re.compile(r"\s*(?:\d+\.?\s*)?(?:References|REFERENCES|Bibliography|BIBLIOGRAPHY|Literature Cited|"
                           r"LITERATURE CITED|Works Cited)\s*")
BODY_BEFORE_REFERENCES = 0.25
# A paragraph: a block of this many lines or more, this many characters a line on average (not a table's column
# of cells, nor a title)
PARAGRAPH_MIN_LINES = 2
PARAGRAPH_MIN_CHARS = 25
# A font is monospaced when MONO_SHARE of its lines (MONO_MIN_LINES or more, of MONO_MIN_CHARS characters or more,
# MONO_MIN_LETTERS of them Latin letters) have one width per character within MONO_SLACK of the width at the
# MONO_BASE_QUANTILE of its lines, the shortest of them at most MONO_LENGTH_SPREAD of the longest
MONO_MIN_LINES = 8
MONO_MIN_CHARS = 6
MONO_MIN_LETTERS = 0.5
MONO_SLACK = 0.01
MONO_BASE_QUANTILE = 0.1
MONO_SHARE = 0.6
MONO_LENGTH_SPREAD = 0.5
_DIGITS = re.compile(r"\d+")
BODY_LINE_WORDS = 5  # the body's size is learnt from lines of this many words: a paragraph's, not a table cell's
CELL_ROW_PIECES = 3  # a row of this many pieces set apart by wide white is a table's row, not a paragraph's line
CELL_ALIGN = 2.0  # points: a cell's edge this near an edge of a cell in the next row lines up with it
HEAD_MIN_PAGES = 3  # a running head is printed at the same height on at least this many pages...
HEAD_PAGE_SHARE = 0.3  # ...and this share of them
FURNITURE_PAGE_SHARE = 0.8  # an image drawn alike on more than this share of the pages (and HEAD_MIN_PAGES) is a
# watermark or running logo, never a figure
HEAD_SLACK_LINES = 2.0  # running heads are looked for this far below the highest paragraph's top, at most
HEAD_ZONE = 0.1  # a line repeated this close to the top of the page (share of its height) is a running head
TALL_GLYPH_SHARE = 2.0  # a span whose box is more than this many times its font size tall is a math font's
SLANT = 0.1  # a line whose direction is further than this (sine) from both axes is slanted
TURNED_TEXT_SHARE = 0.5  # a page is read turned when more than this share of its characters run up (or down)
THIRDS_SHARE = 0.6  # a page is set in three columns when this share of its paragraphs keeps to a third each...
THIRD_SLACK = 0.05  # ...reaching at most this share of the text width past that third
COLUMNS_SHARE = 0.6  # a document (or a page) is set in two columns when this share of its paragraphs keeps to a half
HALF_SLACK = 0.05  # ...reaching at most this share of the text width past the middle
SPLIT_MIN_PAGES = 2  # a document in two columns with pages in one (an appendix) has at least this many of each...
SPLIT_MIN_SHARE = 0.3  # ...and holds this share of its paragraphs or more on its pages in two
TWOSIDE_MIN_SHIFT = 3.0  # points: a text block this much further right on every other page is set two-sided...
TWOSIDE_EDGE_SLACK = 2.0  # ...when both its edges move alike, to this many points...
TWOSIDE_MIN_PARAGRAPHS = 3  # ...measured on at least this many paragraphs of each side's pages...
TWOSIDE_EDGE_QUANTILE = 0.1  # ...by their lefts and rights this far in from the extremes (an overfull line)


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
    font: str = ""  # the first span's
    main_font: str = ""  # the font of most of its characters


@dataclass(frozen=True)
class Element:
    """Something a figure region is built from: a drawing, an image or a line of text."""

    box: Box
    kind: str  # "vector" | "raster" | "text" | "code" (a code listing's line, a figure's only content)
    panel_letter: bool = False  # a text line that is only "(a)", "b)", ...
    cell: bool = False  # a text line that is a table cell (shares its row, or sits between vertical rules)
    textbox: bool = False  # a frame around lines of body text (a "Result 1" box): a float only on its own
    # the embedded image an image element shows: where it is drawn, its pixels and its bytes' checksum, if known
    image: tuple[Box, int, int] | None = None
    ink: bool = False  # a figure read from the ink of a page with no words (see ``_ink_figures``)


@dataclass
class PageData:
    """A page's lines and graphics; on a page whose text runs up or down (a landscape table), in a frame turned
    so that it reads left to right (``turn`` +1: text ran upwards, -1: downwards; ``to_page`` maps back)."""

    index: int
    rect: Box
    lines: list[Line]
    graphics: list[Element]
    turn: int = 0
    page_rect: Box | None = None  # the unrotated page, when turned
    rotation: int = 0  # the page's /Rotate, in degrees clockwise
    images: Images = ()  # every embedded image, unturned: rendering reads them again otherwise
    links: tuple[Box, ...] = ()  # web links' areas on a page with a large image (a linked image is an advert)
    # the page recorded once, kept where a float may be found (a caption-like line), for rendering to replay
    display: pymupdf.DisplayList | None = field(default=None, compare=False, repr=False)

    def to_page(self, box: Box) -> Box:
        """A box of this frame in the page's unrotated coordinates."""
        if not self.turn or self.page_rect is None:
            return box
        return unturn_box(box, self.page_rect, self.turn)


def turn_box(box: Box, page: Box, turn: int) -> Box:
    """Map a page box into the frame turned by ``turn`` (+1: upward text then reads left to right; -1: downward
    text does)."""
    x0, y0, x1, y1 = box
    w, h = page[2] - page[0], page[3] - page[1]
    if turn == 1:  # (x, y) -> (H - y, x)
        return (h - y1, x0, h - y0, x1)
    if turn == -1:  # (x, y) -> (y, W - x)
        return (y0, w - x1, y1, w - x0)
    return box


def unturn_box(box: Box, page: Box, turn: int) -> Box:
    """The inverse of ``turn_box``."""
    x0, y0, x1, y1 = box
    w, h = page[2] - page[0], page[3] - page[1]
    if turn == 1:  # (a, b) -> (b, H - a)
        return (y0, h - x1, y1, h - x0)
    if turn == -1:  # (a, b) -> (W - b, a)
        return (w - y1, x0, w - y0, x1)
    return box


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
    heads: tuple[tuple[float, float], ...] = ()  # rows (top, bottom) that many pages print text in above the body
    leading: float = 0.0  # the white between two lines of a paragraph (large in double-spaced manuscripts)
    odd_shift: float = 0.0  # points the text block stands further right on odd-indexed pages (two-sided layouts)
    one_column_pages: frozenset[int] = frozenset()  # in a two-column document, the pages set in one (an appendix)
    mono_fonts: frozenset[str] = frozenset()  # fonts whose glyphs are all one width, whatever their name says


def read_page(page: pymupdf.Page) -> PageData:
    """Reduce a page to text lines and graphic elements, all in unrotated coordinates."""
    r = page.rect * page.derotation_matrix
    rect: Box = (r.x0, r.y0, r.x1, r.y1)
    page_area = area(rect)
    # Text and images are read from one recording of the page, which costs less than interpreting its content
    # twice; a rotated page records in display coordinates, so it is read directly, unrotated.
    display = page.get_displaylist() if not page.rotation else None
    textpage = pymupdf.TextPage(display.get_textpage(flags=TEXT_FLAGS)) if display else page.get_textpage(
        flags=TEXT_FLAGS)
    blocks = [b for b in textpage.extractDICT()["blocks"] if b.get("type") == 0]
    del textpage
    turn = _text_turn(blocks)
    lines: list[Line] = []
    for bi, block in enumerate(blocks):
        block_lines: list[Line] = []
        opened: list[Line] = []
        for raw, split in (piece for whole in block["lines"] for piece in _split_caption_run_in(whole)):
            spans = [s for s in raw["spans"] if s["text"].strip()]
            if not spans:
                continue
            text = " ".join("".join(s["text"] for s in raw["spans"]).split())
            size = float(max(spans, key=lambda s: len(s["text"].strip()))["size"])
            bold = bool(spans[0]["flags"] & pymupdf.TEXT_FONT_BOLD) or "bold" in spans[0]["font"].lower()
            # A label in its own font ("Fig. 3" in bold or small caps), unlike the rest of the line; a reference
            # ("Figure 5 shows", its number a link in another font) opens in the line's own font.
            fonts: Counter[str] = Counter()
            for sp in spans:
                fonts[sp["font"]] += len(sp["text"].strip())
            styled = bold or (len(fonts) > 1 and spans[0]["font"] != fonts.most_common(1)[0][0])
            horizontal = _reads_along(raw["dir"], turn)
            block_lines.append(Line(turn_box(_line_box(raw, spans), rect, turn), text, size, bi, horizontal,
                                    styled, bold, False, spans[0]["font"], fonts.most_common(1)[0][0]))
            if split:
                opened.append(block_lines[-1])
        mark_paragraph_starts(block_lines, turn_box(tuple(block["bbox"]), rect, turn))
        for line in opened:
            line.starts_para = True
        lines.extend(block_lines)
    markers: list[Element] = []
    if len(lines) > MAX_PAGE_LINES:
        lines, markers = _glyph_markers(lines)

    graphics: list[Element] = []
    # Listing drawings is the costliest read: a page with no caption-like line has no captioned float, and
    # its uncaptioned figures are photos, so it only needs its images.
    clips: list[Box] = []
    hinted = any(CAPTION_HINT.match(line.text) for line in lines)
    # a page whose content stream is long: its drawings are counted before they are listed, and its recording is
    # not kept for rendering (a recording holds about what the stream does)
    contents = page.read_contents() if hinted else None
    heavy = contents is not None and len(contents) > HEAVY_CONTENT_BYTES
    if hinted:
        graphics.extend(joined_rules(_drawings(page, rect, clips, len(contents or b""))))
    images = page_images(page, display, contents)
    scans = [pixels for b, pixels in images if area(intersection(b, rect)) >= MAX_RASTER_PAGE_SHARE * page_area]
    if hinted and not turn and scans and max(scans) <= MAX_IMAGE_PIXELS and _ocr_layer(page):
        graphics.extend(_scanned_ink(page, rect, lines))
    elif not lines and not turn and scans and max(scans) <= MAX_IMAGE_PIXELS:
        # a page that is one picture with no words at all (a page pasted in as an image, a scan without OCR): its
        # captions cannot be read, but its tall blots of ink are figures' (words and lines of text are short)
        graphics.extend(_ink_figures(page, rect))
    # A clip no larger than the box of a smaller image it holds is that image's own (a label pasted onto a
    # picture), not a trim of the picture under it.
    sizes = {c: area(c) for c in dict.fromkeys(clips)}  # a plot may set thousands of clips, mostly the same
    owned = _own_clips(sizes, images)
    distinct = _Clips({c: size for c, size in sizes.items() if c not in owned}, rect)
    stored = _image_checksums(page) if images else {}
    inked = _inked(page, rect) if any(_overreaches(b, rect) for b, _ in images) else {}
    for image_box, pixels in images:
        box = _visible(intersection(inked.get(rounded(image_box), image_box), rect), distinct)
        if box[0] > box[2] or box[1] > box[3]:
            continue
        thin, long = sorted((width(box), height(box)))
        drawn = (rounded(image_box), pixels, stored[pixels]) if pixels in stored else None
        if thin > MIN_RASTER_SIDE and area(box) < MAX_RASTER_PAGE_SHARE * page_area:
            graphics.append(Element(box, "raster", image=drawn))
        elif thin <= MIN_RASTER_SIDE and long >= MIN_RULE_LENGTH:
            graphics.append(Element(box, "vector", image=drawn))  # a table rule drawn as a one-pixel image
    # only a large picture can be an advert worth telling from a figure: other pages skip reading their links
    linked = any(area(intersection(b, rect)) >= LINKED_IMAGE_SHARE * page_area for b, _ in images)
    links = tuple(turn_box(tuple(link["from"] * page.derotation_matrix), rect, turn)
                  for link in (page.get_links() if linked else ()) if link.get("kind") == pymupdf.LINK_URI)
    kept = display if hinted and not heavy else None
    if not turn:
        return PageData(page.number, rect, lines, graphics + markers, images=images, links=links, display=kept)
    graphics = [replace(g, box=turn_box(g.box, rect, turn)) for g in graphics]
    return PageData(page.number, turn_box(rect, rect, turn), lines, graphics + markers, turn, rect, page.rotation,
                    images, links, kept)


def _overreaches(box: Box, rect: Box) -> bool:
    """Whether an image is drawn more than OVERREACH points past the page's edge."""
    return max(rect[0] - box[0], rect[1] - box[1], box[2] - rect[2], box[3] - rect[3]) > OVERREACH


def _inked(page: pymupdf.Page, rect: Box) -> dict[Box, Box]:
    """Where the ink lies of each image drawn past the page's edge, by the box it is drawn in; not of one that
    covers the page (a watermark, a background: never a figure, however small its ink)."""
    out: dict[Box, Box] = {}
    for info in page.get_image_info(xrefs=True):
        box = tuple(info["bbox"])
        if (info["xref"] and _overreaches(box, rect) and info["width"] * info["height"] <= MAX_IMAGE_PIXELS
                and area(intersection(box, rect)) < MAX_RASTER_PAGE_SHARE * area(rect)):
            try:
                ink = drawn_ink(page.parent, info)
            except Exception:  # noqa: BLE001 - an image MuPDF cannot decode keeps its drawn box
                log.debug("could not read the ink of image %d", info["xref"], exc_info=True)
                ink = None
            if ink is not None:
                out[rounded(box)] = ink
    return out


def drawn_ink(doc: pymupdf.Document, info: dict[str, Any]) -> Box | None:
    """Where on the page the ink of an image lies, from its ``get_image_info(xrefs=True)`` entry (drawn flipped or
    turned too); None when all of it is ink."""
    ink = _image_ink(doc, info["xref"])
    if ink is None:
        return None
    r = (pymupdf.Rect(ink) * pymupdf.Matrix(info["transform"])).normalize()
    return (r.x0, r.y0, r.x1, r.y1)


def _image_ink(doc: pymupdf.Document, xref: int) -> Box | None:
    """The share of an image (0 to 1 across and down, from its top left) that holds ink: pixels neither white
    nor clear. None when all of it does."""
    pix = _scan_size(pymupdf.Pixmap(doc, xref))
    if pix.colorspace is not None and pix.colorspace.n != 1 or pix.alpha:
        pix = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.Pixmap(pix, 0) if pix.alpha else pix)
    box = _ink_share(pix, _INKED)
    mask = doc.xref_get_key(xref, "SMask")
    if box is not None and mask[0] == "xref":
        opaque = _ink_share(_scan_size(pymupdf.Pixmap(doc, int(mask[1].split()[0]))), _OPAQUE)
        box = intersection(box, opaque) if opaque is not None else None
    return None if box is None or box == (0.0, 0.0, 1.0, 1.0) else box


def _scan_size(pix: pymupdf.Pixmap) -> pymupdf.Pixmap:
    """The pixmap shrunk by halves until its longer side is at most INK_SCAN_SIDE."""
    steps = max(0, math.ceil(math.log2(max(pix.width, pix.height) / INK_SCAN_SIDE)))
    if steps:
        pix.shrink(steps)
    return pix


def _ink_share(pix: pymupdf.Pixmap, inked: bytes) -> Box | None:
    """The share of a one-channel pixmap whose pixels the translate table ``inked`` maps to 1, or None."""
    w, h, stride = pix.width, pix.height, pix.stride
    data = pix.samples
    rows = [(y, row.find(1), row.rfind(1)) for y in range(h)
            if 1 in (row := data[y * stride:y * stride + w].translate(inked))]
    if not rows:
        return None
    return (min(r[1] for r in rows) / w, rows[0][0] / h, (max(r[2] for r in rows) + 1) / w, (rows[-1][0] + 1) / h)


def _split_caption_run_in(raw: dict[str, Any]) -> list[tuple[dict[str, Any], bool]]:
    """A line, cut where a caption opens lower (or higher) than the text before it (MuPDF runs the last line
    of one caption into the first line of the next when two figures stand side by side); each piece with
    whether it is such a cut-off caption."""
    spans = raw["spans"]
    if len(spans) < 2 or raw["dir"][1] != 0:
        return [(raw, False)]
    base = None
    for k, sp in enumerate(spans):
        text = sp["text"].lstrip()
        if not text:
            continue
        if (base is not None and text[0] in CAPTION_INITIALS
                and abs(sp["bbox"][3] - base) >= RUN_IN_BASELINE_SHARE * sp["size"]
                and CAPTION_RE.match("".join(s["text"] for s in spans[k:]).lstrip())):
            head = union_all([tuple(s["bbox"]) for s in spans[:k]])
            tail = union_all([tuple(s["bbox"]) for s in spans[k:]])
            return [({**raw, "bbox": head, "spans": spans[:k]}, False),
                    ({**raw, "bbox": tail, "spans": spans[k:]}, True)]
        base = sp["bbox"][3]  # not its origin: a space MuPDF puts before a span stands on the span before's
    return [(raw, False)]


def _own_clips(clips: dict[Box, float], images: Images) -> set[Box]:
    """The clips that hold an image they are at most OWN_CLIP_SHARE times the size of; images are looked up by
    their left edge, as a page may set thousands of glyphs as tiny images, each with its clip."""
    boxes = sorted(b for b, _ in images)
    lefts = [b[0] for b in boxes]
    most = OWN_CLIP_SHARE * max((area(b) for b in boxes), default=0.0)
    return {c for c, size in clips.items()
            if size <= most and any(size <= OWN_CLIP_SHARE * area(b) and contains(c, b)
                   for b in boxes[bisect_left(lefts, c[0] - 1):bisect_right(lefts, c[2] + 1)])}


def _ocr_layer(page: pymupdf.Page) -> bool:
    """Most of the page's characters are invisible (PDF text render mode 3): words laid over a scan by OCR, not
    text printed over a background picture."""
    counts = {True: 0, False: 0}
    for span in page.get_texttrace():
        counts[span["type"] == 3 or span["opacity"] == 0] += len(span["chars"])
    return counts[True] > counts[False]


def _scanned_ink(page: pymupdf.Page, rect: Box, lines: list[Line]) -> list[Element]:
    """A scanned page (one picture of the whole page, its words an OCR layer): the ink the words do not
    account for, one box per connected blot, so a figure drawn in the picture is found like a drawn one."""
    scale = 1 / SCAN_CELL
    to_pixels = page.rotation_matrix * pymupdf.Matrix(scale, scale)
    pix = page.get_pixmap(matrix=pymupdf.Matrix(scale, scale), colorspace=pymupdf.csGRAY, alpha=False)
    w, h, stride = pix.width, pix.height, pix.stride
    grey = bytearray(pix.samples)
    paper = Counter(grey).most_common(1)[0][0]
    level = min(SCAN_INK_LEVEL, paper - SCAN_INK_CONTRAST)
    ink = bytes(1 if v < level else 0 for v in range(256))
    for ln in lines:  # words are text, not drawing: blank them, grown by a third of their height for ascenders
        grow = height(ln.box) / 3
        r = pymupdf.Rect(ln.box[0] - grow, ln.box[1] - grow, ln.box[2] + grow, ln.box[3] + grow) * to_pixels
        x0, x1 = max(0, int(r.x0)), min(w, int(r.x1) + 1)
        for y in range(max(0, int(r.y0)), min(h, int(r.y1) + 1)):
            grey[y * stride + x0: y * stride + x1] = b"\xff" * max(0, x1 - x0)
    mx, my = int(w * SCAN_MARGIN) + 1, int(h * SCAN_MARGIN) + 1
    rows = (bytes(grey[y * stride + mx: y * stride + w - mx]).translate(ink) for y in range(my, h - my))
    back = ~to_pixels
    out: list[Element] = []
    for x0, y0, x1, y1 in _blots(rows, mx, my):
        r = pymupdf.Rect(x0, y0, x1, y1) * back
        out.append(Element(intersection((r.x0, r.y0, r.x1, r.y1), rect), "vector"))
    return out


def _ink_figures(page: pymupdf.Page, rect: Box) -> list[Element]:
    """A page that is one picture with no words: its blots of ink IMAGE_PAGE_BLOT_HEIGHT tall or taller (a plot's
    frame, a photo, a diagram; not a word or a line of text), those within IMAGE_PAGE_JOIN of each other joined
    into one figure (the panels of a grid)."""
    blots = sorted((e.box for e in _scanned_ink(page, rect, [])), key=lambda b: b[1])
    figures: list[Box] = []
    for box in blots:
        if height(box) < IMAGE_PAGE_BLOT_HEIGHT:
            continue
        for f in [f for f in figures if near(f, box, IMAGE_PAGE_JOIN)]:
            figures.remove(f)
            box = union(box, f)
        figures.append(box)
    # ...with the short blots right by them, twice over (tick labels and the axis title under them, not a paragraph)
    for _ in range(IMAGE_PAGE_LABEL_STEPS):
        figures = [union_all([f, *(b for b in blots if near(b, f, IMAGE_PAGE_LABEL_GAP))]) for f in figures]
    return [Element(f, "raster", ink=True) for f in figures]


def _blots(rows: Iterator[bytes], x_off: int, y_off: int) -> list[tuple[int, int, int, int]]:
    """Boxes (pixels) of the connected blots of 1s in rows of 0/1 bytes, the first row at ``y_off`` and each
    row's first byte at ``x_off``: each row's runs joined to the runs they touch in the row above."""
    parent: list[int] = []
    boxes: list[list[int]] = []  # x0, y0, x1, y1 per run, then per blot at its root

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    above: list[int] = []
    for y, row in enumerate(rows, y_off):
        runs: list[int] = []
        for m in _INK_RUN.finditer(row):
            x0, x1 = x_off + m.start(), x_off + m.end()
            k = len(parent)
            parent.append(k)
            boxes.append([x0, y, x1, y + 1])
            for j in above:
                if boxes[j][0] <= x1 and x0 <= boxes[j][2]:  # touching, diagonals included
                    a, b = root(j), root(k)
                    if a != b:
                        parent[b] = a
                        ba, bb = boxes[a], boxes[b]
                        boxes[a] = [min(ba[0], bb[0]), min(ba[1], bb[1]), max(ba[2], bb[2]), max(ba[3], bb[3])]
            runs.append(k)
        above = runs
    return [(b[0], b[1], b[2], b[3]) for k, b in enumerate(boxes) if parent[k] == k]


def _glyph_markers(lines: list[Line]) -> tuple[list[Line], list[Element]]:
    """Split a page's tiny short lines off as drawings (a scatter plot's points set as glyphs), merged into one
    box per grid cell, so a plot of tens of thousands of points costs no more than its cells."""
    cells: dict[tuple[int, int], Box] = {}
    kept: list[Line] = []
    for ln in lines:
        if ln.size <= MARKER_MAX_SIZE and len(ln.text.replace(" ", "")) <= MARKER_MAX_CHARS:
            key = (int(ln.box[0] // MARKER_GRID), int(ln.box[1] // MARKER_GRID))
            cells[key] = union(cells[key], ln.box) if key in cells else ln.box
        else:
            kept.append(ln)
    return kept, [Element(b, "vector") for b in cells.values()]


def page_images(page: pymupdf.Page, display: pymupdf.DisplayList | None = None,
                contents: bytes | None = None) -> Images:
    """The page's embedded images: where each is drawn and how many pixels it has (read from ``display``, the
    page's recording, when given; ``contents`` is its content stream, when already read)."""
    # Listing them runs the whole page through MuPDF; a page whose resources hold no image, no form (which may
    # hold one), no annotation and no inline image ("BI") has none, and most text pages are such.
    if not (page.get_images() or page.get_xobjects() or page.first_annot
            or b"BI" in (page.read_contents() if contents is None else contents)):
        return ()
    infos = (pymupdf.TextPage(display.get_textpage(flags=pymupdf.TEXT_PRESERVE_IMAGES)).extractIMGINFO()
             if display is not None else page.get_image_info())
    return tuple((tuple(info["bbox"]), info["width"] * info["height"]) for info in infos)


def _line_box(raw: dict[str, Any], spans: list[dict[str, Any]]) -> Box:
    """A line's box, without the height of glyphs whose boxes are far taller than their type (a math font's
    ascent and descent in Word-made PDFs), which would make one line overlap the next two."""
    box: Box = tuple(raw["bbox"])
    if raw["dir"][1] != 0:
        return box
    normal = [s["bbox"] for s in spans if s["bbox"][3] - s["bbox"][1] <= TALL_GLYPH_SHARE * s["size"]]
    if not normal or len(normal) == len(spans):
        return box
    return (box[0], min(b[1] for b in normal), box[2], max(b[3] for b in normal))


def _text_turn(blocks: list[dict[str, Any]]) -> int:
    """+1 if most of the page's text runs upwards, -1 if downwards (a landscape page or table), else 0.

    Characters count by the area of their type (size squared), so a plot's hundred small rotated tick labels do
    not outweigh a caption in a type twice their size; slanted lines do not count."""
    if all(abs(raw["dir"][1]) <= abs(raw["dir"][0]) for block in blocks for raw in block["lines"]):
        return 0  # most pages: no line runs up or down, so no characters need counting
    chars = {0: 0.0, 1: 0.0, -1: 0.0}
    for block in blocks:
        for raw in block["lines"]:
            dx, dy = raw["dir"]
            if min(abs(dx), abs(dy)) > SLANT:
                continue  # a plot's slanted tick labels read neither way
            chars[0 if abs(dx) >= abs(dy) else (1 if dy < 0 else -1)] += sum(
                len(s["text"].strip()) * s["size"] ** 2 for s in raw["spans"])
    turn = max(chars, key=lambda k: chars[k])
    if not turn or chars[turn] <= TURNED_TEXT_SHARE * sum(chars.values()):
        return 0
    # a caption across the page, none along the turned text: an upright figure's many rotated labels
    captions = {0: False, turn: False}
    for block in blocks:
        for raw in block["lines"]:
            way = 0 if _reads_along(raw["dir"], 0) else turn if _reads_along(raw["dir"], turn) else None
            if way is not None and not captions[way]:
                m = CAPTION_RE.match("".join(s["text"] for s in raw["spans"]).lstrip())
                captions[way] = m is not None and m["delim"].strip() != ""
    return 0 if captions[0] and not captions[turn] else turn


def _reads_along(direction: tuple[float, float], turn: int) -> bool:
    """Whether a line's writing direction is the page's reading direction (left to right once turned)."""
    want = {0: (1.0, 0.0), 1: (0.0, -1.0), -1: (0.0, 1.0)}[turn]
    return abs(direction[0] - want[0]) < 1e-3 and abs(direction[1] - want[1]) < 1e-3


class _Clips:
    """The distinct clip rectangles of a page, by area and by the cells of a coarse grid they reach, so that an
    image looks only at clips near it of a size that can trim it (a page may set thousands)."""

    CELL = 64.0  # points

    def __init__(self, sizes: dict[Box, float], page: Box) -> None:
        self.cells: defaultdict[tuple[int, int], list[tuple[float, int, Box]]] = defaultdict(list)
        most = area(page)
        for k, (c, size) in enumerate(sizes.items()):
            on_page = intersection(c, page)
            # a clip the page's size or larger trims no image on it (an "infinite" one may reach 1e9 points), and
            # only its part on the page can meet an image there
            if size < most and on_page[0] <= on_page[2] and on_page[1] <= on_page[3]:
                for cell in self._cells(on_page):
                    self.cells[cell].append((size, k, c))

    def _cells(self, b: Box) -> Iterator[tuple[int, int]]:
        n = self.CELL
        for gx in range(int(b[0] // n), int(b[2] // n) + 1):
            for gy in range(int(b[1] // n), int(b[3] // n) + 1):
                yield gx, gy

    def near(self, box: Box) -> Iterator[tuple[float, int, Box]]:
        """Every clip reaching a cell the box (on the page) reaches; a clip may come more than once."""
        for cell in self._cells(box):
            yield from self.cells.get(cell, ())


def _visible(box: Box, clips: _Clips) -> Box:
    """The part of an image a clip inside it shows (a trimmed \\includegraphics): the smallest such clip, the
    first set of equal ones."""
    best: tuple[float, int, Box] | None = None
    limit, least = CLIP_INSIDE * area(box), MIN_TRIM_SHARE * area(box)
    for size, k, c in clips.near(box):
        if not least < size < limit or c[2] <= box[0] or c[0] >= box[2] or c[3] <= box[1] or c[1] >= box[3]:
            continue
        if area(intersection(c, box)) >= CLIP_INSIDE * size and (best is None or (size, k) < best[:2]):
            best = (size, k, c)
    return intersection(best[2], box) if best else box


def _drawing_bytes(page: pymupdf.Page, content_bytes: int) -> int:
    """The bytes of drawing operators the page's content stream (``content_bytes`` long) and its forms hold, up to
    just over HEAVY_CONTENT_BYTES; a form whose stream cannot be read puts the page over it."""
    total, doc = content_bytes, page.parent
    for xref, *_ in page.get_xobjects():  # nested forms too
        if total > HEAVY_CONTENT_BYTES:
            break
        try:
            # a stream already over the limit compressed is not inflated just to be measured
            raw = len(doc.xref_stream_raw(xref) or b"")
            total += raw if raw > HEAVY_CONTENT_BYTES else len(doc.xref_stream(xref) or b"")
        except Exception:  # noqa: BLE001 - a broken stream: count the page's items rather than trust its size
            total += HEAVY_CONTENT_BYTES + 1
    return total


def joined_rules(graphics: list[Element]) -> list[Element]:
    """The drawings with the pieces of one horizontal rule joined: a word processor draws a table's rule as a
    segment per cell and a sliver at each cell's border, none of them as wide as the table."""
    rows: list[list[float]] = []
    members: list[list[int]] = []
    for k in sorted((k for k, g in enumerate(graphics) if height(g.box) <= RULE_PIECE_HEIGHT),
                    key=lambda k: (graphics[k].box[1], graphics[k].box[0])):
        b = graphics[k].box
        for r, m in zip(reversed(rows[-RULE_JOIN_LOOKBACK:]), reversed(members[-RULE_JOIN_LOOKBACK:]), strict=True):
            if abs(r[1] - b[1]) <= RULE_JOIN and abs(r[3] - b[3]) <= RULE_JOIN \
                    and r[0] - RULE_JOIN <= b[0] <= r[2] + RULE_JOIN:
                r[0], r[1], r[2], r[3] = min(r[0], b[0]), min(r[1], b[1]), max(r[2], b[2]), max(r[3], b[3])
                m.append(k)
                break
        else:
            rows.append(list(b))
            members.append([k])
    joined = {m[0]: Element((r[0], r[1], r[2], r[3]), "vector")
              for r, m in zip(rows, members, strict=True) if len(m) > 1}
    gone = {k for m in members if len(m) > 1 for k in m[1:]}
    return [joined.get(k, g) for k, g in enumerate(graphics) if k not in gone]


def _drawings(page: pymupdf.Page, rect: Box, clips: list[Box], content_bytes: int) -> list[Element]:
    """The page's visible vector drawings, from the cheap bounding-box log when there are very many; the clip
    rectangles go to ``clips``."""
    page_area = area(rect)
    graphics: list[Element] = []
    # Counting runs the whole page through a Python device, which costs more than listing a page of ordinary
    # size: only a page with many bytes of drawing operators (its own or its forms') is counted first.
    heavy = _drawing_bytes(page, content_bytes) > HEAVY_CONTENT_BYTES
    bboxlog = page.get_bboxlog() if heavy else []
    if len(bboxlog) > MAX_PAGE_ITEMS:  # a plot with a million points: boxes only, no per-path dicts
        for kind, r in bboxlog:
            box = intersection(tuple(r), rect)
            if (kind in ("fill-path", "stroke-path") and box[0] <= box[2] and box[1] <= box[3]
                    and area(box) < MAX_VECTOR_PAGE_SHARE * page_area):
                graphics.append(Element(box, "vector"))
    scissors: dict[int, Box] = {}  # the clip in force at each nesting level (PyMuPDF gives it cumulated)
    # the clip of the deepest level below each level, while ``scissors`` stays as it is (a plot's thousands of
    # paths share a few levels)
    inner_clip: dict[int, Box | None] = {}
    largest = MAX_VECTOR_PAGE_SHARE * page_area
    # get_cdrawings: the same paths as get_drawings, without turning every point into a Python object.
    for d in [] if len(bboxlog) > MAX_PAGE_ITEMS else page.get_cdrawings(extended=True):
        level = d.get("level", 0)
        kind = d.get("type")
        if kind == "clip":
            sc = tuple(d["scissor"])
            clips.append(sc)
            scissors = {k: v for k, v in scissors.items() if k < level}
            scissors[level] = sc
            inner_clip = {}
            continue
        if kind == "group":
            continue
        fill, stroke = d.get("fill"), d.get("color")
        if stroke is None and (fill is None or min(fill) > NEAR_WHITE):
            continue  # white-on-white: backgrounds and masks are invisible
        x0, y0, x1, y1 = d["rect"]
        box = intersection((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)), rect)
        if level not in inner_clip:
            inner = [k for k in scissors if k < level]
            inner_clip[level] = scissors[max(inner)] if inner else None
        if (clip := inner_clip[level]) is not None:  # a sub-figure's plot clipped to its own panel
            box = intersection(box, clip)
        if box[0] <= box[2] and box[1] <= box[3] and area(box) < largest:
            graphics.append(Element(box, "vector"))
    return graphics


def mark_paragraph_starts(lines: list[Line], block: Box) -> None:
    """A line starts a paragraph if it opens its block or follows a gap, a size change, a short line or a row's
    last cell, or a row of table cells, or stands left of the line before it on that line's row (PyMuPDF may run
    two columns' lines into one block)."""
    prev: Line | None = None
    row: list[Line] = []  # the pieces of the row before the line
    above: list[Line] = []  # ...and of the row before that
    for line in lines:
        if prev is None:
            line.starts_para = True
        elif line.box[1] >= prev.box[3] - 0.3 * height(prev.box):  # on a new row
            gap = line.box[1] - prev.box[3]
            # a short line ends a paragraph, and so does the last cell of a table's row (it starts far right and
            # stops short of the right edge, where a justified line's last word would not)
            line.starts_para = (gap > 0.5 * height(line.box) or abs(line.size - prev.size) > SAME_SIZE
                                or prev.box[2] < block[2] - 0.25 * width(block)
                                or prev.box[0] > line.box[0] + 0.25 * width(block)
                                and prev.box[2] < block[2] - 0.1 * width(block)
                                or cell_row(row, above or None))  # a block's first row: no row to check
            row, above = [], row
        elif line.box[2] <= prev.box[0]:
            line.starts_para = True  # level with the last line but left of it: another column's text in the block
        elif line.box[3] <= prev.box[1] + 0.3 * height(prev.box) and line.box[0] >= prev.box[2] - 1:
            line.starts_para = True  # above and right of the last line: the next column's text, back at its top
        row.append(line)
        prev = line


def cell_row(row: list[Line], beside: list[Line] | None) -> bool:
    """Pieces of a row, at least CELL_ROW_PIECES, set apart by white wider than their type, and (unless
    ``beside`` is None) some of them in line with pieces of the next row ``beside``: a table's cells (a loose
    justified line PyMuPDF cut word by word lines up with nothing)."""
    if len(row) < CELL_ROW_PIECES:
        return False
    pieces = sorted(row, key=lambda ln: ln.box[0])
    if any(b.box[0] - a.box[2] < a.size for a, b in zip(pieces, pieces[1:], strict=False)):
        return False
    if beside is None:
        return True
    if len(beside) < CELL_ROW_PIECES:
        return False
    def lines_up(a: Box, b: Box) -> bool:  # flush left, flush right or centred
        return min(abs(a[0] - b[0]), abs(a[2] - b[2]), abs(a[0] + a[2] - b[0] - b[2]) / 2) <= CELL_ALIGN

    others = sorted(beside, key=lambda ln: ln.box[0])[1:]
    return sum(any(lines_up(ln.box, o.box) for o in others) for ln in pieces[1:]) >= CELL_ROW_PIECES - 1


def _image_checksums(page: pymupdf.Page) -> dict[int, int]:
    """A checksum of the stored bytes of each image the page's resources hold, by its pixel count where that
    count is unique (soft masks aside): a watermark stores the same bytes on every page, even when each page
    embeds it anew, and a scan new bytes on each."""
    items = page.get_images(full=True)
    masks = {item[1] for item in items if item[1]}
    objects: defaultdict[int, set[int]] = defaultdict(set)
    for item in items:
        if item[0] not in masks:
            objects[item[2] * item[3]].add(item[0])
    doc = page.parent
    return {pixels: zlib.crc32(doc.xref_stream_raw(next(iter(found))) or b"") for pixels, found in objects.items()
            if len(found) == 1}


def drop_wordless_ink(pages: list[PageData]) -> None:
    """Keep the figures read from wordless pages' ink only in a document whose pages mostly have words (a page
    pasted in as a picture): in one of scans without OCR (an old report, a patent, notes) the ink is as much
    title frames, tables and handwriting as figures."""
    if sum(not p.lines for p in pages) > WORDLESS_DOCUMENT_SHARE * len(pages):
        for p in pages:
            p.graphics = [g for g in p.graphics if not g.ink]


def drop_page_furniture(pages: list[PageData]) -> None:
    """Take out of every page the image drawn at the same place, with the same pixels and bytes, on nearly every
    page: a watermark ("Just Accepted") or a running logo, which would otherwise pass for a figure where a page
    leaves it uncovered. Four tables drawn alike on four pages of seven are still tables."""
    drawn = Counter(d for p in pages for d in {g.image for g in p.graphics if g.image is not None})
    least = max(HEAD_MIN_PAGES, math.floor(FURNITURE_PAGE_SHARE * len(pages)) + 1)
    furniture = {d for d, n in drawn.items() if n >= least}
    if furniture:
        for p in pages:
            p.graphics = [g for g in p.graphics if g.image not in furniture]


def document_layout(pages: list[PageData]) -> Layout:
    """Body font size, line height, columns and text area, estimated over the whole document (turned pages
    only when all are)."""
    pages = [p for p in pages if not p.turn] or pages
    body = _body_size(pages)
    fonts: Counter[str] = Counter()
    for p in pages:
        for line in p.lines:
            if line.horizontal and abs(line.size - body) <= SAME_SIZE:
                fonts[line.font] += len(line.text)
    body_font = fonts.most_common(1)[0][0] if fonts else ""
    body_lines = [ln for p in pages for ln in p.lines if ln.horizontal and abs(ln.size - body) <= SAME_SIZE]
    line_h = statistics.median(height(ln.box) for ln in body_lines) if body_lines else body * 1.2

    by_block: dict[tuple[int, int], list[Line]] = defaultdict(list)
    repeated = _repeated_tops(pages)
    for p in pages:
        for ln in p.lines:
            if ln.horizontal and abs(ln.size - body) <= SAME_SIZE and id(ln) not in repeated:
                by_block[(p.index, ln.block)].append(ln)
    para_blocks = {key: union_all([ln.box for ln in lns]) for key, lns in by_block.items() if _paragraph(lns)}
    shift = _twoside_shift(para_blocks)
    if shift:  # a two-sided layout: learn the text block on the even pages' frame
        para_blocks = {key: b if key[0] % 2 == 0 else (b[0] - shift, b[1], b[2] - shift, b[3])
                       for key, b in para_blocks.items()}
    paragraphs = list(para_blocks.values())
    if not paragraphs:  # nothing to learn the layout from: assume one column inside 10% margins
        w, h = width(pages[0].rect), height(pages[0].rect)
        return Layout(body, body_font, line_h, 1.6, [(0.1 * w, 0.9 * w)], 0.1 * w, 0.9 * w, 0.1 * h, 0.9 * h,
                      leading=_leading(pages, body, line_h))

    left, right = min(b[0] for b in paragraphs), max(b[2] for b in paragraphs)
    mid, span = (left + right) / 2, right - left
    lefts, rights = _halves(paragraphs, mid, span)
    columns = [(left, right)]
    one_column: frozenset[int] = frozenset()
    if thirds := _thirds(paragraphs, left, right):
        columns = thirds
    else:
        halved = paragraphs  # the paragraphs that should keep to the halves
        if len(lefts) + len(rights) < COLUMNS_SHARE * len(paragraphs):
            # two columns on some pages, one on others (a single-column appendix): the halves are learnt from the
            # pages in two, and the others are read in one
            in_one = _one_column_pages(para_blocks, mid, span)
            two = [b for key, b in para_blocks.items() if key[0] not in in_one]
            if len({key[0] for key in para_blocks} - in_one) >= SPLIT_MIN_PAGES <= len(in_one) \
                    and len(two) >= SPLIT_MIN_SHARE * len(paragraphs):
                one_column, halved = in_one, two
                lefts, rights = _halves(two, mid, span)
        if lefts and rights and len(lefts) + len(rights) >= COLUMNS_SHARE * len(halved):
            gutter_l, gutter_r = max(b[2] for b in lefts), min(b[0] for b in rights)
            if gutter_l >= gutter_r:
                gutter_l, gutter_r = mid - 5, mid + 5
            columns = [(left, gutter_l), (gutter_r, right)]
        else:
            one_column = frozenset()
    col_w = min(c[1] - c[0] for c in columns)
    densities = [len(ln.text) * ln.size / width(ln.box)
                 for ln in body_lines if width(ln.box) >= 0.5 * col_w]
    density = statistics.median(densities) if densities else 1.6
    top, bottom = min(b[1] for b in paragraphs), max(b[3] for b in paragraphs)
    leading = _leading(pages, body, line_h)
    # Running heads stand above where most pages' text begins (one page's raised formula may start higher).
    page_tops = sorted(min(t) for t in _tops_by_page(para_blocks).values())
    head_line = max(top, min(page_tops[len(page_tops) // 4], top + HEAD_SLACK_LINES * line_h))
    return Layout(body, body_font, line_h, density, columns, left, right, top, bottom,
                  _running_heads(pages, head_line),
                  leading, shift, one_column, _mono_fonts(pages, body_font))


def _mono_fonts(pages: list[PageData], body_font: str) -> frozenset[str]:
    """The fonts, other than the body's, that set every character one width: MONO_MIN_LINES lines or more of
    theirs (each text once), MONO_SHARE of them with one width per character and point of type within MONO_SLACK,
    the shortest of those at most MONO_LENGTH_SPREAD of the longest. A listing's font is often named for a
    typeface that says nothing of its widths."""
    pitches: defaultdict[str, list[tuple[int, float]]] = defaultdict(list)
    # a label repeated over a figure's panels counts once, and so do lines that differ in their numbers alone
    # ("Page 3 of 13", "Table 4.")
    seen: set[tuple[str, str]] = set()
    for p in pages:
        for ln in p.lines:
            # (of Latin letters mostly: most fonts set their digits one width, and CJK type all its characters)
            key = (ln.font, _DIGITS.sub("0", ln.text))
            if ln.horizontal and ln.font != body_font and ln.size > 0 and len(ln.text) >= MONO_MIN_CHARS \
                    and sum(ch.isascii() and ch.isalpha() for ch in ln.text) >= MONO_MIN_LETTERS * len(ln.text) \
                    and key not in seen:
                seen.add(key)
                pitches[ln.font].append((len(ln.text), width(ln.box) / len(ln.text) / ln.size))
    mono = set()
    for font, rows in pitches.items():
        if len(rows) < MONO_MIN_LINES:
            continue
        # a run of spaces reads as one, so a line's width per character is at least the font's, never less: the
        # font's is near the narrowest lines', which most lines of a monospaced font share, short and long alike
        # (a proportional font's long lines come near one width, its short ones vary with their letters)
        ordered = sorted(r for _, r in rows)
        base = ordered[int(MONO_BASE_QUANTILE * (len(ordered) - 1))]
        near = [n for n, r in rows if abs(r - base) <= MONO_SLACK * base]
        if len(near) >= MONO_SHARE * len(rows) and min(near) <= MONO_LENGTH_SPREAD * max(near):
            mono.add(font)
    return frozenset(mono)


def _halves(blocks: list[Box], mid: float, span: float) -> tuple[list[Box], list[Box]]:
    """The paragraphs that keep to the left half of the text block, and those that keep to the right half."""
    slack = HALF_SLACK * span
    return [b for b in blocks if b[2] <= mid + slack], [b for b in blocks if b[0] >= mid - slack]


def _one_column_pages(para_blocks: dict[tuple[int, int], Box], mid: float, span: float) -> frozenset[int]:
    """The pages most of whose paragraphs (two or more) keep to neither half of the text block: set in one
    column."""
    by_page: dict[int, list[Box]] = defaultdict(list)
    for (page, _), b in para_blocks.items():
        by_page[page].append(b)
    across: set[int] = set()
    for page, blocks in by_page.items():
        halves = set().union(*_halves(blocks, mid, span))
        if sum(b not in halves for b in blocks) >= max(2.0, COLUMNS_SHARE * len(blocks)):
            across.add(page)
    return frozenset(across)


def _twoside_shift(para_blocks: dict[tuple[int, int], Box]) -> float:
    """How far right the text block stands on odd-indexed pages than on even ones (0 when it does not move)."""
    sides: tuple[list[Box], list[Box]] = ([], [])
    for (index, _), b in para_blocks.items():
        sides[index % 2].append(b)
    if min(len(sides[0]), len(sides[1])) < TWOSIDE_MIN_PARAGRAPHS:
        return 0.0
    edges = []
    for boxes in sides:
        lefts, rights = sorted(b[0] for b in boxes), sorted(b[2] for b in boxes)
        k = int(TWOSIDE_EDGE_QUANTILE * (len(boxes) - 1))
        edges.append((lefts[k], rights[-1 - k]))
    d_left, d_right = edges[1][0] - edges[0][0], edges[1][1] - edges[0][1]
    if abs(d_left) < TWOSIDE_MIN_SHIFT or abs(d_left - d_right) > TWOSIDE_EDGE_SLACK:
        return 0.0
    return (d_left + d_right) / 2


def _body_size(pages: list[PageData]) -> float:
    """The font size most characters of long lines are set in, before the last references heading when the text
    before it holds enough of them (a journal's long reference list in a small type outweighs its body).

    Only lines of BODY_LINE_WORDS words or more count, where there are any: an appendix of long tables in a small
    type, one cell a line, holds more characters than the body of the paper it closes."""
    sizes: Counter[float] = Counter()
    before: Counter[float] = Counter()
    for least in (BODY_LINE_WORDS, 0):
        for p in pages:
            for line in p.lines:
                if line.horizontal:
                    if REFERENCES_RE.fullmatch(line.text):
                        before = sizes.copy()
                    if least == 0 or len(line.text.split()) >= least:
                        sizes[round(line.size * 2) / 2] += len(line.text)
        if sizes:
            break
    if before.total() >= BODY_BEFORE_REFERENCES * sizes.total():
        sizes = before
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _paragraph(lines: list[Line]) -> bool:
    """A block of PARAGRAPH_MIN_LINES lines or more, PARAGRAPH_MIN_CHARS characters a line on average."""
    return len(lines) >= PARAGRAPH_MIN_LINES and sum(len(ln.text) for ln in lines) >= PARAGRAPH_MIN_CHARS * len(lines)


def _thirds(paragraphs: list[Box], left: float, right: float) -> list[tuple[float, float]] | None:
    """Three columns (a magazine's or Science's grid) when most paragraphs keep to a third of the text width
    each, every third holding some: their extents, else None."""
    span = right - left
    thirds: list[list[Box]] = [[], [], []]
    for b in paragraphs:
        k = min(2, int((center_x(b) - left) / span * 3))
        if left + k * span / 3 - THIRD_SLACK * span <= b[0] and b[2] <= left + (k + 1) * span / 3 + THIRD_SLACK * span:
            thirds[k].append(b)
    if sum(map(len, thirds)) < THIRDS_SHARE * len(paragraphs) or not all(thirds):
        return None
    return [(min(b[0] for b in third), max(b[2] for b in third)) for third in thirds]


def _leading(pages: list[PageData], body: float, line_h: float) -> float:
    """The median white between a body-size line and the next one under it (blocks may hold a single line)."""
    gaps: list[float] = []
    for p in pages:
        lines = sorted((ln.box for ln in p.lines if ln.horizontal and abs(ln.size - body) <= SAME_SIZE),
                       key=lambda b: b[1])
        for k, a in enumerate(lines):
            below = [b[1] - a[3] for b in lines[k + 1:k + 8]
                     if b[1] >= a[3] - 0.5 * line_h and min(a[2], b[2]) - max(a[0], b[0]) > 0]
            if below and min(below) <= 2 * line_h:
                gaps.append(min(below))
    return max(0.0, statistics.median(gaps)) if gaps else 0.0


def _tops_by_page(blocks: dict[tuple[int, int], Box]) -> dict[int, list[float]]:
    """Each page's paragraph tops."""
    tops: dict[int, list[float]] = defaultdict(list)
    for (page, _), box in blocks.items():
        tops[page].append(box[1])
    return tops


def _repeated_tops(pages: list[PageData]) -> set[int]:
    """Lines near the top of the page whose words (page numbers aside) stand at the same height on several
    pages: running heads, which must not pass for the body's first paragraph."""
    seen: dict[tuple[int, str], list[Line]] = defaultdict(list)
    for p in pages:
        zone = p.rect[1] + HEAD_ZONE * height(p.rect)
        for ln in p.lines:
            if ln.horizontal and ln.box[3] <= zone:
                seen[(round(ln.box[1] / 2), _head_text(ln))].append(ln)
    return {id(ln) for lines in seen.values() if len(lines) >= HEAD_MIN_PAGES for ln in lines}


def _head_text(line: Line) -> str:
    """A line's words with its numbers blanked: what a running head repeats from page to page."""
    return re.sub(r"\d+", "#", line.text.strip())


def _running_heads(pages: list[PageData], top: float) -> tuple[tuple[float, float], ...]:
    """Rows above the body text where a line stands on many pages: running heads, however far down they sit."""
    rows: Counter[tuple[int, int]] = Counter()
    texts: Counter[tuple[int, int, str]] = Counter()  # a head repeats its words (a body's first lines do not)
    for p in pages:
        # a float's label at the head of many pages ("Table 2", "Table 3", ...) is no running head
        here = {((round(ln.box[1] / 2), round(ln.box[3] / 2)), _head_text(ln))
                for ln in p.lines if ln.box[3] <= top + 1 and CAPTION_RE.match(ln.text) is None}
        rows.update({row for row, _ in here})
        texts.update({(*row, text) for row, text in here})
    repeated = {(y0, y1) for (y0, y1, _), n in texts.items() if n >= HEAD_MIN_PAGES}
    least = max(HEAD_MIN_PAGES, HEAD_PAGE_SHARE * len(pages))
    return tuple((2.0 * y0, 2.0 * y1) for (y0, y1), n in rows.items() if n >= least and (y0, y1) in repeated)


def column_of(x: float, lay: Layout) -> tuple[float, float]:
    """The column holding (or nearest to) the horizontal position ``x``."""
    return min(lay.columns, key=lambda c: 0.0 if c[0] <= x <= c[1] else min(abs(x - c[0]), abs(x - c[1])))


def page_layout(p: PageData, lay: Layout) -> Layout:
    """The layout as it lies on page ``p``: a turned page's own, one column on a page of a two-column document set
    in one, an odd page's text block shifted (two-sided)."""
    if p.turn:
        return turned_layout(p, lay)
    if p.index in lay.one_column_pages:
        lay = replace(lay, columns=[(lay.left, lay.right)], one_column_pages=frozenset())
    if not lay.odd_shift or p.index % 2 == 0:
        return lay
    s = lay.odd_shift
    return replace(lay, columns=[(a + s, b + s) for a, b in lay.columns], left=lay.left + s, right=lay.right + s,
                   odd_shift=0.0)


def turned_layout(p: PageData, lay: Layout) -> Layout:
    """A turned page's own text area: one column over its content, the document's fonts and spacing."""
    boxes = [ln.box for ln in p.lines if ln.horizontal] + [g.box for g in p.graphics]
    if not boxes:
        return lay
    left, top, right, bottom = union_all(boxes)
    return replace(lay, columns=[(left, right)], left=left, right=right, top=top, bottom=bottom)
