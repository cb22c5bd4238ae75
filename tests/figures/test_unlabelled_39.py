"""Layouts found in unlabelled papers at stop 29 by the label-free check of numbers no crop carries: a figure whose
graphic above its caption passes for text must not take the next figure's graphic under it; a bold caption run on
from panel titles ("b) Axial blade") is a caption; short side captions level with a figure's top; a caption set on
the white corner of a picture spanning both columns; a legend beside its plot running on under it; a text box
whose title tab straddles its frame; a page of a prompt in a small type over its caption, but not a list of figures;
a caption in a small type run on from a row of sub-captions; a small drawing in a manual's text; a bold reference
ending a block; a bold caption row run on from the figure's own lines."""

from __future__ import annotations

import pymupdf

from arxiv_digest.figures import layout, locate_figures, regions

from .test_captions import _paragraph, _plot
from .test_unlabelled_37 import _body_data, _line

BODY = "Support struts connect the rotor blades to the shaft and add drag at every blade element along the span"


def test_a_caption_with_nothing_over_it_leaves_the_graphic_under_it_to_the_next_caption() -> None:
    """Figure 4's grammar above its caption reads as text; the plot under Figure 4's caption stands over Figure
    5's caption, which is captioned below as every figure of the paper: the plot is Figure 5's."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = _paragraph(page, 80)
    page.insert_text((72, y + 20), "Figure 4: Core language syntax of the calculus.", fontsize=9, fontname="tibo")
    _plot(page, pymupdf.Rect(150, y + 40, 450, y + 180))
    page.insert_text((72, y + 210), "Figure 5: Expressions and terms of the calculus.", fontsize=9, fontname="tibo")
    _paragraph(page, y + 250)
    (fig,) = locate_figures(doc)
    assert fig.number == "5"
    assert fig.figure_box is not None and fig.figure_box[1] < y + 41 and fig.figure_box[3] < y + 200


def test_a_bold_caption_run_on_from_panel_titles_without_an_opening_bracket_is_a_caption() -> None:
    """A report sets "a) Cross-flow blade" and "b) Axial blade" under the panels and the bold caption under them,
    all one text block, so the caption opens no paragraph of its own."""
    rect = (0, 0, 612, 792)
    pages = _body_data(rect, ((72, 547),), 60, 12, 55, BODY)
    lines = [_line(BODY, (72, 60 + 12 * i, 547, 70 + 12 * i), 1, starts=True) for i in range(10)]
    lines += [_line("a) Cross-flow turbine blade", (166, 555, 276, 566), 2, font="Times-Italic", starts=True),
              _line("b) Axial turbine blade", (367, 555, 455, 566), 2, font="Times-Italic"),
              layout.Line((94, 567, 368, 578), "Figure 3. Blade geometry for cross-flow and axial turbine blades",
                          10.0, 2, True, False, True, False, "Times-Bold", "Times-Bold")]
    lines += [_line(BODY, (72, 600 + 12 * i, 547, 610 + 12 * i), 3, starts=True) for i in range(10)]
    plots = [layout.Element((160, 300, 330, 550), "vector"), layout.Element((370, 300, 520, 550), "vector")]
    pages.append(layout.PageData(3, rect, lines, plots))
    lay = layout.document_layout(pages)
    (fig,) = [f for f, _ in regions.locate_page(pages[3], lay)]
    assert fig.number == "3" and fig.figure_box is not None and fig.figure_box[1] <= 300


def test_a_two_line_caption_level_with_the_top_of_a_figure_beside_it_is_a_side_caption() -> None:
    """A journal (Cell Press) sets a short caption at the text block's right edge, level with the top of the figure
    to its left, the text running on under the caption: the figure is the caption's, though the caption is only
    two lines tall."""
    rect = (0, 0, 603, 783)
    pages = _body_data(rect, ((56, 295), (307, 547)), 40, 12, 58, BODY[:60])
    lines = [_line("Figure 3.", (392, 36, 428, 44), 2, size=8, font="Sans", starts=True),
             _line("Examples of links between", (436, 36, 547, 44), 2, size=8, font="Sans"),
             _line("the variants and the drugs", (392, 45, 501, 53), 2, size=8, font="Sans")]
    lines += [_line(BODY[:40], (392, 96 + 12 * i, 547, 105 + 12 * i), 3, size=9, starts=True) for i in range(13)]
    lines += [_line(BODY[:60], (56, 270 + 12 * i, 295, 279 + 12 * i), 4, size=9, starts=True) for i in range(38)]
    lines += [_line(BODY[:60], (307, 270 + 12 * i, 547, 279 + 12 * i), 5, size=9, starts=True) for i in range(38)]
    pages.append(layout.PageData(3, rect, lines, [layout.Element((56, 36, 379, 248), "raster")]))
    lay = layout.document_layout(pages)
    (fig,) = [f for f, _ in regions.locate_page(pages[3], lay)]
    assert fig.number == "3" and fig.figure_box is not None and fig.figure_box[0] <= 56 and fig.figure_box[3] >= 248


def test_a_caption_set_on_the_white_corner_of_a_picture_spanning_both_columns_captions_it() -> None:
    """A grid of micrographs is one picture across both columns whose lower right corner is white, the caption set
    there in the right column: the picture is the caption's figure, not an uncaptioned one."""
    rect = (0, 0, 612, 792)
    pages = _body_data(rect, ((60, 300), (312, 552)), 80, 11, 60, BODY[:60])
    lines = [_line("FIG. 4.", (313, 382, 339, 390), 2, size=8, font="Sans-Bold", starts=True),
             _line("Tissue-specific expression in adult mice, stained blue.", (347, 382, 552, 390), 2, size=8,
                   font="Sans")]
    lines += [_line(BODY[:55], (313, 382 + 9 * i, 552, 390 + 9 * i), 2, size=8, font="Sans") for i in range(1, 20)]
    lines += [_line(BODY[:60], (60, 575 + 11 * i, 300, 585 + 11 * i), 3, starts=True) for i in range(14)]
    lines += [_line(BODY[:60], (312, 575 + 11 * i, 552, 585 + 11 * i), 4, starts=True) for i in range(14)]
    pages.append(layout.PageData(3, rect, lines, [layout.Element((60.3, 80.7, 552.3, 558.6), "raster")]))
    lay = layout.document_layout(pages)
    (fig,) = [f for f, _ in regions.locate_page(pages[3], lay)]
    assert fig.number == "4" and fig.figure_box is not None and fig.figure_box[0] <= 61 and fig.figure_box[1] <= 81


def test_a_legend_beside_its_plot_that_runs_on_under_it_keeps_the_tick_labels_out() -> None:
    """Nature Genetics sets a legend's first rows beside the plot, its last rows across the page under it: the
    plot's tick labels level with the narrow rows are not pieces of the legend's formulas, so the legend stands
    beside its plot."""
    rect = (0, 0, 595, 791)
    pages = _body_data(rect, ((43, 292), (304, 555)), 185, 11.5, 48, BODY[:60])
    lines = [_line("Figure 1 | Computational costs of the", (43, 59, 190, 69), 2, size=8, font="Sans-Bold",
                   styled=True, starts=True)]
    lines += [_line("two algorithms on one processor", (43, 69 + 10 * i, 189, 79 + 10 * i), 2, size=8, font="Sans")
              for i in range(7)]
    lines += [_line(BODY, (42, 140 + 10 * i, 551, 149 + 10 * i), 2, size=8, font="Sans") for i in range(3)]
    lines += [_line(t, (x, 115, x + 6, 122), 3, size=5.7, font="Helv", starts=True)
              for t, x in (("0", 238), ("10", 247), ("60", 296), ("120", 353))]
    lines += [_line(BODY[:60], (43, 185 + 11.5 * i, 292, 195 + 11.5 * i), 4, size=9.5, starts=True)
              for i in range(48)]
    plot = [layout.Element((240, 60, 380, 114), "vector"), layout.Element((410, 60, 550, 114), "vector")]
    pages.append(layout.PageData(3, rect, lines, plot))
    lay = layout.document_layout(pages)
    (fig,) = [f for f, _ in regions.locate_page(pages[3], lay)]
    assert fig.number == "1" and fig.figure_box is not None and fig.figure_box[2] >= 550


def test_a_text_box_whose_title_tab_straddles_its_frame_is_one_figure() -> None:
    """A prompt set in a framed box whose title ("Jailbreak Attacks") sits in a small tab on the frame's top edge:
    the title is the box's, not body text over it that would cut the box off from its caption."""
    rect = (0, 0, 595, 842)
    pages = _body_data(rect, ((70, 291), (305, 526)), 72, 13.2, 52, BODY[:60])
    lines = [_line("Jailbreak Attacks", (304, 134, 379, 148), 2, size=10.9, starts=True)]
    lines += [_line(BODY[:45], (321, 162 + 13.5 * i, 510, 175 + 13.5 * i), 2, size=10.9, starts=i % 5 == 0)
              for i in range(25)]
    lines.append(_line("Figure 6: Prompts and replies", (370, 536, 460, 548), 4, size=10, starts=True))
    lines += [_line(BODY[:60], (70, 72 + 13.2 * i, 291, 85 + 13.2 * i), 5, size=11, starts=True) for i in range(52)]
    boxes = [layout.Element((306, 142, 524, 520), "vector"), layout.Element((300, 134, 383, 148), "vector")]
    pages.append(layout.PageData(3, rect, lines, boxes))
    lay = layout.document_layout(pages)
    (fig,) = [f for f, _ in regions.locate_page(pages[3], lay)]
    assert fig.number == "6" and fig.figure_box is not None
    assert fig.figure_box[1] <= 134 and fig.figure_box[3] >= 519  # the whole frame, not only the lines in it


def _prompt_page(doc: pymupdf.Document, rows: list[str], caption: str) -> None:
    """Body pages, then a page holding only many rows of small type over a caption."""
    for _ in range(2):
        _paragraph(doc.new_page(), 80, lines=50)
    page = doc.new_page()
    y = 100.0
    for text in rows:
        page.insert_text((72, y), text, fontsize=6, fontname="helv")
        y += 8
    page.insert_text((72, y + 20), caption, fontsize=9, fontname="tibo")


def test_a_page_of_a_prompt_in_a_small_type_over_its_caption_is_the_figure() -> None:
    """LLM papers set a whole prompt, sixty rows of small type, over its caption: longer than a text figure may
    run, but nothing else stands in the caption's range."""
    doc = pymupdf.open()
    rows = [f"Observation {i}: the candidate {i % 7} is not chosen, so the option {i % 4} is ruled out."
            for i in range(60)]
    _prompt_page(doc, rows, "Figure 7: Prompt for sampling the reasoning traces.")
    (fig,) = locate_figures(doc)
    assert fig.number == "7" and fig.page == 2 and fig.figure_box is not None and fig.figure_box[1] <= 95


def test_a_list_of_figures_in_a_small_type_is_no_prompt() -> None:
    """A manuscript's list of figures, its entries in a small type, ends with the last entry: that entry is not a
    caption under a page of text."""
    doc = pymupdf.open()
    rows = [f"Fig. {i // 3 + 1}. The anomalies of the sea level pressure over the range in winter." if i % 3 == 0
            else "the stations are shown as black points and the contours are spaced at 150 m." for i in range(60)]
    _prompt_page(doc, rows, "Fig. 21. The first empirical orthogonal functions of the pressure.")
    assert [f for f in locate_figures(doc) if f.number is not None and f.number == "21"] == []


def test_a_small_caption_run_on_from_a_row_of_sub_captions_is_a_caption() -> None:
    """A conference paper sets "Fig. 3." in its small caption type right under the last row of sub-captions, one
    text block with them: not bold, but smaller than the body, so a caption."""
    rect = (0, 0, 612, 792)
    pages = _body_data(rect, ((57, 296), (313, 552)), 60, 11, 60, BODY[:60])
    lines = [_line("(k) Network bandwidth of ST", (259, 574, 354, 582), 2, size=7.6, starts=True),
             _line("(l) Network bandwidth of KM", (420, 574, 516, 582), 2, size=7.6),
             _line("Fig. 3.", (146, 585, 167, 592), 2, size=7.6),
             _line("Resource use of the benchmarks with the medium dataset.", (175, 585, 467, 592), 2, size=7.6)]
    lines += [_line(BODY[:60], (57, 620 + 11 * i, 296, 629 + 11 * i), 3, size=9.5, starts=True) for i in range(10)]
    plots = [layout.Element((70 + 160 * k, 460, 210 + 160 * k, 560), "vector") for k in range(3)]
    pages.append(layout.PageData(3, rect, lines, plots))
    lay = layout.document_layout(pages)
    (fig,) = [f for f, _ in regions.locate_page(pages[3], lay)]
    assert fig.number == "3" and fig.figure_box is not None and fig.figure_box[1] <= 460


def test_a_short_side_caption_by_a_small_drawing_does_not_take_the_text_it_wraps() -> None:
    """A manual sets a drawing in the text's right half with a two-line caption at the right edge, the paragraph
    wrapped round it on the left: a short caption beside a figure that does not reach the text's far edge is no
    side caption whose figure would take that paragraph."""
    rect = (0, 0, 396, 612)
    pages = _body_data(rect, ((27, 373),), 40, 12, 45, BODY)
    lines = [_line("Figure 1.", (338, 296, 371, 304), 2, size=8, starts=True),
             _line("The fourth wheel", (314, 305, 371, 313), 2, size=8)]
    lines += [_line(BODY[:50], (27, 284 + 12 * i, 240, 295 + 12 * i), 3, starts=i == 0) for i in range(8)]
    lines += [_line(BODY, (27, 420 + 12 * i, 373, 431 + 12 * i), 4, starts=i == 0) for i in range(10)]
    drawing = [layout.Element((249, 296, 310, 380), "vector"), layout.Element((258, 329, 300, 362), "vector")]
    pages.append(layout.PageData(3, rect, lines, drawing))
    lay = layout.document_layout(pages)
    for fig in [f for f, _ in regions.locate_page(pages[3], lay)]:
        assert fig.figure_box is not None and fig.figure_box[0] > 200


def test_a_reference_in_bold_ending_a_block_opens_no_caption() -> None:
    """A legend in two columns ends its second column on a cross-reference set in bold, "Figure 7.", alone on the
    block's last row: no label of a caption of its own, so the legend keeps the plots over it."""
    rect = (0, 0, 595, 791)
    pages = _body_data(rect, ((45, 294), (303, 553)), 60, 11, 60, BODY[:60])
    lines = [_line("Figure 8 | Dependence of the activity of three neurons on the", (52, 457, 268, 465), 2, size=7,
                   font="Sans-Bold", starts=True),
             _line("stimulus, with the same colours as before for each estimator", (52, 466, 278, 474), 2, size=7,
                   font="Sans-Bold"),
             _line("and the posterior mean with its confidence intervals as bands", (52, 475, 283, 484), 2, size=7,
                   font="Sans-Light"),
             _line("a Gaussian prior is plotted in red; each plot is in the", (303, 456, 543, 465), 3, size=7,
                   font="Sans-Light", starts=True),
             _line("same order as the neurons of the picture shown in", (303, 466, 529, 474), 3, size=7,
                   font="Sans-Light"),
             layout.Line((303, 475, 332, 484), "Figure 7.", 7, 3, True, True, True, False, "Sans-Bold", "Sans-Bold")]
    lines += [_line(BODY[:60], (45, 521 + 11 * i, 294, 531 + 11 * i), 4, size=9.5, starts=True) for i in range(20)]
    plots = [layout.Element((60 + 160 * k, 70, 200 + 160 * k, 440), "vector") for k in range(3)]
    pages.append(layout.PageData(3, rect, lines, plots))
    lay = layout.document_layout(pages)
    found = [f for f, _ in regions.locate_page(pages[3], lay)]
    assert [f.number for f in found] == ["8"]
    assert found[0].figure_box is not None and found[0].figure_box[1] <= 70


def test_a_column_of_text_in_the_body_size_over_a_caption_is_no_prompt() -> None:
    """Body text set in a font other than the one most of the paper uses, but in the body's size, over a caption
    with nothing else near: a column of paragraphs, not a page of a prompt."""
    doc = pymupdf.open()
    for _ in range(2):
        _paragraph(doc.new_page(), 80, lines=50)
    page = doc.new_page()
    for i in range(50):
        page.insert_text((72, 100 + 12 * i), BODY[:70], fontsize=10, fontname="helv")
    page.insert_text((72, 720), "Figure 9: Results of the aging experiment.", fontsize=9, fontname="tibo")
    assert [f for f in locate_figures(doc) if f.number == "9"] == []


def test_a_bold_caption_row_under_the_figure_s_own_lines_in_one_block_is_a_caption() -> None:
    """A story-action listing in the body's face with its caption, wholly in bold, under it in the same text
    block: the caption opens no paragraph, but a bold row flush under a regular one is a caption."""
    rect = (0, 0, 612, 792)
    pages = _body_data(rect, ((136, 534),), 60, 12.5, 55, BODY)
    lines = [_line(BODY, (136, 80 + 12.5 * i, 534, 92 + 12.5 * i), 1, starts=i == 0) for i in range(18)]
    rows = ["ACT", "Attacked 2", "PRE", "E a b -2 *", "POS", "E b a -3 1", "TEN", "T Lr b a +", "TEXT"]
    lines += [_line(t, (136, 364 + 12 * k, 136 + 6 * len(t), 376 + 12 * k), 2, size=11.0, starts=True)
              for k, t in enumerate(rows)]
    lines.append(_line("@A watched @B closely, then took a dagger and jumped towards @B at once.",
                       (136, 472, 534, 484), 2, size=11.0, starts=True))
    lines.append(layout.Line((136, 484, 348, 496), "Figure 4. A story-action defined in the language.", 11.0, 2,
                             True, True, True, False, "Times-Bold", "Times-Bold"))
    lines += [_line(BODY, (136, 520 + 12.5 * i, 534, 532 + 12.5 * i), 3, starts=i == 0) for i in range(12)]
    pages.append(layout.PageData(3, rect, lines, []))
    lay = layout.document_layout(pages)
    found = [f for f, _ in regions.locate_page(pages[3], lay)]
    assert [f.number for f in found] == ["4"]
    assert found[0].figure_box is not None and found[0].figure_box[1] <= 364
