from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import activation, auth
from app.accounts.models import ActivationCode
from app.audit.models import AuditEvent
from app.db import utcnow
from app.errors import InvalidInput, NotFound, PermissionDenied
from tests.world import World

NEW_PASSWORD = "bien-xanh-cat-trang-nang-vang"


def activate(
    session: Session, code: str, officer_code: str = "HVB", password: str = NEW_PASSWORD
) -> str | None:
    return activation.activate(
        session, officer_code=officer_code, code=code, password=password, ip="10.0.0.9", user_agent="pytest"
    )


class TestIssue:
    def test_hr_issues_codes_for_officers_of_their_units(self, session: Session, world: World) -> None:
        issued = activation.issue_codes(
            session, world.actor(session, world.hr_a), user_ids=[world.officer_a.id]
        )
        assert [i.user.officer_code for i in issued] == ["HVA"]
        assert len(issued[0].code) == 14 and issued[0].code.count("-") == 2
        stored = session.scalars(select(ActivationCode.code_hash)).one()
        assert issued[0].code not in stored

    def test_outside_units_is_not_found_and_officers_may_not_issue(
        self, session: Session, world: World
    ) -> None:
        with pytest.raises(NotFound):
            activation.issue_codes(session, world.actor(session, world.hr_a), user_ids=[world.officer_b.id])
        with pytest.raises(PermissionDenied):
            activation.issue_codes(session, world.actor(session, world.officer_a), user_ids=[world.hr_a.id])


class TestActivate:
    @pytest.fixture
    def code(self, session: Session, world: World) -> str:
        return activation.issue_codes(
            session, world.actor(session, world.coord_b), user_ids=[world.officer_b.id]
        )[0].code

    def test_sets_the_password_logs_in_and_is_single_use(
        self, session: Session, world: World, code: str
    ) -> None:
        token = activate(session, code.lower().replace("-", " "))
        assert token is not None
        info = auth.resolve_session(session, token)
        assert info is not None and info.actor.user_id == world.officer_b.id
        assert auth.log_in(session, account="HVB", password=NEW_PASSWORD, ip="1.1.1.1", user_agent=None)
        assert activate(session, code) is None

    def test_expired_or_reissued_codes_fail(self, session: Session, world: World, code: str) -> None:
        session.scalars(select(ActivationCode)).one().expires_at = utcnow() - timedelta(seconds=1)
        assert activate(session, code) is None
        newer = activation.issue_codes(
            session, world.actor(session, world.coord_b), user_ids=[world.officer_b.id]
        )
        assert activate(session, code) is None
        assert activate(session, newer[0].code)

    def test_code_of_another_officer_fails(self, session: Session, code: str) -> None:
        assert activate(session, code, officer_code="HVA") is None

    @pytest.mark.parametrize("weak", ["ngan", "matkhau123", "Hoang Thi An 1", "1234567890"])
    def test_weak_passwords_are_refused_and_the_code_stays_usable(
        self, session: Session, code: str, weak: str
    ) -> None:
        with pytest.raises(InvalidInput):
            activate(session, code, password=weak)
        assert session.scalars(select(ActivationCode.used_at)).one() is None


def test_the_two_passwords_must_agree(session: Session, world: World) -> None:
    code = activation.issue_codes(session, world.actor(session, world.admin), user_ids=[world.officer_b.id])[
        0
    ].code
    with pytest.raises(InvalidInput, match="not the same"):
        activation.activate(
            session,
            officer_code="HVB",
            code=code,
            password=NEW_PASSWORD,
            password_again="khac",
            ip="10.0.0.9",
            user_agent=None,
        )


def test_repeated_wrong_codes_are_throttled(session: Session, world: World) -> None:
    code = activation.issue_codes(session, world.actor(session, world.admin), user_ids=[world.officer_b.id])[
        0
    ].code
    for _ in range(5):
        assert activate(session, "AAAA-BBBB-CCCC") is None
    assert activate(session, code) is None
    failures = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "activation.failure")
    ).all()
    assert len(failures) == 5
