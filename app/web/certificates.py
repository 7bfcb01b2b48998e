"""Certificate and transcript pages: my certificates, the certificate PDF, revoke and reissue
forms for staff, the transcript (page and PDF), and the public verification page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.certificates import service as certificates
from app.certificates import transcript as transcripts
from app.certificates import transcript_pdf
from app.config import get_settings
from app.db import utcnow
from app.http.downloads import disposition
from app.http.routing import UnitOfWorkRoute
from app.http.session import SessionDep
from app.web.auth import CsrfDep, LoggedInDep, redirect_with_flash
from app.web.templating import render

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)


def _pdf(file: certificates.PdfFile) -> Response:
    return Response(
        file.data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": disposition(file.filename, inline=True),
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/me/certificates", response_class=HTMLResponse, name="my_certificates_page")
def my_certificates_page(request: Request, session: SessionDep, actor: LoggedInDep) -> HTMLResponse:
    found = certificates.my_certificates(session, actor)
    public_url = get_settings().public_url
    links = {c.id: certificates.verification_url(public_url, c.verify_code) for c in found}
    return render(request, "certificates/mine.html", {"certificates": found, "links": links})


@router.get("/certificates/{certificate_id}.pdf", name="certificate_pdf")
def certificate_pdf(session: SessionDep, actor: LoggedInDep, certificate_id: int) -> Response:
    file = certificates.certificate_file(
        session, actor, certificate_id=certificate_id, public_url=get_settings().public_url
    )
    return _pdf(file)


@router.post(
    "/certificates/{certificate_id}/revoke", name="certificate_revoke_submit", dependencies=[CsrfDep]
)
def certificate_revoke_submit(
    session: SessionDep,
    actor: LoggedInDep,
    certificate_id: int,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    done = certificates.revoke(session, actor, certificate_id=certificate_id, reason=reason, now=utcnow())
    return redirect_with_flash(f"/officers/{done.user_id}", "The certificate has been revoked.")


@router.post(
    "/certificates/{certificate_id}/reissue", name="certificate_reissue_submit", dependencies=[CsrfDep]
)
def certificate_reissue_submit(
    session: SessionDep, actor: LoggedInDep, certificate_id: int
) -> RedirectResponse:
    done = certificates.reissue(session, actor, certificate_id=certificate_id, now=utcnow())
    return redirect_with_flash(
        f"/officers/{done.user_id}",
        "A certified copy number %(copy)d has been issued.",
        params={"copy": done.copies},
    )


@router.get("/me/transcript", response_class=HTMLResponse, name="my_transcript_page")
def my_transcript_page(request: Request, session: SessionDep, actor: LoggedInDep) -> HTMLResponse:
    found = transcripts.my_transcript(session, actor)
    return render(request, "certificates/transcript.html", {"transcript": found, "pdf": "/me/transcript.pdf"})


@router.get("/me/transcript.pdf", name="my_transcript_pdf")
def my_transcript_pdf(session: SessionDep, actor: LoggedInDep) -> Response:
    return _pdf(transcript_pdf.transcript_file(session, actor, user_id=None))


@router.get("/officers/{user_id}/transcript", response_class=HTMLResponse, name="officer_transcript_page")
def officer_transcript_page(
    request: Request, session: SessionDep, actor: LoggedInDep, user_id: int
) -> HTMLResponse:
    found = transcripts.transcript(session, actor, user_id=user_id)
    return render(
        request,
        "certificates/transcript.html",
        {"transcript": found, "pdf": f"/officers/{user_id}/transcript.pdf", "staff": True},
    )


@router.get("/officers/{user_id}/transcript.pdf", name="officer_transcript_pdf")
def officer_transcript_pdf(session: SessionDep, actor: LoggedInDep, user_id: int) -> Response:
    return _pdf(transcript_pdf.transcript_file(session, actor, user_id=user_id))


@router.get("/verify/{verify_code}", response_class=HTMLResponse, name="verify_page")
def verify_page(request: Request, session: SessionDep, verify_code: str) -> HTMLResponse:
    """Public: no login and no session row is read, only the certificate's row."""
    check = certificates.verify(session, verify_code=verify_code)
    response = render(request, "certificates/verify.html", {"check": check})
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Cache-Control"] = "no-cache"
    return response
