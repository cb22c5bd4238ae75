"""Layouts found by flagging crops with drawn ink left outside them in unlabelled papers (stop 24): a tree whose
leaf names cross the gutter, a table beside a figure's caption, a diagram's sentence between arrows, a fraction
in a caption's last row, labels in tight boxes, a table's rows of numbers; each drawn here in miniature."""

from __future__ import annotations

import pymupdf

from arxiv_digest.figures import layout, locate_figures
from arxiv_digest.figures.captions import caption_lines

from .common import iou
from .common import plot as _plot
from .common import second_page as _second_page
from .test_batches_24_25 import _png
from .test_batches_30 import _body_pages, _column


def _found(doc: pymupdf.Document, page: int) -> list:
    return [f for f in locate_figures(pymupdf.open(stream=doc.tobytes(), filetype="pdf")) if f.page == page]


def test_a_tree_whose_leaf_names_cross_the_gutter() -> None:
    """A full-width tree in a two-column paper: its leaf names, in a small type, start in the left column or in
    the gutter and run on into the right one, the last leaf starting right at the right column's edge. None of
    them is body text, so the tree over the framed caption is the figure."""
    doc, page = _body_pages((50, 306), width=240)
    _column(page, 50, 80, 6, width=240)
    for k in range(20):
        y = 160 + 11 * k
        page.draw_line((120 + 6 * (k % 5), y), (260 + (k % 3) * 8, y), color=(0, 0, 0), width=0.6)
        x = 304 if k == 19 else 292 if k % 4 == 1 else 260 + (k % 3) * 8
        page.insert_text((x + 2, y + 3), f"Bacillus amyloliquefaciens strain {k:02d} DSM (AB{4000 + 37 * k})",
                         fontsize=8, fontname="tiro")
    page.draw_line((120, 160), (120, 369), color=(0, 0, 0), width=0.6)
    page.draw_line((50, 385), (545, 385), color=(0, 0, 0), width=0.5)
    page.insert_text((60, 397), "Fig. 1. Neighbour-joining tree of the strains and their closest relatives.",
                     fontsize=8.5, fontname="tibo")
    page.draw_line((50, 405), (545, 405), color=(0, 0, 0), width=0.5)
    _column(page, 50, 430, 20, width=240)
    _column(page, 306, 430, 20, width=240)
    (fig,) = _found(doc, 2)
    assert fig.number == "1" and fig.figure_box is not None and fig.figure_box[1] < 165


def test_a_figure_caption_beside_a_table_captioned_over_its_rows() -> None:
    """A picture and its caption in the left column; in the right one a table captioned over its shaded rows,
    which run on level with that caption and below it. The rows are the table's: the figure is the picture over
    its caption, and the table reaches its last row."""
    doc, page = _body_pages((50, 306), width=240)
    picture = pymupdf.Rect(70, 80, 270, 180)
    page.insert_image(picture, stream=_png(200, 100))
    page.insert_text((50, 200), "Fig. 3: Mapping between the website's headings and the", fontsize=9, fontname="tiro")
    page.insert_text((50, 211), "aspects of a vulnerability.", fontsize=9, fontname="tiro")
    page.insert_text((320, 80), "TABLE II: Aspects of a vulnerability", fontsize=9, fontname="tiro")
    for k in range(14):
        y = 88 + 12 * k
        page.draw_rect(pymupdf.Rect(320, y, 540, y + 11), color=None, fill=(0.9, 0.9, 0.9) if k % 2 else (0.8,) * 3)
        page.insert_text((324, y + 8.5), f"Category {k}", fontsize=8, fontname="tiro")
        page.insert_text((450, y + 8.5), f"Aspect {k}", fontsize=8, fontname="tiro")
    _column(page, 50, 250, 30, width=240)
    _column(page, 306, 280, 28, width=240)
    found = {f.number: f for f in _found(doc, 2)}
    fig, table = found["3"], found["II"]
    assert fig.figure_box is not None and iou(fig.figure_box, tuple(picture)) > 0.8
    assert table.figure_box is not None and table.figure_box[3] > 250


def test_a_sentence_between_the_arrows_of_a_diagram() -> None:
    """A flow diagram: screenshots, then under them a line of the body's size and as wide as body text, set
    between two arrows, another label and the caption. The line is the diagram's, so the screenshots are in the
    figure."""
    doc, page = _body_pages((50, 306), width=240)
    shots = pymupdf.Rect(70, 80, 270, 160)
    page.insert_image(shots, stream=_png(200, 80))
    page.insert_text((110, 171), "<code, fix, location>", fontsize=9, fontname="tiro")
    page.draw_line((170, 175), (170, 192), color=(0, 0, 0), width=1)
    page.insert_text((60, 204), "<buggy code, fix code, location, bug type of the fix>", fontsize=9, fontname="tiro")
    page.draw_line((170, 208), (170, 221), color=(0, 0, 0), width=1)
    page.insert_text((110, 232), "<code, fix, tests>", fontsize=9, fontname="tiro")
    page.insert_text((50, 255), "Fig. 2: Running example of the collecting component.", fontsize=9, fontname="tiro")
    _column(page, 50, 280, 30, width=240)
    _column(page, 306, 80, 50, width=240)
    (fig,) = _found(doc, 2)
    assert fig.number == "2" and fig.figure_box is not None and fig.figure_box[1] < 85


def test_a_caption_whose_last_row_opens_with_a_fraction() -> None:
    """A caption's last row opening with a built-up fraction (1/d), whose small numerator PyMuPDF lists as a line
    of its own before the row and a little under the row above: the numerator and the row are the caption's."""

    def line(text: str, box: tuple[float, float, float, float], size: float, block: int) -> layout.Line:
        return layout.Line(box, text, size, block, True, False, False, block != 1, "Times")

    lines = [line("Table 1: Models used for the comparison. We use the block means, with a", (72, 193, 339, 205),
                  9, 0),
             line("step chosen from the grid, and the largest and smallest values over the order",
                  (72, 205, 345, 217), 9, 0),
             line("1", (76, 220, 80, 226), 6, 1),
             line("d of the entries, respectively.", (72, 221, 176, 233), 9, 1),
             line("Figure 5 compares the estimation error under full observation of the tensor", (72, 252, 380, 265),
                  10, 2)]
    page = layout.PageData(0, (0, 0, 612, 792), lines, [])
    assert caption_lines(page, 0, 2.0) == [0, 1, 2, 3]


def test_a_diagram_of_boxes_whose_labels_stand_out_of_their_frames() -> None:
    """A lattice of framed boxes, each titled in a type larger than the body's; the title's line box stands
    1.5 pt out of its tight frame. A title in a frame is the diagram's, not a heading ending the figure."""
    doc, page = _second_page()
    for row in range(4):
        x, y = 200, 90 + 110 * row
        page.insert_text((x + 10, y + 14.5), "first order", fontsize=13.4, fontname="tibo")
        page.draw_rect(pymupdf.Rect(x, y + 2, x + 150, y + 18.5), color=(0, 0, 0), width=0.8)
        page.draw_rect(pymupdf.Rect(x, y + 18.5, x + 150, y + 40), color=(0, 0, 0), width=0.8)
        if row:  # the arrow from the box above ends on this box's frame
            page.draw_line((x + 75, y - 70), (x + 75, y + 2), color=(0, 0, 0), width=1)
    page.insert_text((200, 480), "Figure 2: Classification of type systems.", fontsize=10, fontname="tiro")
    (fig,) = _found(doc, 1)
    assert fig.number == "2" and fig.figure_box is not None and fig.figure_box[1] < 95


def test_a_table_whose_rows_of_numbers_read_as_one_line() -> None:
    """A full-width results table captioned above in a two-column paper, each row's numbers in the right column
    one wide text line (PyMuPDF runs close cells together), alone in that column's row: lines without words are
    no body text, so the table runs to its last row."""
    doc, page = _body_pages((50, 306), width=240)
    page.insert_text((50, 80), "Table 4: Results of out-of-distribution detection on both benchmarks, the best of each "
                     "column in bold and the second best underlined.", fontsize=9, fontname="tiro")
    for j, head in enumerate(("Method", "AUROC", "FPR", "AUROC", "FPR", "AUROC", "FPR")):
        page.insert_text((54 + 75 * j, 100), head, fontsize=9, fontname="tiro")
    for k in range(16):
        y = 116 + 13 * k
        page.insert_text((54, y), f"Method {k}", fontsize=9, fontname="tiro")
        page.insert_text((130, y), f"{(37 * k) % 100:.2f}  {(11 * k) % 100:.2f}", fontsize=9, fontname="tiro")
        row = " ".join(f"{(37 * k + 11 * j) % 100 + 0.25 * j:.2f}" for j in range(8))
        page.insert_text((312, y), row, fontsize=9, fontname="tiro")
    page.draw_line((50, 330), (545, 330), color=(0, 0, 0), width=0.8)
    _column(page, 50, 360, 30, width=240)
    _column(page, 306, 360, 30, width=240)
    (table,) = _found(doc, 2)
    assert table.number == "4" and table.figure_box is not None and table.figure_box[3] > 320


def test_a_word_highlighted_in_the_other_column_is_no_panel() -> None:
    """A figure in the right column over its caption; level with the caption, the left column's text (an
    abstract) has a word highlighted in a tinted box. That box is no panel of a full-width figure: the caption
    keeps to its column and its figure is the picture over it."""
    doc, page = _body_pages((50, 306), width=240)
    _column(page, 50, 80, 55, width=240, size=8)  # an abstract, set smaller than the body
    picture = pymupdf.Rect(320, 300, 530, 400)
    page.insert_image(picture, stream=_png(210, 100))
    page.insert_text((306, 420), "Figure 1: The dimensions of the categories we define.", fontsize=9,
                     fontname="tiro")
    page.draw_rect(pymupdf.Rect(120, 393, 150, 403), color=None, fill=(1, 0.85, 0.5))
    _column(page, 306, 450, 25, width=240)
    (fig,) = _found(doc, 2)
    assert fig.number == "1" and fig.figure_box is not None and iou(fig.figure_box, tuple(picture)) > 0.8


def test_a_justified_sub_caption_between_two_panels() -> None:
    """Two stacked plots, each with a sub-caption; the second's runs over four justified lines, as wide as the
    body's. A sub-caption is the figure's however it is set: both plots are in the figure."""
    doc = pymupdf.open()
    text = " ".join(["Adaptive beamformers lose most of their gain when the array is miscalibrated."] * 60)
    for _ in range(2):
        doc.new_page().insert_textbox(pymupdf.Rect(72, 72, 540, 720), text, fontsize=10, fontname="tiro",
                                      align=pymupdf.TEXT_ALIGN_JUSTIFY)
    page = doc.new_page()
    _plot(page, pymupdf.Rect(150, 80, 450, 220))
    page.insert_text((150, 236), "(a) Scores of the baselines.", fontsize=10, fontname="tiro")
    _plot(page, pymupdf.Rect(150, 250, 450, 390))
    page.insert_textbox(pymupdf.Rect(72, 396, 540, 450), "(b) The correlations between the accuracy-based metrics "
                        "and the preference-based metrics of the evaluation, for every baseline that we ran on "
                        "the test set; a positive correlation means that both kinds of metric agree on which "
                        "baseline is the better one.", fontsize=10, fontname="tiro", align=pymupdf.TEXT_ALIGN_JUSTIFY)
    page.insert_text((72, 470), "Figure 4: Analysis of the evaluations of the baselines.", fontsize=10,
                     fontname="tiro")
    page.insert_textbox(pymupdf.Rect(72, 500, 540, 720), text, fontsize=10, fontname="tiro",
                        align=pymupdf.TEXT_ALIGN_JUSTIFY)
    (fig,) = _found(doc, 2)
    assert fig.number == "4" and fig.figure_box is not None and fig.figure_box[1] < 85


def test_a_table_captioned_under_its_rows_right_under_another_table() -> None:
    """Two tables captioned under their ruled rows, one right under the other, then body text. The second
    table's rows are between the two captions, shared with the first caption's side below: they are the
    second table's, not the body text under its caption."""
    doc, page = _second_page()
    for top, number in ((80, 1), (190, 2)):
        page.draw_line((72, top), (520, top), color=(0, 0, 0), width=0.8)
        for k in range(4):
            for j, x in enumerate((80, 200, 320, 440)):
                page.insert_text((x, top + 16 + 14 * k), f"{k * 4 + j + number:.2f}", fontsize=9, fontname="tiro")
        page.draw_line((72, top + 72), (520, top + 72), color=(0, 0, 0), width=0.8)
        page.insert_text((200, top + 86), f"Table {number}: Results of the run {number}.", fontsize=9,
                         fontname="tiro")
    for k in range(2):  # two short lines of text under the second caption, neither as wide as body text
        page.insert_text((72, 300 + 12 * k), "The second kind is the state of the art.", fontsize=10, fontname="tiro")
    found = {f.number: f for f in _found(doc, 1)}
    assert found["2"].figure_box is not None and found["2"].figure_box[1] < 195
