"""Layouts found in unlabelled papers at stop 25: a plot's hundred rotated tick labels on a portrait page, titles set
on their prompt boxes, an underlined word in a caption, listings in pdfTeX's Courier clone, pseudo-code numbered
"1.", plot titles right under another figure's caption, a column figure under a full-width table; each drawn here
in miniature."""

from __future__ import annotations

import pymupdf
import pytest

from arxiv_digest.figures import layout, locate_figures, regions

from .common import plot
from .test_batches_24_25 import _png
from .test_batches_30 import _body_pages, _column


def _found(doc: pymupdf.Document, page: int) -> list:
    return [f for f in locate_figures(pymupdf.open(stream=doc.tobytes(), filetype="pdf")) if f.page == page]


def _rows(page: pymupdf.Page, x: float, baseline: float, rows: list[str], *, size: float, step: float) -> None:
    """Lines of a caption, one baseline every ``step`` points."""
    for k, text in enumerate(rows):
        page.insert_text((x, baseline + step * k), text, fontsize=size, fontname="tiro")


def test_a_plot_with_many_rotated_tick_labels_does_not_turn_its_page() -> None:
    """A portrait page holding one wide plot whose x axis names a hundred and twenty methods in tiny rotated
    type, and a four-line caption under it in a type twice their size: the names outnumber the caption's
    characters, but the page still reads upright, so the plot is Figure 2 and not an uncaptioned figure."""
    doc, page = _body_pages((72,), width=468)
    plot(page, pymupdf.Rect(80, 150, 540, 400))
    for k in range(120):
        x = 82 + 3.8 * k
        page.insert_text((x + 3, 470), f"Index{k:03d}", fontsize=3.9, fontname="helv", rotate=90)
    caption = ["Figure 2. Median computation time of the complexity indices across signal lengths, shown by",
               "lines of different colours; the indices are grouped in sections by their background colour and",
               "sorted by their median computation time, expressed in arbitrary units since the actual time",
               "depends on the machine that runs them, so only their differences are meant to be read here."]
    _rows(page, 72, 490, caption, size=8, step=11)
    (fig,) = _found(doc, 2)
    assert fig.number == "2" and fig.turn == 0
    assert fig.figure_box is not None and fig.figure_box[1] < 155 and fig.figure_box[3] > 440


def test_prompt_boxes_with_titles_set_right_on_them() -> None:
    """A table of example prompts in the right column: three tinted boxes of sentences in a type smaller
    than the body's, the later two each under a bold title as wide as most body lines whose line box stands a
    fraction of a point into the box under it, and the caption under the last box. The titles are the table's,
    so it runs from the first box's (short) title to the caption."""
    doc, page = _body_pages((50, 306), width=240)
    _column(page, 50, 80, 45, width=240)
    top = 90.0
    for k in range(3):
        title = f"Breakdown Prompt Example number {k} (dataset)" if k else "Regular prompt"
        page.insert_text((308, top + 9), title, fontsize=8, fontname="tibo")
        box = pymupdf.Rect(308, top + 11.5, 540, top + 110)
        page.draw_rect(box, color=None, fill=(1, 0.9, 0.2))
        _column(page, 311, top + 22, 4, size=8, step=10, width=226)
        page.insert_text((311, top + 70), "Question: a short one", fontsize=8, fontname="tiro")
        page.insert_text((311, top + 80), "Label: none", fontsize=8, fontname="tiro")
        top += 118
    page.insert_text((380, top + 5), "Table 3: Example prompts", fontsize=10, fontname="tiro")
    _column(page, 306, top + 40, 10, width=240)
    (table,) = _found(doc, 2)
    assert table.number == "3" and table.figure_box is not None and table.figure_box[1] < 95


def test_an_underlined_word_in_a_table_caption() -> None:
    """Two ruled tables stacked in the left column, the first captioned under its rows with a word of its
    caption's third row underlined, right above the second's top rule. The underline ends neither the caption
    (it is no table's rule) nor makes the caption's last rows part of the second table."""
    doc, page = _body_pages((50, 306), width=240)
    _column(page, 306, 80, 60, width=240)
    for top in (80.0, 330.0):
        for y in (top, top + 16, top + 120):
            page.draw_line((58, y), (290, y), color=(0, 0, 0), width=0.6)
        for k in range(8):
            for x in (62, 140, 200, 250):
                page.insert_text((x, top + 28 + 12 * k), f"{k * 7 + x % 13}.{k}", fontsize=9, fontname="tiro")
        page.insert_text((62, top + 12), "Method", fontsize=9, fontname="tiro")
    rows = ["Table 3: Comparison of our method with the baselines on the",
            "synthetic dataset. The best result is set in bold, while the",
            "second best is marked by underlining. Results of the teacher",
            "are given for reference only and are not part of the ranking."]
    _rows(page, 58, 215, rows, size=9, step=11)
    page.draw_line((140, 239), (185, 239), color=(0, 0, 0), width=0.5)
    page.insert_text((58, 465), "Table 4: Image counts and generation methods of the baselines.", fontsize=9,
                     fontname="tiro")
    _column(page, 50, 490, 20, width=240)
    found = {f.number: f for f in _found(doc, 2)}
    first, second = found["3"], found["4"]
    assert first.caption_box is not None and first.caption_box[3] > 250
    assert second.bbox[1] > first.caption_box[3]


def test_typewriter_fonts_of_tex_and_word_count_as_code() -> None:
    """Listings set in URW's Courier clone (pdfTeX's ``times`` papers embed it as NimbusMonL), in Source Code Pro or
    in the TX fonts' typewriter are code, not body text; Times and Helvetica clones are not."""
    for name in ("XGXGLG+NimbusMonL-Regu", "ECUJMK+NimbusMonL-Bold", "NimbusMonL-ReguObli",
                 "MCIMQO+SourceCodeVariable-Roman", "txtt", "Courier", "LMMono10-Regular"):
        assert regions.MONOSPACE_RE.search(name), name
    for name in ("NimbusRomNo9L-Regu", "NimbusSanL-Regu", "Times-Roman", "CMR10"):
        assert not regions.MONOSPACE_RE.search(name), name


def test_an_algorithm_numbered_with_periods_at_the_head_of_a_column() -> None:
    """Pseudo-code set in the body's type at the head of the left column: two procedures of numbered steps
    ("1.", "2.", ...) at several indents, thirty rows in all, over the figure's caption, with no drawing. It is a
    text figure however many rows it has, as one numbered "1:", "2:" is."""
    doc, page = _body_pages((50, 306), width=240)
    y = 80.0
    for name, steps in (("malloc (sz)", 17), ("free (ptr)", 13)):
        page.insert_text((50, y), name, fontsize=9, fontname="tiro")
        y += 11
        for k in range(1, steps + 1):
            page.insert_text((50, y), f"{k}.", fontsize=9, fontname="tiro")
            indent = (66, 74, 90)[k % 3]
            page.insert_text((indent, y), f"Step {k} of the procedure: lock heap {k % 4}", fontsize=9,
                             fontname="tiro")
            y += 10.5
        y += 10
    page.insert_text((70, y + 14), "Figure 2: Pseudo-code for the allocator's malloc and free.", fontsize=9,
                     fontname="tiro")
    _column(page, 50, y + 45, 18, width=240)
    _column(page, 306, 80, 60, width=240)
    (fig,) = _found(doc, 2)
    assert fig.number == "2" and fig.figure_box is not None and fig.figure_box[1] < 82


def test_a_plot_titled_right_under_the_caption_of_the_figure_above() -> None:
    """A full-width figure over its caption, and right under that caption a plot in the left column whose panel
    titles ("5 kg", "10 kg", "15 kg") PyMuPDF lists out of order, then the plot's own caption. The titles are a
    row of cells, not the upper caption's next line, so the plot is Figure 5 and the upper figure ends at its
    caption."""
    doc, page = _body_pages((54, 313), width=240)
    plot(page, pymupdf.Rect(80, 55, 530, 200))
    rows = ["Fig. 4: Slope adaptation and velocity tracking in hardware experiments, with the mean velocity, the cost",
            "of transport, the objective value and the slope context while the slope rises to ten degrees, and the",
            "optimized parameters over the trials."]
    _rows(page, 54, 216, rows, size=8, step=9)
    for x, label in ((190, "10 kg"), (262, "15 kg"), (103, "5 kg")):
        page.insert_text((x, 247.5), label, fontsize=8.3, fontname="hebo")
    page.insert_image(pymupdf.Rect(72, 251, 280, 320), stream=_png(208, 69))
    _rows(page, 54, 333, ["Fig. 5: Forward velocity during the hardware experiment of adaptation up",
                          "to a 15 kg load, tracking a target velocity of 0.4 m/s."], size=8, step=9)
    _column(page, 54, 370, 30, width=240)
    _column(page, 313, 260, 40, width=240)
    found = {f.number: f for f in _found(doc, 2)}
    assert found["4"].bbox[3] < 240
    assert found["5"].figure_box is not None and found["5"].figure_box[1] < 245


def test_a_column_figure_under_a_full_width_table() -> None:
    """A full-width ruled table, then a figure in each column under it, each over its own caption; the right one
    is two pictures with rotated labels beside them, which lead from the caption up to the table's last rule.
    The table is another float: the right figure keeps to its column and is found."""
    doc, page = _body_pages((50, 309), width=236)
    for y in (70.0, 82.0, 152.0):
        page.draw_line((59, y), (536, y), color=(0, 0, 0), width=0.6)
    for k in range(5):
        for x in (75, 160, 250, 340, 430, 500):
            page.insert_text((x, 93 + 12 * k), f"{80 + k}.{x % 7}", fontsize=8, fontname="tiro")
    page.insert_text((218, 64), "Table 3: Ablation study for key components.", fontsize=9, fontname="tiro")
    page.insert_image(pymupdf.Rect(62, 170, 274, 245), stream=_png(212, 75))
    _rows(page, 50, 256, ["Figure 5. Ablation study for the masking ratio of the", "parameter disentanglement."],
          size=9, step=11)
    page.insert_image(pymupdf.Rect(339, 172, 524, 217), stream=_png(185, 45))
    page.insert_image(pymupdf.Rect(340, 219, 526, 265), stream=_png(186, 46))
    page.insert_text((335, 218), "Closed-Set Parameters", fontsize=4.8, fontname="hebo", rotate=90)
    page.insert_text((335, 264), "Open-Set Parameters", fontsize=4.8, fontname="hebo", rotate=90)
    _rows(page, 309, 282, ["Figure 6. Parameter distribution of closed-set subnetworks and",
                           "open-set subnetworks on CIFAR-10 dataset."], size=9, step=11)
    _column(page, 50, 305, 40, width=236)
    _column(page, 309, 320, 40, width=236)
    found = {f.number: f for f in _found(doc, 2)}
    assert found["6"].bbox[0] > 300 and found["6"].bbox[1] < 175
    assert found["5"].bbox[2] < 300


@pytest.mark.timeout(30)  # the grid of clips once walked a clip a billion points wide cell by cell: a hang
def test_a_clip_a_billion_points_wide_around_a_picture() -> None:
    """A page whose content sits in a clip of +-1e9 points (an "everything" clip some writers set) around a
    picture: the clip trims nothing, and the page is read at once."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Figure 1: A picture.", fontsize=9)
    page.insert_image(pymupdf.Rect(100, 100, 300, 300), stream=_png(40, 40))
    xref = page.get_contents()[-1]
    doc.update_stream(xref, b"q -1000000000 -1000000000 2000000000 2000000000 re W n "
                      + doc.xref_stream(xref) + b" Q")
    read = layout.read_page(pymupdf.open(stream=doc.tobytes(), filetype="pdf")[0])
    assert [g.box for g in read.graphics if g.kind == "raster"] == [(100.0, 100.0, 300.0, 300.0)]
