"""Layouts found in unlabelled papers at stop 29 by the label-free check of numbers no crop carries: a figure whose
graphic above its caption passes for text must not take the next figure's graphic under it."""

from __future__ import annotations

import pymupdf

from arxiv_digest.figures import locate_figures

from .test_captions import _paragraph, _plot


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
