from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.classrooms.models import Classroom, Enrolment
from app.demo import install_demo


def test_the_demo_opens_two_classes_when_its_course_is_there(session: Session, catalogue: None) -> None:
    logins = install_demo(session, officers_count=40)
    assert [login.role for login in logins] == ["admin", "hr", "coordinator", "officer"]
    codes = session.scalars(select(Classroom.code).order_by(Classroom.code)).all()
    assert codes == ["KNS-01", "KNS-TU-DK"]
    enrolled = session.scalar(select(func.count()).select_from(Enrolment))
    assert enrolled is not None and enrolled >= 2


def test_without_the_course_the_demo_has_people_only(session: Session) -> None:
    install_demo(session, officers_count=5)
    assert session.scalar(select(func.count()).select_from(Classroom)) == 0
