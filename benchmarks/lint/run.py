"""Score ``digest lint`` against hand labels: precision on the example posts, recall on held-out posts.

    python -m benchmarks.lint.run [--examples ../shared/examples] [--heldout BLOG/source/_posts/Paper]

Precision: of the units (paper x section) lint flags with a content code (anything but FORMAT), the share labelled
defective in ``example_labels.csv``; a flagged unit without a label counts as a false alarm. Recall: of the lines in
``heldout_labels.csv`` labelled as closing notes or fill-in asks, the share on which lint reports a content finding.
The held-out posts (Kedreamix/MyBlog, June-July 2024 apart from the 06-20 example) were never used for tuning;
2024-06-14 and 2024-06-16 were the development posts.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Iterable
from pathlib import Path

from arxiv_digest.lint import LintReport, lint_post

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parents[1].parent / "shared" / "examples"
SPAN_PREFIX = 12  # characters of a finding's span used to find the line it came from


def _rows(name: str) -> list[dict[str, str]]:
    with (HERE / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def flagged_units(report: LintReport) -> dict[tuple[str, str], list[str]]:
    """(arXiv id without version, section) -> content codes lint reports there."""
    out: dict[tuple[str, str], list[str]] = {}
    for paper in report.papers:
        for f in paper.findings:
            if f.code != "FORMAT":
                out.setdefault((paper.arxiv_id.split("v")[0], f.section), []).append(f.code)
    return out


def precision(examples: Path) -> dict[str, object]:
    """Unit precision of lint's content findings on the example posts."""
    labels = {(r["post"], r["arxiv_id"], r["section"]): r["defect"] == "y" for r in _rows("example_labels.csv")}
    tp, fp, unlabelled = 0, 0, []
    per_section: dict[str, list[int]] = {}
    for post in sorted(examples.glob("*.md")):
        for (arxiv, section), _codes in flagged_units(lint_post(post)).items():
            truth = labels.get((post.name, arxiv, section))
            if truth is None:
                unlabelled.append(f"{post.name}:{arxiv}:{section}")
            good = bool(truth)
            tp, fp = tp + good, fp + (not good)
            per_section.setdefault(section, [0, 0])[0 if good else 1] += 1
    return {"units_flagged": tp + fp, "true": tp, "false": fp, "precision": round(tp / max(tp + fp, 1), 3),
            "per_section": {s: {"true": t, "false": f} for s, (t, f) in sorted(per_section.items())},
            "unlabelled": unlabelled}


def _finding_lines(lines: list[str], spans: Iterable[str]) -> set[int]:
    found: set[int] = set()
    for span in spans:
        key = " ".join(span.split())[:SPAN_PREFIX]
        if len(key) < 2:
            continue
        found.update(i + 1 for i, line in enumerate(lines) if key in " ".join(line.split()))
    return found


def recall(heldout: Path) -> dict[str, object]:
    """Line recall (and precision among labelled lines) of lint's content findings on the held-out posts."""
    by_post: dict[str, dict[int, bool]] = {}
    for r in _rows("heldout_labels.csv"):
        by_post.setdefault(r["post"], {})[int(r["line"])] = r["reader_note"] == "y"
    hit = missed = 0
    flagged_no = 0
    missed_at: list[str] = []
    for post, labels in sorted(by_post.items()):
        path = heldout / post
        lines = path.read_text(encoding="utf-8").splitlines()
        report = lint_post(path)
        spans = [f.span for p in report.papers for f in p.findings if f.code != "FORMAT"]
        flagged = _finding_lines(lines, spans)
        for line, yes in labels.items():
            if yes:
                hit, missed = hit + (line in flagged), missed + (line not in flagged)
                if line not in flagged:
                    missed_at.append(f"{post}:{line}")
            elif line in flagged:
                flagged_no += 1
    # lines labelled "not a reader note" can still carry another defect (a placeholder, chatter): not a precision
    return {"labelled_yes": hit + missed, "found": hit, "recall": round(hit / max(hit + missed, 1), 3),
            "flagged_not_reader_note": flagged_no, "missed": missed_at}


def main(argv: list[str] | None = None) -> int:
    """Print precision (and recall when the held-out posts are given) as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=Path, default=EXAMPLES)
    parser.add_argument("--heldout", type=Path, help="the blog's source/_posts/Paper folder")
    args = parser.parse_args(argv)
    out: dict[str, object] = {}
    if args.examples.is_dir():
        out["examples"] = precision(args.examples)
    if args.heldout:
        out["heldout"] = recall(args.heldout)
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
