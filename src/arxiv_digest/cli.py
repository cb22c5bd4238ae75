"""``digest``: run the topic DAGs for a date on embedded defaults, and tools that work on single files."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from .calendar import load_calendar
from .lint import add_subparser as add_lint_subparser
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
        try:
            calls_before = int(json.loads(state.get(Runtime.run_key(topic, day))).get("llm_calls", 0))
        except NotFound:
            calls_before = 0
        # An embedded run wants its post now: synchronous calls unless --batch asks for the Batch API's price.
        conf = json.dumps({"batch": "always" if args.batch else "never"})
        code = _airflow(env, "dags", "test", topic.dag_id, day.isoformat(), "--conf", conf, log=log)
        try:
            record = json.loads(state.get(Runtime.run_key(topic, day)))
        except NotFound:
            record = None
        if record is None:
            print(f"  {topic.name}: the run did not finish (exit {code}); see the log above", file=sys.stderr)
            status = 1
            continue
        where = Path(s.blog_repo) / post_path(s.blog_post_dir, day, topic) if "://" not in s.blog_repo else None
        print(f"  {topic.name}: {record['papers_published']} papers, {record['llm_calls'] - calls_before} LLM calls "
              f"in this run ({record['llm_calls']} for the day, {record.get('batch_calls', 0)} by batch), "
              f"{record['figures']} figures, estimated cost for the day {record.get('cost', 0):.4f} "
              f"{record.get('currency', 'USD')}")
        if record["papers_published"]:
            print(f"  post: {where or post_path(s.blog_post_dir, day, topic)} in {s.blog_repo} ({s.blog_branch})")
        for problem in record["problems"]:
            print(f"  problem: {problem}")
        if record["problems"] or code != 0:
            status = 1
    return status


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
    from .figures import write_figures_dir
    from .pdf import PaperError

    try:
        found = write_figures_dir(Path(args.pdf), Path(args.outdir), dpi=args.dpi)
    except PaperError as exc:
        print(f"{args.pdf}: {exc}", file=sys.stderr)
        return 2
    print(f"{len(found)} images written to {args.outdir} (figures.json lists them)")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Print (or save) the table of run records found in the state store."""
    from .report import load_paper_costs, load_runs, summarize
    from .storage import open_storage

    s = load_settings()
    state = open_storage(args.state or s.state_location)
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
