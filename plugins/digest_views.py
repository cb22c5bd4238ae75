"""Airflow UI page with the run records (papers, retries, unavailable sections, tokens, cost) of every topic and day,
and a small chart of papers, calls and cost per day."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from airflow.api_fastapi.core_api.security import GetUserDep
from airflow.plugins_manager import AirflowPlugin
from fastapi import FastAPI, HTTPException, status
from fastapi.responses import HTMLResponse

# Airflow mounts plugin apps without its own auth dependency: every route here must take GetUserDep (401 without a
# valid token or session cookie) and show only the topics whose DAG the auth manager lets this user read.
app = FastAPI(title="arxiv-digest run records")

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>arxiv-digest runs</title>
<style>body{{font-family:sans-serif;margin:1rem}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 6px;text-align:right}}</style></head><body>
<h2>Per day</h2>{chart}<h2>Per topic</h2>{summary}<h2>Runs</h2>{runs}</body></html>"""


def readable_topics(can_read: Callable[[str | None], bool]) -> Callable[[str], bool]:
    """Which topic names' run records a user may see: their DAG is readable (unknown topics: all DAGs are)."""
    from arxiv_digest.settings import load_settings
    from arxiv_digest.topics import load_topics

    dag_ids = {t.name: t.dag_id for t in load_topics(load_settings().topics_file)}
    allowed = {name for name, dag_id in dag_ids.items() if can_read(dag_id)}
    every_dag = can_read(None)
    if not allowed and not every_dag:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "no read access to any arxiv-digest DAG")
    return lambda name: name in allowed or (name not in dag_ids and every_dag)


def render_page(visible: Callable[[str], bool] = lambda name: True) -> str:
    """The per-day chart and the two tables of ``digest report`` as HTML (every cell and label escaped), for the
    topics in ``visible``."""
    from arxiv_digest.report import daily, daily_chart, load_runs, summarize
    from digest_runtime import runtime, settings

    runs = load_runs(runtime(settings()).state)
    runs = runs[runs["topic"].map(visible).astype(bool)] if not runs.empty else runs
    if runs.empty:
        return PAGE.format(chart="", summary="<p>No run records yet.</p>", runs="")
    return PAGE.format(chart=daily_chart(daily(runs)), summary=summarize(runs).to_html(index=False),
                       runs=runs.sort_values(["date", "topic"], ascending=False).to_html(index=False))


@app.get("/runs", response_class=HTMLResponse)
async def runs_page(user: GetUserDep) -> str:
    """Read-only view of the run records of the DAGs this user may read (no secrets are stored in them)."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import DagDetails

    def can_read(dag_id: str | None) -> bool:
        details = DagDetails(id=dag_id) if dag_id else None
        return bool(get_auth_manager().is_authorized_dag(method="GET", details=details, user=user))

    visible = await asyncio.to_thread(readable_topics, can_read)
    return await asyncio.to_thread(render_page, visible)


class DigestViewsPlugin(AirflowPlugin):
    """Adds 'Digest runs' to the Airflow navigation."""

    name = "arxiv_digest_views"
    fastapi_apps = [{"app": app, "url_prefix": "/digest", "name": "arxiv-digest run records"}]
    external_views = [{"name": "Digest runs", "href": "digest/runs", "destination": "nav", "url_route": "digest-runs"}]
