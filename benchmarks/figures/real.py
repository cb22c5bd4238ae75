"""The real-paper labelled set: hand-labelled papers from public repositories' test data (see README.md).

``papers()`` reads every ``real/labels/*.json``, finds its PDF in ``real/pdfs`` (committed, redistributable) or
``real/cache`` (fetched by ``fetch_real``), checks the bytes against the recorded sha256, and returns the papers
found; ``missing()`` names the labelled papers whose PDF is absent, so a run can say what it could not score.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.figures.synthetic import Paper

HERE = Path(__file__).resolve().parent / "real"
LABELS = HERE / "labels"
PDF_DIRS = (HERE / "pdfs", HERE / "cache")
SPLITS = ("dev", "heldout")

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class RealTruth:
    """One labelled float: kind, printed number, 0-based page, crop box and its two parts."""

    kind: str
    number: str
    page: int
    bbox: Box
    figure_box: Box
    caption_box: Box
    graphic: str


@dataclass(frozen=True)
class RealPaper(Paper):
    """A labelled real paper: its split, layout family, field, and the logos/icons it carries (decor)."""

    split: str = "dev"
    template: str = ""
    discipline: str = ""
    decor: list[tuple[int, Box]] = field(default_factory=list)


def _box(values: list[float]) -> Box:
    return (float(values[0]), float(values[1]), float(values[2]), float(values[3]))


def load_label(path: Path) -> dict[str, Any]:
    """One label file, checked for the fields the scorer relies on."""
    label: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if label.get("split") not in SPLITS:
        raise ValueError(f"{path}: split must be one of {SPLITS}, got {label.get('split')!r}")
    for f in label["floats"]:
        if f["kind"] not in ("figure", "table") or len(f["figure_box"]) != 4 or len(f["caption_box"]) != 4:
            raise ValueError(f"{path}: bad float {f}")
    return label


def labels() -> list[dict[str, Any]]:
    """Every label file, sorted by paper id."""
    return [load_label(p) for p in sorted(LABELS.glob("*.json"))]


def pdf_path(label: dict[str, Any]) -> Path | None:
    """Where the paper's PDF is on disk, or None when it has not been fetched."""
    for folder in PDF_DIRS:
        path = folder / f"{label['id']}.pdf"
        if path.is_file():
            return path
    return None


def missing(split: str | None = None) -> list[str]:
    """Ids of labelled papers (of one split, or all) whose PDF is absent."""
    return [lb["id"] for lb in labels() if (split is None or lb["split"] == split) and pdf_path(lb) is None]


def papers(split: str | None = None) -> Iterator[RealPaper]:
    """The labelled papers of one split (or all) whose PDF is present and matches its recorded sha256."""
    for label in labels():
        if split is not None and label["split"] != split:
            continue
        path = pdf_path(label)
        if path is None:
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != label["source"]["sha256"]:
            raise ValueError(f"{path}: sha256 differs from the label's; re-fetch with python -m "
                             "benchmarks.figures.fetch_real")
        truth = [RealTruth(f["kind"], f["number"], f["page"], _box(f["bbox"]), _box(f["figure_box"]),
                           _box(f["caption_box"]), f["graphic"]) for f in label["floats"]]
        decor = [(d["page"], _box(d["box"])) for d in label.get("decor", [])]
        yield RealPaper(label["id"], data, truth, split=label["split"],
                        template=label["template"], discipline=label["field"], decor=decor)
