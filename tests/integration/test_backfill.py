"""Backfills under a real scheduler: PostgreSQL metadata DB with LocalExecutor, then CeleryExecutor over Redis."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, date, timedelta
from pathlib import Path

import git
import psycopg2
import pytest

from arxiv_digest.calendar import ArxivCalendar
from pdfgen import make_paper
from servers.arxiv_server import ArxivServer, FakeEntry
from servers.gemini_server import GeminiServer

from .stack import PG, AirflowStack, create_database, drop_database

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

DAG_ID = "arxiv_digest__diffusion_models"
LISTINGS = [date(2024, 6, 20), date(2024, 6, 21), date(2024, 6, 24)]  # Thu, Fri, (weekend), Mon
DATES = [d.isoformat() for d in LISTINGS]
INTERVAL = 0.5


def entries() -> list[FakeEntry]:
    """Two on-topic papers in each listing's submission window."""
    calendar, out = ArxivCalendar(), []
    for n, day in enumerate(LISTINGS):
        start, _ = calendar.submission_window(day)
        for i in range(2):
            arxiv_id = f"2406.2{n}{i}01v1"
            out.append(FakeEntry(
                arxiv_id=arxiv_id, title=f"Diffusion Models for Task {n}-{i}", authors=["Ana Ruiz", "Li Na"],
                summary=f"A study of diffusion models, case {n}-{i}.", published=start + timedelta(hours=1 + i),
                categories=["cs.CV"], pdf=make_paper(title=f"Diffusion Models for Task {n}-{i}", seed=n * 2 + i)[0],
            ))
    return out


@pytest.fixture
def database() -> Iterator[str]:
    name = create_database()
    yield name
    drop_database(name)


def stack_env(tmp_path: Path, arxiv: ArxivServer, gemini: GeminiServer, remote: Path) -> dict[str, str]:
    return {
        "DIGEST_HOME": str(tmp_path / "home"), "ARXIV_API_URL": arxiv.api_url, "ARXIV_PDF_URL": arxiv.pdf_url,
        "ARXIV_REQUEST_INTERVAL": str(INTERVAL), "DIGEST_RETRY_DELAY": "2", "GEMINI_API_KEY": "test-key",
        "GOOGLE_GEMINI_BASE_URL": gemini.base_url, "DIGEST_BLOG_REPO": str(remote),
        "DIGEST_GEMINI_QUOTA": '{"rpm": 600, "concurrency": 4}',
        "DIGEST_BATCH_AFTER_DAYS": "0",  # these backfills count synchronous calls; batch mode is tested apart
    }


def backfill(stack: AirflowStack, *extra: str, timeout: float = 120) -> None:
    """Create a backfill; the scheduler marks the previous one complete a little after its runs finish."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            stack.cli("backfill", "create", "--dag-id", DAG_ID, "--from-date", "2024-06-20", "--to-date",
                      "2024-06-24", "--max-active-runs", "3", *extra)
            return
        except RuntimeError as exc:
            if "AlreadyRunningBackfill" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(3)


def first_backfill(stack: AirflowStack) -> tuple[list[dict], float]:
    """Wait for the DAG, unpause it, backfill the range; the finished runs and the wall time in seconds."""
    stack.wait_for_dag(DAG_ID)
    stack.cli("dags", "unpause", DAG_ID)
    started = time.monotonic()
    backfill(stack)
    runs = stack.wait_for_runs(DAG_ID, DATES)
    return runs, time.monotonic() - started


def assert_three_posts(remote: Path) -> None:
    commits = list(git.Repo(remote).iter_commits("main"))
    assert sorted(c.message.split(" for ")[1][:10] for c in commits) == [d.isoformat() for d in LISTINGS]
    tree = commits[0].tree
    for day in LISTINGS:
        post = (tree / f"source/_posts/Paper/{day}/Diffusion Models.md").data_stream.read().decode()
        assert post.count("\n## ") == 2


def assert_polite_to_arxiv(arxiv: ArxivServer) -> None:
    times = sorted(r["time"] for r in arxiv.requests)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps, default=INTERVAL) >= INTERVAL * 0.9, gaps


def test_local_executor_backfill_three_listing_days(tmp_path, database, bare_remote):
    with ArxivServer(entries()) as arxiv, GeminiServer(api_key="test-key") as gemini:
        stack = AirflowStack(tmp_path, stack_env(tmp_path, arxiv, gemini, bare_remote), database=database)
        try:
            stack.up()
            runs, wall = first_backfill(stack)
            assert sorted(r["logical_date"][:10] for r in runs) == DATES  # no run for the weekend
            assert all(r["state"] == "success" for r in runs), runs
            assert_three_posts(bare_remote)
            assert_polite_to_arxiv(arxiv)
            calls = len(gemini.calls)
            assert calls == 3 * 2 * 4

            first_end = {r["logical_date"]: r["end_date"] for r in runs}
            backfill(stack, "--reprocess-behavior", "completed")
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:  # until every date ran again
                runs = stack.wait_for_runs(DAG_ID, DATES)
                if all(r["end_date"] != first_end[r["logical_date"]] for r in runs):
                    break
                time.sleep(3)
            assert all(r["end_date"] != first_end[r["logical_date"]] for r in runs), "reprocess did not re-run"
            assert all(r["state"] == "success" for r in runs), runs
            assert len(gemini.calls) == calls, "reprocessing made LLM calls"
            assert len(list(git.Repo(bare_remote).iter_commits("main"))) == 3, "reprocessing committed"
            print(json.dumps({"backfill_wall_seconds": round(wall, 1), "llm_calls_first": calls,
                              "llm_calls_on_reprocess": len(gemini.calls) - calls}))
        finally:
            stack.down()


def test_celery_backfill_spreads_papers_over_two_workers(tmp_path, database, bare_remote):
    with ArxivServer(entries()) as arxiv, GeminiServer(api_key="test-key") as gemini:
        env = stack_env(tmp_path, arxiv, gemini, bare_remote)
        env.update({
            "AIRFLOW__CELERY__BROKER_URL": "redis://127.0.0.1:6379/15",
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql+psycopg2://{PG['user']}@127.0.0.1:5432/{database}",
            "AIRFLOW__CORE__HOSTNAME_CALLABLE": "worker_name.worker_name",
            "PYTHONPATH": str(Path(__file__).parent),
        })
        stack = AirflowStack(tmp_path, env, database=database, executor="CeleryExecutor")
        try:
            stack.up()
            for i in range(2):
                stack.start(f"worker{i + 1}", "celery", "worker", "--concurrency", "2", "--celery-hostname",
                            f"worker{i + 1}@%h", "--skip-serve-logs", env={"DIGEST_TEST_WORKER": f"worker{i + 1}"})
            runs, wall = first_backfill(stack)
            assert all(r["state"] == "success" for r in runs), runs
            assert_three_posts(bare_remote)
            with psycopg2.connect(**{**PG, "dbname": database}) as conn, conn.cursor() as cur:
                # Task instances that ran (a skipped one, or the scheduler's own run for today, has no host).
                cur.execute("SELECT hostname, count(*) FROM task_instance WHERE dag_id = %s AND run_id LIKE "
                            "'backfill%%' AND hostname <> '' GROUP BY hostname", (DAG_ID,))
                spread = dict(cur.fetchall())
            assert set(spread) == {"worker1", "worker2"}, spread
            print(json.dumps({"celery_backfill_wall_seconds": round(wall, 1), "tasks_per_worker": spread}))
        finally:
            stack.down()


def test_listing_days_are_in_utc() -> None:
    assert ArxivCalendar().announced_at(LISTINGS[0]).tzinfo == UTC
