"""Layouts found on the real set's dev half in batch 30 (Tufte's margin figures, Science's three columns and
side legends, Springer's side-captioned tables): each case drawn here in miniature."""

from __future__ import annotations

from typing import Any

import pymupdf

from arxiv_digest.figures import locate_figures

from .common import BODY, iou
from .common import plot as _plot


def _column(page: pymupdf.Page, x: float, top: float, lines: int, *, words: int = 6, size: float = 9,
            step: float = 11, width: float | None = None) -> float:
    """Lines of body text in a narrow column from ``top`` down (``words`` a line, or as many as fill ``width``
    points); returns where the next line would go."""
    pool = BODY.split() * 3
    for i in range(lines):
        n = words
        if width is not None:
            n = 1
            while pymupdf.get_text_length(" ".join(pool[i % 7:i % 7 + n + 1]), "tiro", size) <= width:
                n += 1
        page.insert_text((x, top + step * i), " ".join(pool[i % 7:i % 7 + n]), fontsize=size, fontname="tiro")
    return top + step * lines


def test_a_figure_in_the_margin_with_its_caption_under_it() -> None:
    """A Tufte handout: body text in a column on the left, a wide right margin holding a small figure with its
    caption under it, and framed theorem boxes in the body beside it. The margin figure is found, not the
    frames."""
    doc, page = _body_pages((50,), pages=3, lines=55, words=11, size=10, step=12)
    y = _column(page, 50, 80, 10, words=11, size=10, step=12)
    for k in range(2):  # two framed theorem boxes in the body column
        frame = pymupdf.Rect(50, y + 10, 345, y + 90)
        page.draw_rect(frame, color=(0, 0, 0), width=0.6)
        _column(page, 58, frame.y0 + 16, 5, words=10, size=10, step=12)
        y = frame.y1 + 10
    plot = pymupdf.Rect(385, 200, 545, 320)
    _plot(page, plot)
    page.insert_text((380, plot.y1 + 22), "Figure 2. Gain against miscalibration.", fontsize=8, fontname="tibo")
    _column(page, 50, y + 14, 20, words=11, size=10, step=12)

    found = [f for f in locate_figures(doc) if f.number == "2"]
    assert len(found) == 1 and found[0].figure_box is not None
    assert iou(found[0].figure_box, tuple(plot)) > 0.9


def test_a_side_legend_in_one_of_three_columns() -> None:
    """A Science page: body text in three columns, then a figure across the right two with its legend down the
    left one, the legend's last line running on under the figure. The figure is the graphic beside the legend,
    not the body text above it."""
    doc, page = _body_pages((40, 215, 390))
    for x in (40, 215, 390):
        _column(page, x, 80, 24)
    plot = pymupdf.Rect(200, 370, 536, 590)
    _plot(page, plot)
    page.insert_text((40, 372), "Fig. 2.", fontsize=8, fontname="tibo")
    page.insert_text((68, 372), "(A) Gain of each array after the", fontsize=8, fontname="tiro")
    for k in range(1, 23):
        page.insert_text((40, 372 + 10 * k), " ".join(BODY.split()[k % 7:k % 7 + 7]), fontsize=8, fontname="tiro")
    page.insert_text((40, 602), "for the arrays of the other panels, as in (A); the gain is averaged over 100 runs "
                     "of the calibration, each drawn anew, and over the three arrays of the study.", fontsize=8,
                     fontname="tiro")
    for x in (40, 215, 390):
        _column(page, x, 625, 12)

    found = [f for f in locate_figures(doc) if f.number == "2"]
    assert len(found) == 1 and found[0].figure_box is not None
    assert iou(found[0].figure_box, tuple(plot)) > 0.9
    assert found[0].bbox[3] >= 600 and found[0].bbox[0] <= 41


def test_a_table_beside_its_short_caption_across_the_page() -> None:
    """A Springer two-column page: a table across the text width with a two-line caption at its top left, the
    table's header row level with the caption's first line. The table runs to the right edge."""
    doc, page = _body_pages((50, 305), words=8)
    page.insert_text((50, 80), "Table 5 Simulation study", fontsize=8, fontname="tibo")
    page.insert_text((50, 90), "for nine arrays", fontsize=8, fontname="tiro")
    xs = (150, 205, 260, 315, 370, 445)
    for k in range(8):
        for j, x in enumerate(xs):
            page.insert_text((x, 80 + 14 * k), "Size" if k == 0 and j == 0 else f"0.{(k * 7 + j * 3) % 10}{k}",
                             fontsize=8, fontname="tiro")
    page.draw_line((148, 84), (490, 84), color=(0, 0, 0), width=0.4)
    page.draw_line((148, 186), (490, 186), color=(0, 0, 0), width=0.4)
    for x in (50, 305):
        _column(page, x, 220, 40, words=8)

    found = [f for f in locate_figures(doc) if f.number == "5"]
    assert len(found) == 1 and found[0].figure_box is not None
    assert found[0].figure_box[2] >= 488 and found[0].figure_box[0] >= 140


def test_a_legend_filling_the_column_beside_its_figure() -> None:
    """A Nature journal page: a figure at the top of the left column, its legend (as wide as a column) at the top
    of the right one, body text under both. The legend has nothing over or under it, so its figure is the one
    beside it."""
    doc, page = _body_pages((43, 303), words=9)
    plot = pymupdf.Rect(60, 66, 270, 220)
    _plot(page, plot)
    page.insert_text((303, 72), "Figure 1", fontsize=8, fontname="hebo")
    for k in range(10):
        page.insert_text((340 if k == 0 else 303, 72 + 10 * k), " ".join(BODY.split()[k % 6:k % 6 + 9]), fontsize=8,
                         fontname="helv")
    _column(page, 43, 250, 40, words=9)
    _column(page, 303, 200, 45, words=9)

    found = [f for f in locate_figures(doc) if f.number == "1"]
    assert len(found) == 1 and found[0].figure_box is not None
    assert iou(found[0].figure_box, tuple(plot)) > 0.9


def test_a_rule_across_both_columns_is_not_a_column_figures() -> None:
    """A magazine page: a figure captioned above in the left column, and right under its graphic the thick rule
    that opens a figure across both columns. The column figure stops at its own graphic."""
    doc, page = _body_pages((36, 296), width=252)
    page.draw_line((36, 130), (288, 130), color=(0, 0, 0), width=3)
    page.insert_text((36, 144), "Figure 3. A sample trace of the arrays.", fontsize=8, fontname="hebo")
    plot = pymupdf.Rect(40, 156, 285, 370)
    _plot(page, plot)
    page.draw_line((36, 384), (533, 384), color=(0, 0, 0), width=3)
    page.insert_text((36, 398), "Figure 4. Gain of every array.", fontsize=8, fontname="hebo")
    wide = pymupdf.Rect(40, 410, 530, 600)
    _plot(page, wide)
    _column(page, 296, 80, 25, width=252)
    _column(page, 36, 620, 10, width=252)
    _column(page, 296, 620, 10, width=252)

    found = {f.number: f for f in locate_figures(doc) if f.page == 2}
    assert found["3"].figure_box is not None and found["3"].figure_box[2] < 295
    assert iou(found["3"].figure_box, tuple(plot)) > 0.9


def _photo(page: pymupdf.Page, rect: pymupdf.Rect) -> None:
    """A photo with a wide white margin around its dark middle, as a plotting tool exports one."""
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 160, 120), False)
    pix.set_rect(pix.irect, (255, 255, 255))
    pix.set_rect(pymupdf.IRect(30, 30, 130, 90), (20, 20, 20))
    page.insert_image(rect, pixmap=pix)


def test_photos_whose_white_margin_reaches_under_their_caption() -> None:
    """Two rows of photos, each row with its sub-captions set on the white margin of the photos, the lower
    row's margin reaching under the caption's first line: the figure is both rows, not the caption's lines
    alone."""
    doc, page = _two_column_doc()
    rows = []
    for y0 in (78.0, 172.0):
        for x0 in (51.0, 204.0, 356.0):
            rect = pymupdf.Rect(x0, y0, x0 + 188, y0 + 141)
            _photo(page, rect)
            rows.append(rect)
        for x0 in (100.0, 255.0, 375.0):
            page.insert_text((x0, y0 + 120), f"({'abcdef'[len(rows) // 3 - 1]}) No fusion", fontsize=9,
                             fontname="tiro")
    page.insert_text((50, 312), "Figure 8: Qualitative results for every array and each fusion.", fontsize=10,
                     fontname="tiro")
    for x in (50, 305):
        _column(page, x, 340, 35, words=8)

    found = [f for f in locate_figures(doc) if f.number == "8"]
    assert len(found) == 1 and found[0].figure_box is not None
    assert found[0].figure_box[1] <= 100 and found[0].figure_box[3] <= 306


def _two_column_doc() -> tuple[pymupdf.Document, pymupdf.Page]:
    """Two pages of two-column body text, and a third page to draw on."""
    return _body_pages((50, 305), words=8)


def _body_pages(xs: tuple[float, ...], *, pages: int = 2, lines: int = 60,
                **column: Any) -> tuple[pymupdf.Document, pymupdf.Page]:
    """``pages`` pages of body text in columns starting at ``xs`` (which set the document's layout), and a page
    after them to draw on."""
    doc = pymupdf.open()
    for _ in range(pages):
        page = doc.new_page()
        for x in xs:
            _column(page, x, 80, lines, **column)
    return doc, doc.new_page()


def test_a_table_of_sentences_between_rules_captioned_as_a_figure() -> None:
    """An appendix page holding only a table of example sentences between full-width rules, captioned "Figure 7"
    under its last rule: its cells read like body text, but the ruled block is the figure."""
    doc, page = _body_pages((72, 306), pages=8, width=216)
    rules = [160.0, 173.0]
    y = 185.0
    for k in range(5):
        page.insert_text((75, y), f"Set {k}", fontsize=9, fontname="tiro")
        for j in range(3):
            page.insert_text((140, y + 11 * j), " ".join(BODY.split()[j:j + 4]), fontsize=9, fontname="tiro")
            _column(page, 306, y + 11 * j, 1, width=214)
        y += 11 * 3 + 8
        rules.append(y - 10)
    for r in rules:
        page.draw_line((74, r), (522, r), color=(0, 0, 0), width=0.5)
    page.insert_text((180, rules[-1] + 18), "Figure 7: Source and examples for each array in the study.",
                     fontsize=10, fontname="tiro")

    found = [f for f in locate_figures(doc) if f.number == "7"]
    assert len(found) == 1 and found[0].figure_box is not None
    assert iou(found[0].figure_box, (74, 160, 522, rules[-1])) > 0.9


def test_a_row_of_sub_captions_set_as_one_line() -> None:
    """Four photos in a grid over their caption, the lower row's two sub-captions set as one line as wide as the
    column: that line is the figure's, not body text that would cut the photos off from the caption."""
    doc, page = _two_column_doc()
    photos = [pymupdf.Rect(x0, y0, x0 + 95, y0 + 57) for y0 in (234.0, 301.0) for x0 in (338.0, 437.0)]
    for rect in photos:
        _photo(page, rect)
    page.insert_text((352, 298), "(a) Reference image", fontsize=8, fontname="tiro")
    page.insert_text((460, 298), "(b) Event stream", fontsize=8, fontname="tiro")
    page.insert_text((338, 366), "(c) Correlation motion feature   (d) Difference motion feature", fontsize=8,
                     fontname="tiro")
    page.insert_text((317, 388), "Figure 1. Difference between correlation and difference motion features.",
                     fontsize=8, fontname="tiro")
    _column(page, 50, 80, 60, words=8)
    _column(page, 305, 420, 30, words=8)

    found = [f for f in locate_figures(doc) if f.number == "1"]
    assert len(found) == 1 and found[0].figure_box is not None
    assert found[0].figure_box[1] <= 236 and found[0].figure_box[3] >= 358


def test_an_algorithm_with_numbered_lines_captioned_as_a_figure() -> None:
    """Pseudocode at the head of a column (its inputs, then 20 lines numbered "1:" to "20:" in the body's type)
    over a "Figure 1." caption: longer than a text figure may run, but numbered lines make it an algorithm."""
    doc, page = _body_pages((50, 309), pages=3, width=230, size=10, step=12)
    _column(page, 50, 80, 55, width=230, size=10, step=12)
    y = 80.0
    for what in ("Input:", "Input:", "Output:"):
        page.insert_text((309, y), f"{what} the array and its weights", fontsize=10, fontname="tibo")
        y += 12
    for k in range(1, 21):
        indent = 346 if 8 < k < 12 else 336 if 5 < k < 16 else 322
        page.insert_text((311, y), f"{k}:", fontsize=8 if 5 < k < 16 else 10, fontname="tiro")
        page.insert_text((indent, y), " ".join(BODY.split()[k % 5:k % 5 + 4]), fontsize=10, fontname="tiro")
        y += 12
    page.insert_text((321, y + 14), "Figure 1. High-level pseudocode for the search.", fontsize=10, fontname="hebo")
    _column(page, 309, y + 50, 30, width=230, size=10, step=12)

    found = [f for f in locate_figures(doc) if f.number == "1"]
    assert len(found) == 1 and found[0].figure_box is not None
    assert found[0].figure_box[1] <= 75 and found[0].figure_box[3] >= y - 14


def test_centred_sub_captions_under_stacked_charts() -> None:
    """Two charts stacked in a column, each with its sub-caption centred under it, nearly as wide as the column:
    the sub-captions are the figure's, not body text between the charts and their caption."""
    doc, page = _body_pages((70, 306), pages=6, lines=52, width=220, size=11, step=13)
    charts = [pymupdf.Rect(306, 71, 524, 222), pymupdf.Rect(306, 233, 524, 385)]
    for rect in charts:
        _plot(page, rect)
    for y, text in ((230, "(a) Context gain of every array in the study."),
                    (391, "(b) Gain of every array against its miscalibration.")):
        w = pymupdf.get_text_length(text, "tiro", 9)
        page.insert_text((415 - w / 2, y), text, fontsize=9, fontname="tiro")
    page.insert_text((306, 412), "Figure 2: Gain of every array for each level of miscalibration.", fontsize=9,
                     fontname="tiro")
    _column(page, 70, 80, 52, width=220, size=11, step=13)
    _column(page, 306, 440, 25, width=220, size=11, step=13)

    found = [f for f in locate_figures(doc) if f.number == "2"]
    assert len(found) == 1 and found[0].figure_box is not None
    assert found[0].figure_box[1] <= 73 and found[0].figure_box[3] >= 385
