"""Layouts found at stop 33 by the label-free check on unlabelled papers: a picture drawn larger than the page, with
wide white margins; a figure and a table side by side over the figure's caption across the page; two figures side
by side cut where their captions say, not at the widest white column, and two in one frame; a figure made of
captioned listings; and a page of two tables and two figures where a table's notes, a caption's reach across the
page and a text figure all ran past other captions."""

from __future__ import annotations

import pymupdf
import pytest

from arxiv_digest.figures import layout, locate_figures, regions
from arxiv_digest.models import FigureKind

from .test_unlabelled_37 import _body_data, _line

BODY = "The alignment module warps the features of the neighbouring frames onto the reference frame before fusion"
RECT = (0, 0, 612, 792)
COLUMNS = ((50, 286), (309, 562))


def _locate(lines: list[layout.Line], graphics: list[layout.Element],
            columns: tuple[tuple[float, float], ...] = COLUMNS,
            prefer: dict[FigureKind, str] | None = None) -> dict[str, regions.LocatedFigure]:
    """The floats of a page of ``lines`` and ``graphics`` after three pages of body text in ``columns``, by
    "kind number"."""
    pages = _body_data(RECT, columns, 72, 11, 60, BODY[:45])
    page = layout.PageData(len(pages), RECT, lines, graphics)
    pages.append(page)
    found = regions.locate_page(page, layout.page_layout(page, layout.document_layout(pages)), prefer)
    return {f"{f.kind.value} {f.number}": f for f, _ in found}


def _body_under(top: float, block: int, columns: tuple[tuple[float, float], ...] = COLUMNS) -> list[layout.Line]:
    return [_line(BODY[:45], (x0, top + 11 * i, x1, top + 11 * i + 10), block + c, starts=i == 0)
            for c, (x0, x1) in enumerate(columns) for i in range(int((740 - top) / 11))]


@pytest.mark.parametrize("tables_below", [False, True])
def test_a_figure_beside_a_table_over_its_caption_across_the_page_keeps_its_column(tables_below: bool) -> None:
    """A CVPR page: two plots in the left column and, beside them in the right one, a ruled table captioned below;
    under both, the plots' caption across the page. The table's caption stands between that caption and the table,
    not the plots: the figure keeps the left column and its plots (it had found nothing, and was lost), in a
    document that captions its tables above or below alike."""
    graphics = [layout.Element(box, "vector") for box in ((60, 85, 165, 215), (185, 85, 290, 215))]
    lines = [_line("0.1 0.5 1.0", (60, 217, 165, 223), 1, size=5),
             _line("0.1 0.5 1.0", (185, 217, 290, 223), 2, size=5)]
    graphics += [layout.Element((327, y, 536, y + 0.5), "vector") for y in (85, 100, 173)]
    lines += [_line("Method 1.35 31.92 31.87 31.85", (330, 103 + 11 * r, 534, 111 + 11 * r), 3, size=8)
              for r in range(6)]
    lines += [_line("Table 1. Comparisons on feature alignment. Implicit", (325, 184, 538, 194), 10, starts=True),
              _line("resampling-based alignment outperforms all three", (325, 195, 538, 205), 10),
              _line("state-of-the-art alignment methods.", (325, 206, 450, 215), 10)]
    lines += [_line("Figure 3. Comparison of PSNR on alignment utilizing optical flow with different accuracies of",
                    (50, 240, 545, 250), 11, starts=True),
              _line("the flow: nearest-neighbour interpolation does best for image alignment, bilinear for features.",
                    (50, 251, 545, 261), 11)]
    found = _locate(lines + _body_under(285, 20), graphics, prefer={FigureKind.TABLE: "up"} if tables_below else None)
    assert set(found) == {"table 1", "figure 3"}
    assert found["figure 3"].figure_box[1] <= 85 and found["figure 3"].figure_box[2] < 309
    assert found["table 1"].figure_box[0] >= 320


def _three_plots() -> tuple[list[layout.Line], list[layout.Element]]:
    """Three plots in a row under two captions side by side: the first two are Figure 4's (its caption centred
    under them), the third Figure 5's; each plot's tick labels stand right left of its frame, the second's frame
    crossing the gutter."""
    lines: list[layout.Line] = []
    graphics: list[layout.Element] = []
    for k, (label_x, frame) in enumerate(((49, (70, 67, 210, 168)), (228, (254, 67, 391, 168)),
                                          (392, (416, 67, 554, 168)))):
        graphics.append(layout.Element(frame, "vector"))
        graphics += [layout.Element((frame[0] + 10 * j, 150 - 8 * j, frame[0] + 10 * j + 6, 168), "vector")
                     for j in range(1, 12)]
        lines += [_line("0.85", (label_x, 70 + 15 * r, frame[0] - 3, 76 + 15 * r), 1 + k, size=6) for r in range(6)]
        lines += [_line("10% 30% 50% 70% 90%", (frame[0], 169, frame[2], 176), 4 + k, size=6),
                  _line("Percentage of training data", (frame[0] + 25, 177, frame[2] - 25, 185), 7 + k, size=7)]
    lines += [_line("Fig. 4. Performance on different percentage of training data", (119, 196, 318, 204), 10,
                    starts=True),
              _line("Fig. 5. Convergence analysis", (430, 196, 527, 204), 11, starts=True)]
    return lines, graphics


def test_two_figures_side_by_side_are_cut_where_their_captions_part() -> None:
    """The widest white column between the captions' middles lies inside Figure 4, between its two plots; the
    cut goes between the captions instead, where each side is centred under its caption: Figure 4 keeps both its
    plots and Figure 5 its own, with its tick labels (Figure 4 had lost its second plot to Figure 5)."""
    lines, graphics = _three_plots()
    found = _locate(lines + _body_under(220, 20, ((49, 300), (312, 563))), graphics, ((49, 300), (312, 563)))
    assert set(found) == {"figure 4", "figure 5"}
    assert found["figure 4"].figure_box[0] <= 49 and 391 <= found["figure 4"].figure_box[2] < 392 + 2
    assert 390 <= found["figure 5"].figure_box[0] <= 392 and found["figure 5"].figure_box[2] >= 554


@pytest.mark.parametrize("ruled", [False, True])
def test_a_figure_of_captioned_listings_takes_them_all(ruled: bool) -> None:
    """An ICSE page: four listings in frames (or between rules), each captioned "Listing N" under it, stacked over
    the caption of the figure they make up. The listings' captions are not the figure's: it takes the whole stack,
    from the first listing down to its own caption (it had taken the last listing alone, between its rules, and
    lost it to that listing's caption)."""
    lines: list[layout.Line] = []
    graphics: list[layout.Element] = []
    top = 51.0
    for k in range(4):
        graphics += ([layout.Element((51, top, 294, top + 0.5), "vector"),
                      layout.Element((51, top + 60, 294, top + 60.5), "vector")] if ruled
                     else [layout.Element((51, top, 294, top + 60), "vector")])
        lines += [_line("assertEquals(customer.getName(), name);", (55, top + 3 + 9 * r, 280, top + 10 + 9 * r),
                        1 + 2 * k, size=7, font="Courier") for r in range(6)]
        lines.append(_line(f"Listing {k + 1}: Tool {k} first test generation", (94, top + 64, 255, top + 73),
                           2 + 2 * k, starts=True))
        top += 80
    lines += [_line("Fig. 8: Example first tests generated by the four tools for the bank class; only the first",
                    (49, top + 5, 300, top + 14), 20, starts=True),
              _line("one compiles and runs against the class under test.", (49, top + 15, 300, top + 24), 20)]
    found = _locate(lines + _body_under(top + 45, 30, ((49, 300), (312, 563))), graphics, ((49, 300), (312, 563)))
    assert set(found) == {"figure 8"}
    assert found["figure 8"].figure_box[1] <= 51 and found["figure 8"].figure_box[3] >= top - 10


def test_tables_and_figures_in_a_band_keep_to_their_captions() -> None:
    """An IEEE page: Table II across the page, captioned above, with a note under it; under that, Table III in
    the left column and, in the right one, a bar chart captioned "Fig. 3" over a heatmap of numbers captioned
    "Fig. 4". Table II's note ends at the next caption (it had run down the charts' small labels to the foot of the
    band); Fig. 4's caption does not reach Table II's rules through Fig. 3's caption, so it keeps its column and
    finds its heatmap (it had taken the whole band as a text figure)."""
    columns = ((60, 297), (314, 550))
    lines = [_line("TABLE II", (290, 72, 330, 80), 1, starts=True),
             _line("RQ1: UNIQUE HALLUCINATED PACKAGES RESULTS", (226, 80, 391, 88), 1)]
    graphics = [layout.Element((92, y, 523, y + 0.5), "vector") for y in (91, 105, 233, 242)]
    lines += [_line("Meta-Llama-3 G-A 23 17 44 28 51 20 39 31", (95, 108 + 11 * r, 520, 115 + 11 * r), 2, size=7)
              for r in range(11)]
    lines.append(_line("G-A is the first tool and H the second; the best result of each row is in bold.",
                       (78, 245, 450, 252), 3, size=7))
    lines += [_line("TABLE III", (155, 264, 200, 272), 4, starts=True),
              _line("RQ1: MULTIPLE RUNS RESULTS", (127, 272, 230, 280), 4)]
    graphics += [layout.Element((72, y, 285, y + 0.5), "vector") for y in (283, 297, 415)]
    lines += [_line("GPT-4 G-A 32.1 30.5 29.9", (74, 300 + 10 * r, 283, 307 + 10 * r), 5, size=7) for r in range(11)]
    lines += [_line(f"Model-{k}", (318, 259 + 6 * k, 350, 264 + 6 * k), 6, size=5) for k in range(8)]
    graphics += [layout.Element((352, 259 + 6 * k, 360 + 20 * (k + 1), 263 + 6 * k), "vector") for k in range(8)]
    lines.append(_line("Fig. 3: RQ1: Average PHR of Different Target Models", (346, 315, 518, 323), 7, starts=True))
    lines += [_line("0.071 0.058 0.024 0.037 0.012 0.071 0.003", (350, 328 + 9 * r, 540, 334 + 9 * r), 8, size=5)
              for r in range(11)]
    lines += [_line(f"Model-{k}", (319, 328 + 9 * k, 348, 334 + 9 * k), 9, size=5) for k in range(11)]
    graphics += [layout.Element((350, 328, 543, 428), "vector"), layout.Element((350, 428, 543, 434), "vector")]
    lines.append(_line("Fig. 4. RQ1: Heatmap of PHR with Different Models", (348, 438, 516, 445), 10, starts=True))
    lines += [_line(BODY[:45], (60, 426 + 11 * i, 297, 436 + 11 * i), 11, starts=i == 0) for i in range(28)]
    lines += [_line(BODY[:45], (314, 460 + 11 * i, 550, 470 + 11 * i), 12, starts=i == 0) for i in range(25)]
    found = _locate(lines, graphics, columns)
    assert set(found) == {"table II", "table III", "figure 3", "figure 4"}
    assert found["table II"].figure_box[3] < 280
    assert found["figure 4"].figure_box[0] >= 314 and found["figure 4"].figure_box[1] >= 323
    assert found["figure 4"].figure_box[3] >= 434


def test_a_caption_with_nothing_of_its_own_takes_no_text_past_the_caption_next_to_it() -> None:
    """Two captions one under the other, under a block of small lines (a grammar set as Fig. 3): the lower
    caption has nothing between it and the upper one, and the lines beyond that caption are Fig. 3's, not a text
    figure of Fig. 4's."""
    lines = [_line(f"expr ::= term | expr + term   ({k})", (80, 300 + 9 * k, 260, 307 + 9 * k), 1, size=7,
                   font="Courier") for k in range(8)]
    lines += [_line("Fig. 3. The grammar of the query language.", (80, 380, 270, 389), 2, starts=True),
              _line("Fig. 4. The same grammar after desugaring.", (80, 395, 270, 404), 3, starts=True)]
    lines += [_line(BODY[:45], (50, 430 + 11 * i, 286, 440 + 11 * i), 4, starts=i == 0) for i in range(25)]
    lines += [_line(BODY[:45], (50, 72 + 11 * i, 286, 82 + 11 * i), 5, starts=i == 0) for i in range(18)]
    lines += [_line(BODY[:45], (309, 72 + 11 * i, 562, 82 + 11 * i), 6, starts=i == 0) for i in range(60)]
    found = _locate(lines, [])
    assert "figure 4" not in found
    assert found["figure 3"].figure_box[1] <= 300


def test_two_figures_in_one_frame_are_cut_apart() -> None:
    """A Word page: two timelines side by side in the two cells of one framed table, each captioned under its
    picture. The frame's top rule across both is neither's: each figure keeps its own picture (the first had
    taken that rule, and both pictures with it)."""
    columns = ((90, 531),)
    graphics = [layout.Element(box, "vector") for box in ((84, 571, 526, 572), (84, 572, 84.5, 712),
                                                          (305, 572, 306, 712), (526, 572, 526.5, 712),
                                                          (84, 712, 305, 712.5), (306, 712, 526, 712.5))]
    graphics += [layout.Element((92, 571, 294, 691), "raster"), layout.Element((313, 571, 520, 691), "raster")]
    lines = [_line("Figure 1: Synchronous run.", (133, 692, 259, 704), 1, starts=True),
             _line("Figure 2: Virtually synchronous run.", (333, 692, 501, 704), 2, starts=True)]
    lines += [_line(BODY[:90], (90, 72 + 11 * i, 531, 82 + 11 * i), 3, starts=i == 0) for i in range(44)]
    found = _locate(lines, graphics, columns)
    assert set(found) == {"figure 1", "figure 2"}
    assert found["figure 1"].figure_box[2] <= 300 and found["figure 2"].figure_box[0] >= 310


@pytest.mark.parametrize("clear", [False, True])
def test_a_picture_drawn_past_the_page_edge_is_taken_at_its_ink(clear: bool) -> None:
    """A diagram exported with wide white (or clear) margins and drawn larger than the page, under two
    captioned figures: read at its drawn size it covered half the page and crossed its own caption, so it was
    nobody's. Its ink, in the middle, is Figure 3's."""
    # clear margins are black where they are clear: only the mask tells them from the ink
    margin, ink_pixel = (b"\0\0\0\0", b"\x14\x14\x78\xff") if clear else (b"\xff\xff\xff", b"\x14\x14\x78")
    rows = [b"".join(ink_pixel if 80 <= x < 320 and 90 <= y < 200 else margin for x in range(400)) for y in range(300)]
    pix = pymupdf.Pixmap(pymupdf.csRGB, 400, 300, b"".join(rows), clear)
    doc = pymupdf.open()
    page = doc.new_page()
    y = 80.0
    for k in (1, 2):
        page.draw_rect(pymupdf.Rect(200, y, 420, y + 90), color=(0, 0, 0), width=1)
        page.draw_line((200, y + 80), (420, y + 10), color=(0, 0, 0), width=1)
        page.insert_text((200, y + 110), f"FIG. {k}: Contributions to the decay via mixing.", fontsize=9)
        y += 140
    page.insert_image(pymupdf.Rect(-20, 370, 620, 850), stream=pix.tobytes("png"))
    page.insert_text((150, 700), "FIG. 3: An example of one of the leading contributions.", fontsize=9)
    (fig,) = [f for f in locate_figures(pymupdf.open(stream=doc.tobytes(), filetype="pdf")) if f.number == "3"]
    ink = (-20 + 640 * 80 / 400, 370 + 480 * 90 / 300, -20 + 640 * 320 / 400, 370 + 480 * 200 / 300)
    assert fig.figure_box is not None
    assert all(abs(a - b) <= 4 for a, b in zip(fig.figure_box, ink, strict=True))


def test_a_watermark_drawn_past_the_page_edge_stays_out_of_the_figures() -> None:
    """A publisher's "accepted manuscript" watermark: one picture drawn over the whole page and past its edges,
    its ink a band across the middle. It covers the page, so it is no figure, however small its ink."""
    rows = [b"".join(b"\xc8\xc8\xc8" if 100 <= y < 300 and abs(x - 90 - (y - 100) * 0.6) < 15 else b"\xff\xff\xff"
                     for x in range(300)) for y in range(400)]
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_image(pymupdf.Rect(-40, -40, 650, 880), stream=pymupdf.Pixmap(pymupdf.csRGB, 300, 400,
                                                                             b"".join(rows), False).tobytes("png"))
    for k in range(12):  # the last page of the references, mostly blank
        page.insert_text((72, 80 + 13 * k), BODY, fontsize=9)
    assert locate_figures(pymupdf.open(stream=doc.tobytes(), filetype="pdf")) == []
