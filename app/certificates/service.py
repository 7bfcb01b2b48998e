"""Reading and managing certificates: the officer's own list, an officer's certificates for staff,
revocation and reissue of a lost certificate (as a certified copy), the public verification and
the PDF files.

Who may read a certificate: its owner, and staff holding officers.read over the unit the officer
was in at completion or the unit they are in now. Who may revoke or reissue: holders of
certificates.manage over the unit at completion. Outside every subtree the actor looks after the
certificate is not found; inside without the right, forbidden."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from app.accounts.models import User
from app.accounts.service import get_officer
from app.audit.recorder import record
from app.certificates import pdf
from app.certificates.models import Certificate, CertificateStatus
from app.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.orgs.models import OrgUnit
from app.orgs.permissions import OUT_OF_SCOPE, Actor, Permission
from app.text import nfc

MAX_REASON = 500
# token_urlsafe(12) gives 16 characters; anything much longer is not a code of ours.
MAX_CODE = 32


@dataclass(frozen=True)
class CertificateRow:
    certificate: Certificate
    unit_name: str
    can_manage: bool


@dataclass(frozen=True)
class PublicCheck:
    """What the public verification page may show, and nothing more."""

    full_name: str
    course_title_vi: str
    course_title_en: str
    completed_at: datetime
    status: str
    copies: int

    def course_title(self, lang: str) -> str:
        return self.course_title_en if lang == "en" else self.course_title_vi


@dataclass(frozen=True)
class PdfFile:
    filename: str
    data: bytes


def verification_url(public_url: str, verify_code: str) -> str:
    """The address printed under the QR code: the site's public address, never the request's."""
    return f"{public_url.rstrip('/')}/verify/{verify_code}"


def _user_id(actor: Actor) -> int:
    if actor.user_id is None:
        raise PermissionDenied("Please log in first.")
    return actor.user_id


def _with_paths(session: Session, certificate_id: int) -> tuple[Certificate, OrgUnit, str]:
    """The certificate, the unit at completion, and the path of the officer's unit now."""
    current = aliased(OrgUnit)
    row = session.execute(
        select(Certificate, OrgUnit, current.path)
        .join(OrgUnit, OrgUnit.id == Certificate.unit_id)
        .join(User, User.id == Certificate.user_id)
        .join(current, current.id == User.unit_id)
        .where(Certificate.id == certificate_id)
    ).one_or_none()
    if row is None:
        raise NotFound(OUT_OF_SCOPE)
    return row[0], row[1], row[2]


def _readable(session: Session, actor: Actor, certificate_id: int) -> tuple[Certificate, OrgUnit]:
    certificate, unit, current_path = _with_paths(session, certificate_id)
    if actor.user_id is not None and actor.user_id == certificate.user_id:
        return certificate, unit
    paths = (unit.path, current_path)
    if not any(actor.sees(p) for p in paths):
        raise NotFound(OUT_OF_SCOPE)
    if not any(actor.can(Permission.OFFICERS_READ, p) for p in paths):
        raise PermissionDenied("Your role does not allow this.")
    return certificate, unit


def _managed(session: Session, actor: Actor, certificate_id: int) -> Certificate:
    if not actor.authenticated:
        raise PermissionDenied("Please log in first.")
    certificate, unit, _ = _with_paths(session, certificate_id)
    actor.require(Permission.CERTIFICATES_MANAGE, unit.path)
    return certificate


def get_certificate(session: Session, actor: Actor, *, certificate_id: int) -> Certificate:
    return _readable(session, actor, certificate_id)[0]


def my_certificates(session: Session, actor: Actor) -> list[Certificate]:
    """The caller's certificates, latest completion first."""
    user_id = _user_id(actor)
    return list(
        session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user_id)
            .order_by(Certificate.completed_at.desc(), Certificate.id.desc())
        )
    )


def my_certificates_by_course(session: Session, actor: Actor) -> dict[int, Certificate]:
    """For My learning: each course's latest certificate of the caller."""
    found: dict[int, Certificate] = {}
    for certificate in my_certificates(session, actor):
        found.setdefault(certificate.course_id, certificate)
    return found


def officer_certificates(session: Session, actor: Actor, *, user_id: int) -> list[CertificateRow]:
    """An officer's certificates for their record page, each with whether the actor may revoke
    or reissue it (the unit at completion decides, not where the officer is now)."""
    get_officer(session, actor, user_id)
    rows = session.execute(
        select(Certificate, OrgUnit)
        .join(OrgUnit, OrgUnit.id == Certificate.unit_id)
        .where(Certificate.user_id == user_id)
        .order_by(Certificate.completed_at.desc(), Certificate.id.desc())
    ).all()
    return [CertificateRow(c, u.name, actor.can(Permission.CERTIFICATES_MANAGE, u.path)) for c, u in rows]


def revoke(session: Session, actor: Actor, *, certificate_id: int, reason: str, now: datetime) -> Certificate:
    """Revoke a valid certificate for a stated reason. The verification page then says revoked."""
    certificate = _managed(session, actor, certificate_id)
    text = " ".join(nfc(reason).split())
    if not text:
        raise InvalidInput("Give the reason for revoking the certificate.")
    if len(text) > MAX_REASON:
        raise InvalidInput("The reason is too long (500 characters at most).")
    # Conditional, so two people revoking at once get one revocation and one refusal.
    changed = session.execute(
        update(Certificate)
        .where(Certificate.id == certificate.id, Certificate.status == CertificateStatus.VALID)
        .values(
            status=CertificateStatus.REVOKED, revoked_at=now, revoked_by_id=actor.user_id, revoked_reason=text
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(changed, "rowcount", 0) != 1:
        raise Conflict("This certificate has already been revoked.")
    session.refresh(certificate)
    record(
        session,
        actor,
        "certificate.revoke",
        target_type="certificate",
        target_id=certificate.serial,
        details={"user_id": certificate.user_id, "reason": text},
    )
    return certificate


def reissue(session: Session, actor: Actor, *, certificate_id: int, now: datetime) -> Certificate:
    """Replace a lost certificate: same serial and validity, printed as a certified copy with the
    next copy number and today's date. A revoked certificate is not reissued."""
    certificate = _managed(session, actor, certificate_id)
    copy = session.execute(
        update(Certificate)
        .where(Certificate.id == certificate.id, Certificate.status == CertificateStatus.VALID)
        .values(copies=Certificate.copies + 1, last_copy_at=now)
        .returning(Certificate.copies)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if copy is None:
        raise Conflict("A revoked certificate cannot be reissued.")
    session.refresh(certificate)
    record(
        session,
        actor,
        "certificate.reissue",
        target_type="certificate",
        target_id=certificate.serial,
        details={"user_id": certificate.user_id, "copy": copy},
    )
    return certificate


def verify(session: Session, *, verify_code: str) -> PublicCheck:
    """The public check behind the QR code: one row, and only what the page may show."""
    if not verify_code or len(verify_code) > MAX_CODE:
        raise NotFound("No certificate has this verification code.")
    row = session.execute(
        select(
            Certificate.full_name,
            Certificate.course_title_vi,
            Certificate.course_title_en,
            Certificate.completed_at,
            Certificate.status,
            Certificate.copies,
        ).where(Certificate.verify_code == verify_code)
    ).one_or_none()
    if row is None:
        raise NotFound("No certificate has this verification code.")
    return PublicCheck(*row)


def certificate_file(session: Session, actor: Actor, *, certificate_id: int, public_url: str) -> PdfFile:
    """The certificate as a PDF, as it stands now (a certified copy after a reissue, marked
    revoked after a revocation)."""
    certificate, unit = _readable(session, actor, certificate_id)
    data = pdf.certificate_pdf(
        certificate, unit_name=unit.name, verify_url=verification_url(public_url, certificate.verify_code)
    )
    return PdfFile(f"giay-chung-nhan-{certificate.serial}.pdf", data)
