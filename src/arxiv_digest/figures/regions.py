"""Stage 3, regions: from each caption, search above and below for graphics, bounded by body text, headings
and other captions in the caption's range; pick a side per caption; then keep large uncaptioned graphics."""

from __future__ import annotations

import itertools
import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from arxiv_digest.models import FigureKind

if TYPE_CHECKING:
    import pymupdf

from .captions import (
    CAPTION_RE,
    GUTTER_CROSSING,
    RULE_MAX_WIDTH,
    SUBCAPTION_RE,
    Caption,
    find_captions,
    is_shape,
    opens_caption,
    row_bounds,
    same_row,
    under_graphic,
)
from .geometry import (
    Box,
    area,
    center_x,
    contains,
    height,
    intersection,
    level_with,
    near,
    pad,
    range_overlap,
    rounded,
    union,
    union_all,
    width,
    x_overlap,
)
from .layout import HEAD_ZONE, SAME_SIZE, Element, Images, Layout, Line, PageData, column_of

HEADING_RE = re.compile(r"(\d+(\.\d+)*\.?|[IVX]+\.|[A-Z]\.)\s+[A-Z]")
# "(a)", "b)", "C": a panel letter may sit as far from its panel as graphics from each other.
PANEL_LETTER_RE = re.compile(r"\(?[a-hA-H]\)?\.?")
GRAPHICAL_ABSTRACT_RE = re.compile(r"(?i)\s*(?:graphical\s+abstract|toc\s+graphic|table\s+of\s+contents\s+graphic"
                                   r"|for\s+table\s+of\s+contents\s+(?:use\s+)?only)\W*")
EQUATION_NUMBER_RE = re.compile(r"\((?:[A-Z]\.?)?[1-9]\d*(?:\.[1-9]\d*)?[a-z]?\)")  # "(7)", "(3.2)", "(A.1)"
EQUATION_FLUSH = 2.0  # points: a display equation's number stands this near its column's right edge
APPENDIX_HEADING_RE = re.compile(r"[A-Z]\s+[A-Z][a-z]")  # "B Descriptions of the Baselines", set larger
HEADING_MAX_GAP_EMS = 3.0  # a heading's number and title stand closer than this many ems
LIST_ITEM_RE = re.compile(r"\d+\.\s")  # "2. " opening an item of a numbered list...
LIST_MIN_ITEMS = 3  # ...of at least this many items
FOOTNOTE_MARK_RE = re.compile(r"\s*[\d*\u2217\u2020\u2021\u00a7\u00b6]")  # a footnote opens with its number or mark
HEADING_WORDS = {"abstract", "references", "bibliography", "acknowledgments", "acknowledgements", "appendix"}
PAD = 2.0  # points of white added around every crop
BIG_TEXT_POINTS = 2.5  # text this much larger than the body, in words, is a title or heading...
BIG_TEXT_MIN_LETTERS = 4  # ...of at least this many letters, outside a row of cells
FRAME_MIN_AREA = 2000.0  # square points: a drawn rectangle this big can frame a figure's own text...
FRAME_TEXT_SLACK = 0.1  # ...its lines' boxes standing out of it by up to this share of their height
ON_PICTURE_SHARE = 0.5  # a small line this much over a picture is the picture's label (a tree's leaves)
TEXTBOX_MIN_PROSE = 2  # a frame around this many lines of body text is a text box, not part of a larger figure
# Growing a region: graphics may be this many body line heights apart, text labels one line height.
GRAPHIC_GAP_LINES = 3.0
TEXT_GAP_LINES = 1.0
BRIDGE_MAX_ROWS = 3  # rows of text (axis title, tick labels) crossed to a graphic further on...
BRIDGE_GAP_LINES = 1.5  # ...each within this many lines of the next in a figure (plotting libraries pad tick
# labels; a table's rows stay within one)
CAPTION_SKIP_LINES = 4.0  # the first step from a caption to its graphic may be this long (a generous caption skip)
CAPTION_OVERLAP_LINES = 0.3  # a graphic may overlap its caption's edge by this much (an image's white margin)
LIMIT_OVERLAP_LINES = 0.15  # an image may overlap the body line beyond it by this much (into its descent)
FAR_CAPTION_SKIP_LINES = 6.0  # ...or this long when there is nothing nearer on either side (eLife's floats)
FARTHEST_CAPTION_SKIP_LINES = 10.0  # ...or this, with no body text between (a plot exported with a wide margin)
TABLE_TEXT_GAP_LINES = 2.0  # a table's rows of cells may be spaced further apart (multi-line cells, padding)
PROSE_MIN_COLUMN_SHARE = 0.55  # a body line fills at least this much of its column...
PROSE_MIN_DENSITY = 0.6  # ...at no less than this share of the body's character density...
PROSE_MIN_LETTERS = 0.3  # ...and this share of letters among its characters (not a table's row of numbers)
FIGURE_MIN_CELL_ROWS = 3  # rows of table cells that make a figure without a drawing (a grid of examples)...
GRID_MIN_CELLS = 3  # ...each of at least this many cells (not a list of "name : value" pairs)
CELL_MAX_COLUMN_SHARE = 0.4  # a line beside a line this short (in its column's row) is a table cell
SPANNING_HEADER_LINES = 1.5  # a table's spanning header stands at most this many lines over its cells
CELL_INDENT_SHARE = 0.15  # a line starting this far into its column, flush with a cell, is a cell's next line
DESCRIPTION_MIN_ROWS = 3  # lines of blocks with cells that start where this many lines level with their block's
# cells start are a column of wrapped cells, wherever it starts (a dataset table's descriptions, at a column's edge)
UPRIGHT_MIN_RATIO = 2.0  # a text element this many times taller than wide...
UPRIGHT_MIN_HEIGHT = 20.0  # ...and this many points tall is set upright, not a tall digit
ROW_OVERLAP = 0.4  # two lines share a row when they overlap this share of the lower one's height (a label level
# with the middle of a two-line cell overlaps each of its lines by about half)
LADDER_MIN_LINES = 8  # a review copy's line numbers: at least this many numbers stacked on one edge...
LADDER_EDGE = 1.0  # ...their edges this many points apart at most, counting down the page...
LADDER_BODY_LINES = 5  # ...beside at least this many lines of body text (this many characters long)...
LADDER_BODY_CHARS = 25
LADDER_CROSSED_SHARE = 0.1  # ...of which at most this share crosses their range (a listing's numbers are crossed)
HEAD_MIN_LETTERS = 4  # a running head that bounds the page's top band holds at least this many letters
HEAD_RULE_SHARE = 0.5  # a rule this share of the text width wide...
HEAD_RULE_LINES = 0.5  # ...this many line heights under such a head is the head's rule
LINE_NUMBER_SIZE = 0.75  # a number set at most this share of the body size beside much larger text is a review
# copy's line number, however near the text it stands
FRACTION_MAX_SHARE = 0.5  # a fraction bar is at most this share of a column wide...
FRACTION_REACH = 0.6  # ...with text within this many line heights over it and under it...
FRACTION_PROSE_LINES = 2.5  # ...and body text within this many line heights
TABLE_RULE_SHARE = 0.5  # a horizontal rule at least this share of its caption's range wide is a table's rule
SHADED_ROW_MIN_CELLS = 2  # a table's shaded band behind at least this many of its cells is a row, not a picture
SHADED_ROW_MAX_LINES = 6.0  # ...past its header's rule, when at most this many line heights tall (not a framed box)
GUTTER_REACH = 20.0  # points a graphic must reach into the other column to span both
WRAP_MIN_COLUMN_SHARE = 0.3  # a body line this wide beside a caption, on its rows or up to...
WRAP_ABOVE_LINES = 3.0  # ...this many line heights above them, wraps around its figure
SIDE_CAPTION_MAX_SHARE = 0.35  # a caption beside its figure is at most this share of the text width...
SIDE_MIN_LINES = 2.5  # ...at least this many lines tall...
SIDE_OVERLAP = 0.5  # ...and a graphic beside it spans at least this share of its height...
SIDE_GAP_LINES = 5.0  # ...within this many line heights of it (a caption in the margin sits further off)
SIDE_FLUSH = 4.0  # points: a side caption and its figure set against the text block's opposite edges
RULE_ALIGN = 3.0  # points: rules this close at both ends bound one ruled block (boxes, one stack of text boxes)
SET_ON_SHARE = 0.9  # a caption this much inside a picture spanning both columns is set on its white: its figure
OVERHANG_SHARE = 0.5  # a graphic reaching this share of a caption's range past either end is not its figure's
MARGIN_GAP = 2.0  # points past the text area's edge where a side margin begins
# Body-text-like lines inside a figure come in short runs; consecutive lines of a run are this close.
MAX_EMBEDDED_LINES = 3
MAX_SUBCAPTION_LINES = 6
SUBCAPTION_ROW_RE = re.compile(r"\s\([b-z]\)\s")  # ...and a later panel's label on the same line
CENTRED_MIN_INDENT = 5.0  # points: a line this far in from its column's left edge...
CENTRED_SLACK = 4.0  # ...and as far, within this, from its right edge is centred
TITLE_MAX_SHARE = 0.8  # a plot title is narrower than the plot under it...
TITLE_CENTRING = 0.1  # ...and centred over it, within this share of the plot's width
EVIDENCE_LINES = 3.0  # a graphic this many line heights long (either side) is a figure part, not an icon
RUN_LINE_GAP = 0.6
JUSTIFIED_SLACK = 1.5  # points: a body line set flush with both edges of its column...
JUSTIFIED_MIN_LINES = 2  # ...and a run with this many such lines, between two graphics, is a paragraph
HANG_REACH = 2.0  # tick labels and an axis title hanging from a plot are looked for this many gaps above a run
# A table's notes start within this many line heights under it, lie mostly within its width, and open with a
# note mark when not set smaller than the body.
NOTE_SIZE_SLACK = 1.0  # points a note in a small type may be larger than the table's largest text
NOTE_SKIP_LINES = 1.5
# A footnote rule: thin, flush with its column's left edge (within this many points), this share of it long
# (LaTeX draws 0.4 of the column, Word two inches).
FOOTNOTE_RULE_SLACK = 3.0
FOOTNOTE_RULE_MIN_SHARE = 0.15
FOOTNOTE_RULE_MAX_SHARE = 0.45
NOTE_INSIDE = 0.3
NOTE_WORD = r"(Notes?|Abbreviations?|Sources?)\s*[:.\u2014\u2013-]|NOTE"
NOTE_RE = re.compile(r"\s*([*\u2217\u2020\u2021\u00a7\u00b6#]|[a-z](\s|\)|(?=[A-Z][a-z]))"
                     rf"|{NOTE_WORD}|[Pp]\s*[<\u2264=])")
NOTE_WORD_RE = re.compile(rf"\s*({NOTE_WORD})")
# a note's mark, or its raised letter or number run into its first word ("1Balanced"): no sentence opens so
MARKED_NOTE_RE = re.compile(rf"\s*([*\u2217\u2020\u2021\u00a7\u00b6#]|[a-z\d](?=[A-Z][a-z])|{NOTE_WORD})")
NOTE_WORD_SKIP_LINES = 3.0  # ...or this many when they open with "Note." (AASTeX's deluxetable sets them apart)
MATH_FONT_RE = re.compile(r"(?:[A-Z]{6}\+)?(?:CM(?:MI|SY|EX)|MSBM|MSAM|\w*Math)")  # TeX's math fonts
MONOSPACE_RE = re.compile(r"(?i)courier|mono|nimbusmon|typewriter|cmtt|sftt|txtt|consol|menlo|inconsolata|sourcecode")
CODE_MIN_LINES = 2  # a figure of code alone has at least this many lines
CODE_FLUSH = 3.0  # points: a short line between a listing's lines starts this near their left edge...
LISTING_GAP_ROWS = 3  # ...and at most this many such lines stand together
# A figure of plain text starts within this many line heights of its caption, is set apart from the text
# beyond it by more than this many, and has at most this many rows.
TEXT_FIGURE_SKIP_LINES = 2.0
TEXT_FIGURE_APART_LINES = 1.5
TEXT_FIGURE_MAX_ROWS = 12
LINE_NUMBER_RE = re.compile(r"\d{1,3}[:.](?:\s|$)")  # an algorithm's line number ("12:", "12.") opening its line
BARE_NUMBER_RE = re.compile(r"\d{1,3}")  # ...or set apart on its own
TEXT_FIGURE_MAX_CODE_ROWS = 40  # ...or this many when none of them is set like the body
TEXT_FIGURE_PROSE_SHARE = 0.2  # ...or when at most this share of them reads as prose, at a column's head (a grammar)
TEXT_FIGURE_MAX_NUMBERED_ROWS = 90  # ...or this many (a page of small type) when most of its rows are numbered,
PAGE_FIGURE_SMALL_SHARE = 0.9  # ...or when this share of its lines is in a smaller type and nothing else is near
TEXT_FIGURE_FAR_SKIP_LINES = 4.0  # ...or within this many when set unlike the body (code in a smaller type)...
TEXT_FIGURE_BLANK_LINES = 2.0  # ...whose lines may then leave a blank line between them
TEXT_FIGURE_MIN_INDENTS = 3  # text in the body's type is a figure only at a column's head, its lines at this many
# indents at least...
TEXT_FIGURE_SHORT_SHARE = 0.6  # ...or anywhere, its lines at as many indents and each shorter than this share of
# the caption's range (an algorithm's steps)
# a text figure's lines share a row when their middles stand closer than this many body font sizes (a formula's
# tall glyph boxes reach into the rows over and under it; a double-spaced body's line height is no measure)
ROW_MIDDLE_EMS = 0.5
UNCAPTIONED_MIN_PAGE_SHARE = 0.15  # an uncaptioned graphic cluster must cover this much of the page...
WORDLESS_MIN_PAGE_SHARE = 0.02  # ...or this much on a page whose figures are read from its ink (no caption read)
UNCAPTIONED_MAX_PROSE_SHARE = 0.25  # ...and at most this much of it may be body text (a frame around text)
UNCAPTIONED_MAX_TEXT_SHARE = 0.25  # ...or text in any type, when it holds UNCAPTIONED_PANEL_SENTENCES lines of
UNCAPTIONED_PANEL_SENTENCES = 3  # UNCAPTIONED_SENTENCE_WORDS words or more (a sidebar, a prompt or code panel)
UNCAPTIONED_SENTENCE_WORDS = 6
UNCAPTIONED_JOIN = 6.0  # points between graphics of one uncaptioned cluster
UNCAPTIONED_EDGE = 30.0  # points: ...that comes no nearer the page's edge than this
UNCAPTIONED_LINK_SHARE = 0.8  # ...and is not this much covered by one web link (an advert on a publisher's cover)
UNCAPTIONED_HEAD_GAP = 20.0  # points: ...nor stands this near under a "Graphical Abstract" heading
CONTINUED_OVERLAP = 0.5  # ...nor spans this share of the narrower of itself and a figure it continues (its map)...
STRIP_MAX_LINES = 3.0  # ...which holds only a strip (a legend) this many line heights tall
# Where a caption's graphics are looked for first, unless the document shows otherwise: figures captioned below
# ("up" from the caption), tables above ("down").
DEFAULT_SIDE = {FigureKind.FIGURE: "up", FigureKind.TABLE: "down"}


@dataclass(frozen=True)
class LocatedFigure:
    """Where a figure, table or the first-page image is.

    ``bbox`` is the crop a reader sees (graphic and caption), ``figure_box`` the graphic alone and
    ``caption_box`` the caption's lines (None when there is no caption), all in unrotated PDF points.
    """

    kind: FigureKind
    number: str | None
    page: int
    bbox: Box
    caption: str
    figure_box: Box | None = None
    caption_box: Box | None = None
    turn: int = 0  # quarter turns that set the crop upright, so a landscape table's text reads left to right
    images: Images | None = None  # the page's embedded images, when its reading listed them
    display: pymupdf.DisplayList | None = field(default=None, compare=False, repr=False)  # the page, recorded


@dataclass
class _Option:
    taken: list[Element]
    neighbor: int | None


def locate_page(p: PageData, lay: Layout, prefer: dict[FigureKind, str] | None = None,
                votes: list[tuple[FigureKind, str]] | None = None,
                outranked: AbstractSet[tuple[FigureKind, str]] = frozenset()) -> list[tuple[LocatedFigure, bool]]:
    """Figures and tables of one page: caption-anchored regions, then large uncaptioned graphics; each with
    whether its caption is a strong one (see ``Caption.strong``).

    ``outranked`` holds the (kind, number) of floats found under a strong caption: a weak caption with such a
    number ("Table 7. When T is small" opening a paragraph) is read as text, leaving its graphics to the others.

    ``prefer`` overrides the side each kind's graphics are looked for first when both sides have some ("up":
    captioned below); ``votes`` collects the side of every caption that had graphics on one side only.
    """
    page_h = height(p.rect)
    top_band = _top_band(p, min(lay.top, p.rect[1] + 0.1 * page_h), 1.2 * lay.body_size) - 1
    bottom_band = max(lay.bottom, p.rect[1] + 0.9 * page_h) + 1

    top_band = max(top_band, _under_running_head(p, lay))

    def in_band(b: Box) -> bool:
        """Running heads, page numbers and footers lie above or below the text area."""
        return b[3] <= top_band or b[1] >= bottom_band or _head_row(b, lay)

    def is_decor(b: Box) -> bool:
        """...and line numbers, rules in the margins and the arXiv stamp beside it."""
        return in_band(b) or b[2] <= lay.left - 2 or b[0] >= lay.right + 2

    ladder = _line_ladder(p, lay)
    decor = [is_decor(ln.box) or i in ladder for i, ln in enumerate(p.lines)]
    # a drawing reaching out of the footer (one path for a journal's footer rules) lies mostly in the band
    graphics = [g for g in p.graphics if not is_decor(g.box) and (g.box[1] + g.box[3]) / 2 < bottom_band]
    footrules = _footnote_rules(p, graphics, lay)
    graphics = [g for g in graphics if g.box not in footrules]
    # A caption may stand in the margin, or in the footer's band under a float that fills the page: a styled
    # label set as a caption right under a graphic.
    gap_g = GRAPHIC_GAP_LINES * lay.line_h
    captions = find_captions(p, lay, [in_band(ln.box) and not (
        _set_as_caption(ln, lay) and ln.box[1] >= bottom_band
        and under_graphic(ln, graphics, p.lines, gap_g)) for ln in p.lines])
    captions = [c for c in captions if c.strong or (c.kind, c.number) not in outranked]
    if not captions and (not graphics or area(union_all([g.box for g in graphics]))
                         <= _uncaptioned_share(p) * area(p.rect)):
        return []  # most text pages: no caption, and too little drawn for an uncaptioned figure
    for c in captions:
        c.preferred = "down" if c.foreign else (prefer or {}).get(c.kind) or DEFAULT_SIDE[c.kind]
    caption_lines = set().union(*(c.lines for c in captions))
    margin_floats: set[int] = set()
    # A caption in the page's margin (Tufte's margin figures): the graphics and labels in that margin, level with
    # it or near it, are a float's, not the margin's rules and notes.
    for c in captions:
        if not (margin := _margin_of(c.box, lay, p.rect)):
            continue
        reach = FARTHEST_CAPTION_SKIP_LINES * lay.line_h  # not a rule by the running head half a page off
        mine = [g for g in p.graphics if _in_margin(g.box, c.box, margin) and not in_band(g.box)
                and max(g.box[1] - c.box[3], c.box[1] - g.box[3]) <= reach]
        if len(mine) <= 1 and not any(is_shape(g) for g in mine):
            continue  # a lone rule is the caption's underline, not a float (a table's rules are several)
        c.xr = margin
        if any(-CAPTION_SKIP_LINES * lay.line_h <= max(g.box[1] - c.box[3], c.box[1] - g.box[3]) for g in mine):
            margin_floats.add(id(c))  # its graphics over or under it: a margin figure, not a side caption
        graphics.extend(g for g in mine if g not in graphics)
        for i, ln in enumerate(p.lines):
            if decor[i] and _in_margin(ln.box, c.box, margin) and not in_band(ln.box):
                decor[i] = False

    gap_t = TEXT_GAP_LINES * lay.line_h
    frames = [g.box for g in graphics if g.kind == "vector" and area(g.box) > FRAME_MIN_AREA]
    pictures = [g.box for g in graphics if g.kind == "raster"]
    barrier_lines: list[int] = []
    big_lines: set[int] = set()  # barriers only for their large type: a plot's axis title may be set so
    text_elements: list[Element] = []
    cells = _table_cells(p, lay, ladder)
    prose = _prose_lines(p, lay, caption_lines, cells)
    headings = _headings(p, lay)
    equations = _display_equations(p, lay)
    graphics = [replace(g, textbox=True) if g.kind == "vector" and area(g.box) > FRAME_MIN_AREA
                and sum(contains(g.box, p.lines[i].box) for i in prose) >= TEXTBOX_MIN_PROSE else g for g in graphics]
    # a sub-caption in a type smaller than the body's ("(b) The specifications of ...") and a table's notes between
    # it and its caption may run as wide as prose, but stand in a float, not in the body
    small = lay.body_size - SAME_SIZE
    subcaptions = {ln.block for ln in p.lines if ln.starts_para and ln.size < small and SUBCAPTION_RE.match(ln.text)}
    table_notes = _notes_by_caption(captions, p, lay, decor)
    for i, line in enumerate(p.lines):
        if i in caption_lines or decor[i]:
            continue
        # text drawn inside a figure's frame (its line box, ascent and descent, may stand a little out of it), or
        # set over a picture in a type smaller than the body's (a scan's OCR layer is in the body's own)
        boxed = any(contains(f, line.box, tol=max(1.0, FRAME_TEXT_SLACK * height(line.box))) for f in frames) or (
            line.size < lay.body_size - SAME_SIZE
            and any(area(intersection(r, line.box)) >= ON_PICTURE_SHARE * area(line.box) for r in pictures))
        heading = i in headings
        big = (line.horizontal and line.size >= lay.body_size + BIG_TEXT_POINTS and i not in cells
               and sum(ch.isalpha() for ch in line.text) >= BIG_TEXT_MIN_LETTERS)  # not a tick label or unit
        float_text = line.block in subcaptions and line.size < small or i in table_notes
        if not boxed and not float_text and (i in prose or heading or big or i in equations) \
                and not _on_a_tab(line.box, frames, graphics):
            barrier_lines.append(i)
            if big and not (i in prose or heading or i in equations):
                big_lines.add(i)
        elif line.size < lay.body_size + BIG_TEXT_POINTS:
            label = PANEL_LETTER_RE.fullmatch(line.text) is not None or SUBCAPTION_RE.match(line.text) is not None
            text_elements.append(Element(line.box, "text", label, i in cells))
    embedded = _embedded_runs(p, barrier_lines, graphics, captions, gap_g, lay, big_lines)
    text_elements.extend(Element(p.lines[i].box, "text") for i in embedded)
    barriers = [p.lines[i].box for i in barrier_lines if i not in embedded]
    elements = graphics + text_elements
    # a fraction bar in a line of text reaches no further than the text does (a table's rules stay rules)
    prose_boxes = [p.lines[i].box for i in prose]
    as_text = {id(g): Element(g.box, "text") for g in _fraction_bars(graphics, p, lay, prose_boxes)}

    _widen_to_spanning_graphics(captions, graphics, text_elements, lay, gap_g)
    _narrow_to_wrapped_text(captions, p, lay, caption_lines, decor)
    _yield_to_facing_captions(captions, barriers, graphics, p.rect, lay)
    side: dict[int, list[Element]] = {}

    def beside(c: Caption, any_width: bool = False) -> list[Element]:
        """The float beside the caption, from the elements no side caption has taken yet."""
        claimed = {id(e) for taken in side.values() for e in taken}
        return _beside(c, _side_part(c, p, lay), [e for e in elements if id(e) not in claimed], barriers, lay,
                       gap_g, [o.box for o in captions if o is not c], any_width=any_width)

    for i, c in enumerate(captions):  # top to bottom: a float beside one caption is not the next one's
        if id(c) not in margin_floats and (taken := beside(c)):
            side[i] = taken
    options: list[dict[str, _Option]] = []
    barrier_set = set(barriers)
    lone = len(captions) == 1 and not barriers
    body_set = {ln.box for ln in p.lines if _like_body(ln, lay)} if lone else set()
    trims: dict[tuple[int, float], Element] = {}

    def in_range(b: Box, c: Caption) -> bool:
        """In the caption's range; with one column, a graphic reaching into it from the margin is too (journals
        that indent the text set their floats full width)."""
        if len(lay.columns) == 1 and b[0] < c.xr[0] <= lay.left + 1 and b[2] > c.xr[0] + 1:
            return True
        if not c.xr[0] - 1 <= center_x(b) <= c.xr[1] + 1:
            return False
        # a rule across both columns is no part of a one-column figure, however its middle falls (a table's
        # caption may be narrower than its rules)
        reach = OVERHANG_SHARE * (c.xr[1] - c.xr[0])
        return c.kind is FigureKind.TABLE or c.xr[0] - reach <= b[0] and b[2] <= c.xr[1] + reach
    for i, c in enumerate(captions):
        opts = {}
        if i in side:  # captioned at the side: not a candidate above or below
            options.append({"up": _Option([], None), "down": _Option([], None)})
            continue
        zones: dict[bool, tuple[int | None, float, list[Element]]] = {}
        for up in (True, False):
            limit, neighbor = _limit(c, captions, barriers, p.rect, up)
            edge = c.box[1] if up else c.box[3]
            lo, hi = (limit, edge) if up else (edge, limit)
            # an image's white margin may reach a little under (over) its caption
            near_lo, near_hi = (0.5, CAPTION_OVERLAP_LINES * lay.line_h) if up else (
                CAPTION_OVERLAP_LINES * lay.line_h, 0.5)
            # ...and an image into the descent of the body line at the zone's far end
            far = LIMIT_OVERLAP_LINES * lay.line_h
            image_lo, image_hi = (far, near_hi) if up else (near_lo, far)
            zones[up] = (neighbor, edge, [as_text.get(id(e), e) if c.kind is FigureKind.FIGURE else e
                                          for e in elements if (
                                              lo - near_lo <= e.box[1] and e.box[3] <= hi + near_hi
                                              or e.kind == "raster" and lo - image_lo <= e.box[1]
                                              and e.box[3] <= hi + image_hi) and in_range(e.box, c)]
                         + [_trimmed(e, edge, up, trims) for e in elements if e.kind == "raster"
                            and _under_caption(e.box, c.box, lo - near_lo, hi + near_hi, up, lay)
                            and in_range(e.box, c)])
        # A wide white gap between a caption and its graphics is crossed only when nothing is nearer; alone on a
        # page without body text, any gap is (a continued figure's last row, its caption at the page's foot).
        # Graphics found only on the unusual side, towards a caption that faces them on its usual side, are
        # likely that caption's: the usual side is still searched further off.
        first: dict[str, _Option] | None = None
        for skip in (CAPTION_SKIP_LINES, FAR_CAPTION_SKIP_LINES, FARTHEST_CAPTION_SKIP_LINES,
                     *((math.inf,) if lone else ())):
            for up, (neighbor, edge, zone) in zones.items():
                table = c.kind is FigureKind.TABLE
                taken = _grow(zone, edge, up, gap_g, gap_t, TABLE_TEXT_GAP_LINES * lay.line_h if table else gap_t,
                              max(gap_g, skip * lay.line_h), gap_t if table else BRIDGE_GAP_LINES * gap_t,
                              framed=not table and up == (c.preferred == "up"))
                if c.kind is FigureKind.TABLE and taken:
                    taken = _before_graphics(c, _to_last_rule(c, zone, taken, edge, up), up, lay.line_h)
                shapes = [e.box for e in zone if e.kind != "text"] if lone and taken else []
                if shapes:  # alone on a page without body text: the float owns all on its side, and keeps what it
                    # took beyond its drawings unless that is set like the body (columns read as a table's cells)
                    ends = shapes + [e.box for e in taken if e.kind != "text" or e.box not in body_set]
                    far = min(b[1] for b in ends) - gap_t if up else max(b[3] for b in ends) + gap_t
                    taken = [e for e in zone if (e.box[1] >= far if up else e.box[3] <= far)]
                if taken and not up:  # captioned above: its notes follow it (economics sets figures so too)
                    taken = taken + _notes(taken, p, lay, caption_lines, decor, footrules)
                opts["up" if up else "down"] = _Option(taken if _has_content(c, taken) else [], neighbor)
            if any(o.taken for o in opts.values()):
                first = first or dict(opts)
                if opts[c.preferred].taken or not _faced(c, opts[_opposite(c.preferred)], captions):
                    break
        else:
            if first is not None:  # nothing further off on the usual side: what was found first stands
                opts = first
        if not any(o.taken for o in opts.values()):
            # nothing either side, the lines there passing for body text: a block between full-width rules
            for direction in (c.preferred, _opposite(c.preferred)):
                if taken := _ruled_block(c, p, graphics, captions, direction == "up", caption_lines, decor, lay,
                                         headings, big_lines):
                    opts[direction].taken = taken
                    break
        elif c.kind is FigureKind.TABLE:
            # a table of sentences between rules (a prompt): its sentences stopped the search at or after its
            # last rule, so the rows found on that side, if any, are only part of it
            for direction, o in opts.items():
                block = _ruled_block(c, p, graphics, captions, direction == "up", caption_lines, decor, lay,
                                     headings, big_lines)
                if any(e.box in barrier_set for e in block) and (not o.taken or _beyond(block, o.taken, direction)):
                    o.taken = block
        if c.kind is FigureKind.FIGURE and not opts[c.preferred].taken and any(o.taken for o in opts.values()):
            # a code listing on its usual side: the graphics on the other side may be the next figure's
            usual = c.preferred == "up"
            taken = _code_listing(c, p, lay, usual, caption_lines, decor)
            other = opts[_opposite(c.preferred)].neighbor
            if not taken and other is not None and captions[other].preferred == c.preferred and c.strong \
                    and _described(c):  # ...they are: the caption beyond them looks their way
                taken = _text_figure(c, p, lay, usual, caption_lines, decor, prose)
            opts[c.preferred].taken = taken
        elif c.kind is FigureKind.FIGURE and not any(o.taken for o in opts.values()):
            for direction, o in opts.items():  # no graphics either side: a figure that is a code listing
                o.taken = _code_listing(c, p, lay, direction == "up", caption_lines, decor)
            # ...or text set apart, on its usual side, under a caption of its own (a bare "Figure 2" heading
            # over a paragraph is a legend)
            if c.strong and _described(c) and not any(o.taken for o in opts.values()):
                opts[c.preferred].taken = _text_figure(c, p, lay, c.preferred == "up", caption_lines, decor, prose)
        # nothing over or under it: a legend filling one column beside its figure in the other (Nature's)
        if not any(o.taken for o in opts.values()) and len(lay.columns) == 2 and (taken := beside(c, any_width=True)):
            side[i] = taken
        options.append(opts)
    if votes is not None:
        votes.extend((c.kind, sides[0]) for i, c in enumerate(captions)
                     if i not in side and not c.foreign
                     and len(sides := [s for s in ("up", "down") if options[i][s].taken]) == 1)
    chosen = _choose_directions(captions, options)

    found: list[tuple[LocatedFigure, bool]] = []
    regions: list[Box] = []
    finals: dict[int, list[Element]] = {}
    grows: dict[int, str] = {}  # the side each figure found over or under its caption grew to, by index in found
    for i, d in enumerate(chosen):
        if i in side:
            finals[i] = side[i]
        elif d is not None:
            finals[i] = _resolve_shared(i, d, captions, options, chosen, lay.line_h)
    _split_overlaps(captions, finals, chosen, side)
    _split_side_by_side(captions, finals)
    for i, c in enumerate(captions):
        # a figure with nothing of its own over (under) it but listings captioned each on its own: its panels
        if (c.kind is FigureKind.FIGURE and c.strong and not c.foreign and i not in side
                and not _has_content(c, finals.get(i, []))
                and (stack := _foreign_stack(c, (chosen[i] or c.preferred) == "up", captions, finals, gap_g))):
            finals[i] = stack
    for i, taken in finals.items():
        c = captions[i]
        if not _has_content(c, taken) and c.kind is FigureKind.FIGURE and i not in side:
            # its graphics went to the float it faces (a table's rules): what is left may be a code listing
            taken = _code_listing(c, p, lay, chosen[i] == "up", caption_lines, decor)
        if not _has_content(c, taken):
            continue
        graphic = union_all([e.box for e in taken])
        box = pad(union(graphic, c.box), p.rect, PAD)
        regions.append(box)
        if c.foreign:
            continue
        if c.kind is FigureKind.FIGURE and i not in side and (grew := chosen[i]) is not None:
            grows[len(found)] = grew
        found.append((LocatedFigure(c.kind, c.number, p.index, box, c.text, pad(graphic, p.rect, PAD),
                                    pad(c.box, p.rect, PAD)), c.strong))
    for u in _uncaptioned(p, graphics, text_elements, regions, prose_boxes):
        k = _grown_into(u.bbox, found, grows, barriers, FAR_CAPTION_SKIP_LINES * lay.line_h,
                        STRIP_MAX_LINES * lay.line_h)
        if k is None:
            found.append((u, False))
            continue
        f, strong = found[k]
        figure_box = union(f.figure_box or u.bbox, u.bbox)
        found[k] = (replace(f, bbox=union(f.bbox, u.bbox), figure_box=figure_box), strong)
    return found


def _foreign_stack(c: Caption, up: bool, captions: list[Caption], finals: dict[int, list[Element]],
                   gap: float) -> list[Element]:
    """The floats of listings or algorithms, with their captions, stacked one after the other from the caption's
    edge on its side, each within ``gap`` of the last and in the caption's range."""
    taken: list[Element] = []
    edge = c.box[1] if up else c.box[3]
    used: set[int] = set()
    while True:
        nearest: tuple[float, int, Box] | None = None
        for j, elements in finals.items():
            o = captions[j]
            if j in used or not o.foreign or not elements:
                continue
            region = union_all([e.box for e in elements] + [o.box])
            d = edge - region[3] if up else region[1] - edge
            if -1 <= d <= gap and range_overlap(region, c.xr) >= 0.5 * width(region):
                nearest = min(nearest or (d, j, region), (d, j, region))
        if nearest is None:
            return taken
        _, j, region = nearest
        used.add(j)
        taken += [*finals[j], Element(captions[j].box, "text")]
        edge = region[1] if up else region[3]


def _ruled_block(c: Caption, p: PageData, graphics: list[Element], captions: list[Caption], up: bool,
                 caption_lines: set[int], decor: list[bool], lay: Layout, headings: AbstractSet[int],
                 big: AbstractSet[int]) -> list[Element]:
    """The lines between a rule right over (under) the caption and the last rule in line with it beyond, whatever
    they look like: a table of sentences, or a listing set between rules, captioned as a figure; but not when a
    section heading stands between the rules (a manuscript that rules off its captions, set in its text, and a
    frame further up: the text between is the body). A heading is one of ``headings`` or a line in a large type
    (``big``); in a numbered list of LIST_MIN_ITEMS items or more, a bold "2. Order better than count" is an
    item, not a heading. The rule over a page's footnotes ends no block."""
    span = c.xr[1] - c.xr[0]
    gap = GRAPHIC_GAP_LINES * lay.line_h
    edge = c.box[1] if up else c.box[3]
    rules = sorted((g for g in graphics if _table_rule(g, span) and c.xr[0] - 1 <= center_x(g.box) <= c.xr[1] + 1
                    and (g.box[3] <= edge + 1 if up else g.box[1] >= edge - 1)),
                   key=lambda g: -g.box[1] if up else g.box[1])
    if not rules or abs((rules[0].box[3] if up else rules[0].box[1]) - edge) > gap:
        return []
    first = rules[0].box
    others = [o.box for o in captions if o is not c]
    lo, hi = (first[3], edge) if up else (edge, first[1])
    if any(o[1] < hi and o[3] > lo and x_overlap(o, first) > 0 for o in others):
        return []  # that rule is another caption's float's
    last = first
    for g in rules[1:]:
        if not _aligned(g.box, first) or _over_footnotes(g.box, p, lay, decor):
            continue
        lo, hi = (g.box[1], last[3]) if up else (last[1], g.box[3])
        if any(o[1] < hi and o[3] > lo and x_overlap(o, first) > 0 for o in others):
            break
        last = g.box
    if last is first:
        return []
    lo, hi = (last[1], first[3]) if up else (first[1], last[3])
    # a line is between the rules when its middle is (the ascent of the first line under a rule may reach over it)
    inside = [i for i, ln in enumerate(p.lines) if lo <= (ln.box[1] + ln.box[3]) / 2 <= hi
              and x_overlap(ln.box, first) > 0]
    lines = [Element(p.lines[i].box, "text") for i in inside if i not in caption_lines and not decor[i]]
    listed = sum(LIST_ITEM_RE.match(p.lines[i].text) is not None for i in inside) >= LIST_MIN_ITEMS
    if not lines or any(i in big or i in headings and not listed for i in inside):
        return []
    return [g for g in graphics if lo - 1 <= g.box[1] and g.box[3] <= hi + 1 and x_overlap(g.box, first) > 0] + lines


def _over_footnotes(rule: Box, p: PageData, lay: Layout, decor: list[bool]) -> bool:
    """A rule over a page's footnotes: the lines under it, to the page's foot, all in a type smaller than the
    body's, the first opening with a footnote's mark."""
    under = [ln for i, ln in enumerate(p.lines) if not decor[i] and ln.box[1] >= rule[3] - 1
             and x_overlap(ln.box, rule) > 0]
    return bool(under) and FOOTNOTE_MARK_RE.match(min(under, key=lambda ln: (ln.box[1], ln.box[0])).text) is not None \
        and all(ln.size < lay.body_size - SAME_SIZE for ln in under)


def _beyond(block: list[Element], taken: list[Element], direction: str) -> bool:
    """The block reaches further from the caption than what was taken on that side, which ends short of a rule
    (a table that ends at its last rule is whole)."""
    if direction == "up":
        far = min(e.box[1] for e in taken)
        return min(e.box[1] for e in block) < far - 1 and not any(_flat(e) and e.box[1] <= far + 1 for e in taken)
    far = max(e.box[3] for e in taken)
    return max(e.box[3] for e in block) > far + 1 and not any(_flat(e) and e.box[3] >= far - 1 for e in taken)


def _under_caption(b: Box, caption: Box, lo: float, hi: float, up: bool, lay: Layout) -> bool:
    """An image reaching under its caption's first rows (over its last ones, when ``up`` is False) from the
    zone beyond: its transparent or white margin, which the caption is set on."""
    if up:
        return lo <= b[1] <= caption[1] - lay.line_h and hi < b[3] < caption[3]
    return caption[1] < b[1] < lo and caption[3] + lay.line_h <= b[3] <= hi


def _trimmed(e: Element, edge: float, up: bool, trims: dict[tuple[int, float], Element]) -> Element:
    """The element cut at the caption's edge (one copy per element and edge, so captions can tell it is shared)."""
    key = (id(e), edge)
    if key not in trims:
        x0, y0, x1, y1 = e.box
        trims[key] = replace(e, box=(x0, y0, x1, edge) if up else (x0, edge, x1, y1))
    return trims[key]


def _margin_of(box: Box, lay: Layout, page: Box) -> tuple[float, float] | None:
    """The side margin a caption stands in (wholly outside the text area), as a range, else None."""
    if box[0] >= lay.right + MARGIN_GAP:
        return (lay.right + MARGIN_GAP, page[2])
    if box[2] <= lay.left - MARGIN_GAP:
        return (page[0], lay.left - MARGIN_GAP)
    return None


def _in_margin(b: Box, caption: Box, margin: tuple[float, float]) -> bool:
    """A box in the margin ``margin`` (across from the text area) under or over the caption's width."""
    return margin[0] - 1 <= b[0] and b[2] <= margin[1] + 1 and b[0] <= caption[2] and b[2] >= caption[0]


def _fraction_bars(graphics: list[Element], p: PageData, lay: Layout, prose: list[Box]) -> list[Element]:
    """Short horizontal rules with text reaching over and under them, near body text: fraction bars in a
    paragraph (an inference rule's bar, in a figure of such rules, stands further from the body)."""
    longest = FRACTION_MAX_SHARE * min(c[1] - c[0] for c in lay.columns)
    near, reach = FRACTION_PROSE_LINES * lay.line_h, FRACTION_REACH * lay.line_h
    prose = sorted(prose, key=lambda t: t[1])
    tops = [t[1] for t in prose]
    tallest = max((height(t) for t in prose), default=0.0)
    bars = []
    for g in graphics:
        b = g.box
        if height(b) > RULE_MAX_WIDTH or width(b) > longest:
            continue
        # only prose whose top lies within reach of the rule can end just above it or start just below it
        window = prose[bisect_left(tops, b[1] - near - tallest - 1):bisect_right(tops, b[3] + near + 1)]
        if not any(x_overlap(t, b) > 0 and (0 <= b[1] - t[3] <= near or 0 <= t[1] - b[3] <= near) for t in window):
            continue
        y = (b[1] + b[3]) / 2
        beside = [ln.box for ln in p.lines if x_overlap(ln.box, b) > 0]
        if (any(t[1] < y - 1 and t[3] > y - reach for t in beside)
                and any(t[3] > y + 1 and t[1] < y + reach for t in beside)):
            bars.append(g)
    return bars


def _on_a_tab(b: Box, frames: list[Box], graphics: list[Element]) -> bool:
    """A line set in a small drawn tab that straddles a frame's edge: the title of a text box (tcolorbox's
    "Jailbreak Attacks" over its prompt), part of the box and no body text beyond it."""
    edge = [f for f in frames if area(intersection(f, b)) > 0 and not contains(f, b)]
    return bool(edge) and any(g.kind == "vector" and contains(g.box, b) and area(g.box) <= FRAME_MIN_AREA
                              and any(area(intersection(g.box, f)) > 0 for f in edge) for g in graphics)


def _headings(p: PageData, lay: Layout) -> set[int]:
    """Section headings ("4.1 Results", "References"): bold or larger lines, with the pieces of the same row that
    PyMuPDF sets as lines of their own (a number set apart from its title)."""
    found: set[int] = set()
    for i, line in enumerate(p.lines):
        if not (line.horizontal and line.size >= lay.body_size - SAME_SIZE
                and (line.bold or line.size > lay.body_size + 0.9)):
            continue
        if i and same_row(p.lines[i - 1], line):
            continue  # a heading opens its row: a bold number in a table's row is a cell ("109688 IncFIB")
        row = [i]
        while row[-1] + 1 < len(p.lines) and same_row(p.lines[row[-1]], p.lines[row[-1] + 1]):
            row.append(row[-1] + 1)
        if any(p.lines[b].box[0] - p.lines[a].box[2] > HEADING_MAX_GAP_EMS * line.size
               for a, b in zip(row, row[1:], strict=False)):
            continue  # pieces far apart: a table's row of cells ("B   Number of replicates   500")
        text = " ".join(p.lines[j].text for j in row)
        if len(text) <= 80 and (HEADING_RE.match(text) is not None or text.lower() in HEADING_WORDS
                                or line.size > lay.body_size + 0.9 and APPENDIX_HEADING_RE.match(text) is not None):
            found.update(row)
    return found


def _yield_to_facing_captions(captions: list[Caption], barriers: list[Box], graphics: list[Element], page: Box,
                              lay: Layout) -> None:
    """A caption whose range reaches past its own edge stops it at the next caption its way when that one stands
    wholly beyond that edge, faces back and searches another range (a table captioned above and, beside it in the
    band across the page, a one-column figure captioned below): what lies beyond is that float's. A caption
    within one column keeps no more than that column on that side (the table beside may be wider than its
    centred caption). Two captions of one range (a short caption under a figure across the page) are one above
    the other, and so are two with a drawing between them that reaches from the first's side past the second's
    edge (a table's rules across the page over a figure in one column). A caption across both columns whose next
    caption stands in one of them is seen to by ``_beside_column_caption``."""
    ranges = [c.xr for c in captions]
    for c in captions:
        up = c.preferred == "up"
        _, n = _limit(c, captions, barriers, page, up)
        if n is None or abs(ranges[n][0] - c.xr[0]) <= 1 and abs(ranges[n][1] - c.xr[1]) <= 1:
            continue
        o = captions[n].box
        lo, hi = (o[3], c.box[1]) if up else (c.box[3], o[1])
        between = [g.box for g in graphics if g.kind != "text" and g.box[1] < hi and g.box[3] > lo]
        own = column_of(center_x(c.box), lay)
        within = own[0] - 1 <= c.box[0] and c.box[2] <= own[1] + 1
        if (c.box[2] <= o[0] or o[2] <= c.box[0]) and captions[n].preferred == c.preferred:
            continue  # beyond the caption's edge, facing the same way: its float is beyond it, in the range
        if c.box[2] <= o[0]:  # the other caption stands to the right
            if o[0] < c.xr[1] and not any(g[0] < c.box[2] and g[2] > o[0] for g in between):
                c.xr = (c.xr[0], min(o[0], own[1]) if within else o[0])
        elif c.xr[0] < o[2] <= c.box[0]:
            if not any(g[2] > c.box[0] and g[0] < o[2] for g in between):
                c.xr = (max(o[2], own[0]) if within else o[2], c.xr[1])
        elif len(lay.columns) == 2 and not within:
            _beside_column_caption(c, o, between, lay)


def _beside_column_caption(c: Caption, o: Box, between: list[Box], lay: Layout) -> None:
    """A caption across both columns whose next caption its way stands within one column, with nothing drawn
    between them in that column (a table and its caption beside the figure, over the figure's caption across the
    page), keeps to the other column: that column's float is the other caption's."""
    (l0, gl), (gr, r1) = lay.columns
    if any(range_overlap(g, (o[0], o[2])) > 0 for g in between):
        return
    if o[0] >= gr - 1 and o[2] <= r1 + 1 and c.xr[0] < gl:
        c.xr = (c.xr[0], min(c.xr[1], gr))
    elif o[0] >= l0 - 1 and o[2] <= gl + 1 and c.xr[1] > gr:
        c.xr = (max(c.xr[0], gl), c.xr[1])


def _narrow_to_wrapped_text(captions: list[Caption], p: PageData, lay: Layout, caption_lines: set[int],
                            decor: list[bool]) -> None:
    """A caption with body text beside it, on its rows or just above them (a wrapfigure), keeps to its own side
    of that text."""
    col_w = min(c[1] - c[0] for c in lay.columns)
    for c in captions:
        lo, hi = c.xr
        for i, ln in enumerate(p.lines):
            b = ln.box
            if (i in caption_lines or decor[i] or not ln.horizontal or abs(ln.size - lay.body_size) > SAME_SIZE
                    or _monospaced(ln, lay)  # a line of code over the caption is its figure's
                    or width(b) < WRAP_MIN_COLUMN_SHARE * col_w
                    or min(b[3], c.box[3]) - max(b[1], c.box[1] - WRAP_ABOVE_LINES * lay.line_h) < 0.5 * height(b)):
                continue
            if b[2] <= c.box[0]:
                lo = max(lo, b[2] + 1)
            elif b[0] >= c.box[2]:
                hi = min(hi, b[0] - 1)
        c.xr = (lo, hi)


def _widen_to_spanning_graphics(captions: list[Caption], graphics: list[Element], texts: list[Element],
                                lay: Layout, gap: float) -> None:
    """A short caption in one column over (or under) a float that spans both columns, such as a full-width
    table's rules or a centred last panel, searches the whole text width: only a full-width float crosses the
    gutter. Axis labels and a sub-caption between the caption and that graphic bridge the gap."""
    if len(lay.columns) < 2:
        return
    (l0, gl), (gr, r1) = lay.columns[0], lay.columns[-1]

    def spans(b: Box) -> bool:
        return b[0] < gl - GUTTER_REACH and b[2] > gr + GUTTER_REACH

    for c in captions:
        if c.xr[0] <= l0 + 1 and c.xr[1] >= r1 - 1:
            continue
        up = c.preferred == "up"  # on the conventional side: the float beyond may be another's...

        def near(b: Box, up: bool, c: Caption = c) -> bool:
            return x_overlap(b, c.box) > 0 and 0 <= (c.box[1] - b[3] if up else b[1] - c.box[3]) <= gap

        # ...or on the other, when nothing is on that side (a table captioned below in a document that
        # shows no habit)
        sides = [up] if any(near(e.box, up) for e in graphics + texts) else [up, not up]
        before = c.xr
        # a picture of the caption's own (a plot's height, not a legend's strip) between it and a spanning graphic
        # makes that graphic another float's
        own = [g.box for g in graphics if is_shape(g) and not spans(g.box) and x_overlap(g.box, c.box) > 0
               and height(g.box) >= EVIDENCE_LINES * lay.line_h]
        own_top = max((b[1] for b in own if b[3] <= c.box[1] + 1), default=-math.inf)  # the lowest one over it
        own_bottom = min((b[3] for b in own if b[1] >= c.box[3] - 1), default=math.inf)  # the highest under it
        for g in graphics:
            # ...or a spanning picture the caption is set on, in a white corner of it (a grid of micrographs)
            if spans(g.box) and (x_overlap(g.box, c.box) > 0
                                 and any(_reaches(c.box, g.box, texts, side, gap) for side in sides)
                                 and not _caption_between(c, g.box, captions)
                                 and not (own_top >= g.box[3] if g.box[3] <= c.box[1] else own_bottom <= g.box[1])
                                 or g.kind == "raster"
                                 and area(intersection(g.box, c.box)) >= SET_ON_SHARE * area(c.box)):
                c.xr = (min(c.xr[0], l0, g.box[0]), max(c.xr[1], r1, g.box[2]))
        # ...or a short caption at the text block's left edge beside a drawing, level with it, that crosses the
        # gutter: a side caption over a figure across the page (Springer sets a flowchart so; a tall legend beside
        # its figure is found beside it)
        if abs(c.box[0] - l0) <= SIDE_FLUSH and height(c.box) < SIDE_MIN_LINES * lay.line_h and any(
                c.box[2] <= g.box[0] < gl and g.box[2] > gr and min(g.box[3], c.box[3]) > max(g.box[1], c.box[1])
                for g in graphics):
            c.xr = (l0, max(c.xr[1], r1))
        if up and c.xr[1] - c.xr[0] < r1 - l0 and _row_goes_on(c, captions, graphics, texts, lay, gap):
            c.xr = (min(c.xr[0], l0), max(c.xr[1], r1))
        # ...but not past a caption beside it on its row: side-by-side floats of unequal widths cross the gutter
        lo, hi = row_bounds(c, captions)
        c.xr = (max(c.xr[0], min(before[0], lo)), min(c.xr[1], max(before[1], hi)))


def _caption_between(c: Caption, b: Box, captions: list[Caption]) -> bool:
    """Whether another caption stands between the caption and a box over or under it, across the caption's
    width: the box is reached only through that caption's float."""
    return any(o is not c and x_overlap(o.box, c.box) > 0
               and (b[3] <= o.box[1] and o.box[3] <= c.box[1] or c.box[3] <= o.box[1] and o.box[3] <= b[1])
               for o in captions)


def _reaches(caption: Box, graphic: Box, texts: list[Element], up: bool, gap: float) -> bool:
    """Whether a graphic lies on the caption's side (above it when ``up``) with no white gap over ``gap`` between
    them, counting up to BRIDGE_MAX_ROWS rows of text under both (its tick labels, axis title, sub-caption) as
    the graphic's own."""
    lo, hi = (graphic[3], caption[1]) if up else (caption[3], graphic[1])
    if hi < lo - 0.5:
        return False
    spans = sorted((max(b.box[1], lo), min(b.box[3], hi)) for b in texts
                   if x_overlap(b.box, graphic) > 0 and x_overlap(b.box, caption) > 0 and b.box[3] > lo
                   and b.box[1] < hi)
    edge, rows = lo, 0
    for top, bottom in spans:
        if top - edge > gap:
            return False
        rows += top > edge
        edge = max(edge, bottom)
    return rows <= BRIDGE_MAX_ROWS and hi - edge <= gap


def _row_goes_on(c: Caption, captions: list[Caption], graphics: list[Element], texts: list[Element], lay: Layout,
                 gap: float) -> bool:
    """A caption under panels in its own column whose row of panels goes on over the other column, with no
    caption of its own there: a full-width figure captioned flush left (IEEE Access, AASTeX)."""
    left = center_x(c.box) < (lay.columns[0][1] + lay.columns[-1][0]) / 2
    other = lay.columns[-1] if left else lay.columns[0]
    level = (other[0], c.box[1], other[1], c.box[3])  # the caption's row, in the other column

    def just_above(g: Element, caption: Box) -> bool:
        return min(width(g.box), height(g.box)) > RULE_MAX_WIDTH and _reaches(caption, g.box, texts, True, gap)

    mine = [g for g in graphics if c.xr[0] <= center_x(g.box) <= c.xr[1] and just_above(g, c.box)]
    theirs = [g for g in graphics if other[0] <= center_x(g.box) <= other[1] and just_above(g, level)]
    if not mine or not theirs or max(width(r := union_all([g.box for g in theirs])), height(r)) < (
            EVIDENCE_LINES * lay.line_h):
        return False  # ...panels there, not a word's highlight in the other column's text
    if (any(x_overlap(g.box, level) > 0 and g.box[1] < c.box[3] + gap and g.box[3] > c.box[1] for g in graphics)
            and any(other[0] <= center_x(o.box) <= other[1] and o.box[1] > c.box[3] for o in captions)):
        return False  # a taller figure beside the caption, captioned further down: those panels are its own
    head = min(g.box[1] for g in theirs)
    if any(o.preferred == "down" and other[0] <= center_x(o.box) <= other[1] and o.box[3] <= head
           and _chained(o.box[3], head, other, graphics + texts, gap) for o in captions):
        return False  # ...or a table beside it, captioned over its rows: those rows are its own
    rows = union_all([g.box for g in mine]), union_all([g.box for g in theirs])
    if not level_with(rows[0], rows[1], ROW_OVERLAP):
        return False  # panels of one row stand level with each other
    top, bottom = min(g.box[1] for g in theirs) - gap, c.box[3] + FAR_CAPTION_SKIP_LINES * lay.line_h
    return not any(o is not c and other[0] <= center_x(o.box) <= other[1] and o.box[3] >= top
                   and o.box[1] <= bottom for o in captions)


def _run_on(edge: float, boxes: Iterable[Box], gap: float) -> float:
    """How far down from ``edge`` boxes (sorted by their tops) run on, each starting within ``gap`` of the last."""
    for b in boxes:
        if b[1] - edge > gap:
            break
        edge = max(edge, b[3])
    return edge


def _chained(top: float, bottom: float, column: tuple[float, float], elements: list[Element], gap: float) -> bool:
    """Whether elements in a column fill the height from ``top`` to ``bottom`` with no white gap over ``gap``."""
    mine = sorted((e.box for e in elements if column[0] <= center_x(e.box) <= column[1]), key=lambda b: b[1])
    return bottom - _run_on(top, mine, gap) <= gap


def _beside(c: Caption, cb: Box, elements: list[Element], barriers: list[Box], lay: Layout, gap: float,
            others: list[Box], *, any_width: bool = False) -> list[Element]:
    """A narrow caption set beside its figure (left or right of it, as journals and wrapfigure do): the
    graphics on one side that overlap the caption's rows, grown up and down until body text or a gap.

    ``cb`` is the part of the caption beside the float (see ``_side_part``); ``any_width`` drops the narrowness
    test (a caption with nothing over or under it)."""
    # a caption mostly in the page's margin (a Tufte-style layout) is beside its float however wide it is
    outside = max(cb[2] - max(cb[0], lay.right), min(cb[2], lay.left) - cb[0])
    # a short table caption at the text block's left edge, its table running on to the right edge (Springer)
    wide_table = c.kind is FigureKind.TABLE and abs(cb[0] - lay.left) <= SIDE_FLUSH
    short = height(cb) < SIDE_MIN_LINES * lay.line_h
    if (width(cb) > SIDE_CAPTION_MAX_SHARE * (lay.right - lay.left) and outside < 0.5 * width(cb) and not any_width
            or height(cb) < (1.0 if wide_table or c.kind is FigureKind.FIGURE else SIDE_MIN_LINES) * lay.line_h):
        return []
    for left in (True, False):
        def on_side(b: Box, left: bool = left) -> bool:
            if left:
                return b[2] <= cb[0] + 2 and b[0] >= lay.left - 4
            return b[0] >= cb[2] - 2 and b[2] <= lay.right + 4

        pool = [e for e in elements if on_side(e.box)]
        near = lay.right - lay.left if any_width else SIDE_GAP_LINES * lay.line_h

        def flush(e: Element, left: bool = left) -> bool:
            """Caption and graphic set against the opposite edges of a one-column text block with nothing between
            them (Springer's side captions): beside each other however wide the white between."""
            x0, x1 = (e.box[2], cb[0]) if left else (cb[2], e.box[0])
            return (len(lay.columns) == 1 and abs((e.box[0] if left else e.box[2]) - (lay.left if left else lay.right))
                    <= SIDE_FLUSH and abs(cb[2 if left else 0] - (lay.right if left else lay.left)) <= SIDE_FLUSH
                    and not any(o.box[0] < x1 and o.box[2] > x0 and min(o.box[3], cb[3]) > max(o.box[1], cb[1])
                                for o in elements))
        # A figure's graphics, or a table's rows (its lines of text), spanning most of the caption's height.
        seeds = [e for e in pool if (e.kind != "text" or c.kind is FigureKind.TABLE)
                 and min(e.box[3], cb[3]) > max(e.box[1], cb[1])
                 and ((cb[0] - e.box[2] if left else e.box[0] - cb[2]) <= near or flush(e))]
        # Captions stacked in the same margin: what lies level with another one is that one's float.
        theirs = [o for o in others if x_overlap(o, cb) > 0]
        pool = [e for e in pool if not any(min(e.box[3], o[3]) > max(e.box[1], o[1]) for o in theirs)]
        kept = {id(e) for e in pool}
        seeds = [e for e in seeds if id(e) in kept]
        if not seeds or (min(cb[3], max(e.box[3] for e in seeds)) - max(cb[1], min(e.box[1] for e in seeds))
                         < SIDE_OVERLAP * height(cb)):
            continue
        walls = [b for b in barriers if on_side(b)]
        taken = list(seeds)
        # what was taken, as a set (equal elements are one): a plot of twenty thousand paths would otherwise cost a
        # list search per path per pass
        held = set(taken)
        top, bottom = min(e.box[1] for e in seeds), max(e.box[3] for e in seeds)
        grown = True
        while grown:
            grown = False
            for e in pool:
                if e in held:
                    continue
                above = top - gap <= e.box[3] and e.box[1] < top
                below = bottom + gap >= e.box[1] and e.box[3] > bottom
                inside = top <= e.box[1] and e.box[3] <= bottom
                if not (above or below or inside):
                    continue
                lo, hi = (e.box[3], top) if above else (bottom, e.box[1])
                if not inside and any(lo - 1 <= w[1] and w[3] <= hi + 1 for w in walls):
                    continue
                taken.append(e)
                held.add(e)
                top, bottom = min(top, e.box[1]), max(bottom, e.box[3])
                grown = True
        if short and c.kind is FigureKind.TABLE and (
                left or max(e.box[2] for e in taken) < lay.right - SIDE_FLUSH or top < cb[1] - lay.line_h):
            continue  # the short caption of a table that does not start level with it and reach the right edge
        if short and c.kind is FigureKind.FIGURE and not (
                abs(top - cb[1]) <= lay.line_h and bottom - cb[3] >= SIDE_MIN_LINES * lay.line_h
                and (cb[2] >= lay.right - SIDE_FLUSH and min(e.box[0] for e in seeds) <= lay.left + SIDE_FLUSH
                     if left else
                     cb[0] <= lay.left + SIDE_FLUSH and max(e.box[2] for e in seeds) >= lay.right - SIDE_FLUSH)):
            continue  # a short figure caption is beside its figure only when both fill the text block's width,
            # level with the figure's top, the figure running on well below it (Cell Press sets them so)
        return taken
    return []


def _side_part(c: Caption, p: PageData, lay: Layout) -> Box:
    """The caption's box without the last rows that run on under its float across the text width (Science's and
    Nature Genetics' legends beside a figure end so): the part that stands beside the float."""
    rows = sorted((p.lines[i].box for i in c.lines), key=lambda b: b[1])
    narrow = SIDE_CAPTION_MAX_SHARE * (lay.right - lay.left)
    wide = [b for b in rows if width(b) > narrow]
    if not wide:
        return c.box
    beside = [b for b in rows if b[3] <= min(w[1] for w in wide) + 1]
    if not beside or width(union_all(beside)) > narrow:
        return c.box
    return union_all(beside)


def _embedded_runs(p: PageData, lines: list[int], graphics: list[Element], captions: list[Caption],
                   gap: float, lay: Layout, big: AbstractSet[int]) -> set[int]:
    """Text that looks like body text but is part of a figure: a plot's title or a column-wide axis label, a
    diagram's sentence. A short run of such lines with graphics just above it and graphics or a figure
    caption just below it (or the reverse) is inside a figure: body text never sits between a figure and
    its caption, and a paragraph between two floats is longer. A line in a large type (``big``) hanging from a
    plot's tick labels is its axis title, with nothing under it (the caption set above the plot)."""
    line_h = lay.line_h
    runs: list[list[int]] = []
    active: list[list[int]] = []  # runs a later line can still join: lines come top down
    for i in sorted(lines, key=lambda i: p.lines[i].box[1]):
        b = p.lines[i].box
        active = [r for r in active if b[1] - p.lines[r[-1]].box[3] <= RUN_LINE_GAP * line_h]
        run = next((r for r in active
                    if x_overlap(p.lines[r[-1]].box, b) > 0.5 * min(width(b), width(p.lines[r[-1]].box))
                    and -0.5 * line_h <= b[1] - p.lines[r[-1]].box[3]), None)
        if run is None:
            runs.append([i])
            active.append(runs[-1])
        else:
            run.append(i)
    fig_captions = [c.box for c in captions if c.kind is FigureKind.FIGURE]
    all_captions = [c.box for c in captions]
    # Only sizeable graphics vouch for a figure: logos and icons sit next to the title block's lines too.
    shapes = [g.box for g in graphics if max(width(g.box), height(g.box)) >= EVIDENCE_LINES * line_h]
    # A caption vouches for the graphics under it only if it is not the caption of graphics right above it.
    open_above = [c for c in fig_captions
                  if not any(x_overlap(g, c) > 0 and 0 <= c[1] - g[3] <= gap for g in shapes)]
    embedded: set[int] = set()
    barrier = set(lines)

    def hanging_above(box: Box) -> bool:
        """Text hanging from a sizeable graphic (its tick labels, then an axis title under them, each within a
        line of the one above) ends within the gap above the run."""
        lo = box[1] - HANG_REACH * gap
        held = [g for g in shapes if lo <= g[3] <= box[1] + 1]
        hung: list[Box] = []
        for t in sorted((ln.box for i, ln in enumerate(p.lines) if i not in barrier and lo <= ln.box[1]
                         and ln.box[3] <= box[1] + 1 and not any(contains(k, ln.box) for k in all_captions)),
                        key=lambda t: t[1]):
            if any(x_overlap(h, t) > 0 and -height(t) <= t[1] - h[3] <= line_h for h in held + hung):
                hung.append(t)
        return any(x_overlap(t, box) > 0 and 0 <= box[1] - t[3] <= gap for t in hung)

    parts = sorted([g.box for g in graphics] + [ln.box for i, ln in enumerate(p.lines) if i not in barrier
                                               and not any(contains(k, ln.box) for k in all_captions)],
                   key=lambda b: b[1])
    tops = [b[1] for b in parts]

    def leading_down(box: Box) -> Box:
        """The run extended down through what a diagram sets under it (an arrow, a label), each within a line."""
        under = (b for b in parts[bisect_right(tops, box[1]):]
                 if b[0] <= box[2] and b[2] >= box[0])  # an upright arrow may have no width
        return (box[0], box[1], box[2], _run_on(box[3], under, line_h))

    slack = FRAME_TEXT_SLACK * line_h
    for run in runs:
        # a sub-caption ("(b) The dynamic subtask requires ...") may run longer than a plot's own text
        longest = MAX_SUBCAPTION_LINES if SUBCAPTION_RE.match(p.lines[run[0]].text) else MAX_EMBEDDED_LINES
        if len(run) > longest:
            continue
        box = union_all([p.lines[i].box for i in run])

        def near(boxes: list[Box], above: bool, box: Box = box) -> bool:
            """Some box within the gap above (below) the run, no caption between them; the run's line boxes may
            stand into it a little (a title set right on the frame under it), but it reaches out beyond the run
            (a word's underline is no graphic above its line)."""
            return any(x_overlap(o, box) > 0 and -slack <= (box[1] - o[3] if above else o[1] - box[3]) <= gap
                       and (o[1] < box[1] if above else o[3] > box[3])
                       and not any(x_overlap(k, box) > 0 and (o[3] <= k[1] and k[3] <= box[1] + 1 if above
                                                             else box[3] - 1 <= k[1] and k[3] <= o[1])
                                   for k in all_captions if k != o)
                       for o in boxes)

        # lines set flush with both edges of their column are a paragraph's, however short it is, unless they
        # open with a panel's label (a sub-caption set justified)
        justified = 0 if SUBCAPTION_RE.match(p.lines[run[0]].text) else sum(
            abs(b[0] - col[0]) <= JUSTIFIED_SLACK and abs(b[2] - col[1]) <= JUSTIFIED_SLACK
            for b in (p.lines[i].box for i in run) for col in [column_of(center_x(b), lay)])
        if (near(shapes, False) and near(open_above, True)
                or (near(shapes, False) or near(fig_captions, False) or near(shapes + fig_captions, False,
                                                                          leading_down(box)))
                and (near(shapes, True) or hanging_above(box)) and justified < JUSTIFIED_MIN_LINES
                or len(run) == 1 and run[0] in big and hanging_above(box)):
            embedded.update(run)
        elif len(run) <= 2:  # a plot's title: right above graphics, centred over them and narrower
            below = [g for g in shapes if 0 <= g[1] - box[3] <= line_h and x_overlap(g, box) > 0]
            if below:
                span = union_all(below)
                if (width(box) < TITLE_MAX_SHARE * width(span)
                        and abs(center_x(box) - center_x(span)) <= TITLE_CENTRING * width(span)):
                    embedded.update(run)
    return embedded


def _head_row(b: Box, lay: Layout) -> bool:
    """A box on a row that many pages print text in above the body: a running head's."""
    return b[1] < lay.top and any(abs(b[1] - y0) <= 2 and abs(b[3] - y1) <= 2 for y0, y1 in lay.heads)


def _under_running_head(p: PageData, lay: Layout) -> float:
    """Where the page's running head ends, the rule under it included: a journal's logo drawn over the head is the
    head's too, however near the text it comes. Only a head of words at the page's top counts (a tick label
    repeated in one plot after another is no head); 0 when the page prints none."""
    heads = [ln.box[3] for ln in p.lines if _head_row(ln.box, lay)
             and ln.box[3] <= p.rect[1] + HEAD_ZONE * height(p.rect)
             and sum(ch.isalpha() for ch in ln.text) >= HEAD_MIN_LETTERS]
    if not heads:
        return 0.0
    head = max(heads)
    return max([head + 1, *(g.box[3] + 1 for g in p.graphics if height(g.box) <= RULE_MAX_WIDTH
                            and width(g.box) >= HEAD_RULE_SHARE * (lay.right - lay.left)
                            and 0 <= g.box[1] - head <= HEAD_RULE_LINES * lay.line_h)])


def _top_band(p: PageData, limit: float, min_gap: float) -> float:
    """Where the page's running head ends: the last clear vertical gap above ``limit``, else the page top; never
    past a caption (a table's caption over a header row set a blank line lower)."""
    band = p.rect[1]
    bottom: float | None = None
    captions = [ln.box[1] for ln in p.lines if opens_caption(ln)]
    for b in sorted([ln.box for ln in p.lines] + [g.box for g in p.graphics], key=lambda b: b[1]):
        if bottom is not None and b[1] - bottom >= min_gap and not any(c < bottom for c in captions):
            band = bottom
        bottom = b[3] if bottom is None else max(bottom, b[3])
        if bottom > limit:
            break
    return band + 1


def _display_equations(p: PageData, lay: Layout) -> set[int]:
    """The numbers of the body's display equations: "(7)" flush with its column's right edge, the only such number
    on its row (a regression table's "(1) (2) (3)" heads are several), a formula before it on its row. The number
    stands for its row: a formula's line box may reach far over and under it (a math font's tall glyphs)."""
    found: set[int] = set()
    for i, ln in enumerate(p.lines):
        if not ln.horizontal or EQUATION_NUMBER_RE.fullmatch(ln.text.strip()) is None:
            continue
        col = column_of(center_x(ln.box), lay)
        if abs(ln.box[2] - col[1]) > EQUATION_FLUSH:
            continue
        row = [j for j, o in enumerate(p.lines) if j != i and o.horizontal and o.box[2] <= ln.box[0]
               and o.box[0] >= col[0] - EQUATION_FLUSH and level_with(o.box, ln.box, ROW_OVERLAP)]
        if row and not any(EQUATION_NUMBER_RE.fullmatch(p.lines[j].text.strip()) for j in row):
            found.add(i)
    return found


def _prose_lines(p: PageData, lay: Layout, caption_lines: set[int], cells: set[int]) -> set[int]:
    """Body-text lines: wide, normally spaced lines, plus the short lines of blocks that are mostly such."""
    prose: set[int] = set()
    by_block: dict[int, list[int]] = defaultdict(list)
    # sub-captions side by side on one row, whatever their indent: each under its own panel
    labels = [ln.box for ln in p.lines if SUBCAPTION_RE.match(ln.text) is not None]
    paired = {b for b in labels for o in labels if o is not b and x_overlap(o, b) <= 0
              and min(o[3], b[3]) - max(o[1], b[1]) > 0.5 * height(b)}
    for i, line in enumerate(p.lines):
        if i in caption_lines or not line.horizontal or i in cells:
            continue
        by_block[line.block].append(i)
        col = column_of(center_x(line.box), lay)
        w = width(line.box)
        # a listing's line, or a line set mostly in a math font (a grammar, a display equation)
        code = line.font != lay.body_font and (_monospaced(line, lay)
                                               or MATH_FONT_RE.match(line.main_font) is not None)
        # a panel's sub-caption centred in the column, or a row of them PyMuPDF ran into one line ("(c) Correlation
        # feature   (d) Difference feature")
        centred = (line.box[0] - col[0] > CENTRED_MIN_INDENT
                   and abs((line.box[0] - col[0]) - (col[1] - line.box[2])) <= CENTRED_SLACK)
        # ...or the last panel's, right over the figure's caption
        panels = SUBCAPTION_RE.match(line.text) is not None and (
            centred or SUBCAPTION_ROW_RE.search(line.text) is not None or line.box in paired
            or i + 1 in caption_lines and p.lines[i + 1].box[1] - line.box[3] <= CAPTION_SKIP_LINES * lay.line_h)
        if (line.size >= lay.body_size - 2.5 and w >= PROSE_MIN_COLUMN_SHARE * (col[1] - col[0]) and not code
                and not panels and len(line.text) * line.size / w >= PROSE_MIN_DENSITY * lay.density
                and sum(ch.isalpha() for ch in line.text) >= PROSE_MIN_LETTERS * len(line.text.replace(" ", ""))):
            prose.add(i)
    # A column of wrapped cells, wherever it starts (at the text column's edge too): in blocks that hold cells, its
    # lines start where lines level with their own block's cells start, row after row; they make no block body text.
    block_cells: dict[int, list[Box]] = defaultdict(list)
    for j in cells:
        block_cells[p.lines[j].block].append(p.lines[j].box)
    level = Counter(round(p.lines[i].box[0]) for members in by_block.values() for i in members
                    if any(level_with(p.lines[i].box, b, ROW_OVERLAP) for b in block_cells.get(p.lines[i].block, ())))
    described = {x for x, n in level.items() if n >= DESCRIPTION_MIN_ROWS}
    prose -= {i for i in prose if p.lines[i].block in block_cells
              and any(round(p.lines[i].box[0]) + d in described for d in (-1, 0, 1))}
    for members in by_block.values():
        hits = [i for i in members if i in prose]
        if len(members) >= 2 and 2 * len(hits) >= len(members):
            sizes = {round(p.lines[i].size) for i in hits}
            prose.update(i for i in members if round(p.lines[i].size) in sizes)
    prose -= {i for i in prose if p.lines[i].size < lay.body_size - SAME_SIZE and _between_cells(p, i, cells, lay)}
    # A wrapped description cell: its lines start well inside the column, flush with a cell of their text block.
    starts = {(p.lines[j].block, round(p.lines[j].box[0])) for j in cells}
    prose -= {i for i in prose if _indented(p.lines[i].box, lay)
              and any((p.lines[i].block, round(p.lines[i].box[0]) + d) in starts for d in (-1, 0, 1))}
    # A table's spanning header, alone in its block, well inside its column and right over a row of cells, flush
    # with one of them ("Response time (sec) for different values of demand" over the columns it heads)
    head_reach = SPANNING_HEADER_LINES * lay.line_h
    prose -= {i for i in prose if len(by_block[p.lines[i].block]) == 1 and _indented(p.lines[i].box, lay)
              and any(0 <= p.lines[j].box[1] - p.lines[i].box[3] <= head_reach
                      and abs(p.lines[j].box[0] - p.lines[i].box[0]) <= 1 for j in cells)}
    # A note under a table's last row, alone in its block, in the body's type and opening with a note mark
    # ("1Balanced accuracy, 2F1 score"), is no body text unless body text runs on from it (below).
    note_reach = NOTE_SKIP_LINES * lay.line_h
    prose -= {i for i in prose if len(by_block[p.lines[i].block]) == 1
              and MARKED_NOTE_RE.match(p.lines[i].text) and any(
        0 <= p.lines[i].box[1] - p.lines[j].box[3] <= note_reach and x_overlap(p.lines[i].box, p.lines[j].box) > 0
        for j in cells)}
    # Short body-size lines at normal line spacing from body text belong to it, e.g. the end of a paragraph
    # carried over to the top of a column, right under a float.
    near = 0.5 * lay.line_h + lay.leading
    loose = [i for members in by_block.values() for i in members
             if i not in prose and abs(p.lines[i].size - lay.body_size) <= SAME_SIZE]
    changed = True
    while changed:
        changed = False
        for i in loose:
            a = p.lines[i].box
            if i not in prose and any(
                x_overlap(a, p.lines[j].box) > 0
                and (0 <= p.lines[j].box[1] - a[3] <= near or 0 <= a[1] - p.lines[j].box[3] <= near)
                for j in prose
            ):
                prose.add(i)
                changed = True
    across = _centred_across(p, lay)
    # ...and the lines in a small type, within one column, stacked with those across (a tree's leaf that happens
    # to start in a column; not a full-width caption's last line)
    reach = RUN_LINE_GAP * lay.line_h
    stack = sorted(across)
    while stack:
        k = p.lines[stack.pop()].box
        for i in prose - across:
            b = p.lines[i].box
            if (p.lines[i].size < lay.body_size - SAME_SIZE and x_overlap(b, k) > 0
                    and max(b[1] - k[3], k[1] - b[3]) <= reach and column_of(b[0], lay) == column_of(b[2], lay)):
                across.add(i)
                stack.append(i)
    return prose - across


def _centred_across(p: PageData, lay: Layout) -> set[int]:
    """Lines across the gutter of a multi-column page that start well inside the text area, or that start in
    the gutter: a full-width float's sub-captions and labels (a tree's leaf names), not body text (that keeps to a
    column, or fills the whole width)."""
    if len(lay.columns) < 2:
        return set()
    indent = CELL_INDENT_SHARE * min(c[1] - c[0] for c in lay.columns)
    gutters = [(a[1], b[0]) for a, b in zip(lay.columns, lay.columns[1:], strict=False)]
    return {i for i, ln in enumerate(p.lines) if ln.box[0] > lay.left + indent and any(
        ln.box[0] < g0 - MARGIN_GAP and ln.box[2] > g1 + MARGIN_GAP
        or g0 + MARGIN_GAP < ln.box[0] < g1 - MARGIN_GAP for g0, g1 in gutters)}


def _between_cells(p: PageData, i: int, cells: set[int], lay: Layout) -> bool:
    """Whether a line's nearest neighbours above and below are table cells: a line in a table's small type
    between them is a row-group label ("Cognitive measures") or a cell's second line, not a paragraph."""
    a = p.lines[i].box
    reach = TABLE_TEXT_GAP_LINES * lay.line_h
    near = [j for j, ln in enumerate(p.lines) if j != i and a[1] - reach <= ln.box[3] and ln.box[1] <= a[3] + reach
            and x_overlap(ln.box, a) > 0]
    above = [j for j in near if 0 <= a[1] - p.lines[j].box[3] <= reach]
    below = [j for j in near if 0 <= p.lines[j].box[1] - a[3] <= reach]
    if not above or not below:
        return False
    nearest_above = max(above, key=lambda j: p.lines[j].box[3])
    nearest_below = min(below, key=lambda j: p.lines[j].box[1])
    return nearest_above in cells and nearest_below in cells


def _line_ladder(p: PageData, lay: Layout) -> set[int]:
    """A review copy's line numbers, whatever their size (BMVC sets them at 0.8 of the body): numbers alone,
    stacked on one edge, counting down the page, beside the body text rather than across it."""
    digits = [i for i, ln in enumerate(p.lines) if ln.horizontal and ln.text.strip().isdecimal()]
    if len(digits) < LADDER_MIN_LINES:
        return set()
    body = [ln.box for ln in p.lines if ln.horizontal and abs(ln.size - lay.body_size) <= SAME_SIZE
            and len(ln.text) >= LADDER_BODY_CHARS]
    if len(body) < LADDER_BODY_LINES:
        return set()
    found: set[int] = set()
    for edge in (0, 2):
        run: list[int] = []
        for i in [*sorted(digits, key=lambda i: p.lines[i].box[edge]), None]:
            if i is not None and (not run or p.lines[i].box[edge] - p.lines[run[-1]].box[edge] <= LADDER_EDGE):
                run.append(i)
                continue
            stack = sorted(run, key=lambda j: p.lines[j].box[1])
            values = [int(p.lines[j].text) for j in stack]
            if len(stack) >= LADDER_MIN_LINES and values == sorted(values):
                x0, x1 = min(p.lines[j].box[0] for j in stack), max(p.lines[j].box[2] for j in stack)
                if sum(b[0] < x1 - 1 and b[2] > x0 + 1 for b in body) <= LADDER_CROSSED_SHARE * len(body):
                    found.update(stack)
            run = [i] if i is not None else []
    return found


def _table_cells(p: PageData, lay: Layout, ladder: AbstractSet[int] = frozenset()) -> set[int]:
    """Lines that are table cells: sharing their row, in their column, with a short line (a paragraph's line
    fills its row of the column alone), in a row that crosses the gutter, or between two vertical rules."""
    # Margin lines (a review copy's line numbers) are nobody's row-mates.
    order = sorted((i for i, ln in enumerate(p.lines) if ln.horizontal and lay.left - 2 < ln.box[2]
                    and ln.box[0] < lay.right + 2 and i not in ladder), key=lambda i: p.lines[i].box[1])
    rows: dict[int, list[int]] = defaultdict(list)  # each line's row-mates: lines overlapping much of its height
    numbers = {i for i in order if p.lines[i].size <= LINE_NUMBER_SIZE * lay.body_size
               and p.lines[i].text.strip().isdigit()}
    for k, i in enumerate(order):
        a = p.lines[i].box
        for j in order[k + 1:]:
            b = p.lines[j].box
            if b[1] >= a[3]:
                break
            if (i in numbers) != (j in numbers) and max(p.lines[i].size, p.lines[j].size) >= min(
                    p.lines[i].size, p.lines[j].size) / LINE_NUMBER_SIZE:
                continue  # a line number beside its line of text
            if level_with(a, b, ROW_OVERLAP):
                rows[i].append(j)
                rows[j].append(i)
    cells: set[int] = set()
    gutters = [(a[1], b[0]) for a, b in zip(lay.columns, lay.columns[1:], strict=False)]
    col = {i: column_of(center_x(p.lines[i].box), lay) for i in rows}
    for i, mates in rows.items():
        c = col[i]
        same_col = [j for j in mates if col[j] == c]
        if same_col and any(width(p.lines[j].box) < CELL_MAX_COLUMN_SHARE * (c[1] - c[0]) for j in [i, *same_col]):
            cells.add(i)
        elif any(p.lines[j].box[0] < g0 - GUTTER_CROSSING and p.lines[j].box[2] > g1 + GUTTER_CROSSING
                 or g0 < p.lines[j].box[0] < g1 - GUTTER_CROSSING for j in [i, *mates] for g0, g1 in gutters):
            cells.add(i)  # a row crossing the gutter, or with a cell set in it, belongs to a float as wide as the page
    rules = [g.box for g in p.graphics if width(g.box) <= RULE_MAX_WIDTH and height(g.box) >= 0.5 * lay.line_h]
    if rules:
        for i, line in enumerate(p.lines):
            if i not in cells and _between_rules(line.box, rules):
                cells.add(i)
    return cells


def _between_rules(b: Box, rules: list[Box]) -> bool:
    """A vertical rule on each side of the box, beside at least half its height."""
    left = right = False
    for r in rules:
        if min(r[3], b[3]) - max(r[1], b[1]) >= 0.5 * (b[3] - b[1]):
            left = left or r[2] <= b[0] + 1
            right = right or r[0] >= b[2] - 1
            if left and right:
                return True
    return False


def _limit(c: Caption, captions: list[Caption], barriers: list[Box], page: Box,
           up: bool) -> tuple[float, int | None]:
    """How far the search from a caption may go: the nearest body text, heading or caption in its range."""
    limit = page[1] if up else page[3]
    neighbor: int | None = None

    def overlaps(b: Box) -> bool:
        return range_overlap(b, c.xr) >= 0.3 * min(width(b), c.xr[1] - c.xr[0])

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


def _grow(zone: list[Element], edge: float, up: bool, gap_g: float, gap_t: float, gap_cell: float,
          gap_first: float, bridge: float, framed: bool = False) -> list[Element]:
    """Take elements outward from the caption while each is within a small gap of what was taken, or leads on to
    a graphic through text each within ``bridge`` of the next.

    ``framed``: rules next to the caption may be its frame (a journal's rule over every caption); the first step
    to a graphic or text is then taken from beyond them (another rule, a page's header rule, is not)."""
    frontier = edge
    taken: list[Element] = []
    skipped: list[Element] = []
    # text boxes set apart beyond what was taken, unless they continue a stack of boxes as wide (prompts and
    # replies set as a figure): neither they nor what they hold join it
    walls: list[Box] = []
    only_rules = True  # all that was taken are rules
    for e in sorted(zone, key=lambda e: edge - e.box[3] if up else e.box[1] - edge):
        dist = frontier - e.box[3] if up else e.box[1] - frontier
        if any(contains(w, e.box) for w in walls) or (
                e.textbox and taken and dist > gap_t and not all(contains(e.box, t.box) for t in taken)
                and not (dist <= gap_g and any(t.textbox and _aligned(t.box, e.box) for t in taken))):
            walls.append(e.box)
            continue
        # The first step may cross the caption skip (LaTeX puts ~10pt between a plot's axis label and its
        # caption); after that, text must sit within a line of what was taken, graphics within three.
        started = bool(taken) and not (framed and only_rules and not _flat(e))
        loose_text = e.kind == "text" and started and not e.panel_letter
        reach = (gap_cell if e.cell else gap_t) if loose_text else gap_g if started else gap_first
        if dist <= reach or loose_text and dist <= gap_g and _leads_to_graphic(e, zone, up, gap_t, bridge):
            taken.append(e)
            only_rules = only_rules and _flat(e)
            frontier = min(frontier, e.box[1]) if up else max(frontier, e.box[3])
        else:
            skipped.append(e)
    lo, hi = (frontier, edge) if up else (edge, frontier)
    taken.extend(e for e in skipped if e.box[1] >= lo - 1 and e.box[3] <= hi + 1)
    return taken


def _leads_to_graphic(e: Element, zone: list[Element], up: bool, gap_t: float, reach: float) -> bool:
    """Whether text lines stacked beyond ``e``, each within ``reach`` of the next, reach a graphic: an axis title
    and its tick labels between two stacked panels belong to the panel beyond them, however wide the gap before
    them."""
    far = e.box[1] if up else e.box[3]
    for _ in range(BRIDGE_MAX_ROWS):
        beyond = [t for t in zone if (t.box[1] < far and far - t.box[3] <= reach if up
                                      else t.box[3] > far and t.box[1] - far <= reach)]
        # a shape, not a rule (a formula's fraction bars are rules too), or an upright rule lines don't make: a
        # plot's axis or frame
        if any(t.kind != "text" and (min(width(t.box), height(t.box)) > RULE_MAX_WIDTH
                                     or height(t.box) > EVIDENCE_LINES * gap_t) for t in beyond):
            return True
        if not beyond:
            return False
        far = min(t.box[1] for t in beyond) if up else max(t.box[3] for t in beyond)
    return False


def _lines_outward(c: Caption, p: PageData, up: bool, caption_lines: set[int]) -> list[int]:
    """The lines in the caption's range beyond it on one side, nearest first, up to the next caption: what lies
    beyond that is its float's."""
    edge = c.box[1] if up else c.box[3]
    order = sorted((i for i, ln in enumerate(p.lines) if i not in c.lines and ln.horizontal
                    and c.xr[0] - 1 <= center_x(ln.box) <= c.xr[1] + 1
                    and (ln.box[3] <= edge + 1 if up else ln.box[1] >= edge - 1)),
                   key=lambda i: edge - p.lines[i].box[3] if up else p.lines[i].box[1] - edge)
    return list(itertools.takewhile(lambda i: i not in caption_lines, order))


def _code_listing(c: Caption, p: PageData, lay: Layout, up: bool, caption_lines: set[int],
                  decor: list[bool]) -> list[Element]:
    """The run of monospaced lines next to a caption (within a caption skip, then each within a blank line of the
    next), with their line numbers and "(a) ..." sub-captions, and up to LISTING_GAP_ROWS short lines between
    them flush with their left edge (a prompt's "Zero-shot:" label or "{example}" slot), stopping at any other
    line: at least CODE_MIN_LINES of code, else nothing."""
    edge = c.box[1] if up else c.box[3]
    near = [i for i in _lines_outward(c, p, up, caption_lines) if not decor[i]]
    run: list[Element] = []
    pending: list[Element] = []  # short lines taken if code follows them
    frontier, gap = edge, GRAPHIC_GAP_LINES * lay.line_h
    code = 0
    short = PROSE_MIN_COLUMN_SHARE * (c.xr[1] - c.xr[0])  # narrower than a line of prose
    subcaptions = {p.lines[i].block for i in near if SUBCAPTION_RE.match(p.lines[i].text)}
    for i in near:
        line = p.lines[i]
        b = line.box
        if (frontier - b[3] if up else b[1] - frontier) > gap:
            break
        numbered = _line_number(line, lay) or BARE_NUMBER_RE.fullmatch(line.text) is not None
        if not (_monospaced(line, lay) or numbered or line.block in subcaptions):
            if (not run or width(b) > short or len(pending) >= LISTING_GAP_ROWS
                    or abs(b[0] - min(e.box[0] for e in run)) > CODE_FLUSH):
                pending.clear()  # the listing ends before a line of another kind
                break
            pending.append(Element(b, "code"))
        else:
            run += [*pending, Element(b, "code")]  # counts as the figure's content
            pending.clear()
            code += _monospaced(line, lay)
        frontier, gap = (min(frontier, b[1]) if up else max(frontier, b[3])), TEXT_FIGURE_BLANK_LINES * lay.line_h
    # short lines set apart from anything beyond them (a heading over the listing, "Original Code") are its own
    return run + pending if code >= CODE_MIN_LINES else []


def _indented(b: Box, lay: Layout) -> bool:
    """The line starts more than CELL_INDENT_SHARE of its column's width inside the column: a cell's, not prose's."""
    col = column_of(center_x(b), lay)
    return b[0] > col[0] + CELL_INDENT_SHARE * (col[1] - col[0])


def _monospaced(line: Line, lay: Layout) -> bool:
    """The line is set in a typewriter font: one named so, or one whose characters all have one width."""
    return MONOSPACE_RE.search(line.font) is not None or line.font in lay.mono_fonts


def _described(c: Caption) -> bool:
    """The caption says something after its label and number."""
    m = CAPTION_RE.match(c.text)
    return m is not None and any(ch.isalpha() for ch in c.text[m.end():])


def _text_figure(c: Caption, p: PageData, lay: Layout, up: bool, caption_lines: set[int],
                 decor: list[bool], prose: set[int]) -> list[Element]:
    """A figure that is text alone (rules of a grammar, a tagged sentence): the lines next to the caption, each
    within a line of the next, set apart from anything beyond by more than the body's spacing, in at most
    TEXT_FIGURE_MAX_ROWS rows, mostly not in the body's font and size, ending at body text set apart; else
    nothing."""
    edge = c.box[1] if up else c.box[3]
    near = [i for i in _lines_outward(c, p, up, caption_lines) if not decor[i]]
    run: list[Box] = []
    body_like = 0
    frontier, gap = edge, TEXT_FIGURE_SKIP_LINES * lay.line_h
    ended = True  # the run goes on to the last line in the caption's range
    in_prose = False  # the run holds lines read as body text
    for i in near:
        b = p.lines[i].box
        like_body = _like_body(p.lines[i], lay)
        dist = frontier - b[3] if up else b[1] - frontier
        # a paragraph set apart from the figure's lines (or, after lines all unlike the body, in the body's type
        # further off than its lines' own spacing)
        if i in prose and run and not in_prose and (
                dist > TEXT_FIGURE_APART_LINES * lay.line_h
                or not body_like and like_body and dist > lay.leading + 0.5 * lay.line_h):
            ended = False
            break
        in_prose = in_prose or i in prose
        if dist > (gap if like_body or run else TEXT_FIGURE_FAR_SKIP_LINES * lay.line_h):
            if not run or dist <= TEXT_FIGURE_APART_LINES * lay.line_h:
                return []  # nothing near the caption, or the run is not set apart from the text beyond it
            ended = False
            break
        run.append(b)
        body_like += like_body
        # code in a smaller type may leave a blank line between its statements
        spacing = TEXT_GAP_LINES if like_body else TEXT_FIGURE_BLANK_LINES
        frontier, gap = (min(frontier, b[1]) if up else max(frontier, b[3])), spacing * lay.line_h + lay.leading
    # set like the body: a paragraph, not a figure; unless it fills the column from the top of the text area down to
    # a caption under it and is laid out unlike a paragraph, its lines at several indents (a definition with
    # its items, set as a figure at the head of a column)
    indents = len({round(b[0] / 2) for b in run}) >= TEXT_FIGURE_MIN_INDENTS
    top_run = up and ended and bool(run) and min(b[1] for b in run) <= lay.top + lay.line_h and indents
    # ...or its lines are all short, at several indents (an algorithm's steps, each in its own block)
    col = c.xr[1] - c.xr[0]
    stepped = indents and all(width(b) < TEXT_FIGURE_SHORT_SHARE * col for b in run)
    lines = near[:len(run)]
    # rows by the lines' middles: a formula's tall glyph boxes reach into the rows over and under it
    rows: list[Box] = []
    middles: list[float] = []
    body_rows: list[int] = []  # per row, its lines set like the body less those set otherwise
    for b, like in sorted(((p.lines[i].box, _like_body(p.lines[i], lay)) for i in lines),
                          key=lambda bl: (bl[0][1] + bl[0][3]) / 2):
        if rows and (b[1] + b[3]) / 2 - middles[-1] < ROW_MIDDLE_EMS * lay.body_size:
            rows[-1] = union(rows[-1], b)
            body_rows[-1] += 1 if like else -1
        else:
            rows.append(b)
            middles.append((b[1] + b[3]) / 2)
            body_rows.append(1 if like else -1)
    # mostly set like the body, row by row: a formula PyMuPDF breaks into a dozen pieces is one row, and a
    # paragraph under a heading and a display equation is still a paragraph
    if 2 * sum(n > 0 for n in body_rows) > len(rows) and not (top_run or stepped):
        return []
    # code in a type of its own throughout (no line set like the body) may run longer: a listing, not a note; so
    # may an algorithm whose lines are numbered ("1:", "2:", ... or "1.", "2.", ...)
    # a row is numbered by "12:" or "12." opening a line of it, or by a bare number standing at its left end
    numbered = sum(any(LINE_NUMBER_RE.match(p.lines[i].text) or BARE_NUMBER_RE.fullmatch(p.lines[i].text)
                       and p.lines[i].box[0] <= row[0] + 1 for i in near if contains(row, p.lines[i].box))
                   for row in rows)
    # ...and so may text filling a column's head down to its caption with hardly a line of prose (a grammar)
    grammar = top_run and sum(i in prose for i in lines) <= TEXT_FIGURE_PROSE_SHARE * len(lines)
    longest = TEXT_FIGURE_MAX_ROWS if body_like and 2 * numbered < len(rows) and not grammar \
        else TEXT_FIGURE_MAX_CODE_ROWS
    small = sum(p.lines[i].size < lay.body_size - SAME_SIZE for i in lines)
    if (not body_like and ended and small >= PAGE_FIGURE_SMALL_SHARE * len(run)
            and not any(CAPTION_RE.match(p.lines[i].text) for i in lines)):
        # nothing but it in the caption's range, nearly all of it in a smaller type than the body's (a heading
        # over it aside), no other caption in it (a list of figures): a page of a prompt, a transcript or code
        longest = TEXT_FIGURE_MAX_NUMBERED_ROWS
    elif not body_like:  # code throughout, its rows numbered in a smaller type (in the margin too): a page of it
        numbers = [ln.box for ln in p.lines if _line_number(ln, lay)]
        if any(b[1] < c.box[3] and b[3] > c.box[1] for b in numbers):
            numbers = []  # ...unless the caption's rows are numbered too: a manuscript's line numbers
        if 2 * sum(any(row[1] - 1 <= (b[1] + b[3]) / 2 <= row[3] + 1 and b[0] <= row[0] + 1 for b in numbers)
                   for row in rows) >= len(rows):
            longest = TEXT_FIGURE_MAX_NUMBERED_ROWS
    return [Element(b, "code") for b in run] if 2 <= len(rows) <= longest else []


def _like_body(line: Line, lay: Layout) -> bool:
    """Set in the body's font and size."""
    return line.font == lay.body_font and abs(line.size - lay.body_size) <= SAME_SIZE


def _line_number(line: Line, lay: Layout) -> bool:
    """A listing's line number: digits alone, in a type smaller than the body's."""
    return line.text.isdigit() and line.size < lay.body_size - SAME_SIZE


def _to_last_rule(c: Caption, zone: list[Element], taken: list[Element], edge: float, up: bool) -> list[Element]:
    """A table runs to its last horizontal rule (top rule when captioned below, bottom rule when above), however
    widely its rows are spaced: nothing between caption and rule is body text, the zone ends before any."""
    far = _last_rule(c, zone, up)
    if far is None:
        return taken
    lo, hi = (far, edge) if up else (edge, far)
    frontier = min(e.box[1] for e in taken) if up else max(e.box[3] for e in taken)
    if (far >= frontier) if up else (far <= frontier):
        return taken
    return [e for e in zone if e.box[1] >= lo - 0.5 and e.box[3] <= hi + 0.5]


def _distinct(elements: list[Element]) -> int:
    """How many different boxes the elements have, up to two (a rule drawn three times over is one)."""
    seen: set[Box] = set()
    for e in elements:
        seen.add(rounded(e.box))
        if len(seen) >= 2:
            break
    return len(seen)


def _aligned(a: Box, b: Box) -> bool:
    """Two boxes with the same left and right edges (one under the other in a stack)."""
    return abs(a[0] - b[0]) <= RULE_ALIGN and abs(a[2] - b[2]) <= RULE_ALIGN


def _flat(e: Element) -> bool:
    """A horizontal rule."""
    return e.kind == "vector" and height(e.box) <= RULE_MAX_WIDTH < width(e.box)


def _table_rule(e: Element, span: float) -> bool:
    """A horizontal rule at least TABLE_RULE_SHARE of a caption's range (``span``) wide."""
    return _flat(e) and width(e.box) >= TABLE_RULE_SHARE * span


def _last_rule(c: Caption, elements: list[Element], up: bool) -> float | None:
    """Where the horizontal rules as wide as a table's under (over) this caption end, away from it; None without
    any."""
    span = c.xr[1] - c.xr[0]
    rules = [e.box for e in elements if _table_rule(e, span)]
    if not rules:
        return None
    return min(r[1] for r in rules) if up else max(r[3] for r in rules)


def _gap_after_rules(last: float, shapes: list[Element], everything: list[Element], up: bool,
                     at_rule: bool = False) -> float | None:
    """Where a ruled table ends when pictures or plots lie beyond its last rule: the widest white row between
    that rule and the nearest of them (rows may go on past a rule that is not the table's last); with no white
    row there, the rule itself if ``at_rule`` (a figure's plot titles set right on it), else None."""
    if not shapes or not all(e.box[3] <= last + 0.5 if up else e.box[1] >= last - 0.5 for e in shapes):
        return None
    lo, hi = (max(e.box[3] for e in shapes), last) if up else (last, min(e.box[1] for e in shapes))
    spans = [(lo, lo), (hi, hi)] + [(max(lo, e.box[1]), min(hi, e.box[3])) for e in everything
                                    if e.box[3] > lo and e.box[1] < hi]
    cut = _widest_gap_of(spans)
    return last if cut is None and at_rule else cut


def _before_graphics(c: Caption, taken: list[Element], up: bool, line_h: float) -> list[Element]:
    """A ruled table ends before a picture or a plot beyond its last rule: that is the next float (a shaded row
    behind the table's cells, past its header's rule, is no picture)."""
    last = _last_rule(c, taken, up)
    if last is None:
        return taken
    shading = {b for b in _shaded_rows([e for e in taken if e.kind != "text" or e.cell], c.xr[1] - c.xr[0])
               if height(b) <= SHADED_ROW_MAX_LINES * line_h}
    shapes = [e for e in taken if is_shape(e) and e.box not in shading
              and (e.box[3] <= last + 0.5 if up else e.box[1] >= last - 0.5)]
    cut = _gap_after_rules(last, shapes, taken, up)
    if cut is None:
        return taken
    return [e for e in taken if (e.box[1] >= cut if up else e.box[3] <= cut)]


def _table_end(a: Caption, a_taken: list[Element], d: str, b: Caption, b_taken: list[Element]) -> float | None:
    """Between a ruled table and a figure facing each other, where the table ends, when every picture or plot
    the figure took lies beyond the table's last rule (a shaded row, or a box behind a cell's text, is no picture)."""
    if {a.kind, b.kind} != {FigureKind.TABLE, FigureKind.FIGURE}:
        return None
    (table, rows, up), fig = ((a, a_taken, d == "up"), b_taken) if a.kind is FigureKind.TABLE else (
        (b, b_taken, d != "up"), a_taken)
    last = _last_rule(table, rows, up)
    if last is None:
        return None
    shading = _shaded_rows(rows, table.xr[1] - table.xr[0])
    texts = [e.box for e in rows if e.kind == "text"]
    behind = {e.box for e in rows if e.kind == "vector" and any(contains(e.box, t) for t in texts)}
    shapes = [e for e in fig if is_shape(e) and e.box not in shading and e.box not in behind]
    return _gap_after_rules(last, shapes, rows + fig, up, at_rule=True)


def _shaded_rows(rows: list[Element], span: float) -> set[Box]:
    """The boxes of a table's shaded rows: cell backgrounds of one height set edge to edge in a band as wide as
    its rules, behind SHADED_ROW_MIN_CELLS of its cells (a diagram's boxes beside each other hold fewer)."""
    cells = [e.box for e in rows if e.kind == "text"]
    bands: dict[tuple[int, int], list[Box]] = defaultdict(list)
    for e in rows:
        if e.kind == "vector" and is_shape(e):
            bands[(round(e.box[1]), round(e.box[3]))].append(e.box)
    shaded: set[Box] = set()
    for boxes in bands.values():
        boxes.sort()
        run, right = [boxes[0]], boxes[0][2]
        for b in [*boxes[1:], None]:
            if b is not None and b[0] <= right + 1:
                run.append(b)
                right = max(right, b[2])
                continue
            if (right - run[0][0] >= TABLE_RULE_SHARE * span
                    and sum(any(contains(r, c) for r in run) for c in cells) >= SHADED_ROW_MIN_CELLS):
                shaded.update(run)
            if b is not None:
                run, right = [b], b[2]
    return shaded


def _footnote_rules(p: PageData, graphics: list[Element], lay: Layout) -> list[Box]:
    """The short rules over a page's footnotes: thin, flush with their column's left edge, a share of its width
    long, with text right under them and no drawing further down the column."""
    rules = []
    for g in graphics:
        b = g.box
        if g.kind != "vector" or b[3] - b[1] > RULE_MAX_WIDTH:
            continue  # most of a page's drawings: no need to find their column
        col = column_of(center_x(b), lay)
        w = col[1] - col[0]
        if (abs(b[0] - col[0]) > FOOTNOTE_RULE_SLACK
                or not FOOTNOTE_RULE_MIN_SHARE * w <= width(b) <= FOOTNOTE_RULE_MAX_SHARE * w):
            continue
        if any(o.box[1] > b[3] and x_overlap(o.box, b) > 0 for o in graphics):
            continue
        if any(0 <= ln.box[1] - b[3] <= lay.line_h and x_overlap(ln.box, b) > 0 for ln in p.lines):
            rules.append(b)
    return rules


def _notes_by_caption(captions: list[Caption], p: PageData, lay: Layout, decor: list[bool]) -> set[int]:
    """The lines of a table's notes between it and its caption, which may run as wide as prose: marked notes
    stacked right over a caption below the table ("aTrue positive, bTrue negative"), or a head note in a small type
    right under a caption above it, down to the table's top rule ("Taxa: 1, ..."). They are the table's, not body
    text between the table and its caption."""
    notes: set[int] = set()
    for c in captions:
        if c.kind is not FigureKind.TABLE:
            continue
        up = c.preferred == "up"
        frontier, reach = (c.box[1] if up else c.box[3]), TABLE_TEXT_GAP_LINES * lay.line_h
        side = [i for i, ln in enumerate(p.lines) if not decor[i] and range_overlap(ln.box, c.xr) > 0
                and (ln.box[3] <= c.box[1] + 1 if up else ln.box[1] >= c.box[3] - 1)]
        run: list[int] = []
        headed = 0  # over a caption below: the run up to its topmost marked line (a note's later lines are unmarked)
        for i in sorted(side, key=lambda i: -p.lines[i].box[3] if up else p.lines[i].box[1]):
            line = p.lines[i]
            small = line.size < lay.body_size - SAME_SIZE
            marked = MARKED_NOTE_RE.match(line.text) is not None and line.size <= lay.body_size + SAME_SIZE
            if (frontier - line.box[3] if up else line.box[1] - frontier) > reach or not (
                    marked or small if up else small):
                break
            run.append(i)
            headed = len(run) if marked else headed
            frontier = min(frontier, line.box[1]) if up else max(frontier, line.box[3])
            reach = lay.line_h * RUN_LINE_GAP + lay.leading
        if up:
            run = run[:headed]
        if run and not up:  # a head note ends at the table's top rule, as wide as half of it or wider
            span = union_all([p.lines[i].box for i in run])
            if not any(height(g.box) <= RULE_MAX_WIDTH and 0 <= g.box[1] - span[3] <= TABLE_TEXT_GAP_LINES * lay.line_h
                       and x_overlap(g.box, span) >= TABLE_RULE_SHARE * width(span) for g in p.graphics
                       if g.kind == "vector"):
                run = []
        notes.update(run)
    return notes


def _notes(taken: list[Element], p: PageData, lay: Layout, caption_lines: set[int], decor: list[bool],
           footrules: list[Box]) -> list[Element]:
    """A table's notes: the lines right under it that explain it ("a Adjusted for age", "Note: ...", "*p <
    0.05"), in its small type or opening with a note mark, each at a line's spacing from the one before."""
    table = union_all([e.box for e in taken])
    held = {e.box for e in taken}
    # notes in a small type are no larger than the table's own text (body text in a footnote size is not one)
    rows = [ln.size for ln in p.lines if ln.box in held]
    largest = max(rows) + NOTE_SIZE_SLACK if rows else math.inf
    notes: list[Element] = []
    last_size = 0.0  # the size of the last note taken: a note's next lines keep it
    frontier = table[3]
    span = table  # notes may reach left of the table's rows: the lines after them may too
    first_reach = NOTE_SKIP_LINES * lay.line_h
    # notes end at the next caption under the table (small labels of a figure beside it lead on to it)
    stop = min((p.lines[i].box[1] for i in caption_lines
                if p.lines[i].box[1] >= table[3] and x_overlap(p.lines[i].box, table) > 0), default=math.inf)
    for i in sorted(range(len(p.lines)), key=lambda i: p.lines[i].box[1]):
        line = p.lines[i]
        b = line.box
        if b[1] >= stop - 0.5:
            break
        if (b[1] + b[3]) / 2 < frontier or b in held:
            continue
        if (i in caption_lines or decor[i] or not line.horizontal
                or x_overlap(b, span) < NOTE_INSIDE * width(b) or b[1] - frontier > (
                    lay.line_h * RUN_LINE_GAP + lay.leading if notes
                    else NOTE_WORD_SKIP_LINES * lay.line_h if NOTE_WORD_RE.match(line.text) else first_reach)):
            if b[1] - frontier > 0 and x_overlap(b, span) > 0:
                break  # the next line under the table is no note: the text resumes
            continue
        if any(frontier - 1 <= rule[1] and rule[3] <= b[1] + 1 and x_overlap(rule, span) > 0 for rule in footrules):
            break  # under the footnote rule: the page's footnotes
        small = line.size < lay.body_size - SAME_SIZE and line.size <= largest
        marked = NOTE_RE.match(line.text) is not None and line.size <= lay.body_size + SAME_SIZE
        if not (small or marked or notes and abs(line.size - last_size) <= SAME_SIZE):
            break
        notes.append(Element(b, "text"))
        last_size = line.size
        frontier = max(frontier, b[3])
        span = union(span, b)
    return notes


def _has_content(c: Caption, taken: list[Element]) -> bool:
    """Tables may be pure text, but more than one line of it; a figure needs a drawing or an image, more than a
    lone rule (the line a journal sets under its captions), or a grid of text (examples set as a table)."""
    if c.kind is not FigureKind.FIGURE:  # a table: a picture, or rows of text (one stray line is none)
        # (a label set upright beside the rows, "Llama-3-8B (fine-tuned)", stands in all of them: not counted)
        return any(is_shape(e) for e in taken) or _row_count(
            [e for e in taken if e.kind != "vector" and not _upright(e.box)]) >= 2
    shapes = [e for e in taken if e.kind != "text"]
    return (_distinct(shapes) >= 2 or any(min(width(e.box), height(e.box)) > RULE_MAX_WIDTH for e in shapes)
            or _grid_rows([e for e in taken if e.cell]) >= FIGURE_MIN_CELL_ROWS)


def _upright(b: Box) -> bool:
    """A text element set upright (turned a quarter): much taller than wide, and longer than a tall glyph."""
    return height(b) >= UPRIGHT_MIN_RATIO * width(b) and height(b) >= UPRIGHT_MIN_HEIGHT


def _rows(elements: list[Element]) -> list[list[Element]]:
    """The elements grouped into the rows they stand in, top to bottom (the pieces of one line share a row)."""
    rows: list[list[Element]] = []
    bottom = float("-inf")
    for e in sorted(elements, key=lambda e: e.box[1]):
        if e.box[1] >= bottom - ROW_OVERLAP * height(e.box):
            rows.append([])
        rows[-1].append(e)
        bottom = max(bottom, e.box[3])
    return rows


def _row_count(elements: list[Element]) -> int:
    """How many rows the elements stand in."""
    return len(_rows(elements))


def _grid_rows(cells: list[Element]) -> int:
    """How many rows of at least GRID_MIN_CELLS cells the elements make (a table's grid, not a list of pairs)."""
    return sum(len(row) >= GRID_MIN_CELLS for row in _rows(cells))


def _opposite(d: str) -> str:
    return "down" if d == "up" else "up"


def _choose_directions(captions: list[Caption], options: list[dict[str, _Option]]) -> list[str | None]:
    """Pick above or below for each caption: the only side with graphics, else the conventional side.

    A caption with a single candidate side claims it first, and that takes the space away from the caption
    beyond it unless both face each other on their conventional sides (a table captioned above and the
    figure under it) or that side is the only one of a float of the other kind (the graphics are split
    later). Captions whose single side is their conventional one claim before those whose is not, so a
    figure with nothing over it does not take the graphic over the next figure's caption. The rest prefer
    sides nobody else can claim, so a table captioned below takes its own table rather than the figure
    under it.
    """
    n = len(captions)
    avail = [{d for d in ("up", "down") if options[i][d].taken} for i in range(n)]
    chosen: list[str | None] = [None] * n
    changed = True
    while changed:
        changed = False
        for conventional in (True, False):
            for i in range(n):
                if chosen[i] is not None or len(avail[i]) != 1 \
                        or (next(iter(avail[i])) == captions[i].preferred) != conventional:
                    continue
                d = chosen[i] = next(iter(avail[i]))
                changed = True
                nb, back = options[i][d].neighbor, _opposite(d)
                if nb is not None and chosen[nb] is None and _clash(options[i][d], options[nb][back]) and not (
                        d == captions[i].preferred and back == captions[nb].preferred
                        or avail[nb] == {back} and _both_float(captions[i], captions[nb])):
                    avail[nb].discard(back)
            if changed:
                break

    def shared(i: int, d: str) -> bool:
        nb, back = options[i][d].neighbor, _opposite(d)
        return nb is not None and (chosen[nb] == back if chosen[nb] is not None else back in avail[nb])

    def bare(i: int, d: str) -> bool:
        """Only lines of text on that side, no rule, drawing or table cell."""
        return not any(is_shape(e) or e.cell for e in options[i][d].taken)

    for i, c in enumerate(captions):
        if chosen[i] is None:
            pref, other = c.preferred, _opposite(c.preferred)
            order = [(pref, False), (other, False), (pref, True), (other, True)]
            if c.kind is FigureKind.TABLE and avail[i] == {pref, other} and bare(i, pref) and not bare(i, other):
                order.insert(0, (other, False))  # a table's ruled rows on one side, plain lines on its usual one
            chosen[i] = next((d for d, s in order if d in avail[i] and shared(i, d) == s), None)
    return chosen


def _both_float(a: Caption, b: Caption) -> bool:
    """Two captions facing each other, each with nothing on its other side, both have a float between them when
    they differ in kind (a table captioned above over a figure) or are both tables (captioned on both sides in
    one paper, but not "Table 5" over "Table 5 continued"); a figure caption facing another's graphics from the
    unusual side has its figure elsewhere."""
    return a.kind is not b.kind or a.kind is FigureKind.TABLE and a.number != b.number


def _faced(c: Caption, other: _Option, captions: list[Caption]) -> bool:
    """The graphics on the caption's unusual side lie before another caption that looks their way on its usual
    side."""
    n = other.neighbor
    return n is not None and captions[n].preferred == c.preferred and not captions[n].foreign


def _clash(a: _Option, b: _Option) -> bool:
    """Two captions facing each other want some of the same elements."""
    return not {id(e) for e in a.taken}.isdisjoint(id(e) for e in b.taken)


def _resolve_shared(i: int, d: str, captions: list[Caption], options: list[dict[str, _Option]],
                    chosen: list[str | None], line_h: float) -> list[Element]:
    """Split graphics between two captions that both claim the space between them: the one on its usual side
    takes them, unless neither has graphics on its other side and both have a float there (they differ in kind,
    or are two tables a white row as tall as a line parts); else they are cut at the widest white gap."""
    taken = options[i][d].taken
    n = options[i][d].neighbor
    if n is None or chosen[n] != _opposite(d) or not _clash(options[i][d], options[n][_opposite(d)]):
        return taken
    mine, theirs = d == captions[i].preferred, chosen[n] == captions[n].preferred
    both = list({id(e): e for e in taken + options[n][_opposite(d)].taken}.values())
    if mine != theirs and (options[i][_opposite(d)].taken or options[n][d].taken
                           or not _both_float(captions[i], captions[n])
                           or captions[i].kind is captions[n].kind and _widest_gap(both, line_h) is None):
        return taken if mine else []
    cut = _table_end(captions[i], taken, d, captions[n], options[n][_opposite(d)].taken)
    if cut is None:
        cut = _widest_gap(both)
    if cut is None:  # nothing to split at: the caption below (the figure convention) keeps it
        return taken if d == "up" else []
    # split by bottoms, so the two share nothing: what reaches over a table's last rule (a plot's title set on it)
    # is the float's below
    return [e for e in taken if (e.box[3] > cut if d == "up" else e.box[3] <= cut)]


def _split_overlaps(captions: list[Caption], finals: dict[int, list[Element]], chosen: list[str | None],
                    side: dict[int, list[Element]]) -> None:
    """Elements two floats both took (a figure in one column grown into the full-width table over it): between
    a caption above them and one below, they are cut at the widest white gap among both floats' elements;
    otherwise they stay with the caption nearer to them, and the other float keeps only what lies on its
    caption's side of them."""
    ids = sorted(i for i in finals if i not in side and chosen[i] is not None)
    for a in ids:
        for b in ids:
            if a >= b:
                continue
            mine = {id(e) for e in finals[a]}
            shared = [e for e in finals[b] if id(e) in mine]
            if not shared or _side_by_side(captions[a].box, captions[b].box):
                continue  # _split_side_by_side cuts between them
            lo, hi = min(e.box[1] for e in shared), max(e.box[3] for e in shared)
            upper, lower = (a, b) if captions[a].box[1] < captions[b].box[1] else (b, a)
            if chosen[upper] == "down" and chosen[lower] == "up":
                cut = _widest_gap(finals[upper] + finals[lower])
                if cut is not None:
                    finals[upper] = [e for e in finals[upper] if (e.box[1] + e.box[3]) / 2 < cut]
                    finals[lower] = [e for e in finals[lower] if (e.box[1] + e.box[3]) / 2 > cut]
                    continue
            da, db = (max(captions[i].box[1] - hi, lo - captions[i].box[3], 0.0) for i in (a, b))
            loser = b if db > da else a if da > db else None
            if loser is None:
                continue
            if chosen[loser] == "up":  # its graphics are above its caption: it keeps what lies below the shared
                finals[loser] = [e for e in finals[loser] if (e.box[1] + e.box[3]) / 2 > hi]
            else:
                finals[loser] = [e for e in finals[loser] if (e.box[1] + e.box[3]) / 2 < lo]


def _widest_gap(elements: list[Element], min_gap: float = 0.0) -> float | None:
    """The middle of the widest white row between the elements' vertical spans, if there is one this tall."""
    return _widest_gap_of([(e.box[1], e.box[3]) for e in elements], min_gap=min_gap)


def _side_by_side(a: Box, b: Box) -> bool:
    """Two captions on one row, apart from each other."""
    return x_overlap(a, b) <= 0 and min(a[3], b[3]) > max(a[1], b[1])


def _split_side_by_side(captions: list[Caption], finals: dict[int, list[Element]]) -> None:
    """Two floats captioned side by side on one row that reach into each other (one wider than its column) are
    cut at the white column between their captions that best centres each under its caption, else at the widest
    between the middles of their captions (a caption wider than its figure); a frame around both is neither's."""
    for a, b in itertools.permutations(finals, 2):
        ca, cb = captions[a].box, captions[b].box
        if not (finals[a] and finals[b] and ca[2] <= cb[0] and _side_by_side(ca, cb)):
            continue
        if max(e.box[2] for e in finals[a]) <= min(e.box[0] for e in finals[b]):
            continue
        # a frame drawn around both (a table of two cells) is neither's
        both = [e for e in {id(e): e for e in finals[a] + finals[b]}.values()
                if not (e.box[0] <= center_x(ca) and e.box[2] >= center_x(cb))]
        if not both:
            continue
        spans = [(e.box[0], e.box[2]) for e in both]
        cut = _centring_gap(spans, ca, cb)
        if cut is None:
            cut = _widest_gap_of(spans, (center_x(ca), center_x(cb)))
        if cut is not None:
            # what the other took on this side of the cut, level with this float, is this one's (its axis labels)
            finals[a], finals[b] = _kept(both, finals[a], -math.inf, cut), _kept(both, finals[b], cut, math.inf)


def _kept(elements: list[Element], taken: list[Element], x0: float, x1: float) -> list[Element]:
    """What a float keeps of two floats' elements when they are cut apart, its side being the middles between
    ``x0`` and ``x1``: what it took there, and what the other took there level with it (its axis labels)."""
    own = {id(t) for t in taken}
    top, bottom = min(t.box[1] for t in taken) - 1, max(t.box[3] for t in taken) + 1
    return [e for e in elements if x0 < center_x(e.box) < x1
            and (id(e) in own or top <= e.box[1] and e.box[3] <= bottom)]


def _centring_gap(spans: list[tuple[float, float]], ca: Box, cb: Box) -> float | None:
    """The middle of the white column between two captions side by side that best centres what lies on each
    side of it under its caption, if there is one."""
    merged = _merged(spans)
    best: tuple[float, float] | None = None
    for k in range(len(merged) - 1):
        middle = (merged[k][1] + merged[k + 1][0]) / 2
        if ca[2] <= middle <= cb[0]:
            cost = (abs((merged[0][0] + merged[k][1]) / 2 - center_x(ca))
                    + abs((merged[k + 1][0] + merged[-1][1]) / 2 - center_x(cb)))
            best = min(best or (cost, middle), (cost, middle))
    return best[1] if best else None


def _merged(spans: list[tuple[float, float]]) -> list[list[float]]:
    """Spans on one axis joined where they touch or overlap, in order."""
    spans = sorted(spans)
    merged = [list(spans[0])]
    for y0, y1 in spans[1:]:
        if y0 <= merged[-1][1] + 0.5:
            merged[-1][1] = max(merged[-1][1], y1)
        else:
            merged.append([y0, y1])
    return merged


def _widest_gap_of(spans: list[tuple[float, float]],
                   within: tuple[float, float] = (-math.inf, math.inf), min_gap: float = 0.0) -> float | None:
    """The middle of the widest white row between vertical spans (or column between horizontal ones), if there
    is one at least ``min_gap`` wide whose middle lies ``within`` a range."""
    merged = _merged(spans)
    gaps = [(merged[k + 1][0] - merged[k][1], (merged[k][1] + merged[k + 1][0]) / 2) for k in range(len(merged) - 1)]
    gaps = [g for g in gaps if within[0] <= g[1] <= within[1] and g[0] >= min_gap]
    return max(gaps)[1] if gaps else None


def _set_as_caption(line: Line, lay: Layout) -> bool:
    """A line that opens with a label set apart from prose: in a style or size of its own, or followed by a
    colon, bar or dash ("Figure 8:"), which a footer does not print."""
    m = CAPTION_RE.match(line.text)
    return m is not None and (line.styled or line.size < lay.body_size - SAME_SIZE
                              or m["delim"].strip() not in ("", "."))


def _text_panel(p: PageData, box: Box, prose: list[Box]) -> bool:
    """A box set mostly with text, not a figure: body prose in a frame, or running text in whatever type
    (sentences, not a plot's labels), as a sidebar or a framed listing sets it."""
    if sum(area(intersection(box, t)) for t in prose) > UNCAPTIONED_MAX_PROSE_SHARE * area(box):
        return True
    inside = [ln for ln in p.lines if contains(box, ln.box, tol=2)]
    sentences = sum(len(ln.text.split()) >= UNCAPTIONED_SENTENCE_WORDS for ln in inside)
    return (sentences >= UNCAPTIONED_PANEL_SENTENCES
            and sum(area(ln.box) for ln in inside) > UNCAPTIONED_MAX_TEXT_SHARE * area(box))


def _grown_into(box: Box, found: list[tuple[LocatedFigure, bool]], grows: dict[int, str], barriers: list[Box],
                reach: float, strip: float) -> int | None:
    """The figure whose graphic a large uncaptioned graphic continues: the figure holds only a strip at most
    ``strip`` tall (a legend), and the graphic lies on the side it grew to, within ``reach`` of it, over most of its
    width, with no body text between (a map over its legend strip, set further apart than a figure's parts usually
    are; a figure of its own over another's caption is no strip)."""
    for k, side in grows.items():
        g = found[k][0].figure_box
        if g is None or height(g) > strip or x_overlap(g, box) < CONTINUED_OVERLAP * min(width(g), width(box)):
            continue
        lo, hi = (box[3], g[1]) if side == "up" else (g[3], box[1])
        if 0 <= hi - lo <= reach and not any(lo < b[1] and b[3] < hi and x_overlap(b, union(g, box)) > 0
                                             for b in barriers):
            return k
    return None


def _uncaptioned_share(p: PageData) -> float:
    """The share of the page an uncaptioned figure covers at least: less on a page pasted in as a picture, whose
    figures are read from its ink and whose captions cannot be read."""
    return WORDLESS_MIN_PAGE_SHARE if any(g.ink for g in p.graphics) else UNCAPTIONED_MIN_PAGE_SHARE


def _uncaptioned(p: PageData, graphics: list[Element], texts: list[Element], regions: list[Box],
                 prose: list[Box]) -> list[LocatedFigure]:
    """Large leftover graphics (a share of the page, not a text panel) become unnumbered figures."""
    page_area = area(p.rect)
    free = [g for g in graphics if min(width(g.box), height(g.box)) >= 2
            and not any(contains(r, g.box) for r in regions)]
    clusters: list[tuple[Box, list[Element]]] = []
    for g in sorted(free, key=lambda g: g.box[1]):
        hit = [k for k, (b, _) in enumerate(clusters) if near(b, g.box, UNCAPTIONED_JOIN)]
        box, members = g.box, [g]
        for k in reversed(hit):
            b, ms = clusters.pop(k)
            box, members = union(box, b), members + ms
        clusters.append((box, members))
    found: list[LocatedFigure] = []
    # the first page's title: its line in the largest type (no title on the other pages)
    title = max((ln for ln in p.lines if ln.horizontal and any(ch.isalpha() for ch in ln.text)),
                key=lambda ln: ln.size, default=None) if p.index == 0 and clusters else None
    adverts = [ln.box for ln in p.lines if GRAPHICAL_ABSTRACT_RE.fullmatch(ln.text)] if clusters else []
    for box, members in clusters:
        if (area(box) <= _uncaptioned_share(p) * page_area
                or any(area(intersection(box, r)) > 0 for r in regions)):
            continue
        if not any(m.kind == "raster" for m in members) and len(members) < 3:
            continue
        r = p.rect
        if min(box[0] - r[0], box[1] - r[1], r[2] - box[2], r[3] - box[3]) < UNCAPTIONED_EDGE:
            continue  # art printed to the page's edge: a cover or a background, not a paper's figure
        if _text_panel(p, box, prose):
            continue
        if any(area(intersection(box, link)) >= UNCAPTIONED_LINK_SHARE * area(box) for link in p.links):
            continue
        if title is not None and box[3] <= title.box[1]:
            continue  # header art over the paper's title: a publisher's banner and logos, not a figure
        if any(x_overlap(h, box) > 0 and -1 <= box[1] - h[3] <= UNCAPTIONED_HEAD_GAP for h in adverts):
            continue  # a graphical abstract under its heading: the paper's advert, not one of its figures
        labels = [t.box for t in texts if contains(box, t.box, tol=6)]
        bbox = pad(union_all([box, *labels]), p.rect, PAD)
        found.append(LocatedFigure(FigureKind.FIGURE, None, p.index, bbox, "", bbox, None))
    return found
