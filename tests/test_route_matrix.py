"""Every route of the app, requested by every kind of person, with the outcome each must get.

The table is checked against the app's route table: a new route without a row here fails the
suite, so nothing ships without a decision about who may use it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import start_session
from app.accounts.roster_uploads import stage_upload
from app.accounts.tokens import create_token
from app.certificates.issuing import issue_for_cycle
from app.classrooms import service as classes
from app.courses import service as courses
from app.courses.models import Course
from app.courses.uploads import stage_upload as stage_course_upload
from app.db import utcnow
from app.http.auth import SESSION_COOKIE
from app.http.downloads import export_sessions
from app.jobs.models import Job, JobChunk
from app.main import create_app
from app.orgs.models import RoleGrant
from app.orgs.permissions import SYSTEM
from app.quizzes import attempts as quiz_attempts
from app.reports import requirements
from app.rounds.models import ProgressCycle
from tests.factories import write_course, zip_folder
from tests.reports.data import bound_sessions
from tests.world import World

ROSTER = "Mã cán bộ;Họ và tên;Đơn vị\nMOI1;Đỗ Thị Mới;SA\n".encode()
WHO = ("anonymous", "officer", "coordinator", "other_coordinator", "hr", "admin")
ALL_OK = dict.fromkeys(WHO, 200)

# anonymous, officer (unit B, no role), coordinator of unit A, coordinator of unit B,
# HR of unit A, admin of the whole tree. Targets live in unit A.
ONLY_ADMIN_PAGE = {
    "anonymous": 303,
    "officer": 403,
    "coordinator": 403,
    "other_coordinator": 403,
    "hr": 403,
    "admin": 200,
}
ADMIN_FORM_IN_A = {
    "anonymous": 403,
    "officer": 404,
    "coordinator": 403,
    "other_coordinator": 404,
    "hr": 403,
    "admin": 303,
}
# Classes belong to the coordinator's unit A; HR of unit A sees it but may not manage classes.
CLASS_FORM = {
    "anonymous": 403,
    "officer": 404,
    "coordinator": 303,
    "other_coordinator": 404,
    "hr": 403,
    "admin": 303,
}
NOT_YOURS = dict.fromkeys(WHO, 404)
CLASS_PAGE = {**CLASS_FORM, "anonymous": 303, "coordinator": 200, "admin": 200}
CLASS_API = {**CLASS_FORM, "anonymous": 401, "coordinator": 200, "admin": 200}
JOIN = {
    "anonymous": 401,
    "officer": 404,
    "coordinator": 200,
    "other_coordinator": 404,
    "hr": 200,
    "admin": 404,
}
API_ADMIN_WRITE = {**ADMIN_FORM_IN_A, "anonymous": 401, "admin": 200}
# Courses are shared by the whole site: every coordinator and admin manages every course.
COURSE_MANAGERS = {
    "anonymous": 403,
    "officer": 403,
    "coordinator": 200,
    "other_coordinator": 200,
    "hr": 403,
    "admin": 200,
}
COURSE_FORM = {**COURSE_MANAGERS, "coordinator": 303, "other_coordinator": 303, "admin": 303}
COURSE_API = {**COURSE_MANAGERS, "anonymous": 401}
# The officer of unit A's record, certificate and transcript: staff of unit A and the admin.
OFFICER_RECORD = {
    "anonymous": 303,
    "officer": 404,
    "coordinator": 200,
    "other_coordinator": 404,
    "hr": 200,
    "admin": 200,
}
OFFICER_RECORD_API = {**OFFICER_RECORD, "anonymous": 401}
# Coordinators, HR and admins of unit A manage its certificates.
CERTIFICATE_FORM = {**OFFICER_RECORD, "anonymous": 403, "coordinator": 303, "hr": 303, "admin": 303}
MINE = {**ALL_OK, "anonymous": 303}
MINE_API = {**ALL_OK, "anonymous": 401}
# Reports: everyone with a role reads them over their own units; unit A's are not unit B's.
REPORTS = {
    "anonymous": 303,
    "officer": 403,
    "coordinator": 200,
    "other_coordinator": 200,
    "hr": 200,
    "admin": 200,
}
REPORTS_OF_A = {**REPORTS, "officer": 404, "other_coordinator": 404}
REPORTS_API = {**REPORTS, "anonymous": 401}
REPORTS_API_OF_A = {**REPORTS_OF_A, "anonymous": 401}
# Training-hours requirements apply to the whole site and only admins set them.
REQUIREMENT_FORM = {**dict.fromkeys(WHO, 403), "admin": 303}
REQUIREMENT_API = {**dict.fromkeys(WHO, 403), "anonymous": 401}
EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/reports"): REPORTS,
    ("GET", "/reports/units"): REPORTS,
    ("GET", "/reports/units/{unit_id}"): REPORTS_OF_A,
    ("GET", "/reports/units/{unit_id}/officers"): REPORTS_OF_A,
    ("GET", "/reports/courses"): REPORTS,
    ("GET", "/reports/classes"): REPORTS,
    ("GET", "/reports/categories"): REPORTS,
    ("GET", "/reports/months"): REPORTS,
    ("GET", "/reports/hours"): REPORTS,
    ("GET", "/reports/hours/shortfalls"): REPORTS,
    ("GET", "/reports/hours/{unit_id}"): REPORTS_OF_A,
    ("GET", "/admin/requirements"): ONLY_ADMIN_PAGE,
    ("POST", "/admin/requirements"): REQUIREMENT_FORM,
    ("POST", "/admin/requirements/delete"): REQUIREMENT_FORM,
    ("GET", "/api/v1/reports/completion/units"): REPORTS_API,
    ("GET", "/api/v1/reports/completion/units/{unit_id}/officers"): REPORTS_API_OF_A,
    ("GET", "/api/v1/reports/completion/courses"): REPORTS_API,
    ("GET", "/api/v1/reports/completion/classes"): REPORTS_API,
    ("GET", "/api/v1/reports/completion/categories"): REPORTS_API,
    ("GET", "/api/v1/reports/completion/months"): REPORTS_API,
    ("GET", "/api/v1/reports/hours/units"): REPORTS_API,
    ("GET", "/api/v1/reports/hours/shortfalls"): REPORTS_API,
    ("GET", "/api/v1/training-requirements"): REPORTS_API,
    ("PUT", "/api/v1/training-requirements/{year}/{category}"): {**REQUIREMENT_API, "admin": 200},
    ("DELETE", "/api/v1/training-requirements/{year}/{category}"): {**REQUIREMENT_API, "admin": 204},
    ("GET", "/"): ALL_OK,
    ("GET", "/courses/{slug}"): ALL_OK,
    ("GET", "/courses/{slug}/lessons/{lesson}"): ALL_OK,
    ("GET", "/courses/{slug}/media/{path:path}"): ALL_OK,
    ("GET", "/api/v1/courses"): ALL_OK,
    ("GET", "/api/v1/courses/{slug}"): ALL_OK,
    ("GET", "/api/v1/courses/{slug}/lessons/{lesson}"): ALL_OK,
    ("GET", "/docs"): ALL_OK,
    ("GET", "/openapi.json"): ALL_OK,
    ("GET", "/lang/{code}"): dict.fromkeys(WHO, 303),
    ("GET", "/login"): ALL_OK,
    ("GET", "/home"): dict.fromkeys(WHO, 303),
    ("POST", "/login"): dict.fromkeys(WHO, 401),
    ("POST", "/logout"): dict.fromkeys(WHO, 303),
    ("GET", "/activate"): ALL_OK,
    ("GET", "/password/forgot"): ALL_OK,
    ("POST", "/password/forgot"): ALL_OK,
    ("GET", "/password/reset"): ALL_OK,
    ("POST", "/password/reset"): dict.fromkeys(WHO, 303),
    ("POST", "/activate"): dict.fromkeys(WHO, 303),
    ("GET", "/account"): {**dict.fromkeys(WHO, 200), "anonymous": 303},
    ("POST", "/account/sessions/end-others"): {**dict.fromkeys(WHO, 303), "anonymous": 403},
    ("POST", "/account/password"): {**dict.fromkeys(WHO, 303), "anonymous": 403},
    ("GET", "/officers"): {
        "anonymous": 303,
        "officer": 403,
        "coordinator": 200,
        "other_coordinator": 200,
        "hr": 200,
        "admin": 200,
    },
    ("GET", "/officers/{user_id}"): {
        "anonymous": 303,
        "officer": 404,
        "coordinator": 200,
        "other_coordinator": 404,
        "hr": 200,
        "admin": 200,
    },
    ("POST", "/officers/{user_id}"): {
        "anonymous": 403,
        "officer": 404,
        "coordinator": 403,
        "other_coordinator": 404,
        "hr": 303,
        "admin": 303,
    },
    ("POST", "/officers/{user_id}/move"): {
        "anonymous": 403,
        "officer": 404,
        "coordinator": 403,
        "other_coordinator": 404,
        "hr": 303,
        "admin": 303,
    },
    ("POST", "/officers/activation-codes"): {
        "anonymous": 403,
        "officer": 403,
        "coordinator": 200,
        "other_coordinator": 404,
        "hr": 200,
        "admin": 200,
    },
    ("GET", "/officers/import"): {
        "anonymous": 303,
        "officer": 403,
        "coordinator": 403,
        "other_coordinator": 403,
        "hr": 200,
        "admin": 200,
    },
    ("POST", "/officers/import"): {
        "anonymous": 403,
        "officer": 403,
        "coordinator": 403,
        "other_coordinator": 403,
        "hr": 303,
        "admin": 303,
    },
    # A staged roster is its uploader's alone, at every step; what it did is shown once it is imported.
    ("GET", "/officers/import/{upload_id}"): {
        "anonymous": 303,
        "officer": 403,
        "coordinator": 403,
        "other_coordinator": 403,
        "hr": 200,
        "admin": 404,
    },
    ("GET", "/officers/import/{upload_id}/columns"): {
        "anonymous": 303,
        "officer": 403,
        "coordinator": 403,
        "other_coordinator": 403,
        "hr": 200,
        "admin": 404,
    },
    ("POST", "/officers/import/{upload_id}/columns"): {
        "anonymous": 403,
        "officer": 403,
        "coordinator": 403,
        "other_coordinator": 403,
        "hr": 303,
        "admin": 404,
    },
    ("GET", "/officers/import/{upload_id}/done"): {
        "anonymous": 303,
        "officer": 403,
        "coordinator": 403,
        "other_coordinator": 403,
        "hr": 404,
        "admin": 404,
    },
    # The preview belongs to the HR officer who uploaded it; not even an admin confirms it for them.
    ("POST", "/officers/import/{upload_id}/apply"): {
        "anonymous": 403,
        "officer": 403,
        "coordinator": 403,
        "other_coordinator": 403,
        "hr": 303,
        "admin": 404,
    },
    ("GET", "/admin"): ONLY_ADMIN_PAGE,
    ("GET", "/admin/units"): ONLY_ADMIN_PAGE,
    ("GET", "/admin/units/{unit_id}"): ONLY_ADMIN_PAGE,
    ("POST", "/admin/units"): ADMIN_FORM_IN_A,
    ("POST", "/admin/units/{unit_id}/rename"): ADMIN_FORM_IN_A,
    ("POST", "/admin/units/{unit_id}/move"): ADMIN_FORM_IN_A,
    ("POST", "/admin/units/{unit_id}/merge"): ADMIN_FORM_IN_A,
    ("POST", "/admin/units/{unit_id}/close"): ADMIN_FORM_IN_A,
    ("GET", "/admin/roles"): ONLY_ADMIN_PAGE,
    ("POST", "/admin/roles"): ADMIN_FORM_IN_A,
    ("POST", "/admin/roles/{grant_id}/revoke"): ADMIN_FORM_IN_A,
    ("GET", "/admin/audit"): ONLY_ADMIN_PAGE,
    ("GET", "/admin/tokens"): ONLY_ADMIN_PAGE,
    ("POST", "/admin/tokens"): {**ADMIN_FORM_IN_A, "admin": 200},
    ("POST", "/admin/tokens/{token_id}/revoke"): ADMIN_FORM_IN_A,
    ("GET", "/admin/courses"): {**COURSE_MANAGERS, "anonymous": 303},
    ("POST", "/admin/courses/upload"): COURSE_MANAGERS,
    # The upload belongs to the coordinator who previewed it; nobody else imports it for them.
    ("POST", "/admin/courses/uploads/{course_upload_id}/import"): {
        **COURSE_FORM,
        "other_coordinator": 404,
        "admin": 404,
    },
    ("POST", "/admin/courses/{slug}/publish"): COURSE_FORM,
    ("POST", "/admin/courses/{slug}/unpublish"): COURSE_FORM,
    ("GET", "/api/v1/admin/courses"): COURSE_API,
    ("POST", "/api/v1/admin/courses"): COURSE_API,
    ("POST", "/api/v1/admin/courses/{slug}/publish"): COURSE_API,
    ("POST", "/api/v1/admin/courses/{slug}/unpublish"): COURSE_API,
    ("GET", "/learning"): {**ALL_OK, "anonymous": 303},
    ("POST", "/courses/{slug}/lessons/{lesson}/complete"): {**dict.fromkeys(WHO, 303), "anonymous": 403},
    ("POST", "/courses/{slug}/retake"): {**dict.fromkeys(WHO, 303), "anonymous": 403},
    ("GET", "/classes"): {
        "anonymous": 303,
        "officer": 403,
        "coordinator": 200,
        "other_coordinator": 200,
        "hr": 403,
        "admin": 200,
    },
    ("POST", "/classes"): CLASS_FORM,
    ("GET", "/classes/{classroom_id}"): CLASS_PAGE,
    ("POST", "/classes/{classroom_id}/preview"): {**CLASS_FORM, "coordinator": 200, "admin": 200},
    ("POST", "/classes/{classroom_id}/assign"): CLASS_FORM,
    ("POST", "/classes/{classroom_id}/withdraw"): CLASS_FORM,
    ("POST", "/classes/{classroom_id}/batches/{batch_id}/undo"): CLASS_FORM,
    ("POST", "/classes/{classroom_id}/status"): CLASS_FORM,
    ("GET", "/classes/{classroom_id}/edit"): CLASS_PAGE,
    ("POST", "/classes/{classroom_id}/edit"): CLASS_FORM,
    ("GET", "/classes/{classroom_id}/find"): CLASS_PAGE,
    ("GET", "/classes/{classroom_id}/roster.csv"): CLASS_PAGE,
    ("POST", "/classes/{classroom_id}/remind"): CLASS_FORM,
    ("POST", "/classes/{classroom_id}/mail/retry"): CLASS_FORM,
    # The class of unit A allows self-enrolment: people of unit A may join, nobody else sees it.
    ("POST", "/learning/classes/{classroom_id}/join"): {
        **JOIN,
        "anonymous": 403,
        "coordinator": 303,
        "hr": 303,
    },
    ("GET", "/notifications"): {**ALL_OK, "anonymous": 303},
    ("GET", "/classes/{classroom_id}/quizzes"): CLASS_PAGE,
    ("POST", "/classes/{classroom_id}/quizzes/{quiz_id}/settings"): CLASS_FORM,
    ("GET", "/classes/{classroom_id}/quizzes/{quiz_id}/analysis"): CLASS_PAGE,
    ("GET", "/classes/{classroom_id}/quizzes/{quiz_id}/analysis.csv"): CLASS_PAGE,
    ("GET", "/api/v1/classes/{classroom_id}/quizzes"): CLASS_API,
    ("PUT", "/api/v1/classes/{classroom_id}/quizzes/{quiz_id}/settings"): CLASS_API,
    ("GET", "/api/v1/classes/{classroom_id}/quizzes/{quiz_id}/analysis"): CLASS_API,
    # Anyone may read about a quiz and, logged in, take it; an attempt is its taker's alone (the
    # target attempt is the officer of unit A's, who is none of these callers).
    ("GET", "/courses/{slug}/quizzes/{quiz}"): ALL_OK,
    ("POST", "/courses/{slug}/quizzes/{quiz}/start"): {**dict.fromkeys(WHO, 303), "anonymous": 403},
    ("GET", "/attempts/{attempt_id}"): {**NOT_YOURS, "anonymous": 303},
    ("POST", "/attempts/{attempt_id}/save"): {**NOT_YOURS, "anonymous": 403},
    ("POST", "/attempts/{attempt_id}/submit"): {**NOT_YOURS, "anonymous": 403},
    ("POST", "/api/v1/courses/{slug}/quizzes/{quiz}/attempts"): {**ALL_OK, "anonymous": 401},
    ("GET", "/api/v1/attempts/{attempt_id}"): {**NOT_YOURS, "anonymous": 401},
    ("PUT", "/api/v1/attempts/{attempt_id}/answers"): {**NOT_YOURS, "anonymous": 401},
    ("POST", "/api/v1/attempts/{attempt_id}/submit"): {**NOT_YOURS, "anonymous": 401},
    ("GET", "/api/v1/attempts/{attempt_id}/review"): {**NOT_YOURS, "anonymous": 401},
    ("POST", "/notifications/read"): {**dict.fromkeys(WHO, 303), "anonymous": 403},
    ("PUT", "/api/v1/classes/{classroom_id}"): CLASS_API,
    ("GET", "/api/v1/me/open-classes"): {**ALL_OK, "anonymous": 401},
    ("POST", "/api/v1/classes/{classroom_id}/join"): {**JOIN, "anonymous": 401},
    ("POST", "/api/v1/classes/{classroom_id}/reminders"): CLASS_API,
    ("GET", "/api/v1/classes/{classroom_id}/outbox"): CLASS_API,
    ("GET", "/api/v1/me/notifications"): {**ALL_OK, "anonymous": 401},
    ("POST", "/api/v1/me/notifications/read"): {**ALL_OK, "anonymous": 401},
    ("GET", "/api/v1/me"): {**ALL_OK, "anonymous": 401},
    ("GET", "/api/v1/me/learning"): {**ALL_OK, "anonymous": 401},
    ("GET", "/api/v1/classes"): {
        "anonymous": 401,
        "officer": 403,
        "coordinator": 200,
        "other_coordinator": 200,
        "hr": 403,
        "admin": 200,
    },
    ("GET", "/api/v1/classes/{classroom_id}/roster"): {
        **CLASS_FORM,
        "anonymous": 401,
        "coordinator": 200,
        "admin": 200,
    },
    ("POST", "/api/v1/classes/{classroom_id}/assignments"): {
        **CLASS_FORM,
        "anonymous": 401,
        "coordinator": 200,
        "admin": 200,
    },
    ("POST", "/api/v1/roster-imports"): {
        "anonymous": 401,
        "officer": 403,
        "coordinator": 403,
        "other_coordinator": 403,
        "hr": 200,
        "admin": 200,
    },
    ("POST", "/api/v1/activation-codes"): {
        "anonymous": 401,
        "officer": 403,
        "coordinator": 200,
        "other_coordinator": 404,
        "hr": 200,
        "admin": 200,
    },
    ("POST", "/api/v1/units"): {**API_ADMIN_WRITE, "admin": 201},
    ("POST", "/api/v1/units/{unit_id}/{change}"): API_ADMIN_WRITE,
    ("GET", "/api/v1/grants"): {**ONLY_ADMIN_PAGE, "anonymous": 401},
    ("POST", "/api/v1/grants"): {**API_ADMIN_WRITE, "admin": 201},
    ("DELETE", "/api/v1/grants/{grant_id}"): {**API_ADMIN_WRITE, "admin": 204},
    ("GET", "/api/v1/audit-events"): {**ONLY_ADMIN_PAGE, "anonymous": 401},
    ("GET", "/api/v1/units"): {**ALL_OK, "anonymous": 401},
    ("GET", "/api/v1/officers"): {
        "anonymous": 401,
        "officer": 403,
        "coordinator": 200,
        "other_coordinator": 200,
        "hr": 200,
        "admin": 200,
    },
    ("GET", "/me/certificates"): MINE,
    ("GET", "/me/transcript"): MINE,
    ("GET", "/me/transcript.pdf"): MINE,
    ("GET", "/certificates/{certificate_id}.pdf"): OFFICER_RECORD,
    ("GET", "/officers/{user_id}/transcript"): OFFICER_RECORD,
    ("GET", "/officers/{user_id}/transcript.pdf"): OFFICER_RECORD,
    # The coordinator revokes first; HR and the admin are sent back to the form with the conflict.
    ("POST", "/certificates/{certificate_id}/revoke"): CERTIFICATE_FORM,
    ("POST", "/certificates/{certificate_id}/reissue"): CERTIFICATE_FORM,
    ("GET", "/verify/{verify_code}"): ALL_OK,
    ("GET", "/api/v1/me/certificates"): MINE_API,
    ("GET", "/api/v1/me/transcript"): MINE_API,
    ("GET", "/api/v1/officers/{user_id}/transcript"): OFFICER_RECORD_API,
    ("GET", "/api/v1/certificates/{certificate_id}.pdf"): OFFICER_RECORD_API,
    ("POST", "/api/v1/certificates/{certificate_id}/reissue"): OFFICER_RECORD_API,
    # The coordinator revokes first; a second revocation is a conflict.
    ("POST", "/api/v1/certificates/{certificate_id}/revoke"): {**OFFICER_RECORD_API, "hr": 409, "admin": 409},
    # Exports: people with a role read their own units; a background export is its requester's
    # alone (the target job is HR of unit A's).
    ("GET", "/exports/enrolments"): {**ALL_OK, "anonymous": 303, "officer": 403},
    ("POST", "/exports/enrolments"): {
        "anonymous": 403,
        "officer": 403,
        "coordinator": 303,
        "other_coordinator": 404,
        "hr": 303,
        "admin": 303,
    },
    ("GET", "/exports"): {**ALL_OK, "anonymous": 303},
    ("GET", "/exports/{job_id}/download"): {**NOT_YOURS, "anonymous": 303, "hr": 200},
    ("POST", "/api/v1/exports"): {
        "anonymous": 401,
        "officer": 403,
        "coordinator": 201,
        "other_coordinator": 404,
        "hr": 201,
        "admin": 201,
    },
    ("GET", "/api/v1/exports/{job_id}"): {**NOT_YOURS, "anonymous": 401, "hr": 200},
    ("GET", "/api/v1/exports/{job_id}/download"): {**NOT_YOURS, "anonymous": 401, "hr": 200},
    ("GET", "/api/v1/reports/enrolments.csv"): {**ALL_OK, "anonymous": 401, "officer": 403},
    ("GET", "/api/v1/reports/enrolments.xlsx"): {**ALL_OK, "anonymous": 401, "officer": 403},
    # Health checks for load balancers: public.
    ("GET", "/healthz"): ALL_OK,
    ("GET", "/readyz"): ALL_OK,
    # Any report as a file: the page's rights (the target report is completion by course).
    ("GET", "/reports/export/{report}.csv"): REPORTS,
    ("GET", "/reports/export/{report}.xlsx"): REPORTS,
    ("POST", "/reports/export/{report}"): {
        "anonymous": 403,
        "officer": 404,
        "coordinator": 303,
        "other_coordinator": 404,
        "hr": 303,
        "admin": 303,
    },
    ("GET", "/api/v1/reports/export/{report}.csv"): REPORTS_API,
    ("GET", "/api/v1/reports/export/{report}.xlsx"): REPORTS_API,
    ("GET", "/api/v1/officers/{user_id}"): {
        "anonymous": 401,
        "officer": 404,
        "coordinator": 200,
        "other_coordinator": 404,
        "hr": 200,
        "admin": 200,
    },
}


def app_routes() -> set[tuple[str, str]]:
    """(method, path) of every endpoint, including those of included routers."""
    found = set()
    for route in create_app().routes:
        contexts = route.effective_route_contexts() if hasattr(route, "effective_route_contexts") else [route]
        for context in contexts:
            for method in (getattr(context, "methods", None) or set()) - {"HEAD"}:
                found.add((method, str(getattr(context, "path", ""))))
    return found


def test_every_route_has_an_expected_outcome_for_everyone() -> None:
    assert app_routes() == set(EXPECTED)
    for outcomes in EXPECTED.values():
        assert set(outcomes) == set(WHO)


@pytest.fixture
def targets(session: Session, world: World, tmp_path: Path) -> dict[str, str]:
    courses.import_course_dir(session, write_course(tmp_path), max_asset_bytes=1 << 20)
    grant = session.scalar(select(RoleGrant).where(RoleGrant.user_id == world.coord_a.id))
    assert grant is not None
    course_upload = stage_course_upload(
        session, world.actor(session, world.coord_a), filename="moi.zip", data=new_course_zip(tmp_path)
    )
    upload = stage_upload(
        session, world.actor(session, world.hr_a), filename="ds.csv", data=ROSTER, deactivate_missing=False
    )
    token, _secret = create_token(
        session, world.actor(session, world.admin), name="HRM", role="hr", unit_id=world.dept_a.id
    )
    coord = world.actor(session, world.coord_a)
    classroom = classes.create_class(
        session,
        coord,
        classes.ClassForm(
            code="L1",
            title="Lớp 1",
            course_slug="khoa-hoc-mau",
            owner_unit_id=world.dept_a.id,
            opens_on=date(2026, 9, 1),
            self_enrol=True,
        ),
    )
    batch = classes.assign(
        session, coord, classroom_id=classroom.id, target=classes.Target(unit_id=world.room_a.id)
    )
    attempt = quiz_attempts.start(
        session,
        world.actor(session, world.officer_a),
        course_slug="khoa-hoc-mau",
        quiz_slug="kiem-tra-mot",
        now=utcnow(),
    )
    # An earlier round of the course that officer A completed, with its certificate.
    done = ProgressCycle(
        user_id=world.officer_a.id, course_id=classroom.course_id, number=0, completed_at=utcnow()
    )
    session.add(done)
    session.flush()
    course = session.get_one(Course, classroom.course_id)
    certificate = issue_for_cycle(session, SYSTEM, course=course, cycle=done, now=utcnow())
    requirements.set_requirement(
        session, world.actor(session, world.admin), year=2026, category="vien_chuc", minutes=60
    )
    job = Job(
        kind="reports.enrolments",
        requester_id=world.hr_a.id,
        params={"filter": {}, "format": "csv", "language": "vi"},
        status="done",
        rows_done=0,
        attempts=1,
        filename="ghi-danh-2026-11-28.csv",
        media_type="text/csv; charset=utf-8",
        size_bytes=3,
        expires_at=utcnow() + timedelta(hours=1),
    )
    session.add(job)
    session.flush()
    session.add(JobChunk(job_id=job.id, seq=0, data=b"abc"))
    session.commit()
    return {
        "year": "2026",
        "category": "vien_chuc",
        "report": "courses",
        "job_id": str(job.id),
        "slug": "khoa-hoc-mau",
        "lesson": "bai-mot",
        "path:path": "m1/hinh/so-do.png",
        "code": "en",
        "user_id": str(world.officer_a.id),
        "unit_id": str(world.room_a.id),
        "grant_id": str(grant.id),
        "upload_id": str(upload.id),
        "course_upload_id": str(course_upload.upload_id),
        "token_id": str(token.id),
        "change": "rename",
        "classroom_id": str(classroom.id),
        "batch_id": str(batch.id),
        "quiz": "kiem-tra-mot",
        "quiz_id": str(attempt.quiz_id),
        "attempt_id": str(attempt.id),
        "certificate_id": str(certificate.id),
        "verify_code": certificate.verify_code,
    }


FILE_ROUTES = ("/officers/import", "/api/v1/roster-imports")
COURSE_FILE_ROUTES = ("/admin/courses/upload", "/api/v1/admin/courses")


def new_course_zip(folder: Path) -> bytes:
    return zip_folder(write_course(folder / "zip", slug="khoa-hoc-moi"), top="khoa-hoc-moi")


def json_for(path: str, world: World) -> dict[str, object]:
    bodies: dict[str, dict[str, object]] = {
        "/api/v1/activation-codes": {"user_ids": [world.officer_a.id]},
        "/api/v1/units": {
            "code": "API1",
            "name": "Tổ mới",
            "parent_id": world.room_a.id,
            "effective_on": "2026-07-01",
        },
        "/api/v1/units/{unit_id}/{change}": {"name": "Phòng mới", "effective_on": "2026-07-01"},
        "/api/v1/classes/{classroom_id}/assignments": {"unit_id": world.room_a.id},
        "/api/v1/classes/{classroom_id}": {
            "code": "L1",
            "title": "Lớp 1 (sửa)",
            "owner_unit_id": world.dept_a.id,
            "opens_on": "2026-09-01",
        },
        "/api/v1/classes/{classroom_id}/reminders": {"target": "not_started"},
        "/api/v1/attempts/{attempt_id}/answers": {"answers": {}},
        "/api/v1/grants": {"officer_code": "HVB", "role": "coordinator", "unit_id": world.room_a.id},
        "/api/v1/certificates/{certificate_id}/revoke": {"reason": "Cấp nhầm"},
        "/api/v1/training-requirements/{year}/{category}": {"minutes": 120},
        "/api/v1/exports": {"kind": "reports.enrolments", "params": {"unit_id": world.room_a.id}},
    }
    return bodies.get(path, {})


def form_for(path: str, world: World) -> dict[str, object]:
    forms: dict[str, dict[str, object]] = {
        "/login": {"account": "HVA", "password": "sai-mat-khau"},
        "/account/password": {"current": "sai", "password": "x", "password_again": "x"},
        "/password/forgot": {"account": "HVA"},
        "/password/reset": {"token": "khong-co", "password": "x", "password_again": "x"},
        "/activate": {
            "officer_code": "HVB",
            "code": "AAAA-BBBB-CCCC",
            "password": "x",
            "password_again": "x",
        },
        "/officers/{user_id}": {
            "full_name": "Nguyễn Văn Đức",
            "email": "duc@example.gov.vn",
            "active": "true",
        },
        "/officers/{user_id}/move": {"unit_id": world.dept_a.id, "effective_on": "2026-07-01"},
        "/officers/activation-codes": {"user_ids": [world.officer_a.id]},
        "/officers/import/{upload_id}/columns": {"field": ["officer_code", "full_name", "unit"]},
        "/admin/units": {
            "code": "MOI",
            "name": "Đơn vị mới",
            "parent_id": world.room_a.id,
            "effective_on": "2026-07-01",
        },
        "/admin/units/{unit_id}/rename": {"name": "Tên mới", "effective_on": "2026-07-01"},
        "/admin/units/{unit_id}/move": {"parent_id": world.dept_a.id, "effective_on": "2026-07-01"},
        "/admin/units/{unit_id}/merge": {"into_id": world.dept_a.id, "effective_on": "2026-07-01"},
        "/admin/units/{unit_id}/close": {"effective_on": "2026-07-01"},
        "/classes": {
            "code": "L2",
            "title": "Lớp 2",
            "course": "khoa-hoc-mau",
            "owner_unit_id": world.room_a.id,
            "opens_on": "2026-09-01",
        },
        "/classes/{classroom_id}/preview": {"unit_id": str(world.room_a.id)},
        "/classes/{classroom_id}/assign": {"unit_id": str(world.room_a.id)},
        "/classes/{classroom_id}/withdraw": {"user_ids": [world.officer_a.id], "reason": "nhầm lớp"},
        "/classes/{classroom_id}/status": {"status": "closed"},
        "/classes/{classroom_id}/edit": {
            "code": "L1",
            "title": "Lớp 1 (sửa)",
            "owner_unit_id": world.dept_a.id,
            "opens_on": "2026-09-01",
        },
        "/classes/{classroom_id}/remind": {"target": "not_started"},
        "/admin/tokens": {"name": "Hệ thống nhân sự", "role": "hr", "unit_id": world.room_a.id},
        "/admin/roles": {"officer_code": "HVB", "role": "coordinator", "unit_id": world.room_a.id},
        "/admin/courses/uploads/{course_upload_id}/import": {"publish": "true"},
        "/certificates/{certificate_id}/revoke": {"reason": "Cấp nhầm"},
        "/admin/requirements": {"year": "2026", "category": "cong_chuc", "hours": "8"},
        "/admin/requirements/delete": {"year": "2026", "category": "vien_chuc"},
        "/exports/enrolments": {"action": "background", "unit_id": str(world.room_a.id)},
        "/reports/export/{report}": {"format": "xlsx", "unit_id": str(world.room_a.id)},
    }
    return forms.get(path, {})


def person(world: World, who: str):  # type: ignore[no-untyped-def]
    return {
        "officer": world.officer_b,
        "coordinator": world.coord_a,
        "other_coordinator": world.coord_b,
        "hr": world.hr_a,
        "admin": world.admin,
    }.get(who)


@pytest.fixture
def as_who(client: TestClient, session: Session, world: World) -> Iterator[object]:
    # Streamed downloads read with sessions of their own, here on the test's connection.
    client.app.dependency_overrides[export_sessions] = lambda: bound_sessions(session)  # type: ignore[attr-defined]

    def log_in(who: str) -> TestClient:
        user = person(world, who)
        client.cookies.clear()
        if user is not None:
            client.cookies.set(
                SESSION_COOKIE, start_session(session, user, ip="127.0.0.1", user_agent="matrix")
            )
        return client

    yield log_in


@pytest.mark.parametrize(("method", "path"), sorted(EXPECTED))
def test_route_outcomes(  # type: ignore[no-untyped-def]
    method: str, path: str, as_who, targets: dict[str, str], world: World, tmp_path: Path
) -> None:
    url = re.sub(r"\{([^}]+)\}", lambda m: targets[m.group(1)], path)
    got = {}
    for who in WHO:
        client: TestClient = as_who(who)
        if method == "GET":
            response = client.get(url)
            got[who] = response.status_code
            continue
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        files = {"file": ("ds.csv", ROSTER, "text/csv")} if path in FILE_ROUTES else None
        if path in COURSE_FILE_ROUTES:
            files = {"file": ("moi.zip", new_course_zip(tmp_path / who), "application/zip")}
        if path.startswith("/api/"):
            headers = {"x-csrf-token": token.group(1)}
            body = json_for(path, world)
            if method == "DELETE":
                response = client.delete(url, headers=headers)
            elif method == "PUT":
                response = client.put(url, json=body, headers=headers)
            elif files:
                response = client.post(url, files=files, headers=headers)
            else:
                response = client.post(url, json=body, headers=headers)
        else:
            response = client.post(
                url, data={**form_for(path, world), "csrf_token": token.group(1)}, files=files
            )
        got[who] = response.status_code
    assert got == EXPECTED[(method, path)]


def test_forms_without_a_valid_csrf_token_are_refused(as_who, world: World) -> None:  # type: ignore[no-untyped-def]
    client: TestClient = as_who("admin")
    response = client.post("/admin/roles", data={**form_for("/admin/roles", world), "csrf_token": "forged"})
    assert response.status_code == 403
    client.get("/login")
    assert client.post("/logout").status_code == 403
