"""Two reminder runs (`hocso notify run`) at the same moment, against a real SMTP server: every
reminder is queued once and every e-mail is sent once, and the runs' reports add up to that."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.grants import actor_for
from app.accounts.models import User
from app.classrooms import service as classes
from app.config import Settings
from app.i18n import today
from app.notifications.delivery import DeliveryReport, deliver
from app.notifications.mail import mailer_for
from app.notifications.models import Notification, OutboxMessage
from app.notifications.reminders import QueueReport, queue_reminders
from tests.concurrency.conftest import Db, race
from tests.factories import make_class, make_officer
from tests.notifications.conftest import SmtpServer
from tests.world import World

ROUNDS = 3
OFFICERS = 8


@pytest.fixture
def due_class(db: Db, world: World, course: str) -> None:
    """A class of department A's coordinator, due in two days, with eight officers who each
    have an address (and the coordinator's digest to send)."""
    day = today()
    with db.work() as session:
        codes = tuple(
            make_officer(
                session, world.room_a, officer_code=f"NN{n}", email=f"nn{n}@example.gov.vn"
            ).officer_code
            for n in range(OFFICERS)
        )
        coordinator = session.get_one(User, world.coord_a.id)
        created = make_class(
            session,
            coordinator,
            world.dept_a,
            opens_on=day - timedelta(days=30),
            due_on=day + timedelta(days=2),
        )
        classes.assign(
            session,
            actor_for(session, coordinator, ip=None),
            classroom_id=created.id,
            target=classes.Target(codes=codes),
        )


def _run(db: Db, settings: Settings) -> Callable[[], tuple[QueueReport, DeliveryReport]]:
    """What `hocso notify run` does: queue in one transaction, then deliver."""

    def run() -> tuple[QueueReport, DeliveryReport]:
        with db.work() as session:
            queued = queue_reminders(session, settings, today=today(settings.timezone))
        return queued, deliver(db.work, settings, mailer_for(settings), batch=3)

    return run


def test_two_runs_at_once_queue_and_send_each_reminder_once(
    db: Db, due_class: None, smtp: SmtpServer
) -> None:
    settings = smtp.settings()
    first_round: list[str] = []
    for round_ in range(ROUNDS):
        outcomes = race(_run(db, settings), _run(db, settings))
        reports = [o for o in outcomes if isinstance(o, tuple)]
        assert len(reports) == 2
        queued = [q for q, _ in reports]
        sent = [d for _, d in reports]
        with db.work() as session:
            notices = session.scalar(select(func.count()).select_from(Notification))
            statuses = dict(
                session.execute(
                    select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
                ).all()
            )
        assert notices == OFFICERS
        assert statuses == {"sent": OFFICERS + 1}
        # The first round queues and sends everything once, between the two runs; later rounds
        # find it all done.
        expected = (OFFICERS, OFFICERS + 1) if round_ == 0 else (0, 0)
        assert (sum(q.notices for q in queued), sum(d.sent for d in sent)) == expected
        assert sum(q.emails for q in queued) == expected[0]
        assert sum(q.digests for q in queued) == (1 if round_ == 0 else 0)
        assert sum(q.already for q in queued) == (OFFICERS if round_ == 0 else 2 * OFFICERS)
        assert sum(d.retrying + d.failed for d in sent) == 0
        recipients = sorted(m["To"] for m in smtp.inbox.messages)
        if round_ == 0:
            first_round = recipients
        assert recipients == first_round
    assert first_round == sorted([f"nn{n}@example.gov.vn" for n in range(OFFICERS)] + ["dpa@example.gov.vn"])
