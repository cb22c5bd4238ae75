"""Fetch the real-set PDFs that are not committed (their licence does not allow it) into ``real/cache``.

    python -m benchmarks.figures.fetch_real [--clone owner/name=/path/to/git/dir ...] [--force]

Each label names a public GitHub repository, a commit and a path; the file is downloaded from
raw.githubusercontent.com at that commit (or read from a local clone given with ``--clone``, for machines without
GitHub access) and kept only if its sha256 matches the label's. Prints what it fetched and what it could not.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.figures import real

RAW = "https://raw.githubusercontent.com/{repo}/{commit}/{path}"


def _from_clone(git_dir: Path, label: dict[str, Any]) -> bytes:
    src = label["source"]
    for rev in (src["commit"], "HEAD"):
        proc = subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{rev}:{src['path']}"],
                              capture_output=True, timeout=120)
        if proc.returncode == 0:
            return proc.stdout
    raise FileNotFoundError(f"{src['path']} not in {git_dir}")


def _from_github(label: dict[str, Any]) -> bytes:
    url = RAW.format(**label["source"])
    with urllib.request.urlopen(url, timeout=60) as resp:  # noqa: S310 - fixed https URL built from the label
        return resp.read()


def main(argv: list[str] | None = None) -> int:
    """Fetch every absent PDF; exit 1 if any could not be fetched or did not match its checksum."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks.figures.fetch_real", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clone", action="append", default=[], metavar="OWNER/NAME=GIT_DIR",
                    help="read that repository's files from a local clone instead of GitHub")
    ap.add_argument("--force", action="store_true", help="fetch again even if the PDF is present")
    args = ap.parse_args(argv)
    clones = dict(item.split("=", 1) for item in args.clone)
    real.PDF_DIRS[1].mkdir(parents=True, exist_ok=True)
    failed = []
    for label in real.labels():
        if real.pdf_path(label) is not None and not args.force:
            continue
        repo = label["source"]["repo"]
        try:
            data = _from_clone(Path(clones[repo]), label) if repo in clones else _from_github(label)
        except Exception as exc:  # noqa: BLE001 - report every failure and carry on with the rest
            failed.append(label["id"])
            print(f"{label['id']}: could not fetch {repo}:{label['source']['path']} ({exc})", file=sys.stderr)
            continue
        if hashlib.sha256(data).hexdigest() != label["source"]["sha256"]:
            failed.append(label["id"])
            print(f"{label['id']}: sha256 mismatch for {repo}:{label['source']['path']}", file=sys.stderr)
            continue
        target = (real.PDF_DIRS[0] if label["in_repo"] else real.PDF_DIRS[1]) / f"{label['id']}.pdf"
        target.write_bytes(data)
        print(f"{label['id']}: {len(data)} bytes -> {target}")
    if failed:
        print(f"{len(failed)} papers not fetched: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
