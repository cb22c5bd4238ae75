"""``digest``: run the topic DAGs for a date on embedded defaults, and tools that work on single files."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
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


def _airflow(env: dict[str, str], *args: str, log: Path | None = None) -> int:
    airflow = str(Path(sys.executable).with_name("airflow"))
    if log is None:
        return subprocess.run([airflow, *args], env=env, stdout=subprocess.DEVNULL, check=False).returncode
    with log.open("w") as fh:
        return subprocess.run([airflow, *args], env=env, stdout=fh, stderr=subprocess.STDOUT, check=False).returncode


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
    if _airflow(env, "db", "migrate", log=logs / "db-migrate.log") != 0:
        print(f"airflow db migrate failed; see {logs / 'db-migrate.log'}", file=sys.stderr)
        return 1
    _airflow(env, "pools", "import", str(PROJECT_ROOT / "include" / "pools.json"), log=logs / "pools.log")
    from .pipeline import Runtime
    from .render import post_path
    from .storage import NotFound, open_storage

    state = open_storage(s.state_location)
    status = 0
    for topic in topics:
        log = logs / f"{topic.dag_id}-{day}.log"
        print(f"Running {topic.dag_id} for {day} (log: {log}) ...", flush=True)
        code = _airflow(env, "dags", "test", topic.dag_id, day.isoformat(), log=log)
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
        print(f"  {topic.name}: {record['papers_published']} papers, {record['llm_calls']} LLM calls, "
              f"{record['figures']} figures")
        print(f"  post: {where or post_path(s.blog_post_dir, day, topic)} in {redact(s.blog_repo)} ({s.blog_branch})")
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


def _pick(topics: list[Topic], names: list[str] | None) -> list[Topic]:
    if not names:
        return topics
    chosen = [t for t in topics if t.name in names or t.slug in names]
    unknown = set(names) - {t.name for t in chosen} - {t.slug for t in chosen}
    if unknown:
        raise TopicsError(f"unknown topic(s) {sorted(unknown)}; configured: {[t.name for t in topics]}")
    return chosen


def cmd_figures(args: argparse.Namespace) -> int:
    """Extract figures and tables of one PDF into a folder with figures.json."""
    from .pdf import PaperError
    from .sandbox import PdfLimits, figures_dir_job, run_limited

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
    from .report import load_runs, summarize
    from .storage import open_storage

    s = load_settings()
    runs = load_runs(open_storage(args.state or s.state_location))
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
    run.set_defaults(func=cmd_run)
    fig = sub.add_parser("figures", help="extract the figures and tables of a PDF")
    fig.add_argument("pdf")
    fig.add_argument("outdir")
    fig.add_argument("--dpi", type=int, default=150)
    fig.set_defaults(func=cmd_figures)
    rep = sub.add_parser("report", help="table of run records across topics and days")
    rep.add_argument("--state", help="state location (default: DIGEST_STATE)")
    rep.add_argument("--csv", help="also write the table as CSV to this file")
    rep.add_argument("--html", help="also write the table as HTML to this file")
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
