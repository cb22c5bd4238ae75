"""Layouts found in unlabelled papers at stop 26: a "Just Accepted" watermark image drawn on every page of a
manuscript, which the last, nearly empty page leaves uncovered; drawn here in miniature."""

from __future__ import annotations

import pymupdf

from arxiv_digest.figures import locate_figures

from .test_batches_24_25 import _png
from .test_batches_30 import _body_pages, _column

WATERMARK = pymupdf.Rect(110, 210, 500, 580)


def _manuscript(marked: range, *, one_image: bool = True) -> tuple[pymupdf.Document, int]:
    """Four pages of body text and a last page with a few lines, the watermark image on the pages ``marked``
    (one image object, or a new one of the same size on each page)."""
    doc, last = _body_pages((72,), pages=4)
    _column(last, 72, 80, 5)
    for k in marked:
        doc[k].insert_image(WATERMARK, stream=_png(324, 312) if one_image else _scan(k), overlay=False)
    return doc, last.number


def _scan(seed: int) -> bytes:
    """A plot of its own: axes along two edges (its ink spans it; a picture mostly white is no figure) and a mark
    that differs from page to page."""
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 324, 312), False)
    pix.set_rect(pix.irect, (250, 250, 250))
    pix.set_rect(pymupdf.IRect(10, 10, 14, 302), (20, 20, 20))
    pix.set_rect(pymupdf.IRect(10, 298, 314, 302), (20, 20, 20))
    pix.set_rect(pymupdf.IRect(20, 20 + 10 * seed, 100 + 40 * seed, 40 + 20 * seed), (20, 20, 20))
    return pix.tobytes("png")


def _found(doc: pymupdf.Document) -> list:
    return locate_figures(pymupdf.open(stream=doc.tobytes(), filetype="pdf"))


def test_a_watermark_on_every_page_is_no_figure_where_a_page_leaves_it_bare() -> None:
    doc, _ = _manuscript(range(5))
    assert _found(doc) == []


def test_an_image_on_two_pages_of_five_is_still_a_figure() -> None:
    doc, last = _manuscript(range(3, 5))
    photos = _found(doc)
    assert [(p.page, p.number) for p in photos] == [(3, None), (last, None)]
    assert all(abs(p.bbox[1] - WATERMARK.y0) < 4 and abs(p.bbox[3] - WATERMARK.y1) < 4 for p in photos)


def test_pictures_of_one_size_at_one_place_on_every_page_are_kept_when_each_is_its_own() -> None:
    """A scan cut into bands, or a plot of one size at the top of each page: the same box and pixel count on
    every page, but a new image each time."""
    doc, last = _manuscript(range(5), one_image=False)
    assert [(p.page, p.number) for p in _found(doc)] == [(k, None) for k in range(last + 1)]
