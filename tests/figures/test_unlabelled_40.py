"""Layouts found at stop 30, on dev papers and by the label-free checks on unlabelled papers: a float alone on a
page without body text keeps the lines it took beyond its drawings (a semantics figure whose first part is a
grammar set as text, a plot page's title rows)."""

from __future__ import annotations

from arxiv_digest.figures import layout, regions

from .test_unlabelled_37 import _body_data, _line

BODY = "Support struts connect the rotor blades to the shaft and add drag at every blade element along the span"


def test_a_float_alone_on_its_page_keeps_the_text_rows_it_took_over_its_drawings() -> None:
    """A language's semantics fills a page: a grammar set as text rows, then rules drawn as boxes, then the
    caption; no body text on the page. The grammar is part of the figure, not cut off at the first drawing."""
    rect = (0, 0, 612, 792)
    pages = _body_data(rect, ((72, 540),), 60, 12, 55, BODY)
    lines = [_line("Definition of values:", (72, 90, 180, 100), 1, styled=True, starts=True)]
    for i in range(8):
        y = 104 + 14 * i
        lines += [_line("Expression", (82, y, 140, y + 10), 2 + i, starts=True),
                  _line("v ::= () | 0 | 1 | true", (190, y, 320, y + 10), 2 + i)]
    lines.append(_line("Figure 5. Full semantics of the core calculus.", (150, 640, 420, 650), 20, starts=True))
    rules = [layout.Element((72, 222 + 60 * k, 540, 262 + 60 * k), "vector") for k in range(6)]
    pages.append(layout.PageData(3, rect, lines, rules))
    lay = layout.document_layout(pages)
    (fig,) = [f for f, _ in regions.locate_page(pages[3], lay)]
    assert fig.number == "5" and fig.figure_box is not None and fig.figure_box[1] <= 90
