"""create_app(): routers, middleware, static files and error handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from app.api import admin as api_admin
from app.api import certificates as api_certificates
from app.api import class_quizzes as api_class_quizzes
from app.api import classrooms as api_classrooms
from app.api import course_admin as api_course_admin
from app.api import courses as api_courses
from app.api import errors as api_errors
from app.api import exports as api_exports
from app.api import health as api_health
from app.api import notifications as api_notifications
from app.api import people as api_people
from app.api import quizzes as api_quizzes
from app.api import reports as api_reports
from app.api import training_hours as api_training_hours
from app.config import ROOT, get_settings
from app.db import transaction
from app.http import errors as http_errors
from app.http.limits import BodySizeLimit
from app.http.requestlog import RequestLog
from app.http.routing import UnitOfWorkRoute
from app.http.security import SecurityHeaders
from app.jobs.worker import Worker
from app.web import accounts as web_accounts
from app.web import admin as web_admin
from app.web import certificates as web_certificates
from app.web import class_dashboard, class_quizzes, learning, site
from app.web import classrooms as web_classrooms
from app.web import course_admin as web_course_admin
from app.web import courses as web_courses
from app.web import errors as web_errors
from app.web import jobs as web_jobs
from app.web import notifications as web_notifications
from app.web import officers as web_officers
from app.web import passwords as web_passwords
from app.web import quizzes as web_quizzes
from app.web import report_exports as web_report_exports
from app.web import reports as web_reports
from app.web import requirements as web_requirements

DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Học Số API</title>
<link rel="stylesheet" href="/docs-assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs-assets/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script></body></html>"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Runs background jobs in this process when HOCSO_JOBS_IN_PROCESS is on."""
    settings = get_settings()
    worker = Worker(transaction, settings) if settings.jobs_in_process else None
    if worker is not None:
        worker.start()
    try:
        yield
    finally:
        if worker is not None:
            worker.stop()


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(
        lifespan=lifespan,
        title="Học Số API",
        version="1",
        description="Digital-skills training for Vietnamese public officers.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    # Routes added to the app itself (tests add their own) commit as the routers' routes do.
    app.router.route_class = UnitOfWorkRoute
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes)
    app.add_middleware(SecurityHeaders)
    # Outermost of ours, so refused bodies and security headers are logged with the request.
    app.add_middleware(RequestLog)
    app.mount("/static", StaticFiles(directory=ROOT / "app" / "static"), name="static")
    app.mount("/docs-assets", StaticFiles(directory=swagger_ui_path), name="docs_assets")

    @app.get("/docs", include_in_schema=False, name="api_docs_page")
    def api_docs_page() -> HTMLResponse:
        # Swagger UI served from the installed package: the page loads nothing from another host.
        return HTMLResponse(DOCS_PAGE)

    app.include_router(api_courses.router)
    app.include_router(api_people.router)
    app.include_router(api_admin.router)
    app.include_router(api_classrooms.router)
    app.include_router(api_notifications.router)
    app.include_router(api_quizzes.router)
    app.include_router(api_class_quizzes.router)
    app.include_router(api_course_admin.router)
    app.include_router(api_health.router)
    app.include_router(api_certificates.router)
    app.include_router(api_reports.router)
    app.include_router(api_training_hours.router)
    app.include_router(api_exports.router)
    app.include_router(site.router)
    app.include_router(web_courses.router)
    app.include_router(web_accounts.router)
    app.include_router(web_passwords.router)
    app.include_router(web_officers.router)
    app.include_router(web_admin.router)
    app.include_router(web_classrooms.router)
    app.include_router(class_dashboard.router)
    app.include_router(class_quizzes.router)
    app.include_router(web_course_admin.router)
    app.include_router(learning.router)
    app.include_router(web_notifications.router)
    app.include_router(web_quizzes.router)
    app.include_router(web_certificates.router)
    app.include_router(web_report_exports.router)
    app.include_router(web_reports.router)
    app.include_router(web_requirements.router)
    app.include_router(web_jobs.router)
    http_errors.install(app, api_prefix="/api/", api=api_errors.respond, pages=web_errors.respond)
    app.state.settings = settings
    return app
