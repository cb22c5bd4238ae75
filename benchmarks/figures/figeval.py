"""Score located figures against labelled truth boxes, the way a reader would judge the crops.

Both boxes are first shrunk to the non-white pixels they enclose on the rendered page, so white margins
never count for or against a prediction. Predictions and truths are then matched one to one per page,
greedily by IoU; a match counts at a threshold when its IoU reaches it (0.5 and 0.8 by default).

Besides the totals it counts, per kind (figure/table), matches of the same kind, so each kind has its own F1;
captioned figures with no prediction at IoU 0.5 (missed); and unmatched predictions that lie mostly on a labelled
logo, icon or header ("decor": not figures). ``box_of`` picks which box of a prediction is scored, so a manifest's
``figure_box`` (the graphic alone) can be scored against truth figure boxes as well as its crop ``bbox``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pymupdf

Box = tuple[float, float, float, float]
THRESHOLDS = (0.5, 0.8)
GRAPHICS = ("vector", "raster", "mixed")
_WHITE = 245  # a grey level at or above this is paper, not ink


class Located(Protocol):
    """Anything with a 0-based page and a box in unrotated PDF points, e.g. figures.LocatedFigure."""

    @property
    def page(self) -> int: ...

    @property
    def bbox(self) -> Sequence[float]: ...


class Labelled(Located, Protocol):
    """A truth box: also its kind ("figure"/"table") and graphic type ("vector"/"raster"/"mixed")."""

    @property
    def kind(self) -> str: ...

    @property
    def graphic(self) -> str: ...


@dataclass
class Report:
    """Counts from one or more documents; rates are derived from the counts, so reports add up."""

    pages: int = 0
    truths: int = 0
    predictions: int = 0
    matched: dict[float, int] = field(default_factory=dict)
    splits: int = 0
    merges: int = 0
    by_graphic: dict[str, list[int]] = field(default_factory=dict)  # figures only: [found@0.8, total]
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # [found@0.8, total]
    misses: list[dict[str, Any]] = field(default_factory=list)  # truths not matched at 0.8, with best IoU
    # per kind: [same-kind matches @0.8, same-kind matches @0.5, predictions of the kind, truths of the kind]
    kinds: dict[str, list[int]] = field(default_factory=dict)
    missed_figures: int = 0  # figure truths without any prediction at IoU 0.5
    decor_crops: int = 0  # unmatched predictions lying mostly on a labelled logo/icon/header

    def __add__(self, other: Report) -> Report:
        """The report of both documents together."""
        out = Report(self.pages + other.pages, self.truths + other.truths, self.predictions + other.predictions,
                     splits=self.splits + other.splits, merges=self.merges + other.merges,
                     misses=self.misses + other.misses, missed_figures=self.missed_figures + other.missed_figures,
                     decor_crops=self.decor_crops + other.decor_crops)
        for key in set(self.kinds) | set(other.kinds):
            a, b = self.kinds.get(key, [0, 0, 0, 0]), other.kinds.get(key, [0, 0, 0, 0])
            out.kinds[key] = [x + y for x, y in zip(a, b, strict=True)]
        for t in set(self.matched) | set(other.matched):
            out.matched[t] = self.matched.get(t, 0) + other.matched.get(t, 0)
        for mine, theirs, target in ((self.by_graphic, other.by_graphic, out.by_graphic),
                                     (self.by_kind, other.by_kind, out.by_kind)):
            for key in set(mine) | set(theirs):
                a, b = mine.get(key, [0, 0]), theirs.get(key, [0, 0])
                target[key] = [a[0] + b[0], a[1] + b[1]]
        return out

    def precision(self, t: float) -> float:
        """Share of predictions matched at IoU >= t (1.0 when nothing was predicted)."""
        return self.matched.get(t, 0) / self.predictions if self.predictions else 1.0

    def recall(self, t: float) -> float:
        """Share of truths matched at IoU >= t (1.0 when there was nothing to find)."""
        return self.matched.get(t, 0) / self.truths if self.truths else 1.0

    def f1(self, t: float) -> float:
        """Harmonic mean of precision and recall at IoU >= t."""
        p, r = self.precision(t), self.recall(t)
        return 2 * p * r / (p + r) if p + r else 0.0

    def kind_f1(self, kind: str, t: float = 0.8) -> float | None:
        """F1 of one kind at IoU 0.8 or 0.5, counting only matches whose prediction has the truth's kind."""
        if kind not in self.kinds:
            return None
        m8, m5, n_pred, n_truth = self.kinds[kind]
        matched = m8 if t >= 0.8 else m5
        p = matched / n_pred if n_pred else 1.0
        r = matched / n_truth if n_truth else 1.0
        return 2 * p * r / (p + r) if p + r else 0.0

    def graphic_recall(self, graphic: str) -> float | None:
        """Recall at IoU 0.8 of figures of one graphic type, None if the set has none."""
        found, total = self.by_graphic.get(graphic, [0, 0])
        return found / total if total else None

    def to_dict(self) -> dict[str, Any]:
        """Counts and rates as plain JSON-ready values."""
        return {
            "pages": self.pages, "truths": self.truths, "predictions": self.predictions,
            **{f"{name}@{t}": round(fn(t), 4) for t in sorted(self.matched)
               for name, fn in (("precision", self.precision), ("recall", self.recall), ("f1", self.f1))},
            "matched": {str(t): n for t, n in sorted(self.matched.items())},
            "splits": self.splits, "merges": self.merges,
            "recall_by_graphic@0.8": {g: {"found": f, "total": n, "recall": round(f / n, 4)}
                                      for g, (f, n) in sorted(self.by_graphic.items()) if n},
            "recall_by_kind@0.8": {k: {"found": f, "total": n, "recall": round(f / n, 4)}
                                   for k, (f, n) in sorted(self.by_kind.items()) if n},
            "f1_by_kind": {k: {f"f1@{t}": round(self.kind_f1(k, t) or 0.0, 4) for t in (0.5, 0.8)}
                           for k in sorted(self.kinds)},
            "missed_figures": self.missed_figures, "decor_crops": self.decor_crops,
            "misses": self.misses,
        }


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two boxes."""
    inter = _area(_intersection(a, b))
    union = _area(a) + _area(b) - inter
    return inter / union if union > 0 else 0.0


def _area(b: Box) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def _intersection(a: Box, b: Box) -> Box:
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


class InkBoxes:
    """Shrinks boxes to the non-white pixels they enclose, rendering each page once in grey at ``dpi``."""

    def __init__(self, doc: pymupdf.Document, dpi: int = 72) -> None:
        self.doc = doc
        self.scale = dpi / 72
        self._pages: dict[int, tuple[pymupdf.Pixmap, pymupdf.Matrix]] = {}
        self._ink = bytes(0 if v >= _WHITE else 1 for v in range(256))  # translate table: 1 marks ink

    def _page(self, index: int) -> tuple[pymupdf.Pixmap, pymupdf.Matrix]:
        if index not in self._pages:
            page = self.doc[index]
            to_pixels = page.rotation_matrix * pymupdf.Matrix(self.scale, self.scale)
            pix = page.get_pixmap(matrix=pymupdf.Matrix(self.scale, self.scale), colorspace=pymupdf.csGRAY,
                                  alpha=False)
            self._pages[index] = (pix, to_pixels)
        return self._pages[index]

    def shrink(self, page: int, box: Box) -> Box:
        """The tightest box (unrotated PDF points) around the ink inside ``box``; ``box`` itself if blank."""
        pix, to_pixels = self._page(page)
        r = (pymupdf.Rect(box) * to_pixels) & pymupdf.Rect(0, 0, pix.width, pix.height)
        x0, y0, x1, y1 = int(r.x0), int(r.y0), min(pix.width, int(r.x1 + 0.999)), min(pix.height, int(r.y1 + 0.999))
        if x1 <= x0 or y1 <= y0:
            return box
        samples, stride = pix.samples, pix.stride
        left, right, top, bottom = x1, x0, -1, -1
        for y in range(y0, y1):
            row = samples[y * stride + x0: y * stride + x1].translate(self._ink)
            first = row.find(1)
            if first < 0:
                continue
            if top < 0:
                top = y
            bottom = y
            left, right = min(left, x0 + first), max(right, x0 + row.rfind(1) + 1)
        if top < 0:
            return box
        ink = pymupdf.Rect(left, top, right, bottom + 1) * ~to_pixels
        return (ink.x0, ink.y0, ink.x1, ink.y1)


def crop_box(item: Any) -> Sequence[float]:
    """The crop convention: the box the reader sees (figure with its caption)."""
    return item.bbox


def figure_box(item: Any) -> Sequence[float]:
    """The figure_box convention: the graphic alone (falls back to the crop when an item has none)."""
    return getattr(item, "figure_box", None) or item.bbox


def score(predictions: Iterable[Located], truth: Iterable[Labelled], doc: pymupdf.Document, *,
          thresholds: Sequence[float] = THRESHOLDS, dpi: int = 72,
          decor: Sequence[tuple[int, Sequence[float]]] = (),
          box_of: Callable[[Any], Sequence[float]] = crop_box) -> Report:
    """Match predictions to truths one to one per page by IoU of their ink boxes and count the results.

    ``decor`` lists (page, box) of logos, icons and header art; ``box_of`` picks the box scored (crop or figure).
    """
    ink = InkBoxes(doc, dpi)
    pred_items = list(predictions)
    preds = [(p.page, ink.shrink(p.page, _box(box_of(p)))) for p in pred_items]
    truths = [(t, ink.shrink(t.page, _box(box_of(t)))) for t in truth]
    pred_kinds = [getattr(p, "kind", "figure") for p in pred_items]
    report = Report(pages=doc.page_count, truths=len(truths), predictions=len(preds),
                    matched={t: 0 for t in thresholds})
    best = [0.0] * len(truths)
    matched_pred: dict[int, float] = {}
    for kind in set(pred_kinds) | {t.kind for t, _ in truths}:
        report.kinds[kind] = [0, 0, pred_kinds.count(kind), sum(t.kind == kind for t, _ in truths)]
    for page in {p for p, _ in preds} | {t.page for t, _ in truths}:
        pi = [i for i, (p, _) in enumerate(preds) if p == page]
        ti = [j for j, (t, _) in enumerate(truths) if t.page == page]
        pairs = sorted(((iou(preds[i][1], truths[j][1]), i, j) for i in pi for j in ti), reverse=True)
        used_p: set[int] = set()
        used_t: set[int] = set()
        for value, i, j in pairs:
            if value <= 0 or i in used_p or j in used_t:
                continue
            used_p.add(i)
            used_t.add(j)
            best[j] = value
            matched_pred[i] = value
            if pred_kinds[i] == truths[j][0].kind:
                counts = report.kinds[pred_kinds[i]]
                counts[0] += value >= 0.8
                counts[1] += value >= 0.5
            for t in thresholds:
                report.matched[t] += value >= t
        # A truth covered by several predictions that each lie mostly inside it was split; a prediction
        # that holds most of several truths merged them.
        report.splits += sum(sum(_inside(preds[i][1], truths[j][1]) for i in pi) >= 2 for j in ti)
        report.merges += sum(sum(_inside(truths[j][1], preds[i][1]) for j in ti) >= 2 for i in pi)
    strict = max(thresholds)
    for (tb, box), value in zip(truths, best, strict=True):
        hit = int(value >= strict)
        counts = report.by_kind.setdefault(tb.kind, [0, 0])
        counts[0], counts[1] = counts[0] + hit, counts[1] + 1
        if tb.kind == "figure":
            counts = report.by_graphic.setdefault(tb.graphic, [0, 0])
            counts[0], counts[1] = counts[0] + hit, counts[1] + 1
        report.missed_figures += tb.kind == "figure" and value < min(thresholds)
        if not hit:
            report.misses.append({"page": tb.page, "kind": tb.kind, "number": getattr(tb, "number", None),
                                  "graphic": tb.graphic, "best_iou": round(value, 3),
                                  "ink_box": [round(v, 1) for v in box]})
    for i, (page, box) in enumerate(preds):
        if matched_pred.get(i, 0.0) >= min(thresholds):
            continue
        if any(p == page and _area(_intersection(box, _box(d))) >= 0.5 * _area(box) > 0 for p, d in decor):
            report.decor_crops += 1
    return report


def _inside(inner: Box, outer: Box) -> bool:
    """At least half of ``inner`` lies within ``outer``."""
    return _area(inner) > 0 and _area(_intersection(inner, outer)) >= 0.5 * _area(inner)


def _box(b: Sequence[float]) -> Box:
    return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
