"""The stages in order: read pages (layout), find captions, build regions, render; one call per paper."""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Set as AbstractSet
from dataclasses import replace

import pymupdf

from arxiv_digest.models import FigureKind
from arxiv_digest.pdf import PaperError

from . import layout
from .geometry import Box, area, intersection, union_all
from .regions import DEFAULT_SIDE, UNCAPTIONED_MIN_PAGE_SHARE, LocatedFigure, locate_page
from .render import RenderedFigure, first_page_figure, render_figures

log = logging.getLogger(__name__)

_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
# A document captions a kind on the unusual side (tables below, figures above) when at least this many of its
# unambiguous captions do, and this many times as many as on the usual side.
SIDE_MIN_VOTES = 2
SIDE_MAJORITY = 2.0
# An uncaptioned figure whose pictures (each this share inside it) cover this share of it, and whose ink covers at
# most INKED_SHARE of them, is judged by its ink.
INSIDE_SHARE = 0.9
PICTURE_SHARE = 0.8
INKED_SHARE = 0.5


class UnreadablePDF(PaperError):
    """The document cannot be searched for figures (not a PDF, encrypted): a per-paper error."""


def locate_figures(doc: pymupdf.Document, *, max_pages: int = 100,
                   deadline: float | None = None) -> list[LocatedFigure]:
    """Figures and tables page by page, top to bottom; one per (kind, number): the first with graphics.

    Reads at most ``max_pages`` pages, and no page after ``deadline`` (a time.monotonic() value).
    """
    pages: list[layout.PageData] = []
    for index in range(min(doc.page_count, max_pages)):
        if deadline is not None and time.monotonic() > deadline:
            log.warning("figure search stopped at page %d: time limit reached", index)
            break
        try:
            pages.append(layout.read_page(doc[index]))
        except Exception:  # a broken page must not cost the paper its other figures
            log.warning("skipping unreadable page %d", index, exc_info=True)
    if not pages:
        return []
    layout.drop_page_furniture(pages)
    layout.drop_wordless_ink(pages)
    lay = layout.document_layout(pages)
    votes: list[tuple[FigureKind, str]] = []
    by_page = _locate_pages(pages, lay, None, votes)
    prefer = caption_sides(votes)
    if prefer:  # this document captions some kind on the other side: search again with that preference
        by_page = _locate_pages(pages, lay, prefer, None)
    # A weak caption whose number a strong one holds is never kept (below): where it took graphics, search its
    # page again without it, so they go to the captions around it.
    held = {(f.kind, f.number) for located in by_page for f, s in located if s and f.number is not None}
    for k, located in enumerate(by_page):
        if any(not s and (f.kind, f.number) in held for f, s in located):
            by_page[k] = _locate_pages([pages[k]], lay, prefer, None, held)[0]
    candidates = [c for located in by_page for c in sorted(located, key=lambda c: (c[0].bbox[1], c[0].bbox[0]))]
    # Per (kind, number): every float with a strong caption (a supplement numbers its own from 1 again), else the
    # first one.
    keep: dict[tuple[FigureKind, str], list[int]] = {}
    for i, (f, strong) in enumerate(candidates):
        if f.number is not None:
            kept = keep.setdefault((f.kind, f.number), [])
            if not kept:
                kept.append(i)
            elif strong:
                if not candidates[kept[0]][1]:
                    kept.clear()
                kept.append(i)
    chosen = {i for kept in keep.values() for i in kept}
    return [f for i, (f, _) in enumerate(candidates)
            if i in chosen or f.number is None and not _mostly_white(doc, f)]


def _mostly_white(doc: pymupdf.Document, f: LocatedFigure) -> bool:
    """An uncaptioned figure that is pictures mostly white or clear, whose ink covers too little of the page to be
    a figure: a logo on a wide white canvas, which its drawn size had let pass."""
    page = doc[f.page]
    if page.rotation:
        return False
    inks: list[Box] = []
    drawn = 0.0
    try:
        for info in page.get_image_info(xrefs=True):
            box = tuple(info["bbox"])
            if not info["xref"] or area(intersection(box, f.bbox)) < INSIDE_SHARE * area(box) \
                    or info["width"] * info["height"] > layout.MAX_IMAGE_PIXELS:
                continue
            drawn += area(intersection(box, f.bbox))
            inks.append(layout.drawn_ink(doc, info) or box)
    except Exception:  # noqa: BLE001 - an image MuPDF cannot decode keeps the figure
        log.debug("could not read the ink of an uncaptioned figure's images", exc_info=True)
        return False
    if not inks or drawn < PICTURE_SHARE * area(f.bbox):
        return False
    inked = area(union_all(inks))
    return inked <= INKED_SHARE * drawn and inked <= UNCAPTIONED_MIN_PAGE_SHARE * area(tuple(page.rect))


def _locate_pages(pages: list[layout.PageData], lay: layout.Layout, prefer: dict[FigureKind, str] | None,
                  votes: list[tuple[FigureKind, str]] | None,
                  outranked: AbstractSet[tuple[FigureKind, str]] = frozenset(),
                  ) -> list[list[tuple[LocatedFigure, bool]]]:
    """Each page's floats in page coordinates; a page that fails is logged and skipped (an empty list)."""
    out = []
    for p in pages:
        try:
            located = locate_page(p, layout.page_layout(p, lay), prefer, votes, outranked)
            out.append([(replace(_to_page(p, f), images=p.images, display=p.display), strong) for f, strong in located])
        except Exception:
            log.warning("skipping page %d: figure location failed", p.index, exc_info=True)
            out.append([])
    return out


def _to_page(p: layout.PageData, f: LocatedFigure) -> LocatedFigure:
    """A figure found on a turned page, in the page's own coordinates."""
    if not p.turn:
        return f
    # Text running upwards on the unrotated page reads left to right after a quarter turn clockwise; the page's
    # /Rotate (clockwise) has already turned it that far on screen.
    display = (p.turn * 90 - p.rotation) % 360
    return replace(f, bbox=p.to_page(f.bbox), figure_box=f.figure_box and p.to_page(f.figure_box),
                   caption_box=f.caption_box and p.to_page(f.caption_box), turn=display // 90)


def caption_sides(votes: list[tuple[FigureKind, str]]) -> dict[FigureKind, str]:
    """The kinds this document captions on the unusual side, learnt from captions with graphics on one side only:
    at least SIDE_MIN_VOTES of them, and SIDE_MAJORITY times as many as on the usual side."""
    prefer = {}
    for kind, usual in DEFAULT_SIDE.items():
        other = "down" if usual == "up" else "up"
        n_other = sum(1 for k, d in votes if k is kind and d == other)
        n_usual = sum(1 for k, d in votes if k is kind and d == usual)
        if n_other >= SIDE_MIN_VOTES and n_other >= SIDE_MAJORITY * n_usual:
            prefer[kind] = other
    return prefer


def number_key(number: str | None) -> tuple[int, int, str]:
    """Sort key: plain numbers (arabic or roman) first, then prefixed ones like S1 or A.2, then unnumbered."""
    if number is None:
        return (3, 0, "")
    if m := re.fullmatch(r"(\d+)(.*)", number):
        return (0, int(m[1]), m[2])
    if all(ch in _ROMAN for ch in number):
        values = [_ROMAN[ch] for ch in number]
        return (0, sum(-v if v < nxt else v for v, nxt in zip(values, values[1:] + [0], strict=True)), "")
    if m := re.fullmatch(r"([A-Z])\.?(\d*)(.*)", number):  # "A.2", "S1", or an appendix's lone letter "D"
        return (1, ord(m[1]) * 10_000 + int(m[2] or 0), m[3])
    return (2, 0, number)


def extract(doc: pymupdf.Document, *, dpi: int = 150, max_pixels: int = 1600, max_figures: int | None = None,
            include_first_page: bool = True, max_pages: int = 100,
            time_limit: float | None = 60.0) -> list[RenderedFigure]:
    """First page first, then figures in figure-number order, then tables in number order; capped at
    max_figures (cap counts the page image).

    Work is bounded: at most ``max_pages`` pages are searched, oversized embedded images are not decoded,
    and after ``time_limit`` seconds no further page is read nor figure rendered (a MuPDF call already
    running is not interrupted). Raises UnreadablePDF for documents that are not PDFs or are encrypted.
    """
    if not doc.is_pdf:
        raise UnreadablePDF("not a PDF (an HTML or other page saved as .pdf?)")
    if doc.needs_pass:
        raise UnreadablePDF("PDF is encrypted with a password")
    deadline = None if time_limit is None else time.monotonic() + time_limit
    located = locate_figures(doc, max_pages=max_pages, deadline=deadline)
    order = {FigureKind.FIGURE: 0, FigureKind.TABLE: 1}
    series: dict[int, int] = {}  # 0 for the paper's own "Figure 1", 1 for a supplement's, ...
    seen: Counter[tuple[FigureKind, str | None]] = Counter()
    for f in located:  # in page order
        series[id(f)] = seen[(f.kind, f.number)] if f.number is not None else 0
        seen[(f.kind, f.number)] += 1
    located.sort(key=lambda f: (order.get(f.kind, 2), series[id(f)], number_key(f.number), f.page, f.bbox[1]))
    if include_first_page and doc.page_count:
        located.insert(0, first_page_figure(doc))
    return render_figures(doc, located, dpi=dpi, max_pixels=max_pixels, limit=max_figures, deadline=deadline)
