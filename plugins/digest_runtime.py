"""Airflow glue for the digest tasks: secrets and clients from Airflow connections, stage errors as task states."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from arxiv_digest.settings import Settings, SettingsError, llm_credentials, load_settings
from arxiv_digest.topics import Topic

log = logging.getLogger(__name__)


def _connection(conn_id: str) -> Any | None:
    """An Airflow connection, or None when it is not defined (a log line, not an error)."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return Connection.get(conn_id)
    except AirflowNotFoundException:
        log.info("no Airflow connection %r: using settings from the environment", conn_id)
        return None


def _mask_secrets() -> None:
    """Secrets from the environment (API keys, tokens inside URLs) are masked in task logs by Airflow's masker."""
    from airflow.sdk.log import mask_secret

    from arxiv_digest.redaction import register_environment

    for secret in register_environment():
        mask_secret(secret)


def settings(topic: Topic | None = None) -> Settings:
    """Settings from the environment; GEMINI_API_KEY may instead come from the 'gemini_default' connection.

    With a topic, its LLM credentials are checked too. A wrong setting fails the task at once (no retries):
    retrying cannot fix configuration.
    """
    from airflow.sdk.exceptions import AirflowFailException

    _mask_secrets()
    try:
        s = load_settings()
        if s.gemini_api_key is None:
            conn = _connection(s.gemini_conn_id)
            if conn is not None and conn.password:
                s = load_settings(GEMINI_API_KEY=conn.password)
        if topic is not None:
            llm_credentials(s, topic.provider, topic.base_url, topic.api_key_env)
        _ = s.public_url
    except SettingsError as exc:
        raise AirflowFailException(str(exc)) from None
    return s


def runtime(s: Settings) -> Any:
    """The pipeline runtime; S3 clients come from the Airflow AWS connection (endpoint_url for MinIO)."""
    from arxiv_digest.pipeline import Runtime
    from arxiv_digest.storage import airflow_s3_client

    return Runtime.from_settings(s, airflow_s3_client(s.aws_conn_id))


def listing_day(context: Any) -> date:
    """The listing a run covers: the UTC date its data interval starts on (never 'now')."""
    start = context.get("data_interval_start") or context["logical_date"]
    return date(start.year, start.month, start.day)


def stored_listing(topic: Any, context: Any, *, required: bool = False) -> tuple[Any, date]:
    """Runtime and listing day of a run whose listing was fetched; skip the task otherwise (no-listing days).

    ``required``: on a day arXiv did announce, a missing listing means fetch_papers failed, and the run must end
    failed rather than skipped (a run whose last task skips counts as a success).
    """
    from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

    rt, day = runtime(settings()), listing_day(context)
    if not rt.state.exists(rt.listing_key(topic, day)):
        reason = rt.calendar.why_no_listing(day)
        if required and not reason:
            raise AirflowFailException(
                f"no listing stored for {topic.name} on {day}, a day arXiv announced papers: fetch_papers failed "
                "(see its log); fix the cause, then clear fetch_papers or re-run the date")
        raise AirflowSkipException(f"no listing stored for {topic.name} on {day}: {reason or 'nothing to do'}")
    return rt, day


@contextmanager
def git_env(s: Settings) -> Iterator[dict[str, str]]:
    """Credentials for the blog remote from the Airflow git connection, when one is defined."""
    if _connection(s.git_conn_id) is None:
        yield {}
        return
    from airflow.providers.git.hooks.git import GitHook

    hook = GitHook(git_conn_id=s.git_conn_id, repo_url=s.blog_repo)
    with hook.configure_hook_env():
        yield dict(hook.env)
