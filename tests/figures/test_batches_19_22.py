"""Layouts found on the real set's dev half in batches 19-22 (PLOS supporting information, plots whose text is
set larger than the body): each case drawn here in miniature."""

from __future__ import annotations

import pymupdf
import pytest

from arxiv_digest.figures import locate_figures
from arxiv_digest.figures.layout import CAPTION_RE

from .common import body_text as _body
from .common import iou
from .common import plot as _plot
from .common import second_page as _second_page


@pytest.mark.parametrize(("text", "label", "number"), [
    ("Supporting Figure S1. Dot plots of the two assemblies.", "Figure", "S1"),
    ("Supplementary Table 2: Parameters of the runs.", "Table", "2"),
    ("Extended Data Fig. 3 | Sky maps of the field.", "Fig.", "3"),
    ("Appendix Figure A2: Share of released defendants.", "Figure", "A2"),
])
def test_a_qualified_label_opens_a_caption(text: str, label: str, number: str) -> None:
    """Supplements and appendices qualify their labels; the number and delimiter read as in any caption."""
    m = CAPTION_RE.match(text)
    assert m is not None and (m["label"], m["number"]) == (label, number)


def test_a_supporting_figure_is_found_under_its_qualified_caption() -> None:
    """PLOS supporting information: "Supporting Figure S1." under the graphic is its caption."""
    doc, page = _second_page()
    y = _body(page, 80, 4)
    plot = pymupdf.Rect(110, y + 20, 500, y + 220)
    _plot(page, plot)
    page.insert_text((72, plot.y1 + 20), "Supporting Figure S1. Dot plots of the assemblies of the three samples.",
                     fontsize=10, fontname="tibo")
    _body(page, plot.y1 + 60, 10)

    (fig,) = locate_figures(doc)
    assert fig.number == "S1" and fig.figure_box is not None and iou(fig.figure_box, tuple(plot)) > 0.9


def test_an_axis_title_set_larger_than_the_body_stays_in_its_plot() -> None:
    """A plot exported with large type: its axis title, under two rows of tick labels and further from the
    graphic than a figure's parts usually are, is no heading that cuts the figure from its caption."""
    doc, page = _second_page()
    plot = pymupdf.Rect(110, 80, 500, 300)
    _plot(page, plot)
    for i, x in enumerate(range(120, 500, 60)):
        page.insert_text((x, plot.y1 + 12), f"{2006 + i}", fontsize=10, fontname="tiro")
        page.insert_text((x, plot.y1 + 24), "(est.)", fontsize=10, fontname="tiro")
    page.insert_text((280, plot.y1 + 62), "Year", fontsize=15, fontname="tiro")
    page.insert_text((210, plot.y1 + 88), "Figure 9: Topic frequency per year.", fontsize=10, fontname="tiro")
    _body(page, plot.y1 + 130, 12)

    (fig,) = locate_figures(doc)
    assert fig.number == "9" and fig.figure_box is not None and fig.figure_box[1] <= plot.y0 + 2


def test_a_caption_run_on_from_a_sub_caption_in_its_block_is_found() -> None:
    """A sub-caption and the caption under it, set in one text block: "Fig. 3:" with its colon opens a caption
    though it does not open the block."""
    doc, page = _second_page()
    top = pymupdf.Rect(150, 100, 450, 220)
    bottom = pymupdf.Rect(150, 250, 450, 370)
    _plot(page, top)
    page.insert_text((220, top.y1 + 14), "(a) Possible paths from occurrence to occurrence", fontsize=8,
                     fontname="tiro")
    _plot(page, bottom)
    page.insert_text((250, bottom.y1 + 14), "(b) Binned quotation family", fontsize=8, fontname="tiro")
    page.insert_text((225, bottom.y1 + 23), "Fig. 3: Temporal binning of quotation families", fontsize=8,
                     fontname="tiro")
    _body(page, bottom.y1 + 60, 12)

    (fig,) = locate_figures(doc)
    assert fig.number == "3" and fig.figure_box is not None and fig.figure_box[1] <= top.y0 + 2


def test_a_bold_number_inside_a_tables_row_is_no_section_heading() -> None:
    """A row whose bold count is followed by a capitalised cell reads like "4 Results", but a heading opens its
    row: the table captioned above runs on past it to its last row."""
    doc, page = _second_page()
    y = _body(page, 80, 6)
    page.insert_text((72, y + 20), "Table 2. Assembly of the real data sets with the two assemblers.", fontsize=10,
                     fontname="tiro")
    page.draw_line((90, y + 30), (520, y + 30), width=1)
    page.insert_text((220, y + 42), "Unicycler    npGraph", fontsize=10, fontname="cour")
    page.insert_text((340, y + 42), "Replicons (based on PlasmidFinder)", fontsize=10, fontname="tiro")
    page.draw_line((90, y + 46), (520, y + 46), width=0.5)
    for r in range(8):
        row = y + 60 + 12 * r
        if r == 0:
            page.insert_text((93, row), "CAV1374", fontsize=10, fontname="tiro")
        page.insert_text((230, row), f"{109688 - 9000 * r}", fontsize=10, fontname="tibo")
        page.insert_text((290, row), f"{109688 - 9000 * r}", fontsize=10, fontname="tibo")
        page.insert_text((340, row), f"IncFIB(pB{171 + r}) 1 pB{171 + r} AB0249{46 + r}", fontsize=10,
                         fontname="tiro")
    page.draw_line((90, y + 60 + 12 * 8), (520, y + 60 + 12 * 8), width=1)
    _body(page, y + 60 + 12 * 8 + 40, 12)

    (table,) = locate_figures(doc)
    assert table.kind == "table" and table.bbox[3] >= y + 60 + 12 * 8 - 1


def test_a_single_spaced_caption_in_a_double_spaced_manuscript_ends_with_its_last_line() -> None:
    """A manuscript double-spaces its body but not its captions: the paragraph that follows a caption, one
    double space below, is no caption line."""
    doc = pymupdf.open()
    _body(doc.new_page(), 80, 28, step=24)
    page = doc.new_page()
    plot = pymupdf.Rect(100, 80, 500, 300)
    _plot(page, plot)
    caption = ["Figure 3: Empirical rejection rates of the diagnostic methods for three sample sizes in the",
               "continuous simulation, at a nominal significance level of 0.05. Rates under the correct model",
               "are shown in black, and rates under the misspecified model in red."]
    for i, text in enumerate(caption):
        page.insert_text((72, plot.y1 + 20 + 12 * i), text, fontsize=10, fontname="tiro")
    _body(page, plot.y1 + 20 + 12 * 2 + 24, 10, step=24)

    (fig,) = locate_figures(doc)
    assert fig.caption_box is not None and fig.caption_box[3] <= plot.y1 + 20 + 12 * 2 + 6


def test_a_label_on_its_own_line_takes_the_legend_under_it() -> None:
    """An author manuscript sets "Figure 3." in small bold type on its own line, over a legend in the body's
    type: the legend is the caption's text."""
    doc, page = _second_page()
    plot = pymupdf.Rect(100, 80, 500, 300)
    _plot(page, plot)
    page.insert_text((100, plot.y1 + 20), "Figure 3.", fontsize=9, fontname="tibo")
    legend = ["Hyperspectral and multispectral ratio imaging compared. Representative (A) multispectral",
              "and (B) hyperspectral ratio images at 24 hours after feeding. Scale bars equal to 10 um.",
              "(C) Averages of the ratio of the two lipids for both kinds of image (n=3 cells per time)."]
    for i, text in enumerate(legend):
        page.insert_text((100, plot.y1 + 33 + 12 * i), text, fontsize=10, fontname="tiro")

    (fig,) = locate_figures(doc)
    assert fig.caption_box is not None and fig.caption_box[3] >= plot.y1 + 33 + 12 * 2


def test_a_caption_line_justified_word_by_word_is_no_tables_header_row() -> None:
    """A justified caption line that PyMuPDF cuts into words, evenly spread from the caption's left edge to its
    right one, short words among them: the caption goes on through it to its last line."""
    doc, page = _second_page()
    plot = pymupdf.Rect(72, 80, 300, 280)
    _plot(page, plot)
    y = plot.y1 + 20
    full = "binaries of symmetric mass at a distance of one gigaparsec each"
    right = 72 + pymupdf.get_text_length(full, fontname="tiro", fontsize=9.5)
    page.insert_text((72, y), "FIG. 4. The sensitivity strain of the detector (black curve). The", fontsize=9.5,
                     fontname="tiro")
    page.insert_text((72, y + 11), "colours show the characteristic strain of the gravitational waves", fontsize=9.5,
                     fontname="tiro")
    words = ["each", "binary", "mass", "during", "the", "inspiral,", "defined", "as"]
    widths = [pymupdf.get_text_length(w, fontname="tiro", fontsize=9.5) for w in words]
    x, gap = 72.0, (right - 72 - sum(widths)) / (len(words) - 1)
    for word, w in zip(words, widths, strict=True):
        page.insert_text((x, y + 22), word, fontsize=9.5, fontname="tiro")
        x += w + gap
    for i in range(3):
        page.insert_text((72, y + 33 + 11 * i), full, fontsize=9.5, fontname="tiro")

    (fig,) = locate_figures(doc)
    assert fig.caption_box is not None and fig.caption_box[3] >= y + 33 + 22


def test_a_plot_exported_with_a_wide_bottom_margin_keeps_its_caption() -> None:
    """A chart saved with a wide white margin under it sits nine lines above its caption, with no body text
    between: it is still that caption's figure."""
    doc, page = _second_page()
    plot = pymupdf.Rect(110, 100, 480, 330)
    _plot(page, plot)
    page.insert_text((72, plot.y1 + 105), "Figure 8: Distribution of documents over the topics found.", fontsize=10,
                     fontname="tiro")
    _body(page, plot.y1 + 160, 15)

    (fig,) = locate_figures(doc)
    assert fig.number == "8" and fig.figure_box is not None and iou(fig.figure_box, tuple(plot)) > 0.9
