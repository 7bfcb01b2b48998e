"""The officer's record page: editing it as HR."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.certificates.test_web import log_in, token
from tests.world import World


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("2026-02-30", "Ngày này không có trên lịch; hãy kiểm tra lại ngày và tháng."),
        ("30/02/1990", "Ngày này không có trên lịch; hãy kiểm tra lại ngày và tháng."),
        ("1990-13-01", "Ngày này không có trên lịch; hãy kiểm tra lại ngày và tháng."),
        ("ngày sinh", "Hãy ghi ngày theo dạng dd/mm/yyyy."),
    ],
)
def test_an_impossible_birth_date_goes_back_to_the_form_with_the_reason(
    client: TestClient, session: Session, world: World, typed: str, reason: str
) -> None:
    log_in(client, session, world.hr_a)
    url = f"/officers/{world.officer_a.id}"
    form = {"csrf_token": token(client.get(url).text), "full_name": "Nguyễn Văn An", "birth_date": typed}
    sent = client.post(url, data=form, headers={"referer": f"http://testserver{url}"})
    assert (sent.status_code, sent.headers["location"]) == (303, url)
    assert reason in client.get(url).text
    session.refresh(world.officer_a)
    assert world.officer_a.birth_date is None and world.officer_a.full_name != "Nguyễn Văn An"


def test_a_birth_date_from_the_date_picker_or_typed_is_kept(
    client: TestClient, session: Session, world: World
) -> None:
    log_in(client, session, world.hr_a)
    url = f"/officers/{world.officer_a.id}"
    for typed in ("1990-05-17", "17/05/1990"):
        form = {"csrf_token": token(client.get(url).text), "full_name": "Nguyễn Văn An", "birth_date": typed}
        assert client.post(url, data=form).status_code == 303
        session.refresh(world.officer_a)
        assert (
            world.officer_a.birth_date is not None and world.officer_a.birth_date.isoformat() == "1990-05-17"
        )
