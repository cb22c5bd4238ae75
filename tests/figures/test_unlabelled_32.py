"""Layouts found by scanning unlabelled papers for figure numbers the extractor missed (stop 22): each case drawn
here in miniature."""

from __future__ import annotations

import pymupdf

from arxiv_digest.figures import LocatedFigure, layout, locate_figures
from arxiv_digest.figures.regions import locate_page
from arxiv_digest.models import FigureKind

from .common import iou
from .common import plot as _plot
from .test_batches_30 import _body_pages, _column


def _cells(page: pymupdf.Page, xs: tuple[float, ...], top: float, rows: int, *, size: float = 9,
           step: float = 11, first: str = "Model {k}") -> None:
    """Rows of a table: a label at the first x, then a number under each other x."""
    for k in range(rows):
        page.insert_text((xs[0], top + step * k), first.format(k=k), fontsize=size, fontname="tiro")
        for j, x in enumerate(xs[1:]):
            page.insert_text((x, top + step * k), f"{80 + (k * 7 + j * 3) % 19}.{(k + j) % 10}%", fontsize=size,
                             fontname="tiro")


def _chart_and_columns(doc: pymupdf.Document, page: pymupdf.Page, top: float, caption: str,
                       size: float = 10) -> tuple[dict[tuple[str, str | None], LocatedFigure], pymupdf.Rect]:
    """A chart across the page from ``top``, its caption under it, body text in both columns below; returns the
    floats found on the page by (kind, number), and the chart's box."""
    chart = pymupdf.Rect(70, top, 520, 300)
    _plot(page, chart)
    page.insert_text((150, 318), caption, fontsize=size, fontname="tiro")
    for x in (50, 305):
        _column(page, x, 345, 35, words=8)
    return {(f.kind.value, f.number): f for f in locate_figures(doc) if f.page == 2}, chart


def test_a_full_width_table_whose_cells_stand_in_the_gutter() -> None:
    """A two-column paper: a table across both columns captioned under it, whose long row labels fill most of the
    left column and whose first numbers stand in the gutter; under its caption a chart with its own caption.
    The table is the rows over its caption, and the chart is the figure's."""
    doc, page = _body_pages((50, 305), words=8)
    page.draw_line((55, 70), (540, 70), color=(0, 0, 0), width=0.5)
    _cells(page, (60, 292, 380, 460), 84, 5, first="Llama {k} Instruct / Qwen {k} base model pair")
    page.draw_line((55, 136), (540, 136), color=(0, 0, 0), width=0.5)
    page.insert_text((150, 152), "Table 2: Accuracy of every pair of judges.", fontsize=10, fontname="tiro")
    found, chart = _chart_and_columns(doc, page, 165, "Figure 5: Win rates of every judge.")
    table, figure = found[("table", "2")], found[("figure", "5")]
    assert table.figure_box is not None and table.figure_box[3] < 140
    assert figure.figure_box is not None and iou(figure.figure_box, tuple(chart)) > 0.9


def test_a_caption_set_in_the_text_block_of_its_tables_last_row() -> None:
    """A table captioned under it, its caption in the same text block as its last row of cells (PyMuPDF ran
    them together), and a figure with its caption under that: both floats are found, each with its own
    graphic."""
    doc, page = _body_pages((50, 305), words=8)
    xs = (60, 160, 250, 340, 430)
    block = []
    for k in range(4):
        for j, x in enumerate(xs):
            block.append(((x, 84 + 11 * k), f"{'Method' if j == 0 else ''}{10 + k * 3 + j}.{k}"))
    block.append(((90, 84 + 11 * 4 + 2), "Table 3. Comparison of the methods on the open benchmark."))
    for point, text in block:  # one text object: one block for PyMuPDF
        page.insert_text(point, text, fontsize=9, fontname="tiro")
    page.draw_line((55, 72), (540, 72), color=(0, 0, 0), width=0.5)
    page.draw_line((55, 124), (540, 124), color=(0, 0, 0), width=0.5)
    found, chart = _chart_and_columns(doc, page, 160, "Figure 4. Weights of the two losses.", size=9)
    assert found[("table", "3")].figure_box is not None and found[("table", "3")].figure_box[3] < 130
    assert iou(found[("figure", "4")].figure_box or (0, 0, 0, 0), tuple(chart)) > 0.9


def test_a_paragraph_opening_with_a_table_label_leaves_the_figure_its_chart() -> None:
    """A paragraph at the top of the right column opens with "Table 7. When ...", the table's own caption (set
    small) standing in the left column; under the paragraph a chart captioned "Figure 4" under it. The
    paragraph is read as text and the chart is Figure 4's."""
    doc, page = _body_pages((50, 305), words=8, size=10, step=12)
    _cells(page, (60, 150, 200, 250), 84, 4, first="Row {k}")
    page.insert_text((50, 140), "Table 7. The scores at each threshold.", fontsize=8, fontname="tiro")
    _column(page, 50, 170, 45, words=8, size=10, step=12)
    page.insert_text((305, 84), "Table 7. When the threshold is small, the scores", fontsize=10, fontname="tiro")
    _column(page, 305, 96, 6, size=10, step=12, width=220)
    chart = pymupdf.Rect(315, 175, 530, 300)
    _plot(page, chart)
    for y in range(185, 300, 15):  # the chart's grid lines, which could pass for a table's rules
        page.draw_line((320, y), (525, y), color=(0.6, 0.6, 0.6), width=0.3)
    page.insert_text((330, 318), "Figure 4. Weights of the two losses.", fontsize=8, fontname="tiro")
    _column(page, 305, 345, 30, words=8, size=10, step=12)

    found = {(f.kind.value, f.number): f for f in locate_figures(doc) if f.page == 2}
    assert iou(found[("figure", "4")].figure_box or (0, 0, 0, 0), tuple(chart)) > 0.9
    assert found[("table", "7")].bbox[2] < 300


def test_a_weak_caption_outranked_by_a_strong_one_is_read_as_text() -> None:
    """A paragraph opening "Table 7. When ..." over a chart takes the chart as a weak caption; once a strong
    caption elsewhere holds Table 7, the page is searched without it."""
    doc, page = _body_pages((50, 305), words=8, size=10, step=12)
    page.insert_text((305, 84), "Table 7. When the threshold is small, the scores", fontsize=10, fontname="tiro")
    _column(page, 305, 96, 6, size=10, step=12, width=220)
    _plot(page, pymupdf.Rect(315, 175, 530, 300))
    _column(page, 305, 330, 30, words=8, size=10, step=12)
    _column(page, 50, 84, 55, words=8, size=10, step=12)
    pages = [layout.read_page(pg) for pg in doc]
    lay = layout.document_layout(pages)

    assert [(f.number, strong) for f, strong in locate_page(pages[2], lay) if f.number] == [("7", False)]
    assert not [f for f, _ in locate_page(pages[2], lay, outranked={(FigureKind.TABLE, "7")}) if f.number]


def test_a_grid_of_text_captioned_as_a_figure_over_another_figure() -> None:
    """A figure that is a grid of tagged words (no drawing) over its caption, and under that caption a chart with
    its own caption under it: the grid is the first figure, the chart the second."""
    doc, page = _body_pages((50, 305), words=8)
    for k in range(4):
        for j in range(8):
            page.insert_text((60 + 60 * j, 80 + 12 * k), f"[B-{'DTP'[j % 3]}{k}]", fontsize=8, fontname="tiro")
    page.insert_text((60, 140), "Figure 3: An example of the labels that the method gives to each word of one sentence"
                     " of the test set.", fontsize=10, fontname="tiro")
    found, chart = _chart_and_columns(doc, page, 170, "Figure 4: Scores as the number of types grows.")
    assert found[("figure", "3")].figure_box is not None and found[("figure", "3")].figure_box[3] < 135
    assert iou(found[("figure", "4")].figure_box or (0, 0, 0, 0), tuple(chart)) > 0.9


def test_a_figure_whose_many_tick_labels_run_upwards() -> None:
    """A page holding one grid of plots whose many small model names run upwards, its caption across the page:
    the page is not a turned one, and the figure is found."""
    doc, page = _body_pages((50, 305), words=8)
    grid = pymupdf.Rect(70, 100, 520, 520)
    _plot(page, grid)
    for k in range(8):
        page.insert_text((80 + 55 * k, 96), "Paraphrase", fontsize=6, fontname="tiro")
    for k in range(36):  # more characters than all the horizontal text, in a third of its size
        page.insert_text((80 + 12 * k, 560), f"model-{k:02d}-b", fontsize=3, fontname="tiro", rotate=90)
    page.insert_text((60, 600), "Figure 9: Rewards of the chosen and rejected responses, before and after", fontsize=10,
                     fontname="tiro")
    page.insert_text((60, 612), "each of the ten natural transformations of the benchmark.", fontsize=10,
                     fontname="tiro")

    (fig,) = [f for f in locate_figures(doc) if f.number == "9"]
    assert fig.figure_box is not None and fig.figure_box[1] <= 101


def test_an_image_reaching_into_the_last_line_of_text_over_it() -> None:
    """A picture whose top edge overlaps the descenders of the body line over it by a point: it is still the
    figure under that line."""
    doc, page = _body_pages((125,), words=12, size=10, step=12)
    end = _column(page, 125, 80, 20, words=12, size=10, step=12)
    rect = pymupdf.Rect(136, end - 10.7, 460, end + 220)  # the last line's box ends at end - 9.8
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 160, 120), False)
    pix.set_rect(pix.irect, (90, 140, 200))
    page.insert_image(rect, pixmap=pix)
    page.insert_text((125, rect.y1 + 12), "Fig. 2. A map of the features of each joint.", fontsize=9,
                     fontname="tiro")
    _column(page, 125, rect.y1 + 40, 10, words=12, size=10, step=12)

    (fig,) = [f for f in locate_figures(doc) if f.number == "2"]
    assert fig.figure_box is not None and iou(fig.figure_box, tuple(rect)) > 0.9


def test_a_trimmed_picture_over_a_neighbouring_plots_marks() -> None:
    """A picture trimmed to its right part (its full box reaches over the chart beside it, whose marks set small
    clips of their own): the figure is the trimmed part."""
    doc, page = _body_pages((50, 305), words=8)
    chart = pymupdf.Rect(60, 75, 290, 145)
    _plot(page, chart)
    shown = pymupdf.Rect(306, 71, 524, 160)
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 200, 150), False)
    pix.set_rect(pix.irect, (40, 160, 90))
    page.insert_image(pymupdf.Rect(225, -86, 610, 202), pixmap=pix)
    (xref,) = page.get_contents()[-1:]
    h = page.rect.height
    clip = f"q {shown.x0} {h - shown.y1} {shown.width} {shown.height} re W n ".encode()  # \includegraphics[clip]
    # the chart's bars, each drawn inside a thin clip of its own, within the picture's untrimmed box
    bars = b"".join(f"q {x} {h - 122} 8 0.3 re W n 0 0 1 rg {x} {h - 140} 8 30 re f Q ".encode()
                    for x in range(230, 290, 14))
    doc.update_stream(xref, clip + page.parent.xref_stream(xref) + b" Q " + bars)
    page.insert_text((60, 168), "Figure 3: Correlation of every rationale.", fontsize=9, fontname="tiro")
    page.insert_text((306, 175), "Figure 4: The model's input.", fontsize=9, fontname="tiro")
    for x in (50, 305):
        _column(page, x, 200, 45, words=8)

    found = {f.number: f for f in locate_figures(doc) if f.page == 2}
    assert iou(found["4"].figure_box or (0, 0, 0, 0), tuple(shown)) > 0.9


def test_an_algorithm_set_in_the_bodys_type_as_a_figure() -> None:
    """A generative process written as indented steps in the body's type, each step its own short line, over its
    caption: the steps are the figure."""
    doc, page = _body_pages((50, 305), words=8, size=10, step=12)
    steps = ["for i = 1 ... N :", "for k = 1 ... P :", "T ~ Uniform", "for j = 1 ... M :",
             "S ~ Bernoulli(1 - t)", "if S = 0 :", "A = T", "else :", "A ~ Multinomial(x)"]
    indents = [0, 14, 28, 14, 28, 28, 42, 28, 42]
    for k, (text, dx) in enumerate(zip(steps, indents, strict=True)):
        page.insert_text((110 + dx, 330 + 16 * k), text, fontsize=10, fontname="tiro")
    page.insert_text((50, 484), "Figure 3: The generative process. See the text for the variables.", fontsize=10,
                     fontname="tiro")
    _column(page, 50, 80, 18, words=8, size=10, step=12)
    _column(page, 50, 530, 18, words=8, size=10, step=12)
    _column(page, 305, 80, 55, words=8, size=10, step=12)

    (fig,) = [f for f in locate_figures(doc) if f.number == "3"]
    assert fig.figure_box is not None and fig.figure_box[1] <= 322 and fig.figure_box[3] <= 480


def test_a_table_row_headed_by_a_figure_number_is_no_caption() -> None:
    """A table inside a figure whose rows are headed "Figure 4.1(b)", "(c)", ...: that cell is no caption, and
    the figure is the whole table over its real caption."""
    doc, page = _body_pages((72,), words=14)
    xs = (80, 180, 270, 370, 480)
    for k in range(6):
        y = 120 + 12 * k
        page.insert_text((xs[0], y), "Figure 4.1(b)" if k == 2 else f"({'abcdef'[k]})", fontsize=10, fontname="tiro")
        for j, x in enumerate(xs[1:]):
            page.insert_text((x + (j % 2) * 4, y), f"{(k * 13 + j * 7) % 300}", fontsize=10, fontname="tiro")
    page.draw_line((75, 105), (530, 105), color=(0, 0, 0), width=0.5)
    page.draw_line((75, 190), (530, 190), color=(0, 0, 0), width=0.5)
    page.insert_text((72, 215), "Figure 4.3: Results for each mutation rate.", fontsize=10, fontname="tiro")
    _column(page, 72, 250, 30, words=14)

    numbers = [f.number for f in locate_figures(doc) if f.page == 2]
    assert numbers == ["4.3"]


def test_a_section_number_under_a_caption_is_not_part_of_it() -> None:
    """A caption across the page, and under its last line, in the left column, a section heading whose number
    stands alone; in the right column a chart starting level with that heading. The caption ends at its last
    line, so the chart, over its own caption, is found."""
    doc, page = _body_pages((50, 305), words=8, size=10, step=12)
    top = pymupdf.Rect(60, 72, 540, 200)
    _plot(page, top)
    for k, text in enumerate(("Figure 4: Main results on the two tasks, over the ratio of training data kept, for both"
                              " models and for",
                              "every data set. The scores rise with the ratio for both models and both data sets, and"
                              " the more so")):
        page.insert_text((50, 215 + 12 * k), text, fontsize=10, fontname="tiro")
    page.insert_text((50, 244), "4.3", fontsize=11, fontname="tibo")
    page.insert_text((74, 244), "Training on less data", fontsize=11, fontname="tibo")
    _column(page, 50, 275, 40, words=8, size=10, step=12)
    chart = pymupdf.Rect(315, 238, 530, 370)
    _plot(page, chart)
    page.insert_text((305, 385), "Figure 5: Scores on five domains.", fontsize=10, fontname="tiro")
    _column(page, 305, 410, 30, words=8, size=10, step=12)

    found = {f.number: f for f in locate_figures(doc) if f.page == 2}
    assert found["5"].figure_box is not None and found["5"].figure_box[1] <= chart.y0 + 1
    assert found["4"].caption_box is not None and found["4"].caption_box[3] < 235


def test_a_framed_case_study_filling_the_page() -> None:
    """A case study set as text in a frame drawn as a dark filled box under a white one (tcolorbox), the frame
    covering more than three fifths of the page, its caption under it: the frame and its text are the figure."""
    doc, page = _body_pages((72, 306), words=7, size=10, step=12)
    frame = pymupdf.Rect(70, 78, 524, 742)
    page.draw_rect(frame, fill=(0, 0, 0), color=None, radius=0.02)
    page.draw_rect(frame + (1.5, 1.5, -1.5, -1.5), fill=(1, 1, 1), color=None, radius=0.02)
    _column(page, 80, 100, 50, size=10, step=12, width=430)
    page.insert_text((150, 762), "Figure 13: A case study of the model under each approach.", fontsize=10,
                     fontname="tiro")

    (fig,) = [f for f in locate_figures(doc) if f.number == "13"]
    assert fig.figure_box is not None and iou(fig.figure_box, tuple(frame)) > 0.9


def test_a_table_captioned_above_beside_a_figure_captioned_below() -> None:
    """Two floats side by side on a one-column page: on the left a table with its caption over it, on the right a
    figure with its caption under it, the two captions at different heights. Each float keeps its own side."""
    doc, page = _body_pages((108,), width=396)
    caption = ("Table 3: Error of each method", "on the two data sets; standard", "errors in brackets.")
    for k, text in enumerate(caption):
        page.insert_text((108, 292 + 11 * k), text, fontsize=10, fontname="tiro")
    page.draw_line((110, 330), (268, 330), color=(0, 0, 0), width=0.5)
    _cells(page, (112, 170, 210, 240), 345, 6, size=7, step=12, first="M{k}")
    page.draw_line((110, 418), (268, 418), color=(0, 0, 0), width=0.5)
    chart = pymupdf.Rect(292, 300, 500, 390)
    _plot(page, chart)
    for k, text in enumerate(("Figure 4: (a) Edges of the brain network", "linked to the score. (b) Top triplets.")):
        page.insert_text((284, 406 + 11 * k), text, fontsize=10, fontname="tiro")
    _column(page, 108, 80, 15, width=396)
    _column(page, 108, 450, 25, width=396)

    found = {f.number: f for f in locate_figures(doc) if f.page == 2}
    assert found["3"].figure_box is not None and found["3"].figure_box[2] < 280
    assert iou(found["4"].figure_box or (0, 0, 0, 0), tuple(chart)) > 0.9
