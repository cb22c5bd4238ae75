"""Layouts found in unlabelled papers at stop 27: two captions side by side run into one text block, captions set
just under the text area, code and pseudocode whose neighbours took their space, a grammar of tall formulas;
each drawn here in miniature (or, where PyMuPDF's grouping is the point, given as lines)."""

from __future__ import annotations

from dataclasses import replace

import pymupdf

from arxiv_digest.figures import layout, locate_figures, regions
from arxiv_digest.models import FigureKind

from .common import BODY, iou
from .common import plot as _plot
from .test_batches_24_25 import _png
from .test_batches_30 import _body_pages, _column


def _line(text: str, box: tuple[float, float, float, float], block: int, *, size: float = 10.0,
          font: str = "Times", styled: bool = False, starts: bool = False) -> layout.Line:
    return layout.Line(box, text, size, block, True, styled, styled, starts, font, font)


def _found(doc: pymupdf.Document) -> list:
    return locate_figures(pymupdf.open(stream=doc.tobytes(), filetype="pdf"))


def _body_data(rect: tuple[float, float, float, float], columns: tuple[tuple[float, float], ...], top: float,
               step: float, rows: int, text: str) -> list[layout.PageData]:
    """Three pages of body text given as lines, ten points tall, a block per column, each line opening a
    paragraph: the pages a test's layout is learnt from."""
    return [layout.PageData(k, rect, [_line(text, (x0, top + step * i, x1, top + step * i + 10), c, starts=True)
                                      for c, (x0, x1) in enumerate(columns) for i in range(rows)], [])
            for k in range(3)]


def _assert_one_figure(doc: pymupdf.Document, number: str, top: float, bottom: float) -> None:
    """The document holds one float, figure ``number``, whose graphic reaches from ``top`` or higher down to
    ``bottom`` or lower."""
    (fig,) = _found(doc)
    assert fig.number == number and fig.figure_box is not None
    assert fig.figure_box[1] <= top and fig.figure_box[3] >= bottom


def test_a_line_back_up_at_the_top_of_the_next_column_starts_a_paragraph() -> None:
    """PyMuPDF may run two side-by-side captions into one block, the left one's lines first: the right one's
    first line goes back up and to the right, and opens a paragraph (its caption)."""
    lines = [_line("Fig. 2 The frequency of checks across both trials", (51, 697, 288, 706), 9, styled=True),
             _line("with standard error bars", (51, 707, 211, 716), 9),
             _line("Fig. 3 The frequency of threats across both trials", (306, 697, 544, 706), 9, styled=True),
             _line("and their standard error bars", (306, 707, 507, 716), 9)]
    layout.mark_paragraph_starts(lines, (51, 697, 544, 716))
    assert [ln.starts_para for ln in lines] == [True, True, True, False]


def test_two_figures_side_by_side_captioned_in_one_block_are_two() -> None:
    """Two plots side by side, each captioned under it, the captions given as one block (as PyMuPDF reads some
    journals' PDFs): each caption finds its own plot."""
    body = "Seals that were released in the harbour returned to the same rocks within a week of the survey"
    pages = [layout.PageData(k, (0, 0, 595, 791), [_line(body, (51, 60 + 12 * i, 288, 70 + 12 * i), 0)
                                                   for i in range(55)]
                             + [_line(body, (306, 60 + 12 * i, 544, 70 + 12 * i), 1) for i in range(55)], [])
             for k in range(3)]
    lines = [_line(body, (51, 60 + 12 * i, 288, 70 + 12 * i), 0) for i in range(30)]
    lines += [_line(body, (306, 60 + 12 * i, 544, 70 + 12 * i), 1) for i in range(30)]
    caption = [_line("Fig. 2 The frequency of checks across both trials", (51, 697, 288, 706), 2, size=8.5,
                     styled=True),
               _line("with standard error bars", (51, 707, 211, 716), 2, size=8.5),
               _line("Fig. 3 The frequency of threats across both trials", (306, 697, 544, 706), 2, size=8.5,
                     styled=True),
               _line("and their standard error bars", (306, 707, 507, 716), 2, size=8.5)]
    layout.mark_paragraph_starts(caption, (51, 697, 544, 716))
    graphics = [layout.Element((52, 476, 289, 692), "raster"), layout.Element((307, 476, 544, 692), "raster")]
    pages.append(layout.PageData(3, (0, 0, 595, 791), lines + caption, graphics))
    lay = layout.document_layout(pages)

    found = sorted((f.number, f.figure_box) for f, _ in regions.locate_page(pages[3], lay))
    assert [n for n, _ in found] == ["2", "3"]
    assert found[0][1] is not None and iou(found[0][1], (52, 476, 289, 692)) > 0.9
    assert found[1][1] is not None and iou(found[1][1], (307, 476, 544, 692)) > 0.9


def test_a_caption_under_the_text_area_set_like_the_body_with_a_colon() -> None:
    """A figure filling the page down to the foot of the text area, its "Figure 8:" caption in the body's own
    type just under it, where page numbers stand: the caption is the figure's, not the footer."""
    doc, page = _body_pages((72,), pages=3, width=440)
    picture = pymupdf.Rect(90, 80, 520, 752)
    page.insert_image(picture, stream=_png(300, 460))
    page.insert_text((90, 772), "Figure 8: Examples of the final texture mapping output.", fontsize=9,
                     fontname="tiro")

    (fig,) = _found(doc)
    assert fig.number == "8" and fig.caption_box is not None and fig.caption_box[1] >= 760
    assert fig.figure_box is not None and iou(fig.figure_box, tuple(picture)) > 0.95


def test_a_footer_line_opening_with_a_label_and_no_colon_stays_a_footer() -> None:
    """The same page with "Figure 8 shows ..." under the picture: a sentence, which stays out of the crop."""
    doc, page = _body_pages((72,), pages=3, width=440)
    page.insert_image(pymupdf.Rect(90, 80, 520, 752), stream=_png(300, 460))
    page.insert_text((90, 772), "Figure 8 shows the final texture mapping output.", fontsize=9, fontname="tiro")

    (fig,) = _found(doc)
    assert fig.number is None and fig.bbox[3] < 760


def _ruled_table(page: pymupdf.Page, top: float) -> float:
    """A "Table 1" captioned above ruled rows in the left column; returns its last rule's height."""
    page.insert_text((54, top), "Table 1: Bugs fixed, per subject program.", fontsize=9, fontname="tiro")
    y = top + 12
    for row in range(6):
        page.draw_line((54, y), (295, y), width=0.5)
        page.insert_text((58, y + 9), f"prog{row}   {row + 3}   {row * 7}s   yes", fontsize=8, fontname="tiro")
        y += 12
    page.draw_line((54, y), (295, y), width=0.5)
    return y


def test_code_under_a_ruled_table_keeps_its_figure_when_the_table_takes_the_rules() -> None:
    """A numbered code listing under a ruled table, captioned under it as a figure: the table's rules face both
    captions and go to the table, and the listing is the figure."""
    doc, page = _body_pages((54, 318), pages=3, width=235, lines=62)
    last = _ruled_table(page, 84)
    code = ["if (a > b) {", "  m = b;", "} else {", "  m = a;", "}", "print(m);"]
    y = last + 14
    for k, stmt in enumerate(code, 1):
        page.insert_text((54, y), f"{k}", fontsize=6, fontname="cour")
        page.insert_text((70, y), stmt, fontsize=7, fontname="cour")
        y += 8
    page.insert_text((54, y + 10), "Figure 4: A fix for the smallest program.", fontsize=9, fontname="tiro")
    _column(page, 318, 84, 60, width=235)

    found = {f.number: f for f in _found(doc)}
    assert set(found) == {"1", "4"}
    listing = found["4"].figure_box
    assert listing is not None and listing[1] > last - 2 and listing[3] >= y - 10
    assert found["1"].bbox[3] < last + 6


def test_pseudocode_far_over_its_caption() -> None:
    """Numbered pseudocode in a bold and italic type, its "Fig. 5." caption almost four lines under it (an ACM
    figure's caption skip): a text figure."""
    doc, page = _body_pages((46,), pages=3, width=400, size=10, step=12)
    y = 96.0
    for k in range(1, 13):
        page.insert_text((52, y), f"{k}:", fontsize=8, fontname="tiro")
        page.insert_text((78 + 14 * (k % 3), y), " ".join(BODY.split()[k % 5:k % 5 + 4]), fontsize=10,
                         fontname="tibo" if k % 2 else "tiit")
        y += 12
    page.insert_text((180, y + 44), "Fig. 5. Main Synthesis Algorithm.", fontsize=9, fontname="helv")
    _column(page, 46, y + 78, 30, width=400, size=10, step=12)

    _assert_one_figure(doc, "5", 90, y - 14)


def test_pseudocode_over_its_caption_when_the_next_figure_lies_under_it() -> None:
    """Numbered lines in an italic type over "Figure 4:", a diagram under that caption and "Figure 5:" under
    the diagram: the diagram is figure 5's, and figure 4 is the text over its caption."""
    doc, page = _body_pages((54, 318), pages=3, width=235, lines=62)
    _column(page, 54, 84, 60, width=235)
    y = 96.0
    for k in range(1, 11):
        page.insert_text((322, y), f"{k}", fontsize=5, fontname="tiro")
        page.insert_text((336 + 10 * (k % 3), y), f"(declare-var m{k} Int) (assert (> m{k} 0))", fontsize=8,
                         fontname="tiit")
        y += 11
    page.insert_text((318, y + 10), "Figure 4: A script generated for the example.", fontsize=9, fontname="tibo")
    diagram = pymupdf.Rect(340, y + 40, 540, y + 160)
    _plot(page, diagram)
    page.insert_text((324, diagram.y1 + 14), "Figure 5: Search space layers.", fontsize=9, fontname="tibo")

    found = {f.number: f for f in _found(doc)}
    assert set(found) == {"4", "5"}
    assert found["4"].figure_box is not None and found["4"].figure_box[1] <= 90
    assert found["4"].figure_box[3] <= y + 2
    assert found["5"].figure_box is not None and iou(found["5"].figure_box, tuple(diagram)) > 0.8


def test_a_grammar_of_tall_formulas_is_two_rows_not_one() -> None:
    """Two grammar rules at the head of the page over "Figure 2", each line's box as tall as a formula's glyph
    boxes make it, so that the boxes of the two rows overlap: still two rows, a text figure."""
    body = "Researchers have explored various hybrid approaches which incorporate holes in structure editors"
    pages = _body_data((0, 0, 612, 792), ((89, 508),), 100, 12, 50, body)
    head = [_line("HTyp :", (112, 100, 140, 110), 1, font="Sans"), _line("t", (148, 100, 152, 110), 1),
             _line("::=", (161, 100, 175, 110), 1), _line("t -> t | num | ( )", (183, 100, 251, 119), 1),
             _line("HExp :", (112, 113, 140, 123), 1, font="Sans"), _line("e", (148, 113, 153, 123), 1),
             _line("::= x | lam x.e | e(e) | n | e + e", (161, 113, 364, 132), 1),
             _line("Figure 2 Syntax of H-types and H-expressions.", (122, 136, 428, 145), 2, size=9,
                   font="Sans-Bold", styled=True)]
    lines = [replace(ln, starts_para=True) for ln in head]
    lines += [_line(body, (89, 170 + 12 * i, 508, 180 + 12 * i), 3, starts=True) for i in range(40)]
    pages.append(layout.PageData(3, (0, 0, 612, 792), lines, []))
    lay = layout.document_layout(pages)

    found = [f for f, _ in regions.locate_page(pages[3], lay)]
    assert [(f.kind, f.number) for f in found] == [(FigureKind.FIGURE, "2")]
    assert found[0].figure_box is not None and found[0].figure_box[1] <= 100 and found[0].figure_box[3] >= 130


def test_a_caption_over_its_plot_with_a_hanging_indent_and_loose_rows() -> None:
    """"Figure 1" set on its own, the title beside it in bold and two more rows flush with the title, spaced out
    by the inline math they hold: all three rows are the caption, and the plot under it is its figure."""
    doc, page = _body_pages((72,), pages=3, width=460, size=11, step=13)
    page.insert_text((72, 88), "Figure 1", fontsize=9, fontname="hebo")
    page.insert_text((123, 88), "Visual depiction of the optimal policy when the arrival rate is", fontsize=9,
                     fontname="hebo")
    page.insert_text((123, 107), "low and the service rate is high; value iteration with a horizon of", fontsize=9,
                     fontname="tiro")
    page.insert_text((123, 125), "one hundred steps finds the policy.", fontsize=9, fontname="tiro")
    plot = pymupdf.Rect(190, 150, 430, 330)
    _plot(page, plot)
    _column(page, 72, 370, 25, width=460, size=11, step=13)

    (fig,) = _found(doc)
    assert fig.number == "1" and fig.caption_box is not None and fig.caption_box[3] >= 124
    assert fig.figure_box is not None and iou(fig.figure_box, tuple(plot)) > 0.8


def test_a_line_of_code_left_of_a_centred_caption_is_no_wrapped_text() -> None:
    """Monospaced code ending left of a centred caption's first word: the listing, not text wrapped around the
    caption that would narrow its range."""
    doc, page = _body_pages((54, 310), pages=3, width=240, lines=62)
    _column(page, 54, 84, 18, width=240)
    y = 300.0
    for k, stmt in enumerate(["-- Functor", "instance Functor Behavior where", "  fmap = lift1", "",
                              "instance Applicative Behavior where", "  pure = lift", "  (<*>) = lift2 ($)"]):
        if stmt:
            page.insert_text((54 if k % 4 == 1 else 66, y), stmt, fontsize=9, fontname="cour")
        y += 11
    page.insert_text((186, y + 8), "Figure 2. Semantic instances for behaviors", fontsize=9, fontname="tibo")
    _column(page, 54, y + 40, 25, width=240)
    _column(page, 310, y + 40, 25, width=240)

    (fig,) = _found(doc)
    assert fig.number == "2" and fig.figure_box is not None and fig.figure_box[0] <= 56
    assert fig.figure_box[1] <= 300


def _numbered_code(page: pymupdf.Page, rows: int, *, x: float = 72, numbers_x: float = 60) -> float:
    """``rows`` rows of code in a small proportional type, each numbered in a smaller type to its left; returns
    the last row's baseline."""
    y = 76.0
    for k in range(1, rows + 1):
        page.insert_text((numbers_x, y), f"{k}", fontsize=6, fontname="tiro")
        page.insert_text((x + 6 * (k % 4), y), " ".join(BODY.split()[k % 6:k % 6 + 5]) + ";", fontsize=8,
                         fontname="tibo" if k % 5 == 0 else "tiro")
        y += 9.5
    return y - 9.5


def test_pseudocode_filling_a_column_its_rows_numbered_in_the_margin() -> None:
    """Sixty rows of code in a small type, numbered just left of the text area, over their caption: a figure,
    however long."""
    doc, page = _body_pages((72, 315), pages=3, width=225, size=10, step=12)
    last = _numbered_code(page, 60)
    page.insert_text((83, last + 18), "Figure 6: Pseudocode for the transaction protocol.", fontsize=8,
                     fontname="hebo")
    _column(page, 315, 80, 55, width=225, size=10, step=12)

    _assert_one_figure(doc, "6", 72, last - 2)


def test_legends_numbered_like_a_manuscripts_lines_are_no_listing() -> None:
    """A manuscript's list of figures in a smaller type than its double-spaced body, every row numbered in the
    margin (the last legend's too): the entries above the last legend, which has no page number, are no
    listing of it."""
    body = "Adaptive beamformers lose most of their gain when the array is miscalibrated and the loss grows"
    pages = [layout.PageData(k, (0, 0, 612, 792), [_line(body, (95, 80 + 24 * i, 520, 92 + 24 * i), i,
                                                         size=12, starts=True) for i in range(28)], [])
             for k in range(3)]
    lines: list[layout.Line] = []
    y, block = 80.0, 0
    for k in range(48):
        lines.append(_line(f"{700 + k}", (35, y + 2, 43, y + 7), block, size=4.8, font="Sans", starts=True))
        if k % 8 == 0:
            block += 1
            lines.append(_line(f"Fig. {k // 8 + 1}.", (53, y, 81, y + 10), block, size=10.5, font="Times-Bold",
                               styled=True, starts=True))
        lines.append(_line(body[:70], (95, y, 477, y + 10), block, size=10.5, starts=k % 8 == 0))
        if k % 8 == 7:  # the legend's last row runs over a dot leader to its page number
            lines += [_line(".", (341 + 16 * d, y, 344 + 16 * d, y + 10), block, size=10.5) for d in range(10)]
            lines.append(_line("50", (511, y, 521, y + 10), block, size=10.5))
        y += 12
    lines.append(_line("748", (35, y + 2, 43, y + 7), block + 1, size=4.8, font="Sans", starts=True))
    lines.append(_line("Fig. 7.", (53, y, 81, y + 10), block + 1, size=10.5, font="Times-Bold", styled=True,
                       starts=True))
    lines.append(_line("Difference between the predicted and the observed daily maximum", (95, y, 477, y + 10),
                       block + 1, size=10.5))
    pages.append(layout.PageData(3, (0, 0, 612, 792), lines, []))
    lay = layout.document_layout(pages)

    assert [f for f, _ in regions.locate_page(pages[3], lay) if f.number == "7"] == []


def test_a_bold_caption_run_on_from_a_row_of_sub_captions() -> None:
    """Three plots with "(a)", "(b)", "(c)" under them and "Figure 3." in bold right under that row, the last
    sub-caption and the caption one block, the caption's first line not read as a paragraph's start: still the
    caption of the three."""
    body = "Differential privacy bounds what any single record can change in the released statistics of a survey"
    pages = [layout.PageData(k, (0, 0, 612, 792), [_line(body, (72, 80 + 14 * i, 540, 91 + 14 * i), i,
                                                         size=10.9, starts=True) for i in range(48)], [])
             for k in range(3)]
    subs = [_line("(a) Marginal frequencies", (95, 199, 230, 208), 4, starts=True),
            _line("(b) Marginal counts", (262, 199, 372, 208), 4, starts=True),
            _line("(c) Total loss", (427, 199, 509, 208), 5),
            _line("Figure 3. Effect of the different parameters for single", (88, 213, 524, 223), 5, font="CMBX10",
                  styled=True),
            _line("utility at the smallest budget", (88, 224, 255, 234), 5)]
    layout.mark_paragraph_starts(subs[2:], (88, 199, 524, 234))
    lines = subs + [_line(body, (72, 258 + 14 * i, 540, 269 + 14 * i), 6 + i, size=10.9, starts=True)
                    for i in range(30)]
    plots = [(92, 84, 232, 195), (258, 84, 376, 195), (424, 84, 530, 195)]
    pages.append(layout.PageData(3, (0, 0, 612, 792), lines, [layout.Element(b, "vector") for b in plots]))
    lay = layout.document_layout(pages)

    found = [f for f, _ in regions.locate_page(pages[3], lay)]
    assert [(f.kind, f.number) for f in found] == [(FigureKind.FIGURE, "3")]
    assert found[0].figure_box is not None and found[0].figure_box[1] <= 86 and found[0].figure_box[2] >= 528


def test_pseudocode_in_the_body_type_numbered_by_bare_numbers() -> None:
    """An algorithm at the head of a column in the body's own type, its fifteen rows numbered "1" to "15" on their
    own at the left: an algorithm longer than a text figure in the body's type may run, numbered as it is."""
    doc, page = _body_pages((54, 318), pages=3, width=240, size=10, step=12)
    _column(page, 54, 80, 55, width=240, size=10, step=12)
    page.insert_text((318, 80), "FindLeakPaths(G)", fontsize=10, fontname="tiro")
    y = 94.0
    for k in range(1, 16):
        page.insert_text((322 if k < 10 else 317, y), f"{k}", fontsize=10, fontname="tiro")
        page.insert_text((336 + 20 * (k % 3), y), " ".join(BODY.split()[k % 5:k % 5 + 4]), fontsize=10,
                         fontname="tibo" if k % 4 == 0 else "tiro")
        y += 12
    page.insert_text((318, y + 16), "Figure 5. The paths through the heap to leaking nodes.", fontsize=10,
                     fontname="tibo")
    _column(page, 318, y + 50, 30, width=240, size=10, step=12)

    _assert_one_figure(doc, "5", 72, y - 14)


def test_the_last_panels_sub_caption_over_the_caption_is_no_body_text() -> None:
    """Two heat maps, each with its sub-caption, the second's class names under it and its "(b) ..." off centre
    and nearly as wide as the column right over "Figure 6:": a panel's sub-caption, not body text closing the
    figure off from its caption."""
    body = "Impact of the frequency of each class on the learning process of networks trained on the reduced set"
    pages = _body_data((0, 0, 612, 792), ((50, 286), (309, 545)), 74, 12, 53, body[:60])
    lines = [_line(body[:60], (50, 74 + 12 * i, 286, 84 + 12 * i), 2, starts=True) for i in range(53)]
    lines += [_line("(a) Precision of each class in the first iterations.", (336, 312, 520, 321), 3, size=9,
                    starts=True),
              *(_line(name, (330 + 12 * k, 387, 340 + 12 * k, 408), 7 + k, size=4.8, starts=True)
                for k, name in enumerate(["Airliner", "Wagon", "Bird", "Cat", "Ox", "Frog", "Zebra", "Ship"])),
              _line("(b) Recall of each class in the first 1200 iterations).", (341, 419, 525, 429), 4, size=9,
                    starts=True),
              _line("Figure 6: Precision and recall rates of the network trained", (309, 440, 545, 450), 5,
                    starts=True),
              _line("on the reduced set for the first iterations.", (309, 452, 480, 462), 5)]
    lines += [_line(body[:60], (309, 490 + 12 * i, 545, 500 + 12 * i), 20 + i, starts=True) for i in range(18)]
    maps = [layout.Element((316, 230, 540, 308), "raster"), layout.Element((316, 326, 540, 385), "raster")]
    pages.append(layout.PageData(3, (0, 0, 612, 792), lines, maps))
    lay = layout.document_layout(pages)

    found = [f for f, _ in regions.locate_page(pages[3], lay)]
    assert [f.number for f in found] == ["6"]
    assert found[0].figure_box is not None and found[0].figure_box[1] <= 232
    caption = {i for i, ln in enumerate(lines) if ln.text.startswith(("Figure 6", "on the reduced"))}
    prose = regions._prose_lines(pages[3], lay, caption, set())
    assert not any(lines[i].text.startswith("(b)") for i in prose)


def _diagram_page(caption: str) -> list:
    """A diagram in a single-column page of 12-point body text, ``caption`` under it in the body's own type,
    centred; returns what is found on that page."""
    doc, page = _body_pages((57,), pages=3, width=480, size=12, step=14)
    _column(page, 57, 80, 4, width=480, size=12, step=14)
    diagram = pymupdf.Rect(115, 140, 490, 370)
    _plot(page, diagram)
    page.insert_text((138, 390), caption, fontsize=12, fontname="tiro")
    _column(page, 57, 420, 20, width=480, size=12, step=14)
    return [f for f in _found(doc) if f.page == page.number]


def test_a_caption_without_delimiter_or_style_titled_right_under_its_figure() -> None:
    """"Figure 2 A layered application ..." in the body's type, with no colon, right under its diagram: a caption,
    as its title opens with a capital."""
    (fig,) = _diagram_page("Figure 2 A layered application with its software servers")
    assert fig.number == "2" and fig.caption_box is not None and fig.caption_box[1] >= 375


def test_a_sentence_opening_with_a_figure_label_under_a_graphic_is_no_caption() -> None:
    """"Figure 2 shows ..." right under a diagram: a sentence of the body, which does not number the diagram."""
    assert [f.number for f in _diagram_page("Figure 2 shows one layered application with its servers")
            if f.number is not None] == []


def test_a_listing_numbered_in_the_body_size() -> None:
    """Monospaced code whose rows are numbered in the body's own size, over its caption: a code listing (the
    numbers used to end it where they are not smaller than the body)."""
    doc, page = _body_pages((54, 318), pages=3, width=240, size=9, step=11)
    _column(page, 54, 80, 60, width=240, size=9, step=11)
    _column(page, 318, 80, 20, width=240, size=9, step=11)
    y = 310.0
    for k in range(40, 56):
        page.insert_text((318, y), f"{k}", fontsize=9, fontname="tiro")
        if k % 4:
            page.insert_text((345 + 9 * (k % 3), y), f"ofp.observe(x{k})", fontsize=9, fontname="cour")
        y += 11
    page.insert_text((344, y + 10), "Figure 3: Result of the reactive translation.", fontsize=9, fontname="tiro")
    _column(page, 318, y + 40, 18, width=240, size=9, step=11)

    _assert_one_figure(doc, "3", 305, y - 14)


def test_code_in_a_small_type_right_under_a_paragraph() -> None:
    """A few lines of code in a small proportional type, a little more than a line under the paragraph before
    them, over their caption: the code is the figure, the paragraph is not."""
    doc, page = _body_pages((54, 314), pages=3, width=240, size=9.5, step=11)
    _column(page, 54, 80, 60, width=240, size=9.5, step=11)
    last = _column(page, 314, 80, 30, width=240, size=9.5, step=11) - 11
    y = last + 22
    for k, stmt in enumerate(["if (num1 > num2) {...}", "else{", "big = num2;", "small = num2;",
                              "small = 6; // by the tool", "}"], 1):
        page.insert_text((314, y), f"{k}", fontsize=4.7, fontname="tiro")
        page.insert_text((330 + 6 * (0 < k % 5 < 4), y), stmt, fontsize=7.6, fontname="tiro")
        y += 9.5
    page.insert_text((314, y + 12), "Fig. 3: Patches generated by the synthesis engine.", fontsize=9.5,
                     fontname="tiro")
    _column(page, 314, y + 40, 12, width=240, size=9.5, step=11)

    (fig,) = _found(doc)
    assert fig.number == "3" and fig.figure_box is not None
    assert last + 2 < fig.figure_box[1] <= last + 16 and fig.figure_box[3] >= y - 12


def test_a_titled_caption_under_a_plots_tick_labels() -> None:
    """"Figure 2 Examples ..." in the body's type under a plot whose tick labels stand between the two: the
    labels count as the plot's, so the caption is right by it."""
    doc, page = _body_pages((130,), pages=3, width=335, size=10, step=13)
    plot = pymupdf.Rect(152, 125, 277, 250)
    page.draw_rect(plot, color=(0, 0, 0), width=0.6)
    page.draw_line((160, 140), (260, 230), color=(0.8, 0.1, 0.1), width=1.2)
    for k, tick in enumerate(["-4", "-2", "0", "2", "4"]):
        page.insert_text((152 + 30 * k, 262), tick, fontsize=6.5, fontname="helv")
    page.insert_text((205, 271), "y, eta", fontsize=6.5, fontname="helv")
    page.insert_text((130, 291), "Figure 2 Examples of confidence intervals and credible sets", fontsize=10,
                     fontname="tiro")
    _column(page, 130, 330, 25, width=335, size=10, step=13)

    (fig,) = [f for f in _found(doc) if f.page == page.number]
    assert fig.number == "2" and fig.figure_box is not None and iou(fig.figure_box, (152, 125, 277, 272)) > 0.8


def test_a_trees_leaf_labels_set_over_its_picture_are_the_figures() -> None:
    """A phylogenetic tree drawn as a picture, its leaves' names set as text over it, the last name reaching
    below the picture's edge: the names are the tree's, not body text between the tree and its caption."""
    body = "Cells of the strain were rod shaped and grew on agar at temperatures between four and forty degrees"
    pages = _body_data((0, 0, 595, 791), ((42, 289), (306, 553)), 68, 12, 55, body[:55])
    lines = [_line(body[:55], (42, 68 + 12 * i, 289, 78 + 12 * i), 2, starts=True) for i in range(20)]
    lines += [_line(body[:55], (306, 68 + 12 * i, 553, 78 + 12 * i), 3, starts=True) for i in range(20)]
    leaves = ["Spirosoma linguale DSM 74T (AM000023)", "Adhaeribacter aquaticus DSM 16391T (AJ626894)",
              "Effluviibacter roseus DSM 17521T (AM049256)", "Cardiobacterium hominis ATCC 15826T (M35014)"]
    lines += [_line(leaves[k % 4], (300 - 3 * (k % 5), 347 + 10 * k, 470 - 3 * (k % 5), 356 + 10 * k), 4 + k, size=8,
                    font="Grotesk", starts=True) for k in range(33)]
    lines += [_line("Fig. 1. Maximum-likelihood tree based on gene sequence data showing the position",
                    (75, 703, 529, 711), 40, size=8.5, font="Sans-Bold", styled=True, starts=True),
              _line("of the strain among related species of the phylum.", (75, 712, 361, 721), 40, size=8.5)]
    tree = (87.0, 341.0, 511.0, 675.0)
    pages.append(layout.PageData(3, (0, 0, 595, 791), lines, [layout.Element(tree, "raster")]))
    lay = layout.document_layout(pages)

    found = [f for f, _ in regions.locate_page(pages[3], lay)]
    assert [f.number for f in found] == ["1"]
    assert found[0].figure_box is not None and found[0].figure_box[1] <= tree[1] + 1


def test_body_text_over_a_scanned_strip_still_bounds_a_figure() -> None:
    """A scanned page cut into strips, its OCR text in the body's size over the upper strip, a plot under it over
    its caption: the OCR'd paragraph is body text, so the figure keeps to the plot."""
    body = "Processing is again divided into trying and lock release phases with phases numbered as before"
    pages = _body_data((0, 0, 612, 792), ((72, 540),), 80, 13, 50, body)
    lines = [_line(body, (72, 80 + 13 * i, 540, 90 + 13 * i), 1, starts=i == 0) for i in range(20)]
    lines.append(_line("Fig. 1. The broadcast primitive.", (240, 600, 380, 609), 2, size=8, styled=True, starts=True))
    plot = (150.0, 380.0, 460.0, 585.0)
    strip = layout.Element((40, 60, 572, 350), "raster")
    pages.append(layout.PageData(3, (0, 0, 612, 792), lines, [strip, layout.Element(plot, "vector")]))
    lay = layout.document_layout(pages)

    found = [f for f, _ in regions.locate_page(pages[3], lay) if f.number == "1"]
    assert len(found) == 1 and found[0].figure_box is not None and found[0].figure_box[1] >= plot[1] - 2
