"""The 'Digest runs' page served by the Airflow plugin's FastAPI app, behind Airflow's own authentication."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from arxiv_digest.models import RunRecord
from arxiv_digest.storage import LocalStorage, put_model
from digest_views import DigestViewsPlugin, render_page


def _record(state: Path, topic: str = "Diffusion Models", slug: str = "diffusion_models") -> None:
    record = RunRecord(topic=topic, date=date(2024, 6, 20), papers_found=3, papers_published=2,
                       sections_total=8, sections_retried=1, tokens_in=10, tokens_out=20)
    put_model(LocalStorage(state), f"runs/{slug}/2024-06-20/run.json", record)


def test_page_lists_runs_and_escapes_text(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGEST_STATE", str(tmp_path))
    _record(tmp_path, "<b>Diffusion</b>", "diffusion")
    page = render_page()
    assert "2024-06-20" in page and "&lt;b&gt;Diffusion&lt;/b&gt;" in page and "<b>Diffusion" not in page
    assert "<svg" in page and "2024-06-20: " in page  # the per-day chart


def test_empty_state_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGEST_STATE", str(tmp_path))
    assert "No run records yet" in render_page()


def test_page_shows_only_the_topics_the_user_may_read(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGEST_STATE", str(tmp_path))
    _record(tmp_path)
    _record(tmp_path, "Retired Topic", "retired")
    page = render_page(lambda name: name == "Diffusion Models")
    assert "Diffusion Models" in page and "Retired Topic" not in page


def test_plugin_registers_the_app_and_a_nav_entry():
    assert DigestViewsPlugin.fastapi_apps[0]["url_prefix"] == "/digest"
    assert DigestViewsPlugin.external_views[0]["href"] == "digest/runs"


# ---- the real API server app: the plugin page needs what /api/v2 needs ---------------------------------------
@pytest.fixture(scope="module")
def airflow_db() -> None:
    """The metadata DB of the test session's AIRFLOW_HOME (token checks read the revoked-token table)."""
    airflow = str(Path(sys.executable).with_name("airflow"))
    subprocess.run([airflow, "db", "migrate"], check=True, capture_output=True, timeout=600)


@pytest.fixture
def api_server(airflow_db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """Airflow's create_app() with the SimpleAuthManager and this project's plugins folder."""
    from airflow.api_fastapi.app import create_app, purge_cached_app
    from airflow.configuration import conf

    monkeypatch.setenv("DIGEST_STATE", str(tmp_path / "state"))
    _record(tmp_path / "state")
    for section, key, value in [
        ("core", "auth_manager", "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"),
        ("core", "simple_auth_manager_users", "alice:viewer"),
        ("core", "simple_auth_manager_passwords_file", str(tmp_path / "passwords.json")),
        ("api_auth", "jwt_secret", "test-secret-for-the-views-test-only-0123456789-0123456789-0123456789"),
    ]:
        monkeypatch.setenv(f"AIRFLOW__{section.upper()}__{key.upper()}", value)
        conf.set(section, key, value)
    purge_cached_app()
    app = create_app(apps="core")
    with TestClient(app) as client:
        yield client
    purge_cached_app()


def _token(role: str | None, name: str) -> str:
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    return get_auth_manager().generate_jwt(SimpleAuthManagerUser(username=name, role=role))


def test_anonymous_request_is_refused_like_the_rest_api(api_server: TestClient) -> None:
    assert api_server.get("/api/v2/dags").status_code == 401
    page = api_server.get("/digest/runs")
    assert page.status_code == 401 and "Diffusion Models" not in page.text
    assert api_server.get("/digest/runs", headers={"Authorization": "Bearer not-a-jwt"}).status_code in (401, 403)


def test_a_valid_token_or_session_cookie_sees_the_page(api_server: TestClient) -> None:
    token = _token("viewer", "alice")
    page = api_server.get("/digest/runs", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 200 and "Diffusion Models" in page.text
    api_server.cookies.set("_token", token)
    assert api_server.get("/digest/runs").status_code == 200


def test_a_user_without_dag_read_access_is_refused(api_server: TestClient) -> None:
    token = _token(None, "nobody")  # authenticated, but no role: the auth manager grants no DAG read
    page = api_server.get("/digest/runs", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 403 and "Diffusion Models" not in page.text
