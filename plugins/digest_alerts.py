"""Failure alerts for the digest DAGs: e-mail (smtp provider) and Slack webhook (slack provider), if configured."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from airflow.sdk import BaseNotifier
from markupsafe import escape

from arxiv_digest.redaction import redact
from arxiv_digest.settings import load_settings

log = logging.getLogger(__name__)


def _connection_exists(conn_id: str) -> bool:
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        Connection.get(conn_id)
    except AirflowNotFoundException:
        return False
    return True


def alert_fields(context: Any) -> dict[str, str]:
    """What an operator needs to act: DAG, listing date, stage, paper, reason and the task log's URL."""
    ti = context.get("ti") or context.get("task_instance")
    start = context.get("data_interval_start") or context.get("logical_date")
    paper = getattr(ti, "rendered_map_index", None) or ""
    return {
        "dag": context["dag"].dag_id if context.get("dag") else getattr(ti, "dag_id", "?"),
        "date": start.date().isoformat() if start else "?",
        "stage": getattr(ti, "task_id", "?"),
        "paper": str(paper) if paper and paper != "-1" else "",
        "reason": redact(" ".join(str(context.get("exception") or "the task failed").split()))[:2000],
        "log": str(getattr(ti, "log_url", "") or ""),
        "try": str(getattr(ti, "try_number", "")),
    }


def slack_escape(text: str) -> str:
    """Slack's own escaping for message text: no <links>, <!channel> mentions or &entities from alert fields."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def send_alert(subject: str, fields: dict[str, str]) -> list[str]:
    """Send one alert through every configured channel; returns the channels used (a warning when none)."""
    subject = redact(subject)
    fields = {k: redact(v) for k, v in fields.items()}
    lines = [f"{k}: {v}" for k, v in fields.items() if v]
    s = load_settings()
    sent = []
    if s.alert_email and _connection_exists(s.smtp_conn_id):
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier

        body = "<br>".join(f"<b>{escape(k)}</b>: {escape(v)}" for k, v in fields.items() if v)
        SmtpNotifier(to=[a.strip() for a in s.alert_email.split(",")], from_email=s.alert_from,
                     subject=subject, html_content=body, smtp_conn_id=s.smtp_conn_id).notify({})
        sent.append("email")
    if _connection_exists(s.slack_conn_id):
        from airflow.providers.slack.notifications.slack_webhook import SlackWebhookNotifier

        text = slack_escape("\n".join([subject, *lines]))
        SlackWebhookNotifier(slack_webhook_conn_id=s.slack_conn_id, text=text).notify({})
        sent.append("slack")
    if sent:
        log.info("alert sent via %s: %s", ", ".join(sent), subject)
    else:
        log.warning("no alert channel configured (DIGEST_ALERT_EMAIL + SMTP connection, or Slack webhook "
                    "connection); alert: %s | %s", subject, " | ".join(lines))
    return sent


async def deadline_missed(dag_id: str, hours: float, **context: Any) -> None:
    """Deadline Alert callback (runs in the triggerer): the run has not published its post in time."""
    run = context.get("dag_run")
    start = getattr(run, "data_interval_start", None) or getattr(run, "logical_date", None)
    fields = {
        "dag": dag_id,
        "date": start.date().isoformat() if start else "?",
        "stage": "deadline",
        "reason": f"the post is not published {hours:g} h after the run was queued (DIGEST_DEADLINE_HOURS)",
        "run": str(getattr(run, "run_id", "") or ""),
    }
    await asyncio.to_thread(send_alert, f"[arxiv-digest] {dag_id} {fields['date']}: deadline missed", fields)


class DigestAlert(BaseNotifier):
    """Sends one alert per failed task (after its retries) through every channel that is configured.

    E-mail needs DIGEST_ALERT_EMAIL and the SMTP connection (DIGEST_SMTP_CONN_ID, default ``smtp_default``);
    Slack needs the webhook connection (DIGEST_SLACK_CONN_ID, default ``slack_alerts``). With neither, a log line.
    """

    def notify(self, context: Any) -> None:
        fields = alert_fields(context)
        send_alert(f"[arxiv-digest] {fields['dag']} {fields['date']}: {fields['stage']} failed", fields)
