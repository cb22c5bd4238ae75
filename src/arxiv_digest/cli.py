"""``digest``: run the topic DAGs for a date on embedded defaults, and tools that work on single files."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from .calendar import load_calendar
from .lint import add_subparser as add_lint_subparser
from .redaction import redact
from .settings import PROJECT_ROOT, Settings, SettingsError, llm_credentials, load_settings
from .topics import Topic, TopicsError, load_topics


def airflow_env(s: Settings) -> dict[str, str]:
    """Environment for an embedded Airflow: SQLite under $DIGEST_HOME, this project's DAGs and plugins."""
    env = dict(os.environ)
    home = Path(env.get("AIRFLOW_HOME") or s.home / "airflow")
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "DIGEST_HOME": str(s.home),
    })
    env.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{home / 'airflow.db'}")
    # `dags test` has no triggerer to fire Deadline Alerts, and Airflow 3.3's dag.test() fails on DAGs that
    # define one ("'dict' object has no attribute 'hex'"): the embedded run goes without.
    env["DIGEST_DEADLINE_HOURS"] = "0"
    return env


# Runs Airflow CLI commands one after another in one interpreter, each with its own log: every `airflow` process
# spends seconds importing Airflow before it does anything (8 s on a busy 2-core machine).
_STEPS = """
import json, os, sys, traceback
from airflow.__main__ import main
codes = []
for argv, log in json.loads(sys.argv[1]):
    sys.stdout.flush(); sys.stderr.flush()
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1); os.dup2(fd, 2); os.close(fd)
    sys.argv = ["airflow", *argv]
    try:
        main(); code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except Exception:
        traceback.print_exc(); code = 1
    codes.append(code)
    if code and argv[:2] == ["db", "migrate"]:
        break
sys.stdout.flush(); sys.stderr.flush()
with open(os.environ["DIGEST_STEPS_RESULT"], "w") as fh:
    json.dump(codes, fh)
"""


def _airflow_steps(env: dict[str, str], steps: list[tuple[list[str], Path]]) -> list[int]:
    """Exit codes of Airflow CLI ``steps`` (argv, log file) run in one process; a failed migrate stops the rest."""
    result = Path(steps[0][1]).with_name("steps.json")
    result.unlink(missing_ok=True)
    plan = json.dumps([[argv, str(log)] for argv, log in steps])
    subprocess.run([sys.executable, "-c", _STEPS, plan], env={**env, "DIGEST_STEPS_RESULT": str(result)},
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    codes = json.loads(result.read_text()) if result.exists() else []
    return [*codes, *[1] * (len(steps) - len(codes))]


def cmd_run(args: argparse.Namespace) -> int:
    """Set up the embedded Airflow and run each topic's DAG for one date, then say where the post went."""
    s = load_settings()
    _ = s.public_url
    day = date.fromisoformat(args.date)
    topics = _pick(load_topics(s.topics_file), args.topic)
    for topic in topics:
        llm_credentials(s, topic.provider, topic.base_url, topic.api_key_env)
    reason = load_calendar(s.holidays_file).why_no_listing(day)
    if reason:
        print(f"Nothing to do: {reason}.")
        return 0
    env = airflow_env(s)
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    logs = s.home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    pools = logs / "pools.json"
    pools.write_text(json.dumps(pool_config(s), indent=1))
    steps = [(["db", "migrate"], logs / "db-migrate.log"), (["pools", "import", str(pools)], logs / "pools.log")]
    from .pipeline import Runtime
    from .render import post_path
    from .storage import NotFound, airflow_s3_client, open_storage

    state = open_storage(s.state_location, airflow_s3_client(s.aws_conn_id))
    calls_before: dict[str, int] = {}
    # An embedded run wants its post now: synchronous calls unless --batch asks for the Batch API's price.
    conf = json.dumps({"batch": "always" if args.batch else "never"})
    for topic in topics:
        try:
            calls_before[topic.name] = int(json.loads(state.get(Runtime.run_key(topic, day))).get("llm_calls", 0))
        except Exception:  # noqa: BLE001 - no record yet, or the state store is down (reported after the run)
            calls_before[topic.name] = 0
        log = logs / f"{topic.dag_id}-{day}.log"
        print(f"Running {topic.dag_id} for {day} (log: {log}) ...", flush=True)
        steps.append((["dags", "test", topic.dag_id, day.isoformat(), "--conf", conf], log))
    codes = _airflow_steps(env, steps)
    if codes[0] != 0:
        print(f"airflow db migrate failed; see {logs / 'db-migrate.log'}", file=sys.stderr)
        return 1
    status = 0
    for topic, code in zip(topics, codes[2:], strict=True):
        log = logs / f"{topic.dag_id}-{day}.log"
        try:
            record = json.loads(state.get(Runtime.run_key(topic, day)))
        except NotFound:
            record = None
        except Exception as exc:  # noqa: BLE001 - the state store itself is down: say so, the log has the rest
            print(f"  {topic.name}: cannot read the run record from DIGEST_STATE: {redact(exc)}", file=sys.stderr)
            record = None
        failures = [f for f in _failed_tasks(log, state, topic, day) if record is None or f.task != "check_run"]
        for failure in failures:
            print(f"  {topic.name}: {failure.describe()}", file=sys.stderr)
        if failures or record is None:
            status = 1
            if record is None:
                print(f"  {topic.name}: the run did not finish (airflow exit status {code}); log: {log}",
                      file=sys.stderr)
                continue
            print(f"  log: {log}", file=sys.stderr)
        where = Path(s.blog_repo) / post_path(s.blog_post_dir, day, topic) if "://" not in s.blog_repo else None
        print(f"  {topic.name}: {record['papers_published']} papers, "
              f"{record['llm_calls'] - calls_before[topic.name]} LLM calls in this run ({record['llm_calls']} for "
              f"the day, {record.get('batch_calls', 0)} by batch), {record['figures']} figures, estimated cost for "
              f"the day {record.get('cost', 0):.4f} {record.get('currency', 'USD')}")
        if record["papers_published"]:
            print(f"  post: {where or post_path(s.blog_post_dir, day, topic)} in {redact(s.blog_repo)} "
                  f"({s.blog_branch})")
        for arxiv_id, why in record.get("deferred", {}).items():
            print(f"  waiting: {arxiv_id}: {why}")
        for problem in record["problems"]:
            print(f"  problem: {redact(problem)}")
        if record["problems"] or code != 0:
            status = 1
    return status


def _failed_tasks(log: Path, state: Any, topic: Topic, day: date) -> list[Any]:
    """The run's failed tasks, read from its ``dags test`` log; mapped tasks are named by their paper."""
    from .outage import explain
    from .pipeline import Runtime

    try:
        papers = [p["arxiv_id"] for p in json.loads(state.get(Runtime.listing_key(topic, day)))["papers"]]
    except Exception:  # noqa: BLE001 - no listing (or no state store): name tasks without their papers
        papers = []
    return explain(log.read_text(encoding="utf-8", errors="replace"), papers) if log.exists() else []


def pool_config(s: Settings) -> dict[str, dict[str, object]]:
    """include/pools.json with each LLM pool sized from its provider's quota (concurrency, capped by requests/min)."""
    pools: dict[str, dict[str, object]] = json.loads((PROJECT_ROOT / "include" / "pools.json").read_text())
    for provider in ("gemini", "openai"):
        pools[f"llm_{provider}"]["slots"] = s.quota(provider).pool_slots()
    return pools


def _pick(topics: list[Topic], names: list[str] | None) -> list[Topic]:
    if not names:
        return topics
    chosen = [t for t in topics if t.name in names or t.slug in names]
    unknown = set(names) - {t.name for t in chosen} - {t.slug for t in chosen}
    if unknown:
        raise TopicsError(f"unknown topic(s) {sorted(unknown)}; configured: {[t.name for t in topics]}")
    return chosen


def write_figures_dir(pdf_path: Path, outdir: Path, *, dpi: int = 150) -> list[dict[str, Any]]:
    """Write each image (figure-1.png, table-2.png, page-1.jpg, ...) and figures.json into outdir.

    figures.json lists {kind, number, page, bbox (the crop), figure_box (the graphic alone), caption_box,
    caption, file, content_type, width, height}; boxes are [x0, y0, x1, y1] in PDF points, pages 0-based.
    """
    import pymupdf

    from .figures import UnreadablePDF, extract
    from .models import FigureKind

    outdir.mkdir(parents=True, exist_ok=True)
    try:
        doc = pymupdf.open(pdf_path, filetype="pdf")
    except Exception as exc:
        raise UnreadablePDF(f"{pdf_path} cannot be opened as a PDF: {exc}") from exc
    with doc:
        rendered = extract(doc, dpi=dpi)
    entries: list[dict[str, Any]] = []
    names: Counter[str] = Counter()
    for r in rendered:
        f = r.figure
        if f.kind is FigureKind.PAGE:
            stem = f"page-{f.page + 1}"
        elif f.number is None:
            stem = f"{f.kind.value}-p{f.page + 1}"
        else:
            stem = f"{f.kind.value}-{re.sub(r'[^A-Za-z0-9.]+', '_', f.number)}"
        names[stem] += 1
        if names[stem] > 1:
            stem = f"{stem}-{names[stem]}"
        name = f"{stem}.{'jpg' if r.content_type == 'image/jpeg' else 'png'}"
        (outdir / name).write_bytes(r.data)
        entries.append({"kind": f.kind.value, "number": f.number, "page": f.page, "bbox": list(f.bbox),
                        "figure_box": None if f.figure_box is None else list(f.figure_box),
                        "caption_box": None if f.caption_box is None else list(f.caption_box),
                        "caption": f.caption, "file": name, "content_type": r.content_type,
                        "width": r.width, "height": r.height})
    (outdir / "figures.json").write_text(json.dumps(entries, indent=2, ensure_ascii=False), encoding="utf-8")
    return entries


def figures_dir_job(pdf: Path, outdir: Path, dpi: int, limits: Any) -> list[dict[str, Any]]:
    """``digest figures`` in the PDF sandbox: check the PDF against the limits, then write its images."""
    from .sandbox import check_job

    check_job(pdf.read_bytes(), limits)
    return write_figures_dir(pdf, outdir, dpi=dpi)


def cmd_figures(args: argparse.Namespace) -> int:
    """Extract figures and tables of one PDF into a folder with figures.json."""
    from .pdf import PaperError
    from .sandbox import PdfLimits, run_limited

    limits = PdfLimits.from_settings(load_settings())
    try:
        found = run_limited(figures_dir_job, Path(args.pdf), Path(args.outdir), args.dpi, limits,
                            limits=limits, what=args.pdf)
    except PaperError as exc:
        print(f"{args.pdf}: {exc}", file=sys.stderr)
        return 2
    print(f"{len(found)} images written to {args.outdir} (figures.json lists them)")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Print (or save) the table of run records found in the state store."""
    from .report import load_paper_costs, load_runs, summarize
    from .storage import airflow_s3_client, open_storage

    s = load_settings()
    state = open_storage(args.state or s.state_location, airflow_s3_client(s.aws_conn_id))
    if args.papers:
        papers = load_paper_costs(state)
        print(papers.to_string(index=False) if not papers.empty else "no paper costs recorded")
        return 0
    runs = load_runs(state)
    if runs.empty:
        print(f"no run records in {args.state or s.state_location}")
        return 0
    if args.csv:
        runs.to_csv(args.csv, index=False)
    if args.html:
        runs.to_html(args.html, index=False)
    print(runs.to_string(index=False))
    print()
    print(summarize(runs).to_string(index=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="digest", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run every topic's DAG for one arXiv listing date")
    run.add_argument("--date", required=True, help="listing date, YYYY-MM-DD")
    run.add_argument("--topic", action="append", help="only this topic (name or slug); repeatable")
    run.add_argument("--batch", action="store_true",
                     help="ask through the Gemini Batch API (half price; waits for the batch to finish)")
    run.set_defaults(func=cmd_run)
    fig = sub.add_parser("figures", help="extract the figures and tables of a PDF")
    fig.add_argument("pdf")
    fig.add_argument("outdir")
    fig.add_argument("--dpi", type=int, default=150)
    fig.set_defaults(func=cmd_figures)
    pools = sub.add_parser("pools", help="print include/pools.json with the LLM pools sized from the quota settings")
    pools.set_defaults(func=lambda _args: print(json.dumps(pool_config(load_settings()), indent=1)) or 0)
    rep = sub.add_parser("report", help="table of run records across topics and days")
    rep.add_argument("--state", help="state location (default: DIGEST_STATE)")
    rep.add_argument("--csv", help="also write the table as CSV to this file")
    rep.add_argument("--html", help="also write the table as HTML to this file")
    rep.add_argument("--papers", action="store_true", help="one row per paper and day: calls, tokens, cost")
    rep.set_defaults(func=cmd_report)
    add_lint_subparser(sub)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except (SettingsError, TopicsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
