"""Caption stage: journal and conference caption styles, appendix numbers, and which caption wins a number."""

from __future__ import annotations

import pymupdf
import pytest

from arxiv_digest.figures import locate_figures
from arxiv_digest.figures.captions import CAPTION_RE

BODY = ("Adaptive beamformers lose most of their gain when the array is miscalibrated, and the loss grows "
        "with the number of elements. We estimate the calibration error jointly with the weights and keep "
        "the gain within a decibel of the calibrated case across all the array sizes that we have measured.")


def _paragraph(page: pymupdf.Page, top: float, lines: int = 6) -> float:
    words, y = BODY.split(), top
    for i in range(lines):
        text = " ".join(words[(i * 9) % 30:(i * 9) % 30 + 13])
        page.insert_text((72, y), text, fontsize=10, fontname="tiro")
        y += 12
    return y


def _plot(page: pymupdf.Page, box: pymupdf.Rect) -> None:
    page.draw_rect(box, color=(0, 0, 0), width=0.8)
    page.draw_polyline([(box.x0, box.y1), (box.x0 + box.width / 2, box.y0 + 20), (box.x1, box.y0 + 10)],
                       color=(0.8, 0.1, 0.1), width=1.2)
    for i in range(5):
        x = box.x0 + i * box.width / 4
        page.insert_text((x - 3, box.y1 + 10), str(i * 10), fontsize=7, fontname="helv")


def _float_page(doc: pymupdf.Document, caption: str, *, font: str = "tiro", size: float = 10) -> None:
    """Body text, a plot, its caption, then more body text."""
    page = doc.new_page()
    y = _paragraph(page, 80)
    _plot(page, pymupdf.Rect(150, y + 20, 450, y + 180))
    page.insert_text((72, y + 210), caption, fontsize=size, fontname=font)
    _paragraph(page, y + 250)


@pytest.mark.parametrize("caption", ["Fig. 3. Array gain by epoch for the three beamformers.",
                                     "Figure 3. An example shows the gain of the beamformers.",
                                     "FIG. 3. Gain of the beamformers."])
def test_period_captions_in_the_body_font_are_captions(caption: str) -> None:
    doc = pymupdf.open()
    _float_page(doc, caption)
    (fig,) = locate_figures(doc)
    assert (fig.number, fig.caption) == ("3", caption)
    assert fig.figure_box is not None and fig.figure_box[3] < fig.caption_box[1] + 2  # type: ignore[index]


def test_a_caption_pandoc_left_in_brackets_is_a_caption() -> None:
    doc = pymupdf.open()
    _float_page(doc, "[Figure 3: Array gain by epoch for the three beamformers.]")
    (fig,) = locate_figures(doc)
    assert fig.number == "3"


def test_a_mention_opening_a_sentence_is_still_not_a_caption() -> None:
    doc = pymupdf.open()
    _float_page(doc, "Figure 3 shows the gain of the beamformers.")
    _float_page(doc, "Figure 4. in the appendix repeats this for larger arrays.")
    assert locate_figures(doc) == []


def test_a_styled_caption_beats_an_earlier_weak_one_with_the_same_number() -> None:
    doc = pymupdf.open()
    _float_page(doc, "Figure 2. We then repeat the measurement with sixteen elements.")  # weak: body style
    _float_page(doc, "Figure 2: Gain with sixteen elements.", font="tibo", size=9)
    (fig,) = locate_figures(doc)
    assert (fig.page, fig.caption) == (1, "Figure 2: Gain with sixteen elements.")


def test_appendix_numbers_keep_their_letter() -> None:
    assert [CAPTION_RE.match(t)["number"] for t in ("Figure A.1: x", "Table B2. y", "Fig. S3 | z")] == [  # type: ignore[index]
        "A.1", "B2", "S3"]
    doc = pymupdf.open()
    _float_page(doc, "Figure 1: Gain in the body.", font="tibo", size=9)
    _float_page(doc, "Figure A.1: Gain in the appendix.", font="tibo", size=9)
    assert [(f.page, f.number) for f in locate_figures(doc)] == [(0, "1"), (1, "A.1")]


def test_an_appendix_numbering_by_a_letter_alone_or_a_figure_numbered_zero_keeps_it() -> None:
    assert [CAPTION_RE.match(t)["number"] for t in ("Figure D. x", "Table E: y", "Table C: z")] == [  # type: ignore[index]
        "D", "E", "C"]
    assert CAPTION_RE.match("Figure A shows the gain") is None
    assert CAPTION_RE.match("Fig. 0. Overview of the verifier")["number"] == "0"  # type: ignore[index]
    assert CAPTION_RE.match("Table 0. 5 0.7 0.9") is None
    doc = pymupdf.open()
    _float_page(doc, "Figure 1: Gain in the body.", font="tibo", size=9)
    _float_page(doc, "Figure D. Gain of the beamformers in the appendix.")
    assert [(f.page, f.number) for f in locate_figures(doc)] == [(0, "1"), (1, "D")]


def test_panel_letters_above_a_drawing_belong_to_it() -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    y = _paragraph(page, 80)
    page.insert_text((80, y + 30), "(a)", fontsize=10, fontname="tibo")  # 25 pt above the drawing
    _plot(page, pymupdf.Rect(150, y + 55, 450, y + 180))
    page.insert_text((72, y + 210), "Figure 1: The model.", fontsize=9, fontname="tibo")
    _paragraph(page, y + 250)
    (fig,) = locate_figures(doc)
    assert fig.figure_box is not None and fig.figure_box[1] <= y + 30 - 9


def test_a_label_set_in_its_own_font_with_the_text_beside_it() -> None:
    """Journals set "Figure 1" in a sans label font, then the caption text on the same row in another font."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = _paragraph(page, 80)
    _plot(page, pymupdf.Rect(150, y + 20, 450, y + 180))
    page.insert_text((72, y + 210), "Figure 1", fontsize=10, fontname="hebo")
    page.insert_text((125, y + 210), "Flow chart of the trials we selected.", fontsize=10, fontname="helv")
    _paragraph(page, y + 250)
    (fig,) = locate_figures(doc)
    assert (fig.number, fig.caption) == ("1", "Figure 1 Flow chart of the trials we selected.")


@pytest.mark.parametrize("line", ["table 0.026 0.026 0.019 0.023", "Table 0.5 0.7 0.9", "figure 3: lower case"])
def test_a_table_row_or_a_lower_case_label_is_no_caption(line: str) -> None:
    assert CAPTION_RE.match(line) is None


def test_a_supplement_numbering_its_figures_from_one_again_keeps_both_series() -> None:
    from arxiv_digest.figures import extract

    doc = pymupdf.open()
    for caption in ("Figure 1: Gain in the body.", "Figure 2: Loss in the body.", "Figure 1: Gain in the supplement."):
        _float_page(doc, caption, font="tibo", size=9)
    assert [(f.page, f.number) for f in locate_figures(doc)] == [(0, "1"), (1, "2"), (2, "1")]
    shown = [(r.figure.page, r.figure.number) for r in extract(doc, include_first_page=False)]
    assert shown == [(0, "1"), (1, "2"), (2, "1")]  # the paper's own series first


def _words(page: pymupdf.Page, x: float, y: float, words: list[str], gap: float, **font: object) -> None:
    """Set words one by one with wide justified gaps, which PyMuPDF reads as separate lines."""
    for w in words:
        page.insert_text((x, y), w, fontsize=10, fontname="tiro", **font)  # type: ignore[arg-type]
        x += pymupdf.get_text_length(w, "tiro", 10) + gap


def test_a_justified_caption_cut_word_by_word_is_still_a_caption() -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    y = _paragraph(page, 80)
    _plot(page, pymupdf.Rect(150, y + 20, 450, y + 180))
    caption = "Figure 8: Field segmentation observed transition structure of the data"
    _words(page, 72, y + 210, caption.split(" "), 12)
    _paragraph(page, y + 250)
    (fig,) = locate_figures(doc)
    assert fig.number == "8" and fig.caption.startswith("Figure 8: Field segmentation")


def test_a_double_spaced_caption_keeps_every_line_in_a_double_spaced_paper() -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    words = BODY.split()
    for i in range(20):  # the body is double spaced too
        page.insert_text((72, 80 + 24 * i), " ".join(words[(i * 9) % 30:(i * 9) % 30 + 12]), fontsize=10,
                         fontname="tiro")
    _plot(page, pymupdf.Rect(150, 570, 450, 680))
    lines = ["FIG. 2. Gain of the three beamformers by epoch for arrays of", "eight, sixteen and thirty-two elements,",
             "measured on the calibrated array."]
    for k, text in enumerate(lines):
        page.insert_text((72, 705 + 24 * k), text, fontsize=10, fontname="tiro")
    (fig,) = locate_figures(doc)
    assert fig.caption.endswith("measured on the calibrated array.")


def test_a_reference_whose_number_is_a_link_in_another_font_is_no_caption() -> None:
    """A paragraph opening "Figure 5 represents ..." whose "5" is set in another font (a coloured link)."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = _paragraph(page, 80)
    page.insert_text((72, y + 14), "Figure", fontsize=10, fontname="tiro")
    page.insert_text((104, y + 14), "5", fontsize=10, fontname="helv", color=(0, 0, 1))
    page.insert_text((112, y + 14), "represents the gain of the beamformers over the epochs of training", fontsize=10,
                     fontname="tiro")
    _plot(page, pymupdf.Rect(150, y + 40, 450, y + 200))
    page.insert_text((72, y + 230), "Figure 5: Gain by epoch.", fontsize=9, fontname="tibo")
    _paragraph(page, y + 260)
    (fig,) = locate_figures(doc)
    assert fig.caption == "Figure 5: Gain by epoch."


def test_a_lone_rule_under_a_caption_is_no_figure() -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    y = _paragraph(page, 80)
    page.insert_text((72, y + 20), "Figure 2: Gain by epoch (the plot is on the next page).", fontsize=9,
                     fontname="tibo")
    page.draw_line((72, y + 26), (200, y + 26), width=0.5)
    _paragraph(page, y + 50)
    assert locate_figures(doc) == []
