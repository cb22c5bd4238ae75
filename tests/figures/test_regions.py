"""Region stage: every located float carries its crop, the graphic alone and the caption's box."""

from __future__ import annotations

from arxiv_digest.figures import locate_figures
from arxiv_digest.models import FigureKind

from .common import generated, iou, open_pdf


def _inside(inner: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    return all(inner[i] >= outer[i] - 0.01 for i in (0, 1)) and all(inner[i] <= outer[i] + 0.01 for i in (2, 3))


def test_crop_is_the_graphic_and_the_caption_together() -> None:
    data, truth = generated("1col-mixed")
    found = locate_figures(open_pdf(data))
    assert {(f.kind, f.number) for f in found} >= {(FigureKind.FIGURE, "1"), (FigureKind.TABLE, "1")}
    for f in found:
        assert f.figure_box is not None and _inside(f.figure_box, f.bbox)
        if f.number is None:
            assert (f.caption_box, f.figure_box) == (None, f.bbox)
            continue
        assert f.caption_box is not None and _inside(f.caption_box, f.bbox)
        xs = [f.figure_box[0], f.caption_box[0]], [f.figure_box[2], f.caption_box[2]]
        ys = [f.figure_box[1], f.caption_box[1]], [f.figure_box[3], f.caption_box[3]]
        assert (min(xs[0]), min(ys[0]), max(xs[1]), max(ys[1])) == f.bbox
        if f.kind is FigureKind.FIGURE:  # captioned below: the graphic ends where the caption starts
            assert f.figure_box[3] <= f.caption_box[1] + 4
        else:  # this generator captions tables above
            assert f.caption_box[3] <= f.figure_box[1] + 4


def test_figure_box_leaves_the_caption_out() -> None:
    data, truth = generated("2col")
    found = locate_figures(open_pdf(data))
    for f in found:
        assert f.figure_box is not None and f.caption_box is not None
        assert iou(f.figure_box, f.bbox) < 0.95  # the caption is a visible part of the crop
        assert f.caption.startswith(("Figure", "Table"))
