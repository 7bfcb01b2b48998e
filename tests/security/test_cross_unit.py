"""Every route that takes an id in its path, pointed by people of unit A at the things of unit B.

Unit B's things must look exactly like things that do not exist (the same status as an id nobody
holds, 404 unless the caller's role is refused before any lookup), and the database must be
unchanged afterwards. The table is checked against the app's routes: a new route with an id in its
path fails here until someone decides what unit A's people get for unit B's ids."""

from __future__ import annotations

import re

import pytest

from tests.security.tenants import MISSING_ID, As, Tenants, snapshot
from tests.test_route_matrix import app_routes

PAGE_CALLERS = ("coordinator", "hr", "officer", "admin")
API_CALLERS = (*PAGE_CALLERS, "hr_token", "coordinator_token")
# Role checks that come before any lookup refuse every id alike, so they leak nothing.
ADMIN_ONLY = {"coordinator": 403, "hr": 403, "officer": 403, "hr_token": 403, "coordinator_token": 403}
NOT_A_PERSON = {"hr_token": 403, "coordinator_token": 403}
NOT_IMPORTER = {"coordinator": 403, "officer": 403}

# (method, path) -> outcomes differing from 404, per caller of unit A.
CROSS_UNIT: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/reports/units/{unit_id}"): {},
    ("GET", "/reports/units/{unit_id}/officers"): {},
    ("GET", "/reports/hours/{unit_id}"): {},
    ("GET", "/api/v1/reports/completion/units/{unit_id}/officers"): {},
    ("GET", "/officers/{user_id}"): {},
    ("POST", "/officers/{user_id}"): {},
    ("POST", "/officers/{user_id}/move"): {},
    ("GET", "/api/v1/officers/{user_id}"): {},
    ("POST", "/officers/import/{upload_id}/apply"): NOT_IMPORTER,
    ("GET", "/officers/import/{upload_id}"): NOT_IMPORTER,
    ("GET", "/officers/import/{upload_id}/columns"): NOT_IMPORTER,
    ("POST", "/officers/import/{upload_id}/columns"): NOT_IMPORTER,
    ("GET", "/officers/import/{upload_id}/done"): NOT_IMPORTER,
    ("GET", "/admin/units/{unit_id}"): ADMIN_ONLY,
    ("POST", "/admin/units/{unit_id}/rename"): {},
    ("POST", "/admin/units/{unit_id}/move"): {},
    ("POST", "/admin/units/{unit_id}/merge"): {},
    ("POST", "/admin/units/{unit_id}/close"): {},
    ("POST", "/api/v1/units/{unit_id}/{change}"): {},
    ("POST", "/admin/roles/{grant_id}/revoke"): {},
    ("DELETE", "/api/v1/grants/{grant_id}"): {},
    ("POST", "/admin/tokens/{token_id}/revoke"): {},
    ("POST", "/admin/courses/uploads/{course_upload_id}/import"): {"hr": 403, "officer": 403},
    ("GET", "/classes/{classroom_id}"): {},
    ("POST", "/classes/{classroom_id}/preview"): {},
    ("POST", "/classes/{classroom_id}/assign"): {},
    ("POST", "/classes/{classroom_id}/withdraw"): {},
    ("POST", "/classes/{classroom_id}/batches/{batch_id}/undo"): {},
    ("POST", "/classes/{classroom_id}/status"): {},
    ("GET", "/classes/{classroom_id}/edit"): {},
    ("POST", "/classes/{classroom_id}/edit"): {},
    ("GET", "/classes/{classroom_id}/find"): {},
    ("GET", "/classes/{classroom_id}/roster.csv"): {},
    ("POST", "/classes/{classroom_id}/remind"): {},
    ("POST", "/classes/{classroom_id}/mail/retry"): {},
    ("POST", "/learning/classes/{classroom_id}/join"): {},
    # An API token is nobody, so it joins no class, whichever.
    ("POST", "/api/v1/classes/{classroom_id}/join"): NOT_A_PERSON,
    ("GET", "/classes/{classroom_id}/quizzes"): {},
    ("POST", "/classes/{classroom_id}/quizzes/{quiz_id}/settings"): {},
    ("GET", "/classes/{classroom_id}/quizzes/{quiz_id}/analysis"): {},
    ("GET", "/classes/{classroom_id}/quizzes/{quiz_id}/analysis.csv"): {},
    ("GET", "/api/v1/classes/{classroom_id}/quizzes"): {},
    ("PUT", "/api/v1/classes/{classroom_id}/quizzes/{quiz_id}/settings"): {},
    ("GET", "/api/v1/classes/{classroom_id}/quizzes/{quiz_id}/analysis"): {},
    ("PUT", "/api/v1/classes/{classroom_id}"): {},
    ("POST", "/api/v1/classes/{classroom_id}/reminders"): {},
    ("GET", "/api/v1/classes/{classroom_id}/outbox"): {},
    ("GET", "/api/v1/classes/{classroom_id}/roster"): {},
    ("POST", "/api/v1/classes/{classroom_id}/assignments"): {},
    ("GET", "/attempts/{attempt_id}"): {},
    ("POST", "/attempts/{attempt_id}/save"): {},
    ("POST", "/attempts/{attempt_id}/submit"): {},
    ("GET", "/api/v1/attempts/{attempt_id}"): NOT_A_PERSON,
    ("PUT", "/api/v1/attempts/{attempt_id}/answers"): NOT_A_PERSON,
    ("POST", "/api/v1/attempts/{attempt_id}/submit"): NOT_A_PERSON,
    ("GET", "/api/v1/attempts/{attempt_id}/review"): NOT_A_PERSON,
    ("GET", "/certificates/{certificate_id}.pdf"): {},
    ("POST", "/certificates/{certificate_id}/revoke"): {},
    ("POST", "/certificates/{certificate_id}/reissue"): {},
    ("GET", "/api/v1/certificates/{certificate_id}.pdf"): {},
    ("POST", "/api/v1/certificates/{certificate_id}/revoke"): {},
    ("POST", "/api/v1/certificates/{certificate_id}/reissue"): {},
    ("GET", "/officers/{user_id}/transcript"): {},
    ("GET", "/officers/{user_id}/transcript.pdf"): {},
    ("GET", "/api/v1/officers/{user_id}/transcript"): {},
    ("GET", "/exports/{job_id}/download"): {},
    ("GET", "/api/v1/exports/{job_id}"): {},
    ("GET", "/api/v1/exports/{job_id}/download"): {},
}


def id_routes() -> set[tuple[str, str]]:
    """Routes with an id in their path: a parameter named …_id."""
    return {(m, p) for m, p in app_routes() if re.search(r"\{\w+_id\}", p)}


def test_every_route_with_an_id_in_its_path_has_a_cross_unit_case() -> None:
    missing = sorted(f"{m} {p}" for m, p in id_routes() - set(CROSS_UNIT))
    assert missing == [], f"routes with an id and no cross-unit case: {missing}"
    assert sorted(f"{m} {p}" for m, p in set(CROSS_UNIT) - id_routes()) == []


def body_for(path: str, t: Tenants) -> dict[str, object]:
    """What the route's form or JSON carries, naming unit B where it names anything."""
    b = t.b
    bodies: dict[str, dict[str, object]] = {
        "/officers/{user_id}": {"full_name": "Tên Đổi", "email": "doi@example.gov.vn", "active": "true"},
        "/officers/{user_id}/move": {"unit_id": t.world.dept_a.id, "effective_on": "2026-07-01"},
        "/admin/units/{unit_id}/rename": {"name": "Tên mới", "effective_on": "2026-07-01"},
        "/api/v1/units/{unit_id}/{change}": {"name": "Tên mới", "effective_on": "2026-07-01"},
        "/admin/units/{unit_id}/move": {"parent_id": t.world.dept_a.id, "effective_on": "2026-07-01"},
        "/admin/units/{unit_id}/merge": {"into_id": t.world.dept_a.id, "effective_on": "2026-07-01"},
        "/admin/units/{unit_id}/close": {"effective_on": "2026-07-01"},
        "/admin/courses/uploads/{course_upload_id}/import": {"publish": "true"},
        "/officers/import/{upload_id}/columns": {"field": ["officer_code", "full_name", "unit"]},
        "/classes/{classroom_id}/preview": {"unit_id": str(b.unit.id)},
        "/classes/{classroom_id}/assign": {"unit_id": str(b.unit.id)},
        "/classes/{classroom_id}/withdraw": {"user_ids": [b.officer.id], "reason": "nhầm lớp"},
        "/classes/{classroom_id}/status": {"status": "closed"},
        "/classes/{classroom_id}/edit": {
            "code": "B1",
            "title": "Đổi tên",
            "owner_unit_id": t.world.dept_a.id,
            "opens_on": "2026-09-01",
        },
        "/api/v1/classes/{classroom_id}": {
            "code": "B1",
            "title": "Đổi tên",
            "owner_unit_id": t.world.dept_a.id,
            "opens_on": "2026-09-01",
        },
        "/classes/{classroom_id}/remind": {"target": "not_started"},
        "/api/v1/classes/{classroom_id}/reminders": {"target": "not_started"},
        "/api/v1/classes/{classroom_id}/assignments": {"unit_id": b.unit.id},
        "/classes/{classroom_id}/quizzes/{quiz_id}/settings": {"max_attempts": "9"},
        "/api/v1/classes/{classroom_id}/quizzes/{quiz_id}/settings": {"max_attempts": 9},
        "/api/v1/attempts/{attempt_id}/answers": {"answers": {}},
        "/attempts/{attempt_id}/save": {"cau-chon-mot": "a"},
        "/certificates/{certificate_id}/revoke": {"reason": "Cấp nhầm"},
        "/api/v1/certificates/{certificate_id}/revoke": {"reason": "Cấp nhầm"},
    }
    return bodies.get(path, {})


def same_answer(first: str, first_url: str, second: str, second_url: str) -> bool:
    """Whether two answers say the same, once each one's own address and the random tokens of its
    session (CSRF, nonces) are set aside."""

    def plain(text: str, url: str) -> str:
        return re.sub(r"[A-Za-z0-9_\-]{20,}", "TOKEN", text.replace(url, "URL"))

    return plain(first, first_url) == plain(second, second_url)


def url_for(path: str, values: dict[str, str]) -> str:
    extra = {"change": "rename"}
    return re.sub(r"\{([^}]+)\}", lambda m: values.get(m.group(1), extra.get(m.group(1), "")), path)


@pytest.mark.parametrize(("method", "path"), sorted(CROSS_UNIT))
def test_unit_b_ids_look_like_missing_ones_to_unit_a_and_change_nothing(
    method: str, path: str, as_a: As, tenants: Tenants
) -> None:
    callers = API_CALLERS if path.startswith("/api/") else PAGE_CALLERS
    of_b = url_for(path, tenants.b.path_values())
    missing = url_for(path, dict.fromkeys(tenants.b.path_values(), MISSING_ID))
    body = body_for(path, tenants)
    before = snapshot(as_a.session)
    got: dict[str, int] = {}
    for who in callers:
        form = None if path.startswith("/api/") or method == "GET" else body
        to_b = as_a.send(who, method, of_b, form=form, body=body)
        to_missing = as_a.send(who, method, missing, form=form, body=body)
        assert to_b.status_code == to_missing.status_code, (who, to_b.text, to_missing.text)
        assert same_answer(to_b.text, of_b, to_missing.text, missing), who
        got[who] = to_b.status_code
    expected = {who: CROSS_UNIT[(method, path)].get(who, 404) for who in callers}
    assert got == expected
    assert snapshot(as_a.session) == before
