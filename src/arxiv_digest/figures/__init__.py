"""Locate and crop figures and tables in paper PDFs with PyMuPDF, anchored on captions like pdffigures2.

The stages live in their own modules: ``layout`` reduces pages to text lines, drawings and images and learns
the document's columns and body font; ``captions`` finds caption lines; ``regions`` grows a region from each
caption (figures prefer above, tables below) and keeps large uncaptioned graphics; ``render`` crops the
boxes to images; ``extract`` runs them in order. Everything is in unrotated page coordinates.
"""

from .extract import UnreadablePDF, extract, locate_figures, number_key
from .regions import LocatedFigure
from .render import RenderedFigure, first_page_figure, render_figures

# Part of every stored manifest's key: bump it when located boxes or the manifest's fields change, so
# papers are extracted again. 2: manifests carry figure_box and caption_box. 3: the extractor tuned on the
# 104-paper real set (margin captions, text figures, landscape pages, supplements). 4: tables keep their notes,
# one-channel PNGs for black-and-white crops, tuned on the 198-paper set. 5: tuned on the 296-paper set (figure
# notes, code listings, full-width grids, margin captions), photo crops JPEG-encoded by Pillow. 6: tuned on the
# 380-paper set (line-numbered submissions, side-by-side floats, text figures, glyph-drawn plots). 7: tuned on the
# 568-paper set and on figure numbers missed in unlabelled papers (table cells in the gutter, captions after a
# row of cells, weak captions outranked by strong ones, grids of text, trimmed pictures), PNGs written by pypng.
# 8: figures in scanned pages read from their ink, text panels no uncaptioned figures, slanted labels no turn.
# 9: labels crossing the gutter, rows of numbers and a diagram's sentences are no body text; tables beside captions.
# 10: tiny rotated tick labels no longer turn a page, titles set on their frames, underlined words in captions,
# listings in NimbusMonL, pseudo-code numbered "1.", plot titles listed out of order, column figures under tables.
# 11: images repeated on most pages (watermarks, letterheads) are no figures; text read from a display list.
# 12: captions side by side in one block, under the text area, under sub-captions or without a delimiter; more
# listings and pseudocode (beside tables, far over captions, numbered, tall formulas); labels set over pictures.
# 13: captions framed by rules, stacks of text boxes, the body's size counted before a long reference list.
# 14: usual-side captions claim first, lettered appendix floats, short side captions, captions on pictures, page-long
# prompts, bold caption rows run on from a figure's lines, bold references ending a block.
# 15: lone floats keep the rows over their drawings, long grammars, captions run into the caption beside, pages of
# upright labels unturned, far captions over the next figure, legend entries naming algorithms, first-page banners.
# 16: two-sided text blocks learnt per page side, large line numbers, display equations, logos and rules at running
# heads, short side captions over figures across the gutter, graphical abstracts.
# 17: a page's drawings are listed in full unless its own and its forms' streams are long (a plot of many thousand
# paths in a small form is clipped to its panels, as on a page without forms); a table's shaded rows are no picture
# of the figure under it; a caption facing back from beyond another's edge bounds that one's range.
# 18: a picture drawn past the page's edge is taken at its ink; floats keep to their captions (a figure beside a
# table over its full-width caption, side-by-side figures cut where their captions part, a figure of captioned
# listings; notes, text figures and ruled blocks end at the next caption).
# 19: tables of sentences keep their rows (description columns at a column's edge, marked notes under the last row,
# upright labels, prompts between rules); a caption runs on through a plain line opening with "Figure 4.".
# 20: text by a caption is a figure of text only when most of its rows, not its pieces, are set unlike the body;
# a table facing a figure ends at its last rule when the figure's plots are titled right on it.
# 21: captions under a table's bottom rule or ending at its top rule, two tables facing each other, sub-captions
# set small across the page, a figure's graphic set far over its legend strip, listings' labels and slots, a
# table's notes between it and its caption, no uncaptioned logo on a white canvas.
# 22: a table's note of several lines over its caption below, a plot's large axis title, a two-column paper with a
# longer single-column appendix, a table's shaded rows past its header's rule.
# 23: grid tables under wide captions, the body's size from lines of five words, typewriter fonts by their widths,
# ruled blocks holding a section heading are body text, a table's spanning header is no paragraph.
# 24: captions labelled in other languages ("Figura", "Tabela", "Abbildung", "Рисунок", "图", "表"); a rule drawn as
# a segment per cell is one rule; the rule over a page's footnotes ends no ruled block; APA's bold label a blank
# line over its italic title; figures read from the ink of a page pasted in as a picture.
MANIFEST_VERSION = "24"

__all__ = ["MANIFEST_VERSION", "LocatedFigure", "RenderedFigure", "UnreadablePDF", "extract", "first_page_figure",
           "locate_figures", "number_key", "render_figures"]
