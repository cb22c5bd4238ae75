"""The synthetic labelled set: papers drawn by tests/pdfgen.py with the exact box of every float.

Nothing is written to disk: ``papers()`` generates the PDFs in memory, deterministically from their seeds.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_TESTS = Path(__file__).resolve().parents[2] / "tests"
if str(_TESTS) not in sys.path:
    sys.path.insert(0, str(_TESTS))

from pdfgen import IEEE, MIXED_1COL, MIXED_2COL, RASTER_HEAVY, STACKED, TruthBox, make_paper  # noqa: E402

__all__ = ["LAYOUTS", "Paper", "TruthBox", "papers"]

LAYOUTS: dict[str, dict[str, object]] = {
    "1col": {"columns": 1},
    "2col": {"columns": 2},
    "1col-mixed": {"columns": 1, "figures": MIXED_1COL},
    "2col-mixed": {"columns": 2, "figures": MIXED_2COL},
    "1col-stacked": {"columns": 1, "figures": STACKED},
    "2col-stacked": {"columns": 2, "figures": STACKED},
    "2col-ieee": {"columns": 2, "figures": IEEE},
    "1col-raster": {"columns": 1, "figures": RASTER_HEAVY},
    "2col-rotated": {"columns": 2, "rotate": 90, "figures": MIXED_2COL},
    "1col-rotated": {"columns": 1, "rotate": 270},
}


@dataclass(frozen=True)
class Paper:
    """One labelled paper: a name, its PDF bytes and its truth boxes (unrotated PDF points)."""

    name: str
    data: bytes
    truth: list[TruthBox]


def papers(seeds: tuple[int, ...] = (0, 1)) -> Iterator[Paper]:
    """Every layout with every seed, generated on the fly."""
    for layout, options in LAYOUTS.items():
        for seed in seeds:
            data, truth = make_paper(seed=seed, **options)
            yield Paper(f"{layout}-s{seed}", data, truth)
