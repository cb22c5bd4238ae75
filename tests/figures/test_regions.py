"""Region stage: every located float carries its crop, the graphic alone and the caption's box."""

from __future__ import annotations

import pymupdf
import pytest

from arxiv_digest.figures import locate_figures, render_figures
from arxiv_digest.figures.geometry import height, width
from arxiv_digest.models import FigureKind

from .common import BODY, generated, iou, open_pdf
from .common import body_text as _body


def _inside(inner: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    return all(inner[i] >= outer[i] - 0.01 for i in (0, 1)) and all(inner[i] <= outer[i] + 0.01 for i in (2, 3))


def test_crop_is_the_graphic_and_the_caption_together() -> None:
    data, truth = generated("1col-mixed")
    found = locate_figures(open_pdf(data))
    assert {(f.kind, f.number) for f in found} >= {(FigureKind.FIGURE, "1"), (FigureKind.TABLE, "1")}
    for f in found:
        assert f.figure_box is not None and _inside(f.figure_box, f.bbox)
        if f.number is None:
            assert (f.caption_box, f.figure_box) == (None, f.bbox)
            continue
        assert f.caption_box is not None and _inside(f.caption_box, f.bbox)
        xs = [f.figure_box[0], f.caption_box[0]], [f.figure_box[2], f.caption_box[2]]
        ys = [f.figure_box[1], f.caption_box[1]], [f.figure_box[3], f.caption_box[3]]
        assert (min(xs[0]), min(ys[0]), max(xs[1]), max(ys[1])) == f.bbox
        if f.kind is FigureKind.FIGURE:  # captioned below: the graphic ends where the caption starts
            assert f.figure_box[3] <= f.caption_box[1] + 4
        else:  # this generator captions tables above
            assert f.caption_box[3] <= f.figure_box[1] + 4


def test_figure_box_leaves_the_caption_out() -> None:
    data, truth = generated("2col")
    found = locate_figures(open_pdf(data))
    for f in found:
        assert f.figure_box is not None and f.caption_box is not None
        assert iou(f.figure_box, f.bbox) < 0.95  # the caption is a visible part of the crop
        assert f.caption.startswith(("Figure", "Table"))


def test_plot_title_and_a_column_wide_axis_label_belong_to_the_plot() -> None:
    """Both look like body text (body size, a full sentence, as wide as the column) but sit inside the figure."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = _body(page, 80, 8) + 20
    page.insert_text((250, y + 14), "Validation accuracy", fontsize=14, fontname="tiro")  # the plot's title
    axes = pymupdf.Rect(110, y + 20, 520, y + 200)
    page.draw_rect(axes, color=(0, 0, 0), width=0.8)
    page.draw_polyline([(110, y + 200), (300, y + 80), (520, y + 40)], color=(0, 0, 1), width=1.2)
    label = "Number of gradient steps taken before the learning rate is decayed by the schedule (thousands)"
    page.insert_text((80, y + 216), label, fontsize=10, fontname="tiro")
    page.insert_text((72, y + 240), "Figure 1: Accuracy while training.", fontsize=9, fontname="tibo")
    _body(page, y + 270, 12)

    (fig,) = locate_figures(doc)
    assert fig.figure_box is not None
    assert fig.figure_box[1] <= y + 2  # the title's top
    assert fig.figure_box[3] >= y + 216  # the axis label's baseline
    assert fig.figure_box[0] <= 80 + 1


def test_logos_in_a_title_block_stay_out_of_the_figure_under_it() -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((150, 80), "Dense Correspondence from Sparse Labels", fontsize=16, fontname="tibo")
    logo = pymupdf.Pixmap(pymupdf.csRGB, 8, 8, bytes([200, 30, 30] * 64), False)
    page.insert_image(pymupdf.Rect(200, 96, 214, 110), pixmap=logo)
    page.insert_text((220, 107), "University of Lakeside", fontsize=10, fontname="tiro")
    page.insert_text((150, 122), "amara@lakeside.edu and yuki@lakeside.edu and lukas@northfield.org", fontsize=10,
                     fontname="tiro")
    teaser = pymupdf.Rect(72, 140, 540, 300)
    page.draw_rect(teaser, color=(0, 0, 0), fill=(0.6, 0.8, 0.6))
    page.insert_text((72, 318), "Figure 1. An example shows matches between frames.", fontsize=9, fontname="tiro")
    _body(page, 350, 20)

    (fig,) = locate_figures(doc)
    assert fig.figure_box is not None and fig.figure_box[1] >= 138


@pytest.mark.parametrize("caption_left", [True, False])
def test_a_caption_beside_its_figure(caption_left: bool) -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    y = _body(page, 80, 6) + 20
    plot = pymupdf.Rect(190, y, 410, y + 200) if caption_left else pymupdf.Rect(72, y, 290, y + 200)
    page.draw_rect(plot, color=(0, 0, 0))
    page.draw_polyline([(plot.x0, plot.y1), (plot.x0 + 100, plot.y0 + 40), (plot.x1, plot.y0 + 10)], color=(1, 0, 0))
    x = 72 if caption_left else 302
    lines = ["Figure 2: Notations: L/R", "indicates left or right", "moving car, numbers", "the distance left."]
    for k, text in enumerate(lines):
        page.insert_text((x, y + 120 + 11 * k), text, fontsize=9, fontname="tibo" if k == 0 else "tiro")
    _body(page, y + 230, 10)

    (fig,) = locate_figures(doc)
    assert fig.number == "2" and fig.figure_box is not None
    assert iou(fig.figure_box, tuple(plot)) >= 0.9


def test_a_short_caption_in_one_column_over_a_table_spanning_both() -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    for col in (0, 1):  # two columns of body text teach the layout its gutter
        for k in range(40):
            x, words = 50 + col * 262, BODY.split()[k % 6:k % 6 + 8]
            page.insert_text((x, 300 + 11 * k), " ".join(words), fontsize=9, fontname="tiro")
    page.insert_text((50, 80), "Table 1  A summary of substrates", fontsize=8, fontname="hebo")
    for y in (90, 110, 170):
        page.draw_line((50, y), (562, y), width=0.6)
    for k, row in enumerate(["Bradykinin   Vasodilation   Inactive   Captopril", "Angiotensin   Vasodilation"]):
        for j, cell in enumerate(row.split("   ")):
            page.insert_text((50 + 130 * j, 125 + 14 * k), cell, fontsize=8, fontname="helv")

    (table,) = locate_figures(doc)
    assert table.number == "1" and table.figure_box is not None
    assert table.figure_box[0] <= 50 and table.figure_box[2] >= 560  # the cells right of the gutter too


def _landscape_table(text_rotate: int, page_rotation: int) -> pymupdf.Document:
    """A table typeset sideways on a portrait page (text running up for 90, down for 270), optionally with the
    page's /Rotate set so that it shows upright."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)

    def at(a: float, b: float) -> pymupdf.Point:  # a point of the landscape frame on the portrait page
        return pymupdf.Point(b, 842 - a) if text_rotate == 90 else pymupdf.Point(595 - b, a)

    page.insert_text(at(72, 90), "Table 1: Seeds found by each measure on the seven datasets.", fontsize=9,
                     rotate=text_rotate)
    for b in (100, 114, 192):
        page.draw_line(at(72, b), at(770, b), width=0.6)
    for r, b in enumerate([110, 126, 138, 150, 162, 174, 186]):
        for k, a in enumerate(range(80, 760, 110)):
            page.insert_text(at(a, b), f"{(r * 7 + k) * 1.37:.2f}" if r else f"Measure {k}", fontsize=8,
                             rotate=text_rotate)
    page.set_rotation(page_rotation)
    return doc


@pytest.mark.parametrize(("text_rotate", "page_rotation"), [(90, 0), (90, 90), (270, 0), (270, 270)])
def test_a_landscape_table_is_found_and_rendered_upright(text_rotate: int, page_rotation: int) -> None:
    doc = _landscape_table(text_rotate, page_rotation)
    (table,) = locate_figures(doc)
    assert table.kind is FigureKind.TABLE and table.number == "1"
    assert height(table.bbox) >= 690 and width(table.bbox) >= 110  # every row, in the page's own coordinates

    (shown,) = render_figures(doc, [table])
    pix = pymupdf.Pixmap(shown.data)
    assert pix.width > 3 * pix.height  # landscape: read across
    ink = [sum(1 for x in range(0, pix.width, 2) if pix.pixel(x, y)[0] < 128) for y in range(pix.height)]
    rows = [n for n in ink if n]
    assert rows[0] < 0.6 * pix.width / 2  # the caption's text on top, not a rule: upright, not upside down
    assert rows[-1] >= 0.8 * pix.width / 2  # the bottom rule last


def test_a_word_processor_table_captioned_below_with_rules_drawn_as_images() -> None:
    """Rows that look like prose (a long cell beside a short one), one-pixel images as rules, and the caption
    under the table, as the rest of the document captions its tables."""
    doc = pymupdf.open()
    rule = pymupdf.Pixmap(pymupdf.csRGB, 1, 1, bytes([0, 0, 0]), False)
    tops = []
    for n in (1, 2):
        page = doc.new_page()
        y = _body(page, 80, 10) + 16
        tops.append(y)
        page.insert_image(pymupdf.Rect(72, y, 540, y + 0.8), pixmap=rule)
        for k in range(8):
            row_y = y + 14 + 13 * k
            page.insert_text((76, row_y), " ".join(BODY.split()[k:k + 9]), fontsize=10, fontname="tiro")
            page.insert_text((470, row_y), f"{12.5 * (k + n):.1f}M", fontsize=10, fontname="tiro")
        bottom = y + 14 + 13 * 7 + 5
        page.insert_image(pymupdf.Rect(72, bottom, 540, bottom + 0.8), pixmap=rule)
        page.insert_text((72, bottom + 18), f"Table {n}: Papers per source in the corpus.", fontsize=9,
                         fontname="tiro")
        _body(page, bottom + 40, 12)

    found = locate_figures(doc)
    assert [(f.kind, f.number) for f in found] == [(FigureKind.TABLE, "1"), (FigureKind.TABLE, "2")]
    for f, top in zip(found, tops, strict=True):
        assert f.figure_box is not None and f.figure_box[1] <= top + 1 and f.figure_box[3] >= top + 105


def test_a_figure_that_is_a_code_listing() -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    code = ['// Open the store', 'Store *s = OpenOrDie("/data/web");', 'Row r(s, "org.example.www");',
            'r.Set("anchor:www.example.org", "Example");', 'Apply(&r);']
    for k, text in enumerate(code):
        page.insert_text((72, 80 + 10 * k), text, fontsize=8, fontname="cour")
    page.insert_text((130, 150), "Figure 2: Writing to the store.", fontsize=9, fontname="tiro")
    _body(page, 180, 30)

    (fig,) = locate_figures(doc)
    assert fig.number == "2" and fig.figure_box is not None
    assert fig.figure_box[1] <= 73 and fig.figure_box[3] >= 120 and fig.figure_box[3] < 140


def test_a_trimmed_image_is_cropped_to_what_its_clip_shows() -> None:
    """\\includegraphics[trim, clip]: the image runs past the column (and the page); only its clip is seen."""
    doc = pymupdf.open()
    page = doc.new_page()
    for col in (0, 1):
        for k in range(30):
            page.insert_text((54 + col * 262, 330 + 11 * k), " ".join(BODY.split()[k % 5:k % 5 + 7]), fontsize=9,
                             fontname="tiro")
    pix = pymupdf.Pixmap(pymupdf.csRGB, 60, 20, bytes([90, 140, 200] * 1200), False)
    page.insert_image(pymupdf.Rect(54, 60, 654, 260), pixmap=pix)
    xref = page.get_contents()[-1]
    stream = doc.xref_stream(xref)
    # clip the image to the left column, 54..292 (PDF space: origin bottom left, an A4 page)
    doc.update_stream(xref, stream.replace(b"q\n600 0 0 200", b"q\n54 582 238 200 re W n\n600 0 0 200", 1))
    page = doc[0]
    page.insert_text((54, 280), "Figure 4: Disambiguating a caption from the empty space.", fontsize=9,
                     fontname="tiro")

    (fig,) = locate_figures(doc)
    assert fig.number == "4" and fig.figure_box is not None
    assert fig.figure_box[2] <= 300 and fig.figure_box[1] <= 62 and fig.figure_box[3] >= 258


def test_a_running_head_far_down_the_page_stays_out_of_a_table_under_it() -> None:
    """A book-style running head 90 pt down (more than a tenth of the page), printed on every page, then a table
    captioned above that a second table below could also claim."""
    doc = pymupdf.open()
    for n in range(4):
        page = doc.new_page()
        page.insert_text((180, 100), "Textured Shapes from Sparse Voxels", fontsize=9, fontname="tiro")
        if n != 2:
            _body(page, 130, 50)
            continue
        for k, y in enumerate((128, 300)):
            page.insert_text((150, y), f"Table {k + 1}: Metrics of the autoencoder on each class.", fontsize=9,
                             fontname="tiro")
            for dy in (22, 36, 150):
                page.draw_line((180, y + dy), (430, y + dy), width=0.5)
            for r in range(8):
                page.insert_text((190, y + 50 + 12 * r), f"chair   0.0{r + 2}   0.0{r + 3}", fontsize=9,
                                 fontname="tiro")
        _body(page, 480, 20)

    tables = [f for f in locate_figures(doc) if f.kind is FigureKind.TABLE]
    assert [t.number for t in tables] == ["1", "2"]
    assert tables[0].figure_box is not None and tables[0].figure_box[1] >= 140  # under its caption, not the head


def test_a_booktabs_table_with_widely_spaced_rows_runs_to_its_last_rule() -> None:
    """Rows 2.5 lines apart (multi-line cells, padding): the table still reaches its top rule over the caption."""
    doc = pymupdf.open()
    page = doc.new_page()
    _body(page, 80, 8)
    for y in (200, 214, 400):
        page.draw_line((72, y), (540, y), width=0.6)
    page.insert_text((80, 211), "Barrier          Description          Readers", fontsize=9, fontname="tibo")
    for k in range(6):
        page.insert_text((80, 240 + 28 * k), f"Barrier {k}", fontsize=9, fontname="tiro")
        page.insert_text((250, 240 + 28 * k), f"T{k}-{k + 3}", fontsize=9, fontname="tiro")
    page.insert_text((72, 416), "Table 1: Barriers readers meet, and who met them.", fontsize=9, fontname="tiro")
    _body(page, 440, 20)

    (table,) = locate_figures(doc)
    assert table.figure_box is not None and table.figure_box[1] <= 201


def test_row_mates_make_cells_but_a_review_copys_line_numbers_do_not() -> None:
    """A body line with a line number in the margin stays body text; a row of two cells is a table's."""
    from arxiv_digest.figures import layout
    from arxiv_digest.figures.regions import _prose_lines, _table_cells

    doc = pymupdf.open()
    page = doc.new_page()
    for k in range(30):
        y = 80 + 12 * k
        page.insert_text((40, y), str(k + 1), fontsize=7, fontname="tiro")  # the ruler in the margin
        page.insert_text((72, y), " ".join(BODY.split()[k % 5:k % 5 + 14]), fontsize=10, fontname="tiro")
    page.insert_text((72, 500), "Papers with bibliographies and full text", fontsize=10, fontname="tiro")
    page.insert_text((460, 500), "27.6M", fontsize=10, fontname="tiro")
    p = layout.read_page(page)
    lay = layout.document_layout([p])
    cells = _table_cells(p, lay)
    prose = _prose_lines(p, lay, set(), cells)
    texts = {i: ln.text for i, ln in enumerate(p.lines)}
    assert {texts[i] for i in cells} == {"Papers with bibliographies and full text", "27.6M"}
    assert sum(1 for i in prose if texts[i].startswith("Adaptive")) >= 5


def test_a_wide_caption_skip_still_reaches_the_figure() -> None:
    """A drawing whose lowest part sits 3.6 line heights above its caption (a generous \\abovecaptionskip)."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = _body(page, 80, 8) + 20
    page.draw_rect(pymupdf.Rect(200, y, 400, y + 100), color=(0, 0, 0), fill=(0.7, 0.7, 0.9))
    page.draw_circle((300, y + 130), 8, color=(0, 0, 0))  # the diagram's lowest node
    page.insert_text((230, y + 138 + 56), "Figure 1: Jobs queue at the front end.", fontsize=9, fontname="tibo")
    _body(page, y + 210, 20)

    (fig,) = locate_figures(doc)
    assert fig.figure_box is not None and fig.figure_box[1] <= y + 1


def _margin_caption(page: pymupdf.Page, bottom: float, lines: list[str]) -> None:
    """A caption in the left margin, its last line level with the bottom of its float (as Emerald sets them)."""
    for k, text in enumerate(lines):
        page.insert_text((20, bottom - 10 * (len(lines) - 1 - k)), text, fontsize=8.5,
                         fontname="tibo" if k == 0 else "tiro")


def test_floats_captioned_in_the_margin_keep_apart() -> None:
    """A ruled table of text and, right under it, a plot, each captioned in the margin beside it."""
    doc = pymupdf.open()
    page = doc.new_page()
    _body(page, 80, 12)
    page.draw_line((116, 236), (410, 236), width=0.5)
    page.draw_line((116, 262), (410, 262), width=0.5)
    page.insert_text((120, 250), "Effects          Multivariate F       Univariate F", fontsize=8.5, fontname="tiro")
    for k in range(6):
        page.insert_text((120, 276 + 10 * k), f"Training group {k}", fontsize=8.5, fontname="tiro")
        page.insert_text((260, 276 + 10 * k), f"{k}.98", fontsize=8.5, fontname="tiro")
        page.insert_text((360, 276 + 10 * k), f"2{k}.1", fontsize=8.5, fontname="tiro")
    page.insert_text((120, 342), "Notes: * p < 0.05", fontsize=8.5, fontname="tiro")
    _margin_caption(page, 342, ["Table I.", "MANOVA: effect of", "training and family", "involvement"])
    plot = pymupdf.Rect(140, 365, 400, 530)
    page.draw_rect(plot, color=(0, 0, 0), fill=(0.9, 0.9, 1))
    page.draw_polyline([(140, 530), (290, 420), (400, 380)], color=(1, 0, 0))
    _margin_caption(page, 528, ["Figure 2.", "Impact of training", "and family", "involvement"])
    _body(page, 570, 10)

    found = {f.kind: f for f in locate_figures(doc)}
    table, fig = found[FigureKind.TABLE], found[FigureKind.FIGURE]
    assert table.figure_box is not None and fig.figure_box is not None
    assert table.figure_box[1] >= 230 and table.figure_box[3] <= 350  # the rules and rows, not the plot
    assert iou(fig.figure_box, tuple(plot)) >= 0.9  # the plot, not the table


def test_a_paragraph_between_a_caption_and_the_next_figure_is_body_text() -> None:
    """Two figures in a column, a two-line paragraph between the first's caption and the second's graphic."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = _body(page, 80, 4) + 10
    page.draw_rect(pymupdf.Rect(80, y, 300, y + 70), color=(0, 0, 0), fill=(0.8, 0.5, 0.5))
    page.insert_text((80, y + 80), "Figure 4 Example showing bin b1 is prioritized.", fontsize=8, fontname="tiro")
    _body(page, y + 94, 2)
    second = pymupdf.Rect(80, y + 118, 300, y + 190)
    page.draw_rect(second, color=(0, 0, 0), fill=(0.5, 0.5, 0.8))
    page.insert_text((80, y + 200), "Figure 5 Example showing every bin prioritized.", fontsize=8, fontname="tiro")
    _body(page, y + 220, 20)

    fig5 = next(f for f in locate_figures(doc) if f.number == "5")
    assert fig5.figure_box is not None and iou(fig5.figure_box, tuple(second)) >= 0.9


def test_a_section_number_set_apart_from_its_title_still_bounds_a_table() -> None:
    """ "4.1" and "Encoder Performance" are two lines on one row; together they are a heading under the table."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 80), "Table 5: Performance of the attention mechanisms in the decoder.", fontsize=10,
                     fontname="tiro")
    for y in (92, 108, 160):
        page.draw_line((100, y), (500, y), width=0.5)
    page.insert_text((110, 103), "Architecture        Params        GFLOPs", fontsize=10, fontname="tiro")
    for k in range(4):
        page.insert_text((110, 122 + 12 * k), f"Variant {k}", fontsize=10, fontname="tiro")
        page.insert_text((260, 122 + 12 * k), f"2{k}.8", fontsize=10, fontname="tiro")
    page.insert_text((72, 184), "4.1", fontsize=10, fontname="tibo")
    page.insert_text((94, 184), "Encoder Performance on ImageNet", fontsize=10, fontname="tibo")
    _body(page, 204, 30)

    (table,) = locate_figures(doc)
    assert table.figure_box is not None and table.figure_box[3] <= 170


def test_a_figure_that_is_text_alone_but_a_legend_under_a_bare_heading_is_none() -> None:
    """A tagged sentence set small over its caption is a figure; "Figure 2" over a paragraph is a legend."""
    doc = pymupdf.open()
    page = doc.new_page()
    for row, y in enumerate((60, 84)):
        for j, word in enumerate(("DT VBN NNS RB MD" if row == 0 else "NR AD VV AS PU").split()):
            page.insert_text((110 + 60 * j, y), word, fontsize=5.6, fontname="tiro")
            page.insert_text((110 + 60 * j, y + 8), f"word{j}", fontsize=6.8, fontname="tiro")
    page.insert_text((150, 120), "Figure 1: Sequence tasks: (a) English, (b) Chinese.", fontsize=10,
                     fontname="tiro")
    _body(page, 150, 20)
    page = doc.new_page()
    page.insert_text((72, 80), "Figure 2", fontsize=12, fontname="tibo")
    page.insert_text((72, 104), "Relationship between diversity and node centrality in the simulations.",
                     fontsize=10, fontname="tiro")
    page.insert_text((72, 118), "Parameters as in the first figure, run for a thousand time steps.", fontsize=10,
                     fontname="tiro")
    _body(page, 160, 20)

    (fig,) = locate_figures(doc)
    assert (fig.number, fig.page) == ("1", 0) and fig.figure_box is not None
    assert fig.figure_box[1] <= 55 and fig.figure_box[3] <= 110
