"""Stage 4, rendering: each located box cropped from its page to PNG (line art) or JPEG (photos, busy
crops), within pixel and byte limits, upright on rotated pages."""

from __future__ import annotations

import io
import logging
import time
from dataclasses import dataclass, replace

import png
import pymupdf

from arxiv_digest.models import FigureKind

from .geometry import area, intersection
from .layout import MAX_IMAGE_PIXELS, Images, page_images
from .regions import LocatedFigure

log = logging.getLogger(__name__)

PAGE_DPI = 100  # the first-page thumbnail never needs more
JPEG_QUALITY = 85
PHOTO_SHARE = 0.5  # a crop more than half covered by embedded images is a photo: JPEG
SHRINK = 0.7  # scale step while an image is over the byte limit
MIN_SIDE_PX = 64  # stop shrinking below this
# zlib level of PNG crops: 3 deflates in half the time of MuPDF's own writer (level 6) for about 4% more bytes
PNG_COMPRESSION = 3


@dataclass(frozen=True)
class RenderedFigure:
    """A located figure rendered to image bytes."""

    figure: LocatedFigure
    data: bytes
    content_type: str
    width: int
    height: int


def first_page_figure(doc: pymupdf.Document) -> LocatedFigure:
    """The whole first page, used as the paper's thumbnail."""
    page = doc[0]
    r = page.rect * page.derotation_matrix
    box = (r.x0, r.y0, r.x1, r.y1)
    return LocatedFigure(FigureKind.PAGE, None, 0, box, "", box, None)


def render_figures(doc: pymupdf.Document, figures: list[LocatedFigure], *, dpi: int = 150,
                   max_pixels: int = 1600, max_bytes: int = 1_500_000, limit: int | None = None,
                   deadline: float | None = None) -> list[RenderedFigure]:
    """Render each figure (skipping any that fails): PNG for line art, JPEG for photos or oversized PNGs.

    Stops after ``limit`` images, and renders nothing but the page image after ``deadline`` (a
    time.monotonic() value).
    """
    rendered: list[RenderedFigure] = []
    # loaded once for all its figures: the page, its display list and its images
    pages: dict[int, tuple[pymupdf.Page, pymupdf.DisplayList, Images]] = {}
    for fig in figures:
        if limit is not None and len(rendered) >= limit:
            break
        if fig.kind is not FigureKind.PAGE and deadline is not None and time.monotonic() > deadline:
            log.warning("stopped rendering figures: time limit reached")
            break
        try:
            if fig.page not in pages:
                page = doc[fig.page]
                display = fig.display if fig.display is not None else page.get_displaylist()
                images = fig.images if fig.images is not None else page_images(page)
                pages[fig.page] = (page, display, images)
            rendered.append(_render(*pages[fig.page], fig, dpi, max_pixels, max_bytes))
        except Exception:
            log.warning("could not render %s %s on page %d", fig.kind, fig.number, fig.page, exc_info=True)
    return rendered


def _render(page: pymupdf.Page, display: pymupdf.DisplayList, page_images: Images, fig: LocatedFigure, dpi: int,
            max_pixels: int, max_bytes: int) -> RenderedFigure:
    clip = (pymupdf.Rect(fig.bbox) * page.rotation_matrix) & page.rect
    if clip.is_empty:
        raise ValueError(f"figure box {fig.bbox} is outside page {fig.page}")
    images = [(box, pixels) for box, pixels in page_images if area(intersection(fig.bbox, box)) > 0]
    if any(pixels > MAX_IMAGE_PIXELS for _, pixels in images):
        raise ValueError(f"figure shows an embedded image over {MAX_IMAGE_PIXELS} pixels")
    if fig.kind is FigureKind.PAGE:
        dpi, photo = min(dpi, PAGE_DPI), True
    else:
        covered = sum(area(intersection(fig.bbox, box)) for box, _ in images)
        photo = covered > PHOTO_SHARE * area(fig.bbox)
    scale = min(dpi / 72, max_pixels / max(clip.width, clip.height))
    while True:
        pix = display.get_pixmap(matrix=pymupdf.Matrix(scale, scale).prerotate(90 * fig.turn), clip=clip, alpha=False)
        if max(pix.width, pix.height) > max_pixels:  # the clip is rounded outwards to whole pixels
            ratio = max_pixels / max(pix.width, pix.height)
            pix = pymupdf.Pixmap(pix, max(1, int(pix.width * ratio)), max(1, int(pix.height * ratio)), None)
        if not photo:
            data = _png(_gray(pix))
            photo = len(data) > max_bytes  # too busy for PNG: JPEG from here on, shrinking if need be
        if photo:
            # Pillow's libjpeg-turbo: the same size as MuPDF's own JPEG writer, in a tenth of the time
            data = pix.pil_tobytes(format="JPEG", quality=JPEG_QUALITY)
        if len(data) <= max_bytes or max(pix.width, pix.height) < MIN_SIDE_PX:
            content_type = "image/jpeg" if photo else "image/png"
            # without the page's recording: a rendered figure crosses process boundaries, a display list cannot
            return RenderedFigure(replace(fig, display=None), data, content_type, pix.width, pix.height)
        scale *= SHRINK


def _gray(pix: pymupdf.Pixmap) -> pymupdf.Pixmap:
    """The pixmap with one channel if its three are equal everywhere (black-and-white line art and tables):
    the same image, a third of the bytes to compress."""
    samples = pix.samples
    if pix.n != 3 or not samples[0::3] == samples[1::3] == samples[2::3]:
        return pix
    return pymupdf.Pixmap(pymupdf.csGRAY, pix)


def _png(pix: pymupdf.Pixmap) -> bytes:
    """The pixmap (grey or RGB, no alpha) as PNG, deflated at PNG_COMPRESSION."""
    out = io.BytesIO()
    rows, stride = pix.samples_mv, pix.stride
    png.Writer(pix.width, pix.height, greyscale=pix.n == 1, compression=PNG_COMPRESSION).write_packed(
        out, (rows[y * stride:(y + 1) * stride] for y in range(pix.height)))
    return out.getvalue()
