"""Layouts found at stop 36 where the peer pdf-figure-table-extractor cropped a caption number ours did not, on
unlabelled papers: a table's caption run on from its rows under its bottom rule; a caption's short last line right
over a table's top rule; two tables facing each other, one captioned above and one below; sub-tables with wide
sub-captions in small type over their table's caption; a map set far over its legend strip and caption; a
figure of prompts whose labels and slots are set in other fonts than its monospaced lines; a table's marked notes
over its caption below it, and a head note under its caption above it; a logo on a wide white canvas left
uncaptioned."""

from __future__ import annotations

import pymupdf
import pytest

from arxiv_digest.figures import layout, locate_figures, regions
from arxiv_digest.figures.geometry import Box
from arxiv_digest.models import FigureKind

from .test_unlabelled_37 import _body_data, _line
from .test_unlabelled_42 import RECT, _locate

ONE_COLUMN = ((108.0, 504.0),)
TWO_COLUMNS = ((70.0, 292.0), (305.0, 526.0))
PARAGRAPH = "The agents were asked the same questions on each day of the trial and their answers were kept"


def _rule(x0: float, x1: float, y: float) -> layout.Element:
    return layout.Element((x0, y, x1, y + 0.4), "vector")


def _table_over_caption(lines: list[layout.Line], graphics: list[layout.Element], name: str) -> Box:
    """The figure box of the table ``name`` on a two-column page whose tables are captioned under them."""
    found = _locate(lines, graphics, TWO_COLUMNS, prefer={FigureKind.TABLE: "up"})
    assert name in found
    box = found[name].figure_box
    assert box is not None
    return box


def _prose(x0: float, x1: float, top: float, rows: int, block: int) -> list[layout.Line]:
    """A paragraph of ``rows`` body lines from ``top`` down between ``x0`` and ``x1``, 13.5 points apart."""
    return [_line(PARAGRAPH[:44], (x0, top + 13.5 * i, x1, top + 13.5 * i + 11), block, starts=i == 0)
            for i in range(rows)]


def _grid(x0: float, x1: float, top: float, rows: int, pitch: float, block: int,
          cells: tuple[float, ...]) -> tuple[list[layout.Line], list[layout.Element]]:
    """A table ruled under every row, its cells at the ``cells`` offsets, all in one text block."""
    lines = [_line(f"c{r}{k}", (x0 + dx + 2, top + pitch * r + 1, x0 + dx + 30, top + pitch * r + 10), block, size=9,
                   starts=r == 0 and k == 0) for r in range(rows) for k, dx in enumerate(cells)]
    rules = [_rule(x0, x1, top + pitch * r) for r in range(rows + 1)]
    return lines, rules


def test_a_table_caption_run_on_from_its_rows_under_the_bottom_rule_is_found() -> None:
    """A ruled table over its caption, "Table 1. Anonymity properties", which PyMuPDF gives as the last line of the
    table's own text block, flush under the bottom rule and no paragraph's start: the rule parts them, so the line
    opens a caption and the table is found (it was not)."""
    lines, graphics = _grid(135, 454, 116, 5, 11.5, 1, (0, 90, 172, 248))
    lines.append(_line("Table 1. Anonymity properties of the network.", (220, 174.4, 395, 183.4), 1, size=9,
                       styled=True))
    lines += [_line(PARAGRAPH, (108, 210 + 12 * i, 504, 220 + 12 * i), 2, starts=i == 0) for i in range(40)]
    found = _locate(lines, graphics, ONE_COLUMN)
    assert "table 1" in found
    box = found["table 1"].figure_box
    assert box is not None and box[1] <= 117 and box[3] >= 173, box


def test_a_cell_heading_a_ruled_row_is_no_caption() -> None:
    """A table whose rows are headed "Figure 9" and "Figure 10" (the figures it counts), ruled between rows, over
    "TABLE V. Breakdown ...": the row headings stand under rules but are cells of their rows, so the table is
    found whole and no figure is."""
    graphics = [_rule(160, 450, y) for y in (322, 335, 348, 361)]
    lines = [_line("compute uncompute naked subcircuits", (210, 324, 448, 333), 1, size=9, starts=True)]
    for r, name in enumerate(("Figure 9", "Figure 10")):
        top = 337.5 + 12.8 * r
        lines.append(_line(name, (168, top, 205, top + 9), 1, size=9, styled=True))
        lines += [_line(cell, (x0, top, x0 + 24, top + 9), 1, size=9) for cell, x0 in
                  (("N-1", 227), ("N-1", 293), ("0.5", 361), ("0.5", 416))]
    lines.append(_line("TABLE V. Breakdown of the elements of the circuit; N is the number of orbitals.",
                       (108, 371, 504, 380), 2, size=9, starts=True))
    lines += [_line(PARAGRAPH, (108, 400 + 12 * i, 504, 410 + 12 * i), 3, starts=i == 0) for i in range(28)]
    found = _locate(lines, graphics, ONE_COLUMN)
    assert set(found) == {"table V"}
    box = found["table V"].figure_box
    assert box is not None and box[1] <= 323, box


def test_a_rule_over_a_short_cell_ends_the_caption_over_the_table() -> None:
    """"Table 10: Comparison with the state of the art ..." runs onto a short second line, "as VGG.", whose line
    box reaches down past the table's top rule; under the rule stands the header cell "Method", a point smaller:
    the caption ends at the rule, not run on cell by cell through the table (which left no table at all)."""
    lines = [_line("Table 10: Comparison with the state of the art in localisation. Our method is denoted",
                   (108, 88.1, 504, 102), 1, starts=True),
             _line("as VGG.", (108, 99.2, 152, 112.5), 1)]
    graphics = []
    for r, (name, a, b) in enumerate((("Method", "top-5 val. error", "top-5 test error"), ("VGG", "26.9", "25.3"),
                                      ("GoogLeNet", "-", "26.7"), ("OverFeat", "30.0", "29.9"))):
        top = 108.8 + 10.4 * r
        lines += [_line(name, (155, top, 155 + 5.5 * len(name), top + 12), 2, size=9, starts=r == 0),
                  _line(a, (338, top, 338 + 5 * len(a), top + 12), 2, size=9),
                  _line(b, (412, top, 412 + 5 * len(b), top + 12), 2, size=9)]
        graphics.append(_rule(153, 457, top + 2))
    graphics.append(_rule(153, 457, 152.4))
    lines += [_line(PARAGRAPH, (108, 180 + 13.3 * i, 504, 193 + 13.3 * i), 3, starts=i == 0) for i in range(38)]
    found = _locate(lines, graphics, ONE_COLUMN)
    assert "table 10" in found
    caption, box = found["table 10"].caption_box, found["table 10"].figure_box
    assert caption is not None and caption[3] <= 115, caption
    assert box is not None and box[3] >= 152, box


def test_two_tables_facing_each_other_are_parted_at_the_white_between_them() -> None:
    """An appendix page: "Table 1: Concepts" over a narrow ruled list, then, after a wide white row, a full-width
    ruled grid over "Table 2: Example responses", in a paper whose tables are captioned below: each caption takes
    its own table (Table 2 had taken both, and Table 1 was lost)."""
    lines = [_line("Table 1: Concepts used in the experiment", (215, 102.7, 380, 114.7), 1, starts=True)]
    graphics = [layout.Element((234, 123.5, 235, 548), "vector"), layout.Element((360, 123.5, 361, 548), "vector")]
    graphics += [_rule(234, 361, y) for y in (123.5, 139, 548)]
    lines += [_line("Concepts Categories", (238, 125, 353, 139), 2, size=10.9, styled=True, starts=True)]
    lines += [_line(f"item {k}", (300, 141 + 13.5 * k, 350, 152 + 13.5 * k), 2) for k in range(30)]
    grid, rules = _grid(75, 520, 568, 6, 15, 3, (0, 64, 130, 200, 280, 350, 410))
    lines += grid
    graphics += rules
    lines.append(_line("Table 2: Example responses to the judgement task by different models.",
                       (150, 664, 445, 676), 4, starts=True))
    found = _locate(lines, graphics, ONE_COLUMN, prefer={FigureKind.TABLE: "up"})
    assert {"table 1", "table 2"} <= set(found)
    first, second = found["table 1"].figure_box, found["table 2"].figure_box
    assert first is not None and first[1] <= 124 and 540 <= first[3] < 560, first
    assert second is not None and 560 < second[1] <= 568 and second[3] >= 657, second


def test_table_five_continued_under_table_five_is_one_table() -> None:
    """"Table 5. Transit times" over a long ruled table whose last row stands over "Table 5 continued" at the page's
    foot: one table under two captions of one number, not two tables parted at a white row among its rows."""
    lines = [_line("Table 5. Transit times, uncertainties, and references", (200, 363, 412, 373), 1, starts=True)]
    graphics = [_rule(200, 412, 378), _rule(200, 412, 394)]
    lines += [_line("Epoch Time Error Ref", (204, 383, 408, 392), 2, size=8, starts=True)]
    # a white row as tall as a line between two groups of rows (another planet's transits)
    lines += [_line(cell, (x0, y, x0 + 6 * len(cell), y + 8), 3 + k, size=8, starts=x0 == 211)
              for k in range(28) for y in [398 + 10 * k + (14 if k >= 14 else 0)]
              for cell, x0 in ((f"2454{k:03d}.7", 211), ("0.0004", 269), (f"-{k}", 308), ("Hoyer (2012)", 336))]
    lines.append(_line("Table 5 continued", (274, 707, 338, 716), 7, size=9, starts=True))
    pages = _body_data(RECT, TWO_COLUMNS, 72, 11, 60, PARAGRAPH[:45])
    page = layout.PageData(len(pages), RECT, lines, graphics)
    found = regions.locate_page(page, layout.page_layout(page, layout.document_layout([*pages, page])))
    tables = [f for f, _ in found if f.kind is FigureKind.TABLE]
    assert [f.number for f in tables] == ["5"], [f.figure_box for f in tables]
    box = tables[0].figure_box
    assert box is not None and box[1] <= 384 and box[3] >= 689, box


def test_wide_sub_captions_in_small_type_stay_in_their_table() -> None:
    """Two sub-tables, each over a sub-caption "(a) The specifications ..." set in small type across the page, over
    "Table 9: The full content ...", in a paper whose tables are captioned below: the sub-captions are no body
    text, so the table takes both sub-tables (it had found nothing, the sub-caption passing for a paragraph)."""
    lines: list[layout.Line] = []
    graphics: list[layout.Element] = []
    top, block = 77.0, 1
    for letter in "ab":
        grid, rules = _grid(74, 522, top, 14, 13, block, (0, 110, 240, 330))
        lines += grid
        graphics += rules
        bottom = top + 14 * 13
        lines += [_line(f"({letter}) The specifications of the standard cover qualitative and quantitative aspects of "
                        "meaning, organization and", (70.6, bottom + 6, 524.4, bottom + 16.8), block + 1, size=9,
                        starts=True),
                  _line("complexity at all levels.", (70.9, bottom + 16, 266.6, bottom + 26.8), block + 1, size=9)]
        top, block = bottom + 46, block + 2  # (b)'s sub-caption ends 18 points over the caption
    lines += [_line("Table 9: The full content of the two standards with corresponding linguistic flags for each",
                    (70.5, 531.8, 524.4, 543.8), 9, size=10.1, starts=True),
              _line("aspect.", (70.9, 543.7, 194.0, 555.7), 9)]
    lines += [_line(PARAGRAPH[:44], (x0, 580 + 12 * i, x1, 590 + 12 * i), 10 + c, size=11, starts=i == 0)
              for c, (x0, x1) in enumerate(TWO_COLUMNS) for i in range(15)]
    found = _locate(lines, graphics, TWO_COLUMNS, prefer={FigureKind.TABLE: "up"})
    assert "table 9" in found
    box = found["table 9"].figure_box
    assert box is not None and box[1] <= 78 and box[3] >= 500, box


def test_a_map_set_far_over_its_legend_strip_is_the_figure_captioned_under_them() -> None:
    """A map drawn across both columns, then, nearly four lines under it, its legend strip (two swatches and their
    labels) right over "Figure 1 A map of the source areas ...": the map is the figure's, not an uncaptioned figure
    beside a Figure 1 made of the legend alone."""
    graphics = [layout.Element((130 + 30 * k, 94 + 25 * (k % 3), 200 + 30 * k, 330 + 20 * (k % 3)), "vector")
                for k in range(9)] + [layout.Element((128, 360, 468, 388), "vector")]
    graphics += [layout.Element((x0, 424, x0 + 11, 434), "vector") for x0 in (129, 220)]
    lines = [_line("Past distribution", (144, 426, 205, 434), 1, size=8, starts=True),
             _line("Present distribution", (234, 426, 305, 434), 1, size=8)]
    lines += [_line("Figure 1 A map of the source areas for the samples analysed in this study. Numbers within",
                    (63, 440, 532, 448), 2, size=8, styled=True, starts=True),
              _line("circles correspond to the sample numbers of the list in the supplementary table.",
                    (63, 450, 480, 458), 2, size=8)]
    lines += [_line(PARAGRAPH[:44], (x0, 509 + 12 * i, x1, 519 + 12 * i), 3 + c, starts=i == 0)
              for c, (x0, x1) in enumerate(TWO_COLUMNS) for i in range(18)]
    pages = _body_data(RECT, TWO_COLUMNS, 72, 11, 60, PARAGRAPH[:45])
    page = layout.PageData(len(pages), RECT, lines, graphics)
    found = regions.locate_page(page, layout.page_layout(page, layout.document_layout([*pages, page])))
    assert [f.number for f, _ in found] == ["1"]
    box = found[0][0].figure_box
    assert box is not None and box[1] <= 95 and box[3] >= 433, box


def test_a_prompt_listing_keeps_its_labels_and_slots() -> None:
    """A figure of prompts: lines of monospaced text under a bold "Zero-shot:" label and "{word}" slots in a
    math font, each flush with the monospaced lines, over "Figure 8: Prompts used ...": the listing runs through
    its labels and slots to the column's head (it had stopped at the slot over its last two lines). A running
    head over the column is not taken."""
    rows = [("Zero-shot:", "Times-Bold"), ("{word}", "CMSY10"), ("Hyphenate the above word.", "CMTT10"),
            ("Ans :", "CMTT10"), ("n-shot:", "Times-Bold"), ("{example_0}", "CMSY10"),
            ("Hyphenate the above word.", "CMTT10"), ("Ans : {example_0_hyphenated}", "CMTT10"), ("...", "Times"),
            ("{example_n}", "CMSY10"), ("Hyphenate the above word.", "CMTT10"),
            ("Ans : {example_n_hyphenated}", "CMTT10"), ("{word}", "CMSY10"),
            ("Hyphenate the above word.", "CMTT10"), ("Ans :", "CMTT10")]
    lines = [_line("Proceedings of the Workshop", (200, 40, 330, 49), 0, size=8, starts=True)]
    lines += [_line(text, (71, 68 + 22 * k, 71 + 6 * len(text), 79 + 22 * k), 1 + k, font=font, starts=True)
              for k, (text, font) in enumerate(rows)]
    lines += [_line("Figure 8: Prompts used to evaluate in-context learning of compound", (71, 400, 289, 411), 20,
                    starts=True),
              _line("segmentation performance.", (71, 412, 200, 423), 20)]
    lines += [_line(PARAGRAPH[:44], (71, 440 + 12 * i, 289, 450 + 12 * i), 21, starts=i == 0) for i in range(25)]
    lines += [_line(PARAGRAPH[:44], (305, 70 + 12 * i, 526, 80 + 12 * i), 22, starts=i == 0) for i in range(55)]
    found = _locate(lines, [], TWO_COLUMNS)
    assert "figure 8" in found
    box = found["figure 8"].figure_box
    assert box is not None and 60 <= box[1] <= 69 and box[3] >= 388, box


def test_a_tables_marked_notes_over_its_caption_below_stay_with_it() -> None:
    """A ruled table in the right column, its three notes ("aTrue positive, bTrue negative,", ...) set one per
    block as wide as prose over "Table 4: Valid and invalid ..." in a paper whose tables are captioned below: the
    notes are the table's, so the table is found over them (they had passed for body text and walled it off)."""
    lines: list[layout.Line] = []
    graphics = [_rule(310, 524, 398), _rule(310, 524, 416), _rule(310, 524, 628)]
    for r in range(11):
        top = 401 + 19.5 * r if r == 0 else 420 + 17.5 * (r - 1)
        lines += [_line(cell, (x0, top, x0 + 18, top + 11), 10 + r, starts=x0 == 345)
                  for cell, x0 in (("Format", 345), ("190", 405), ("10", 435), ("0", 467), ("0", 497))]
    lines += [_line(note, (312, 631 + 17.6 * k, 312 + w, 644 + 17.6 * k), 30 + k, font="CMR8", starts=True)
              for k, (note, w) in enumerate((("aTrue positive, bTrue negative,", 134),
                                             ("cFalse positive, dFalse negative,", 139), ("eValidation dataset", 82)))]
    lines += [_line("Table 4: Valid and invalid question numbers of the eval-", (306, 697, 526, 707), 40,
                    starts=True),
              _line("uation system experiment.", (306, 709, 411, 719), 40)]
    lines += _prose(71, 289, 70, 50, 1)
    lines += _prose(306, 526, 70, 24, 2)
    box = _table_over_caption(lines, graphics, "table 4")
    assert box[1] <= 399 and box[3] >= 678, box


def test_a_head_note_in_small_type_under_a_table_caption_is_the_tables() -> None:
    """"Table 1. Differential characteristics ..." over a head note in a small type across the page ("Taxa: 1, ...;
    2, ..."), then the ruled table: the head note is the table's, not a paragraph walling the table off its caption
    (the table was lost)."""
    lines = [_line("Table 1. Differential characteristics between the strain and species of the genus",
                   (51, 266, 427, 279), 1, size=9, starts=True, styled=True)]
    lines += [_line(PARAGRAPH, (51, 285 + 12 * k, 553 if k < 2 else 181, 296 + 12 * k), 2, size=8.5, starts=k == 0)
              for k in range(3)]
    graphics = [_rule(51, 553, 327), _rule(51, 553, 345), _rule(51, 553, 560)]
    for r in range(16):
        top = 331 + 14 * r if r else 331
        lines += [_line(cell, (x0, top, x0 + 40, top + 9), 10 + r, size=8.5, starts=x0 == 55)
                  for cell, x0 in (("Motility", 55), ("Rods", 230), ("Rods", 330), ("+", 430), ("-", 510))]
    lines += [_line(PARAGRAPH[:44], (x0, 580 + 12 * i, x1, 590 + 12 * i), 40 + c, starts=i == 0)
              for c, (x0, x1) in enumerate(((51, 290), (313, 553))) for i in range(12)]
    found = _locate(lines, graphics, ((51.0, 290.0), (313.0, 553.0)))
    assert "table 1" in found
    box = found["table 1"].figure_box
    assert box is not None and box[3] >= 550, box


@pytest.mark.parametrize("plot", [False, True])
def test_an_uncaptioned_logo_on_a_white_canvas_is_no_figure(plot: bool) -> None:
    """A slide's logo: a picture drawn over a fifth of the page, white but for a small mark in its middle, with no
    caption: its ink is too small to be a figure, so nothing is cropped. A plot whose ink fills the same picture
    stays an uncaptioned figure."""
    inked = (lambda x, y: 20 <= x < 380 and 15 <= y < 285) if plot else (lambda x, y: 160 <= x < 240 and 120 <= y < 180)
    rows = [b"".join(b"\x20\x40\xa0" if inked(x, y) else b"\xff\xff\xff" for x in range(400)) for y in range(300)]
    pix = pymupdf.Pixmap(pymupdf.csRGB, 400, 300, b"".join(rows), False)
    doc = pymupdf.open()
    page = doc.new_page()
    for k in range(8):
        page.insert_text((60, 80 + 14 * k), "Integration of the library to parse the documents in the application.",
                         fontsize=11)
    page.insert_image(pymupdf.Rect(180, 260, 560, 545), stream=pix.tobytes("png"))
    found = locate_figures(pymupdf.open(stream=doc.tobytes(), filetype="pdf"))
    assert [f.number for f in found] == ([None] if plot else [])
