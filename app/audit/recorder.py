"""Recording audit events: the leaf every domain calls, importing nothing of theirs. Recording
joins the caller's transaction, so an action and its audit entry are saved together or not at
all. Reading the log, scoped to the reader's units, is app.reports.audit_log."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.orm import Session

from app.audit.models import AuditEvent


class Recordable(Protocol):
    """Who acted, as the log keeps it: an Actor of app.orgs, or anything shaped like one."""

    @property
    def user_id(self) -> int | None: ...

    @property
    def label(self) -> str: ...

    @property
    def ip(self) -> str | None: ...


def record(
    session: Session,
    actor: Recordable,
    action: str,
    *,
    target_type: str | None = None,
    target_id: object = None,
    details: dict[str, Any] | None = None,
    ip: str | None = None,
) -> None:
    session.add(
        AuditEvent(
            actor_id=actor.user_id,
            actor_label=actor.label,
            ip=ip or actor.ip,
            action=action,
            target_type=target_type,
            target_id=None if target_id is None else str(target_id),
            details=details or {},
        )
    )
