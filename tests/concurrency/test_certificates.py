"""Several officers completing a course at the same moment: one certificate each, numbered
without a gap or a repeat (the serial counter's own tests run in one transaction)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from app import flows
from app.accounts.grants import actor_for
from app.certificates.issuing import local_year, serial_for
from app.certificates.models import Certificate, CertificateSerial
from app.courses import service as courses
from app.db import utcnow
from app.orgs.permissions import Actor
from tests.concurrency.conftest import Db, race
from tests.factories import COURSE_YAML, make_officer, write_course
from tests.world import World

OFFICERS = 6
ROUNDS = 2
# Lessons alone complete this course, so the last lesson issues the certificate.
LESSONS_ONLY = COURSE_YAML.format(slug="bai-hoc", version=1, title="Chỉ bài học") + (
    "completion: {lessons: all, quizzes: none}\n"
)


def test_officers_completing_at_once_get_consecutive_serials_one_each(
    db: Db, world: World, tmp_path: Path
) -> None:
    with db.work() as session:
        folder = write_course(tmp_path, slug="bai-hoc", files={"course.yaml": LESSONS_ONLY})
        courses.import_course_dir(session, folder, max_asset_bytes=1 << 20)
    year = local_year(utcnow())
    for round_ in range(ROUNDS):
        actors: list[Actor] = []
        with db.work() as session:
            for n in range(OFFICERS):
                officer = make_officer(session, world.room_a, officer_code=f"CC{round_}-{n}")
                actor = actor_for(session, officer, ip=None)
                flows.complete_lesson(session, actor, course_slug="bai-hoc", lesson_slug="bai-mot")
                actors.append(actor)

        def finishing(actor: Actor) -> Callable[[], bool]:
            def finish() -> bool:
                with db.work() as session:
                    done = flows.complete_lesson(session, actor, course_slug="bai-hoc", lesson_slug="bai-hai")
                    return done.completed_at is not None

            return finish

        assert race(*(finishing(a) for a in actors)) == [True] * OFFICERS
        with db.work() as session:
            issued = session.execute(
                select(Certificate.user_id, Certificate.number, Certificate.serial)
            ).all()
            last = session.scalar(select(CertificateSerial.last_number).where(CertificateSerial.year == year))
        total = OFFICERS * (round_ + 1)
        assert sorted(number for _, number, _ in issued) == list(range(1, total + 1))
        assert sorted(serial for _, _, serial in issued) == [serial_for(year, n) for n in range(1, total + 1)]
        assert len({user for user, _, _ in issued}) == total
        assert last == total
