"""Issuing codes again says which printed codes stopped working."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.auth import start_session
from app.http.auth import SESSION_COOKIE
from tests.world import World


def test_a_second_sheet_warns_that_the_first_ones_codes_no_longer_work(
    client: TestClient, session: Session, world: World
) -> None:
    client.cookies.set(SESSION_COOKIE, start_session(session, world.hr_a, ip=None, user_agent=None))
    session.commit()

    def issue() -> str:
        page = client.get("/officers").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert csrf is not None
        response = client.post(
            "/officers/activation-codes", data={"user_ids": [world.officer_a.id], "csrf_token": csrf.group(1)}
        )
        assert response.status_code == 200
        return response.text

    assert "không còn dùng được" not in issue()
    second = issue()
    assert "1 cán bộ trong danh sách này đã có mã kích hoạt còn hạn từ trước" in second and "HVA" in second
