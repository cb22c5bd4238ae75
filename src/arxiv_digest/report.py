"""``digest report``: a pandas table of run records across topics and days (papers, retries, failures, tokens)."""

from __future__ import annotations

import pandas as pd

from .models import RunRecord
from .storage import Storage, get_model

COLUMNS = [
    "topic", "date", "papers_found", "papers_published", "excluded", "sections_total", "sections_retried",
    "sections_unavailable", "llm_calls", "tokens_in", "tokens_out", "llm_seconds", "figures", "problems", "commit",
]


def load_runs(state: Storage) -> pd.DataFrame:
    """One row per stored run record (``runs/<topic>/<date>/run.json``), oldest first."""
    rows = []
    for key in state.list("runs"):
        if not key.endswith("/run.json"):
            continue
        r = get_model(state, key, RunRecord)
        row = r.model_dump(exclude={"excluded", "problems", "published", "findings_by_code"})
        row.update(excluded=len(r.excluded), problems=len(r.problems),
                   commit=str((r.published or {}).get("commit") or "")[:10])
        rows.append(row)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values(["date", "topic"], ignore_index=True) if rows else frame


def summarize(runs: pd.DataFrame) -> pd.DataFrame:
    """Per topic: days run, papers per day, failure rate (runs with problems), retry rate, tokens."""
    if runs.empty:
        return pd.DataFrame(columns=["topic", "days", "papers_per_day", "failure_rate", "retry_rate", "tokens"])
    grouped = runs.groupby("topic")
    out = pd.DataFrame({
        "days": grouped.size(),
        "papers_per_day": grouped["papers_published"].mean().round(1),
        "failure_rate": grouped["problems"].apply(lambda p: float((p > 0).mean())).round(3),
        "retry_rate": (grouped["sections_retried"].sum() / grouped["sections_total"].sum().clip(lower=1)).round(3),
        "tokens": grouped["tokens_in"].sum() + grouped["tokens_out"].sum(),
    })
    return out.reset_index()
