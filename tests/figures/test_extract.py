"""Figure and table extraction, checked against synthetic papers whose true figure boxes are known."""

from __future__ import annotations

import json
import pickle
import time
import zlib
from dataclasses import replace
from pathlib import Path

import pymupdf
import pytest

from arxiv_digest import figures
from arxiv_digest.cli import write_figures_dir
from arxiv_digest.figures import (
    LocatedFigure,
    RenderedFigure,
    extract,
    first_page_figure,
    layout,
    locate_figures,
    render_figures,
)
from arxiv_digest.models import FigureKind
from pdfgen import TruthBox, make_paper

from .common import LAYOUTS, generated, iou, open_pdf


def same_float(f: LocatedFigure, t: TruthBox) -> bool:
    return f.kind.value == t.kind and (f.number or "") == t.number and f.page == t.page


def best_iou(found: list[LocatedFigure], t: TruthBox) -> float:
    return max((iou(f.bbox, t.bbox) for f in found if same_float(f, t)), default=0.0)


def decode(r: RenderedFigure) -> pymupdf.Pixmap:
    return pymupdf.Pixmap(r.data)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_every_true_float_is_found_with_its_number_and_box(layout: str, seed: int) -> None:
    data, truth = generated(layout, seed)
    found = locate_figures(open_pdf(data))

    scores = {f"{t.kind} {t.number or '(uncaptioned)'}": round(best_iou(found, t), 2) for t in truth}
    assert all(s >= 0.8 for s in scores.values()), scores
    extra = [f for f in found if not any(same_float(f, t) for t in truth)]
    assert extra == []


def test_captions_are_the_real_ones_not_body_text_mentions() -> None:
    data, truth = generated("1col")
    text = "".join(page.get_text() for page in open_pdf(data))
    assert "as shown in Figure 1" in text and "Figure 1 shows that" in text  # the generator planted them

    found = locate_figures(open_pdf(data))
    assert len(found) == len(truth)
    for f in found:
        label = "Table" if f.kind is FigureKind.TABLE else "Figure"
        assert f.caption.startswith(f"{label} {f.number}: ")
        assert "shows that" not in f.caption


def test_paragraphs_opening_with_a_mention_next_to_a_plot_are_not_captions() -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    lines = ["Figure 3 shows that the sparse model converges faster than the dense model on all tasks",
             "we consider, and the gap widens as the sequence length grows beyond two thousand tokens,",
             "as reported in the ablation study of the previous section and discussed again later on,",
             "Figure 2. We then repeat the experiment with a larger batch and a longer schedule to see"]
    for i, line in enumerate(lines):
        page.insert_text((72, 100 + 12 * i), line, fontsize=10, fontname="tiro")
    page.draw_rect(pymupdf.Rect(150, 160, 400, 300), color=(0, 0, 0))
    page.draw_polyline([(150, 300), (250, 200), (400, 170)], color=(1, 0, 0))

    assert locate_figures(doc) == []


@pytest.mark.parametrize("columns", [1, 2])
def test_decorations_alone_are_not_figures(columns: int) -> None:
    """Running head, header rule, logo, arXiv stamp and page numbers are drawn on every generated paper."""
    data, _ = make_paper(columns=columns, figures=[])
    assert locate_figures(open_pdf(data)) == []


def test_multipanel_figure_stays_one_figure() -> None:
    data, truth = make_paper(figures=[{"kind": "multipanel", "panels": 3, "raster_panel": True}])
    found = locate_figures(open_pdf(data))
    assert [(f.kind, f.number) for f in found] == [(FigureKind.FIGURE, "1")]
    assert iou(found[0].bbox, truth[0].bbox) >= 0.9


def test_spanning_figure_crosses_the_gutter() -> None:
    data, truth = make_paper(columns=2, figures=[{"kind": "vector"}, {"kind": "spanning"}])
    (spanning,) = [f for f in locate_figures(open_pdf(data)) if f.number == "2"]
    assert spanning.bbox[0] < 306 - 100 and spanning.bbox[2] > 306 + 100
    assert iou(spanning.bbox, truth[1].bbox) >= 0.9


def test_table_box_includes_its_caption_above() -> None:
    data, truth = make_paper(figures=[{"kind": "table", "grid": True}])
    (table,) = locate_figures(open_pdf(data))
    assert table.kind is FigureKind.TABLE and table.number == "1"
    assert table.caption.startswith("Table 1: Comparison with prior work")
    assert abs(table.bbox[1] - truth[0].bbox[1]) <= 3  # the top of the box is the caption, not the grid


def test_uncaptioned_large_photo_is_kept_without_a_number() -> None:
    data, truth = make_paper(figures=[{"kind": "uncaptioned"}])
    (photo,) = locate_figures(open_pdf(data))
    assert (photo.kind, photo.number, photo.caption) == (FigureKind.FIGURE, None, "")
    assert iou(photo.bbox, truth[0].bbox) >= 0.9


def test_rotated_page_figures_render_upright() -> None:
    plain, truth = generated("2col")
    rotated, rotated_truth = generated("2col-rotated")
    assert truth == rotated_truth  # boxes are in unrotated coordinates either way

    def rendered(data: bytes) -> RenderedFigure:
        doc = open_pdf(data)
        (fig,) = [f for f in locate_figures(doc) if (f.kind, f.number) == (FigureKind.FIGURE, "1")]
        return render_figures(doc, [fig], dpi=72)[0]

    upright, turned = rendered(plain), rendered(rotated)
    assert abs(turned.width - upright.height) <= 2 and abs(turned.height - upright.width) <= 2
    samples = decode(turned).samples
    assert min(samples) < 100  # the clip hit the plot, not an empty margin of the rotated page


def test_extract_orders_page_then_figures_then_tables_with_valid_images() -> None:
    data, truth = generated("1col-mixed")
    rendered = extract(open_pdf(data), max_pixels=900)

    assert rendered[0].figure.kind is FigureKind.PAGE
    assert rendered[0].content_type == "image/jpeg"
    order = [(r.figure.kind.value, r.figure.number) for r in rendered[1:]]
    assert order == [("figure", "1"), ("figure", "2"), ("figure", "3"), ("figure", None),
                     ("table", "1"), ("table", "2")]
    for r in rendered:
        pix = decode(r)
        assert (pix.width, pix.height) == (r.width, r.height)
        assert max(r.width, r.height) <= 900
    types = {(r.figure.kind.value, r.figure.number): r.content_type for r in rendered}
    assert types[("figure", "2")] == "image/jpeg"  # the photo
    assert types[("figure", "1")] == types[("table", "1")] == "image/png"  # line art
    channels = {(r.figure.kind.value, r.figure.number): decode(r).n for r in rendered}
    assert channels[("table", "1")] == 1  # black on white: one channel, the same picture in a third of the bytes
    assert channels[("figure", "1")] == 3  # a plot in colour keeps its colours


def test_extract_cap_counts_the_page_image() -> None:
    doc = open_pdf(generated("1col")[0])
    assert [r.figure.kind for r in extract(doc, max_figures=2)] == [FigureKind.PAGE, FigureKind.FIGURE]
    without_page = extract(doc, max_figures=2, include_first_page=False)
    assert [r.figure.number for r in without_page] == ["1", "2"]
    assert extract(doc, max_figures=0) == []


def test_render_respects_pixel_and_byte_limits() -> None:
    doc = open_pdf(generated("1col")[0])
    fig = next(f for f in locate_figures(doc) if f.number == "1")

    (small,) = render_figures(doc, [fig], dpi=300, max_pixels=333)
    assert max(small.width, small.height) <= 333
    (png,) = render_figures(doc, [fig], dpi=150)
    assert png.content_type == "image/png"
    (squeezed,) = render_figures(doc, [fig], dpi=150, max_bytes=len(png.data) // 4)
    assert squeezed.content_type == "image/jpeg"
    assert len(squeezed.data) <= len(png.data) // 4


def test_png_crops_hold_exactly_the_rendered_pixels() -> None:
    doc = open_pdf(generated("1col-mixed")[0])
    found = {(f.kind, f.number): f for f in locate_figures(doc)}
    for key, channels in (((FigureKind.FIGURE, "1"), 3), ((FigureKind.TABLE, "1"), 1)):
        fig = found[key]
        (png,) = render_figures(doc, [fig], dpi=72)
        page = doc[fig.page]
        expected = page.get_pixmap(clip=pymupdf.Rect(fig.bbox) & page.rect, alpha=False)
        if channels == 1:
            expected = pymupdf.Pixmap(pymupdf.csGRAY, expected)
        pix = decode(png)
        assert (png.content_type, pix.n) == ("image/png", channels)
        assert pix.samples == expected.samples


def test_first_page_figure_is_the_whole_unrotated_page() -> None:
    doc = open_pdf(generated("2col-rotated")[0])
    page = first_page_figure(doc)
    assert (page.kind, page.number, page.page) == (FigureKind.PAGE, None, 0)
    assert page.bbox == (0.0, 0.0, 612.0, 792.0)
    (image,) = render_figures(doc, [page], max_pixels=500)
    assert (image.content_type, image.width > image.height) == ("image/jpeg", True)  # landscape on screen


def test_write_figures_dir_writes_images_and_index(tmp_path: Path) -> None:
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(generated("1col")[0])
    out = tmp_path / "out"

    entries = write_figures_dir(pdf, out, dpi=72)

    assert json.loads((out / "figures.json").read_text(encoding="utf-8")) == entries
    assert [e["file"] for e in entries] == ["page-1.jpg", "figure-1.png", "figure-2.jpg", "figure-3.png",
                                            "table-1.png"]
    for e in entries:
        assert set(e) == {"kind", "number", "page", "bbox", "figure_box", "caption_box", "caption", "file",
                          "content_type", "width", "height"}
        pix = pymupdf.Pixmap(str(out / e["file"]))
        assert (pix.width, pix.height) == (e["width"], e["height"])


def test_odd_documents_yield_only_the_page_image() -> None:
    text_only = pymupdf.open(stream=make_paper(figures=[])[0], filetype="pdf")
    blank = pymupdf.open()
    blank.new_page()
    for doc in (text_only, blank):
        assert [r.figure.kind for r in extract(doc)] == [FigureKind.PAGE]
    assert extract(pymupdf.open()) == []


def test_max_pages_and_unreadable_pages_are_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    data, truth = generated("1col")
    doc = open_pdf(data)
    assert {f.page for f in locate_figures(doc, max_pages=1)} == {0}

    real = layout.read_page

    def flaky(page: pymupdf.Page) -> layout.PageData:
        if page.number == 1:
            raise RuntimeError("corrupt content stream")
        return real(page)

    monkeypatch.setattr(layout, "read_page", flaky)
    found = locate_figures(doc)
    assert {f.page for f in found} == {t.page for t in truth} - {1}


def test_numbers_sort_naturally() -> None:
    numbers = ["10", "S1", None, "IV", "3a", "2", "3", "A.2", "D"]
    assert sorted(numbers, key=figures.number_key) == ["2", "3", "3a", "IV", "10", "A.2", "D", "S1", None]


# ---- bad documents: a clear per-paper error or bounded work, never a hang ---------------------------------
def test_html_saved_as_pdf_is_refused_with_a_paper_error(tmp_path: Path) -> None:
    from arxiv_digest.pdf import PaperError

    html = b"<!DOCTYPE html><html><body><h1>403 Forbidden</h1><p>Access denied.</p></body></html>"
    doc = pymupdf.open(stream=html, filetype="pdf")  # MuPDF sniffs the content and opens it as HTML
    with pytest.raises(figures.UnreadablePDF, match="not a PDF"):
        extract(doc)
    assert issubclass(figures.UnreadablePDF, PaperError)  # the pipeline records it for the paper
    (tmp_path / "paper.pdf").write_bytes(html)
    with pytest.raises(figures.UnreadablePDF):
        write_figures_dir(tmp_path / "paper.pdf", tmp_path / "out")


def test_corrupt_bytes_are_refused_with_a_paper_error(tmp_path: Path) -> None:
    (tmp_path / "paper.pdf").write_bytes(b"%PDF-1.5\n" + bytes(range(256)) * 40)
    with pytest.raises(figures.UnreadablePDF, match="cannot be opened"):
        write_figures_dir(tmp_path / "paper.pdf", tmp_path / "out")


def test_encrypted_pdf_is_refused() -> None:
    data = pymupdf.open(stream=generated("1col")[0], filetype="pdf").tobytes(
        encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")
    with pytest.raises(figures.UnreadablePDF, match="encrypted"):
        extract(open_pdf(data))


def test_five_hundred_pages_search_only_the_first_pages_in_bounded_time() -> None:
    src = open_pdf(generated("1col")[0])
    doc = pymupdf.open()
    while doc.page_count < 500:
        doc.insert_pdf(src)
    doc = open_pdf(doc.tobytes(garbage=1))
    assert doc.page_count >= 500

    start = time.monotonic()
    rendered = extract(doc, max_pages=8, max_figures=4)
    assert time.monotonic() - start < 10
    assert {r.figure.page for r in rendered} <= set(range(8))
    assert [r.figure.kind for r in extract(doc, time_limit=0.0)] == [FigureKind.PAGE]


def test_huge_embedded_image_is_not_decoded() -> None:
    """A 20000 x 20000 greyscale image (400 MB decoded, 400 kB compressed) must not be rendered."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 420), "Figure 1: An enormous scan.", fontsize=9, fontname="tibo")
    side = 20_000
    z = zlib.compressobj(9)
    row = bytes(side)
    stream = b"".join(z.compress(row) for _ in range(side)) + z.flush()
    page.insert_image(pymupdf.Rect(100, 100, 500, 400), pixmap=pymupdf.Pixmap(pymupdf.csGRAY, 8, 8, bytes(64), False))
    xref = page.get_images()[0][0]  # swap the small image's stream for the huge one
    doc.update_object(xref, f"<</Type/XObject/Subtype/Image/Width {side}/Height {side}/ColorSpace/DeviceGray"
                            f"/BitsPerComponent 8/Filter/FlateDecode/Length {len(stream)}>>")
    doc.update_stream(xref, stream, compress=False)
    doc = open_pdf(doc.tobytes())
    assert doc[0].get_image_info()[0]["width"] == side

    start = time.monotonic()
    found = locate_figures(doc)
    skipped = render_figures(doc, found + [first_page_figure(doc)])
    assert time.monotonic() - start < 10
    assert len(found) == 1 and skipped == []


def test_rendering_reuses_the_images_read_while_locating(monkeypatch: pytest.MonkeyPatch) -> None:
    """Listing a page's images runs MuPDF's text extraction once more: a located figure carries its page's list."""
    doc = open_pdf(generated("2col-mixed")[0])
    found = locate_figures(doc)
    assert found and all(f.images is not None for f in found)
    assert any(pixels > 0 for f in found for _, pixels in f.images or ())
    monkeypatch.setattr(pymupdf.Page, "get_image_info", lambda self, **kw: pytest.fail("listed the images again"))
    rendered = render_figures(doc, found)
    assert len(rendered) == len(found)
    assert any(r.content_type == "image/jpeg" and decode(r).width == r.width for r in rendered)


def test_rendering_replays_the_page_recorded_while_locating(monkeypatch: pytest.MonkeyPatch) -> None:
    """A figure page is interpreted once: its text, images and crops all come from one display list."""
    doc = open_pdf(generated("2col-mixed")[0])
    found = locate_figures(doc)
    assert found and all(f.display is not None for f in found)
    expected = [r.data for r in render_figures(doc, [replace(f, display=None) for f in found])]
    monkeypatch.setattr(pymupdf.Page, "get_displaylist", lambda self, **kw: pytest.fail("recorded the page again"))
    assert [r.data for r in render_figures(doc, found)] == expected


def test_rendered_figures_cross_process_boundaries_without_the_page_recording() -> None:
    """The PDF sandbox pickles what its child returns: a rendered figure must not carry a display list."""
    doc = open_pdf(generated("2col-mixed")[0])
    rendered = render_figures(doc, locate_figures(doc))
    assert rendered and all(r.figure.display is None for r in rendered)
    assert [r.data for r in pickle.loads(pickle.dumps(rendered))] == [r.data for r in rendered]


def test_a_heavy_page_is_not_kept_recorded_between_locating_and_rendering(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layout, "HEAVY_CONTENT_BYTES", 0)
    found = locate_figures(open_pdf(generated("2col-mixed")[0]))
    assert found and all(f.display is None for f in found)


def _as_forms(data: bytes) -> pymupdf.Document:
    """The paper with every page drawn as a form XObject (how pdfTeX includes a PDF figure, or a whole page)."""
    src, out = open_pdf(data), pymupdf.open()
    for page in src:
        out.new_page(width=page.rect.width, height=page.rect.height).show_pdf_page(page.rect, src, page.number)
    return out


def _count_box_logs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    original = pymupdf.Page.get_bboxlog

    def counted(self: pymupdf.Page, *args: object, **kw: object) -> object:
        calls.append(self.number)
        return original(self, *args, **kw)

    monkeypatch.setattr(pymupdf.Page, "get_bboxlog", counted)
    return calls


def test_a_page_of_small_forms_lists_its_drawings_without_counting_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counting a page's items runs it through a Python device: a form of ordinary size is listed straight away."""
    data, truth = generated("2col-mixed")
    calls = _count_box_logs(monkeypatch)
    found = locate_figures(_as_forms(data))
    assert calls == []
    assert all(best_iou(found, t) >= 0.8 for t in truth)


def test_a_page_whose_forms_hold_many_bytes_is_counted_first(monkeypatch: pytest.MonkeyPatch) -> None:
    data, truth = generated("2col-mixed")
    doc = _as_forms(data)
    form_bytes = max(len(doc.xref_stream(x[0]) or b"") for page in doc for x in page.get_xobjects())
    monkeypatch.setattr(layout, "HEAVY_CONTENT_BYTES", form_bytes - 1)
    calls = _count_box_logs(monkeypatch)
    found = locate_figures(doc)
    assert calls
    assert all(best_iou(found, t) >= 0.8 for t in truth)


def test_pages_with_too_many_drawings_use_the_cheap_box_log(monkeypatch: pytest.MonkeyPatch) -> None:
    data, truth = generated("2col-mixed")
    monkeypatch.setattr(layout, "HEAVY_CONTENT_BYTES", 0)
    monkeypatch.setattr(layout, "MAX_PAGE_ITEMS", 10)
    monkeypatch.setattr(pymupdf.Page, "get_cdrawings", lambda self, **kw: pytest.fail("listed every drawing"))
    found = locate_figures(open_pdf(data))
    assert all(best_iou(found, t) >= 0.8 for t in truth)
