"""Stage 2, captions: the lines that open a figure or table caption ("Figure 3:", "Fig. 3.", "TABLE II."),
the lines that continue them, and the horizontal range each caption's graphics may occupy."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from arxiv_digest.models import FigureKind

from .geometry import Box, center_x, height, union, union_all, width, x_overlap
from .layout import CAPTION_RE, LABEL, SAME_SIZE, TABLE_LABEL_RE, Element, Layout, Line, PageData, cell_row, column_of

LABEL_ONLY_RE = re.compile(LABEL)
RUN_IN_HEAD_RE = re.compile(r"[A-Z][a-z]+\b")  # "Remark", "Theorem", "Proof": a word, not a bold symbol ("u")
# "Listing 6.2: BSL code", "Algorithm 1." over a listing or an algorithm set as a float of its own (captioned
# above, like a table): not a figure, but a neighbouring figure must not take its box.
FOREIGN_RE = re.compile(r"(?P<label>L(?i:isting)|A(?i:lgorithm))\s*(?P<number>[1-9]\d*(?:\.\d+)*)"
                        r"(?P<delim>\s*[:.]|\s|$)")
# An entry of a list of figures holds a dot leader and a page number (". . . 44", "....44"), its dots often lines
# of their own in PyMuPDF.
LEADER_RE = re.compile(r"(?:(?:\.\s+){2,}|\.{4,}\s*)\d+(?:\s|$)")
TITLED_GRAPHIC_LINES = 2.0  # a label without delimiter or style opens a caption this close to a graphic...
RULE_MAX_WIDTH = 2.0  # ...that is no rule (points: a drawing this thin is a rule)
SUBCAPTION_RE = re.compile(r"\([a-z]\)\s")  # a panel's sub-caption, "(c) Total loss"
PANEL_TITLE_RE = re.compile(r"\(?[a-z]\)\s")  # ...or, over a caption running on from it, "b) Axial blade"
# A caption continues while the next line is this close (in line heights, beyond the body's own leading): below
# it, or overlapping it.
CAPTION_LINE_GAP = 0.3
CAPTION_LINE_OVERLAP = 0.6
LABEL_TITLE_GAP = 1.0  # ...or this close under a label set on a line of its own
LABEL_APART_GAP = 2.0  # ...or this close, when the label is bold and the title set in another font than the body's
SPACING_JUMP = 0.5  # a row this many line heights further from the last than the caption's rows are ends it
MATH_FRAGMENT_CHARS = 3  # a piece of a formula PyMuPDF sets as its own line ("√") is at most this long
# A radical's bar that some math fonts draw with glyphs PyMuPDF reads as "ffi" ligatures ("ﬃﬃﬃﬃ"): math too
VINCULUM_RE = re.compile("\ufb03+")
FRAGMENT_DROP = 0.5  # ...and its middle at most this share of its height below the caption (a "4.3" heading is lower)
STAGGERED_MAX_SHARE = 0.6  # two captions narrower than this share of their range, side by side at different
STAGGERED_MAX_LINES = 8  # heights less than this many lines apart, split the range between them
MATH_LOOKAHEAD = 8  # lines after a caption row searched for the inline math in a smaller font that row holds
RADICAL_GAP = 4.0  # points between a line's end and a radical sign raised above it
LABEL_SPLIT_EMS = 3.0  # the caption text may start this many font sizes right of a label set on its own
CELL_GAP_EMS = 1.0  # a header row under a caption: pieces this many font sizes apart...
HEADER_MIN_CELLS = 3  # ...at least this many...
HEADER_CELL_SHARE = 0.3  # ...the first narrower than this share of the caption
JUSTIFIED_SPREAD = 2.0  # points by which a justified line's word gaps may differ, and its ends miss the caption's
SEPARATOR_SHARE = 0.5  # a rule under a caption's row this share of its width or wider ends the caption
UNDERLINE_SLACK = 2.0  # points a word's underline may reach past the ends of the caption's last row
GUTTER_CROSSING = 5.0  # points a caption must reach past the gutter on both sides to span the columns


@dataclass
class Caption:
    """A caption: kind, number, box, full text, the indices of its lines and the range its graphics may use."""

    kind: FigureKind
    number: str
    box: Box
    text: str
    lines: set[int]
    strong: bool  # a colon-like delimiter or a distinct style; weak ones ("Figure 3. The ...") lose ties
    xr: tuple[float, float] = (0.0, 0.0)
    preferred: str = "up"  # the side searched first when both have graphics: "up" (captioned below) or "down"
    foreign: bool = False  # a listing's or an algorithm's caption: its float is no figure, but it claims its box


def find_captions(p: PageData, lay: Layout, decor: list[bool]) -> list[Caption]:
    """Caption lines start a paragraph with "Figure N" and a delimiter or a distinct style."""
    captions: list[Caption] = []
    used: set[int] = set()
    for i, line in enumerate(p.lines):
        if i in used or decor[i] or not line.horizontal:
            continue
        if not line.starts_para and not _label_line(p, i) and not _colon_label(line.text) \
                and not _bold_caption_row(p, i) and not _ruled_off(p, i):
            # a caption opens a paragraph, or stands beside another one on its row, or right under a row of
            # sub-captions ("(c) Total loss") that PyMuPDF runs on into it
            prev = p.lines[i - 1].box if i else None
            if not (prev is not None and min(prev[3], line.box[3]) > max(prev[1], line.box[1])
                    and line.box[0] >= prev[2] and CAPTION_RE.match(line.text) is not None
                    or prev is not None and (line.bold or line.size < lay.body_size - SAME_SIZE)
                    and PANEL_TITLE_RE.match(p.lines[i - 1].text)
                    and line.box[1] >= prev[3] - 1 and line.box[0] < prev[0]):
                continue
        head = line.text
        if LABEL_ONLY_RE.fullmatch(head) and i + 1 < len(p.lines) and same_row(line, p.lines[i + 1]):
            head = f"{head} {p.lines[i + 1].text}"  # a justified line cut word by word: "Figure", "8:", ...
        m = CAPTION_RE.match(head) or FOREIGN_RE.match(head)
        if m is None:
            continue
        # ":" never follows "Figure 3" in prose, but a space does ("Figure 3 shows"), so that needs a caption
        # style: a bold label, a caption font size or an all-caps label. "Figure 3." opening a paragraph and
        # followed by a sentence is a caption in journal and conference styles that set captions like body
        # text; it is a weak one, which a styled caption with the same number beats.
        delim = m["delim"].strip()
        distinct = (line.styled or line.size < lay.body_size - SAME_SIZE or m["label"].isupper()
                    or bool(line.font) and line.font != lay.body_font)
        rest = head[m.end():].lstrip()
        if not distinct and not rest and i + 1 < len(p.lines) and same_row(line, p.lines[i + 1]):
            nxt = p.lines[i + 1]  # "Figure 3" set apart from a title in another style: "Figure 3  **Magnitude**"
            distinct = nxt.bold != line.bold or nxt.font != line.font
        sentence = delim == "." and (not rest or rest[0].isupper() or not rest[0].isalpha())
        # "Figure 2 A layered application" in the body's type, no delimiter, but a title and right by a graphic
        # ("Table 3.1 Previous ADMMs" by a table's rule)
        titled = delim == "" and rest[:1].isupper() and (
            _by_graphic(p, line, lay) or TABLE_LABEL_RE.fullmatch(m["label"]) is not None and _by_rule(p, line, lay))
        if delim == "" and not (distinct or titled) or delim == "." and not (distinct or sentence):
            continue
        if not distinct and delim in ("", ".") and _in_cell_row(p, line):
            continue  # a weak caption that is one cell of a table's row
        if m.re is FOREIGN_RE and (not rest or delim == "" and not line.bold and not rest[0].isupper()
                                   and not rest[0].isdigit()):
            # "Algorithm 1" alone is a label inside a figure, not the caption of a float; so is "Algorithm 1 with
            # ..." or "Algorithm 1, N=16" in a plain type, a plot's legend entry, where a title (or a bold label)
            # would follow the number
            continue
        idx = caption_lines(p, i, lay.leading, lay.body_font)
        used.update(idx)
        if _list_entry(p, i):
            continue
        text = ""
        for j in idx:
            piece = p.lines[j].text
            hyphenated = text.endswith("-") and piece[:1].islower()
            text = text[:-1] + piece if hyphenated else f"{text} {piece}".strip()
        kind = FigureKind.TABLE if TABLE_LABEL_RE.fullmatch(m["label"]) else FigureKind.FIGURE
        box = union_all([p.lines[j].box for j in idx])
        strong = distinct or delim not in ("", ".")
        captions.append(Caption(kind, m["number"], box, text, set(idx), strong, foreign=m.re is FOREIGN_RE))
    # "Figure 7a:" over a sub-figure, above "Figure 7:" on the same page, captions a panel of Figure 7
    whole = {(c.kind, c.number): c.box[1] for c in captions}
    captions = [c for c in captions if not (c.number[-1:].islower() and c.number[:-1]
                                            and whole.get((c.kind, c.number[:-1]), -1.0) > c.box[1])]
    for c in captions:
        c.xr = caption_range(c, captions, lay)
    return captions


def _in_cell_row(p: PageData, line: Line) -> bool:
    """The line is one cell of a table's row ("Figure 4.1(b)" heading a row of results), none of the others a
    caption."""
    h = height(line.box)
    block = [ln for ln in p.lines if ln.block == line.block]
    row = [ln for ln in block if min(ln.box[3], line.box[3]) - max(ln.box[1], line.box[1]) > 0.5 * h]
    above = [ln for ln in block if line.box[1] - 1.6 * h < ln.box[1] < line.box[1] - 0.5 * h]
    below = [ln for ln in block if line.box[1] + 0.5 * h < ln.box[1] < line.box[1] + 1.6 * h]
    return (cell_row(row, above) or cell_row(row, below)) and not any(
        CAPTION_RE.match(o.text) for o in row if o is not line)


def _by_graphic(p: PageData, line: Line, lay: Layout) -> bool:
    """A drawing or picture (not a rule) ends or starts within TITLED_GRAPHIC_LINES of the line, over or under it,
    counting the small type under it (a plot's tick labels) as its own."""
    reach = TITLED_GRAPHIC_LINES * lay.line_h
    shapes = [g for g in p.graphics if is_shape(g)]
    small = [o for o in p.lines if o.size < lay.body_size - SAME_SIZE]
    return under_graphic(line, shapes, small, reach) or any(
        x_overlap(g.box, line.box) > 0 and 0 <= g.box[1] - line.box[3] <= reach for g in shapes)


def _by_rule(p: PageData, line: Line, lay: Layout) -> bool:
    """A rule at least SEPARATOR_SHARE as wide as the line runs within TITLED_GRAPHIC_LINES under or over it: a
    table's top (bottom) rule."""
    reach = TITLED_GRAPHIC_LINES * lay.line_h
    return any(g.kind == "vector" and height(g.box) <= RULE_MAX_WIDTH and x_overlap(g.box, line.box) > 0
               and width(g.box) >= SEPARATOR_SHARE * width(line.box)
               and (0 <= g.box[1] - line.box[3] <= reach or 0 <= line.box[1] - g.box[3] <= reach) for g in p.graphics)


def is_shape(e: Element) -> bool:
    """A picture, or a drawing that is not a rule."""
    return e.kind == "raster" or e.kind == "vector" and min(width(e.box), height(e.box)) > RULE_MAX_WIDTH


def under_graphic(line: Line, graphics: list[Element], lines: list[Line], gap: float) -> bool:
    """A graphic ends at most ``gap`` above the line, counting the labels printed under it (a plot's axis)."""
    for g in graphics:
        if x_overlap(g.box, line.box) <= 0:
            continue
        labels = [o.box[3] for o in lines if o.box[3] < line.box[1] and x_overlap(o.box, g.box) > 0
                  and 0 <= o.box[1] - g.box[3] <= gap]
        if 0 <= line.box[1] - max([g.box[3], *labels]) <= gap:
            return True
    return False


def _list_entry(p: PageData, first: int) -> bool:
    """The caption's text block holds a dot leader and a page number (". . . . . 44", which PyMuPDF may cut into
    a line per dot): an entry of a list of figures or tables."""
    block = p.lines[first].block
    return LEADER_RE.search(" ".join(ln.text for ln in p.lines if ln.block == block)) is not None


def _colon_label(text: str, titled: bool = True) -> bool:
    """A line opening with "Fig. 3:" (or "|"), followed by text on that line unless not ``titled``: a caption even
    run on from the line above (a sub-caption set in the same block), since prose wrapped at a reference never
    puts a colon right after its number."""
    m = CAPTION_RE.match(text)
    return m is not None and m["delim"].strip() in (":", "|") and (len(text) > m.end() or not titled)


def _label_line(p: PageData, i: int) -> bool:
    """A label alone on its row in a font of its own ("TABLE 1" in small caps under the table's last row, in
    the same text block): it opens a caption even though PyMuPDF runs it on from the rows above."""
    line = p.lines[i]
    if not i or CAPTION_RE.fullmatch(line.text) is None or not line.font:
        return False
    if i + 1 == len(p.lines) or p.lines[i + 1].block != line.block:
        return False  # a block's last line: a paragraph ending on a reference in bold ("... as in **Figure 7.**")
    prev = p.lines[i - 1]
    return _next_row(prev, line) and line.font != prev.font


def _bold_caption_row(p: PageData, i: int) -> bool:
    """A row set wholly in bold, "Figure 4. A story-action ...", flush under a row of the same block in a regular
    face (the figure's own text lines, which PyMuPDF runs on into its caption): it opens a caption, if a title
    follows the label (a bold "Figure 7." ending a paragraph is a reference)."""
    line = p.lines[i]
    if not i or not line.bold or "bold" not in line.main_font.lower():
        return False
    prev = p.lines[i - 1]
    m = CAPTION_RE.match(line.text)
    return (m is not None and m["delim"].strip() in (":", ".") and bool(line.text[m.end():].strip())
            and prev.block == line.block
            and "bold" not in prev.main_font.lower() and abs(line.box[0] - prev.box[0]) <= 2
            and _next_row(prev, line))


def _ruled_off(p: PageData, i: int) -> bool:
    """A rule runs between the line and the row above it, under most of the line (a table's bottom rule over its
    caption, which PyMuPDF runs on from the table's rows): no paragraph runs on across a rule. The line holds a
    title after its label and is no cell of a row ("Figure 9" heading a table's row)."""
    line, prev = p.lines[i], p.lines[i - 1] if i else None
    m = CAPTION_RE.match(line.text)
    if prev is None or m is None or not line.text[m.end():].strip() or not _next_row(prev, line) \
            or _in_cell_row(p, line):
        return False
    return any(e.kind == "vector" and height(e.box) <= RULE_MAX_WIDTH
               and prev.box[3] - 1 <= e.box[1] and e.box[3] <= line.box[1] + 1
               and x_overlap(e.box, line.box) >= SEPARATOR_SHARE * width(line.box) for e in p.graphics)


def _next_row(prev: Line, line: Line) -> bool:
    """The line starts a row under ``prev`` (overlapping it by less than a third of its height)."""
    return line.box[1] >= prev.box[3] - 0.3 * height(prev.box)


def same_row(a: Line, b: Line) -> bool:
    """Two lines of one text block side by side on one row."""
    return a.block == b.block and min(a.box[3], b.box[3]) - max(a.box[1], b.box[1]) > 0.5 * height(b.box) \
        and b.box[0] >= a.box[2] - 1


def _beside_rows(line: Line, rows: list[Box]) -> bool:
    """A short line beyond the ends of the caption's rows level with it, set apart from them: a plot's tick label
    beside a legend's narrow rows (which run on under the plot across the page), not a piece of their formulas."""
    level = [r for r in rows if min(r[3], line.box[3]) > max(r[1], line.box[1])]
    return bool(level) and line.box[0] > max(r[2] for r in level) + LABEL_SPLIT_EMS * line.size


def caption_lines(p: PageData, first: int, leading: float = 0.0, body_font: str = "") -> list[int]:
    """The caption's first line plus the lines that continue it: same size, spaced like the body's lines (plus
    a little), no rule between; a bold label on a line of its own may stand a blank line over a title set in a
    font other than the body's (APA's "Figure 1" over its italic title)."""
    head = p.lines[first]
    idx = [first]
    box = head.box
    last = head.box  # the last line taken, fragments aside
    band = head.box  # the last row with the inline math hanging from it
    sizes = [head.size]  # a label set larger than its text ("Figure 6" at 10pt, the rest at 9pt)
    pitches: list[float] = []  # the distances between the caption's rows so far
    pending: list[int] = []  # inline math in a smaller font listed before the row it stands in
    hang: float | None = None  # where the text starts beside a label set as its own line (a hanging indent)
    for j in range(first + 1, len(p.lines)):
        nxt = p.lines[j]
        if pending and j > pending[-1] + 1:
            break  # the fragment's row did not go on with the caption
        if _ruled_cells(p, j, last):
            break
        if (len(nxt.text) <= MATH_FRAGMENT_CHARS or VINCULUM_RE.fullmatch(nxt.text)) and (
                x_overlap(nxt.box, box) > 0
                and box[1] <= (nxt.box[1] + nxt.box[3]) / 2 <= box[3] + FRAGMENT_DROP * height(nxt.box)
                and not _beside_rows(nxt, [p.lines[k].box for k in idx]) and not _rule_over(p, last, nxt.box, box)
                or abs(nxt.box[0] - last[2]) <= RADICAL_GAP and nxt.box[1] < last[1] < nxt.box[3]):
            # a radical, an accent or a subscript set apart from its line of the caption (a radical's sign
            # raised right after the line's end, too)
            idx.append(j)
            box, band = union(box, nxt.box), union(band, nxt.box)
            if (nxt.text.isalpha() and min(abs(nxt.size - sz) for sz in sizes) <= SAME_SIZE
                    and nxt.box[0] >= last[2] - 1 and abs(nxt.box[1] - last[1]) <= 1):
                last = nxt.box  # a short word of a justified line cut word by word: the row goes on after it
            continue
        if (len(idx) > 1 and nxt.size < min(sizes) - SAME_SIZE and nxt.box[0] >= last[0] - 1
                and nxt.box[2] <= box[2] + 1 and last[1] < nxt.box[3] and nxt.box[1] < band[3]
                and not _rule_over(p, last, nxt.box, box)):
            # a piece of inline math in a smaller font (a fraction's numerator, a subscript) on or hanging
            # from the caption's last row
            idx.append(j)
            box, band = union(box, nxt.box), union(band, nxt.box)
            last = (last[0], last[1], max(last[2], nxt.box[2]), last[3])
            continue
        if (len(nxt.text) <= MATH_FRAGMENT_CHARS and nxt.size < min(sizes) - SAME_SIZE and j + 1 < len(p.lines)
                and min(nxt.box[3], p.lines[j + 1].box[3]) > max(nxt.box[1], p.lines[j + 1].box[1])):
            pending.append(j)  # a fraction's numerator over the next row's start: taken with that row, if it is
            continue
        on_row = min(last[3], nxt.box[3]) - max(last[1], nxt.box[1]) > 0.5 * height(nxt.box)
        if (nxt.horizontal and on_row and nxt.box[0] >= last[0] and nxt.box[0] - last[2] <= LABEL_SPLIT_EMS * nxt.size
                and CAPTION_RE.match(nxt.text) is None):
            # the rest of the row: the text beside a label set as its own line ("Figure 1" in bold), or what
            # follows a sub- or superscript PyMuPDF set apart
            if idx == [first] and CAPTION_RE.fullmatch(head.text) is not None:
                hang = nxt.box[0]
            idx.extend([*pending, j])
            box, last = union_all([box, nxt.box, *(p.lines[k].box for k in pending)]), nxt.box
            pending.clear()
            sizes.append(nxt.size)
            continue
        # a row pushed down by the inline math it holds (a built-up fraction) starts where that math does
        row_top = min([nxt.box[1]] + [m.box[1] for m in p.lines[j + 1:j + 1 + MATH_LOOKAHEAD]
                                      if m.size < nxt.size - SAME_SIZE and m.box[1] < nxt.box[3]
                                      and m.box[3] > nxt.box[1] and x_overlap(m.box, box) > 0])
        gap = row_top - box[3]
        if gap < -CAPTION_LINE_OVERLAP * height(nxt.box):
            # a row a tall glyph stretched (an accent over a symbol) reaches far into the next: that row is the
            # next one still when it starts a line height under the top of the last
            gap = max(gap, row_top - last[1] - height(nxt.box))
        # a label on a line of its own ("Figure 3." in bold) over its legend's text, which may stand a little
        # apart from it ("TABLE 1" over its title)
        label_alone = idx == [first] and CAPTION_RE.fullmatch(head.text) is not None
        if label_alone:
            sizes.append(nxt.size)
        # ...and the lines of a caption set with a hanging indent, flush with the text beside its label, may stand
        # as far apart (a row of inline math spaces them out)
        hanging = hang is not None and abs(nxt.box[0] - hang) <= 1
        reach = LABEL_TITLE_GAP if label_alone or hanging else CAPTION_LINE_GAP
        if label_alone and head.bold and body_font and nxt.main_font not in (body_font, head.main_font):
            reach = LABEL_APART_GAP
        if (not nxt.horizontal or min(abs(nxt.size - sz) for sz in sizes) > SAME_SIZE or x_overlap(nxt.box, box) <= 0
                or not -CAPTION_LINE_OVERLAP * height(nxt.box) <= gap <= reach * height(nxt.box) + leading
                or opens_caption(nxt) and (nxt.starts_para or nxt.styled or _colon_label(nxt.text, titled=False))):
            break  # (a plain line running on from a full one is the caption's when it opens with a mention, "Figure
            # 4. Our default setting is highlighted"; "Table 4:" opens a caption wherever it stands)
        if not hanging and len(idx) > 1 and all(p.lines[k].bold for k in idx) and not nxt.bold and nxt.starts_para:
            break  # a caption set in bold throughout (ACM) ends where a paragraph in the body's weight opens
        if nxt.bold and nxt.starts_para and not head.bold and not label_alone and RUN_IN_HEAD_RE.match(nxt.text):
            break  # ...and one in the body's weight where a paragraph with a bold run-in head ("Remark 1.") opens
        if any(g.box[1] >= box[3] - 1 and g.box[3] <= nxt.box[1] + 1 and x_overlap(g.box, nxt.box) > 0
               and width(g.box) >= SEPARATOR_SHARE * width(box) for g in p.graphics):
            break  # a table's top rule separates the caption from the header row (a word's underline does not)
        if _header_row(p, j, box):
            break  # a table's header row under the caption, not the caption's next line
        # rows' distance, top to top or bottom to bottom, whichever a raised or lowered glyph did not stretch
        pitch = min(nxt.box[1] - last[1], nxt.box[3] - last[3])
        if pitches and pitch > max(pitches) + SPACING_JUMP * height(nxt.box):
            break  # a caption set tighter than a double-spaced body ends where the body's spacing resumes
        if row_top == nxt.box[1]:
            pitches.append(pitch)  # a row inline math pushed down says nothing of the caption's spacing
        idx.extend([*pending, j])
        box, last = union_all([box, nxt.box, *(p.lines[k].box for k in pending)]), nxt.box
        pending.clear()
        band = last
    return idx


def _rule_over(p: PageData, last: Box, piece: Box, caption: Box) -> bool:
    """A rule as wide as half the caption runs over the piece, below the middle of the caption's last row and
    reaching past its ends (a table's top rule over a short cell, "Method"; a word's underline stays under it)."""
    top, bottom = (last[1] + last[3]) / 2, (piece[1] + piece[3]) / 2
    return any(e.kind == "vector" and height(e.box) <= RULE_MAX_WIDTH and top < e.box[1] and e.box[3] < bottom
               and x_overlap(e.box, piece) > 0 and width(e.box) >= SEPARATOR_SHARE * width(caption)
               and (e.box[0] < last[0] - UNDERLINE_SLACK or e.box[2] > last[2] + UNDERLINE_SLACK) for e in p.graphics)


def _row_pieces(p: PageData, j: int) -> list[Line]:
    """Line ``j`` and the pieces of its row that follow it in its block, in whatever order PyMuPDF lists them
    ("10kg", "15kg", "5kg"), left to right."""
    pieces = [p.lines[j]]
    for nxt in p.lines[j + 1:]:
        if not (nxt.block == pieces[0].block and min(pieces[0].box[3], nxt.box[3]) - max(pieces[0].box[1], nxt.box[1])
                > 0.5 * height(nxt.box) and not any(x_overlap(o.box, nxt.box) > 0 for o in pieces)):
            break
        pieces.append(nxt)
    return sorted(pieces, key=lambda ln: ln.box[0])


def _set_apart(pieces: list[Line]) -> bool:
    """Every piece stands more than CELL_GAP_EMS of its type's size before the next: cells, not words."""
    return all(b.box[0] - a.box[2] > CELL_GAP_EMS * a.size for a, b in zip(pieces, pieces[1:], strict=False))


def _ruled_cells(p: PageData, j: int, last: Box) -> bool:
    """Line ``j`` opens a row of two or more pieces set apart, under one rule that runs over them all below the
    middle of the caption's last row: the header row of a table narrower than half its caption ("E", "N" under
    "Table 3: % emotional vs. neutral examples"), which would otherwise pass for the caption's inline math."""
    pieces = _row_pieces(p, j)
    if len(pieces) < 2 or not _set_apart(pieces):
        return False
    top, bottom = (last[1] + last[3]) / 2, (pieces[0].box[1] + pieces[0].box[3]) / 2
    return any(e.kind == "vector" and height(e.box) <= RULE_MAX_WIDTH and top < e.box[1] and e.box[3] < bottom
               and e.box[0] <= pieces[0].box[0] and e.box[2] >= pieces[-1].box[2] for e in p.graphics)


def _header_row(p: PageData, j: int, caption: Box) -> bool:
    """Line ``j`` opens a row of at least HEADER_MIN_CELLS short pieces set well apart ("Symbol  Description
    Units"): a table's cells, not a caption line that inline math breaks into pieces."""
    pieces = _row_pieces(p, j)
    gaps = [b.box[0] - a.box[2] for a, b in zip(pieces, pieces[1:], strict=False)]
    # a justified line PyMuPDF cut word by word spreads evenly from the caption's left edge to its right one
    justified = (max(gaps, default=0) - min(gaps, default=0) <= JUSTIFIED_SPREAD
                 and abs(pieces[0].box[0] - caption[0]) <= JUSTIFIED_SPREAD
                 and abs(pieces[-1].box[2] - caption[2]) <= JUSTIFIED_SPREAD)
    return (len(pieces) >= HEADER_MIN_CELLS and width(pieces[0].box) < HEADER_CELL_SHARE * width(caption)
            and _set_apart(pieces) and not justified)


def opens_caption(line: Line) -> bool:
    """A line that starts another caption, not one that carries on with a mention ("Table 1 for details")."""
    m = CAPTION_RE.match(line.text)
    return m is not None and (line.styled or m["delim"].strip() != "")


def caption_range(c: Caption, captions: list[Caption], lay: Layout) -> tuple[float, float]:
    """The horizontal range a caption's graphics may occupy: its column, or the full width if it spans."""
    if len(lay.columns) > 2:  # the columns it reaches into, or the one it stands in
        reached = [col for col in lay.columns
                   if c.box[0] < col[1] - GUTTER_CROSSING and c.box[2] > col[0] + GUTTER_CROSSING]
        xr = (reached[0][0], reached[-1][1]) if reached else column_of(center_x(c.box), lay)
    elif len(lay.columns) > 1:
        (l0, gl), (gr, r1) = lay.columns[0], lay.columns[-1]
        spans_gutter = c.box[0] < gl - GUTTER_CROSSING and c.box[2] > gr + GUTTER_CROSSING
        centre = center_x(c.box)
        xr = (l0, r1) if spans_gutter or gl < centre < gr else column_of(centre, lay)
    else:
        xr = lay.columns[0]
    # A caption set wider than the text column (into a side margin, as eLife does) has graphics as wide.
    xr = (min(xr[0], c.box[0]), max(xr[1], c.box[2]))
    # side-by-side captions split the range between them; so do two narrow ones near each other but not level (a
    # table captioned above beside a figure captioned below)
    inside = [o for o in captions if xr[0] <= center_x(o.box) <= xr[1]]
    narrow = STAGGERED_MAX_SHARE * (xr[1] - xr[0])
    near = STAGGERED_MAX_LINES * lay.line_h
    staggered = [o for o in inside if width(c.box) < narrow and width(o.box) < narrow
                 and max(o.box[1] - c.box[3], c.box[1] - o.box[3]) < near]
    lo, hi = row_bounds(c, inside, staggered)
    return max(xr[0], lo), min(xr[1], hi)


def row_bounds(c: Caption, captions: list[Caption], apart: Sequence[Caption] = ()) -> tuple[float, float]:
    """The middle of the white between a caption and the nearest of ``captions`` beside it on its row (or of
    ``apart``, at any height), on the left and on the right (infinite where there is none)."""
    lo, hi = -math.inf, math.inf
    for other in captions:
        if other is c or min(c.box[3], other.box[3]) <= max(c.box[1], other.box[1]) and not any(
                other is a for a in apart):
            continue
        if other.box[2] <= c.box[0]:
            lo = max(lo, (other.box[2] + c.box[0]) / 2)
        elif other.box[0] >= c.box[2]:
            hi = min(hi, (c.box[2] + other.box[0]) / 2)
    return lo, hi
