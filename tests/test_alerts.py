"""Alert channels (plugins/digest_alerts.py) against a real local SMTP server and webhook endpoint."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

import pendulum
import pytest

from digest_alerts import alert_fields, deadline_missed, send_alert
from servers.capture import SmtpCapture, WebhookCapture

FIELDS = {"dag": "arxiv_digest__x", "date": "2024-06-20", "stage": "check_run", "paper": "",
          "reason": "2406.1v1: section methods unavailable (REFUSAL) <b>&</b>", "log": "http://af/log"}


@pytest.fixture
def channels(monkeypatch):  # type: ignore[no-untyped-def]
    with SmtpCapture() as smtp, WebhookCapture() as slack:
        monkeypatch.setenv("DIGEST_ALERT_EMAIL", "a@example.org, b@example.org")
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp.connection_json())
        monkeypatch.setenv("AIRFLOW_CONN_SLACK_ALERTS", slack.connection_json())
        yield smtp, slack


def test_alert_goes_to_every_configured_channel(channels):
    smtp, slack = channels
    assert send_alert("[arxiv-digest] subject", FIELDS) == ["email", "slack"]
    mail = smtp.messages[0]
    assert mail["To"] == "a@example.org, b@example.org" and mail["Subject"] == "[arxiv-digest] subject"
    html = mail.get_body(("html",)).get_content()
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in html and "<b>&</b>" not in html  # untrusted text is escaped
    assert "section methods unavailable" in slack.posts[0]["json"]["text"]


def test_no_channel_is_a_warning_not_an_error(caplog):
    with caplog.at_level(logging.WARNING):
        assert send_alert("[arxiv-digest] subject", FIELDS) == []
    assert "no alert channel configured" in caplog.text


def test_deadline_callback_alerts_with_the_run(channels):
    smtp, slack = channels
    run = SimpleNamespace(run_id="scheduled__2024-06-20", data_interval_start=pendulum.datetime(2024, 6, 20))
    asyncio.run(deadline_missed(dag_id="arxiv_digest__x", hours=6, dag_run=run))
    text = slack.posts[0]["json"]["text"]
    assert "deadline missed" in text and "2024-06-20" in text and "6 h" in text
    assert smtp.messages[0]["Subject"] == "[arxiv-digest] arxiv_digest__x 2024-06-20: deadline missed"


def test_fields_name_the_mapped_paper():
    ti = SimpleNamespace(task_id="paper.review_paper", rendered_map_index="2406.10001v1", log_url="http://af/l",
                         try_number=3, dag_id="arxiv_digest__x")
    fields = alert_fields({"ti": ti, "exception": ValueError("boom"),
                           "data_interval_start": pendulum.datetime(2024, 6, 20)})
    assert fields["paper"] == "2406.10001v1" and fields["stage"] == "paper.review_paper"
    assert fields["reason"] == "boom" and fields["log"] == "http://af/l" and fields["dag"] == "arxiv_digest__x"
