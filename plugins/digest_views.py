"""Airflow UI page with the run records (papers, retries, unavailable sections, tokens, cost) of every topic and day,
and a small chart of papers, calls and cost per day."""

from __future__ import annotations

import asyncio

from airflow.plugins_manager import AirflowPlugin
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

app = FastAPI(title="arxiv-digest run records")

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>arxiv-digest runs</title>
<style>body{{font-family:sans-serif;margin:1rem}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 6px;text-align:right}}</style></head><body>
<h2>Per day</h2>{chart}<h2>Per topic</h2>{summary}<h2>Runs</h2>{runs}</body></html>"""


def render_page() -> str:
    """The per-day chart and the two tables of ``digest report`` as HTML (every cell and label escaped)."""
    from arxiv_digest.report import daily, daily_chart, load_runs, summarize
    from digest_runtime import runtime, settings

    runs = load_runs(runtime(settings()).state)
    if runs.empty:
        return PAGE.format(chart="", summary="<p>No run records yet.</p>", runs="")
    return PAGE.format(chart=daily_chart(daily(runs)), summary=summarize(runs).to_html(index=False),
                       runs=runs.sort_values(["date", "topic"], ascending=False).to_html(index=False))


@app.get("/runs", response_class=HTMLResponse)
async def runs_page() -> str:
    """Read-only view of the state store's run records (no secrets are stored in them)."""
    return await asyncio.to_thread(render_page)


class DigestViewsPlugin(AirflowPlugin):
    """Adds 'Digest runs' to the Airflow navigation."""

    name = "arxiv_digest_views"
    fastapi_apps = [{"app": app, "url_prefix": "/digest", "name": "arxiv-digest run records"}]
    external_views = [{"name": "Digest runs", "href": "digest/runs", "destination": "nav", "url_route": "digest-runs"}]
