"""Sending a briefing by e-mail: text and HTML alternatives with the PDF attached."""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from pydantic import ValidationError

from monitor.brief.model import Briefing
from monitor.brief.render import render
from monitor.config.schema import SmtpSettings
from monitor.errors import MonitorError


def build_message(
    briefing: Briefing, settings: SmtpSettings, recipients: list[str]
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"[{briefing.marking}] {briefing.title} {briefing.date}"
    message["From"] = settings.sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    message.set_content(render(briefing, "txt").decode("utf-8"))
    message.add_alternative(render(briefing, "html").decode("utf-8"), subtype="html")
    message.add_attachment(
        render(briefing, "pdf"),
        maintype="application",
        subtype="pdf",
        filename=f"briefing-{briefing.date}-{briefing.lang}.pdf",
    )
    return message


ENVIRONMENT = {
    "MONITOR_SMTP_HOST": "host",
    "MONITOR_SMTP_PORT": "port",
    "MONITOR_SMTP_STARTTLS": "starttls",
    "MONITOR_SMTP_SSL": "ssl",
    "MONITOR_SMTP_USERNAME": "username",
    "MONITOR_SMTP_SENDER": "sender",
    "MONITOR_SMTP_RECIPIENTS": "recipients",
}


def with_environment(settings: SmtpSettings, environ: Mapping[str, str]) -> SmtpSettings:
    """``settings`` overridden by MONITOR_SMTP_* variables, so a deployment can keep its
    mail server out of feeds.yaml (the password only ever comes from the environment)."""
    update: dict[str, object] = {}
    for variable, name in ENVIRONMENT.items():
        value = environ.get(variable)
        if value is None or value == "":
            continue
        if name == "recipients":
            update[name] = [r.strip() for r in value.split(",") if r.strip()]
        else:
            update[name] = value
    if not update:
        return settings
    try:
        return SmtpSettings.model_validate({**settings.model_dump(), **update})
    except ValidationError as exc:
        problems = "; ".join(f"{_variable(str(e['loc'][0]))}: {e['msg']}" for e in exc.errors())
        raise MonitorError(f"Bad SMTP setting in the environment: {problems}") from None


def _variable(name: str) -> str:
    return next((v for v, n in ENVIRONMENT.items() if n == name), name)


def send(
    briefing: Briefing,
    settings: SmtpSettings,
    recipients: list[str] | None = None,
) -> list[str]:
    """Send through ``settings`` as given (apply :func:`with_environment` first)."""
    recipients = list(recipients or settings.recipients)
    if not recipients:
        raise MonitorError(
            "No recipients: set briefing.smtp.recipients in feeds.yaml or "
            "MONITOR_SMTP_RECIPIENTS, or pass --to."
        )
    message = build_message(briefing, settings, recipients)
    password = os.environ.get(settings.password_env)
    try:
        if settings.ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host,
                settings.port,
                timeout=settings.timeout,
                context=ssl.create_default_context(),
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            if settings.starttls and not settings.ssl:
                client.starttls(context=ssl.create_default_context())
            if settings.username:
                if password is None:
                    raise MonitorError(
                        f"SMTP user {settings.username!r} but no password in ${settings.password_env}"
                    )
                client.login(settings.username, password)
            client.send_message(message, to_addrs=recipients)
    except (OSError, smtplib.SMTPException) as exc:
        raise MonitorError(
            f"Could not send the briefing through {settings.host}:{settings.port}: {exc}"
        ) from None
    return recipients
