"""One daily DAG per topic in include/topics.yaml: arXiv listing -> PDFs -> figures -> reviews -> post -> git.

This file only wires tasks. The work lives in the ``arxiv_digest`` package; heavy imports happen inside tasks.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from airflow.sdk import (  # type: ignore[attr-defined]  # airflow.sdk resolves these names lazily
    DAG,
    AsyncCallback,
    DeadlineAlert,
    DeadlineReference,
    Param,
    get_current_context,
    task,
)

from arxiv_digest.calendar import load_calendar
from arxiv_digest.settings import load_settings
from arxiv_digest.topics import Topic, load_topics
from arxiv_timetable import ArxivListingTimetable
from digest_alerts import DigestAlert, deadline_missed
from digest_runtime import git_env, listing_day, runtime, settings, stored_listing

log = logging.getLogger(__name__)
SETTINGS = load_settings()
TOPICS = load_topics(SETTINGS.topics_file)
HOLIDAYS = sorted(d.isoformat() for d in load_calendar(SETTINGS.holidays_file).holidays)

DOC = """
### arXiv digest: {name}

Each run covers the arXiv listing dated by the run's logical date (data interval start, UTC) and publishes
`{path}` to the blog repo. Re-running a date reuses stored PDFs, figures and validated LLM sections: it makes no
new LLM call and no commit unless something changed. The last task fails when any section was unavailable or a
paper lost a stage, so a degraded post never looks like a clean success.

Query: `{query}`
"""


def build_dag(topic: Topic) -> DAG:
    """Wire the tasks for one topic."""
    with DAG(
        dag_id=topic.dag_id,
        description=f"Daily arXiv digest: {topic.name}",
        doc_md=DOC.format(name=topic.name, query=topic.search_query(),
                          path=f"{SETTINGS.blog_post_dir}/<date>/{topic.name}.md"),
        schedule=ArxivListingTimetable(holidays=HOLIDAYS),
        start_date=datetime(2024, 1, 1),
        catchup=False,
        max_active_runs=3,
        tags=["arxiv-digest", topic.slug, *topic.tags],
        deadline=DeadlineAlert(
            reference=DeadlineReference.DAGRUN_QUEUED_AT,
            interval=timedelta(hours=SETTINGS.deadline_hours),
            callback=AsyncCallback(deadline_missed, kwargs={"dag_id": topic.dag_id, "hours": SETTINGS.deadline_hours}),
        )
        if SETTINGS.deadline_hours
        else None,
        params={"refetch": Param(False, type="boolean",
                                 description="Query arXiv again even if this date's listing is stored"),
                "batch": Param("auto", enum=["auto", "always", "never"],
                               description="Gemini Batch API: auto = the topic's setting / DIGEST_BATCH_AFTER_DAYS")},
        default_args={
            "owner": topic.owner,
            "retries": SETTINGS.task_retries,
            "retry_delay": timedelta(seconds=SETTINGS.retry_delay),
            "retry_exponential_backoff": 2.0,
            "max_retry_delay": timedelta(minutes=20),
            "on_failure_callback": [DigestAlert()],
        },
    ) as dag:

        @task(pool="arxiv_api")
        def fetch_papers() -> list[str]:
            """Query arXiv for the listing's window (or reuse the stored listing) and return the paper ids."""
            from airflow.sdk.exceptions import AirflowSkipException

            from arxiv_digest.daywork import LimiterThrottle, make_limiter
            from arxiv_digest.fetch import make_client
            from arxiv_digest.pipeline import NoListing, stage_fetch

            ctx = get_current_context()
            s = settings(topic)
            client = make_client(s.arxiv_api_url, page_size=s.arxiv_page_size, interval=s.arxiv_request_interval,
                                 retries=s.arxiv_retries, timeout=s.http_timeout)
            try:
                return stage_fetch(runtime(s), topic, listing_day(ctx), client=client,
                                   refetch=bool(ctx["params"].get("refetch")),
                                   throttle=LimiterThrottle(make_limiter(s, topic)))
            except NoListing as exc:
                raise AirflowSkipException(str(exc)) from None

        # One pool slot per day's task: the pool (sized from the quota) caps the tasks talking to a provider, the
        # shared limiter caps their calls. Asking for more slots than an imported pool has would never run.
        @task(pool=topic.pool, execution_timeout=timedelta(seconds=SETTINGS.review_timeout))
        def review_papers(ids: list[str]) -> list[dict]:
            """Download, crop and review every paper, overlapped: PDFs at arXiv's pace, LLM calls at the quota's."""
            from airflow.sdk.exceptions import AirflowFailException

            from arxiv_digest.daywork import LimiterThrottle, make_limiter, review_day
            from arxiv_digest.llm import LLMConfigError, make_llm
            from arxiv_digest.pdf import http_session
            from arxiv_digest.quota import LimitedLLM
            from arxiv_digest.settings import SettingsError, llm_credentials

            ctx = get_current_context()
            s = settings(topic)
            limiter = make_limiter(s, topic)
            try:
                key, url = llm_credentials(s, topic.provider, topic.base_url, topic.api_key_env)
                llm = LimitedLLM(make_llm(topic.provider, api_key=key, base_url=url, timeout=s.llm_timeout),
                                 limiter, topic.provider)
            except (LLMConfigError, SettingsError) as exc:
                raise AirflowFailException(str(exc)) from None
            results = review_day(runtime(s), topic, listing_day(ctx), ids, llm=llm, session=http_session(),
                                 throttle=LimiterThrottle(limiter),
                                 concurrency=s.quota(topic.provider, topic.quota).concurrency)
            failed = [r for r in results if r["status"] == "failed"]
            if any("LLMConfigError" in r.get("error", "") for r in failed):
                raise AirflowFailException(next(r["error"] for r in failed))
            if failed:  # a retry redoes only these: everything validated is cached
                raise RuntimeError(f"{len(failed)} paper(s) failed: "
                                   + "; ".join(f"{r['arxiv_id']}: {r['error']}" for r in failed[:10]))
            return [{k: r[k] for k in ("arxiv_id", "status")} for r in results]

        @task(pool="arxiv_api")
        def batch_submit(ids: list[str]) -> str | None:
            """Batch mode (backfills): fetch the PDFs, then ask every open section of the date in one Gemini batch."""
            from datetime import UTC
            from datetime import datetime as dt

            from arxiv_digest.batch import client_for, submit, wants_batch
            from arxiv_digest.pdf import http_session
            from arxiv_digest.pipeline import stage_pdf

            ctx = get_current_context()
            s, day = settings(topic), listing_day(ctx)
            started = getattr(ctx["dag_run"], "start_date", None) or dt.now(UTC)
            mode = str(ctx["params"].get("batch") or "auto")
            if not ids or not wants_batch(topic, day, started.date(), s.batch_after_days, mode):
                return None
            rt, session = runtime(s), http_session()
            for arxiv_id in ids:
                stage_pdf(rt, topic, day, arxiv_id, session=session)
            try:
                return submit(rt, topic, day, client=client_for(s, topic))
            except Exception as exc:  # the sections are then asked synchronously
                log.warning("batch submission failed (%s): reviewing synchronously", exc)
                return None

        @task.sensor(mode="reschedule", poke_interval=SETTINGS.batch_poll_interval,
                     timeout=SETTINGS.batch_timeout_hours * 3600 + 3600)
        def batch_wait(job: str | None) -> bool:
            """Poke the date's batch without holding a worker slot; validate its answers once it has ended."""
            from arxiv_digest.batch import client_for, poll

            if job is None:
                return True
            s = settings(topic)
            return poll(runtime(s), topic, listing_day(get_current_context()), client=client_for(s, topic))


        @task(trigger_rule="all_done")
        def render_post() -> str:
            """Render the post from every stored review (papers whose tasks failed are left out)."""
            from airflow.sdk.exceptions import AirflowSkipException

            from arxiv_digest.pipeline import stage_render

            rt, day = stored_listing(topic, get_current_context())
            key = stage_render(rt, topic, day)
            if key is None:
                raise AirflowSkipException(f"no paper for {topic.name} on {day}: no post")
            return key

        @task(pool="blog_git")
        def publish_post(post_key: str) -> str | None:
            """Commit and push the post; no commit when the blog already holds it."""
            from arxiv_digest.pipeline import stage_publish

            s = settings()
            with git_env(s) as env:
                result = stage_publish(runtime(s), topic, listing_day(get_current_context()), git_env=env)
            return result.commit

        @task(trigger_rule="all_done")
        def check_run() -> dict:
            """Write the run record; fail the run when the post is degraded so the operator is told."""
            from airflow.sdk.exceptions import AirflowFailException

            from arxiv_digest.cost import PricesError
            from arxiv_digest.pipeline import DegradedRun, stage_check

            ctx = get_current_context()
            rt, day = stored_listing(topic, ctx, required=True)
            try:
                return stage_check(rt, topic, day, run_id=str(ctx["run_id"]))
            except (DegradedRun, PricesError) as exc:
                raise AirflowFailException(str(exc)) from None

        ids = fetch_papers()
        papers = review_papers(ids)  # type: ignore[arg-type]  # an XComArg at parse time
        batch_wait(batch_submit(ids)) >> papers  # type: ignore[arg-type]
        post = render_post()
        published = publish_post(post)  # type: ignore[arg-type]  # an XComArg at parse time
        papers >> post
        published >> check_run()
    return dag


for _topic in TOPICS:
    globals()[_topic.dag_id] = build_dag(_topic)
