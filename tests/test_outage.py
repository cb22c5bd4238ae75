"""outage.py and `digest run`: a service being down is named, with the failed task, the paper and what to check."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from arxiv_digest.outage import explain, in_words

LOG = """\
2026-11-26T14:02:20Z [info     ] [DAG TEST] starting task_id=fetch_papers map_index=-1 [airflow.sdk.definitions.dag]
2026-11-26T14:02:43Z [error    ] Task failed with exception     [task]
Traceback (most recent call last):
socket.gaierror: [Errno -2] Name or service not known
requests.exceptions.ConnectionError: HTTPConnectionPool(host='export.arxiv.org', port=443): Max retries exceeded \
(Caused by NameResolutionError("Failed to resolve 'export.arxiv.org' ([Errno -2] Name or service not known)"))
2026-11-26T14:02:43Z [info     ] Task instance state updated    new_state=failed rows_affected=1
2026-11-26T14:02:44Z [info     ] [DAG TEST] starting task_id=review_papers map_index=-1 [airflow.sdk]
RuntimeError: 1 paper(s) failed: 2406.10002v1: TransientError: LLM unavailable for 2406.10002v1 section summary: \
cannot reach Gemini: ConnectError: [Errno 111] Connection refused; check the network or GOOGLE_GEMINI_BASE_URL
2026-11-26T14:02:45Z [info     ] Task instance state updated    new_state=failed rows_affected=1
2026-11-26T14:02:46Z [info     ] [DAG TEST] starting task_id=render_post map_index=-1 [airflow.sdk]
2026-11-26T14:02:46Z [info     ] Task instance state updated    new_state=skipped rows_affected=1
"""


def test_failed_tasks_are_named_with_their_paper_and_cause_in_words() -> None:
    failures = explain(LOG, ["2406.10001v1", "2406.10002v1"])
    assert [f.describe() for f in failures] == [
        "fetch_papers: cannot resolve export.arxiv.org: check the network or ARXIV_API_URL",
        "review_papers (paper 2406.10002v1): cannot connect to the server (connection refused): is it up? "
        "check ARXIV_PDF_URL for PDFs, GEMINI_API_KEY / GOOGLE_GEMINI_BASE_URL (or the topic's base_url) for the LLM",
    ]


@pytest.mark.parametrize(("task", "error", "expected"), [
    ("review_papers", "TransientError: PDF download from https://arxiv.org/pdf/x failed: ConnectTimeout: "
     "timed out", "arxiv.org did not answer in time: check the network or ARXIV_PDF_URL for PDFs, GEMINI_API_KEY / "
     "GOOGLE_GEMINI_BASE_URL (or the topic's base_url) for the LLM"),
    ("fetch_papers", 'EndpointConnectionError: Could not connect to the endpoint URL: "http://minio:9000/digest/x"',
     "cannot connect to minio (connection refused): is it up? check DIGEST_STATE / DIGEST_STORAGE and the AWS "
     "connection (DIGEST_AWS_CONN_ID)"),
    ("publish_post", "PublishError: cannot reach the blog repo https://github.com/me/blog.git: fatal: unable to "
     "access: Could not resolve host: github.com", "cannot resolve github.com: check the network or "
     "DIGEST_BLOG_REPO and the 'blog_git' connection"),
    ("publish_post", "PublishError: push to https://github.com/me/blog.git failed after 1 attempt(s): HTTP 503",
     "push to https://github.com/me/blog.git failed after 1 attempt(s): HTTP 503 (check "
     "DIGEST_BLOG_REPO and the 'blog_git' connection)"),
])
def test_causes_in_words(task: str, error: str, expected: str) -> None:
    assert in_words(task, error).removeprefix("PublishError: ") == expected


def test_userinfo_never_reaches_the_explanation() -> None:
    log = ("[DAG TEST] starting task_id=fetch_papers map_index=-1\n"
           "TransientError: PDF download from https://u:SECRET-77@pdf.example/x failed: timed out\n"
           "new_state=failed\n")
    (failure,) = explain(log)
    assert failure.describe() == "fetch_papers: pdf.example did not answer in time: check the network or " \
        "ARXIV_API_URL"


# ---- the real `digest run` with a service down -------------------------------------------------------------------
@pytest.mark.e2e
@pytest.mark.parametrize("down", ["arxiv", "gemini", "s3"])
def test_digest_run_explains_an_outage(down: str, tmp_path: Path, arxiv_server, gemini_server, bare_remote) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DIGEST_"))}
    env.update({"DIGEST_HOME": str(tmp_path / "home"), "ARXIV_API_URL": arxiv_server.api_url,
                "ARXIV_PDF_URL": arxiv_server.pdf_url, "ARXIV_REQUEST_INTERVAL": "0", "DIGEST_TASK_RETRIES": "0",
                "GEMINI_API_KEY": "test-key", "GOOGLE_GEMINI_BASE_URL": gemini_server.base_url,
                "DIGEST_BLOG_REPO": str(bare_remote), "DIGEST_LLM_MAX_ATTEMPTS": "1"})
    expected = {
        "arxiv": "fetch_papers: cannot resolve export.arxiv.invalid: check the network or ARXIV_API_URL",
        "gemini": "review_papers (paper 2406.1000",
        "s3": "fetch_papers: cannot connect to 127.0.0.1 (connection refused): is it up? check DIGEST_STATE",
    }[down]
    if down == "arxiv":
        env["ARXIV_API_URL"] = "http://export.arxiv.invalid/api/query"
    elif down == "gemini":
        env["GOOGLE_GEMINI_BASE_URL"] = "http://127.0.0.1:9"
    else:
        env["DIGEST_STATE"] = "s3://digest/state"
        env["AIRFLOW_CONN_AWS_DEFAULT"] = json.dumps({"conn_type": "aws", "login": "k", "password": "s", "extra": {
            "endpoint_url": "http://127.0.0.1:9", "region_name": "us-east-1"}})
    digest = str(Path(sys.executable).with_name("digest"))
    result = subprocess.run([digest, "run", "--date", "2024-06-20"], env=env, capture_output=True, text=True,
                            timeout=900, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert expected in result.stderr, result.stderr
    if down == "gemini":
        assert "cannot connect to 127.0.0.1" in result.stderr and "GOOGLE_GEMINI_BASE_URL" in result.stderr
    log = next(line.split("log: ", 1)[1].strip() for line in result.stderr.splitlines() if "log: " in line)
    assert Path(log).is_file()
    if down in ("arxiv", "s3"):  # no topic fetched its listing: every run ends failed in Airflow too, not as a
        # success whose last task skipped for want of a listing
        with sqlite3.connect(tmp_path / "home" / "airflow" / "airflow.db") as db:
            states = {state for (state,) in db.execute("SELECT state FROM dag_run")}
        assert states == {"failed"}, states
