"""Sending a briefing by e-mail: text and HTML alternatives with the PDF attached."""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

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


def send(
    briefing: Briefing, settings: SmtpSettings, recipients: list[str] | None = None
) -> list[str]:
    recipients = list(recipients or settings.recipients)
    if not recipients:
        raise MonitorError(
            "No recipients: set briefing.smtp.recipients in feeds.yaml or pass --to."
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
