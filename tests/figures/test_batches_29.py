"""Layouts found on the real set's dev half in batch 29 (a manuscript's list of figures with dot leaders): each
case drawn here in miniature."""

from __future__ import annotations

import pymupdf

from arxiv_digest.figures import locate_figures

from .common import BODY, iou
from .common import body_text as _body
from .common import plot as _plot
from .common import second_page as _second_page


def _entry(page: pymupdf.Page, y: float, number: int, dots: int, *, split: bool) -> float:
    """One entry of a line-numbered manuscript's list of figures: a bold label, three lines of caption, a dot
    leader and a page number at the right margin (the dots drawn one by one when ``split``, as LaTeX sets
    them apart)."""
    page.insert_text((53, y), f"Fig. {number}.", fontsize=10.5, fontname="tibo")
    words = BODY.split()
    for k in range(3):
        page.insert_text((95, y + 12 * k), " ".join(words[k:k + 12]), fontsize=10.5, fontname="tiro")
        page.insert_text((35, y + 12 * k), str(700 + 4 * number + k), fontsize=5, fontname="helv")
    last = y + 36
    page.insert_text((95, last), "against the terrain's slope.", fontsize=10.5, fontname="tiro")
    if split:
        for k in range(dots):
            page.insert_text((250 + 15 * k, last), ".", fontsize=10.5, fontname="tiro")
    else:
        page.insert_text((250, last), " ." * dots, fontsize=10.5, fontname="tiro")
    page.insert_text((511, last), str(40 + number), fontsize=10.5, fontname="tiro")
    return last + 24


def test_entries_of_a_list_of_figures_are_no_captions() -> None:
    """A "List of figures" page (entries "Fig. N. ... . . . 44") before the figures: only the figures are
    found, not the list's entries over one another."""
    doc = pymupdf.open()
    _body(doc.new_page(), 80, 28, step=24, size=12)  # a double-spaced manuscript in 12 pt
    page = doc.new_page()
    page.insert_text((53, 72), "LIST OF FIGURES", fontsize=12, fontname="tibo")
    y = 100.0
    for n, (dots, split) in enumerate(((12, True), (2, True), (8, False)), start=1):
        y = _entry(page, y, n, dots, split=split)
    plots = []
    for n in (1, 2, 3):
        page = doc.new_page()
        plot = pymupdf.Rect(110, 90, 480, 330)
        _plot(page, plot)
        page.insert_text((72, plot.y1 + 18), f"Fig. {n}. Daily minimum temperature at every station.",
                         fontsize=10, fontname="tiro")
        _body(page, plot.y1 + 50, 10)
        plots.append((page.number, plot))

    found = locate_figures(doc)
    assert sorted((f.page, f.number) for f in found) == [(2, "1"), (3, "2"), (4, "3")]
    for f, (_, plot) in zip(sorted(found, key=lambda f: f.page), plots, strict=True):
        assert f.figure_box is not None and iou(f.figure_box, tuple(plot)) > 0.9


def test_a_footnote_under_a_table_is_the_pages_not_the_tables() -> None:
    """A table captioned above near a page's foot, then the page's footnote rule (two inches, flush left) and
    its footnote: the table ends at its last rule, leaving the rule and the footnote out."""
    doc, page = _second_page()
    y = _body(page, 80, 30)
    page.insert_text((200, y + 20), "Table 24: Material properties for fatigue analysis.", fontsize=10,
                     fontname="helv")
    table = pymupdf.Rect(135, y + 26, 476, y + 26 + 4 * 14)
    for k in range(5):
        page.draw_line((table.x0, table.y0 + 14 * k), (table.x1, table.y0 + 14 * k), color=(0, 0, 0), width=0.5)
    for x in (table.x0, 250, 330, 400, table.x1):
        page.draw_line((x, table.y0), (x, table.y1), color=(0, 0, 0), width=0.5)
    for k, row in enumerate(("Glass 10 1000 Table 5", "Carbon 14 1546 Table 5", "Triax 10 700 Table 5")):
        for x, cell in zip((150, 270, 345, 415), row.rsplit(" ", 4)[0].split(" ", 3), strict=False):
            page.insert_text((x, table.y0 + 14 * (k + 1) + 10), cell, fontsize=10, fontname="tiro")
    rule_y = table.y1 + 10
    page.draw_line((72, rule_y), (216, rule_y), color=(0, 0, 0), width=0.5)
    page.insert_text((72, rule_y + 12), "ix To keep it simple, the slope parameter is set to 10 for every material",
                     fontsize=10, fontname="tiro")
    page.insert_text((72, rule_y + 24), "of the blade, as the standard allows for laminates.", fontsize=10,
                     fontname="tiro")

    (tab,) = [f for f in locate_figures(doc) if f.number == "24"]
    assert tab.figure_box is not None and iou(tab.figure_box, tuple(table)) > 0.9
