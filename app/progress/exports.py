"""The class roster as CSV for Excel: UTF-8 with a byte-order mark (so Excel shows Vietnamese),
dd/mm/yyyy dates in local time, and cells that start like a formula neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from app.i18n import N_, format_day, format_hours, format_number, translations
from app.progress.dashboard import RosterRow
from app.text import excel_safe

HEADERS = (
    N_("Officer code"),
    N_("Full name"),
    N_("E-mail"),
    N_("Enrolled"),
    N_("Lessons done"),
    N_("Lessons in the course"),
    N_("Progress (%)"),
    N_("Estimated hours of study"),
    N_("Quizzes passed"),
    N_("Best quiz scores"),
    N_("Last activity"),
    N_("Completed on"),
    N_("Status"),
)


def roster_csv(
    rows: Iterable[RosterRow], *, language: str, timezone: str, delimiter: str = ","
) -> Iterator[str]:
    """The rows as CSV text in pieces; delimiter ';' suits Excel set to Vietnamese."""
    t = translations(language).gettext
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([t(h) for h in HEADERS])
    yield "\ufeff" + _drain(buffer)
    for count, row in enumerate(rows, start=1):
        writer.writerow(
            [
                excel_safe(row.officer_code),
                excel_safe(row.full_name),
                excel_safe(row.email or ""),
                format_day(row.enrolled_at, timezone),
                row.done,
                row.total,
                row.percent,
                format_hours(row.minutes_spent),
                row.quizzes_passed,
                " / ".join("" if best is None else format_number(best, 0) for best in row.quiz_best),
                format_day(row.last_activity_at, timezone) if row.last_activity_at else "",
                format_day(row.completed_at, timezone) if row.completed_at else "",
                t(row.status),
            ]
        )
        if count % 500 == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
