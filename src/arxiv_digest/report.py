"""``digest report``: a pandas table of run records across topics and days (papers, retries, failures, tokens, cost)."""

from __future__ import annotations

from html import escape

import pandas as pd

from .models import RunRecord
from .storage import Storage, get_model

COLUMNS = [
    "topic", "date", "papers_found", "papers_published", "excluded", "sections_total", "sections_retried",
    "sections_unavailable", "llm_calls", "batch_calls", "tokens_in", "tokens_out", "cost", "cost_per_paper",
    "runs", "reused", "llm_seconds", "figures", "problems", "commit",
]
PAPER_COLUMNS = ["topic", "date", "arxiv_id", "calls", "batch_calls", "tokens_in", "tokens_out", "cost"]


def _records(state: Storage) -> list[RunRecord]:
    return [get_model(state, key, RunRecord) for key in state.list("runs") if key.endswith("/run.json")]


def load_runs(state: Storage) -> pd.DataFrame:
    """One row per stored run record (``runs/<topic>/<date>/run.json``), oldest first; totals cover every run."""
    rows = []
    for r in _records(state):
        row = r.model_dump(include=set(COLUMNS))
        row.update(excluded=len(r.excluded), problems=len(r.problems), runs=len(r.runs), reused=len(r.reused),
                   cost=round(r.cost, 6), cost_per_paper=round(r.cost / r.papers_published, 6)
                   if r.papers_published else 0.0,
                   commit=str((r.published or {}).get("commit") or "")[:10])
        rows.append(row)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values(["date", "topic"], ignore_index=True) if rows else frame


def load_paper_costs(state: Storage) -> pd.DataFrame:
    """One row per paper and day: LLM calls, tokens and estimated cost (a paper reused from another topic has none)."""
    rows = [
        {"topic": r.topic, "date": r.date, "arxiv_id": pid, "calls": u.calls, "batch_calls": u.batch_calls,
         "tokens_in": u.tokens_in, "tokens_out": u.tokens_out, "cost": round(u.cost, 6)}
        for r in _records(state)
        for pid, u in r.usage_by_paper.items()
    ]
    frame = pd.DataFrame(rows, columns=PAPER_COLUMNS)
    return frame.sort_values(["date", "topic", "arxiv_id"], ignore_index=True) if rows else frame


def summarize(runs: pd.DataFrame) -> pd.DataFrame:
    """Per topic: days run, papers per day, failure rate (runs with problems), retry rate, tokens, cost."""
    if runs.empty:
        return pd.DataFrame(columns=["topic", "days", "papers_per_day", "failure_rate", "retry_rate", "tokens",
                                     "cost", "cost_per_paper"])
    grouped = runs.groupby("topic")
    out = pd.DataFrame({
        "days": grouped.size(),
        "papers_per_day": grouped["papers_published"].mean().round(1),
        "failure_rate": grouped["problems"].apply(lambda p: float((p > 0).mean())).round(3),
        "retry_rate": (grouped["sections_retried"].sum() / grouped["sections_total"].sum().clip(lower=1)).round(3),
        "tokens": grouped["tokens_in"].sum() + grouped["tokens_out"].sum(),
        "cost": grouped["cost"].sum().round(4),
        "cost_per_paper": (grouped["cost"].sum() / grouped["papers_published"].sum().clip(lower=1)).round(6),
    })
    return out.reset_index()


def daily(runs: pd.DataFrame) -> pd.DataFrame:
    """Per listing day, all topics together: papers published, LLM calls and estimated cost."""
    if runs.empty:
        return pd.DataFrame(columns=["date", "papers", "calls", "cost"])
    grouped = runs.groupby("date")
    return pd.DataFrame({
        "papers": grouped["papers_published"].sum(), "calls": grouped["llm_calls"].sum(),
        "cost": grouped["cost"].sum().round(4),
    }).reset_index()


def daily_chart(days: pd.DataFrame, *, width: int = 640, height: int = 48, currency: str = "USD") -> str:
    """A small inline SVG: one bar row each for papers, calls and cost per day (a tooltip gives each value)."""
    days = days.tail(90)
    if days.empty:
        return ""
    bar = max(2.0, width / len(days))
    rows = [("papers", "papers", "{:.0f}"), ("calls", "LLM calls", "{:.0f}"), ("cost", f"cost ({currency})", "{:.4f}")]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width + 160}" '
             f'height="{len(rows) * (height + 22)}" font-family="sans-serif" font-size="11">']
    for i, (column, label, fmt) in enumerate(rows):
        top = i * (height + 22) + 14
        peak = float(days[column].max()) or 1.0
        parts.append(f'<text x="0" y="{top - 3}">{escape(label)} (max {escape(fmt.format(peak))})</text>')
        for j, (day, value) in enumerate(zip(days["date"], days[column], strict=True)):
            h = max(1.0, height * float(value) / peak) if value else 0.0
            tip = escape(f"{day}: {fmt.format(float(value))} {label}")
            parts.append(f'<rect x="{j * bar:.1f}" y="{top + height - h:.1f}" width="{max(1.0, bar - 1):.1f}" '
                         f'height="{h:.1f}" fill="#4a78b0"><title>{tip}</title></rect>')
        first, last = escape(str(days["date"].iloc[0])), escape(str(days["date"].iloc[-1]))
        parts.append(f'<text x="{width + 8}" y="{top + height}">{first} – {last}</text>')
    parts.append("</svg>")
    return "".join(parts)
