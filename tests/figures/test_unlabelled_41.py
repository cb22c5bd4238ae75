"""Layouts found at stop 32 by the label-free check on unlabelled papers: a ruled table with shaded rows, right over
a figure of bar charts, ends at its last rule (the shading is the table's, not a picture of the figure's); a table
whose caption reaches past the gutter leaves the chart beside it to that chart's own caption."""

from __future__ import annotations

from arxiv_digest.figures import layout, regions

from .test_unlabelled_37 import _body_data, _line

BODY = "The reward models of each ensemble were trained on the same preference pairs with different random seeds"
RECT = (0, 0, 612, 792)
PANELS = ((124, 199), (222, 297), (321, 396), (420, 495))


def _ruled_table_head(caption: tuple[str, str], x0: float, x1: float, top: float, rule_x: tuple[float, float],
                      rules: tuple[float, ...]) -> tuple[list[layout.Line], list[layout.Element]]:
    """A table's two caption lines from ``top`` between ``x0`` and ``x1``, and its rules at ``rules`` across
    ``rule_x``."""
    lines = [_line(caption[0], (x0, top, x1, top + 10), 1, starts=True),
             _line(caption[1], (x0, top + 11, x1, top + 21), 1)]
    return lines, [layout.Element((rule_x[0], y, rule_x[1], y + 0.5), "vector") for y in rules]


def _table_over_bar_charts(shaded: bool) -> list[regions.LocatedFigure]:
    """An ICLR page: Table 2 captioned above, its last two rows shaded cell by cell (or plain), and right under its
    bottom rule a row of four bar-chart panels captioned "Figure 2" below, with body text under both."""
    pages = _body_data(RECT, ((108, 505),), 72, 11, 60, BODY[:80])
    lines, graphics = _ruled_table_head(
        ("Table 2: Larger reward model evaluation on the preference data set. All ensembles have three",
         "members; the best results are in bold and the second best are underlined, respectively."),
        108, 505, 91, (110, 504), (127, 150, 346))
    columns = (130, 190, 250, 310, 370, 430, 480)
    for r in range(14):  # the table's rows: a method name and six numbers
        y = 156 + 13 * r
        lines += [_line("PPO" if c == 0 else "0.62", (x, y + 2, x + 20, y + 10), 10 + r) for c, x in enumerate(columns)]
        if shaded and r in (12, 13):
            graphics += [layout.Element((x - 4, y, nxt - 4, y + 13), "vector")
                         for x, nxt in zip(columns, [*columns[1:], 508], strict=True)]
    for x0, x1 in PANELS:  # each panel: four stacked bars of three segments, their percentages and an axis
        for y in (356, 371, 386, 401):
            graphics += [layout.Element((x0, y, x0 + 40, y + 7.5), "vector"),
                         layout.Element((x0 + 40, y, x0 + 55, y + 7.5), "vector"),
                         layout.Element((x0 + 55, y, x1, y + 7.5), "vector")]
            lines.append(_line("51.8%", (x0 + 14, y + 1, x0 + 24, y + 6), 40, size=4))
        graphics.append(layout.Element((x0, 412, x1, 412.5), "vector"))
        lines += [_line("0 20 40 60 80 100", (x0, 414, x1, 419), 41, size=4),
                  _line("(a) UGDA vs. PPO", (x0 + 10, 434, x1 - 10, 443), 42, size=8)]
    lines += [_line("Figure 2: Comparison on the preference data set. The results are of policies trained with the",
                    (108, 452, 505, 462), 50, starts=True),
              _line("smaller base model as the reward model; the columns differ in the hyperparameter analysed.",
                    (108, 463, 505, 473), 50)]
    lines += [_line(BODY[:80], (108, 495 + 11 * i, 505, 505 + 11 * i), 60, starts=i == 0) for i in range(20)]
    page = layout.PageData(len(pages), RECT, lines, graphics)
    pages.append(page)
    return [f for f, _ in regions.locate_page(page, layout.page_layout(page, layout.document_layout(pages)))]


def test_a_table_with_shaded_rows_over_bar_charts_ends_at_its_last_rule() -> None:
    """The shading behind the table's last rows is no picture of the figure's: the table ends at its bottom rule
    and the figure under it keeps all its bars (the figure had been cut down to its sub-captions, and dropped)."""
    found = {f.kind.value: f for f in _table_over_bar_charts(shaded=True)}
    assert set(found) == {"table", "figure"}
    assert found["table"].figure_box[3] <= 349
    assert found["figure"].figure_box[1] <= 356 and found["figure"].figure_box[3] >= 443


def test_the_same_table_without_shading_ends_at_its_last_rule_too() -> None:
    found = {f.kind.value: f for f in _table_over_bar_charts(shaded=False)}
    assert found["table"].figure_box[3] <= 349 and found["figure"].figure_box[1] <= 356


def _table_beside_radar_chart() -> list[regions.LocatedFigure]:
    """An ICML page: Table 1 captioned above, its caption and rows reaching past the gutter, and beside it in the
    right column a radar chart captioned "Figure 4" below, level with the table's last rows; body text under both."""
    pages = _body_data(RECT, ((54, 292), (315, 558)), 72, 11, 60, BODY[:45])
    lines, graphics = _ruled_table_head(
        ("Table 1: Comparison of the detector and other forgery detection models on the image",
         "benchmark in terms of accuracy. All methods are trained on the same generator."),
        54, 397, 54, (54, 397), (88, 102, 230))
    columns = (60, 150, 190, 230, 270, 310, 350)
    for r in range(10):
        y = 105 + 12 * r
        lines += [_line("F3Net" if c == 0 else "97.9", (x, y + 2, x + 30 if c == 0 else x + 18, y + 10), 10 + r, size=8)
                  for c, x in enumerate(columns)]
    graphics += [layout.Element((420, 70, 540, 190), "vector"), layout.Element((440, 90, 520, 170), "vector"),
                 layout.Element((425, 200, 545, 215), "vector")]
    lines += [_line(name, (x, y, x + 36, y + 7), 30 + k, size=6)
              for k, (name, x, y) in enumerate((("Wenxin", 462, 60), ("Midjourney", 404, 126), ("SD1", 520, 140),
                                                ("SDXL", 468, 192)))]
    lines += [_line("Figure 4: Comparison of the detector and", (404, 225, 556, 234), 50, starts=True),
              _line("other models on the image benchmark.", (404, 235, 556, 244), 50)]
    lines += [_line(BODY[:45], (x, 262 + 11 * i, x + 237, 271 + 11 * i), 60 + c, starts=i == 0)
              for c, x in enumerate((54, 317)) for i in range(40)]
    page = layout.PageData(len(pages), RECT, lines, graphics)
    pages.append(page)
    return [f for f, _ in regions.locate_page(page, layout.page_layout(page, layout.document_layout(pages)))]


def test_a_table_across_the_gutter_leaves_the_chart_beside_it_to_its_caption() -> None:
    """The table's caption reaches past the gutter, so its float could take the whole width; the figure caption
    beyond its right edge, facing up, holds what stands over it: the chart is Figure 4's, the rows Table 1's."""
    found = {f.kind.value: f for f in _table_beside_radar_chart()}
    assert set(found) == {"table", "figure"}
    assert found["table"].figure_box[2] <= 400
    assert found["figure"].figure_box[0] <= 404 and found["figure"].figure_box[1] <= 62


def test_a_table_wider_than_its_centred_caption_keeps_its_column_beside_a_figure() -> None:
    """IEEE style: "TABLE III" centred over a table wider than the caption, in the left column, and a bar chart
    captioned below in the right column level with it. The chart's caption stops the table's range at the column,
    not at the table caption's own edge: each float keeps its whole column."""
    pages = _body_data(RECT, ((70, 290), (303, 552)), 72, 11, 60, BODY[:40])
    lines = [_line("TABLE III", (160, 262, 200, 270), 1, starts=True),
             _line("RQ1: MULTIPLE RUNS RESULTS", (125, 272, 232, 281), 1)]
    graphics = [layout.Element((70, 285, 287, 285.5), "vector"), layout.Element((70, 300, 287, 300.5), "vector"),
                layout.Element((70, 418, 287, 418.5), "vector")]
    for r in range(9):
        y = 303 + 12.5 * r
        lines += [_line("Meta-Llama-3" if c == 0 else "39.33", (x, y + 2, x + (40 if c == 0 else 18), y + 10),
                        10 + r, size=7) for c, x in enumerate((72, 130, 175, 215, 265))]
    graphics += [layout.Element((360, 262 + 6 * k, 360 + 20 * (k + 1), 266 + 6 * k), "vector") for k in range(8)]
    graphics.append(layout.Element((360, 260, 545, 310), "vector"))
    lines += [_line(f"Model-{k}", (318, 262 + 6 * k, 358, 266 + 6 * k), 30 + k, size=5) for k in range(8)]
    lines.append(_line("Fig. 3. RQ1: Average PHR of Different Target Models", (344, 313, 520, 323), 50, starts=True))
    lines += [_line(BODY[:40], (303, 340 + 11 * i, 552, 349 + 11 * i), 60, starts=i == 0) for i in range(30)]
    lines += [_line(BODY[:40], (70, 430 + 11 * i, 290, 439 + 11 * i), 61, starts=i == 0) for i in range(20)]
    page = layout.PageData(len(pages), RECT, lines, graphics)
    pages.append(page)
    found = {f.kind.value: f for f, _ in regions.locate_page(page, layout.page_layout(page,
                                                                                       layout.document_layout(pages)))}
    assert set(found) == {"table", "figure"}
    assert found["table"].figure_box[2] >= 287 and found["table"].figure_box[3] >= 418
    assert found["figure"].figure_box[0] >= 303
