"""Sending one e-mail: by SMTP when a server is configured, otherwise (development) as an .eml
file in a local folder that any mail reader opens."""

from __future__ import annotations

import smtplib
import ssl
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from app.config import Settings


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, message: EmailMessage) -> None:
        s = self.settings
        if s.smtp_security == "ssl":
            context = ssl.create_default_context()
            with smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds, context=context
            ) as smtp:
                self._deliver(smtp, message)
            return
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds) as smtp:
            if s.smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            self._deliver(smtp, message)

    def _deliver(self, smtp: smtplib.SMTP, message: EmailMessage) -> None:
        if self.settings.smtp_username:
            smtp.login(self.settings.smtp_username, self.settings.smtp_password)
        smtp.send_message(message)


class FolderMailer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = str(message["Message-ID"]).strip("<>").replace("@", "_").replace("/", "_")
        (self.folder / f"{name}.eml").write_bytes(bytes(message))


def mailer_for(settings: Settings) -> Mailer:
    return SmtpMailer(settings) if settings.smtp_host else FolderMailer(settings.mail_folder)


# Python's header folding can drop the space at a fold between two encoded words ("tài
# khoảnHọc Số" for "tài khoản Học Số"); headers are folded only past RFC 5322's hard limit.
MAIL_POLICY = policy.default.clone(max_line_length=998)


def build_message(settings: Settings, *, to: str, subject: str, body: str, key: str) -> EmailMessage:
    """A plain-text UTF-8 message; the Message-ID is derived from the outbox key, so a resend of
    the same row is recognisable as the same message by the receiving side."""
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    domain = settings.mail_from.rsplit("@", 1)[-1].strip("> ") or "localhost"
    message["Message-ID"] = f"<hocso.{key.replace(':', '.')}@{domain}>"
    message.set_content(body)
    return message
