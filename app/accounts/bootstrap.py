"""First start of a real site: the top unit and its first admin, who activates with a code."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.activation import IssuedCode, issue_codes
from app.accounts.models import User
from app.accounts.service import create_officer
from app.errors import Conflict
from app.i18n import today as local_today
from app.orgs.models import RoleGrant
from app.orgs.permissions import SYSTEM
from app.orgs.service import create_unit


def has_people(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(User)))


def install_site(
    session: Session,
    *,
    org_code: str,
    org_name: str,
    admin_code: str,
    admin_name: str,
    admin_email: str | None = None,
) -> IssuedCode:
    if has_people(session):
        raise Conflict("This database already has officers; the site is set up.")
    today = local_today()
    root = create_unit(session, SYSTEM, code=org_code, name=org_name, parent_id=None, effective_on=today)
    admin = create_officer(
        session,
        SYSTEM,
        officer_code=admin_code,
        full_name=admin_name,
        unit_id=root.id,
        start_on=today,
        email=admin_email,
        category="cong_chuc",
    )
    session.add(RoleGrant(user_id=admin.id, role="admin", unit_id=root.id))
    session.flush()
    return issue_codes(session, SYSTEM, user_ids=[admin.id])[0]
