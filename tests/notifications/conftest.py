"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives, and a class with a due
date and two enrolled officers to remind."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.orm import Session

from app.classrooms import service as classes
from app.classrooms.models import Classroom
from app.config import Settings, get_settings
from app.courses import service as courses
from app.i18n import today
from tests.databases import free_port
from tests.factories import make_class, make_officer, write_course
from tests.world import World


@dataclass
class Inbox:
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@dataclass
class SmtpServer:
    inbox: Inbox
    port: int

    def settings(self, **overrides: Any) -> Settings:
        values = {"smtp_host": "127.0.0.1", "smtp_port": self.port, "smtp_security": "none", **overrides}
        return get_settings().model_copy(update=values)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(inbox, port)
    finally:
        controller.stop()


@pytest.fixture
def unit_of_work(session: Session) -> Any:
    """Delivery opens a unit of work per step; in tests each is the test's own session."""

    def work() -> AbstractContextManager[Session]:
        return nullcontext(session)

    return work


@pytest.fixture
def classroom(session: Session, world: World, tmp_path: Path) -> Classroom:
    """A class of the coordinator of department A, due in two days, with two officers of A: one
    with an e-mail address (HVA) and one without (HVC)."""
    make_officer(session, world.room_a, officer_code="HVC", full_name="Trần Thị Bích", email=None)
    courses.import_course_dir(session, write_course(tmp_path), max_asset_bytes=1 << 20)
    day = today()
    created = make_class(
        session,
        world.coord_a,
        world.dept_a,
        code="L-NHAC",
        title="Lớp kỹ năng số tháng 12",
        opens_on=day - timedelta(days=30),
        due_on=day + timedelta(days=2),
    )
    classes.assign(
        session,
        world.actor(session, world.coord_a),
        classroom_id=created.id,
        target=classes.Target(codes=("HVA", "HVC")),
    )
    session.flush()
    return created


def move_due(session: Session, classroom: Classroom, due_on: date) -> None:
    classroom.due_on = due_on
    session.flush()
