"""Layouts found on the real set's dev half in batches 24-25 (framed result boxes, panels captioned "Figure 7a",
inline fractions in captions, a publisher's cover with an advert): each case drawn here in miniature."""

from __future__ import annotations

import pymupdf

from arxiv_digest.figures import layout, locate_figures, regions
from arxiv_digest.models import FigureKind

from .common import body_text as _body
from .common import iou
from .common import plot as _plot
from .common import second_page as _second_page


def _png(width: int = 120, height: int = 60) -> bytes:
    """A small colour image to place on a page."""
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, width, height), False)
    pix.set_rect(pix.irect, (200, 60, 40))
    pix.set_rect(pymupdf.IRect(10, 10, width // 2, height // 2), (30, 90, 200))
    return pix.tobytes("png")


def test_a_framed_text_box_above_a_figure_stays_out_of_it() -> None:
    """A "Result 1" box (body text in a frame) set a little above a plot is no part of the figure under it."""
    doc, page = _second_page()
    y = _body(page, 80, 8)
    box = pymupdf.Rect(72, y + 10, 520, y + 58)
    page.draw_rect(box, color=(0, 0, 0), fill=(0.9, 0.9, 0.9), width=0.8)
    page.insert_text((78, box.y0 + 14), "Result 1", fontsize=10, fontname="tibo")
    _body(page, box.y0 + 28, 2, x=78)
    plot = pymupdf.Rect(110, box.y1 + 26, 480, box.y1 + 226)
    _plot(page, plot)
    page.insert_text((72, plot.y1 + 16), "Figure 6: Raw scores before tuning.", fontsize=10, fontname="tiro")
    _body(page, plot.y1 + 50, 12)

    (fig,) = locate_figures(doc)
    assert fig.number == "6" and fig.figure_box is not None and iou(fig.figure_box, tuple(plot)) > 0.9


def test_a_framed_text_box_captioned_as_a_figure_is_one() -> None:
    """A prompt set in a frame right over its caption is the figure itself."""
    doc, page = _second_page()
    y = _body(page, 80, 8)
    box = pymupdf.Rect(72, y + 20, 520, y + 100)
    page.draw_rect(box, color=(0, 0, 0), width=0.8)
    _body(page, box.y0 + 16, 5, x=78)
    page.insert_text((72, box.y1 + 16), "Figure 2: The prompt given to the model.", fontsize=10, fontname="tiro")
    _body(page, box.y1 + 50, 12)

    (fig,) = locate_figures(doc)
    assert fig.number == "2" and fig.figure_box is not None and iou(fig.figure_box, tuple(box)) > 0.9


def test_panels_captioned_figure_7a_and_7b_belong_to_figure_7() -> None:
    """"Figure 7a:" and "Figure 7b:" under two panels, above "Figure 7:": one figure holding both panels."""
    doc, page = _second_page()
    top = pymupdf.Rect(110, 80, 480, 230)
    _plot(page, top)
    page.insert_text((150, top.y1 + 12), "Figure 7a: After tuning.", fontsize=9, fontname="tiro")
    bottom = pymupdf.Rect(110, top.y1 + 24, 480, top.y1 + 174)
    _plot(page, bottom)
    page.insert_text((150, bottom.y1 + 12), "Figure 7b: Delta, after minus before.", fontsize=9, fontname="tiro")
    page.insert_text((72, bottom.y1 + 34), "Figure 7: Stability over ten repeated runs.", fontsize=10,
                     fontname="tiro")
    _body(page, bottom.y1 + 70, 10)

    (fig,) = locate_figures(doc)
    assert fig.number == "7" and fig.figure_box is not None
    assert fig.figure_box[1] <= top.y0 + 2 and fig.figure_box[3] >= bottom.y1 + 10


def test_a_caption_row_pushed_down_by_a_fraction_keeps_its_lines() -> None:
    """A caption's second row holds a built-up fraction in a smaller type, so it sits further below the first
    row than the caption's rows otherwise do; the caption goes on to its last row."""
    doc, page = _second_page()
    plot = pymupdf.Rect(110, 80, 480, 260)
    _plot(page, plot)
    y = plot.y1 + 16
    page.insert_text((72, y), "Figure 4: Fraction of the variation from the program average due to the conformational "
                     "state of the system, and not to", fontsize=8, fontname="tiro")
    y2 = y + 14  # the fraction pushes the second row down
    page.insert_text((72, y2), "tional variability instead of molecular variability, given as", fontsize=8,
                     fontname="tiro")
    page.insert_text((300, y2 - 5), "s2 conf - s2 mol", fontsize=5, fontname="tiro")
    page.draw_line((300, y2 - 3), (345, y2 - 3), width=0.4)
    page.insert_text((310, y2 + 4), "s2 mol", fontsize=5, fontname="tiro")
    page.insert_text((350, y2), ", where s are the standard deviations", fontsize=6, fontname="tiro")
    last = y2 + 11
    page.insert_text((72, last), "over all configurations and over all molecules.", fontsize=8, fontname="tiro")
    _body(page, last + 60, 12)

    (fig,) = locate_figures(doc)
    assert fig.number == "4" and fig.caption_box is not None and fig.caption_box[3] >= last


def test_an_advert_on_a_publishers_cover_is_no_figure() -> None:
    """A download's cover sheet carries an advert: an image that is a web link, with no caption anywhere near.
    The same image without the link is kept as an uncaptioned figure."""
    found = []
    for linked in (True, False):
        doc = pymupdf.open()
        cover = doc.new_page()
        _body(cover, 80, 10)
        ad = pymupdf.Rect(40, 520, 560, 740)
        cover.insert_image(ad, stream=_png())
        if linked:
            cover.insert_link({"kind": pymupdf.LINK_URI, "from": ad, "uri": "https://ads.example.org/click"})
        _body(doc.new_page(), 80, 50)
        found.append(locate_figures(pymupdf.open(stream=doc.tobytes(), filetype="pdf")))
    assert found[0] == [] and len(found[1]) == 1 and found[1][0].number is None


def test_a_listing_captioned_above_a_figure_is_no_part_of_it() -> None:
    """"Listing 6.2: BSL code" over a shaded code box, a figure right under it: the figure keeps to its own
    graphic, and the listing (no figure) is not reported."""
    doc, page = _second_page()
    page.insert_text((250, 90), "Listing 6.2: BSL code", fontsize=10, fontname="tiro")
    listing = pymupdf.Rect(72, 96, 520, 230)
    page.draw_rect(listing, color=None, fill=(0.93, 0.93, 0.9))
    for i in range(8):
        page.insert_text((78, 110 + 14 * i), f"  bplus (bden o bvarimm64) \"x\", bconst64 {i}", fontsize=8,
                         fontname="cour")
    plot = pymupdf.Rect(110, listing.y1 + 4, 480, listing.y1 + 180)
    _plot(page, plot)
    page.insert_text((220, plot.y1 + 16), "Figure 6.1: Default HOL4 printing", fontsize=10, fontname="tiro")
    _body(page, plot.y1 + 50, 12)

    (fig,) = locate_figures(doc)
    assert fig.number == "6.1" and fig.figure_box is not None and iou(fig.figure_box, tuple(plot)) > 0.9


def test_a_remark_after_a_caption_is_not_part_of_it() -> None:
    """A paragraph opening with a bold run-in head ("Remark 1.") right under a caption in the body's type ends
    the caption."""
    doc, page = _second_page()
    plot = pymupdf.Rect(110, 80, 480, 260)
    _plot(page, plot)
    page.insert_text((72, plot.y1 + 16), "Figure 7.1: Visual structure of the proof. References like (a) point to",
                     fontsize=10, fontname="tiro")
    page.insert_text((72, plot.y1 + 28), "the arrows of this figure.", fontsize=10, fontname="tiro")
    remark = plot.y1 + 40
    page.insert_text((72, remark), "Remark 1.", fontsize=10, fontname="tibo")
    page.insert_text((120, remark), "The relation is defined on both the initial and the final states.",
                     fontsize=10, fontname="tiit")
    page.insert_text((72, remark + 12), "This lets us reason about the initial state in the postcondition.",
                     fontsize=10, fontname="tiit")
    _body(page, remark + 40, 12)

    (fig,) = locate_figures(doc)
    assert fig.number == "7.1" and fig.caption_box is not None and fig.caption_box[3] < remark - 7


def test_a_side_caption_at_the_left_edge_finds_its_figure_at_the_right_edge() -> None:
    """Springer's side captions: a narrow caption against the text block's left edge, the figure against its right
    edge, white between them wider than a side caption's usual gap."""
    doc = pymupdf.open()
    _body(doc.new_page(), 80, 50)  # the body's text block: 72 to about 415 points
    page = doc.new_page()
    right = max(b[2] for b in doc[0].get_text("blocks"))
    plot = pymupdf.Rect(right - 120, 80, right, 300)
    _plot(page, plot)
    for i, words in enumerate(["Fig. 1 Output of an individual", "based model showing a branching",
                               "trajectory without full mutation", "limitation, a dot for each one"]):
        page.insert_text((72, 88 + 10 * i), words, fontsize=8, fontname="tibo" if i == 0 else "tiro")
    _body(page, plot.y1 + 30, 20)

    (fig,) = locate_figures(doc)
    assert fig.number == "1" and fig.figure_box is not None and iou(fig.figure_box, tuple(plot)) > 0.9


def test_a_caption_line_opening_with_a_bold_symbol_does_not_end_the_caption() -> None:
    """A caption in the body's weight whose line happens to open with a bold vector ("u and w, ...") goes on past
    that line: only a caption set in bold throughout ends where a paragraph in the body's weight opens."""
    doc, page = _second_page()
    plot = pymupdf.Rect(110, 80, 480, 260)
    _plot(page, plot)
    y = plot.y1 + 16
    page.insert_text((72, y), "Figure 1. Schematic view of the coordinate systems used to represent the body with",
                     fontsize=9, fontname="tiro")
    writer = pymupdf.TextWriter(page.rect)  # one line whose first word is bold
    _, end = writer.append((72, y + 15), "u", font=pymupdf.Font("tibo"), fontsize=9)
    writer.append((end.x + 2, y + 15), "and w defining two semi-axes of the body, the third one normal to both",
                  font=pymupdf.Font("tiro"), fontsize=9)
    writer.write_text(page)
    last = y + 30  # rows 15 points apart: each its own text block
    page.insert_text((72, last), "and the plane that holds the strike direction of the body.", fontsize=9,
                     fontname="tiro")
    _body(page, last + 50, 12)

    (fig,) = locate_figures(doc)
    assert fig.number == "1" and fig.caption_box is not None and fig.caption_box[3] >= last


def test_a_justified_paragraph_between_a_code_block_and_a_figure_stays_out_of_it() -> None:
    """Three lines of body text set flush with both edges of the column, between a shaded code block and a figure,
    are a paragraph, not text inside the figure: the figure keeps to its own graphic."""
    doc = pymupdf.open()
    column = pymupdf.Rect(72, 72, 520, 760)
    words = "Adaptive beamformers lose most of their gain when the array is miscalibrated and the loss grows. "
    doc.new_page().insert_textbox(column, words * 40, fontsize=10, fontname="tiro", align=pymupdf.TEXT_ALIGN_JUSTIFY)
    page = doc.new_page()
    code = pymupdf.Rect(72, 72, 520, 130)
    page.draw_rect(code, color=None, fill=(0.9, 0.9, 0.9))
    for i in range(3):
        page.insert_text((80, 88 + 14 * i), f"tucker_contractions(N) = Tuple((B, A) -> product(B, A, {i}))",
                         fontsize=8, fontname="cour")
    spare = page.insert_textbox(pymupdf.Rect(72, 138, 520, 200), words * 3, fontsize=10, fontname="tiro",
                                align=pymupdf.TEXT_ALIGN_JUSTIFY)
    assert spare >= 0  # the paragraph fits: three or four lines, all but the last flush with both edges
    plot = pymupdf.Rect(110, 200 - spare + 10, 480, 400)
    _plot(page, plot)
    page.insert_text((200, plot.y1 + 16), "Figure 3: Tucker factorization of a tensor.", fontsize=10,
                     fontname="tiro")
    page.insert_textbox(pymupdf.Rect(72, plot.y1 + 40, 520, 700), words * 12, fontsize=10, fontname="tiro",
                        align=pymupdf.TEXT_ALIGN_JUSTIFY)

    (fig,) = locate_figures(doc)
    assert fig.number == "3" and fig.figure_box is not None and iou(fig.figure_box, tuple(plot)) > 0.9


def test_a_grammar_set_in_a_math_font_is_a_table_not_body_text() -> None:
    """A thesis's "Table 4.1: BIR's syntax", captioned below a grammar whose wide lines are set mostly in TeX's
    math italic: those lines are the table's rows, not body text that leaves the caption with nothing."""
    body = "Adaptive beamformers lose most of their gain when the array is miscalibrated and the loss grows with"

    def line(text: str, box: tuple[float, float, float, float], block: int, font: str = "Termes") -> layout.Line:
        return layout.Line(box, text, 10.9, block, True, False, False, True, font, font)

    pages = [layout.PageData(k, (0, 0, 612, 792), [line(body, (99, 90 + 14 * i, 546, 101 + 14 * i), 0)
                                                   for i in range(40)], []) for k in range(3)]
    grammar = ["stmt := assign (string, exp) | assert (exp) | assume (exp) | halt (exp)",
               "estmt := jmp (exp) | cjmp (exp, exp, exp) | halt (exp) | load (exp, exp)",
               "exp := integer | var string | load (exp, exp, tau) | store (exp, exp, exp)"]
    lines = [line(t, (160, 120 + 18 * i, 470, 131 + 18 * i), i, "CMMI10") for i, t in enumerate(grammar)]
    lines.append(line("Table 4.1: The syntax of the intermediate language.", (127, 200, 400, 211), 3))
    lines += [line(body, (99, 240 + 14 * i, 546, 251 + 14 * i), 4) for i in range(20)]
    pages.append(layout.PageData(3, (0, 0, 612, 792), lines, []))
    lay = layout.document_layout(pages)

    found = [f for f, _ in regions.locate_page(pages[3], lay)]
    assert [(f.kind, f.number) for f in found] == [(FigureKind.TABLE, "4.1")]
    assert found[0].figure_box is not None and found[0].figure_box[1] <= 122


def test_text_under_a_table_set_larger_than_its_rows_is_no_note() -> None:
    """A table in 7 pt type, then (a line under its last rule) a bulleted list in the 9 pt footnote size: the list
    is body text, not the table's notes, while a 7 pt note right under the rule is one."""
    for with_note in (False, True):
        doc, page = _second_page()
        page.insert_text((72, 90), "Table 2: Comparison of baseline methods", fontsize=10, fontname="tiro")
        page.draw_line((72, 96), (520, 96), width=0.6)
        for r in range(6):
            for k, cell in enumerate(["LSTM", "yes", "no", "yes", "no"]):
                page.insert_text((80 + 90 * k, 108 + 10 * r), cell, fontsize=7, fontname="tiro")
        page.draw_line((72, 164), (520, 164), width=0.6)
        top = 176
        if with_note:
            page.insert_text((72, 172), "Note: a tick marks a model that shares its parameters.", fontsize=7,
                             fontname="tiro")
            top = 186
        for i in range(6):
            page.insert_text((82, top + 11 * i), "road occupancy rates measured by different sensors on the bay area "
                             "freeways every hour", fontsize=9, fontname="tiro")
        _body(page, top + 90, 20)

        (table,) = locate_figures(doc)
        assert table.number == "2" and table.figure_box is not None
        assert table.figure_box[3] <= (176 if with_note else 166)


def test_a_label_alone_over_a_title_set_a_little_apart_captions_the_table_under_them() -> None:
    """Genetics sets "TABLE 1" centred on a line of its own and the table's title a little further below than the
    caption's own lines are apart: the title is the caption's, not body text between the caption and its table."""
    doc, page = _second_page()
    page.insert_text((280, 100), "TABLE 1", fontsize=9, fontname="tiro")
    page.insert_text((72, 117), "Goodness-of-fit of the different models and kinship matrices in explaining the "
                     "phenotypic variation", fontsize=9, fontname="tibo")
    page.draw_line((72, 124), (520, 124), width=0.6)
    for r in range(8):
        for k, cell in enumerate(["Simple", "NA", "1632.8", "1643.9", "2296.0"]):
            page.insert_text((80 + 90 * k, 136 + 11 * r), cell, fontsize=8, fontname="tiro")
    page.draw_line((72, 220), (520, 220), width=0.6)
    _body(page, 260, 20)

    (table,) = locate_figures(doc)
    assert table.number == "1" and table.figure_box is not None and table.figure_box[3] >= 218
