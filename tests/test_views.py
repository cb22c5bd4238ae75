"""The 'Digest runs' page served by the Airflow plugin's FastAPI app."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from arxiv_digest.models import RunRecord
from arxiv_digest.storage import LocalStorage, put_model
from digest_views import DigestViewsPlugin, app


def test_page_lists_runs_and_escapes_text(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGEST_STATE", str(tmp_path))
    record = RunRecord(topic="<b>Diffusion</b>", date=date(2024, 6, 20), papers_found=3, papers_published=2,
                       sections_total=8, sections_retried=1, tokens_in=10, tokens_out=20)
    put_model(LocalStorage(tmp_path), "runs/diffusion/2024-06-20/run.json", record)
    page = TestClient(app).get("/runs")
    assert page.status_code == 200
    assert "2024-06-20" in page.text and "&lt;b&gt;Diffusion&lt;/b&gt;" in page.text and "<b>Diffusion" not in page.text
    assert "<svg" in page.text and "2024-06-20: 2 papers" in page.text  # the per-day chart


def test_empty_state_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGEST_STATE", str(tmp_path))
    assert "No run records yet" in TestClient(app).get("/runs").text


def test_plugin_registers_the_app_and_a_nav_entry():
    assert DigestViewsPlugin.fastapi_apps[0]["url_prefix"] == "/digest"
    assert DigestViewsPlugin.external_views[0]["href"] == "digest/runs"
