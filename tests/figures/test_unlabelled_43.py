"""Layouts found at stop 34 by the label-free check on unlabelled papers (caption numbers no crop carries): a
dataset table whose wrapped description column starts at the right column's edge; a table's note in the body's
type under its last row; a table with a label set upright beside its rows; and prompts set as tables of sentences
between rules, captioned below."""

from __future__ import annotations

from arxiv_digest.figures import captions, layout, regions
from arxiv_digest.models import FigureKind

from .test_unlabelled_37 import _line
from .test_unlabelled_42 import RECT, _body_under, _locate

DESCRIPTION = "Polar sentiment dataset of sentences from the financial news"


def _dataset_table(top: float, rows: int, block: int) -> tuple[list[layout.Line], list[layout.Element], float]:
    """A dataset table across the page from ``top``: name, language and a description wrapped over two or three
    lines, the description column starting where the right column of text does, all one text block; with its
    bottom."""
    lines = [_line("Dataset Name", (78, top + 5, 132, top + 17), block, size=9),
             _line("Language", (257, top + 5, 296, top + 17), block, size=9),
             _line("Description", (306, top + 5, 350, top + 17), block, size=9)]
    y = top + 20
    for r in range(rows):
        lines += [_line(f"Corpus{r} (Author et al., 2023)", (78, y, 223, y + 11), block + 1, size=9),
                  _line("English", (257, y, 285, y + 11), block + 1, size=9)]
        for k in range(2 + r % 2):
            lines.append(_line(DESCRIPTION, (306, y + 11 * k, 518, y + 11 * k + 11), block + 1, size=9))
        y += 11 * (2 + r % 2) + 1
    graphics = [layout.Element((73, b, 522, b + 0.5), "vector") for b in (top, top + 18, y + 2)]
    return lines, graphics, y + 2


def test_a_description_column_at_the_right_columns_edge_is_a_column_of_cells() -> None:
    """Two dataset tables across the page, each captioned below, their descriptions starting at the right
    column's edge: the descriptions are the tables' cells, not body text of the right column, so each table keeps
    its rows over its caption (the first had taken the second's, which was lost)."""
    first, rules, bottom = _dataset_table(95, 9, 1)
    second, more, end = _dataset_table(bottom + 60, 6, 5)
    lines = first + [_line("Table 4: Summary of Classification Datasets", (209, bottom + 11, 386, bottom + 23), 3,
                           starts=True)]
    lines += second + [_line("Table 5: Summary of Clustering Datasets", (215, end + 11, 380, end + 23), 7,
                             starts=True)]
    columns = ((70, 291), (305, 526))
    found = _locate(lines, rules + more, columns, prefer={FigureKind.TABLE: "up"})
    assert set(found) == {"table 4", "table 5"}
    for number, top, low in (("4", 95, bottom), ("5", bottom + 60, end)):
        box = found[f"table {number}"].figure_box
        assert box is not None and box[1] <= top + 1 and box[3] >= low - 1, number


def test_a_note_in_the_body_type_under_a_tables_last_row_is_the_tables() -> None:
    """A table in the left column, its rows cells in the body's type, then a note ("1Balanced accuracy, 2F1
    score") alone in its block right under the last row, then the caption; body text in the right column: the
    note is no body text walling the caption off from its table (the table had been lost)."""
    lines = []
    for r in range(8):
        top = 480 + 17.5 * r
        lines += [_line(cell, (x0, top, x0 + 40, top + 11), 20 + r, size=10.9)
                  for cell, x0 in (("Relevance", 135), ("90.81%", 197), ("98.02%", 243))]
    lines.append(_line("1Balanced Accuracy, 2F1 score", (78, 624, 215, 637), 40, size=10.9))
    lines.append(_line("Table 1: Results of the evaluation system experiment.", (73, 655, 287, 665), 41, size=10,
                       starts=True))
    lines += [_line("The results of the final experiment, shown in Table 3, reveal", (309, 70 + 13.5 * i, 562,
                                                                                       81 + 13.5 * i), 50)
              for i in range(50)]
    found = _locate(lines, [], prefer={FigureKind.TABLE: "up"})
    assert set(found) == {"table 1"}
    box = found["table 1"].figure_box
    assert box is not None and box[1] <= 481 and box[3] >= 636


def test_a_label_set_upright_beside_a_tables_rows_does_not_make_them_one_row() -> None:
    """A small ruled table in the left column whose first column is a model's name set upright beside all its
    rows: the rows are still rows, and the table is one (it had been dropped as a single stray row)."""
    graphics = [layout.Element((72, y, 283, y + 0.5), "vector") for y in (180, 212, 247)]
    upright = [layout.Line((78, 183, 87, 246), "Llama-3-8B-Inst.", 9, 5, False, False, False, False, "Times", "Times"),
               layout.Line((88, 193, 97, 236), "(fine-tuned)", 9, 6, False, False, False, False, "Times", "Times")]
    lines = [_line(cell, (x0, 189, x0 + 22, 198), 7, size=9) for cell, x0 in (("Setting", 110), ("Sent.", 196),
                                                                               ("Summ.", 227), ("Sys.", 258))]
    for r in range(3):
        top = 215 + 10 * r
        lines += [_line(cell, (x0, top, x0 + 22, top + 9), 8, size=9)
                  for cell, x0 in (("+ Reasoning", 110), ("71.9%", 196), ("0.628", 227), ("0.825", 258))]
    lines.append(_line("Table 3: Ablation on the granularity of LLM feedback.", (72, 251, 283, 261), 9, starts=True))
    found = _locate(upright + lines + _body_under(290, 20), graphics, prefer={FigureKind.TABLE: "up"})
    assert set(found) == {"table 3"}
    box = found["table 3"].figure_box
    assert box is not None and box[1] <= 181 and box[3] >= 246


def test_prompts_set_as_tables_of_sentences_between_rules_keep_to_their_own_captions() -> None:
    """Three prompts across the page, each a ruled block (a shaded head, sentences in the body's type, a rule
    under them) captioned below: each caption takes the block over it, whole, not the next one's under it (the
    first had taken the second's, which was lost, and the third only its last lines)."""
    graphics: list[layout.Element] = []
    lines: list[layout.Line] = []
    block = 1
    for k, (top, rows) in enumerate(((99, 6), (300, 3), (430, 18))):
        bottom = top + 20 + 13 * rows + 4
        graphics += [layout.Element((73, top, 522, top + 0.5), "vector"), layout.Element((73, top + 4, 522, top + 17),
                                                                                        "vector"),
                     layout.Element((73, bottom, 522, bottom + 0.5), "vector")]
        lines.append(_line("User", (287, top + 4, 308, top + 16), block, size=10.5))
        lines += [_line("Please pick a function from the above options that best answers the user query and fill",
                        (79, top + 20 + 13 * i, 516, top + 32 + 13 * i), block + 1, size=10.5) for i in range(rows)]
        lines.append(_line(f"Table {18 + k}: The prompt used for the model, where the tool documents are given",
                           (71, bottom + 10, 524, bottom + 22), block + 2, starts=True))
        block += 3
    found = _locate(lines, graphics, columns=((69, 291), (305, 526)), prefer={FigureKind.TABLE: "up"})
    assert set(found) == {"table 18", "table 19", "table 20"}
    for number, (top, rows) in zip((18, 19, 20), ((99, 6), (300, 3), (430, 18)), strict=True):
        box = found[f"table {number}"].figure_box
        assert box is not None and box[1] <= top + 1 and box[3] >= top + 20 + 13 * rows, number


def test_upright_text_is_told_from_a_tall_glyph() -> None:
    """A line set upright is much taller than wide and longer than a tall glyph ("1" in a cell is neither)."""
    assert regions._upright((78, 183, 87, 246))
    assert not regions._upright((196, 215, 201, 224))
    assert not regions._upright((110, 215, 157, 224))


def test_a_caption_runs_on_through_a_plain_line_opening_with_a_mention_but_not_a_labelled_one() -> None:
    """A table's caption whose third line, running on from a full line, opens with "Figure 4." (a mention) keeps
    it (it had stopped there, and the line, taken for body text, walled the table under it off); a line opening
    with "Table 4:" starts a caption of its own however it runs on."""
    def page(third: str) -> layout.PageData:
        lines = [_line("Table 4. Ablation study on the paradigm to produce the visual prompt embedding compared",
                       (317, 266, 553, 275), 1, size=9, starts=True),
                 _line("in terms of BLEU-4, METEOR and Rouge-L on the dense captioning benchmark; the rows",
                       (317, 277, 553, 286), 1, size=9),
                 _line(third, (317, 288, 531, 297), 1, size=9)]
        return layout.PageData(0, RECT, lines, [])

    mention = page("Figure 4. Our default setting is highlighted in light blue.")
    assert captions.caption_lines(mention, 0, 1.0) == [0, 1, 2]
    labelled = page("Table 4: Ablation on the size of the feedback data.")
    assert captions.caption_lines(labelled, 0, 1.0) == [0, 1]
