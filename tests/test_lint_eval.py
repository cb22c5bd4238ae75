"""benchmarks/lint: lint's precision on the hand-labelled example posts (skipped without ../shared/examples)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the benchmarks package lives at the repo root
from benchmarks.lint.run import EXAMPLES, _rows, precision  # noqa: E402


def test_labels_are_well_formed() -> None:
    examples = _rows("example_labels.csv")
    assert examples and all(r["defect"] in ("y", "n") and r["section"] in
                            ("summary", "overview", "methods", "conclusion") for r in examples)
    heldout = _rows("heldout_labels.csv")
    assert len(heldout) >= 100 and all(r["reader_note"] in ("y", "n") and int(r["line"]) > 0 for r in heldout)
    assert not any("2024-06-20" in r["post"] for r in heldout)  # the example post is not held out


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason=f"{EXAMPLES} is not present")
def test_precision_on_the_example_posts() -> None:
    result = precision(EXAMPLES)
    assert result["unlabelled"] == []  # every unit lint flags has a hand label
    assert float(str(result["precision"])) >= 0.85, result
