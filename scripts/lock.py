"""Write requirements.lock (runtime closure of requirements.txt) and requirements-dev.lock from the current venv.

Airflow's constraints files are not reachable everywhere, so the project pins what it resolved and `pip check`ed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def norm(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def main() -> None:
    pip = [sys.executable, "-m", "pip"]
    subprocess.run([*pip, "check"], check=True)
    freeze = [line for line in subprocess.run([*pip, "freeze", "--exclude-editable"], check=True,
                                              capture_output=True, text=True).stdout.splitlines() if "==" in line]
    with tempfile.TemporaryDirectory() as tmp:
        constraints, report = Path(tmp, "c.txt"), Path(tmp, "r.json")
        constraints.write_text("\n".join(freeze) + "\n")
        subprocess.run([*pip, "install", "-q", "--dry-run", "--ignore-installed", "--report", str(report),
                        "-r", str(ROOT / "requirements.txt"), "-c", str(constraints)], check=True)
        items = json.loads(report.read_text())["install"]
    runtime = sorted(f"{i['metadata']['name']}=={i['metadata']['version']}" for i in items)
    names = {norm(p.split("==")[0]) for p in runtime}
    dev = sorted(line for line in freeze if norm(line.split("==")[0]) not in names)
    (ROOT / "requirements.lock").write_text(
        "# Exact runtime versions resolved from requirements.txt and checked with `pip check`. Regenerate: make lock\n"
        + "\n".join(runtime) + "\n")
    (ROOT / "requirements-dev.lock").write_text(
        "# Exact versions of test and lint tools, on top of requirements.lock. Regenerate: make lock\n"
        + "\n".join(dev) + "\n")
    print(f"requirements.lock: {len(runtime)} pins; requirements-dev.lock: {len(dev)} pins")


if __name__ == "__main__":
    main()
