"""JSON endpoints for certificates and transcripts: the caller's own, an officer's transcript for
staff, revocation and reissue, and the certificate PDF."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from app.api.deps import LanguageDep, Reader, Writer
from app.api.errors import API_ERRORS, BODY_ERRORS, CONFLICT
from app.certificates import service as certificates
from app.certificates import transcript as transcripts
from app.certificates.models import Certificate
from app.certificates.schemas import CertificateRead, RevokeRequest, TranscriptRead
from app.config import get_settings
from app.db import utcnow
from app.http.downloads import disposition
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["certificates"], responses=API_ERRORS)


def _read(certificate: Certificate, lang: str) -> CertificateRead:
    url = certificates.verification_url(get_settings().public_url, certificate.verify_code)
    return CertificateRead.of(certificate, lang=lang, verify_url=url)


def pdf_response(file: certificates.PdfFile) -> Response:
    return Response(
        file.data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": disposition(file.filename),
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/me/certificates", response_model=list[CertificateRead])
def list_my_certificates(session: SessionDep, actor: Reader, lang: LanguageDep) -> list[CertificateRead]:
    return [_read(c, lang) for c in certificates.my_certificates(session, actor)]


@router.get("/me/transcript", response_model=TranscriptRead)
def get_my_transcript(session: SessionDep, actor: Reader, lang: LanguageDep) -> TranscriptRead:
    return TranscriptRead.of(transcripts.my_transcript(session, actor), lang=lang)


@router.get("/officers/{user_id}/transcript", response_model=TranscriptRead)
def get_officer_transcript(
    session: SessionDep, actor: Reader, lang: LanguageDep, user_id: int
) -> TranscriptRead:
    return TranscriptRead.of(transcripts.transcript(session, actor, user_id=user_id), lang=lang)


@router.post("/certificates/{certificate_id}/revoke", response_model=CertificateRead, responses=BODY_ERRORS)
def revoke_certificate(
    session: SessionDep, actor: Writer, lang: LanguageDep, certificate_id: int, body: RevokeRequest
) -> CertificateRead:
    revoked = certificates.revoke(
        session, actor, certificate_id=certificate_id, reason=body.reason, now=utcnow()
    )
    return _read(revoked, lang)


@router.post("/certificates/{certificate_id}/reissue", response_model=CertificateRead, responses=CONFLICT)
def reissue_certificate(
    session: SessionDep, actor: Writer, lang: LanguageDep, certificate_id: int
) -> CertificateRead:
    return _read(certificates.reissue(session, actor, certificate_id=certificate_id, now=utcnow()), lang)


@router.get(
    "/certificates/{certificate_id}.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def get_certificate_pdf(session: SessionDep, actor: Reader, certificate_id: int) -> Response:
    file = certificates.certificate_file(
        session, actor, certificate_id=certificate_id, public_url=get_settings().public_url
    )
    return pdf_response(file)
