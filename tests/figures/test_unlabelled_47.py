"""Layouts found at stop 38 on unlabelled papers, by the number-gap check (a number missing between two that a
paper's crops hold, whose caption the PDF prints): a small grid table under a caption twice its width, its header
cells' line boxes reaching over its top rule; an appendix of long tables in a small type, a cell a line, holding more
characters than the paper's body; a caption's first row stretched by a tall glyph over its second; a radical's bar
read as "ffi" ligatures in a caption's formula. By the peer's crops as a second opinion: a table of sentences
whose first line reaches over its top rule; a table's label and title, with no delimiter, over its top rule. By
strong captions left without a float: a console listing in a font whose name says nothing of its widths. By crops
holding many lines of body text: a manuscript's figure caption ruled off in its text, under a page of sections."""

from __future__ import annotations

from arxiv_digest.figures import layout

from .test_unlabelled_37 import _line
from .test_unlabelled_42 import _locate
from .test_unlabelled_45 import PARAGRAPH, TWO_COLUMNS, _prose, _rule, _table_over_caption

PAGE_WIDE = ((54.0, 558.0),)


def _grid_page(rule_x1: float) -> dict:
    """"Table 3: ..." across the left column over a two-cell grid table a third as wide, whose header row's line
    boxes start above the table's top rule (their type's ascent); the top rule reaches ``rule_x1``."""
    lines = [_line("Table 3: % of emotional versus neutral examples", (79, 61, 292, 75.5), 0, starts=True),
             _line("E", (152, 73.7, 157.5, 85.6), 1, size=9.0, starts=True),
             _line("N", (191.6, 73.7, 198.1, 85.6), 1, size=9.0),
             _line("40.06%", (151.8, 84, 179.4, 96), 1, size=9.0, starts=True),
             _line("59.94%", (191.4, 84, 219, 96), 1, size=9.0)]
    graphics = [_rule(145.8, rule_x1, 75.9), _rule(145.8, 225, 86.3), _rule(145.8, 225, 96.7)]
    graphics += [layout.Element((x, 76.1, x + 0.2, 96.5), "vector") for x in (145.8, 185.4, 225.0)]
    lines += _prose(72, 298, 120, 30, 2)
    lines += _prose(313, 540, 60, 40, 3)
    return _locate(lines, graphics, TWO_COLUMNS)


def test_a_grid_table_under_a_caption_twice_its_width_is_found() -> None:
    """The header cells "E" and "N" under the caption look like the caption's inline math (short pieces in its
    band), but a rule runs over both of them below the caption's row: they open the table, so the caption ends
    before them and the table is found (the caption had taken the table's cells, leaving the table nothing)."""
    found = _grid_page(225)
    assert "table 3" in found
    f = found["table 3"]
    assert f.caption.endswith("examples"), f.caption
    assert f.figure_box is not None and f.figure_box[3] >= 95, f.figure_box


def test_a_rule_under_one_piece_only_leaves_the_caption_whole() -> None:
    """The same page with the rule under "E" alone (a word's underline, not a table's top rule): the pieces are
    not shown to be a row of cells, so the caption's reading is left as it was."""
    found = _grid_page(160)
    assert "table 3" not in found or not found["table 3"].caption.endswith("examples")


def _pages(body_words: int, body_size: float) -> list[layout.PageData]:
    """Four pages of body text, lines of ``body_words`` words in ``body_size`` type, in two columns, then eight
    pages of a table in 7-point type, one cell a line (a long appendix table), more characters in all."""
    words = " ".join(PARAGRAPH.split()[:body_words])
    pages = []
    for k in range(12):
        if k < 4:
            lines = [_line(words, (x0, 80 + 12 * i, x1, 90 + 12 * i), c, size=body_size, starts=i == 0)
                     for c, (x0, x1) in enumerate(TWO_COLUMNS) for i in range(55)]
        else:
            lines = [_line(cell, (x0, 80 + 9 * r, x0 + 60, 88 + 9 * r), r, size=7.0, starts=x0 == 90)
                     for r in range(75) for cell, x0 in (("Propositional", 90), ("Equivalent", 150),
                                                         ("Conditional laws", 210), ("Contradiction", 300),
                                                         ("1.00", 360), ("0.96", 400), ("1.00", 440))]
        pages.append(layout.PageData(k, (0.0, 0.0, 595.0, 842.0), lines, []))
    return pages


def test_the_body_size_is_the_paragraphs_not_a_long_appendix_tables() -> None:
    """Eight pages of a table in 7-point type hold more characters than the four pages of 10-point body text
    before them, but no line of theirs has five words: the body is set in 10 points and two columns (it had been
    taken for 7 points and one column, and the paper's tables were all lost)."""
    lay = layout.document_layout(_pages(16, 10.0))
    assert lay.body_size == 10.0
    assert len(lay.columns) == 2, lay.columns


def test_a_narrow_columns_short_lines_still_set_the_body_size() -> None:
    """A magazine's narrow columns hold lines of six words, under forty characters: they are the body still (a
    rule that counted only lines of forty characters or more took the size of a sidebar's wider lines)."""
    pages = _pages(6, 9.0)[:4]
    for p in pages:  # a sidebar in 8-point type, its lines wide, fewer characters than the body
        p.lines += [_line(PARAGRAPH, (72, 760 + 9 * i, 526, 768 + 9 * i), 90, size=8.0, starts=i == 0)
                    for i in range(6)]
    assert layout.document_layout(pages).body_size == 9.0


def _caption_over_table(caption: list[layout.Line]) -> dict:
    """``caption`` over a ruled table across the page, body text under it."""
    graphics = [_rule(176, 436, 369.8), _rule(176, 436, 386.9), _rule(176, 436, 441.2), _rule(176, 436, 537.7)]
    lines = list(caption)
    lines += [_line("Dataset", (192, 374.5, 219, 383.5), 30, size=9.0, starts=True),
              _line("Shared Encoder", (256, 374.5, 313, 383.5), 30, size=9.0),
              _line("Task Decoder", (360, 374.5, 409, 383.5), 30, size=9.0)]
    for r in range(6):
        y = 392 + 24 * r
        lines += [_line("Task", (186, y, 226, y + 9), 31 + r, size=9.0, starts=True),
                  _line("MLP [5x5x2]", (250, y, 319, y + 9), 31 + r, size=9.0),
                  _line("MLP [32x32x2]", (349, y, 421, y + 9), 31 + r, size=9.0)]
    lines += [_line(PARAGRAPH, (54, 560 + 12 * i, 558, 570 + 12 * i), 50, starts=i == 0) for i in range(12)]
    lines = [_line(PARAGRAPH, (54, 60 + 12 * i, 558, 70 + 12 * i), 60, starts=i == 0) for i in range(20)] + lines
    return _locate(lines, graphics, PAGE_WIDE)


def test_a_caption_row_a_tall_glyph_stretched_goes_on_to_its_next_row() -> None:
    """"Table 6: ..." whose first row a hatted symbol stretched to 17 points reaches 6 points into the second:
    the second row starts a line under the first's top, so it is the caption's, and so is the third (the caption
    had ended at its first row; on the paper, its other rows then passed for body text over the table, which was
    lost)."""
    found = _caption_over_table([
        _line("Table 6: The architectures of policy networks for encoder and decoders on different data",
              (54, 326.3, 469, 343.6), 29, starts=True),
        _line("represent the policy", (460.7, 325.2, 558.4, 336.6), 29, styled=True),
        _line("network for the encoder and the policy network for the decoder of the first task, respectively.",
              (54, 337.3, 558, 347.6), 29),
        _line("three layers. The model uses the same activation for all architectures.", (54, 348.6, 330, 358.5),
              29)])
    assert "table 6" in found
    f = found["table 6"]
    assert f.caption.endswith("architectures."), f.caption
    assert f.figure_box is not None and f.figure_box[3] >= 530, f.figure_box


def test_a_radicals_bar_read_as_ligatures_is_the_captions_math() -> None:
    """A caption whose formula holds a square root whose bar PyMuPDF reads as "ﬃﬃﬃ" (one line, over the row it
    stands in): that bar is the caption's math, so the caption goes on past it to its last row (it had ended at
    the bar, and its last rows had walled the table off)."""
    found = _caption_over_table([
        _line("Table 3. Two way tables for the detected loci with proportions of the simulations for the",
              (54, 291, 382, 304), 29, starts=True),
        _line("combinations of detected loci. The standard error of a proportion can", (54, 303, 382, 316.7), 29),
        _line("be based on the binomial distribution, that is", (54, 317.9, 237.5, 327.9), 29),
        _line("\ufb03" * 25, (250.3, 309.5, 302.2, 323.4), 30, starts=True),
        _line("p(1-p)/500", (250.6, 317, 302.4, 328.7), 30),
        _line("p", (240.3, 309.5, 250.3, 323.4), 30, starts=True),
        _line(". For p = 0.1 (and", (302.4, 317, 374.5, 328.7), 31, starts=True),
        _line("hence p = 0.9) the standard error is 0.013, for p = 0.3 the standard error is",
              (54, 326.9, 374.6, 340.7), 31),
        _line("0.020 and for p = 0.5 the standard error is 0.022.", (54, 338.8, 268, 352.6), 31)])
    assert "table 3" in found
    f = found["table 3"]
    assert f.caption.endswith("0.022."), f.caption
    assert f.figure_box is not None and f.figure_box[3] >= 530, f.figure_box



def test_a_table_of_two_sentences_whose_first_line_reaches_over_its_top_rule_is_found() -> None:
    """"Table 11: The template for ..." under two rules with a sentence of two lines between them, the first
    line's box reaching half a point over the top rule (its type's ascent): the lines are between the rules, so
    the table is found (the line had been taken to stand outside them, leaving the rules nothing to hold)."""
    lines = [_line(PARAGRAPH, (72, 80 + 12 * i, 524, 90 + 12 * i), 1, starts=i == 0) for i in range(20)]
    graphics = [_rule(75.6, 519.7, 455.4), _rule(75.6, 519.7, 482.9)]
    lines += [_line("Since the results returned by the function contain content of an unsafe type, I refuse to",
                    (81.5, 455.0, 513.7, 468.1), 10, size=10.9, starts=True),
              _line("fulfill your request.", (81.5, 468.6, 165.5, 481.7), 10, size=10.9),
              _line("Table 11: The template for insecure tool response annotations.", (173, 492, 422, 504), 11,
                    starts=True)]
    lines += [_line(PARAGRAPH, (72, 530 + 12 * i, 524, 540 + 12 * i), 12, starts=i == 0) for i in range(15)]
    found = _locate(lines, graphics, ((72.0, 524.0),))
    assert "table 11" in found
    box = found["table 11"].figure_box
    assert box is not None and box[1] <= 456 and box[3] >= 482, box


def _titled_page(ruled: bool) -> dict:
    """"Table 3.1 Previous ADMMs are ..." in the body's type, no delimiter after its number, over a grid table
    whose top rule is 6 points under it (``ruled``), or over a paragraph."""
    lines = [_line(PARAGRAPH, (72, 80 + 12 * i, 524, 90 + 12 * i), 1, starts=i == 0) for i in range(12)]
    lines.append(_line("Table 3.1 Previous splitting methods are special cases of Algorithm (1).",
                       (146.7, 226.8, 453.9, 236.8), 2, starts=True))
    graphics = []
    if ruled:
        graphics = [_rule(182.7, 418.4, 243.2 + 13 * r) for r in range(6)]
        graphics += [layout.Element((x, 243.5, x + 0.3, 308), "vector") for x in (233.0, 365.9)]
        lines += [_line(cell, (x0, 245 + 13 * r, x0 + 40, 255 + 13 * r), 3 + r, starts=x0 == 199)
                  for r in range(5) for cell, x0 in (("ADMM", 199), ("f1(x1)", 287), ("0", 390))]
    else:
        lines += [_line(PARAGRAPH, (72, 245 + 12 * i, 524, 255 + 12 * i), 3, starts=i == 0) for i in range(6)]
    lines += [_line(PARAGRAPH, (72, 340 + 12 * i, 524, 350 + 12 * i), 20, starts=i == 0) for i in range(20)]
    return _locate(lines, graphics, ((72.0, 524.0),))


def test_a_plain_table_label_and_title_right_over_a_tables_rule_is_a_caption() -> None:
    """The label and a title, no delimiter and no style, right over a table's top rule: a caption (it had been
    read as a sentence opening "Table 3.1", and the table lost)."""
    found = _titled_page(True)
    assert "table 3.1" in found
    box = found["table 3.1"].figure_box
    assert box is not None and box[3] >= 300, box


def test_the_same_line_over_a_paragraph_is_no_caption() -> None:
    """Without the rule, the same line over a paragraph is still read as prose: no table."""
    assert "table 3.1" not in _titled_page(False)


CONSOLE = ("# reboot", "Aug 13 14:44:07 lisa reboot: rebooted by root", "[NOTICE: Zone rebooting]",
           "SunOS Release 5.10 Version s10_65 64-bit", "Copyright 1983-2004 Sun Microsystems, Inc.",
           "Use is subject to license terms.", "Hostname: lisa", "NIS domain name is usenix.org",
           "lisa console login: root", "Password:", "# zoneadm list -vc", "ID NAME STATUS PATH",
           "0 global running /", "1 lisa running /aux0/lisa", "# zlogin -C lisa",
           "[Connection to zone 'lisa' console closed]", "# exit")


def _proportional(text: str) -> float:
    """A line's width in ems in a proportional font: narrow and wide letters differ."""
    return sum(0.28 if ch in "ilj.,:;'![] " else 0.8 if ch in "mwMW@#" else 0.55 if ch.isupper() else 0.48
               for ch in text)


def _font_pages(rows: list[tuple[str, float]], font: str) -> list[layout.PageData]:
    """A page of body text in Times with ``rows`` (text, width) in 8-point ``font`` under it."""
    lines = [_line(PARAGRAPH, (72, 80 + 12 * i, 524, 90 + 12 * i), 0, starts=i == 0) for i in range(30)]
    lines += [_line(t, (72, 460 + 10 * k, 72 + w, 468 + 10 * k), 1 + k, size=8.0, font=font, starts=True)
              for k, (t, w) in enumerate(rows)]
    return [layout.PageData(0, (0.0, 0.0, 595.0, 842.0), lines, [])]


def test_a_font_whose_characters_are_one_width_is_monospaced_whatever_its_name() -> None:
    """A console session set in "PreussenNormal", a name that does not say the font is a typewriter's, each line
    0.691 em a character; three of them held runs of spaces, which read as one, so they look wider per character:
    the font is monospaced, so its lines are code to the listing and prose checks (a listing in it over "Figure
    4: Zones console." had been no figure at all, its lines taken for text)."""
    rows = [(t, 0.691 * 8 * len(t) * (1.2 if k % 6 == 5 else 1.0)) for k, t in enumerate(CONSOLE)]
    assert "PreussenNormal" in layout.document_layout(_font_pages(rows, "PreussenNormal")).mono_fonts


def test_lines_of_a_proportional_font_are_not_monospaced() -> None:
    """The same lines in a proportional font, their widths by their letters: not monospaced."""
    rows = [(t, 8 * _proportional(t)) for t in CONSOLE]
    assert "Gentium" not in layout.document_layout(_font_pages(rows, "Gentium")).mono_fonts


def test_lines_that_differ_in_their_numbers_alone_count_once() -> None:
    """"Table 1." to "Table 9." in a bold sans font (digits are one width in most fonts) and three captions as
    wide per character: the nine labels are one line, too few to say the font is monospaced (counted nine times,
    they had made a proportional font pass for one)."""
    rows = [(f"Table {k}.", 8 * 0.498 * 8) for k in range(1, 10)]
    rows += [(t, 8 * 0.499 * len(t)) for t in ("Figure 1. Price per gigabyte of the enterprise drives",
                                              "Figure 2. Media streaming server performance", "Figure 3.")]
    assert "Arial-BoldMT" not in layout.document_layout(_font_pages(rows, "Arial-BoldMT")).mono_fonts


def _manuscript_page(headed: bool) -> dict:
    """A manuscript page: a frame's bottom rule across the text at its top, then (``headed``) "Keywords" and
    "Background" in 18-point bold over paragraphs, and at the foot a figure's caption set in the text between two
    rules (the figure itself is at the end of the manuscript)."""
    graphics = [_rule(68, 527, 102), _rule(68, 527, 638), _rule(68, 527, 688)]
    lines = []
    y = 117.0
    for k in range(2):
        if headed:
            lines.append(_line(("Keywords", "Background")[k], (72, y, 160, y + 20), 10 * k, size=18.0, styled=True,
                               starts=True))
        lines += [_line(PARAGRAPH, (72, y + 30 + 13.5 * i, 526, y + 41 + 13.5 * i), 10 * k + 1, size=12.0,
                        starts=i == 0) for i in range(14)]
        y += 250
    lines += [_line("Figure 1 Aerial and subterranean nests. A. Young colony of an aerial-nesting species.",
                    (70, 640.8, 524.6, 655), 30, size=12.0, starts=True, styled=True),
              _line("B. Excavated, subterranean nest of an anesthetized colony.", (70, 655, 400, 669), 30, size=12.0)]
    lines += [_line(PARAGRAPH, (72, 700 + 13.5 * i, 526, 711 + 13.5 * i), 40, size=12.0, starts=i == 0)
              for i in range(4)]
    return _locate(lines, graphics, ((72.0, 526.0),))


def test_a_ruled_off_caption_in_a_manuscripts_text_takes_no_section() -> None:
    """The caption's rule over it and the frame's rule at the page's top hold "Keywords", "Background" and their
    paragraphs: a block with section headings in it is the body, not a float, so the figure (at the manuscript's
    end) is not found here (it had taken the whole page of text)."""
    found = _manuscript_page(True)
    assert "figure 1" not in found or found["figure 1"].figure_box is None \
        or found["figure 1"].figure_box[1] > 600, found["figure 1"].figure_box


def test_text_between_a_captions_rule_and_another_with_no_heading_is_still_its_block() -> None:
    """The same rules round the same paragraphs, no heading among them: a block of text set between rules and
    captioned (an example set as a figure) is still the figure's."""
    found = _manuscript_page(False)
    assert "figure 1" in found
    box = found["figure 1"].figure_box
    assert box is not None and box[1] <= 104, box


def test_a_numbered_list_between_rules_is_still_a_table_of_sentences() -> None:
    """"Table IV: Key findings ..." under eight numbered findings between two rules, some opening in bold like a
    numbered heading ("2. Ordering better than counting"): items of a list, not headings, so the table holds them
    (a first form that stopped at any heading lost it)."""
    graphics = [_rule(72, 300, 346), _rule(72, 300, 480)]
    items = ("generation scores contradict the benchmark scores.", "Ordering better than counting",
             "event presence in negation is the highest;", "Relation correctness in conjunction is highest;",
             "parsimony score in negation is the highest;", "Event presence accuracy rate is below 1%;",
             "relation correctness accuracy rate is below 1%;", "An average of two redundant audio events;")
    lines = [_line(f"{k + 1}. {t}", (74, 350 + 15.5 * k, 290, 361 + 15.5 * k), 5 + k, styled=k % 2 == 1,
                   starts=True) for k, t in enumerate(items)]
    lines.append(_line("Table IV: Key findings from the experiments on our benchmark.", (72, 484, 300, 495), 20,
                       starts=True))
    lines += _prose(70, 292, 60, 20, 1)
    lines += _prose(70, 292, 520, 15, 30)
    lines += _prose(306, 526, 60, 50, 40)
    box = _table_over_caption(lines, graphics, "table IV")
    assert box[1] <= 350 and box[3] >= 470, box


def _spanning_page(header_x0: float) -> dict:
    """"TABLE 1. The impact of ..." in bold over a rule, a header line alone in its block starting at
    ``header_x0``, then a table of cells with no rules, in one column of 12-point body text."""
    lines = [_line(PARAGRAPH, (57, 71 + 14 * i, 531, 85 + 14 * i), 0, size=12.0, starts=i == 0) for i in range(7)]
    lines += [_line("TABLE 1. The impact of dividing a unit server demand between phase 1 and", (132, 197, 462, 208),
                    1, starts=True, styled=True),
              _line("phase 2", (132, 209, 167, 220), 1, styled=True),
              _line("Response time (sec) for different values of demand s = [phase 1, phase 2]",
                    (header_x0, 227, header_x0 + 297, 238), 2, starts=True)]
    for r in range(7):
        y = 249 + 16 * r
        lines += [_line(text, (x0, y, x0 + 30, y + 11), 3 + r, starts=x0 == 118)
                  for text, x0 in (("1" if r else "nusers", 118), ("0.166", 171), ("0.310", 224), ("0.464", 277),
                                   ("0.617", 330), ("0.770", 383), ("0.923", 436))]
    lines += [_line(PARAGRAPH, (57, 400 + 14 * i, 531, 414 + 14 * i), 20, size=12.0, starts=i == 0) for i in range(20)]
    return _locate(lines, [_rule(112, 483, 222)], ((57.0, 541.0),))


def test_a_tables_spanning_header_over_its_cells_is_no_paragraph() -> None:
    """The header line is as wide as a line of prose, but it stands alone in its block, well inside the column,
    right over the rows and flush with a column of cells: the table's header, so the table under the caption is
    found (the line had walled it off)."""
    found = _spanning_page(171)
    assert "table 1" in found
    box = found["table 1"].figure_box
    assert box is not None and box[1] <= 228 and box[3] >= 355, box


def test_a_line_little_indented_over_cells_is_still_prose() -> None:
    """The same line starting flush with the first column of cells, which stands little inside the text column (an
    eighth of its width; a paragraph's indented first line may stand so): read as before, no table is taken across
    it."""
    found = _spanning_page(118.0)
    assert "table 1" not in found
