"""Layouts found at stop 30, on dev papers and by the label-free checks on unlabelled papers: a float alone on a
page without body text keeps the lines it took beyond its drawings (a semantics figure whose first part is a
grammar set as text, a plot page's title rows)."""

from __future__ import annotations

import pymupdf

from arxiv_digest.figures import captions, layout, locate_figures, regions

from .test_captions import _float_page, _paragraph, _plot
from .test_unlabelled_37 import _body_data, _line

BODY = "Support struts connect the rotor blades to the shaft and add drag at every blade element along the span"


def _column_head_page(lines: list[layout.Line]) -> tuple[layout.PageData, layout.Layout]:
    """Page 3 of a two-column paper, three pages of body text before it: the given lines over body text in the
    left column."""
    rect = (0, 0, 612, 792)
    pages = _body_data(rect, ((56, 295), (317, 556)), 76, 10.5, 61, BODY[:60])
    lines = lines + [_line(BODY[:60], (56, 76 + 10.5 * i, 295, 85 + 10.5 * i), 40, starts=i == 0) for i in range(61)]
    pages.append(layout.PageData(3, rect, lines, []))
    return pages[3], layout.document_layout(pages)


def test_a_float_alone_on_its_page_keeps_the_text_rows_it_took_over_its_drawings() -> None:
    """A language's semantics fills a page: a grammar set as text rows in a smaller type, then rules drawn as
    boxes, then the caption; no body text on the page. The grammar is part of the figure, not cut off at the first
    drawing."""
    rect = (0, 0, 612, 792)
    pages = _body_data(rect, ((72, 540),), 60, 12, 55, BODY)
    lines = [_line("Definition of values:", (72, 90, 180, 100), 1, font="Times-Bold", styled=True, starts=True)]
    for i in range(8):
        y = 104 + 14 * i
        lines += [_line("Expression", (82, y, 140, y + 9), 2 + i, size=9, starts=True),
                  _line("v ::= () | 0 | 1 | true", (190, y, 320, y + 9), 2 + i, size=9)]
    lines.append(_line("Figure 5. Full semantics of the core calculus.", (150, 640, 420, 650), 20, starts=True))
    rules = [layout.Element((72, 218 + 60 * k, 540, 258 + 60 * k), "vector") for k in range(6)]
    pages.append(layout.PageData(3, rect, lines, rules))
    lay = layout.document_layout(pages)
    (fig,) = [f for f, _ in regions.locate_page(pages[3], lay)]
    assert fig.number == "5" and fig.figure_box is not None and fig.figure_box[1] <= 90


def test_a_grammar_filling_a_column_head_down_to_its_caption_is_a_text_figure() -> None:
    """A language's syntax, seventeen rows of productions at several indents with a description at the right of
    each, fills the head of a column down to its caption: more rows than a note set in the body's type may run,
    but it is a figure, not body text."""
    lines = []
    for i in range(17):
        y = 76 + 10.5 * i
        x = (317, 330, 345)[i % 3]
        lines += [_line(f"t{i} ::= let x = e in t{i}", (x, y, x + 90, y + 9), 2 + i, starts=True),
                  _line("let binding", (490, y, 540, y + 9), 2 + i)]
    lines.append(_line("Figure 4: Core language syntax of the calculus.", (317, 257, 520, 266), 30, starts=True))
    lines += [_line(BODY[:60], (317, 290 + 10.5 * i, 556, 299 + 10.5 * i), 31, starts=i == 0) for i in range(40)]
    page, lay = _column_head_page(lines)
    (fig,) = [f for f, _ in regions.locate_page(page, lay)]
    assert fig.number == "4" and fig.figure_box is not None and fig.figure_box[1] <= 77 and fig.figure_box[3] >= 250


def test_paragraphs_with_displayed_formulas_at_a_column_head_are_no_grammar() -> None:
    """Body text with displayed formulas (lines at several indents) fills a column's head down to a line that
    opens "Fig. 1: a) the first phase": the paragraphs are prose, not a figure set as text."""
    lines = []
    for i in range(26):
        y = 76 + 10.5 * i
        box = (380, y, 480, y + 9) if i % 7 == 3 else (327 if i % 7 == 4 else 317, y, 556, y + 9)
        lines.append(_line(BODY[:60], box, 2, starts=i % 7 == 4))
    lines.append(_line("Fig. 1: a) the training phase, and b) the data phase. In stage a), the", (317, 349, 556, 358),
                       2))
    lines += [_line(BODY[:60], (317, 360 + 10.5 * i, 556, 369 + 10.5 * i), 2) for i in range(30)]
    page, lay = _column_head_page(lines)
    assert [f for f, _ in regions.locate_page(page, lay)] == []


def test_a_caption_run_into_the_last_line_of_the_caption_beside_it_opens_its_own_line() -> None:
    """Two figures side by side, each captioned under it; the left caption's last line ends where the right
    caption's first line begins, half a line lower, and MuPDF reads both as one line: the right caption is
    still found, and each figure keeps its own plot."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = _paragraph(page, 80)
    _plot(page, pymupdf.Rect(80, y + 20, 220, y + 160))
    _plot(page, pymupdf.Rect(260, y + 20, 400, y + 160))
    page.insert_text((90, y + 185), "Figure 3: The average length of all", fontsize=8, fontname="tiro")
    tail = "the parts, by the experts."
    x = 238 - pymupdf.get_text_length(tail, fontname="tiro", fontsize=8)
    page.insert_text((x, y + 195), tail, fontsize=8, fontname="tiro")
    writer = pymupdf.TextWriter(page.rect)  # a font object of its own, as each minipage's caption has
    writer.append((240, y + 199), "Figure 4: The length of each part.", font=pymupdf.Font("tiro"), fontsize=8)
    writer.write_text(page)
    _paragraph(page, y + 240)
    found = {f.number: f for f in locate_figures(pymupdf.open(stream=doc.tobytes(), filetype="pdf"))}
    assert set(found) == {"3", "4"}
    assert found["3"].figure_box is not None and found["3"].figure_box[2] < 240
    assert found["4"].figure_box is not None and found["4"].figure_box[0] > 240


def test_a_bar_chart_with_many_upright_labels_leaves_its_page_unturned() -> None:
    """Two bar charts, each with forty category names set upright under its bars, fill a page: most of its
    characters run up, but its captions read across and none reads up, so the page is not read turned and both
    figures are found."""
    doc = pymupdf.open()
    page = doc.new_page()
    names = ["animal", "mammal", "vehicle", "building", "flower", "person", "garment", "device"]
    for k, top in enumerate((80, 430)):
        for i in range(40):
            x = 90 + 11 * i
            page.draw_rect(pymupdf.Rect(x, top + 20 + 3 * i, x + 8, top + 200), color=None, fill=(0.2, 0.4, 0.8))
            page.insert_text((x + 7, top + 260), names[i % 8], fontsize=8, fontname="helv", rotate=90)
        page.insert_text((180, top + 290), f"Figure {4 + k}: Top forty categories of the set.", fontsize=10,
                         fontname="tiro")
    found = locate_figures(pymupdf.open(stream=doc.tobytes(), filetype="pdf"))
    assert sorted(str(f.number) for f in found) == ["4", "5"]


def test_a_caption_far_under_its_figure_does_not_lose_it_to_the_next_figure_right_under_it() -> None:
    """An appendix page stacks two trees, each captioned below; the first caption stands five lines under its
    tree and right over the second tree: the second tree is the second caption's, and the first caption reaches
    further up for its own."""
    doc = pymupdf.open()
    page = doc.new_page()
    _plot(page, pymupdf.Rect(100, 100, 480, 260))
    page.insert_text((200, 350), "Figure 2: Decision tree fit on the training set.", fontsize=10, fontname="tiro")
    _plot(page, pymupdf.Rect(100, 370, 480, 560))
    page.insert_text((200, 590), "Figure 3: Decision tree fit on the test set.", fontsize=10, fontname="tiro")
    found = {f.number: f for f in locate_figures(pymupdf.open(stream=doc.tobytes(), filetype="pdf"))}
    assert set(found) == {"2", "3"}
    assert found["2"].figure_box is not None and found["2"].figure_box[1] <= 100
    assert found["3"].figure_box is not None and found["3"].figure_box[1] >= 360


def test_a_float_alone_on_its_page_does_not_keep_body_text_read_as_cells() -> None:
    """A journal's two columns are read as one with their lines as a table's cells, so the page seems to hold no
    body text: the float alone on it still stops at its drawings, not at the paragraph over them."""
    rect = (0, 0, 612, 792)
    pages = _body_data(rect, ((72, 540),), 60, 12, 55, BODY)
    lines = []
    for i in range(22):
        y = 80 + 12 * i
        lines += [_line(BODY[:50], (72, y, 300, y + 10), 1, starts=i == 0),
                  _line(BODY[:50], (312, y, 540, y + 10), 2, starts=i == 0)]
    lines += [_line(BODY[:50], (312, 344 + 12 * i, 540, 354 + 12 * i), 2) for i in range(25)]
    lines.append(_line("Figure 4. Location of the protein in three muscle types.", (72, 640, 300, 650), 3,
                       starts=True))
    shapes = [layout.Element((80, 350 + 60 * k, 290, 390 + 60 * k), "vector") for k in range(5)]
    pages.append(layout.PageData(3, rect, lines, shapes))
    lay = layout.document_layout(pages)
    (fig,) = [f for f, _ in regions.locate_page(pages[3], lay)]
    assert fig.number == "4" and fig.figure_box is not None and fig.figure_box[1] >= 345


def _photo_strip(page: pymupdf.Page, rect: pymupdf.Rect) -> None:
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 120, 40), False)
    for x in range(120):
        for y in range(40):
            pix.set_pixel(x, y, ((x * 7) % 256, (y * 11) % 256, (x * y) % 256))
    page.insert_image(rect, pixmap=pix)


def test_a_banner_over_the_title_of_the_first_page_is_no_figure() -> None:
    """A report's first page opens with its publisher's banner, a strip of photographs with the logo, over the
    title in large type: header art, not an uncaptioned figure; the same strip under the title is one."""
    for top, expected in ((50, 0), (230, 1)):
        doc = pymupdf.open()
        page = doc.new_page()
        _photo_strip(page, pymupdf.Rect(40, top, 555, top + 172))
        title_y = 260 if top == 50 else 110
        page.insert_text((72, title_y), "Modular Wind Turbine Simulation Tool", fontsize=22, fontname="tibo")
        _paragraph(page, 450)
        found = locate_figures(pymupdf.open(stream=doc.tobytes(), filetype="pdf"))
        assert len(found) == expected


def test_a_legend_entry_naming_an_algorithm_is_no_caption() -> None:
    """A plot's legend reads "Algorithm 1 with k=0 (hybrid)" and "Algorithm 1, N=16" in a small plain type: no
    algorithm's caption, so the plot over the figure's caption stays the figure's; a bold "Algorithm 2 getting
    the schema" over an algorithm still is one."""
    doc = pymupdf.open()
    _float_page(doc, "Fig. 2. Mean square error over the iterations.", size=8)  # plot from y=172 to 332
    doc[0].insert_text((260, 192), "Algorithm 1 with k=0 (hybrid estimation)", fontsize=7, fontname="helv")
    doc[0].insert_text((260, 202), "Algorithm 1, N=16", fontsize=7, fontname="helv")
    (fig,) = locate_figures(pymupdf.open(stream=doc.tobytes(), filetype="pdf"))
    assert fig.number == "2" and fig.figure_box is not None and fig.figure_box[1] <= 173
    line = layout.Line((287, 56, 470, 66), "Algorithm 2 getting down pending schema", 10.0, 1, True, True, True, True,
                       "Times-Bold", "Times")
    rect = (0, 0, 612, 792)
    pages = _body_data(rect, ((36, 275), (287, 526)), 60, 12, 55, BODY[:60])
    pages.append(layout.PageData(3, rect, [line], []))
    lay = layout.document_layout(pages)
    assert [c.number for c in captions.find_captions(pages[3], lay, [False])] == ["2"]
