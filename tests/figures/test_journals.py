"""Journal, thesis and preprint layouts found on the real set's dev half: each case is drawn here in miniature."""

from __future__ import annotations

import pymupdf

from arxiv_digest.figures import layout, locate_figures
from arxiv_digest.figures.geometry import Box

from .common import BODY, iou, two_columns
from .common import body_text as _body
from .common import plot as _plot


def test_a_label_set_apart_from_a_bold_title_is_a_caption() -> None:
    """ "Figure 3" in the body font, then its title in bold on the same row (a line-numbered preprint)."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = _body(page, 80, 8) + 20
    _plot(page, pymupdf.Rect(120, y, 480, y + 150))
    page.insert_text((72, y + 172), "Figure 3", fontsize=10, fontname="tiro")
    page.insert_text((122, y + 172), "Magnitude of evolutionary change. Raincloud plots of the counts.", fontsize=9,
                     fontname="tibo")
    _body(page, y + 200, 20)

    (fig,) = locate_figures(doc)
    assert fig.number == "3" and fig.caption.startswith("Figure 3 Magnitude")


def test_two_captions_on_one_row_caption_two_figures() -> None:
    """Two plots side by side, each captioned under it, the captions on one (slightly uneven) row."""
    doc = pymupdf.open()
    page = doc.new_page()
    left, right = pymupdf.Rect(80, 80, 290, 250), pymupdf.Rect(310, 80, 520, 250)
    _plot(page, left)
    _plot(page, right)
    page.insert_text((90, 272), "Figure 3.1: POA for symmetric bidders", fontsize=10, fontname="tiro")
    page.insert_text((320, 266), "Figure 3.2: POA for no-regret bidders", fontsize=10, fontname="tiro")
    _body(page, 300, 30)

    found = {f.number: f for f in locate_figures(doc)}
    assert set(found) == {"3.1", "3.2"}
    for number, plot in (("3.1", left), ("3.2", right)):
        box = found[number].figure_box
        assert box is not None and iou(box, tuple(plot)) >= 0.85


def _line(text: str, box: Box, block: int, size: float = 10.0) -> layout.Line:
    return layout.Line(box, text, size, block, True, False, False, True, "Times")


def test_a_running_head_sharing_a_block_with_its_page_number_is_not_the_body() -> None:
    """ "24 | Chapter 2. Auctions" is two pieces of one row in one block: not a paragraph, so not where the
    body begins."""
    pages = []
    for k in range(6):
        lines = [_line(f"{20 + k}", (72, 41, 84, 53), 0), _line("Chapter 2. Price of Anarchy in First-Price Auctions",
                                                                 (233, 41, 504, 53), 0)]
        lines += [_line(BODY[:70], (72, 90 + 24 * i, 540, 102 + 24 * i), 1 + i) for i in range(20)]
        lines += [_line(BODY[:70], (72, 90 + 24 * 20, 540, 102 + 24 * 20), 1 + 19)]  # one two-line block
        pages.append(layout.PageData(k, (0, 0, 612, 792), lines, []))
    lay = layout.document_layout(pages)
    assert lay.top >= 89
    assert (40.0, 54.0) in lay.heads or any(abs(y0 - 41) <= 2 for y0, _ in lay.heads)


def test_a_figure_wider_than_the_text_column_far_above_its_caption() -> None:
    """eLife: the text column is indented, figures and captions run into the left margin, and the caption
    sits five lines below the figure on a page with no body text."""
    doc = pymupdf.open()
    for _ in range(3):  # pages of indented body text teach the layout its column
        _body(doc.new_page(), 80, 50, x=170, step=13)
    page = doc.new_page()
    panels = [pymupdf.Rect(45, 70, 300, 300), pymupdf.Rect(320, 70, 570, 300), pymupdf.Rect(45, 345, 570, 560)]
    for r in panels:
        _plot(page, r)
    page.insert_text((45, 607), "Figure 1. Speed dependence of the responses to gratings moving in both directions.",
                     fontsize=8, fontname="tibo")
    page.insert_text((45, 617), "All data show the mean and the standard error of the mean over the flies.",
                     fontsize=8, fontname="tiro")

    (fig,) = locate_figures(doc)
    assert fig.figure_box is not None and iou(fig.figure_box, (45, 70, 570, 560)) >= 0.95


def test_large_tick_labels_under_a_plot_belong_to_it() -> None:
    """Tick labels and the axis unit set larger than the body are figure text, not headings."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = _body(page, 80, 6) + 20
    _plot(page, pymupdf.Rect(150, y, 450, y + 160))
    for k, x in enumerate((150, 250, 350, 450)):
        page.insert_text((x - 8, y + 178), f"10{k}", fontsize=13, fontname="tiro")
    page.insert_text((280, y + 198), "λ [µm]", fontsize=14, fontname="tiro")
    page.insert_text((72, y + 222), "Figure 2. Median spectra binned by luminosity.", fontsize=8, fontname="tibo")
    _body(page, y + 250, 20)

    (fig,) = locate_figures(doc)
    assert fig.figure_box is not None and fig.figure_box[1] <= y + 1


def test_a_caption_goes_on_past_a_larger_label_and_a_line_that_opens_with_a_mention() -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    y = _body(page, 80, 6) + 20
    _plot(page, pymupdf.Rect(150, y, 450, y + 140))
    page.insert_text((72, y + 160), "Figure 6", fontsize=10, fontname="tiro")
    page.insert_text((118, y + 160), "Novel task evolution. Raincloud plots of the three task counts. See",
                     fontsize=9, fontname="tibo")
    page.insert_text((82, y + 171), "Table 1 for descriptions of each metric, annotated with the tests.", fontsize=9,
                     fontname="tiro")
    page.insert_text((82, y + 182), "replicates.", fontsize=9, fontname="tiro")
    _body(page, y + 210, 20)

    (fig,) = locate_figures(doc)
    assert fig.caption.endswith("replicates.")


def test_a_plot_drawn_past_its_panel_is_cut_to_the_panel() -> None:
    """A sub-figure's plot drawn large and clipped to its panel: the clipped-away part is not the figure's."""
    doc = pymupdf.open()
    page = doc.new_page()
    _body(page, 300, 30)
    # PDF space (origin bottom-left, A4): clip to the panel x 100..300, y 670..770 (page y 72..172), then a
    # curve that runs far outside it, up to the top edge of the page.
    xref = page.get_contents()[0]
    extra = b"\nq 100 670 200 100 re W n 0 0 1 RG 1.5 w 90 650 m 200 840 l 320 690 l S Q\n"
    doc.update_stream(xref, doc.xref_stream(xref) + extra)
    page.insert_text((100, 192), "Fig. 3. Comparison of the elements of the gradient.", fontsize=9, fontname="tiro")

    (fig,) = locate_figures(doc)
    assert fig.figure_box is not None and fig.figure_box[1] >= 70


def test_a_full_width_figure_in_a_journal_that_indents_its_text() -> None:
    """MDPI: the text column is indented, a figure runs from the page margin across it."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = _body(page, 80, 10, x=164) + 20
    plot = pymupdf.Rect(50, y, 560, y + 180)
    for k in range(3):
        _plot(page, pymupdf.Rect(50 + 170 * k, y, 50 + 170 * k + 160, y + 180))
    page.insert_text((164, y + 200), "Figure 7. Posterior fits for the horizontal and vertical locations.",
                     fontsize=9, fontname="tibo")
    _body(page, y + 230, 20, x=164)

    (fig,) = locate_figures(doc)
    assert fig.figure_box is not None and iou(fig.figure_box, tuple(plot)) >= 0.9


def test_a_stray_line_over_a_table_caption_is_no_table_and_a_two_line_cell_shares_its_row() -> None:
    """Above the caption only the last word of a paragraph; below, the table (one of whose rows holds a label
    level with a value set on two lines), and under it the next table's caption, which could claim it too."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = _body(page, 80, 8)
    page.insert_text((72, y + 14), "it.", fontsize=10, fontname="tiro")
    page.insert_text((72, y + 40), "Table 1: Field and plasma parameters used in the simulation.", fontsize=9,
                     fontname="tiro")
    page.draw_line((70, y + 46), (415, y + 46), width=0.5)
    rows = y + 60
    for k in range(3):
        page.insert_text((80, rows + 16 * k), f"Ratio number {k} of the field", fontsize=10, fontname="tiro")
        page.insert_text((380, rows + 16 * k), f"{k}.5", fontsize=10, fontname="tiro")
    page.insert_text((80, rows + 58), "Parallel and perpendicular thermal velocity of fast electrons", fontsize=10,
                     fontname="tiro")
    page.insert_text((360, rows + 50), "v = 0.3c", fontsize=10, fontname="tiro")
    page.insert_text((360, rows + 66), "w = 0.15c", fontsize=10, fontname="tiro")
    page.draw_line((70, rows + 72), (415, rows + 72), width=0.5)
    page.insert_text((72, rows + 96), "Table 2: Precision of the parsers.", fontsize=9, fontname="tiro")
    for k in range(3):
        page.insert_text((80, rows + 112 + 16 * k), f"Parser {k}", fontsize=10, fontname="tiro")
        page.insert_text((380, rows + 112 + 16 * k), f"0.9{k}", fontsize=10, fontname="tiro")
    _body(page, rows + 180, 20)

    table = next(f for f in locate_figures(doc) if f.number == "1")
    assert table.figure_box is not None
    assert table.figure_box[1] >= y + 40 and table.figure_box[3] >= rows + 71


def test_figures_past_page_fifty_are_found() -> None:
    doc = pymupdf.open()
    for k in range(61):
        page = doc.new_page()
        y = _body(page, 80, 8) + 20
        if k == 60:
            _plot(page, pymupdf.Rect(150, y, 450, y + 150))
            page.insert_text((72, y + 170), "Figure 3.9: Efficiency for asymmetric bidders.", fontsize=9,
                             fontname="tibo")
        _body(page, y + 200, 20)

    assert [(f.number, f.page) for f in locate_figures(doc)] == [("3.9", 60)]
    assert locate_figures(doc, max_pages=50) == []


def test_a_ruled_tables_notes_under_its_last_rule_belong_to_it() -> None:
    """AASTeX: "NOTE—..." under the bottom rule explains the table and is cropped with it; the body text that
    resumes under the notes is not."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((200, 80), "Table 5. Transit times and their uncertainties.", fontsize=9, fontname="tibo")
    for y in (90, 104, 200):
        page.draw_line((200, y), (410, y), width=0.5)
    page.insert_text((210, 100), "Time        Error       Epoch", fontsize=7, fontname="tiro")
    for k in range(7):
        page.insert_text((210, 116 + 12 * k), f"24583{k}7.137", fontsize=7, fontname="tiro")
        page.insert_text((290, 116 + 12 * k), f"0.000{k}1", fontsize=7, fontname="tiro")
        page.insert_text((360, 116 + 12 * k), f"15{k}5", fontsize=7, fontname="tiro")
    note = "NOTE- t is the measured transit midtime and s its uncertainty; the reference"
    page.insert_text((200, 212), note, fontsize=7, fontname="tiro")
    page.insert_text((206, 220), "column names the work that first reported each time.", fontsize=7, fontname="tiro")
    _body(page, 260, 30)

    (table,) = locate_figures(doc)
    assert table.figure_box is not None and 220 <= table.figure_box[3] <= 228


def test_a_mention_set_larger_than_the_estimated_body_is_no_caption() -> None:
    """Where small text (references, tables) outweighs the body, the body looks large: "Table 2 shows ..." set
    in it is a sentence, not a caption."""
    from arxiv_digest.figures.captions import find_captions

    doc = pymupdf.open()
    page = doc.new_page()
    for k in range(40):  # the small text that sets the estimate
        page.insert_text((72, 60 + 9 * k), " ".join(BODY.split()[k % 5:k % 5 + 15]), fontsize=9, fontname="tiro")
    page.insert_text((72, 440), "Table 2: Performance of the approaches on each training size.", fontsize=9,
                     fontname="tiro")
    page.insert_text((72, 480), "Table 2 shows the performance of different baselines compared with ours.",
                     fontsize=10.5, fontname="tiro")
    page.insert_text((72, 493), "From this table we can see that the gated model does better.", fontsize=10.5,
                     fontname="tiro")
    p = layout.read_page(page)
    lay = layout.document_layout([p])
    assert [c.text[:8] for c in find_captions(p, lay, [False] * len(p.lines))] == ["Table 2:"]


def _rows(page: pymupdf.Page, top: float, n: int, *, x0: float = 80, size: float = 8, step: float = 10) -> float:
    """Rows of a three-column table of numbers from ``top``; returns the last row's baseline."""
    for k in range(n):
        y = top + step * k
        for col, x in enumerate((x0, x0 + 160, x0 + 300)):
            page.insert_text((x, y), f"{k + 1}.{col}{k}7" if col else f"Item {k + 1}", fontsize=size, fontname="tiro")
    return top + step * (n - 1)


def test_a_label_alone_under_a_tables_rows_in_its_own_font_opens_a_caption() -> None:
    """imsart: "TABLE 1" in small caps right under the last row (one text block with the rows), the title on the
    next line."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = _body(page, 80, 10) + 20
    last = _rows(page, y, 12, size=9, step=10.5)
    page.insert_text((270, last + 10.5), "Table 1", fontsize=9, fontname="cobo")
    page.insert_text((220, last + 22), "Variables included in the data set.", fontsize=9, fontname="tiit")
    _body(page, last + 60, 20)

    (table,) = locate_figures(doc)
    assert table.number == "1" and table.figure_box is not None
    assert table.figure_box[1] <= y - 5 and table.caption.endswith("data set.")


def test_a_row_group_label_between_a_tables_cells_is_no_paragraph() -> None:
    """A long row-group label in the table's small type, alone between two groups of rows, does not end the
    table as body text would."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = _body(page, 80, 10) + 20
    page.insert_text((72, y), "Table 1. Study outline", fontsize=9, fontname="tibo")
    page.draw_line((72, y + 6), (540, y + 6), width=0.5)
    last = _rows(page, y + 18, 4)
    page.insert_text((80, last + 14), "Cognitive and psychophysiological measures taken at every visit of the study",
                     fontsize=8, fontname="tiro")
    last = _rows(page, last + 28, 5)
    page.draw_line((72, last + 5), (540, last + 5), width=0.5)
    _body(page, last + 40, 20)

    (table,) = locate_figures(doc)
    assert table.figure_box is not None and table.figure_box[3] >= last


def test_a_caption_in_bold_throughout_ends_where_the_next_paragraph_opens() -> None:
    """ACM: the whole caption in bold, the next paragraph (indented, regular weight) at the caption's own line
    spacing."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = _body(page, 80, 6) + 20
    _plot(page, pymupdf.Rect(120, y, 480, y + 150))
    for k, text in enumerate(("Figure 1: The histogram of revenue in the online fintech scenario. Left: the raw",
                              "revenue values; Right: the values after the logarithmic transformation.")):
        page.insert_text((72, y + 168 + 12 * k), text, fontsize=10, fontname="tibo")
    page.insert_text((84, y + 192), "Though achieving acceptable results in idealized settings, these methods can",
                     fontsize=10, fontname="tiro")
    _body(page, y + 204, 20)

    (fig,) = locate_figures(doc)
    assert fig.caption.endswith("transformation.") and fig.bbox[3] < y + 190


def test_stacked_panels_with_an_axis_title_between_them_are_one_figure() -> None:
    """Two plots one above the other, the upper one's tick labels and axis title filling the gap between them
    (wider than a line of text, within three)."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = _body(page, 80, 6) + 20
    upper = pymupdf.Rect(180, y, 400, y + 120)
    _plot(page, upper)
    for k in range(5):
        page.insert_text((178 + 50 * k, upper.y1 + 10), str(2 * k), fontsize=8, fontname="tiro")
    page.insert_text((260, upper.y1 + 20), "Velocity (m/s)", fontsize=8, fontname="tiro")
    lower = pymupdf.Rect(180, upper.y1 + 42, 400, upper.y1 + 162)
    _plot(page, lower)
    page.insert_text((72, lower.y1 + 22), "Figure 3. Velocity and temperature profiles for inflow conditions.",
                     fontsize=9, fontname="tibo")
    _body(page, lower.y1 + 50, 16)

    (fig,) = locate_figures(doc)
    assert fig.figure_box is not None and fig.figure_box[1] <= upper.y0 + 1


def test_a_column_figure_under_a_full_width_table_leaves_the_table_to_it() -> None:
    """Two columns: a table across both under its caption, and right under it a figure in the right column,
    captioned below: the figure stops where the table ends."""
    doc = pymupdf.open()
    page = doc.new_page()
    two_columns(page, 300, (45, 24))  # sets the layout
    page.insert_text((50, 60), "Table 5. Detection performance of the schemes.", fontsize=8, fontname="tibo")
    page.draw_line((50, 66), (560, 66), width=0.5)
    for k in range(6):
        for col in range(8):
            page.insert_text((60 + 62 * col, 78 + 10 * k), f"{90 + k}.{col}", fontsize=8, fontname="tiro")
    page.draw_line((50, 132), (560, 132), width=0.5)
    for x in (180, 305, 430):  # the table's column rules
        page.draw_line((x, 66), (x, 132), width=0.5)
    _plot(page, pymupdf.Rect(330, 144, 550, 260))
    page.insert_text((312, 276), "Figure 4. Training time of the two methods.", fontsize=8, fontname="tibo")

    found = {f.number: f for f in locate_figures(doc)}
    assert found["4"].figure_box is not None and found["4"].figure_box[1] >= 135
    assert found["5"].figure_box is not None and found["5"].figure_box[3] >= 130


def test_a_tables_notes_run_on_in_the_body_size_from_glued_note_marks() -> None:
    """AJPM: notes in the body's own size, each opening with a superscript letter glued to its first word,
    over several text blocks, all under the table's last rule."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = _body(page, 80, 10) + 20
    page.insert_text((72, y), "Table 2. Crude mortality by length of follow-up", fontsize=10, fontname="tibo")
    page.draw_line((72, y + 6), (540, y + 6), width=0.5)
    last = _rows(page, y + 20, 4, size=10, step=12)
    page.draw_line((72, last + 5), (540, last + 5), width=0.5)
    notes = ["aSurvival times are calculated from discharge.", "bChi-squared comparison of crude mortality.",
             "cAdjusted for demographics, comorbidities, severity and the hospital characteristics of the",
             "index admission, and among those eligible, aspirin on admission and beta-blockers."]
    for k, text in enumerate(notes):
        page.insert_text((72, last + 18 + 12 * k), text, fontsize=10, fontname="tiro")
    _body(page, last + 110, 20)

    (table,) = locate_figures(doc)
    assert table.figure_box is not None and table.figure_box[3] >= last + 18 + 36


def test_a_footer_rule_drawn_with_the_table_over_it_is_left_out() -> None:
    """A journal's footer rules drawn as one path that starts just inside the text area: mostly in the footer,
    so not part of the table above it."""
    doc = pymupdf.open()
    page = doc.new_page()  # 595 x 842
    y = _body(page, 80, 49) + 9  # the table ends a few points above the footer
    page.insert_text((72, y), "Table 4. Inhibitor-binding constants", fontsize=9, fontname="tibo")
    page.draw_line((72, y + 6), (540, y + 6), width=0.5)
    last = _rows(page, y + 18, 5)
    page.draw_line((72, last + 5), (540, last + 5), width=0.5)
    path = page.new_shape()
    path.draw_polyline([(72, 748), (540, 748), (540, 790), (590, 790)])
    path.finish(color=(0, 0, 0), width=0.5)
    path.commit()
    page.insert_text((72, 805), "Copyright 2014 The Authors. Published under a CC BY licence.", fontsize=7,
                     fontname="helv")

    (table,) = locate_figures(doc)
    assert table.figure_box is not None and table.figure_box[3] <= last + 8 and table.figure_box[2] <= 545


def test_a_row_of_panels_captioned_flush_left_in_one_column_spans_both() -> None:
    """IEEE Access: four panels across both columns, the caption set flush left in the left column; the right
    column's panels carry no caption of their own."""
    doc = pymupdf.open()
    page = doc.new_page()
    two_columns(page, 330, (40, 40))
    for x in (55, 180, 317, 442):
        _plot(page, pymupdf.Rect(x, 200, x + 110, 290))
    page.insert_text((50, 306), "Figure 8. Average proposed scores of benign apps.", fontsize=8, fontname="tibo")

    (fig,) = locate_figures(doc)
    assert fig.figure_box is not None and fig.figure_box[2] >= 550


def test_chapter_numbered_captions_with_a_hyphen_are_found() -> None:
    """IBM Redbooks: "Table 3-1" and "Figure 3-5", in a smaller italic than the body."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = _body(page, 80, 6)
    page.insert_text((72, y + 4), "Table 3-1 Special registers and their corresponding values", fontsize=9,
                     fontname="tiit")
    page.draw_line((72, y + 10), (540, y + 10), width=0.5)
    last = _rows(page, y + 24, 5)
    page.draw_line((72, last + 5), (540, last + 5), width=0.5)
    top = _body(page, last + 30, 4) + 10
    _plot(page, pymupdf.Rect(120, top, 400, top + 140))
    page.insert_text((72, top + 158), "Figure 3-5 Special registers and adopted authority", fontsize=9,
                     fontname="tiit")
    _body(page, top + 190, 12)

    assert sorted((f.kind.value, f.number) for f in locate_figures(doc)) == [("figure", "3-5"), ("table", "3-1")]


def test_art_printed_to_the_page_edge_is_no_figure() -> None:
    """A cover or back page with a large picture running off the page: no uncaptioned figure."""
    doc = pymupdf.open()
    page = doc.new_page()
    art = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 40, 30), 1)
    page.insert_image(pymupdf.Rect(10, 200, 602, 600), pixmap=art)
    page.insert_text((72, 650), "Back cover", fontsize=20, fontname="tibo")

    assert locate_figures(doc) == []


def test_a_notation_tables_wrapped_descriptions_are_its_cells() -> None:
    """A table of terms and definitions in the body's size: each definition's second line starts flush with
    the first, well inside the column, and is no paragraph."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = _body(page, 80, 8) + 24
    page.insert_text((72, y), "Table 5: Major notations.", fontsize=10, fontname="tibo")
    page.draw_line((72, y + 6), (540, y + 6), width=0.5)
    row = y + 20
    for k in range(5):
        page.insert_text((80, row), f"term_{k}", fontsize=10, fontname="tiit")
        page.insert_text((200, row), "The number of query responses processed in a single forward pass", fontsize=10,
                         fontname="tiro")
        page.insert_text((200, row + 12), "to obtain the logits, within the memory of one accelerator", fontsize=10,
                         fontname="tiro")
        row += 28
    page.draw_line((72, row - 8), (540, row - 8), width=0.5)
    _body(page, row + 24, 20)

    (table,) = locate_figures(doc)
    assert table.figure_box is not None and table.figure_box[3] >= row - 10


def test_a_larger_appendix_heading_ends_the_table_over_it() -> None:
    """ "B Descriptions of the Baselines", set larger than the body right under a table: a heading, not a row."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = _body(page, 80, 8) + 24
    page.insert_text((72, y), "Table 5: Major notations.", fontsize=10, fontname="tibo")
    last = _rows(page, y + 16, 6, size=10, step=12)
    page.insert_text((72, last + 22), "B", fontsize=12, fontname="tibo")
    page.insert_text((90, last + 22), "Descriptions of the Baselines", fontsize=12, fontname="tibo")
    _body(page, last + 40, 20)

    (table,) = locate_figures(doc)
    assert table.figure_box is not None and table.figure_box[3] <= last + 8


def test_long_subcaptions_between_panels_and_caption_belong_to_the_figure() -> None:
    """Two columns; two panels side by side, each with a four-line sub-caption "(a) ...", "(b) ..." set like
    body text under it, then the figure's caption across both columns."""
    doc = pymupdf.open()
    page = doc.new_page()
    two_columns(page, 400, (30, 30), step=12)  # sets the layout
    for x in (50, 312):
        _plot(page, pymupdf.Rect(x, 72, x + 220, 230))
        for k, text in enumerate(("(a) In the privacy protection task, the model leaves", "little attention to the "
                                  "instruction to keep the secret", "and focuses mostly on the latest turn of the",
                                  "dialogue, as the heat map shows.")):
            page.insert_text((x, 250 + 11 * k), text, fontsize=9, fontname="tiro")
    page.insert_text((50, 310), "Figure 9: Attention heatmaps for two failure cases of the model.", fontsize=9,
                     fontname="tiro")

    (fig,) = locate_figures(doc)
    assert fig.figure_box is not None and fig.figure_box[1] <= 73


def test_a_table_alone_on_its_page_keeps_a_note_that_opens_left_of_it() -> None:
    """A table alone on a page without body text, and its note (opening with a note mark) flush with the text
    column's left edge, left of the table."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((220, 70), "TABLE 2 Summary of data scenarios.", fontsize=10, fontname="tibo")
    page.draw_line((120, 80), (500, 80), width=0.5)
    last = _rows(page, 96, 5, x0=130, size=10, step=12)
    page.draw_line((120, last + 5), (500, last + 5), width=0.5)
    page.insert_text((60, last + 20), "*As defined in table 3.", fontsize=10, fontname="tiro")

    (table,) = locate_figures(doc)
    assert table.figure_box is not None and table.figure_box[3] >= last + 18 and table.figure_box[0] <= 62


def _ticks(page: pymupdf.Page, box: pymupdf.Rect, title: str) -> float:
    """Tick labels and an axis title under a plot, in small type; returns the title's baseline."""
    for k in range(5):
        page.insert_text((box.x0 - 2 + box.width / 4 * k, box.y1 + 9), str(200 * k - 400), fontsize=7,
                         fontname="helv")
    page.insert_text((box.x0 + box.width / 2 - 30, box.y1 + 20), title, fontsize=8, fontname="helv")
    return box.y1 + 20


def _panel(page: pymupdf.Page, box: pymupdf.Rect, title: str = "Velocity (km/s)") -> float:
    """A framed plot with its tick labels and axis title under it; returns the title's baseline."""
    _plot(page, box)
    return _ticks(page, box, title)


def _labelled_caption(page: pymupdf.Page, bottom: float, label_x: float, text: str) -> None:
    """A panel letter "(e)" under the last axis title, then a short AASTeX caption flush left under it."""
    page.insert_text((label_x, bottom + 12), "(e)", fontsize=8, fontname="tiro")
    page.insert_text((56, bottom + 30), text, fontsize=8, fontname="tiro")


def test_a_grid_captioned_flush_left_under_its_centred_last_panel_spans_both_columns() -> None:
    """AASTeX: two rows of two panels and a fifth centred under them, across the gutter; tick labels, an axis
    title and "(e)" between that panel and a short caption flush left in the left column."""
    doc = pymupdf.open()
    page = doc.new_page()
    two_columns(page, 600, (14, 14))
    for x, y in ((90, 70), (330, 70), (90, 210), (330, 210)):
        _panel(page, pymupdf.Rect(x, y, x + 190, y + 90))
    bottom = _panel(page, pymupdf.Rect(215, 350, 405, 440))
    _labelled_caption(page, bottom, 300, "Fig. 5.- Cross-correlation functions of the companions.")

    (fig,) = locate_figures(doc)
    assert fig.figure_box is not None and fig.figure_box[0] <= 92 and fig.figure_box[2] >= 518


def test_a_row_of_framed_panels_captioned_under_their_tick_labels_spans_both_columns() -> None:
    """AASTeX: a three-by-two grid, the caption flush left under the left column's last panel, its tick labels,
    axis title and "(e)" filling more than three lines between the two."""
    doc = pymupdf.open()
    page = doc.new_page()
    two_columns(page, 600, (14, 14))
    for x in (90, 340):
        for y in (70, 210, 350):
            bottom = _panel(page, pymupdf.Rect(x, y, x + 180, y + 90))
    _labelled_caption(page, bottom, 170, "Fig. 6.- Cross-correlation functions, continued.")

    (fig,) = locate_figures(doc)
    assert fig.figure_box is not None and fig.figure_box[2] >= 518 and fig.figure_box[1] <= 72


def test_a_note_set_a_few_lines_under_a_deluxetable_and_its_last_words_left_of_it() -> None:
    """AASTeX: "Note. -" nearly two lines under the last row, set wider than the rows; its last line's first words
    start left of the table."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((220, 70), "TABLE 2", fontsize=9, fontname="tiro")
    page.draw_line((100, 78), (500, 78), width=0.5)
    last = _rows(page, 92, 20, x0=110, size=8, step=10)
    page.insert_text((60, last + 31), "Note. - The temperatures come from the sources labelled in the table.",
                     fontsize=8, fontname="tiro")
    page.insert_text((60, last + 40), "(2010); [13]:", fontsize=8, fontname="tiro")
    page.insert_text((120, last + 40), "Smith et al. (2012); [14]: Jones & Brown (2013).", fontsize=8,
                     fontname="tiro")
    _body(page, last + 90, 16)

    (table,) = locate_figures(doc)
    assert table.figure_box is not None and table.figure_box[3] >= last + 38 and table.figure_box[0] <= 62


def test_a_figure_under_a_table_each_on_its_only_side_share_the_space_between() -> None:
    """A document that captions its tables below, but one table captioned above with a figure right under it,
    captioned below: neither has graphics on its other side, so the two are cut apart at the white between."""
    doc = pymupdf.open()
    for n in (1, 2):  # tables captioned below: the document's habit
        page = doc.new_page()
        y = _body(page, 80, 8) + 20
        page.draw_line((80, y - 8), (480, y - 8), width=0.5)
        last = _rows(page, y, 6)
        page.draw_line((80, last + 5), (480, last + 5), width=0.5)
        page.insert_text((72, last + 20), f"Table {n}: Mass of the machine parts.", fontsize=10, fontname="tiro")
        _body(page, last + 50, 20)
    page = doc.new_page()
    page.insert_text((72, 80), "Table 3: Wire requirement of the generators.", fontsize=10, fontname="tiro")
    page.draw_line((80, 92), (480, 92), width=0.5)
    last = _rows(page, 106, 12, size=10, step=12)
    _plot(page, pymupdf.Rect(120, last + 25, 300, last + 130))
    _plot(page, pymupdf.Rect(320, last + 25, 480, last + 130))
    page.insert_text((72, last + 150), "Figure 8: Magnetic and mechanical gap of the machines.", fontsize=10,
                     fontname="tiro")
    _body(page, last + 190, 14)

    found = {(f.kind.value, f.number): f for f in locate_figures(doc) if f.page == 2}
    table, fig = found[("table", "3")], found[("figure", "8")]
    assert table.figure_box is not None and table.figure_box[3] < last + 20
    assert fig.figure_box is not None and fig.figure_box[1] >= last + 20


def test_panels_drawn_with_axis_lines_join_across_their_tick_labels_and_titles() -> None:
    """Two rows of plots, each framed by four separate axis lines with its curve well inside: the upper row's
    tick labels and axis title, more than three lines above the lower row, lead up to its axes."""
    doc = pymupdf.open()
    page = doc.new_page()
    two_columns(page, 560, (16, 16))
    for x in (80, 330):
        for y in (90, 300):
            box = pymupdf.Rect(x, y, x + 190, y + 140)
            for a, b in ((box.tl, box.tr), (box.tr, box.br), (box.br, box.bl), (box.bl, box.tl)):
                page.draw_line(a, b, width=0.5)
            page.draw_polyline([(x + 10, y + 60), (x + 90, y + 20), (x + 180, y + 70)], color=(0.8, 0, 0))
            page.insert_text((x + 40, y - 4), "#1 P=853.83,C=202", fontsize=9, fontname="helv")
            _ticks(page, box, "phase")
    page.insert_text((50, 490), "Figure 4. Upper panels: folded light curves. Lower panels: the spectra.",
                     fontsize=8, fontname="tiro")

    (fig,) = locate_figures(doc)
    assert fig.figure_box is not None and fig.figure_box[1] <= 92


def test_a_continued_figure_alone_on_its_page_keeps_its_row_far_above_its_caption() -> None:
    """MNRAS: the last page of a figure continued over several, one row of panels at its top and "Figure B6.
    Continued" at its foot, with nothing else on the page."""
    doc = pymupdf.open()
    page = doc.new_page()
    two_columns(page, 100, (60, 60))  # the document's body, on another page
    page = doc.new_page()
    for x in (60, 230, 400):
        _plot(page, pymupdf.Rect(x, 120, x + 150, 230))
    page.insert_text((260, 700), "Figure B6. Continued", fontsize=8, fontname="tibo")

    (fig,) = [f for f in locate_figures(doc) if f.page == 1]
    assert fig.number == "B6" and fig.figure_box is not None and fig.figure_box[1] <= 121


def test_subcaptions_centred_across_the_gutter_are_no_body_text() -> None:
    """Two columns, a full-width grid of pictures whose group sub-captions ("(1) ...") are centred across the
    gutter at the body size."""
    doc = pymupdf.open()
    page = doc.new_page()
    two_columns(page, 420, (30, 30))
    gray = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 64, 32), False)
    gray.set_rect(gray.irect, (120,))
    for row, y in enumerate((60, 180)):
        for x in (70, 195, 320, 445):
            page.insert_image(pymupdf.Rect(x, y, x + 100, y + 50), pixmap=gray)
            page.insert_text((x + 20, y + 64), "(a) Baidu", fontsize=10, fontname="tiro")
        page.insert_text((190, y + 86), f"({row + 1}) Captchas deployed in some popular websites.", fontsize=10,
                         fontname="tiro")
    page.insert_text((50, 290), "Figure 1. Text-based Captcha schemes of earlier work and of popular websites.",
                     fontsize=8, fontname="tiro")

    (fig,) = locate_figures(doc)
    assert fig.figure_box is not None and fig.figure_box[1] <= 61 and fig.figure_box[2] >= 540


def test_a_ruled_table_over_two_figures_ends_at_its_last_rule() -> None:
    """Two columns: a full-width ruled table captioned above, and under it a figure of pictures in each
    column, both captioned below; the right one's pictures start close under the table."""
    doc = pymupdf.open()
    page = doc.new_page()
    two_columns(page, 50, (4, 4))
    two_columns(page, 640, (12, 12))
    page.insert_text((150, 156), "Table IV. The success rate of each scheme.", fontsize=8, fontname="tiro")
    for y in (164, 176, 260):
        page.draw_line((70, y), (540, y), width=0.5)
    for k in range(7):
        for col in range(6):
            page.insert_text((80 + 78 * col, 188 + 11 * k), f"{60 + k}.{col}%", fontsize=8, fontname="tiro")
    gray = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 32, 32), False)
    gray.set_rect(gray.irect, (90,))
    for y in range(268, 500, 45):
        for x in (60, 100, 140, 180, 220):
            page.insert_image(pymupdf.Rect(x, y, x + 35, y + 35), pixmap=gray)
        for x in (335, 450):
            page.insert_image(pymupdf.Rect(x, y + 2, x + 90, y + 30), pixmap=gray)
    page.insert_text((360, 553), "(i) Baidu            (j) Generated", fontsize=9, fontname="tiro")
    page.insert_text((50, 575), "Figure 9. Examples of original samples.", fontsize=8, fontname="tiro")
    page.insert_text((320, 575), "Figure 10. Examples of real and generated Captchas.", fontsize=8,
                     fontname="tiro")

    found = {f.number: f for f in locate_figures(doc)}
    assert found["IV"].figure_box is not None and 255 <= found["IV"].figure_box[3] <= 270
    assert found["10"].figure_box is not None and found["10"].figure_box[1] <= 272


def test_a_caption_in_the_margin_beside_its_figure() -> None:
    """A Tufte-like layout: the figure fills the text column and its caption, wider than a side caption
    usually is, stands in the wide right margin level with it."""
    doc = pymupdf.open()
    page = doc.new_page()
    y = _body(page, 460, 22, x=44, step=12)
    _body(page, 60, 1, x=44)
    page.insert_image(pymupdf.Rect(56, 90, 392, 420), pixmap=pymupdf.Pixmap(pymupdf.csRGB, (0, 0, 64, 64), False))
    page.insert_text((406, 216), "Figure 1", fontsize=9, fontname="tibo")
    for k in range(9):
        page.insert_text((406, 227 + 11 * k), "the matrix is mostly capturing the degree", fontsize=9,
                         fontname="tiro")
    assert y > 700

    figs = [f for f in locate_figures(doc) if f.number == "1"]
    assert len(figs) == 1 and figs[0].caption_box is not None and figs[0].figure_box is not None
    assert figs[0].figure_box[2] <= 400 and figs[0].bbox[2] >= 550


def test_a_figure_captioned_above_keeps_its_subcaptions_and_notes_under_it() -> None:
    """Economics: "Figure 2: ..." over two plots, "(a) ..." sub-captions more than a line under them, then a
    "Note:" paragraph in a smaller type; the body text resumes after it."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((150, 90), "Figure 2: Heterogeneous Markups and Monetary Non-neutrality", fontsize=12,
                     fontname="tibo")
    for x in (90, 330):
        _panel(page, pymupdf.Rect(x, 110, x + 200, 280), "Period")
    page.insert_text((130, 322), "(a) Eight-sector Model", fontsize=11, fontname="tibo")
    page.insert_text((370, 322), "(b) Twenty-sector Model", fontsize=11, fontname="tibo")
    page.insert_text((92, 352), "Note: This figure plots the responses of real output to a monetary shock in",
                     fontsize=10.5, fontname="tiro")
    page.insert_text((92, 365), "the multi-sector model and in the one-sector model.", fontsize=10.5,
                     fontname="tiro")
    _body(page, 400, 22, step=14)

    (fig,) = locate_figures(doc)
    assert fig.figure_box is not None and 365 <= fig.figure_box[3] <= 380


def test_glyphs_far_taller_than_their_type_do_not_make_a_line_tall() -> None:
    """Word sets math in a font whose glyph boxes run far above and below the line: the line keeps the height
    of its text, or it would overlap its neighbours and read as a table's cells."""
    spans = [{"text": "relation between winter and summer patterns was observed (", "size": 10.0,
              "bbox": (166.0, 104.0, 420.0, 117.0)},
             {"text": "\U0001d70c", "size": 10.0, "bbox": (420.0, 83.0, 430.0, 139.0)},
             {"text": " = 0.48, CI95%", "size": 10.0, "bbox": (430.0, 104.0, 562.0, 117.0)}]
    raw = {"bbox": (166.0, 83.0, 562.0, 139.0), "dir": (1.0, 0.0), "spans": spans}
    assert layout._line_box(raw, spans) == (166.0, 104.0, 562.0, 117.0)
    assert layout._line_box(raw, spans[1:2]) == raw["bbox"]  # only tall glyphs: nothing else to go by


def _listing(page: pymupdf.Page, x: float, top: float, lines: list[str], *, step: float = 9) -> float:
    """A code listing in Courier with its line numbers in a smaller roman type; a blank string leaves a blank
    line. Returns the last line's baseline."""
    y = top
    for k, text in enumerate(lines, start=1):
        y = top + step * (k - 1)
        page.insert_text((x, y), str(k), fontsize=6, fontname="tiro")
        if text:
            page.insert_text((x + 14, y), text, fontsize=7, fontname="cour")
    return y


def test_a_numbered_code_listing_over_its_caption_leaves_the_diagram_under_it_to_the_next_figure() -> None:
    """ACM: a listing with line numbers and a blank line, "Figure 2" under it, and right under that caption a
    diagram captioned "Figure 3" below."""
    doc = pymupdf.open()
    page = doc.new_page()
    two_columns(page, 420, (30, 30))
    code = ["static struct buffer_head *read_dirblock(...) {", "  if (ext4_dx_csum_verify(inode, dirent))",
            "    set_buffer_verified(bh);", "", "  else {", "    ext4_error_inode(inode, func, line);",
            "    brelse(bh);", "    return ERR_PTR(-EFSBADCRC);", "  }", "}"]
    last = _listing(page, 56, 80, code)
    page.insert_text((50, last + 20), "Figure 2: Excerpt from the function read_dirblock.", fontsize=9,
                     fontname="tibo")
    for x in (60, 130, 200):
        page.draw_rect(pymupdf.Rect(x, last + 40, x + 55, last + 70), color=(0, 0, 0), width=0.6)
    page.draw_line((115, last + 55), (130, last + 55), width=0.6)
    page.insert_text((120, last + 90), "Figure 3: Architecture of the analysis.", fontsize=9, fontname="tibo")

    found = {f.number: f for f in locate_figures(doc)}
    assert found["2"].figure_box is not None and found["2"].figure_box[1] <= 75 and found["2"].figure_box[3] < last + 10
    assert found["3"].figure_box is not None and found["3"].figure_box[1] >= last + 30


def test_listings_side_by_side_with_subcaptions_are_one_figure() -> None:
    """Three numbered listings across the page, each with an "(a) ..." sub-caption under it, and one caption
    under them all."""
    doc = pymupdf.open()
    page = doc.new_page()
    two_columns(page, 330, (40, 40))
    for x, label in ((56, "(a) modify returns zero on success"), (226, "(b) init checks for an error"),
                     (396, "(c) init propagates the result")):
        last = _listing(page, x, 80, ["int f(...) {", "  ...", "  int ret = 0;", "  h = kzalloc(...);", "  if (!h)",
                                      "    return -ENOMEM;", "  ...", "out:", "  kfree(h);", "  return ret;", "}"])
        page.insert_text((x, last + 20), label, fontsize=8, fontname="tibo")
        page.insert_text((x, last + 29), "and an error code on failure.", fontsize=8, fontname="tibo")
    page.insert_text((50, last + 50), "Figure 8: Bug found by the checker in Linux, from an incomplete "
                     "specification.", fontsize=9, fontname="tibo")

    (fig,) = locate_figures(doc)
    assert fig.figure_box is not None and fig.figure_box[1] <= 75 and fig.figure_box[2] >= 490


def test_a_small_picture_pasted_on_a_large_one_with_its_own_clip_leaves_it_whole() -> None:
    """IEEE: a strip of face images with "(a)" and "(b)" labels pasted onto it as small pictures, each drawn
    in a clip of its own size: that clip trims the label, not the strip."""
    label = pymupdf.open()
    label.new_page(width=11, height=10).insert_image(pymupdf.Rect(0, 0, 11, 10),
                                                     pixmap=pymupdf.Pixmap(pymupdf.csRGB, (0, 0, 8, 8), False))
    doc = pymupdf.open()
    page = doc.new_page()
    two_columns(page, 60, (24, 60))
    strip = pymupdf.Pixmap(pymupdf.csRGB, (0, 0, 200, 50), False)
    strip.set_rect(strip.irect, (90, 90, 90))
    page.insert_image(pymupdf.Rect(53, 300, 296, 361), pixmap=strip)
    for x in (105, 233):
        page.show_pdf_page(pymupdf.Rect(x, 351, x + 11, 361), label, 0)
    page.insert_text((50, 380), "Fig. 4. Some results achieved over the corrupted data set.", fontsize=8,
                     fontname="tiro")

    (fig,) = locate_figures(doc)
    assert fig.figure_box is not None and fig.figure_box[1] <= 301 and fig.figure_box[0] <= 54


def test_a_rule_and_one_line_under_a_table_caption_are_no_table() -> None:
    """A&A: an unruled table over its caption; under the caption, the top rule of a code figure and its first
    line: one row of text is no table, so the caption keeps the rows above it."""
    doc = pymupdf.open()
    page = doc.new_page()
    two_columns(page, 400, (30, 30))
    rows = _rows(page, 70, 5, x0=60, size=9, step=11)
    page.insert_text((40, rows + 18), "Table 1. Definition of the different SED types supported.", fontsize=9,
                     fontname="tiro")
    page.draw_line((40, rows + 30), (290, rows + 30), width=0.4)
    page.insert_text((42, rows + 40), "from astropy import units as u", fontsize=8, fontname="tiro")

    (table,) = locate_figures(doc)
    assert table.figure_box is not None and table.figure_box[1] <= 64 and table.figure_box[3] <= rows + 12


def test_a_row_of_cells_set_larger_than_the_body_is_no_heading() -> None:
    """The R Journal: a ruled table of arguments in a type larger than the body; its last row "B   Number of
    bootstrap replicates   500" is shaped like an appendix heading but its pieces stand far apart."""
    doc = pymupdf.open()
    page = doc.new_page()
    words = BODY.split()
    for k in range(30):  # a 9 pt body
        page.insert_text((100, 400 + 11 * k), " ".join(words[k % 5:k % 5 + 15]), fontsize=9, fontname="tiro")
    page.draw_line((100, 66), (490, 66), width=0.5)
    page.draw_line((100, 86), (490, 86), width=0.5)
    page.insert_text((110, 80), "Argument          Explanation                               Default", fontsize=10,
                     fontname="tiro")
    rows = [(f"arg{k}", f"The evaluation points of kind {k}", "NULL") for k in range(10)]
    for k, (name, text, default) in enumerate([*rows, ("B", "Number of bootstrap replicates", "500")]):
        row = pymupdf.TextWriter(page.rect)  # one text object per row, as TeX writes a table's row
        row.append((110, 100 + 15 * k), name, font=pymupdf.Font("cour"), fontsize=10.2)
        row.append((190, 100 + 15 * k), text, font=pymupdf.Font("tiro"), fontsize=10)
        row.append((430, 100 + 15 * k), default, font=pymupdf.Font("cour"), fontsize=10.2)
        row.write_text(page)
    page.draw_line((100, 260), (490, 260), width=0.5)
    page.insert_text((220, 275), "Table 2: Arguments to the function", fontsize=9, fontname="tibo")

    (table,) = locate_figures(doc)
    assert table.figure_box is not None and table.figure_box[1] <= 67


def test_a_short_caption_under_a_full_width_ruled_table_in_a_document_without_a_habit() -> None:
    """MNRAS: a table across both columns, its caption short and flush left under its bottom rule, body text
    under the caption; nothing tells which side this document captions its tables on."""
    doc = pymupdf.open()
    page = doc.new_page()
    two_columns(page, 420, (30, 30))
    for y in (60, 74, 380):
        page.draw_line((42, y), (545, y), width=0.5)
    page.insert_text((48, 70), "Reference            Target          Simulation                  Probability",
                     fontsize=8, fontname="tiro")
    for k in range(14):
        for x, text in ((48, f"Author et al. ({2000 + k})"), (173, "c/a ratio in 11 satellites"),
                        (313, "Monte Carlo from a spherical law"), (500, f"< {k}.5")):
            page.insert_text((x, 90 + 20 * k), text, fontsize=8, fontname="tiro")
    page.insert_text((42, 394), "Table 2. Same as Table 1 for the MW satellites.", fontsize=8, fontname="tibo")

    (table,) = locate_figures(doc)
    assert table.figure_box is not None and table.figure_box[1] <= 61 and table.figure_box[2] >= 540


def test_a_long_listing_in_a_smaller_roman_type_is_a_figure() -> None:
    """A&A: twenty lines of Python set in a roman type smaller than the body over "Fig. 5. ...", none of them
    like the body: a listing, however long."""
    doc = pymupdf.open()
    page = doc.new_page()
    two_columns(page, 60, (20, 60))
    code = ["from gammapy.datasets import MapDataset", "from gammapy.estimators import TSMapEstimator", "",
            "dataset = MapDataset.read(filename)", "estimator = TSMapEstimator(", "    energy_edges=[0.1, 1, 10],",
            "    n_sigma=1,", "    n_sigma_ul=2,", ")", "maps = estimator.run(dataset)", "maps.plot_grid()",
            "", "models = Models.read(path)", "for model in models:", "    model.spectral_model.plot()",
            "datasets = Datasets.read(path)", "fit = Fit()", "result = fit.run(datasets)", "print(result)",
            "result.parameters.to_table()"]
    for k, line in enumerate(code):
        if line:
            page.insert_text((50, 300 + 9 * k), line, fontsize=8, fontname="tiro")
    page.insert_text((50, 300 + 9 * len(code) + 12), "Fig. 5. Using the TSMapEstimator object to compute maps.",
                     fontsize=8, fontname="tiro")

    (fig,) = [f for f in locate_figures(doc) if f.number == "5"]
    assert fig.figure_box is not None and fig.figure_box[1] <= 294


def test_a_caption_in_the_footer_band_under_a_page_filling_figure() -> None:
    """APA manuscripts: a figure fills its page down to a caption in the last tenth of the page, where footers
    stand; a styled label right under the graphic is still its caption."""
    doc = pymupdf.open()
    _body(doc.new_page(), 80, 50)
    page = doc.new_page()
    _plot(page, pymupdf.Rect(100, 70, 510, 762))
    page.insert_text((72, 780), "Figure 1. Different types of simulated signals, to which noise was added.",
                     fontsize=8, fontname="tibi")
    page.insert_text((72, 792), "For each signal type, the first row shows the signal with the least noise.",
                     fontsize=8, fontname="tiro")

    (fig,) = [f for f in locate_figures(doc) if f.page == 1]
    assert fig.number == "1" and fig.caption_box is not None and fig.caption_box[1] >= 770
