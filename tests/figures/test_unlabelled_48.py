"""Layouts found at stop 39 on unlabelled papers, by crops whose graphic is a thin strip: a word processor's
table, each rule drawn as a segment per cell with a sliver at each cell's border, over a plot captioned under it
(the table had taken the plot, and the figure only its legend); and, on a labelled paper, the guard the joined
rules needed: a table's full-width rules and the full-width rule over the page's footnotes bound no block. By a
search of the pool's text for labels in other languages: four papers in Spanish, Portuguese and Chinese, none of
whose floats had been found. By strong captions left without a float: APA's bold label a blank line over its
italic title. On a labelled paper of the dev half: a page pasted in as a picture, its figures readable only from
its ink."""

from __future__ import annotations

import pymupdf
import pytest

from arxiv_digest.figures import layout
from arxiv_digest.models import FigureKind

from .test_batches_30 import _body_pages, _column
from .test_unlabelled_37 import _found

CELLS = (124.0, 204.0, 258.0, 317.0, 376.0, 425.0, 472.0)  # a six-cell table's borders


def _cell_rule(page: pymupdf.Page, y: float, *, joint: float = 1.5) -> None:
    """A rule across the table drawn as Word does: a segment per cell and a square sliver at each border."""
    for x0, x1 in zip(CELLS, CELLS[1:], strict=False):
        page.draw_rect(pymupdf.Rect(x0, y, x1 - joint, y + 1.4), color=None, fill=(0, 0, 0))
        page.draw_rect(pymupdf.Rect(x1 - joint, y, x1, y + 1.4), color=None, fill=(0, 0, 0))


def _word_table(page: pymupdf.Page, top: float) -> float:
    """"Table 3." over a header row (a box behind each header's text) and two rows, ruled per cell; returns the
    bottom rule's height."""
    page.insert_text((150, top), "Table 3. Comparison of three training strategies.", fontsize=9, fontname="tiro")
    y = top + 8
    _cell_rule(page, y)
    for x0, x1 in zip(CELLS, CELLS[1:], strict=False):
        page.draw_rect(pymupdf.Rect(x0 + 5, y + 1.5, x1 - 5, y + 14), color=None, fill=(0.75, 0.82, 0.95))
        page.insert_text((x0 + 7, y + 10), "Score", fontsize=9, fontname="tibo")
    y += 16
    _cell_rule(page, y)
    for name in ("Motion", "Proposed"):
        for k, x0 in enumerate(CELLS[:-1]):
            page.insert_text((x0 + 7, y + 11), name if k == 0 else f"9{k}.5%", fontsize=9, fontname="tiro")
        y += 16
    _cell_rule(page, y)
    return y


def _page_with_table_over_plot() -> tuple[pymupdf.Document, float, float]:
    """Body text, the table, a framed plot with a title under it, "Fig. 3." under the plot, body text; returns
    the document, the table's bottom rule and the plot's top."""
    doc, page = _body_pages((124,), pages=3, lines=60, width=348, size=10, step=12)
    _column(page, 124, 80, 6, width=348, size=10, step=12)
    bottom = _word_table(page, 160)
    plot = pymupdf.Rect(180, bottom + 40, 420, bottom + 200)
    # the plot's canvas, in a light grey from just under the table's rule: no white row there to part them by
    page.draw_rect(pymupdf.Rect(150, bottom + 4, 450, plot.y1 + 4), color=None, fill=(0.93, 0.93, 0.93))
    for k in range(8):  # the plot's title, its letters drawn as outlines
        page.draw_rect(pymupdf.Rect(270 + 6 * k, bottom + 27, 275 + 6 * k, bottom + 34), color=None, fill=(0, 0, 0))
    page.draw_rect(plot, color=(0, 0, 0), width=0.8)
    page.draw_polyline([(plot.x0, plot.y1), (300, plot.y0 + 20), (plot.x1, plot.y0 + 10)], color=(0.1, 0.5, 0.4),
                       width=1.5)
    page.draw_polyline([(plot.x0, plot.y1 - 30), (300, plot.y0 + 60), (plot.x1, plot.y1 - 20)], color=(0.8, 0.3, 0.1),
                       width=1.5)
    for k in range(3):  # the legend's swatches and names
        page.draw_rect(pymupdf.Rect(180 + 90 * k, plot.y1 + 16, 196 + 90 * k, plot.y1 + 21), color=None,
                       fill=(0.2 * k, 0.5, 0.7))
        page.insert_text((200 + 90 * k, plot.y1 + 22), "Method", fontsize=8, fontname="helv")
    page.insert_text((140, plot.y1 + 30), "Fig. 3. Radar plot of the three strategies at the frame level.",
                     fontsize=9, fontname="tiro")
    _column(page, 124, plot.y1 + 50, 14, width=348, size=10, step=12)
    return doc, bottom, plot.y0


def test_a_rule_drawn_per_cell_is_one_rule() -> None:
    """The segments and slivers of one rule, end to end at one height, are read as one drawing across the table;
    dashes apart and a thicker bar on the same height are not joined."""
    pieces = [layout.Element((x, 100.0, x + 20.0, 101.4), "vector") for x in (10.0, 30.0, 50.0)]
    dashes = [layout.Element((x, 200.0, x + 4.0, 200.5), "vector") for x in (10.0, 16.0, 22.0)]
    bar = layout.Element((70.0, 100.0, 90.0, 110.0), "vector")
    joined = layout.joined_rules([*pieces, *dashes, bar])
    assert [e.box for e in joined if e.box[1] == 100.0 and e.box[3] < 102] == [(10.0, 100.0, 70.0, 101.4)]
    assert [e.box for e in joined if e.box[1] == 200.0] == [e.box for e in dashes]
    assert bar in joined


def test_a_word_table_over_a_plot_ends_at_its_last_rule() -> None:
    """Each piece of the table's rules is narrower than half the caption's range, so they had passed for no table
    rule: the table ran on through the plot under it, and Figure 3 kept only its legend. Read as whole rules,
    the table ends at its bottom rule (the boxes behind its header cells are no plot), and the plot with its title
    is Figure 3's."""
    doc, bottom, plot_top = _page_with_table_over_plot()
    found = {f"{f.kind.value} {f.number}": f for f in _found(doc)}
    assert found["table 3"].bbox[3] < bottom + 6, found["table 3"].bbox
    figure = found["figure 3"].figure_box
    assert figure is not None and figure[1] <= plot_top - 12, figure


def test_a_ruled_table_does_not_run_to_the_rule_over_the_footnotes() -> None:
    """A table ruled across the text width, body text under it, and a rule as wide over the page's footnotes (in a
    smaller type, opening with their numbers): the table ends with the note under its bottom rule; the body text
    down to the footnotes' rule is no table of sentences."""
    doc, page = _body_pages((72,), pages=3, lines=34, width=468, size=12, step=18)
    page.insert_text((72, 82), "Table 4. Difference in predicted probabilities between the two groups", fontsize=12,
                     fontname="tibo")
    y = 95.0
    for r in range(5):
        for x0, x1 in ((73.5, 173.7), (173.7, 285.9), (285.9, 381.1), (381.1, 465.1), (465.1, 538.5)):
            page.draw_line((x0, y), (x1, y), width=0.4)
        if r < 4:
            for k, x in enumerate((79, 180, 292, 387, 471)):
                page.insert_text((x, y + 12), "Very concerned" if k == 0 else f"-0.0{r}{k}", fontsize=9,
                                 fontname="tiro")
        y += 18
    bottom = y - 18
    for k in range(2):  # the table's note, in a small type under its bottom rule
        page.insert_text((82, bottom + 12 + 12 * k), "Results derived from an ordered logistic regression model, "
                         "differences in predicted probabilities", fontsize=8.5, fontname="tiro")
    _column(page, 72, bottom + 60, 20, width=468, size=12, step=18)
    page.draw_line((72, 690), (540, 690), width=0.4)
    page.insert_text((72, 704), "13 See Table 6 in Appendix A for the wording of each item.", fontsize=9,
                     fontname="tiro")
    page.insert_text((72, 716), "14 The same models were run for the other items.", fontsize=9, fontname="tiro")
    found = {f"{f.kind.value} {f.number}": f for f in _found(doc)}
    assert found["table 4"].bbox[3] < bottom + 40, found["table 4"].bbox


@pytest.mark.parametrize(("text", "kind", "number"), [
    ("Figura 3: Esquema de las zonas", FigureKind.FIGURE, "3"),
    ("Tabela 1 - Perguntas do questionário", FigureKind.TABLE, "1"),
    ("Abbildung 2: Aufbau des Versuchs", FigureKind.FIGURE, "2"),
    ("Tableau 4 – Résultats", FigureKind.TABLE, "4"),
    ("Рисунок 5. Схема установки", FigureKind.FIGURE, "5"),
    ("Таблица 2: Данные", FigureKind.TABLE, "2"),
    ("图1：训练网络的结构", FigureKind.FIGURE, "1"),
    ("表2: 训练集分布", FigureKind.TABLE, "2"),
    ("Tabelle 1: Messwerte", FigureKind.TABLE, "1"),
])
def test_a_caption_in_another_language_is_read(text: str, kind: FigureKind, number: str) -> None:
    """Theses and papers written in Spanish, Portuguese, German, French, Russian or Chinese label their floats in
    their own words, after a colon, a full stop, a dash, a spaced hyphen or a full-width colon."""
    m = layout.CAPTION_RE.match(text)
    assert m is not None and m["number"] == number and m["delim"].strip(), m
    assert (FigureKind.TABLE if layout.TABLE_LABEL_RE.fullmatch(m["label"]) else FigureKind.FIGURE) is kind


@pytest.mark.parametrize("text", ["Tables 2 and 3 show", "Tabulated values are", "Figure 1 - 5 of them",
                                  "Abbildungen 3 zeigen", "如图1所示的结构"])
def test_prose_opening_with_a_label_like_word_has_no_caption_delimiter(text: str) -> None:
    """A plural, another word, a hyphen before a number, or a Chinese sentence mentioning a figure opens no
    caption set apart by a delimiter."""
    m = layout.CAPTION_RE.match(text)
    assert m is None or not m["delim"].strip(), m


def test_spanish_floats_are_found() -> None:
    """A Spanish thesis's page: "Tabla 1:" over a ruled table and "Figura 2:" under a plot, both found as such (no
    float of the paper had been found, its labels being no English ones)."""
    doc, page = _body_pages((72,), pages=3, lines=55, width=450, size=10, step=12)
    page.insert_text((200, 90), "Tabla 1: Salida del modelo con interacción", fontsize=9, fontname="tibo")
    for k, y in enumerate((98.0, 112.0, 126.0, 140.0)):
        page.draw_line((180, y), (420, y), width=0.5)
        if k < 3:
            page.insert_text((186, y + 10), f"Grupo {k}    1    0.4{k}    12.70", fontsize=9, fontname="tiro")
    plot = pymupdf.Rect(180, 170, 420, 330)
    page.draw_rect(plot, color=(0, 0, 0), width=0.8)
    page.draw_polyline([(plot.x0, plot.y1), (300, 190), (plot.x1, 180)], color=(0.1, 0.3, 0.8), width=1.2)
    page.insert_text((200, 350), "Figura 2: Gráfico de interacciones", fontsize=9, fontname="tibo")
    _column(page, 72, 380, 30, width=450, size=10, step=12)
    found = {f"{f.kind.value} {f.number}": f for f in _found(doc)}
    assert set(found) == {"table 1", "figure 2"}, set(found)
    assert found["figure 2"].figure_box is not None and found["figure 2"].figure_box[1] <= 172


def _apa_page(title_font: str) -> list:
    """A bold "Figure 1" on a line of its own, a blank line, three lines of a title in ``title_font``, and a plot
    under them across the page; body text under the plot."""
    doc, page = _body_pages((54,), pages=3, lines=55, width=500, size=10, step=12)
    page.insert_text((54, 88), "Figure 1", fontsize=10, fontname="tibo")
    for k in range(3):
        page.insert_text((54, 116 + 12 * k), " ".join(["Proportion of answers of each type to the four items"] * 2),
                         fontsize=10, fontname=title_font)
    plot = pymupdf.Rect(60, 164, 540, 420)
    page.draw_rect(plot, color=(0, 0, 0), width=0.8)
    page.draw_polyline([(plot.x0, plot.y1), (300, 200), (plot.x1, 180)], color=(0.1, 0.3, 0.8), width=1.2)
    _column(page, 54, 450, 25, width=500, size=10, step=12)
    return _found(doc)


def test_an_apa_figure_label_over_its_italic_title_a_blank_line_apart() -> None:
    """APA's style: "Figure 1" in bold on its own line, its title in italics a blank line under it, the figure
    under the title. The title is the caption's, so the figure under it is found with its number (the title had
    passed for a paragraph walling the label off its figure)."""
    found = {f"{f.kind.value} {f.number}": f for f in _apa_page("tiit")}
    assert "figure 1" in found, set(found)
    f = found["figure 1"]
    assert f.figure_box is not None and f.figure_box[1] <= 166 and f.figure_box[3] >= 418, f.figure_box
    assert f.caption.startswith("Figure 1 Proportion"), f.caption


def test_a_bold_label_a_blank_line_over_body_text_keeps_its_caption_short() -> None:
    """The same page with the lines under the label in the body's own type: they are the body, not the label's
    title, and the caption is the label alone."""
    captions = [f.caption for f in _apa_page("tiro") if f.number == "1"]
    assert all(c == "Figure 1" for c in captions), captions


def _pasted_page(doc: pymupdf.Document, *, plot: bool) -> pymupdf.Rect:
    """A page that is one picture (a page typeset elsewhere, rendered at 100 dpi, no words in the PDF): two
    paragraphs, and between them, if ``plot``, a framed plot with tick labels and a caption. Returns the plot."""
    src = pymupdf.open()
    page = src.new_page()
    _column(page, 72, 80, 20, width=450, size=10, step=12)
    box = pymupdf.Rect(120, 340, 480, 560)
    if plot:
        page.draw_rect(box, color=(0, 0, 0), width=1)
        page.draw_polyline([(box.x0, box.y1), (300, 380), (box.x1, 360)], color=(0.1, 0.3, 0.8), width=1.5)
        for k in range(5):
            page.insert_text((box.x0 + 90 * k - 4, box.y1 + 12), f"{20 * k}", fontsize=8, fontname="helv")
        page.insert_text((72, box.y1 + 34), "Figure 2: Word error rate against the filters masked.", fontsize=9,
                         fontname="tiro")
    _column(page, 72, 620, 12, width=450, size=10, step=12)
    pix = page.get_pixmap(dpi=100)
    doc.new_page().insert_image(doc[-1].rect, pixmap=pix)
    return box


def test_a_page_pasted_in_as_a_picture_has_its_figure_read_from_its_ink() -> None:
    """A paper with one page pasted in as a picture: its words are no text, so its caption cannot be read, but
    the plot's frame is a tall blot of ink where words are short ones. The plot, with its tick labels, is an
    uncaptioned figure; the page's paragraphs are none (the page had no figure at all)."""
    doc, _ = _body_pages((72,), pages=8, lines=55, width=450, size=10, step=12)
    doc.delete_page(-1)
    box = _pasted_page(doc, plot=True)
    _pasted_page(doc, plot=False)
    found = [f for f in _found(doc) if f.page >= 8]
    assert [f.page for f in found] == [8], found
    assert found[0].bbox[0] <= box.x0 and found[0].bbox[2] >= box.x1, found[0].bbox
    assert found[0].bbox[1] <= box.y0 and box.y1 + 10 <= found[0].bbox[3] <= box.y1 + 30, found[0].bbox


def test_a_document_of_scans_without_words_has_no_figures_read_from_ink() -> None:
    """A document most of whose pages are pictures without words (scans without OCR): their ink is as much title
    frames and tables as figures, so none is read from it."""
    doc, _ = _body_pages((72,), pages=2, lines=55, width=450, size=10, step=12)
    doc.delete_page(-1)
    for _ in range(3):
        _pasted_page(doc, plot=True)
    assert [f for f in _found(doc) if f.page >= 2] == []
