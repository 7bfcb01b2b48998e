"""The words of reminders: e-mail subjects and bodies, and the in-app notices, in a given language.
Source strings are English and marked for the Vietnamese catalog like every UI string."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.i18n import N_, format_day, translations

SUBJECTS = {
    "due_soon": N_("Reminder: “%(course)s” is due on %(due)s"),
    "overdue": N_("Overdue: “%(course)s” was due on %(due)s"),
    "manual": N_("Reminder from your training coordinator: “%(course)s”"),
}
NOTICES = {
    "due_soon": N_("The course “%(course)s” (class %(code)s) is due on %(due)s."),
    "overdue": N_("The course “%(course)s” (class %(code)s) was due on %(due)s and is not finished yet."),
    "manual": N_("Your training coordinator reminds you to finish the course “%(course)s” (class %(code)s)."),
    "assigned": N_("You have been enrolled in the course “%(course)s” (class %(code)s), due on %(due)s."),
    "completed": N_("You have completed the course “%(course)s”. Your certificate %(serial)s is ready."),
}
BODY = N_(
    "Dear %(name)s,\n\n%(notice)s\nYou have finished %(done)d of %(total)d lessons.\n\n"
    "Continue your course here: %(link)s\n\nThis message was sent by Học Số. "
    "If you think it reached you by mistake, tell your training coordinator."
)
DIGEST_SUBJECT = N_("Class %(code)s: %(overdue)d overdue, %(not_started)d not started")
DIGEST_BODY = N_(
    "Class “%(title)s” (%(code)s), due %(due)s.\n\n"
    "Completed: %(completed)d\nIn progress: %(in_progress)d\nNot started: %(not_started)d\n"
    "Overdue: %(overdue)d\n\nReminders queued today: %(reminded)d.\n\nThe class dashboard: %(link)s"
)
NO_DUE_DATE = N_("no due date")


@dataclass(frozen=True)
class OfficerReminder:
    kind: str
    name: str
    course_title: str
    class_code: str
    due_on: date | None
    done: int
    total: int
    link: str


def _due(language: str, due_on: date | None) -> str:
    return format_day(due_on) if due_on else translations(language).gettext(NO_DUE_DATE)


def notice_text(
    language: str, kind: str, *, course: str, code: str, due_on: date | None, serial: str = ""
) -> str:
    words = translations(language).gettext(NOTICES.get(kind, NOTICES["manual"]))
    return words % {"course": course, "code": code, "due": _due(language, due_on), "serial": serial}


def officer_email(language: str, r: OfficerReminder) -> tuple[str, str]:
    t = translations(language).gettext
    subject = t(SUBJECTS[r.kind]) % {"course": r.course_title, "due": _due(language, r.due_on)}
    notice = notice_text(language, r.kind, course=r.course_title, code=r.class_code, due_on=r.due_on)
    body = t(BODY) % {
        "name": r.name,
        "notice": notice,
        "done": r.done,
        "total": r.total,
        "link": r.link,
    }
    return subject, body


def digest_email(
    language: str,
    *,
    code: str,
    title: str,
    due_on: date | None,
    counts: dict[str, int],
    reminded: int,
    link: str,
) -> tuple[str, str]:
    t = translations(language).gettext
    values = {"code": code, "title": title, "due": _due(language, due_on), "reminded": reminded, "link": link}
    values.update({k: counts.get(k, 0) for k in ("completed", "in_progress", "not_started", "overdue")})
    return t(DIGEST_SUBJECT) % values, t(DIGEST_BODY) % values


RESET_SUBJECT = N_("Choose a new password for Học Số")
RESET_BODY = N_(
    "Dear %(name)s,\n\nSomeone, probably you, asked to choose a new password for your Học Số "
    "account (%(code)s). Open this link within %(minutes)d minutes to do so; it works once:\n\n"
    "%(link)s\n\nIf you did not ask for it, ignore this message: your password stays as it is."
)


def password_reset_email(language: str, *, name: str, code: str, link: str, minutes: int) -> tuple[str, str]:
    t = translations(language).gettext
    return t(RESET_SUBJECT), t(RESET_BODY) % {"name": name, "code": code, "link": link, "minutes": minutes}
