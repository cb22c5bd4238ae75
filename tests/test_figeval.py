"""The figure scorer, and the extractor scored on the synthetic labelled set (the CI subset of the benchmark)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pymupdf
import pytest

from arxiv_digest.figures import locate_figures

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the benchmarks package lives at the repo root
from benchmarks.figures import synthetic  # noqa: E402
from benchmarks.figures.figeval import InkBoxes, Report, figure_box, iou, score  # noqa: E402


@dataclass(frozen=True)
class Box:
    page: int
    bbox: tuple[float, float, float, float]
    kind: str = "figure"
    graphic: str = "vector"
    figure_box: tuple[float, float, float, float] | None = None


def page_with(*rects: tuple[float, float, float, float], rotate: int = 0) -> pymupdf.Document:
    """A blank page with a filled grey rectangle for each box."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    for r in rects:
        page.draw_rect(pymupdf.Rect(r), color=None, fill=(0.3, 0.3, 0.3))
    page.set_rotation(rotate)
    return doc


A = (100.0, 100.0, 300.0, 250.0)
B = (100.0, 400.0, 300.0, 550.0)


def test_perfect_predictions_score_one() -> None:
    doc = page_with(A, B)
    report = score([Box(0, A), Box(0, B)], [Box(0, A), Box(0, B, graphic="raster")], doc)
    assert (report.f1(0.8), report.f1(0.5), report.splits, report.merges) == (1.0, 1.0, 0, 0)
    assert report.graphic_recall("vector") == report.graphic_recall("raster") == 1.0
    assert report.graphic_recall("mixed") is None


def test_white_margins_do_not_matter() -> None:
    doc = page_with(A)
    padded = (A[0] - 40, A[1] - 30, A[2] + 60, A[3] + 25)
    assert iou(padded, A) < 0.6
    assert score([Box(0, padded)], [Box(0, A)], doc).f1(0.8) == 1.0


def test_ink_box_is_found_on_rotated_pages_in_unrotated_coordinates() -> None:
    doc = page_with(A, rotate=90)
    shrunk = InkBoxes(doc).shrink(0, (0.0, 0.0, 612.0, 792.0))
    assert iou(shrunk, A) > 0.97


def test_a_shifted_box_lowers_iou_and_fails_the_strict_threshold() -> None:
    doc = page_with(A)
    shifted = (A[0] + 30, A[1] + 20, A[2] + 30, A[3] + 20)
    report = score([Box(0, shifted)], [Box(0, A)], doc)
    assert 0.5 <= iou(shifted, A) < 0.8
    assert (report.recall(0.5), report.recall(0.8), report.precision(0.8)) == (1.0, 0.0, 0.0)
    (miss,) = report.misses
    assert 0.5 <= miss["best_iou"] < 0.8


def test_matching_is_one_to_one_and_per_page() -> None:
    doc = page_with(A)
    doc.new_page(width=612, height=792).draw_rect(pymupdf.Rect(A), color=None, fill=(0, 0, 0))
    report = score([Box(0, A), Box(0, A), Box(1, B)], [Box(0, A), Box(1, A)], doc)
    assert report.matched == {0.5: 1, 0.8: 1}
    assert (report.precision(0.5), report.recall(0.5)) == (pytest.approx(1 / 3), 0.5)


def test_splits_and_merges_are_counted() -> None:
    top, bottom = (100.0, 100.0, 300.0, 170.0), (100.0, 180.0, 300.0, 250.0)
    doc = page_with(top, bottom)
    split = score([Box(0, top), Box(0, bottom)], [Box(0, A)], doc)
    assert (split.splits, split.merges) == (1, 0)
    merged = score([Box(0, A)], [Box(0, top), Box(0, bottom)], doc)
    assert (merged.splits, merged.merges) == (0, 1)


def test_reports_add_up_and_serialise() -> None:
    doc = page_with(A, B)
    one = score([Box(0, A)], [Box(0, A), Box(0, B, kind="table")], doc)
    two = score([Box(0, B)], [Box(0, B, graphic="raster")], doc)
    total = one + two
    assert (total.truths, total.predictions, total.matched[0.8]) == (3, 2, 2)
    data = total.to_dict()
    assert data["recall_by_kind@0.8"]["table"] == {"found": 0, "total": 1, "recall": 0.0}
    assert data["recall_by_graphic@0.8"]["raster"]["recall"] == 1.0
    assert Report().f1(0.8) == 1.0  # nothing to find and nothing claimed


def test_f1_per_kind_counts_only_matches_of_the_same_kind() -> None:
    doc = page_with(A, B)
    report = score([Box(0, A, kind="table"), Box(0, B, kind="table")],
                   [Box(0, A), Box(0, B, kind="table")], doc)
    assert report.f1(0.8) == 1.0  # both boxes are right ...
    assert report.kind_f1("table") == pytest.approx(2 / 3)  # ... but one of the two tables is a figure
    assert report.kind_f1("figure") == 0.0
    assert report.kind_f1("page") is None


def test_missed_figures_are_those_without_a_prediction_at_half_overlap() -> None:
    doc = page_with(A, B)
    shifted = (A[0] + 30, A[1] + 20, A[2] + 30, A[3] + 20)  # IoU between 0.5 and 0.8: found, but loosely
    report = score([Box(0, shifted)], [Box(0, A), Box(0, B), Box(0, B, kind="table")], doc)
    assert report.missed_figures == 1
    assert (report + report).missed_figures == 2


def test_an_unmatched_crop_of_a_logo_counts_as_decor() -> None:
    logo = (40.0, 30.0, 120.0, 60.0)
    doc = page_with(A, logo)
    report = score([Box(0, A), Box(0, logo)], [Box(0, A)], doc, decor=[(0, logo)])
    assert (report.decor_crops, report.matched[0.5]) == (1, 1)
    assert score([Box(0, A)], [Box(0, A)], doc, decor=[(0, logo)]).decor_crops == 0


def test_figure_box_convention_scores_the_graphic_alone() -> None:
    caption = (100.0, 260.0, 300.0, 290.0)
    doc = page_with(A, caption)
    crop = (A[0], A[1], caption[2], caption[3])
    truth = Box(0, crop, figure_box=A)
    tight = score([Box(0, crop, figure_box=A)], [truth], doc, box_of=figure_box)
    loose = score([Box(0, crop, figure_box=crop)], [truth], doc, box_of=figure_box)
    assert (tight.f1(0.8), loose.f1(0.8)) == (1.0, 0.0)
    assert score([Box(0, crop)], [truth], doc).f1(0.8) == 1.0  # crop convention by default


def test_extractor_on_the_synthetic_set() -> None:
    total = Report()
    for paper in synthetic.papers(seeds=(0,)):
        with pymupdf.open(stream=paper.data, filetype="pdf") as doc:
            total += score(locate_figures(doc), paper.truth, doc)
    assert total.truths >= 45
    assert total.f1(0.8) >= 0.9, total.misses
    vector, raster = total.graphic_recall("vector"), total.graphic_recall("raster")
    assert vector is not None and raster is not None and abs(vector - raster) <= 0.05
