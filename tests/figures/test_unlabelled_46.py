"""Layouts found at stop 37 on unlabelled papers, by checks that need no labels (a number missing between two that
a paper's crops hold, whose caption the PDF prints; the peer's crops as a second opinion): a table's note of several
lines, its mark the asterisk operator TeX sets for ``$^*$``, over the table's caption below it; a plot whose axis
title is set in a type larger than the body's, under a caption set far above it; a two-column paper whose
single-column appendix holds more of its paragraphs than its body does; a table whose rows past its header's rule are
shaded, running on to the next page."""

from __future__ import annotations

from arxiv_digest.figures import layout
from arxiv_digest.models import FigureKind

from .test_unlabelled_37 import _line
from .test_unlabelled_42 import _locate
from .test_unlabelled_45 import PARAGRAPH, TWO_COLUMNS, _prose, _rule

PAGE_WIDE = ((72.0, 540.0),)  # a single column across the page
TEXT_WIDE = ((72.0, 524.0),)  # ...and one inside a thesis's margins


def _ruled_table(top: float, rows: int) -> tuple[list[layout.Line], list[layout.Element]]:
    """A table in the left column: a top rule, a header rule and a bottom rule, five cells a row in small type."""
    lines: list[layout.Line] = []
    for r in range(rows):
        y = top + 4 + 10 * r
        lines += [_line(cell, (x0, y, x0 + 15, y + 9), 10 + r, size=8.8, starts=x0 == 77)
                  for cell, x0 in (("P", 77), ("58.8", 102), ("1.1", 130), ("0.4", 153), ("29.3", 199))]
    return lines, [_rule(73, 289, top), _rule(73, 289, top + 13), _rule(73, 289, top + 6 + 10 * rows)]


def _notes(top: float, first: str) -> list[layout.Line]:
    texts = (first + "Closed GRE, due to its use of predefined entity pairs for",
             "relation classification, inherently exhibits high triple similarity.",
             "Hence, we further check relation embedding similarity for the", "best soft matching of triples.")
    return [_line(t, (73, top + 10 * k, 290 if k < 3 else 174, top + 10 * k + 10), 40, size=8.8, starts=k == 0)
            for k, t in enumerate(texts)]


def _table_page(mark: str) -> dict:
    lines, graphics = _ruled_table(363, 12)
    lines += _notes(509, mark)
    lines += [_line("Table 1: Different strategies measured by different metrics, with the", (73, 553, 291, 565), 50,
                    starts=True),
              _line("highest score of each dataset highlighted.", (73, 565, 228, 577), 50)]
    lines += _prose(71, 289, 70, 21, 1)
    lines += _prose(71, 289, 600, 10, 2)
    lines += _prose(306, 526, 70, 50, 3)
    return _locate(lines, graphics, TWO_COLUMNS, prefer={FigureKind.TABLE: "up"})


def test_a_tables_note_of_several_lines_over_its_caption_below_stays_with_it() -> None:
    """A ruled table, then its note in small type, "∗Closed GRE, due to ..." (U+2217, TeX's math asterisk) running
    on over three more lines, then "Table 1: ..." under it: the note is the table's, so the table is found over it
    (the note had passed for body text and walled the table off its caption)."""
    found = _table_page("\u2217")
    assert "table 1" in found
    box = found["table 1"].figure_box
    assert box is not None and box[1] <= 364 and box[3] >= 480, box


def test_an_unmarked_paragraph_over_a_caption_below_still_walls_off_the_table() -> None:
    """The same lines without the mark are a paragraph in small type, not a note: no line of it opens as a note
    does, so it still stands between the table and the caption (the table is not taken across body text)."""
    found = _table_page("")
    assert "table 1" not in found or found["table 1"].figure_box is None \
        or found["table 1"].figure_box[1] > 500, found["table 1"].figure_box


def _plot_page(title_size: float) -> dict:
    caption = ("Figure 1: Power against false discovery rate for the three methods, on the six simulated scenarios",
               "of the study; the new method holds more power than the two others at every rate the panels show,",
               "the more so as the number of markers grows from one scenario to the next.")
    lines = [_line(t, (72, 81 + 12 * k, 540 if k < 2 else 420, 91 + 12 * k), 0, starts=k == 0)
             for k, t in enumerate(caption)]
    graphics = [layout.Element((148, 300 + 140 * r, 520, 420 + 140 * r), "vector") for r in range(2)]
    lines += [_line("0.00 0.03 0.05 0.08 0.10", (143 + 130 * k, 568.6, 260 + 130 * k, 578.1), 7, size=9.5,
                    starts=k == 0) for k in range(3)]
    lines.append(_line("False Discovery Rate", (244.7, 578.3, 417.0, 595.8), 18, size=title_size, starts=True))
    lines += [_line(name, (182 + 90 * k, 607, 240 + 90 * k, 617), 20, starts=k == 0)
              for k, name in enumerate(("Eagle", "Fast", "Slow", "GEMMA"))]
    return _locate(lines, graphics, PAGE_WIDE)


def test_a_large_axis_title_under_a_plot_captioned_far_above_is_the_plots() -> None:
    """A caption at the page's top, the plot 130 points under it, and under the plot's tick labels its axis title
    set in 17.6-point type: the title hangs from the plot, so it is the plot's, not a heading on the page, and the
    plot is found under its caption (the title had made the page look like body text, which no gap so wide may
    be crossed over)."""
    found = _plot_page(17.6)
    assert "figure 1" in found
    box = found["figure 1"].figure_box
    assert box is not None and box[1] <= 300 and box[3] >= 595, box


def _pages(two: int, one: int) -> list[layout.PageData]:
    """``two`` pages of paragraphs in two columns (twenty, of five lines each), then ``one`` pages of nineteen
    paragraphs running across the page (a single-column appendix)."""
    pages = []
    for k in range(two + one):
        if k < two:
            lines = [_line(PARAGRAPH, (x0, 80 + 70 * b + 12 * i, x1, 90 + 70 * b + 12 * i), 10 * b + c,
                           starts=i == 0) for b in range(10) for c, (x0, x1) in enumerate(TWO_COLUMNS)
                     for i in range(5)]
        else:
            lines = [_line(PARAGRAPH, (70, 80 + 35 * b + 6 * i, 526, 85 + 35 * b + 6 * i), b, starts=i == 0)
                     for b in range(19) for i in range(5)]
        pages.append(layout.PageData(k, (0.0, 0.0, 595.0, 842.0), lines, []))
    return pages


def test_a_two_column_paper_with_a_longer_one_column_appendix_keeps_its_columns() -> None:
    """Four pages in two columns and four of a single-column appendix, whose paragraphs are more than two in
    five of the document's: the document is read in two columns and the appendix pages in one (it had been read
    in one throughout, so a column's paragraphs were too narrow to pass for prose and a figure took them)."""
    pages = _pages(4, 4)
    lay = layout.document_layout(pages)
    assert len(lay.columns) == 2, lay.columns
    assert lay.one_column_pages == frozenset({4, 5, 6, 7})
    assert len(layout.page_layout(pages[5], lay).columns) == 1
    assert len(layout.page_layout(pages[1], lay).columns) == 2


def test_a_one_column_paper_stays_in_one_column() -> None:
    """A paper in one column throughout has no pages in two: nothing changes."""
    lay = layout.document_layout(_pages(0, 6))
    assert len(lay.columns) == 1 and not lay.one_column_pages



def test_a_table_with_shaded_rows_past_its_header_rule_is_kept_whole() -> None:
    """"Table 3.6: Parameters ..." over a top rule, a header row and its rule, then rows of a name and a wrapped
    description, every other one on a shaded band, running on to the next page (no bottom rule): the bands behind
    the table's cells are its rows, not a picture after its last rule, so the table is not cut at its header (it
    had been, and was then dropped as a lone header row)."""
    lines = [_line(PARAGRAPH, (72, 80 + 12 * i, 524, 90 + 12 * i), 1, starts=i == 0) for i in range(8)]
    lines.append(_line("Table 3.6: Parameters in the strut section of the input file.", (150, 190, 440, 200), 2,
                       starts=True, styled=True))
    graphics = [_rule(82, 514, 210), _rule(82, 514, 232)]
    lines += [_line("Variable name", (88, 216, 160, 226), 3, starts=True),
              _line("Description", (190, 216, 250, 226), 3)]
    for r in range(8):
        top = 238 + 30 * r
        lines += [_line(f"MC{r}", (88, top + 4, 110, top + 14), 10 + r, starts=True),
                  _line("Strut mid-chord coordinate at element ends divided by the", (190, top + 4, 508, top + 14),
                        10 + r),
                  _line("reference radius.", (190, top + 16, 290, top + 26), 10 + r)]
        if r % 2:
            graphics += [layout.Element((82, top, 184, top + 30), "vector"),
                         layout.Element((184, top, 514, top + 30), "vector")]
    found = _locate(lines, graphics, TEXT_WIDE)
    assert "table 3.6" in found
    box = found["table 3.6"].figure_box
    assert box is not None and box[3] >= 470, box


def test_a_tall_framed_box_past_a_tables_last_rule_is_not_its_row() -> None:
    """The same kind of table, captioned below, under a framed box of a prompt as wide as it whose lines stand in
    a row of two: a band that tall is no shaded row, so the table still ends at its top rule (the box is not
    taken into it)."""
    graphics = [layout.Element((82, 120, 514, 330), "vector"), _rule(82, 514, 340), _rule(82, 514, 356),
                _rule(82, 514, 420)]
    lines = [_line(text, (x0, 130 + 14 * k, x0 + 150, 140 + 14 * k), 5 + k, starts=x0 == 90)
             for k in range(12) for text, x0 in (("Question: a prompt line", 90), ("Answer: a reply line", 300))]
    lines += [_line("Type", (90, 343, 120, 353), 20, starts=True), _line("Accuracy", (300, 343, 350, 353), 20)]
    for r in range(5):
        lines += [_line(f"Metric {r}", (90, 360 + 12 * r, 150, 370 + 12 * r), 21 + r, starts=True),
                  _line("70.6%", (300, 360 + 12 * r, 330, 370 + 12 * r), 21 + r)]
    lines.append(_line("Table 8: The three metrics for accuracy.", (90, 428, 330, 438), 30, starts=True,
                       styled=True))
    lines += [_line(PARAGRAPH, (72, 460 + 12 * i, 524, 470 + 12 * i), 31, starts=i == 0) for i in range(20)]
    found = _locate(lines, graphics, TEXT_WIDE, prefer={FigureKind.TABLE: "up"})
    assert "table 8" in found
    box = found["table 8"].figure_box
    assert box is not None and box[1] >= 335, box
