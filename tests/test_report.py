"""digest report: run records become one pandas row each, summarised per topic."""

from __future__ import annotations

from datetime import date

import pandas as pd

from arxiv_digest.cli import main
from arxiv_digest.models import RunRecord
from arxiv_digest.report import load_runs, summarize
from arxiv_digest.storage import LocalStorage, put_model


def record(topic: str, day: str, *, papers: int, retried: int = 0, problems: int = 0, tokens: int = 100) -> RunRecord:
    return RunRecord(topic=topic, date=date.fromisoformat(day), papers_found=papers + 1, papers_published=papers,
                     excluded={"2406.00001v1": "over max_papers=1"}, sections_total=4 * papers,
                     sections_retried=retried, llm_calls=4 * papers + retried, tokens_in=tokens, tokens_out=tokens,
                     problems=[f"p{i}" for i in range(problems)], published={"commit": "abcdef0123456789"})


def store_with_runs(tmp_path) -> LocalStorage:
    store = LocalStorage(tmp_path)
    put_model(store, "runs/diffusion/2024-06-21/run.json", record("Diffusion", "2024-06-21", papers=2, problems=1))
    put_model(store, "runs/diffusion/2024-06-20/run.json", record("Diffusion", "2024-06-20", papers=4, retried=2))
    put_model(store, "runs/nerf/2024-06-20/run.json", record("NeRF", "2024-06-20", papers=1))
    store.put("runs/nerf/2024-06-20/papers/2406.1v1.json", b"{}")  # not a run record
    return store


def test_one_row_per_run_oldest_first(tmp_path):
    runs = load_runs(store_with_runs(tmp_path))
    assert list(runs["topic"]) == ["Diffusion", "NeRF", "Diffusion"]
    assert list(runs["papers_published"]) == [4, 1, 2]
    assert runs.loc[0, "commit"] == "abcdef0123" and runs.loc[0, "excluded"] == 1


def test_summary_rates_per_topic(tmp_path):
    summary = summarize(load_runs(store_with_runs(tmp_path))).set_index("topic")
    assert summary.loc["Diffusion", "days"] == 2
    assert summary.loc["Diffusion", "papers_per_day"] == 3.0
    assert summary.loc["Diffusion", "failure_rate"] == 0.5
    assert summary.loc["Diffusion", "retry_rate"] == round(2 / 24, 3)
    assert summary.loc["NeRF", "tokens"] == 200


def test_empty_state_gives_empty_tables(tmp_path):
    assert load_runs(LocalStorage(tmp_path)).empty
    assert summarize(load_runs(LocalStorage(tmp_path))).empty


def test_cli_prints_and_saves_csv_and_html(tmp_path, capsys):
    store_with_runs(tmp_path / "state")
    csv, page = tmp_path / "runs.csv", tmp_path / "runs.html"
    assert main(["report", "--state", str(tmp_path / "state"), "--csv", str(csv), "--html", str(page)]) == 0
    out = capsys.readouterr().out
    assert "failure_rate" in out and "NeRF" in out
    assert len(pd.read_csv(csv)) == 3
    assert "<table" in page.read_text()


def test_cost_per_paper_and_per_day_and_the_chart(tmp_path, capsys):
    from arxiv_digest.models import Usage
    from arxiv_digest.report import daily, daily_chart, load_paper_costs

    store = store_with_runs(tmp_path)
    costly = record("<i>Talking</i>", "2024-06-21", papers=2).model_copy(update={
        "cost": 0.03, "batch_calls": 4, "runs": ["scheduled__1", "manual__2"],
        "usage_by_paper": {"2406.7v1": Usage(calls=4, batch_calls=4, tokens_in=9, tokens_out=9, cost=0.01),
                           "2406.8v1": Usage(calls=4, tokens_in=9, tokens_out=9, cost=0.02)}})
    put_model(store, "runs/talking/2024-06-21/run.json", costly)
    runs = load_runs(store)
    row = runs[runs["topic"] == "<i>Talking</i>"].iloc[0]
    assert (row["cost"], row["cost_per_paper"], row["runs"], row["batch_calls"]) == (0.03, 0.015, 2, 4)
    papers = load_paper_costs(store)
    assert list(papers["arxiv_id"]) == ["2406.7v1", "2406.8v1"] and list(papers["cost"]) == [0.01, 0.02]
    days = daily(runs).set_index("date")
    assert days.loc[date(2024, 6, 21), "papers"] == 4 and days.loc[date(2024, 6, 20), "calls"] == 4 * 5 + 2
    svg = daily_chart(daily(runs))
    assert svg.startswith("<svg") and svg.count("<rect") == 3 * 2 and "2024-06-21: 0.0300 cost (USD)" in svg
    assert main(["report", "--state", str(tmp_path), "--papers"]) == 0
    assert "2406.8v1" in capsys.readouterr().out


def test_cli_reads_an_s3_state_store_through_the_airflow_connection(moto_endpoint, monkeypatch, capsys):
    """As the DAG's tasks do: the AWS connection's endpoint and keys, not boto3's default chain (here: none)."""
    import json

    import boto3

    from arxiv_digest.storage import S3Storage

    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1", aws_access_key_id="k",
                          aws_secret_access_key="s")
    client.create_bucket(Bucket="digest-report")
    put_model(S3Storage(client, "digest-report", "state"), "runs/nerf/2024-06-20/run.json",
              record("NeRF", "2024-06-20", papers=3))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", json.dumps({
        "conn_type": "aws", "login": "k", "password": "s",
        "extra": {"endpoint_url": moto_endpoint, "region_name": "us-east-1"}}))
    assert main(["report", "--state", "s3://digest-report/state"]) == 0
    assert "NeRF" in capsys.readouterr().out
