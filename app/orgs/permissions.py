"""Roles, the permissions each role carries (the role→permission table), and the Actor: who is
acting, with which grants, so services can check rights against a unit's subtree."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from app.errors import NotFound, PermissionDenied
from app.i18n import N_


class Role(StrEnum):
    """What a grant on a unit makes its holder there. Stored by value in role_grants and
    api_tokens; a member compares equal to its value."""

    COORDINATOR = "coordinator"
    HR = "hr"
    ADMIN = "admin"


ROLES = tuple(Role)


class Permission(StrEnum):
    ORG_MANAGE = "org.manage"
    ROLES_MANAGE = "roles.manage"
    OFFICERS_READ = "officers.read"
    OFFICERS_MANAGE = "officers.manage"
    ROSTER_IMPORT = "roster.import"
    ACTIVATION_ISSUE = "activation.issue"
    AUDIT_READ = "audit.read"
    TOKENS_MANAGE = "tokens.manage"
    CLASSES_MANAGE = "classes.manage"
    # Courses are shared by the whole site, so this one is not scoped to a unit: any holder may
    # upload, publish and unpublish any course.
    COURSES_MANAGE = "courses.manage"
    # Revoking and reissuing certificates, scoped by the unit the officer was in at completion.
    CERTIFICATES_MANAGE = "certificates.manage"
    # Completion and training-hours reports over the officers of the grant's subtree.
    REPORTS_READ = "reports.read"
    # The yearly training-hours requirements apply to the whole site, so this one is not scoped.
    REQUIREMENTS_MANAGE = "requirements.manage"


ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    # An admin may do everything in their subtree.
    Role.ADMIN: frozenset(Permission),
    Role.HR: frozenset(
        {
            Permission.OFFICERS_READ,
            Permission.OFFICERS_MANAGE,
            Permission.ROSTER_IMPORT,
            Permission.ACTIVATION_ISSUE,
            Permission.CERTIFICATES_MANAGE,
            Permission.REPORTS_READ,
        }
    ),
    Role.COORDINATOR: frozenset(
        {
            Permission.OFFICERS_READ,
            Permission.ACTIVATION_ISSUE,
            Permission.CLASSES_MANAGE,
            Permission.COURSES_MANAGE,
            Permission.CERTIFICATES_MANAGE,
            Permission.REPORTS_READ,
        }
    ),
}


@dataclass(frozen=True)
class Grant:
    role: str
    unit_id: int
    unit_path: str


@dataclass(frozen=True)
class Actor:
    """The person (or the system, for the CLI) on whose behalf a service runs."""

    user_id: int | None
    label: str
    ip: str | None = None
    grants: tuple[Grant, ...] = field(default_factory=tuple)
    system: bool = False

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None or self.system or bool(self.grants)

    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    def has_permission(self, permission: str) -> bool:
        """Whether any grant carries the permission somewhere (for menus, not for access)."""
        return self.system or any(permission in ROLE_PERMISSIONS[g.role] for g in self.grants)

    def paths_with(self, permission: str) -> list[str]:
        """Subtree roots (unit paths) where the actor holds the permission."""
        return [g.unit_path for g in self.grants if permission in ROLE_PERMISSIONS[g.role]]

    def sees(self, unit_path: str) -> bool:
        return self.system or any(unit_path.startswith(g.unit_path) for g in self.grants)

    def can(self, permission: str, unit_path: str) -> bool:
        return self.system or any(unit_path.startswith(p) for p in self.paths_with(permission))

    def require(self, permission: str, unit_path: str) -> None:
        """Outside every subtree the actor looks after: not found. Inside, but without the
        right: forbidden. So nobody can probe for things they may not see."""
        if not self.sees(unit_path):
            raise NotFound(OUT_OF_SCOPE)
        if not self.can(permission, unit_path):
            raise PermissionDenied("Your role does not allow this.")

    def require_any(self, permission: str) -> None:
        if not self.authenticated:
            raise PermissionDenied("Please log in first.")
        if not self.has_permission(permission):
            raise PermissionDenied("Your role does not allow this.")


# What a missing thing and a thing outside the caller's units both answer, so the message tells
# nobody which ids exist in other units.
OUT_OF_SCOPE = N_("Not found, or outside the units you look after.")

ANONYMOUS = Actor(user_id=None, label="anonymous")
SYSTEM = Actor(user_id=None, label="system (command line)", system=True)
