"""A busy day against the local stand-ins: `make bench-day N=64 LATENCY=2 RPM=120`.

Runs `digest run` (the embedded Airflow) for a listing of N on-topic papers, with arXiv at its real interval and a
Gemini stand-in that takes LATENCY seconds per call and answers 429 RESOURCE_EXHAUSTED over RPM (and RPD). Prints
the wall time next to the three lower bounds (arXiv requests x interval, calls / RPM, calls x latency /
concurrency), 429s, tokens, cost per paper and where the time went; then re-runs the date and checks that the
re-run made no LLM call and no commit. A benchmark, not a test: numbers depend on the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import paper_of, section_of  # noqa: E402
from pdfgen import make_paper  # noqa: E402
from servers.arxiv_server import ArxivServer, FakeEntry  # noqa: E402
from servers.gemini_server import GeminiServer  # noqa: E402

DAY = date(2024, 6, 20)  # window: Tue 2024-06-18 18:00 UTC .. Wed 18:00 UTC
TOPIC = "Diffusion Models"
# Gemini 2.5 Flash list prices, USD per million tokens (input, output); override with --price-in/--price-out.
PRICE_IN, PRICE_OUT = 0.30, 2.50
_WORDS = ["Score", "Latent", "Guided", "Sparse", "Consistent", "Conditional", "Cascaded", "Video", "Masked", "Fast"]


def entries(n: int) -> list[FakeEntry]:
    """N on-topic papers in the day's window (varied titles, real PDFs), plus one off-topic distractor."""
    base = datetime(2024, 6, 18, 18, 5, tzinfo=UTC)
    out = []
    for i in range(n):
        title = f"{_WORDS[i % 10]} {_WORDS[(i // 10 + 3) % 10]} Diffusion Models for Task {i + 1}"
        out.append(FakeEntry(
            arxiv_id=f"2406.{12001 + i}v1", title=title, authors=[f"Author {i}", "Co Author"],
            summary=f"We study diffusion models for task {i + 1}. Our sampler needs fewer steps.",
            published=base + timedelta(minutes=13 * i), categories=["cs.CV"], pdf=make_paper(title=title, seed=i)[0],
        ))
    out.append(FakeEntry(arxiv_id="2406.19990v1", title="Graph Coloring Bounds", authors=["Off Topic"],
                         summary="A combinatorics paper.", published=base, categories=["math.CO"],
                         primary_category="math.CO"))
    return out


def task_seconds(airflow_db: Path, dag_id: str) -> dict[str, float]:
    """Each task's duration in the last run of ``dag_id``, from the embedded Airflow's SQLite database."""
    with sqlite3.connect(airflow_db) as db:
        run_id = db.execute("SELECT run_id FROM dag_run WHERE dag_id=? ORDER BY id DESC LIMIT 1", (dag_id,)).fetchone()
        rows = db.execute("SELECT task_id, duration FROM task_instance WHERE dag_id=? AND run_id=?",
                          (dag_id, run_id[0])).fetchall() if run_id else []
    return {task: round(float(d or 0), 1) for task, d in rows}


def run_digest(env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.monotonic()
    proc = subprocess.run([str(Path(sys.executable).with_name("digest")), "run", "--date", DAY.isoformat(),
                           "--topic", TOPIC],
                          env=env, capture_output=True, text=True, check=False)
    return time.monotonic() - started, proc


def commits(repo: Path) -> int:
    out = subprocess.run(["git", "-C", str(repo), "rev-list", "--count", "main"], capture_output=True, text=True,
                         check=False)
    return int(out.stdout.strip() or 0)


def bench(args: argparse.Namespace) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix="bench-day-"))
    quota: dict[str, Any] = {"rpm": args.rpm, "concurrency": args.concurrency, "tpm": None, "rpd": args.rpd}
    with (
        ArxivServer(entries(args.n), min_interval=args.interval) as arxiv,
        GeminiServer(api_key="bench-key", latency=args.latency, rpm=args.rpm, rpd=args.rpd) as gemini,
    ):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DIGEST_"))}
        env.update({
            "DIGEST_HOME": str(home), "ARXIV_API_URL": arxiv.api_url, "ARXIV_PDF_URL": arxiv.pdf_url,
            "ARXIV_REQUEST_INTERVAL": str(args.interval), "GEMINI_API_KEY": "bench-key",
            "GOOGLE_GEMINI_BASE_URL": gemini.base_url, "DIGEST_GEMINI_QUOTA": json.dumps(quota),
            "DIGEST_LATE_LOOKBACK_DAYS": "0",
        })
        wall, first = run_digest(env)
        calls, rejected, max_in_flight = len(gemini.calls), gemini.rejected, gemini.max_in_flight
        arxiv_requests, too_close = len(arxiv.request_times), arxiv.too_close
        gaps = [b - a for a, b in zip(arxiv.request_times, arxiv.request_times[1:], strict=False)]
        state = home / "state"
        record_path = next(state.glob("runs/*/2024-06-20/run.json"), None)
        record = json.loads(record_path.read_text()) if record_path else {}
        timing_path = next(state.glob("runs/*/2024-06-20/timing.json"), None)
        stages = json.loads(timing_path.read_text()) if timing_path else {}
        tasks = task_seconds(home / "airflow" / "airflow.db", "arxiv_digest__diffusion_models")
        blog_commits = commits(home / "blog")
        shutil.copytree(home / "logs", home / "logs-first-run")
        if args.rpd:  # the provider's day turns before the next run: both quota counts start again
            with gemini._lock:
                gemini.day_count = 0
                gemini.admitted.clear()
            (home / "quota.db").unlink()
        rerun_wall, rerun = run_digest(env)
        asked = Counter((paper_of(c), section_of(c)) for c in gemini.calls if not c.get("rejected"))
        rerun_calls = len(gemini.calls) - calls - (gemini.rejected - rejected)
        rerun_commits = commits(home / "blog") - blog_commits
    answered = calls - rejected
    bounds = {
        "arxiv": arxiv_requests * args.interval,
        "quota": 60.0 * answered / args.rpm if args.rpm else 0.0,
        "llm": answered * args.latency / args.concurrency,
    }
    tokens_in, tokens_out = record.get("tokens_in", 0), record.get("tokens_out", 0)
    published = record.get("papers_published", 0)
    # The run record prices calls from include/prices.yaml; the fixed prices are for records without a cost.
    cost = record.get("cost", (tokens_in * args.price_in + tokens_out * args.price_out) / 1e6)
    return {
        "n": args.n, "latency": args.latency, "rpm": args.rpm, "rpd": args.rpd, "concurrency": args.concurrency,
        "exit": first.returncode, "wall_s": round(wall, 1), "bounds_s": {k: round(v, 1) for k, v in bounds.items()},
        "ratio": round(wall / max(bounds.values()), 2), "published": published,
        "deferred": len(record.get("deferred", {})), "llm_calls": answered, "http_429": rejected,
        "max_in_flight": max_in_flight, "arxiv_requests": arxiv_requests, "arxiv_too_close": too_close,
        "arxiv_min_gap_s": round(min(gaps), 3) if gaps else None,
        "tokens_per_paper": round((tokens_in + tokens_out) / max(published, 1)),
        "usd_per_paper": round(cost / max(published, 1), 5), "stage_s": stages, "task_s": tasks,
        "airflow_overhead_s": round(wall - sum(tasks.values()), 1),
        "rerun": {"wall_s": round(rerun_wall, 1), "exit": rerun.returncode, "llm_calls": rerun_calls,
                  "commits": rerun_commits, "after_quota_reset": bool(args.rpd)},
        "sections_asked_twice": sum(1 for n in asked.values() if n > 1),
        "home": str(home), "load": os.getloadavg()[0],
        "output": first.stdout[-2000:] + first.stderr[-2000:] if first.returncode else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="on-topic papers in the listing")
    parser.add_argument("--latency", type=float, default=2.0, help="seconds per Gemini call")
    parser.add_argument("--rpm", type=int, default=120, help="the stand-in's and the limiter's requests/min")
    parser.add_argument("--rpd", type=int, default=None, help="requests/day (default: none)")
    parser.add_argument("--concurrency", type=int, default=16, help="the limiter's concurrent calls")
    parser.add_argument("--interval", type=float, default=3.0, help="arXiv's seconds between requests")
    parser.add_argument("--price-in", type=float, default=PRICE_IN, help="USD per million input tokens")
    parser.add_argument("--price-out", type=float, default=PRICE_OUT, help="USD per million output tokens")
    parser.add_argument("--json", help="also write the result to this file")
    args = parser.parse_args()
    result = bench(args)
    b = result["bounds_s"]
    print(f"N={result['n']} latency={result['latency']}s rpm={result['rpm']} rpd={result['rpd']} "
          f"concurrency={result['concurrency']} (load {result['load']:.2f})")
    print(f"  wall {result['wall_s']} s (exit {result['exit']}); lower bounds: arXiv {b['arxiv']} s, "
          f"quota {b['quota']} s, LLM {b['llm']} s; ratio to the largest {result['ratio']}")
    print(f"  published {result['published']}, deferred {result['deferred']}; {result['llm_calls']} calls, "
          f"{result['http_429']} x 429, max {result['max_in_flight']} in flight; {result['arxiv_requests']} arXiv "
          f"requests ({result['arxiv_too_close']} closer than {args.interval} s; shortest gap "
          f"{result['arxiv_min_gap_s']} s)")
    print(f"  {result['tokens_per_paper']} tokens and ${result['usd_per_paper']} per paper")
    print(f"  stages (summed over papers): {result['stage_s']}")
    print(f"  tasks: {result['task_s']}; outside tasks (Airflow start-up, scheduling): "
          f"{result['airflow_overhead_s']} s")
    r = result["rerun"]
    print(f"  re-run{' after the quota day turned' if r['after_quota_reset'] else ''}: {r['wall_s']} s, exit "
          f"{r['exit']}, {r['llm_calls']} LLM calls, {r['commits']} new commits; (paper, section) pairs asked "
          f"twice over both runs: {result['sections_asked_twice']}")
    if result["output"]:
        print(result["output"])
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)  # .digest/ does not exist in a new clone
        Path(args.json).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
