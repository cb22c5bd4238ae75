"""Layouts found in unlabelled papers at stop 28 by a label-free check of crop extents (graphics left next to a
crop, captions whose crop is their own frame): captions framed by rules, figures built of stacked text boxes, and
the body's size outweighed by a long reference list in a smaller type."""

from __future__ import annotations

from arxiv_digest.figures import layout, regions
from arxiv_digest.models import FigureKind

from .test_unlabelled_37 import _body_data, _line

BODY = "Strains that grew on the plates were compared with the reference strains by their mass spectra"
RECT = (0, 0, 595, 791)


def _figures(lines: list[layout.Line], graphics: list[layout.Element]) -> list[regions.LocatedFigure]:
    pages = _body_data(RECT, ((43, 289), (306, 545)), 60, 12, 55, BODY[:60])
    pages.append(layout.PageData(3, RECT, lines, graphics))
    lay = layout.document_layout(pages)
    return [f for f, _ in regions.locate_page(pages[3], lay)]


def test_a_caption_framed_by_rules_finds_the_plot_beyond_its_frame() -> None:
    """A journal rules off every caption, the rule over it drawn three times over: that rule is the caption's
    frame, not its figure; the tree beyond it, its axis title a line and a half past the rule, is."""
    caption = [_line("Fig. 4. Score-oriented dendrogram showing the similarity of the spectra of the",
                     (66, 285, 521, 294), 20, size=8.5, styled=True, starts=True),
               _line("strains. The dendrogram was made by the analysis software.", (66, 297, 470, 305), 20,
                     size=8.5)]
    lines = [_line("Distance level", (204, 253, 251, 261), 21, size=8, starts=True),
             _line("1000 900 800 700 600 500 400 300 200 100 0", (114, 239, 298, 247), 22, size=8, starts=True)]
    lines += [_line(BODY[:60], (43, 330 + 12 * i, 289, 340 + 12 * i), 1, starts=True) for i in range(30)]
    lines += [_line(BODY[:60], (306, 330 + 12 * i, 545, 340 + 12 * i), 2, starts=True) for i in range(30)]
    frame = [layout.Element((43, 275, 545, 275.5), "vector") for _ in range(3)]
    frame.append(layout.Element((43, 315, 545, 315.5), "vector"))
    tree = [layout.Element((125, 91, 287, 164), "vector"), layout.Element((190, 74, 296, 109), "vector"),
            layout.Element((287, 144, 296, 185), "vector"), layout.Element((294, 167, 294.5, 202), "vector"),
            layout.Element((295, 191, 295.5, 214), "vector"), layout.Element((116, 238, 295, 238.5), "vector")]
    tree += [layout.Element((x, 235, x + 0.5, 238), "vector") for x in range(125, 296, 17)]

    (fig,) = _figures(caption + lines, frame + tree)
    assert (fig.kind, fig.number) == (FigureKind.FIGURE, "4")
    assert fig.figure_box is not None and fig.figure_box[1] <= 74 and fig.figure_box[3] >= 261


def test_a_rule_drawn_three_times_over_is_no_figure() -> None:
    """With nothing beyond the rule over a caption but body text, the rule alone (however often drawn) is no
    figure."""
    caption = [_line("Fig. 2. Growth of the strains at four temperatures over ten days of culture.",
                     (66, 285, 521, 294), 20, size=8.5, styled=True, starts=True)]
    lines = [_line(BODY[:60], (43, 60 + 12 * i, 289, 70 + 12 * i), 1, starts=True) for i in range(17)]
    lines += [_line(BODY[:60], (306, 60 + 12 * i, 545, 70 + 12 * i), 2, starts=True) for i in range(17)]
    frame = [layout.Element((43, 275, 545, 275.5), "vector") for _ in range(3)]

    assert _figures(caption + lines, frame) == []


def test_a_stack_of_text_boxes_a_little_over_a_line_apart_is_one_figure() -> None:
    """Examples of prompts and replies, each a framed box of body-size text, stacked a little more than a line
    apart over their caption: the whole stack is the figure, not only the box nearest the caption."""
    lines = [_line(BODY[:60], (43, 60 + 12 * i, 289, 70 + 12 * i), 1, starts=True) for i in range(8)]
    boxes = []
    for k, top in enumerate((170.0, 232.0, 294.0)):
        boxes.append(layout.Element((48, top, 286, top + 48), "vector"))
        lines += [_line(BODY[:55], (54, top + 6 + 12 * i, 282, top + 16 + 12 * i), 10 + k, starts=i == 0)
                  for i in range(3)]
    lines.append(_line("Figure 4: Examples of replies in both languages, the original above its",
                       (43, 352, 289, 361), 20, size=9, styled=True, starts=True))
    lines.append(_line("translation.", (43, 362, 100, 371), 20, size=9))

    (fig,) = _figures(lines, boxes)
    assert fig.number == "4" and fig.figure_box is not None and fig.figure_box[1] <= 170


def test_a_text_box_a_little_apart_from_a_plot_stays_out_of_it() -> None:
    """A "Result" box of body text just over a plot (a finding set apart) is no part of the plot's figure: only a
    box continuing a stack of boxes as wide joins."""
    lines = [_line(BODY[:60], (43, 60 + 12 * i, 289, 70 + 12 * i), 1, starts=True) for i in range(8)]
    lines += [_line(BODY[:55], (54, 176 + 12 * i, 282, 186 + 12 * i), 10, starts=i == 0) for i in range(3)]
    lines.append(_line("Figure 5: Accuracy over the training steps.", (43, 352, 289, 361), 20, size=9,
                       styled=True, starts=True))
    graphics = [layout.Element((48, 170, 286, 218), "vector"), layout.Element((60, 232, 280, 346), "vector")]

    (fig,) = _figures(lines, graphics)
    assert fig.number == "5" and fig.figure_box is not None and fig.figure_box[1] >= 225


def _text_pages(sizes: list[float], heading_at: int | None) -> list[layout.PageData]:
    """One page of 40 lines per size given, a references heading opening page ``heading_at``."""
    pages = []
    for k, size in enumerate(sizes):
        lines = [_line(BODY, (72, 72 + 14 * i, 523, 72 + 14 * i + size), 0, size=size, starts=i == 0)
                 for i in range(40)]
        if k == heading_at:
            lines.insert(0, _line("References", (72, 50, 160, 62), 1, size=12, styled=True, starts=True))
        pages.append(layout.PageData(k, (0, 0, 595, 842), lines, []))
    return pages


def test_the_body_size_is_the_texts_not_the_long_reference_lists() -> None:
    """A journal sets its references (and tables) in a smaller type, and a long list of them outweighs the body:
    the body's size is counted before the references heading."""
    assert layout.document_layout(_text_pages([10, 10, 10, 8, 8, 8, 8], 3)).body_size == 10


def test_a_references_line_in_a_table_of_contents_does_not_set_the_body_size() -> None:
    """A "References" line on the first page (a table of contents) leaves too little before it to count: the size
    of most of the text is the body's."""
    assert layout.document_layout(_text_pages([10, 9, 9, 9, 9], 0)).body_size == 9


def test_a_caption_under_a_rule_does_not_reach_the_pages_header_rule() -> None:
    """A caption set under a rule with nothing near it: the rule over it does not open the way to the page's
    header rule far above (a rule is never a first step's graphic), and two rules are no figure."""
    lines = [_line("Figure 3: Maps of the uptake in the three groups.", (48, 180, 285, 189), 20, size=9,
                   styled=True, starts=True)]
    lines += [_line(BODY[:60], (43, 300 + 12 * i, 289, 310 + 12 * i), 1, starts=True) for i in range(30)]
    graphics = [layout.Element((43, 100, 289, 100.5), "vector"), layout.Element((43, 178, 289, 178.5), "vector")]

    assert _figures(lines, graphics) == []
