"""Layouts found at stop 35 by label-free checks on unlabelled papers (figure crops holding several lines of
body text; caption numbers no crop carries): a template's figure caption with no figure over it, under a
paragraph, a heading and a display equation; a row of plots titled right on the last rule of the table over it."""

from __future__ import annotations

from arxiv_digest.figures import layout
from arxiv_digest.models import FigureKind

from .test_unlabelled_37 import _line
from .test_unlabelled_42 import _locate

ONE_COLUMN = ((198.0, 578.0),)
PARAGRAPH = "Nulla mi mi, venenatis sed ipsum varius, volutpat euismod diam. Proin rutrum vel massa"


def _equation(top: float) -> tuple[list[layout.Line], list[layout.Element]]:
    """A display equation with two underbraces, broken by PyMuPDF into a dozen pieces in math fonts."""
    pieces = [("P = H(Y) - H(Y|V)", (256, top, 364, top + 13), 10.0), ("n )", (359, top + 1, 370, top + 14), 7.0),
              ("|", (283, top + 15, 287, top + 25), 10.0), ("{z", (322, top + 15, 331, top + 25), 10.0),
              ("}", (365, top + 15, 370, top + 25), 10.0), ("S", (321, top + 20, 330, top + 27), 7.0),
              ("+ H(Y|V)", (371, top, 421, top + 12), 10.0), ("n ) - H(Y|V)", (416, top, 489, top + 14), 7.0),
              ("|", (381, top + 15, 385, top + 25), 10.0), ("{z", (433, top + 15, 442, top + 25), 10.0),
              ("}", (491, top + 15, 495, top + 25), 10.0), ("T", (426, top + 20, 448, top + 27), 7.0),
              (",", (495, top + 1, 498, top + 11), 10.0), ("(1)", (563, top + 1, 576, top + 11), 10.0)]
    lines = [_line(text, box, 1 + k // 4, size=size, font="CMMI10") for k, (text, box, size) in enumerate(pieces)]
    braces = [layout.Element((x0, top + 15, x1, top + 16), "vector") for x0, x1 in ((287, 322), (331, 365),
                                                                                    (385, 433), (442, 491))]
    return lines, braces


def test_a_figure_caption_with_no_figure_takes_no_paragraph() -> None:
    """A journal template's placeholder: "Fig 1. Bold the figure title." under a paragraph, over which stand a
    subsection's heading, a section's heading and a display equation; no figure is drawn. The paragraph is body
    text under headings, not a figure of text (the crop had taken it all, up to the equation), so nothing is
    cropped for Figure 1."""
    lines, graphics = _equation(84)
    lines += [_line("Materials and methods", (198, 126, 361, 140), 6, size=14.3, font="Times-Bold", starts=True),
              _line("Etiam eget sapien nibh", (198, 152, 334, 164), 7, size=12, font="Times-Bold", starts=True)]
    lines += [_line(PARAGRAPH, (198, 172 + 11.8 * i, 576, 182 + 11.8 * i), 8, starts=i == 0) for i in range(6)]
    lines += [_line("Fig 1. Bold the figure title. Figure caption text here, please use this space for the",
                    (198, 254, 574, 264), 9, starts=True, styled=True),
              _line("figure panel descriptions instead of using subfigure commands. A: Lorem ipsum dolor",
                    (198, 266, 572, 276), 9),
              _line("sit amet. B: Consectetur adipiscing elit.", (198, 278, 372, 287), 9)]
    lines += [_line(PARAGRAPH, (198, 320 + 11.8 * i, 576, 330 + 11.8 * i), 10, starts=i == 0) for i in range(30)]
    found = _locate(lines, graphics, ONE_COLUMN)
    box = found["figure 1"].figure_box if "figure 1" in found else None
    assert box is None or box[1] >= 240, box


def test_plots_titled_right_on_a_tables_last_rule_are_the_figure_under_it() -> None:
    """A ruled table captioned above runs across the page; right on its bottom rule stand the titles of a row of
    four plots, their sub-captions and, under them, "Figure 1: ..." (no white between the rule and the titles):
    the table ends at its last rule and the plots, titles included, are Figure 1's (the table had taken them
    all, and Figure 1 was lost)."""
    lines = [_line("Table 1: Performance comparison of different methods on robustness aspects", (96, 70, 500, 82),
                   1, starts=True)]
    graphics = [layout.Element((73, y, 522, y + 0.5), "vector") for y in (93, 108, 122, 219.9)]
    for r in range(8):
        top = 125 + 11.5 * r
        lines += [_line(cell, (x0, top, x0 + 26, top + 9), 2 + r, size=9)
                  for cell, x0 in (("Method", 75), ("0.47", 150), ("0.51", 200), ("0.76", 250), ("0.61", 300),
                                   ("0.55", 350), ("0.53", 400), ("0.97", 450))]
    for k in range(4):
        x0 = 80 + 111 * k
        lines.append(_line("Combined ROC Curves", (x0 + 20, 219.5, x0 + 80, 226.5), 20 + k, size=5))
        graphics += [layout.Element((x0, 226, x0 + 93, 298), "vector"),
                     layout.Element((x0 + 2, 232, x0 + 90, 296), "vector")]
        lines.append(_line(f"({'abcd'[k]}) Panel {k + 1}", (x0 + 4, 312, x0 + 86, 323), 30, size=9))
    lines.append(_line("Figure 1: ROC curve of probability-based methods", (210, 335, 385, 347), 40, starts=True))
    lines += [_line(PARAGRAPH[:48], (x0, 380 + 11.8 * i, x0 + 236, 390 + 11.8 * i), 50 + c, starts=i == 0)
              for c, x0 in enumerate((73, 300)) for i in range(25)]
    found = _locate(lines, graphics, ((73.0, 290.0), (300.0, 522.0)), prefer={FigureKind.TABLE: "down"})
    assert set(found) == {"table 1", "figure 1"}
    table, figure = found["table 1"].figure_box, found["figure 1"].figure_box
    assert table is not None and table[3] <= 223, table
    assert figure is not None and figure[1] <= 220 and figure[3] >= 297, figure
