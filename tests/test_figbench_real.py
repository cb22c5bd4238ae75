"""The real-paper figure set: its labels are well formed, split in two stratified halves, and load as papers."""

from __future__ import annotations

import collections
import hashlib
import sys
from pathlib import Path

import pymupdf
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the benchmarks package lives at the repo root
from benchmarks.figures import real  # noqa: E402


def test_at_least_thirty_labelled_papers_split_in_two_halves() -> None:
    labels = real.labels()
    splits = collections.Counter(label["split"] for label in labels)
    assert len(labels) >= 30
    assert abs(splits["dev"] - splits["heldout"]) <= 1
    # stratified: no field or template family sits on one side only when it has two or more papers
    by_field = collections.defaultdict(set)
    for label in labels:
        by_field[label["template"].split("-")[0]].add(label["split"])
    assert sum(len(sides) == 2 for sides in by_field.values()) >= 6


def test_every_label_is_within_its_page_and_its_crop_holds_both_boxes() -> None:
    for label in real.labels():
        assert label["floats"], label["id"]
        assert label["method"] and label["licence"] and len(label["source"]["commit"]) == 40
        for f in label["floats"]:
            assert 0 <= f["page"] < label["pages"], (label["id"], f)
            fig, cap, crop = (pymupdf.Rect(f[k]) for k in ("figure_box", "caption_box", "bbox"))
            assert not fig.is_empty and not cap.is_empty, (label["id"], f)
            assert crop.contains(fig) and crop.contains(cap), (label["id"], f)


def test_committed_pdfs_match_their_labels_and_load_as_papers() -> None:
    committed = {label["id"] for label in real.labels() if label["in_repo"]}
    assert committed, "some CC BY papers are in the repository"
    for label in real.labels():
        path = real.HERE / "pdfs" / f"{label['id']}.pdf"
        if label["id"] in committed:
            assert hashlib.sha256(path.read_bytes()).hexdigest() == label["source"]["sha256"]
        else:
            assert not path.exists(), f"{label['id']} may not be redistributed; it belongs in real/cache"
    loaded = {p.name: p for p in real.papers()}
    assert committed <= set(loaded)
    paper = next(iter(loaded.values()))
    assert paper.split in real.SPLITS and paper.truth and all(t.kind in ("figure", "table") for t in paper.truth)
    assert set(real.missing()) == {label["id"] for label in real.labels()} - set(loaded)


def test_a_label_with_an_unknown_split_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"id": "x", "split": "train", "floats": []}', encoding="utf-8")
    with pytest.raises(ValueError, match="split must be one of"):
        real.load_label(bad)
