from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.classrooms import service as classes
from app.classrooms.models import Classroom, Enrolment
from app.config import get_settings
from app.db import utcnow
from app.i18n import today
from app.notifications import inbox
from app.notifications.delivery import claim, class_outbox, deliver, retry_failed
from app.notifications.mail import FolderMailer, SmtpMailer, mailer_for
from app.notifications.models import Notification, OutboxMessage
from app.notifications.reminders import queue_reminders, remind
from app.progress import service as progress
from tests.databases import free_port
from tests.notifications.conftest import SmtpServer, move_due
from tests.world import World


def test_a_run_reminds_once_and_a_second_run_sends_nothing(
    session: Session, world: World, classroom: Classroom, smtp: SmtpServer, unit_of_work: object
) -> None:
    settings = smtp.settings()
    first = queue_reminders(session, settings, today=today())
    assert (first.notices, first.emails, first.without_email, first.digests) == (2, 1, 1, 1)
    report = deliver(unit_of_work, settings, mailer_for(settings))  # type: ignore[arg-type]
    assert (report.sent, report.retrying, report.failed) == (2, 0, 0)

    (officer_mail,) = smtp.inbox.to("duc@example.gov.vn")
    due = (today() + timedelta(days=2)).strftime("%d/%m/%Y")
    assert officer_mail["Subject"] == f"Nhắc việc: khoá học “Khoá học mẫu” đến hạn ngày {due}"
    body = officer_mail.get_content()
    assert "Kính gửi Nguyễn Văn Đức," in body and "0/2 bài" in body
    assert "/courses/khoa-hoc-mau" in body
    (digest,) = smtp.inbox.to("dpa@example.gov.vn")
    assert digest["Subject"] == "Lớp L-NHAC: 0 quá hạn, 2 chưa bắt đầu"
    assert "Lớp kỹ năng số tháng 12" in digest.get_content()

    again = queue_reminders(session, settings, today=today())
    assert (again.notices, again.emails, again.digests, again.already) == (0, 0, 0, 2)
    assert deliver(unit_of_work, settings, mailer_for(settings)).sent == 0  # type: ignore[arg-type]
    assert len(smtp.inbox.messages) == 2


def test_overdue_reminders_repeat_every_k_days_until_done(
    session: Session, world: World, classroom: Classroom
) -> None:
    settings = get_settings().model_copy(update={"reminder_overdue_every_days": 7})
    day = today()
    move_due(session, classroom, day - timedelta(days=1))

    def overdue_keys(on: object) -> list[str]:
        queue_reminders(session, settings, today=on)  # type: ignore[arg-type]
        return sorted(
            session.scalars(select(Notification.dedupe_key).where(Notification.kind == "overdue")).all()
        )

    assert len(overdue_keys(day)) == 2
    assert len(overdue_keys(day + timedelta(days=6))) == 2
    assert len(overdue_keys(day + timedelta(days=7))) == 4
    for lesson in ("bai-mot", "bai-hai"):
        progress.complete_lesson(
            session, world.actor(session, world.officer_a), course_slug="khoa-hoc-mau", lesson_slug=lesson
        )
    # The sample course also asks for its quiz, so HVA is still not done; withdrawing ends it.
    classes.withdraw(
        session,
        world.actor(session, world.coord_a),
        classroom_id=classroom.id,
        user_ids=[world.officer_a.id],
        reason="chuyển công tác",
    )
    hva = session.scalars(
        select(Enrolment.id).where(
            Enrolment.classroom_id == classroom.id, Enrolment.user_id == world.officer_a.id
        )
    ).one()
    keys = overdue_keys(day + timedelta(days=14))
    assert len(keys) == 5
    assert f"overdue:{hva}:{classroom.due_on}:2" not in keys


def test_failed_delivery_backs_off_then_fails_visibly_and_can_be_retried(
    session: Session, world: World, classroom: Classroom, smtp: SmtpServer, unit_of_work: object
) -> None:
    down = smtp.settings(smtp_port=free_port(), mail_max_attempts=3, mail_retry_base_minutes=5)
    queue_reminders(session, down, today=today())
    start = utcnow()
    clock = [start]
    first = deliver(unit_of_work, down, mailer_for(down), now=lambda: clock[0])  # type: ignore[arg-type]
    assert (first.sent, first.retrying) == (0, 2)
    message = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "due_soon")).one()
    assert message.attempts == 1 and message.next_attempt_at == start + timedelta(minutes=5)
    assert "ConnectionRefusedError" in (message.last_error or "")

    clock[0] = start + timedelta(minutes=4)
    assert deliver(unit_of_work, down, mailer_for(down), now=lambda: clock[0]).retrying == 0  # type: ignore[arg-type]
    clock[0] = start + timedelta(minutes=6)
    assert deliver(unit_of_work, down, mailer_for(down), now=lambda: clock[0]).retrying == 2  # type: ignore[arg-type]
    session.refresh(message)
    assert message.next_attempt_at == clock[0] + timedelta(minutes=10)
    clock[0] = start + timedelta(minutes=20)
    assert deliver(unit_of_work, down, mailer_for(down), now=lambda: clock[0]).failed == 2  # type: ignore[arg-type]

    summary = class_outbox(session, classroom.id)
    assert summary.counts["failed"] == 2
    assert {m.to_address for m in summary.problems} == {"duc@example.gov.vn", "dpa@example.gov.vn"}
    coordinator = world.actor(session, world.coord_a)
    assert retry_failed(session, coordinator, classroom_id=classroom.id, now=clock[0]) == 2
    up = smtp.settings()
    assert deliver(unit_of_work, up, mailer_for(up), now=lambda: clock[0]).sent == 2  # type: ignore[arg-type]
    assert sorted(m["To"] for m in smtp.inbox.messages) == ["dpa@example.gov.vn", "duc@example.gov.vn"]


def test_a_claimed_message_is_not_claimed_again_until_its_claim_expires(
    session: Session, world: World, classroom: Classroom
) -> None:
    queue_reminders(session, get_settings(), today=today())
    now = utcnow()
    assert len(claim(session, now=now, limit=10)) == 2
    assert claim(session, now=now + timedelta(minutes=1), limit=10) == []
    assert len(claim(session, now=now + timedelta(minutes=11), limit=10)) == 2


def test_coordinator_reminds_not_started_once_a_day(
    session: Session, world: World, classroom: Classroom
) -> None:
    coordinator = world.actor(session, world.coord_a)
    settings = get_settings()
    report = remind(
        session, coordinator, settings, classroom_id=classroom.id, target="not_started", today=today()
    )
    assert (report.notices, report.emails, report.without_email) == (2, 1, 1)
    twice = remind(
        session, coordinator, settings, classroom_id=classroom.id, target="not_started", today=today()
    )
    assert (twice.notices, twice.already) == (0, 2)
    selected = remind(
        session,
        coordinator,
        settings,
        classroom_id=classroom.id,
        target="selected",
        user_ids=[world.officer_a.id],
        today=today() + timedelta(days=1),
    )
    assert selected.notices == 1
    assert (
        remind(
            session, coordinator, settings, classroom_id=classroom.id, target="overdue", today=today()
        ).notices
        == 0
    )
    audited = session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "class.remind")
    )
    assert audited == 4


def test_the_officer_reads_notices_in_their_language(
    session: Session, world: World, classroom: Classroom
) -> None:
    queue_reminders(session, get_settings(), today=today())
    officer = world.actor(session, world.officer_a)
    assert inbox.unread_count(session, officer) == 1
    (notice,) = inbox.notices(session, officer, language="vi")
    assert notice.text.startswith("Khoá học “Khoá học mẫu” (lớp L-NHAC) đến hạn ngày")
    assert notice.course_slug == "khoa-hoc-mau" and notice.unread
    (english,) = inbox.notices(session, officer, language="en")
    assert english.text.startswith("The course “Records handling for testers” (class L-NHAC) is due on")
    assert inbox.mark_all_read(session, officer) == 1 and inbox.unread_count(session, officer) == 0
    other = world.actor(session, world.officer_b)
    assert inbox.notices(session, other, language="vi") == []


def test_without_smtp_mail_is_written_to_a_folder(tmp_path: Path, session: Session) -> None:
    from app.notifications.mail import build_message

    settings = get_settings().model_copy(update={"smtp_host": "", "mail_folder": tmp_path})
    mailer = mailer_for(settings)
    assert isinstance(mailer, FolderMailer) and not isinstance(mailer, SmtpMailer)
    mailer.send(
        build_message(settings, to="a@example.gov.vn", subject="Nhắc việc: học xong", body="Chào", key="k:1")
    )
    (written,) = tmp_path.glob("*.eml")
    parsed = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert parsed["Subject"] == "Nhắc việc: học xong" and parsed["Message-ID"].startswith("<hocso.k.1@")
