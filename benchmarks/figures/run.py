"""Figure-extraction benchmark: accuracy against labelled boxes and time per page and per paper.

    python -m benchmarks.figures.run [--set synthetic|latex|real|all] [--json out.json] [--peer-dir /tmp/peer]

For each set it prints F1, precision and recall at IoU 0.8 and 0.5 (boxes shrunk to their ink), recall of
vector, raster and mixed figures, split and merge counts, and seconds per page and per paper for locating
and for rendering (150 dpi), median and p95. If ``pdf-figure-table-extractor`` is importable from
``--peer-dir`` (``pip install --target /tmp/peer pdf-figure-table-extractor``), it runs on the same PDFs
and is scored the same way.

The real set (hand-labelled papers, ``real.py``) is reported per split, dev and held-out, never pooled; for it
the run also gives F1 per kind, captioned figures missed (no prediction at IoU 0.5), crops of logos/icons, and,
when the extractor's located figures carry ``figure_box``, the score of that box against the labelled graphic.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymupdf

from arxiv_digest.figures import locate_figures, render_figures
from benchmarks.figures import latex_set, real, synthetic
from benchmarks.figures.figeval import Report, figure_box, score
from benchmarks.figures.synthetic import Paper

_PEER_MODULE = "pdf_figure_table_extractor"
PEER_TIMEOUT = 300  # seconds the peer may take on one paper before it counts as having found nothing


@dataclass(frozen=True)
class _Box:
    """A peer's prediction in the scorer's terms."""

    page: int
    bbox: tuple[float, float, float, float]
    kind: str = "figure"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def _timing(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 4) if values else 0.0,
            "p95": round(_percentile(values, 0.95), 4)}


def _run_ours(papers: Iterable[Paper], dpi: int) -> dict[str, Any]:
    report = Report()
    boxes: Report | None = Report()
    # "cpu" is process CPU time for locate+render: steadier than wall time on a shared machine
    per_paper: dict[str, list[float]] = {"locate": [], "render": [], "total": [], "cpu": []}
    per_page: dict[str, list[float]] = {"locate": [], "render": []}
    for paper in papers:
        start, cpu_start = time.perf_counter(), time.process_time()
        with pymupdf.open(stream=paper.data, filetype="pdf") as doc:
            found = locate_figures(doc)
            located = time.perf_counter()
            render_figures(doc, found, dpi=dpi)
            rendered, cpu_end = time.perf_counter(), time.process_time()
            pages = doc.page_count
            decor = getattr(paper, "decor", [])
            result = score(found, paper.truth, doc, decor=decor)
            if boxes is not None and isinstance(paper, real.RealPaper):
                # figure_box convention: only when every located figure carries one
                if found and all(getattr(f, "figure_box", None) for f in found):
                    boxes += score(found, paper.truth, doc, decor=decor, box_of=figure_box)
                elif found:
                    boxes = None
        for miss in result.misses:
            miss["paper"] = paper.name
        report += result
        locate, render = located - start, rendered - located
        per_paper["locate"].append(locate)
        per_paper["render"].append(render)
        per_paper["total"].append(locate + render)
        per_paper["cpu"].append(cpu_end - cpu_start)
        per_page["locate"].append(locate / pages)
        per_page["render"].append(render / pages)
    return {"report": report, "figure_box_report": boxes if boxes is not None and boxes.truths else None,
            "seconds_per_paper": {k: _timing(v) for k, v in per_paper.items()},
            "seconds_per_page": {k: _timing(v) for k, v in per_page.items()}}


def _peer_available(peer_dir: Path) -> bool:
    return (peer_dir / _PEER_MODULE / "__init__.py").is_file()


def _run_peer(papers: Iterable[Paper], peer_dir: Path, dpi: int) -> dict[str, Any]:
    """Run the peer's CLI in its own process per paper (as a user would) and score its manifest boxes."""
    report = Report()
    seconds: list[float] = []
    env = {**os.environ, "PYTHONPATH": str(peer_dir)}
    code = f"import sys; from {_PEER_MODULE}.cli import main; sys.argv[0] = 'peer'; main()"
    with tempfile.TemporaryDirectory(prefix="figbench-peer-") as tmp:
        for paper in papers:
            pdf, out = Path(tmp) / f"{paper.name}.pdf", Path(tmp) / paper.name
            pdf.write_bytes(paper.data)
            start = time.perf_counter()
            try:
                proc = subprocess.run([sys.executable, "-c", code, "--dpi", str(dpi), str(pdf), str(out)], env=env,
                                      capture_output=True, text=True, timeout=PEER_TIMEOUT)
            except subprocess.TimeoutExpired:  # scored as finding nothing, like any other failure of the peer's
                print(f"peer failed on {paper.name}: no answer in {PEER_TIMEOUT} s", file=sys.stderr)
                proc = None
            seconds.append(time.perf_counter() - start)
            manifest = out / "manifest.json"
            assets = (json.loads(manifest.read_text(encoding="utf-8"))["assets"]
                      if proc is not None and manifest.is_file() else [])
            if proc is not None and proc.returncode:
                print(f"peer failed on {paper.name}: {proc.stderr.strip()[-300:]}", file=sys.stderr)
            preds = [_Box(a["page"] - 1, tuple(a["bbox"]), a.get("kind", "figure")) for a in assets]
            with pymupdf.open(stream=paper.data, filetype="pdf") as doc:
                report += score(preds, paper.truth, doc, decor=getattr(paper, "decor", []))
    return {"report": report, "seconds_per_paper_with_startup": _timing(seconds)}


def _summary(report: Report) -> dict[str, Any]:
    return {"papers_pages": report.pages, "truths": report.truths, "predictions": report.predictions,
            "f1@0.8": round(report.f1(0.8), 4), "f1@0.5": round(report.f1(0.5), 4),
            "precision@0.8": round(report.precision(0.8), 4), "recall@0.8": round(report.recall(0.8), 4),
            "precision@0.5": round(report.precision(0.5), 4), "recall@0.5": round(report.recall(0.5), 4),
            "splits": report.splits, "merges": report.merges,
            "recall_by_graphic@0.8": {g: _rate(report.graphic_recall(g)) for g in ("vector", "raster", "mixed")},
            "recall_by_kind@0.8": {k: round(f / n, 4) for k, (f, n) in sorted(report.by_kind.items()) if n},
            "f1_by_kind@0.8": {k: _rate(report.kind_f1(k, 0.8)) for k in ("figure", "table")},
            "f1_by_kind@0.5": {k: _rate(report.kind_f1(k, 0.5)) for k in ("figure", "table")},
            "figures_missed": report.missed_figures,
            "figures_total": report.by_kind.get("figure", [0, 0])[1],
            "decor_crops": report.decor_crops}


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _print(name: str, ours: dict[str, Any], peer: dict[str, Any] | None) -> None:
    r: Report = ours["report"]
    s = _summary(r)
    print(f"\n== {name}: {len(ours['papers'])} papers, {r.pages} pages, {r.truths} true floats, "
          f"{r.predictions} predicted")
    print(f"F1@0.8 {s['f1@0.8']:.3f}  (P {s['precision@0.8']:.3f} R {s['recall@0.8']:.3f})   "
          f"F1@0.5 {s['f1@0.5']:.3f}  (P {s['precision@0.5']:.3f} R {s['recall@0.5']:.3f})")
    graphics = "  ".join(f"{g} {'-' if v is None else f'{v:.3f}'} ({r.by_graphic.get(g, [0, 0])[1]})"
                         for g, v in s["recall_by_graphic@0.8"].items())
    print(f"figure recall@0.8 by graphic: {graphics}   by kind: {s['recall_by_kind@0.8']}")
    print(f"splits {r.splits}  merges {r.merges}")
    print(f"F1 by kind @0.8/@0.5: figure {_fmt(r.kind_f1('figure', 0.8))}/{_fmt(r.kind_f1('figure', 0.5))}  "
          f"table {_fmt(r.kind_f1('table', 0.8))}/{_fmt(r.kind_f1('table', 0.5))}   captioned figures missed "
          f"{s['figures_missed']}/{s['figures_total']}   logo/icon crops {r.decor_crops}")
    boxes: Report | None = ours.get("figure_box_report")
    if boxes is not None:
        print(f"figure_box convention: F1@0.8 {boxes.f1(0.8):.3f}  F1@0.5 {boxes.f1(0.5):.3f}  figure "
              f"{_fmt(boxes.kind_f1('figure', 0.8))}  table {_fmt(boxes.kind_f1('table', 0.8))}")
    for unit in ("paper", "page"):
        timing = ours[f"seconds_per_{unit}"]
        cells = "  ".join(f"{k} {v['median']:.4f}/{v['p95']:.4f}" for k, v in timing.items())
        print(f"seconds per {unit} (median/p95): {cells}")
    if peer is not None:
        p: Report = peer["report"]
        t = peer["seconds_per_paper_with_startup"]
        print(f"peer pdf-figure-table-extractor: F1@0.8 {p.f1(0.8):.3f}  F1@0.5 {p.f1(0.5):.3f}  "
              f"(P@0.8 {p.precision(0.8):.3f} R@0.8 {p.recall(0.8):.3f})  vector/raster recall "
              f"{_fmt(p.graphic_recall('vector'))}/{_fmt(p.graphic_recall('raster'))}  splits {p.splits} "
              f"merges {p.merges}  s/paper incl. start-up {t['median']:.3f}/{t['p95']:.3f}")
        print(f"peer F1 by kind @0.8: figure {_fmt(p.kind_f1('figure', 0.8))}  table {_fmt(p.kind_f1('table', 0.8))}"
              f"   captioned figures missed {p.missed_figures}/{p.by_kind.get('figure', [0, 0])[1]}   "
              f"logo/icon crops {p.decor_crops}")
    for miss in r.misses:
        print(f"  miss: {miss}")


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _in_field(paper: real.RealPaper, field: str | None) -> bool:
    """``field`` selects one field ("computer-vision"), "!field" every other one, None all."""
    if field is None:
        return True
    return paper.discipline != field[1:] if field.startswith("!") else paper.discipline == field


def _sets(which: str, build_dir: Path | None, splits: tuple[str, ...] = real.SPLITS,
          field: str | None = None) -> Iterator[tuple[str, list[Paper]]]:
    if which in ("synthetic", "all"):
        yield "synthetic", list(synthetic.papers())
    if which in ("latex", "all"):
        yield "latex", list(latex_set.build(build_dir))
    if which in ("real", "all"):
        for split in splits:
            absent = real.missing(split)
            if absent:
                print(f"\n(real-{split}: {len(absent)} labelled papers have no PDF here, skipped: {', '.join(absent)}; "
                      "python -m benchmarks.figures.fetch_real fetches them)")
            found: list[Paper] = [p for p in real.papers(split) if _in_field(p, field)]
            if found:
                yield f"real-{split}", found


def _table(results: dict[str, Any]) -> None:
    """The real set's two halves with the peer beside ours, one line per measure."""
    cols = [(name, who) for name in ("real-dev", "real-heldout") if name in results
            for who in ("ours", "peer") if who == "ours" or results[name]["peer"]]
    if not cols:
        return
    def cell(name: str, who: str, key: str) -> str:
        r = results[name] if who == "ours" else results[name]["peer"]
        value = r
        for part in key.split("/"):
            value = value.get(part) if isinstance(value, dict) else None
        return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)
    rows = [("F1@0.8", "f1@0.8"), ("F1@0.5", "f1@0.5"), ("figure F1@0.8", "f1_by_kind@0.8/figure"),
            ("figure F1@0.5", "f1_by_kind@0.5/figure"), ("table F1@0.8", "f1_by_kind@0.8/table"),
            ("table F1@0.5", "f1_by_kind@0.5/table"), ("vector recall@0.8", "recall_by_graphic@0.8/vector"),
            ("raster recall@0.8", "recall_by_graphic@0.8/raster"), ("mixed recall@0.8", "recall_by_graphic@0.8/mixed"),
            ("figures missed", "figures_missed"), ("figures", "figures_total"), ("logo/icon crops", "decor_crops"),
            ("predictions", "predictions"), ("truths", "truths")]
    print("\n== real set, side by side (crop convention)")
    print(f"{'':22s}" + "".join(f"{n.removeprefix('real-') + ' ' + w:>16s}" for n, w in cols))
    for label, key in rows:
        print(f"{label:22s}" + "".join(f"{cell(n, w, key):>16s}" for n, w in cols))
    timing = "  ".join(f"{n.removeprefix('real-')}: ours {results[n]['seconds_per_paper']['total']['median']:.3f}"
                       f" (CPU {results[n]['seconds_per_paper']['cpu']['median']:.3f})"
                       + (f", peer incl. start-up {results[n]['peer']['seconds_per_paper_with_startup']['median']:.3f}"
                          if results[n]["peer"] else "") for n in ("real-dev", "real-heldout") if n in results)
    print(f"median s/paper, locate+render: {timing}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the results and optionally write them as JSON."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks.figures.run", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", choices=["synthetic", "latex", "real", "all"], default="all")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--dpi", type=int, default=150, help="render resolution (default 150)")
    peer_default = Path(os.environ.get("FIGBENCH_PEER_DIR") or Path(tempfile.gettempdir(), "peer"))
    ap.add_argument("--peer-dir", type=Path, default=peer_default,
                    help="where pdf-figure-table-extractor was pip-installed with --target (skipped if absent)")
    ap.add_argument("--build-dir", type=Path, help="keep the LaTeX build (PDFs) here")
    ap.add_argument("--split", choices=[*real.SPLITS, "both"], default="both",
                    help="the real set's half to run: tune with 'dev', report both (default)")
    ap.add_argument("--field", help="only the real papers of this field (e.g. computer-vision), or '!field' for "
                                    "all the others")
    args = ap.parse_args(argv)

    results: dict[str, Any] = {}
    peer = None
    splits = real.SPLITS if args.split == "both" else (args.split,)
    for name, papers in _sets(args.set, args.build_dir, splits, args.field):
        _run_ours(papers[:1], args.dpi)  # warm-up: imports, font caches
        ours = _run_ours(papers, args.dpi)
        ours["papers"] = [p.name for p in papers]
        peer = _run_peer(papers, args.peer_dir, args.dpi) if _peer_available(args.peer_dir) else None
        _print(name, ours, peer)
        results[name] = {
            "papers": len(papers), **_summary(ours["report"]),
            "seconds_per_paper": ours["seconds_per_paper"], "seconds_per_page": ours["seconds_per_page"],
            "misses": ours["report"].misses,
            "figure_box_convention": None if ours.get("figure_box_report") is None
            else _summary(ours["figure_box_report"]),
            "peer": None if peer is None else {"name": "pdf-figure-table-extractor", **_summary(peer["report"]),
                                               "seconds_per_paper_with_startup":
                                                   peer["seconds_per_paper_with_startup"]},
        }
    _table(results)
    if peer is None:
        print(f"\n(peer skipped: no {_PEER_MODULE} in {args.peer_dir})")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)  # .digest/ does not exist in a new clone
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
