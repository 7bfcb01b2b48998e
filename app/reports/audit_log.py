"""Reading the audit log, scoped to the reader's units. Recording is app.audit.recorder, a leaf
the domains call without importing this read side (which imports them)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.i18n import N_
from app.orgs.models import OrgUnit
from app.orgs.permissions import Actor, Permission
from app.orgs.scope import within

PAGE_SIZE = 100

# What each recorded action is called on the audit page; the key stays beside it for searching.
ACTION_LABELS: dict[str, str] = {
    "account.activate": N_("Account activated with a code"),
    "activation.failure": N_("Wrong activation code"),
    "activation.issue": N_("Activation codes issued"),
    "certificate.issue": N_("Certificate issued"),
    "certificate.reissue": N_("Certificate reissued"),
    "certificate.revoke": N_("Certificate revoked"),
    "class.create": N_("Class opened"),
    "class.update": N_("Class changed"),
    "class.close": N_("Class closed"),
    "class.reopen": N_("Class reopened"),
    "class.remind": N_("Reminders sent"),
    "class.mail_retry": N_("Failed e-mails sent again"),
    "course.import": N_("Course imported"),
    "course.publish": N_("Course published"),
    "course.unpublish": N_("Course withdrawn from the catalogue"),
    "course.complete": N_("Course completed"),
    "course.retake": N_("Course started again"),
    "enrolment.assign": N_("Officers assigned to a class"),
    "enrolment.self": N_("Officer joined a class"),
    "enrolment.undo": N_("Assignment undone"),
    "enrolment.withdraw": N_("Officer withdrawn from a class"),
    "login.success": N_("Logged in"),
    "login.failure": N_("Failed login"),
    "officer.create": N_("Officer added"),
    "officer.update": N_("Officer record changed"),
    "officer.move": N_("Officer moved to another unit"),
    "org.created": N_("Unit created"),
    "org.renamed": N_("Unit renamed"),
    "org.moved": N_("Unit moved"),
    "org.merged": N_("Unit merged"),
    "org.closed": N_("Unit closed"),
    "password.change": N_("Password changed"),
    "password.change_failure": N_("Wrong current password"),
    "password.reset": N_("Password reset by e-mail link"),
    "password.reset_request": N_("Password reset link asked for"),
    "quiz.override": N_("Quiz settings changed for a class"),
    "requirement.set": N_("Yearly training hours set"),
    "requirement.delete": N_("Yearly training hours removed"),
    "role.grant": N_("Role granted"),
    "role.revoke": N_("Role revoked"),
    "roster.import": N_("Roster imported"),
    "sessions.revoke_others": N_("Other sessions logged out"),
    "token.create": N_("API token created"),
    "token.revoke": N_("API token revoked"),
}


# What the details' keys and targets are called, so a row reads as a sentence, not as raw keys.
DETAIL_LABELS: dict[str, str] = {
    "batch": N_("assignment no."),
    "kind": N_("how"),
    "how": N_("how"),
    "count": N_("number"),
    "cycle": N_("round"),
    "cycle_id": N_("round"),
    "user_id": N_("officer no."),
    "users": N_("officers"),
    "role": N_("role"),
    "reason": N_("reason"),
    "code": N_("code"),
    "year": N_("year"),
    "minutes": N_("minutes"),
    "old_minutes": N_("minutes before"),
    "name": N_("name"),
    "grant_id": N_("grant no."),
    "effective_on": N_("from the day"),
    "category": N_("category"),
    "version": N_("version"),
    "updated": N_("changed"),
    "to": N_("to"),
    "from": N_("from"),
    "target": N_("whom"),
    "rows": N_("rows"),
    "quiz": N_("quiz"),
    "queued": N_("queued"),
    "new": N_("new"),
    "emails": N_("e-mails"),
    "course": N_("course"),
    "copy": N_("copy"),
    "unit": N_("unit"),
    "already": N_("reminded earlier"),
    "moved": N_("moved to another unit"),
    "unchanged": N_("unchanged"),
    "reactivated": N_("reactivated"),
    "deactivated": N_("deactivated"),
    "parent_id": N_("parent unit no."),
    "old_parent_id": N_("former parent unit no."),
    "new_parent_id": N_("new parent unit no."),
    "old_name": N_("former name"),
    "new_name": N_("new name"),
    "into_id": N_("merged into unit no."),
    "into_code": N_("merged into"),
    "officers_moved": N_("officers moved"),
}
# Words the recorder writes as values (why a login failed), by what they mean.
WORD_VALUES: dict[str, str] = {
    "credentials": N_("wrong account or password"),
    "throttled": N_("too many attempts"),
}
# Keys whose values are words of ours (an assignment's kind, a role), shown translated; the
# others hold people's data and are shown as recorded.
WORD_KEYS = frozenset({"kind", "how", "role", "category", "target"})
# How a certificate came to be issued (the "how" of certificate.issue), for the catalog.
HOW_WORDS = (N_("completion"), N_("issue-missing"))
TARGET_LABELS: dict[str, str] = {
    "api_token": N_("API token"),
    "certificate": N_("certificate"),
    "classroom": N_("class"),
    "course": N_("course"),
    "org_unit": N_("unit"),
    "roster": N_("roster"),
    "training_requirement": N_("yearly training hours"),
    "user": N_("user account"),
}

# Who acted when no account of its own did: the recorder writes these labels in English, with
# the login or token they name, and the page says them in the reader's language.
ACTOR_LABELS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"system \(command line\)"), N_("system (command line)")),
    (re.compile(r"anonymous"), N_("anonymous")),
    (re.compile(r"login as (?P<who>.*)", re.S), N_("login as %(who)s")),
    (re.compile(r"activation as (?P<who>.*)", re.S), N_("activation as %(who)s")),
    (re.compile(r"API token (?P<who>.*)", re.S), N_("API token %(who)s")),
)


def actor_name(event: AuditEvent) -> tuple[str, dict[str, str]] | None:
    """The msgid and its values for a label recorded for no account; None for a person's own
    label (their code and name), which is shown as recorded."""
    if event.actor_id is not None:
        return None
    for pattern, msgid in ACTOR_LABELS:
        found = pattern.fullmatch(event.actor_label)
        if found:
            return msgid, found.groupdict()
    return None


def list_events(
    session: Session,
    actor: Actor,
    *,
    action: str = "",
    actor_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    officer_code: str = "",
) -> Sequence[AuditEvent]:
    """Newest first, a page at a time (keyset on id), filtered by action, actor and time."""
    actor.require_any(Permission.AUDIT_READ)
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(PAGE_SIZE)
    if not reads_everything(session, actor):
        # Events carry no unit, so an admin of part of the tree reads what the people now in
        # their units did; the command line's and other units' people's events are not theirs.
        people = (
            select(User.id)
            .join(OrgUnit, OrgUnit.id == User.unit_id)
            .where(within(actor, Permission.AUDIT_READ, OrgUnit.path))
        )
        stmt = stmt.where(AuditEvent.actor_id.in_(people))
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if actor_id is not None:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEvent.at < until)
    if before_id is not None:
        stmt = stmt.where(AuditEvent.id < before_id)
    if officer_code:
        # Labels read "CODE Full Name", written when the event happened.
        stmt = stmt.where(AuditEvent.actor_label.startswith(officer_code.strip() + " ", autoescape=True))
    return session.scalars(stmt).all()


def reads_everything(session: Session, actor: Actor) -> bool:
    """The system, or an admin of a whole tree (a unit without a parent)."""
    if actor.system:
        return True
    paths = actor.paths_with(Permission.AUDIT_READ)
    tops = session.scalars(select(OrgUnit.path).where(OrgUnit.parent_id.is_(None))).all()
    return any(p in tops for p in paths)
