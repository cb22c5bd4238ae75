"""Layouts found by scanning unlabelled papers for missed figure numbers and stray crops (stop 23): text panels,
scanned pages, slanted tick labels, low captions; each case drawn here in miniature."""

from __future__ import annotations

import pymupdf

from arxiv_digest.figures import locate_figures

from .common import iou
from .common import plot as _plot
from .common import second_page as _second_page
from .test_batches_24_25 import _png
from .test_batches_30 import _column

PROMPT = ("Most teams we spoke to keep a short list of the checks that failed them before, and they run",
           "that list by hand on every release. None of them had written it down in one place, and each",
           "one of them said the list grew after every outage that reached their users in production.")


def _panel(text: bool) -> list[object]:
    """A page: a captioned plot, then a tinted panel with an icon, a rule and (if ``text``) a prompt set in a
    typewriter type, as appendices print them; the floats found on that page other than the plot."""
    doc, page = _second_page()
    _plot(page, pymupdf.Rect(150, 70, 450, 200))
    page.insert_text((150, 218), "Figure 3: Releases per month.", fontsize=10, fontname="tiro")
    panel = pymupdf.Rect(60, 250, 540, 560)
    page.draw_rect(panel, color=None, fill=(0.95, 0.92, 0.8))
    page.insert_image(pymupdf.Rect(70, 260, 130, 300), stream=_png(60, 40))
    page.draw_line((140, 300), (530, 300), color=(0.8, 0.5, 0.1), width=1.5)
    if text:
        page.insert_text((140, 290), "Prompt 2: the reviewer", fontsize=12, fontname="hebo")
        for k in range(18):
            page.insert_text((75, 320 + 12.5 * k), PROMPT[k % 3], fontsize=7, fontname="cour")
    data = doc.tobytes()
    return [f for f in locate_figures(pymupdf.open(stream=data, filetype="pdf")) if f.page == 1 and f.number != "3"]


def test_a_tinted_panel_of_running_text_is_no_figure() -> None:
    """A panel of sentences set in a type of its own (not the body's, so not counted as prose) is text in a
    frame, not an uncaptioned figure; the same panel holding only its art would be one."""
    assert _panel(text=True) == []
    (art,) = _panel(text=False)
    assert art.number is None


def _scanned(page: pymupdf.Page) -> bytes:
    """A one-page PDF as a scanner with OCR makes it: a picture of ``page``, and its words laid over the picture
    as invisible text."""
    out = pymupdf.open()
    scan = out.new_page(width=page.rect.width, height=page.rect.height)
    scan.insert_image(scan.rect, stream=page.get_pixmap(dpi=150, colorspace=pymupdf.csGRAY).tobytes("png"))
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            for span in line["spans"]:
                scan.insert_text(span["origin"], span["text"], fontsize=span["size"], fontname="tiro",
                                 render_mode=3)
    return out.tobytes()


def test_a_figure_in_a_scanned_page_is_found_from_its_ink() -> None:
    """An old paper scanned with an OCR layer: the page is one picture, the caption's words are invisible text.
    The figure is the inked part of the picture above its caption, not the whole page and not nothing."""
    doc = pymupdf.open()
    page = doc.new_page()
    _column(page, 72, 80, 12, words=12)
    chart = pymupdf.Rect(120, 250, 470, 470)
    _plot(page, chart)
    page.insert_text((120, 490), "Figure 2. Response of the cell to a step of light.", fontsize=10, fontname="tiro")
    _column(page, 72, 520, 18, words=12)
    (fig,) = locate_figures(pymupdf.open(stream=_scanned(page), filetype="pdf"))
    assert fig.number == "2" and fig.figure_box is not None and iou(fig.figure_box, tuple(chart)) > 0.85


def test_a_plot_with_many_slanted_tick_labels_does_not_turn_its_page() -> None:
    """A full-page plot whose x axis names sixty items in labels slanted at 60 degrees, more characters than the
    rest of the page: the page is still read upright, so its caption is found and the plot is its figure."""
    doc, page = _second_page()
    chart = pymupdf.Rect(90, 80, 520, 560)
    _plot(page, chart)
    for k in range(60):
        at = pymupdf.Point(95 + 7 * k, 640)
        page.insert_text(at, f"benchmark item {k:02d}", fontsize=7, fontname="helv", morph=(at, pymupdf.Matrix(-60)))
    page.insert_text((120, 680), "Figure 4: Scores of every item.", fontsize=10, fontname="tiro")
    found = locate_figures(pymupdf.open(stream=doc.tobytes(), filetype="pdf"))
    (fig,) = [f for f in found if f.page == 1]
    assert fig.number == "4" and fig.turn == 0 and fig.figure_box is not None
    assert iou(fig.figure_box, (90, 80, 520, 660)) > 0.8


def test_a_caption_in_the_footer_band_under_a_plots_axis_labels() -> None:
    """A plot at the foot of a page, its tick labels and axis title under its frame, its bold caption below them
    in the band where footers stand: the caption is the plot's (it is near the labels, if not the frame)."""
    doc, page = _second_page()
    _column(page, 72, 80, 40, words=12)
    frame = pymupdf.Rect(90, 560, 300, 722)
    _plot(page, frame)
    for k in range(5):
        page.insert_text((88 + 50 * k, 733), str(50 * k), fontsize=7, fontname="helv")
    page.insert_text((180, 744), "x (km)", fontsize=7, fontname="helv")
    page.insert_text((60, 778), "Fig. 3. Mass balance along the glacier.", fontsize=8, fontname="tibo")
    found = [f for f in locate_figures(pymupdf.open(stream=doc.tobytes(), filetype="pdf")) if f.page == 1]
    (fig,) = found
    assert fig.number == "3" and fig.figure_box is not None and fig.figure_box[1] < 565 and fig.figure_box[3] > 740
