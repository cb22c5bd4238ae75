"""The LaTeX-compiled labelled set: build the committed sources with pdflatex and read the recorded boxes.

Each ``latex/*.tex`` paper uses ``benchpaper.sty``, which writes the position of every float box at shipout
to ``<paper>.fpos``. ``build()`` generates the raster images the papers include (never committed), compiles
each paper twice in a build directory and converts the records to truth boxes in PDF points. ``truth.json``
holds the recorded boxes; ``python -m benchmarks.figures.latex_set --record`` rewrites it.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pymupdf

from benchmarks.figures.synthetic import Paper, TruthBox

HERE = Path(__file__).resolve().parent / "latex"
TRUTH = HERE / "truth.json"
_SP_TO_BP = 72 / 72.27 / 65536  # TeX scaled points to PDF points


def _photo(seed: int, w: int, h: int) -> pymupdf.Pixmap:
    """A photo-like image: smooth colour fields, a few discs and noise, edge to edge (no white margin)."""
    rng = random.Random(seed)
    c0 = [rng.randint(30, 120) for _ in range(3)]
    c1 = [rng.randint(120, 235) for _ in range(3)]
    discs = [(rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.05, 0.2) * w, rng.randint(-80, 80))
             for _ in range(5)]
    samples = bytearray()
    for y in range(h):
        for x in range(w):
            t = 0.5 + 0.5 * math.sin(3 * x / w + 2 * y / h)
            bump = sum(a for cx, cy, r, a in discs if (x - cx) ** 2 + (y - cy) ** 2 < r * r)
            n = (x * 7919 + y * 104729) % 23 - 11
            samples.extend(max(0, min(235, int(c0[i] + (c1[i] - c0[i]) * t + bump + n))) for i in range(3))
    return pymupdf.Pixmap(pymupdf.csRGB, w, h, bytes(samples), False)


def _raster_plot(seed: int) -> pymupdf.Pixmap:
    """A line plot saved as PNG, the way plotting libraries export it: white background and margins."""
    rng = random.Random(seed)
    doc = pymupdf.open()
    page = doc.new_page(width=320, height=220)
    ax = pymupdf.Rect(44, 14, 306, 186)
    page.draw_rect(ax, color=(0, 0, 0), width=0.8)
    for i in range(6):
        x = ax.x0 + i * ax.width / 5
        page.draw_line((x, ax.y1), (x, ax.y1 - 4), width=0.6)
        page.insert_text((x - 5, ax.y1 + 12), str(i * 20), fontsize=8)
    for i in range(5):
        y = ax.y1 - i * ax.height / 4
        page.draw_line((ax.x0, y), (ax.x0 + 4, y), width=0.6)
        page.insert_text((ax.x0 - 22, y + 3), f"{i / 4:.2f}", fontsize=8)
    page.insert_text((ax.x0 + ax.width / 2 - 14, 212), "Steps", fontsize=9)
    for s, colour in enumerate([(0.1, 0.3, 0.8), (0.85, 0.3, 0.1), (0.2, 0.6, 0.2)]):
        rate = rng.uniform(0.03, 0.12)
        pts = [pymupdf.Point(ax.x0 + k * ax.width / 59, ax.y1 - ax.height * (0.9 - 0.7 * math.exp(-k * rate)
               + rng.uniform(-0.03, 0.03)) * (0.6 + 0.15 * s)) for k in range(60)]
        page.draw_polyline(pts, color=colour, width=1.3)
    return page.get_pixmap(dpi=200, alpha=False)


def _logo(seed: int) -> pymupdf.Pixmap:
    """An institution logo or icon: a coloured emblem with initials on white, as title blocks include them."""
    rng = random.Random(seed)
    doc = pymupdf.open()
    page = doc.new_page(width=160, height=120)
    colour = tuple(rng.uniform(0.1, 0.7) for _ in range(3))
    page.draw_circle((60, 60), 50, color=colour, fill=colour)
    page.draw_rect(pymupdf.Rect(100, 30, 150, 90), color=colour, fill=(1, 1, 1), width=4)
    page.insert_text((30, 75), "UL"[: 1 + seed % 2] + "X", fontsize=38, fontname="hebo", color=(1, 1, 1))
    return page.get_pixmap(dpi=144, alpha=False)


def write_images(folder: Path) -> None:
    """Write the PNGs the papers include: photo1..photo8, rplot1..rplot4 and logo1..logo3."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(1, 4):
        _logo(i).save(folder / f"logo{i}.png")
    for i in range(1, 9):
        _photo(i, 240 + 16 * i, 180 + 8 * (i % 3)).save(folder / f"photo{i}.png")
    for i in range(1, 5):
        _raster_plot(i).save(folder / f"rplot{i}.png")


def papers() -> list[Path]:
    """The committed paper sources, in name order."""
    return sorted(HERE.glob("p*.tex"))


def _compile(tex: Path, build: Path) -> Path:
    for _ in range(2):  # the second run resolves references, which can move floats
        proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name], cwd=build,
                              capture_output=True, text=True, timeout=300)
        if proc.returncode:
            raise RuntimeError(f"pdflatex failed on {tex.name}:\n{proc.stdout[-3000:]}")
    return build / f"{tex.stem}.pdf"


def read_positions(fpos: Path, doc: pymupdf.Document) -> list[TruthBox]:
    """Truth boxes (PDF points, top-left origin) from the B/E records benchpaper.sty wrote."""
    boxes: list[TruthBox] = []
    begin: list[str] | None = None
    for line in fpos.read_text(encoding="utf-8").splitlines():
        f = line.split()
        if f[0] == "B":
            begin = f
            continue
        if begin is None or begin[1] != f[1]:
            raise ValueError(f"{fpos.name}: float box split across pages or unopened: {line!r}")
        page = int(f[1]) - 1
        height = doc[page].mediabox.height
        x0 = int(begin[2]) * _SP_TO_BP
        width = float(f[7].removesuffix("pt")) * 72 / 72.27
        box = (x0, height - int(begin[3]) * _SP_TO_BP, x0 + width, height - int(f[3]) * _SP_TO_BP)
        boxes.append(TruthBox(f[4], f[5], page, tuple(round(v, 2) for v in box), f[6]))
        begin = None
    return boxes


def build(build_dir: Path | None = None) -> Iterator[Paper]:
    """Compile every paper into ``build_dir`` (a fresh temporary folder by default) and yield it with truth."""
    if shutil.which("pdflatex") is None:
        raise RuntimeError("pdflatex not found: apt-get install texlive-latex-base texlive-latex-recommended "
                           "texlive-pictures texlive-fonts-recommended")
    folder = Path(build_dir or tempfile.mkdtemp(prefix="figbench-latex-"))
    write_images(folder / "img")
    shutil.copy(HERE / "benchpaper.sty", folder)
    recorded = json.loads(TRUTH.read_text(encoding="utf-8")) if TRUTH.exists() else {}
    for tex in papers():
        shutil.copy(tex, folder)
        pdf = _compile(tex, folder)
        with pymupdf.open(pdf) as doc:
            measured = read_positions(folder / f"{tex.stem}.fpos", doc)
        truth = [TruthBox(t["kind"], t["number"], t["page"], tuple(t["bbox"]), t["graphic"])
                 for t in recorded.get(tex.stem, [])]
        if truth and [(t.kind, t.number, t.page) for t in truth] != [(t.kind, t.number, t.page) for t in measured]:
            print(f"warning: {tex.stem}: this TeX placed floats differently from truth.json; using this build's "
                  "boxes", file=sys.stderr)
            truth = []
        yield Paper(tex.stem, pdf.read_bytes(), truth or measured)


def record(build_dir: Path | None = None) -> dict[str, list[dict[str, object]]]:
    """Rebuild every paper and rewrite truth.json from the positions TeX recorded."""
    if TRUTH.exists():
        TRUTH.unlink()
    boxes = {p.name: [asdict(t) for t in p.truth] for p in build(build_dir)}
    TRUTH.write_text(json.dumps(boxes, indent=1) + "\n", encoding="utf-8")
    return boxes


def main() -> None:
    """Build the set (``--out DIR`` keeps the PDFs) or re-record truth.json (``--record``)."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--record", action="store_true", help="rewrite truth.json from a fresh build")
    ap.add_argument("--out", type=Path, help="build directory (kept); default: a temporary one")
    args = ap.parse_args()
    if args.record:
        boxes = record(args.out)
        print(f"recorded {sum(map(len, boxes.values()))} boxes in {len(boxes)} papers to {TRUTH}")
    else:
        for paper in build(args.out):
            print(f"{paper.name}: {len(paper.truth)} floats")


if __name__ == "__main__":
    main()
