"""Layouts of the batch 32 dev papers (review copies, two-sided journals, wrapped figures beside display
equations): the text block is learnt per side of a two-sided layout, a review copy's line numbers are no table
cells, a display equation is body text, a journal's logo or rule at its running head is no figure's, a graphical
abstract is no figure, and a side caption beside a drawing across the gutter takes a figure across the page."""

from __future__ import annotations

from arxiv_digest.figures import layout, regions

from .test_unlabelled_37 import _line

BODY = "The shift workers rated the interventions on the same scale as the family members and the managers"
RECT = (0, 0, 595, 842)


def _two_sided(pages: int, even: tuple[float, float], odd: tuple[float, float]) -> list[layout.PageData]:
    """Body text only, in one column that stands at ``even`` on even-indexed pages and ``odd`` on the others."""
    out = []
    for k in range(pages):
        x0, x1 = even if k % 2 == 0 else odd
        out.append(layout.PageData(k, RECT, [_line(BODY[:70], (x0, 80 + 12 * i, x1, 90 + 12 * i), 1 + i // 8,
                                                   starts=i % 8 == 0) for i in range(40)], []))
    return out


def test_a_two_sided_layout_is_learnt_on_each_side_of_the_spread() -> None:
    """A book chapter's text block stands 65 points further left on odd pages: each page gets its own edges, not
    the union of both sides."""
    pages = _two_sided(6, (116, 462), (51, 397))
    lay = layout.document_layout(pages)
    assert round(lay.odd_shift) == -65 and (round(lay.left), round(lay.right)) == (116, 462)
    odd = layout.page_layout(pages[3], lay)
    assert (round(odd.left), round(odd.right)) == (51, 397) and odd.columns == [(odd.left, odd.right)]
    assert layout.page_layout(pages[2], lay) is lay


def test_a_one_sided_layout_with_a_wider_first_page_is_not_two_sided() -> None:
    """Only the left edge moves (a wider abstract on the first page, an overfull line): no shift."""
    pages = _two_sided(6, (72, 523), (72, 523))
    pages[1].lines.append(_line(BODY[:75], (72, 600, 540, 610), 99))
    pages[1].lines.append(_line(BODY[:75], (72, 612, 540, 622), 99))
    assert layout.document_layout(pages).odd_shift == 0.0


def test_a_caption_in_the_outer_margin_of_a_two_sided_page_is_beside_its_figure() -> None:
    """An Emerald journal sets each caption in the page's outer margin, level with the bottom of its figure and
    underlined by a short rule; on an odd page that margin is the right one. The caption is beside its picture in
    the text block: the rule under it is no margin figure."""
    pages = _two_sided(3, (116, 462), (51, 397))
    lines = [_line(BODY[:70], (51, 80 + 12 * i, 397, 90 + 12 * i), 1 + i // 8, starts=i % 8 == 0) for i in range(28)]
    lines += [_line("Figure 1.", (457, 559, 493, 567), 50, size=8.5, font="Times-Bold", styled=True, starts=True),
              _line("Impact of training and", (415, 568, 493, 577), 50, size=8.5),
              _line("family involvement", (426, 578, 493, 586), 50, size=8.5),
              _line("on WFC", (465, 587, 493, 596), 50, size=8.5)]
    graphics = [layout.Element((79, 453, 368, 603), "raster"), layout.Element((402, 602, 493, 602.5), "vector"),
                layout.Element((403, 163, 493, 163.5), "vector")]
    fig = _sole_float(pages, lines, graphics)
    assert fig.number == "1" and fig.figure_box == (77, 451, 370, 605)  # the picture, padded by 2 points


def _sole_float(pages: list[layout.PageData], lines: list[layout.Line],
                graphics: list[layout.Element]) -> regions.LocatedFigure:
    """The one float located on a page of ``lines`` and ``graphics`` that follows ``pages``."""
    page = layout.PageData(len(pages), RECT, lines, graphics)
    pages.append(page)
    (fig,) = [f for f, _ in regions.locate_page(page, layout.page_layout(page, layout.document_layout(pages)))]
    return fig


def _two_column_rows(top: float, rows: int, block: int, xs: tuple[float, float] = (56, 307),
                     w: float = 235) -> list[layout.Line]:
    """Body text in two columns starting at ``xs``, ``w`` wide, ``rows`` lines each from ``top``."""
    return [_line(BODY[:45], (x, top + 12 * i, x + w, top + 10 + 12 * i), block + c, starts=True)
            for c, x in enumerate(xs) for i in range(rows)]


def _numbered_page(numbers_x: float, size: float) -> list[layout.Line]:
    """A review copy's page: body text in one column (26-391), each line numbered at ``numbers_x`` in ``size``."""
    lines = []
    for i in range(50):
        y = 60 + 12 * i
        lines.append(_line(str(300 + i), (numbers_x, y + 1, numbers_x + 13, y + 9), 200 + i, size=size,
                           font="Helvetica-Bold"))
    return lines


def test_a_review_copys_line_numbers_in_a_large_type_are_not_table_cells() -> None:
    """BMVC numbers every line of a review copy at 0.8 of the body size, in the margin beside the text: a
    table's rows stop at the body text under its notes, and its crop holds no line numbers."""
    pages = _two_sided(3, (26, 391), (26, 391))
    lines = _numbered_page(396, 8.0)
    lines.append(_line("Table 2: ImageNet pruning comparison", (120, 60, 300, 70), 1, styled=True, starts=True))
    for r in range(12):
        y = 76 + 12 * r
        lines += [_line(f"VGG-{r}", (50, y, 90, y + 9), 2 + r), _line("93.76", (150, y, 180, y + 9), 2 + r),
                  _line("62.99", (230, y, 260, y + 9), 2 + r), _line("94.34", (320, y, 350, y + 9), 2 + r)]
    lines.append(_line("* indicates our implementation.", (60, 222, 250, 230), 30, size=8))
    lines += [_line(BODY[:70], (26, 240 + 12 * i, 391, 250 + 12 * i), 31, starts=i == 0) for i in range(20)]
    graphics = [layout.Element((40, 73, 370, 73.5), "vector"), layout.Element((40, 220, 370, 220.5), "vector")]
    table = _sole_float(pages, lines, graphics)
    assert regions._line_ladder(pages[3], layout.document_layout(pages)) == set(range(50))
    assert table.number == "2" and table.bbox[3] < 240 and table.bbox[2] < 396


def test_a_listings_line_numbers_inside_the_text_column_are_no_ladder() -> None:
    """Numbered lines of a code listing stand inside the column, crossed by the body text over and under the
    listing: they are the listing's, not a review copy's."""
    pages = _two_sided(3, (72, 523), (72, 523))
    lines = [_line(BODY[:80], (72, 60 + 12 * i, 523, 70 + 12 * i), 1, starts=i == 0) for i in range(10)]
    lines += [_line(str(k + 1), (80, 190 + 10 * k, 88, 198 + 10 * k), 10 + k, size=7) for k in range(12)]
    lines += [_line("x = compute(y)", (95, 190 + 10 * k, 200, 198 + 10 * k), 10 + k, size=8, font="Courier")
              for k in range(12)]
    page = layout.PageData(3, RECT, lines, [])
    assert regions._line_ladder(page, layout.document_layout([*pages, page])) == set()


def test_a_display_equation_over_a_wrapped_figure_is_body_text() -> None:
    """A wrapped figure in the right column sits under a display equation numbered "(7)" at the column's edge,
    a few points above its plot: the equation is the body's, not the figure's."""
    pages = [layout.PageData(k, RECT, [_line(BODY[:45], (x, 80 + 12 * i, x + 237, 90 + 12 * i), c, starts=True)
                                       for c, x in enumerate((55, 307)) for i in range(50)], []) for k in range(3)]
    lines = [_line(BODY[:45], (307, 300 + 12 * i, 544, 310 + 12 * i), 1, starts=i == 0) for i in range(5)]
    lines += [_line("(1 - u)2/h <= a <= (1 + u)2/h.", (352, 367, 497, 391), 2, font="CMR10"),
              _line("(7)", (530, 374, 542.4, 384), 3)]
    lines += [_line(BODY[:20], (307, 398 + 12 * i, 413, 408 + 12 * i), 4, starts=i == 0) for i in range(13)]
    lines += [_line("Figure 2. Spectral radius of the", (429, 521, 541, 530), 5, size=9, styled=True, starts=True),
              _line("momentum operator on scalar", (429, 531, 541, 540), 5, size=9),
              _line("quadratics for varying rates.", (429, 542, 515, 551), 5, size=9)]
    lines += [_line("0.0  0.5  1.0  1.5  2.0", (449, 491, 540, 498), 6, size=7),
              _line("Learning rate", (465, 500, 524, 509), 7, size=7)]
    graphics = [layout.Element((454, 400, 536, 488), "vector")]
    fig = _sole_float(pages, lines, graphics)
    assert fig.number == "2" and fig.figure_box is not None and fig.figure_box[1] >= 395


def test_regression_table_column_heads_are_no_equation_numbers() -> None:
    """A regression table's heads "(1) (2) (3)" end at the column's edge: several numbers on one row are no
    display equation."""
    lines = [_line(f"({k + 1})", (200 + 100 * k, 100, 214 + 100 * k, 110), 1) for k in range(3)]
    lines[-1] = _line("(3)", (509, 100, 523, 110), 1)
    page = layout.PageData(0, RECT, lines, [])
    pages = _two_sided(3, (72, 523), (72, 523))
    assert regions._display_equations(page, layout.document_layout(pages)) == set()


def test_a_journal_logo_over_the_running_head_is_no_part_of_the_figure_under_it() -> None:
    """A Wiley journal draws its logo over the running head's web address on every page, a few points above a
    figure at the page's top: the logo belongs to the head."""
    pages = []
    for k in range(4):
        lines = [_line("www.advancedsciencenews.com", (51, 42.7, 157, 52.3), 0, size=8),
                 _line("www.advenergymat.de", (474, 42.7, 547, 52.3), 0, size=8)]
        lines += _two_column_rows(80, 55, 1, (48, 303), 240)
        pages.append(layout.PageData(k, RECT, lines, [layout.Element((51, 14, 160, 40), "vector"),
                                                      layout.Element((440, 14, 547, 40), "vector")]))
    lines = pages[0].lines[:2]
    lines.append(_line("Figure 3. Acidic performance of the electrode at several current densities.",
                       (51, 240, 548, 249), 3, size=8, styled=True, starts=True))
    lines += _two_column_rows(270, 35, 4, (48, 303), 240)
    graphics = [layout.Element((51, 14, 160, 40), "vector"), layout.Element((440, 14, 547, 40), "vector"),
                layout.Element((53, 58, 545, 232), "raster")]
    fig = _sole_float(pages, lines, graphics)
    assert fig.number == "3" and fig.figure_box == (51, 56, 547, 234)  # the picture, padded by 2 points


def test_a_graphical_abstract_under_its_heading_is_no_figure() -> None:
    """A journal's first page prints an uncaptioned picture under a "Graphical Abstract" heading: the paper's
    advert, not one of its figures; the same picture without the heading is an uncaptioned figure."""
    pages = _two_sided(3, (48, 570), (48, 570))
    lines = [_line(BODY[:70], (48, 80 + 12 * i, 570, 90 + 12 * i), 1, starts=i == 0) for i in range(30)]
    picture = layout.Element((58, 484, 540, 702), "raster")
    heading = _line("Graphical Abstract", (48, 460, 146, 471), 7, size=11.5, font="CMSSBX10")
    with_heading = layout.PageData(0, RECT, [*lines, heading], [picture])
    without = layout.PageData(0, RECT, lines, [picture])
    lay = layout.document_layout([*pages, with_heading])
    assert regions.locate_page(with_heading, lay) == []
    assert [f.number for f, _ in regions.locate_page(without, lay)] == [None]


def _two_column_pages(head: str) -> list[layout.PageData]:
    """Three pages of a two-column paper (56-291, 307-543) with a running head ``head`` at the top and a rule
    under it; on the first, the text starts a few points under the rule."""
    return [layout.PageData(k, RECT, [_line(head, (207, 47, 390, 56), 0, size=9), *_two_column_rows(top, 50, 1)],
                            [layout.Element((55, 58, 541, 58.5), "vector")]) for k, top in enumerate((63, 80, 80))]


def test_the_rule_under_a_running_head_is_no_part_of_the_figure_under_it() -> None:
    """ICML sets a rule under the running title; a figure at the top of the page starts a line's height under it:
    the rule is the head's, not the figure's top edge."""
    pages = _two_column_pages("Momentum Tuning for Asynchronous Training")
    lines = [pages[0].lines[0], _line("Figure 11. Training loss for two residual networks.", (83, 220, 510, 229), 5,
                                      size=9, styled=True, starts=True)]
    lines += _two_column_rows(250, 35, 6)
    graphics = [layout.Element((55, 58, 541, 58.5), "vector"), layout.Element((100, 66, 280, 200), "vector"),
                layout.Element((330, 66, 510, 200), "vector")]
    fig = _sole_float(pages, lines, graphics)
    assert fig.number == "11" and fig.figure_box is not None and fig.figure_box[1] >= 62


def test_a_side_caption_beside_a_drawing_across_the_gutter_takes_the_figure_across_the_page() -> None:
    """A Springer flowchart spans both columns under a short caption at the text block's top left; its first box
    stands level with the caption and crosses the gutter: the figure is the whole flowchart, not the left
    column's half."""
    pages = _two_column_pages("Psychopharmacology (2017) 234:403-420")
    lines = [pages[0].lines[0], _line("Fig. 1 Flowchart of study", (56, 72, 138, 81), 5, size=8.5, styled=True,
                                      starts=True), _line("protocol", (56, 82, 84, 91), 5, size=8.5)]
    lines += _two_column_rows(560, 12, 6)
    graphics = [layout.Element((245, 72, 318, 108), "vector")]
    graphics += [layout.Element((x, 120 + 60 * k, x + 90, 160 + 60 * k), "vector")
                 for k in range(7) for x in (170, 270, 420)]
    fig = _sole_float(pages, lines, graphics)
    assert fig.number == "1" and fig.figure_box is not None and fig.figure_box[2] >= 510


def test_a_table_caption_in_the_outer_margin_of_a_two_sided_page_is_beside_its_table() -> None:
    """The same journal captions its tables in the outer margin too, level with the table's top row and
    underlined: the table is found beside the caption, not the lone rule under it."""
    pages = _two_sided(3, (116, 462), (51, 397))
    lines = [_line("Table III.", (457, 84, 493, 92), 50, size=8.5, font="Times-Bold", styled=True, starts=True),
             _line("Interaction effects", (420, 93, 493, 102), 50, size=8.5),
             _line("of training on WFC", (423, 103, 493, 112), 50, size=8.5)]
    for r in range(10):
        y = 86 + 14 * r
        lines += [_line(f"Site {r}", (51, y, 100, y + 9), 2 + r, size=9), _line("2.41", (200, y, 225, y + 9), 2 + r,
                                                                             size=9),
                  _line("0.05", (300, y, 325, y + 9), 2 + r, size=9)]
    lines += [_line(BODY[:70], (51, 250 + 12 * i, 397, 260 + 12 * i), 20, starts=i == 0) for i in range(30)]
    graphics = [layout.Element((51, 82, 397, 82.5), "vector"), layout.Element((51, 228, 397, 228.5), "vector"),
                layout.Element((402, 114, 493, 114.5), "vector")]
    table = _sole_float(pages, lines, graphics)
    assert table.number == "III" and table.figure_box is not None and table.figure_box[3] >= 226
