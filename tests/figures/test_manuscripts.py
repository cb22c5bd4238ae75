"""Layouts found on the real set's dev half in batches 15-18 (line-numbered submissions, APA and Word
manuscripts, ACM and IEEE papers, glyph-drawn plots): each case drawn here in miniature."""

from __future__ import annotations

import pymupdf

from arxiv_digest.figures import layout, locate_figures

from .common import BODY, iou, two_columns
from .common import body_text as _body
from .common import plot as _plot

WORDS = BODY.split()


def _words(i: int, n: int) -> str:
    return " ".join((WORDS * 3)[i % len(WORDS):i % len(WORDS) + n])


def _gray(page: pymupdf.Page, box: pymupdf.Rect) -> None:
    """A raster image filling ``box``."""
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 40, 30), 0)
    pix.set_rect(pix.irect, (90, 120, 200))
    page.insert_image(box, pixmap=pix)


def test_line_numbers_beside_an_indented_paragraph_leave_it_body_text() -> None:
    """A review copy's line numbers stand inside the text area, beside a paragraph indented in a list: the
    paragraph stays body text, so the unruled table captioned above it ends before it."""
    doc = pymupdf.open()
    for _ in range(3):  # pages whose paragraphs fill the column from its left edge
        _body(doc.new_page(), 80, 40, x=90)
    page = doc.new_page()
    page.insert_text((108, 100), "Table 1: Voting parameters of the two scenarios.", fontsize=10, fontname="tiro")
    for r in range(4):
        for c, x in enumerate((110, 250, 390)):
            page.insert_text((x, 122 + 14 * r), f"{r}.{c}5", fontsize=10, fontname="tiro")
    for i in range(8):
        page.insert_text((108, 190 + 13 * i), _words(i, 15), fontsize=10, fontname="tiro")
    for i in range(8):  # line numbers at 5 pt, nine points left of the text (lineno writes them apart)
        page.insert_text((92, 189 + 13 * i), str(286 + i), fontsize=5, fontname="helv")

    (table,) = locate_figures(doc)
    assert table.bbox[3] <= 175


def test_a_fraction_in_the_line_above_a_figure_is_not_part_of_it() -> None:
    """An inline fraction's bar is a short rule: it reaches the figure under the paragraph no further than the
    text around it does."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = _body(page, 80, 6)
    page.insert_text((72, y + 4), "a =", fontsize=10, fontname="tiro")
    page.insert_text((92, y), "1", fontsize=7, fontname="tiro")
    page.draw_line((90, y + 2), (98, y + 2), width=0.4)
    page.insert_text((90, y + 9), "50", fontsize=7, fontname="tiro")
    page.insert_text((102, y + 4), ", b = 10 and the regeneration rate of the voting power is set as above.",
                     fontsize=10, fontname="tiro")
    plot = pymupdf.Rect(120, y + 30, 480, y + 230)
    _plot(page, plot)
    page.insert_text((72, plot.y1 + 22), "Figure 1: Rank evolution with 270 honest players.", fontsize=10,
                     fontname="tiro")
    _body(page, plot.y1 + 50, 10)

    (fig,) = locate_figures(doc)
    assert fig.figure_box is not None and fig.figure_box[1] >= plot.y0 - 3


def test_side_by_side_floats_wider_and_narrower_than_a_column_keep_apart() -> None:
    """A wide chart and a narrow one captioned side by side on a two-column page: the wide one crosses the
    gutter, but each float ends where its neighbour's begins."""
    doc = pymupdf.open()
    for _ in range(2):
        two_columns(doc.new_page(), 80, (60, 60))
    page = doc.new_page()
    wide, narrow = pymupdf.Rect(60, 80, 370, 220), pymupdf.Rect(385, 110, 553, 220)
    _plot(page, wide)
    _gray(page, narrow)
    page.insert_text((60, 240), "Figure 1. Safety accuracy by scenario and model, ordered by", fontsize=9,
                     fontname="tiro")
    page.insert_text((60, 250), "ascending mean score across the models.", fontsize=9, fontname="tiro")
    page.insert_text((385, 240), "Figure 2. Failure types by model.", fontsize=9, fontname="tiro")
    two_columns(page, 300, (40, 40))

    found = {f.number: f for f in locate_figures(doc)}
    assert set(found) == {"1", "2"}
    assert found["1"].bbox[2] < 380 and found["2"].bbox[0] > 375


def test_tick_labels_padded_below_a_plot_belong_to_it() -> None:
    """A plotting library leaves more than a line's spacing between the axis, its tick labels and its title."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = _body(page, 80, 10) + 20
    for i in range(12):  # histogram bars over a baseline
        page.draw_rect(pymupdf.Rect(150 + 25 * i, y + 60 + 8 * (i % 5), 170 + 25 * i, y + 160), color=(0, 0, 0),
                       fill=(0.5, 0.7, 0.9))
    page.draw_line((140, y + 160), (460, y + 160), width=0.5)
    for i in range(5):  # tick labels and the axis title each more than a line's spacing further down
        page.insert_text((150 + 70 * i, y + 185), str(5000 * i), fontsize=8.6, fontname="helv")
    page.insert_text((240, y + 212), "Critical number of tests per day", fontsize=10, fontname="helv")
    page.insert_text((72, y + 238), "Figure 6: Uncertainty in the critical testing rate.", fontsize=10,
                     fontname="tiro")
    _body(page, y + 272, 10)

    (fig,) = locate_figures(doc)
    assert fig.figure_box is not None and fig.figure_box[1] <= y + 62


def test_a_tables_last_cell_ends_its_row_so_the_caption_under_it_opens_a_paragraph() -> None:
    """The table's rows and its caption in one text block, at the body's spacing: the caption line follows
    the last cell of a row, which starts far to its right."""
    cells = [((138, 98, 190, 107), "Ramp-up time"), ((232, 98, 238, 107), "T"), ((406, 98, 471, 107), "ln k")]
    lines = [layout.Line(b, t, 9.0, 0, True, False, False, False, "Times") for b, t in cells]
    caption = layout.Line((72, 111, 540, 120), "Table 2: Ramp-up time, job completion time and utilization for",
                          9.0, 0, True, False, False, False, "Times")
    layout.mark_paragraph_starts([*lines, caption], (72, 98, 540, 120))
    assert caption.starts_para


def test_a_definition_set_as_a_figure_at_the_head_of_a_column_is_one() -> None:
    """IEEE two-column: a definition in the body's type fills the top of the right column, its small caption
    "Fig. 7." under it."""
    doc = pymupdf.open()
    for _ in range(2):
        two_columns(doc.new_page(), 60, (70, 70))
    page = doc.new_page()
    two_columns(page, 60, (70, 0))
    for i in range(9):
        page.insert_text((312 + 10 * (i % 3), 60 + 12 * i), _words(i, 7), fontsize=9, fontname="tiro")
    page.insert_text((312, 180), "Fig. 7.   Definitions of the components of macaroons.", fontsize=7,
                     fontname="tiro")
    for i in range(40):
        page.insert_text((312, 205 + 10 * i), _words(i, 8), fontsize=9, fontname="tiro")

    (fig,) = locate_figures(doc)
    assert fig.number == "7" and fig.figure_box is not None
    assert fig.figure_box[0] >= 305 and fig.figure_box[1] <= 66 and fig.figure_box[3] >= 155


def test_a_table_caption_at_the_page_head_over_a_header_row_a_blank_line_lower() -> None:
    """A double-spaced manuscript: the caption opens the page and the table's header row stands a blank line
    under it. The caption is no running head, and the header row is no part of it."""
    doc = pymupdf.open()
    for _ in range(3):
        _body(doc.new_page(), 95, 25, step=24)
    page = doc.new_page()
    page.insert_text((300, 40), "Ed Bueler: An exact solution", fontsize=9, fontname="tiro")
    page.insert_text((51, 74), "Table 1. Notation and SI units. Values of physical constants", fontsize=8,
                     fontname="tiro")
    for x, t in ((57, "Symbol"), (96, "Description"), (230, "Units")):
        page.insert_text((x, 96), t, fontsize=8, fontname="tiro")
    page.draw_line((51, 108), (295, 108), width=0.5)
    for r in range(12):
        for x, t in ((57, "B"), (96, "ice hardness"), (230, "Pa s")):
            page.insert_text((x, 128 + 22 * r), t, fontsize=8, fontname="tiro")
    _body(page, 420, 10, step=24)

    (table,) = locate_figures(doc)
    assert table.caption == "Table 1. Notation and SI units. Values of physical constants"
    assert table.figure_box is not None and table.figure_box[3] >= 370


def test_a_table_label_heading_many_pages_is_no_running_head() -> None:
    """APA: "Table N" alone on the first line of every page that holds a table, its title in italics under it."""
    doc = pymupdf.open()
    for k in range(7):
        page = doc.new_page()
        page.insert_text((72, 36), "MEASURING LATENT VARIABLES", fontsize=12, fontname="tiro")
        if k % 2:
            _body(page, 106, 40, step=14)
            continue
        page.insert_text((72, 82), f"Table {k // 2 + 1}", fontsize=12, fontname="helv")
        page.insert_text((72, 98), "Standardized item loadings for two and six categories", fontsize=12,
                         fontname="tiit")
        _gray(page, pymupdf.Rect(72, 120, 452, 500))

    assert sorted(f.number for f in locate_figures(doc)) == ["1", "2", "3", "4"]


def test_a_grammar_under_a_paragraph_set_apart_is_a_text_figure() -> None:
    """A figure that is a grammar in two columns of small type, a paragraph a blank line above it."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = _body(page, 80, 8)
    top = y + 24
    for r in range(8):
        for x, t in ((115, f"true{r} | false"), (196, "Boolean"), (314, f"cl(rho, {r})"), (395, "closure")):
            page.insert_text((x, top + 11 * r), t, fontsize=9, fontname="tiro")
    page.insert_text((133, top + 96), "Fig. 7. Selection states, term selections and value selections",
                     fontsize=9, fontname="helv")
    _body(page, top + 140, 12)

    (fig,) = locate_figures(doc)
    assert fig.figure_box is not None and iou(fig.figure_box, (115, top - 7, 425, top + 80)) >= 0.8


def _glyph_plot(page: pymupdf.Page, box: pymupdf.Rect, n: int) -> None:
    """A scatter plot whose points are glyphs of a tiny font, as R's pdf device sets some symbols."""
    page.draw_rect(box, color=(0, 0, 0), width=0.8)
    writer = pymupdf.TextWriter(page.rect)
    for i in range(n):
        x = box.x0 + 4 + (i * 37 % int(box.width - 8))
        y = box.y0 + 6 + (i * 53 % int(box.height - 8))
        writer.append((x, y), "G", fontsize=2)
    writer.write_text(page)


def test_a_plot_of_thousands_of_glyph_points_is_read_as_a_drawing() -> None:
    """Six thousand one-letter lines are the plot's points: the page keeps its real lines, and the figure is
    found."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = _body(page, 80, 4)
    box = pymupdf.Rect(100, y + 20, 500, y + 320)
    _glyph_plot(page, box, 6000)
    page.insert_text((72, box.y1 + 20), "Figure 7: Partisan affect by year.", fontsize=10, fontname="tiro")

    data = layout.read_page(doc[0])
    assert len(data.lines) < 20 and data.graphics
    (fig,) = locate_figures(doc)
    assert fig.figure_box is not None and iou(fig.figure_box, tuple(box)) >= 0.9


def test_a_figure_of_inference_rules_keeps_every_row() -> None:
    """Rules of a semantics: premises over a bar over a conclusion, rows of rules further apart than a line. Their
    bars are no fraction bars in a paragraph, so the figure spans all the rows."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = _body(page, 80, 3)
    top = y + 40
    for r in range(4):
        base = top + 44 * r
        page.insert_text((80, base), f"T, e{r} => v", fontsize=9, fontname="tiro")
        page.draw_line((80, base + 5), (190, base + 5), width=0.4)
        page.insert_text((80, base + 16), f"x : rho, e{r} => v", fontsize=9, fontname="tiro")
    page.insert_text((200, top + 220), "Fig. 6. Operational semantics", fontsize=9, fontname="helv")
    _body(page, top + 260, 10)

    (fig,) = locate_figures(doc)
    assert fig.figure_box is not None and fig.figure_box[1] <= top - 5
