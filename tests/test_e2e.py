"""End to end: `digest run` drives the real DAG (Airflow `dags test`) against local protocol servers."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import git
import pytest
import yaml

pytestmark = pytest.mark.e2e

DAY = "2024-06-20"
POST = f"source/_posts/Paper/{DAY}/Diffusion Models.md"


def run_digest(env: dict[str, str], day: str = DAY, *args: str) -> subprocess.CompletedProcess[str]:
    """`digest run` for the shipped Diffusion Models topic (each topic's `dags test` costs some 20 s)."""
    digest = str(Path(sys.executable).with_name("digest"))
    args = args or ("--topic", "Diffusion Models")
    return subprocess.run([digest, "run", "--date", day, *args], env=env, capture_output=True, text=True,
                          timeout=600, check=False)


@pytest.fixture
def arxiv_server():  # type: ignore[no-untyped-def]
    """The day's listing, plus a paper that mentions the topic only in passing (the relevance gate drops it)."""
    from conftest import listing_entries
    from servers.arxiv_server import ArxivServer

    with ArxivServer(listing_entries(passing_mention=True)) as server:
        yield server


@pytest.fixture
def digest_env(tmp_path, arxiv_server, gemini_server, bare_remote, s3_client, moto_endpoint):  # type: ignore[no-untyped-def]
    s3_client.create_bucket(Bucket="figs")
    s3_client.put_bucket_policy(Bucket="figs", Policy=json.dumps({  # figures are public, as on a real CDN bucket
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": "arn:aws:s3:::figs/digest/*"}],
    }))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DIGEST_"))}
    env.update({
        "DIGEST_HOME": str(tmp_path / "home"),
        "ARXIV_API_URL": arxiv_server.api_url,
        "ARXIV_PDF_URL": arxiv_server.pdf_url,
        "ARXIV_REQUEST_INTERVAL": "0.2",
        "DIGEST_RETRY_DELAY": "1",
        "GEMINI_API_KEY": "test-key",
        "GOOGLE_GEMINI_BASE_URL": gemini_server.base_url,
        "DIGEST_BLOG_REPO": str(bare_remote),
        "DIGEST_STORAGE": "s3://figs/digest",
        "DIGEST_PUBLIC_URL": f"{moto_endpoint}/figs/digest/",
        "AIRFLOW_CONN_AWS_DEFAULT": json.dumps({
            "conn_type": "aws", "login": "testing", "password": "testing",
            "extra": {"endpoint_url": moto_endpoint, "region_name": "us-east-1"},
        }),
    })
    return env


def remote_commits(remote: Path) -> list[git.Commit]:
    repo = git.Repo(remote)
    return list(repo.iter_commits("main")) if repo.heads else []


def test_run_publishes_post_once_and_rerun_is_free(digest_env, arxiv_server, gemini_server, bare_remote):
    first = run_digest(digest_env)
    assert first.returncode == 0, first.stdout + first.stderr
    commits = remote_commits(bare_remote)
    assert len(commits) == 1
    assert "Diffusion Models" in commits[0].message and DAY in commits[0].message
    assert "(2 papers)" in commits[0].message
    post = (commits[0].tree / POST).data_stream.read().decode()

    # Structure of the reference blog's posts.
    front, body = post.split("---\n", 2)[1:]
    meta = yaml.safe_load(front)
    assert list(meta)[:8] == ["title", "date", "author", "cover", "categories", "tags", "description", "keywords"]
    assert meta["title"] == "Diffusion Models" and meta["categories"] == "Paper"
    assert f"# {DAY} 更新" in body
    assert body.count("\n## ") == 2
    assert "## Lattice Denoisers: Score Matching on Structured Grids" in body
    assert "**Authors:Mira Okafor, Tomasz Lind**" in body
    assert "[PDF](https://arxiv.org/pdf/2406.10001v1) 9 pages, 4 figures" in body
    assert "It needs fewer steps &amp; less memory." in body
    for marker in ("**Summary**", "**Key Takeaways**", "1. Title:", "6. Summary:", "7. Methods:", "8. Conclusion:",
                   "<summary>点此查看论文截图</summary>"):
        assert body.count(marker) == 2, marker
    assert "Graph Coloring" not in body and "Next Day" not in body and "Low-Rank Adapters" not in body
    runs = Path(digest_env["DIGEST_HOME"]) / "state" / "runs" / "diffusion_models"
    record = json.loads((runs / DAY / "run.json").read_text())
    assert record["excluded"]["2406.17777v1"].startswith("off topic")

    # Every figure URL resolves to a stored object, and the cover is one of them.
    urls = re.findall(r'<img src="([^"]+)"', body)
    assert len(urls) >= 4
    assert meta["cover"] in urls
    for url in urls:
        with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 - local moto server
            assert resp.status == 200 and resp.read()[:4] in (b"\x89PNG", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xdb")

    calls = len(gemini_server.calls)
    assert calls == 8  # 2 papers x 4 sections, all valid at the first attempt
    assert "problem" not in first.stdout

    second = run_digest(digest_env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert len(gemini_server.calls) == calls, "re-run must not call the LLM for validated sections"
    assert len(remote_commits(bare_remote)) == 1, "re-run must not commit"
    assert "0 LLM calls in this run (8 for the day" in second.stdout  # the day's record keeps every call


def test_batch_run_waits_in_reschedule_mode_and_makes_no_synchronous_call(
    digest_env, arxiv_server, gemini_server, bare_remote
):
    """`dags test` has no triggerer: the batch sensor pokes in reschedule mode, which `dags test` runs too."""
    digest_env["DIGEST_BATCH_POLL"] = "1"
    result = run_digest(digest_env, DAY, "--batch", "--topic", "Diffusion Models")
    assert result.returncode == 0, result.stdout + result.stderr
    assert gemini_server.calls == [] and len(gemini_server.batch_calls) == 8
    assert "8 LLM calls in this run (8 for the day, 8 by batch)" in result.stdout
    assert len(remote_commits(bare_remote)) == 1


def test_run_on_weekend_is_nothing_to_do(digest_env, gemini_server, bare_remote):
    result = run_digest(digest_env, "2024-06-22")
    assert result.returncode == 0
    assert "no listing on weekends" in result.stdout
    assert remote_commits(bare_remote) == [] and gemini_server.calls == []


def test_missing_key_stops_at_once(digest_env):
    del digest_env["GEMINI_API_KEY"]
    result = run_digest(digest_env)
    assert result.returncode == 2
    assert "GEMINI_API_KEY is not set" in result.stderr


def test_default_blog_gets_post_and_figures_committed(tmp_path, arxiv_server, gemini_server):
    """No DIGEST_BLOG_REPO and no DIGEST_STORAGE: a local blog repo is created and holds post and figures."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DIGEST_"))}
    env.update({"DIGEST_HOME": str(tmp_path / "home"), "ARXIV_API_URL": arxiv_server.api_url,
                "ARXIV_PDF_URL": arxiv_server.pdf_url, "ARXIV_REQUEST_INTERVAL": "0", "DIGEST_RETRY_DELAY": "1",
                "GEMINI_API_KEY": "test-key", "GOOGLE_GEMINI_BASE_URL": gemini_server.base_url})
    result = run_digest(env)
    assert result.returncode == 0, result.stdout + result.stderr
    blog = tmp_path / "home" / "blog"
    post = (blog / POST).read_text()  # the pushed commit updated the blog's working tree
    urls = re.findall(r'<img src="([^"]+)"', post)
    assert urls and all(u.startswith("/images/arxiv-digest/") for u in urls)
    for url in urls:
        assert (blog / "source" / url.lstrip("/")).is_file()
    assert len(list(git.Repo(blog).iter_commits())) == 2  # the repo's creation, then the post
    assert str(blog / POST) in result.stdout


def test_degraded_day_publishes_what_is_sound_and_fails_the_run(tmp_path, bare_remote):
    """A paper without a PDF and a section the model keeps refusing: post published, run marked failed."""
    from conftest import listing_entries
    from servers.arxiv_server import ArxivServer
    from servers.capture import SmtpCapture, WebhookCapture
    from servers.gemini_server import GeminiReply, GeminiServer, default_responder

    entries = listing_entries(3)
    entries[2].pdf = None  # the PDF host answers 404 with an HTML page
    refusal = json.dumps({"steps": ["抱歉，我无法访问这篇论文的全文，因此不能总结它的方法。",
                                    "请自行查阅原文获取方法细节。"]}, ensure_ascii=False)

    def responder(call: dict) -> GeminiReply:
        if "2406.10001v1" in call["prompt_text"] and "Method section of the paper" in call["prompt_text"]:
            return GeminiReply(text=refusal)
        return default_responder(call)

    with (ArxivServer(entries) as arxiv, GeminiServer(api_key="test-key", responder=responder) as gemini,
          SmtpCapture() as smtp, WebhookCapture() as slack):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DIGEST_"))}
        env.update({"DIGEST_HOME": str(tmp_path / "home"), "ARXIV_API_URL": arxiv.api_url,
                    "ARXIV_PDF_URL": arxiv.pdf_url, "ARXIV_REQUEST_INTERVAL": "0", "DIGEST_RETRY_DELAY": "1",
                    "GEMINI_API_KEY": "test-key", "GOOGLE_GEMINI_BASE_URL": gemini.base_url,
                    "DIGEST_BLOG_REPO": str(bare_remote), "DIGEST_ALERT_EMAIL": "oncall@example.org",
                    "AIRFLOW_CONN_SMTP_DEFAULT": smtp.connection_json(),
                    "AIRFLOW_CONN_SLACK_ALERTS": slack.connection_json()})
        result = run_digest(env)
        refusals = [c for c in gemini.calls if "2406.10001v1" in c["prompt_text"]
                    and "Method section of the paper" in c["prompt_text"]]
    assert result.returncode == 1, result.stdout + result.stderr
    assert "2406.10001v1: section methods unavailable (REFUSAL)" in result.stdout
    assert "2406.10003v1: pdf:" in result.stdout
    assert len(refusals) == 3  # asked, then re-asked twice with the reasons
    assert "REFUSAL" in refusals[-1]["prompt_text"]
    post = (remote_commits(bare_remote)[0].tree / POST).data_stream.read().decode()
    assert post.count("\n## ") == 3
    assert "抱歉" not in post and "查阅原文" not in post
    assert "本节暂不可用：模型的回答未通过校验（REFUSAL）" in post
    assert "未能读取论文 PDF" in post

    # One alert per channel for the failed check_run, naming DAG, date, stage, papers, reason and the log.
    assert len(smtp.messages) == 1 and len(slack.posts) == 1
    mail, text = smtp.messages[0], slack.posts[0]["json"]["text"]
    assert mail["To"] == "oncall@example.org"
    assert mail["Subject"] == "[arxiv-digest] arxiv_digest__diffusion_models 2024-06-20: check_run failed"
    html = mail.get_body(("html",)).get_content()
    for part in ("arxiv_digest__diffusion_models", "2024-06-20", "check_run", "2406.10001v1", "2406.10003v1",
                 "REFUSAL", "log"):
        assert part in html and part in text, part
