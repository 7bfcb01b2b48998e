from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from app.accounts import auth
from app.audit.service import list_events
from app.db import utcnow
from app.errors import PermissionDenied
from tests.world import PASSWORD, World


def test_admin_filters_the_log_and_others_may_not_read_it(session: Session, world: World) -> None:
    auth.log_in(session, account="HVA", password=PASSWORD, ip="10.1.1.1", user_agent=None)
    auth.log_in(session, account="HVA", password="sai", ip="10.1.1.1", user_agent=None)
    admin = world.actor(session, world.admin)
    failures = list_events(session, admin, action="login.failure")
    assert [(e.action, e.ip, e.target_id) for e in failures] == [
        ("login.failure", "10.1.1.1", str(world.officer_a.id))
    ]
    mine = list_events(session, admin, actor_id=world.officer_a.id)
    assert [e.action for e in mine] == ["login.success"]
    now = utcnow()
    assert list_events(session, admin, since=now + timedelta(minutes=1)) == []
    newest = list_events(session, admin, until=now + timedelta(minutes=1))
    older = list_events(session, admin, before_id=newest[0].id)
    assert older == newest[1:]
    with pytest.raises(PermissionDenied):
        list_events(session, world.actor(session, world.hr_a))
