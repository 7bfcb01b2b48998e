import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import tokens
from app.audit.models import AuditEvent
from app.errors import InvalidInput, NotFound, PermissionDenied
from app.orgs.models import ApiToken
from tests.world import World


def make(session: Session, world: World, **overrides: object) -> str:
    fields: dict[str, object] = {"name": "Phần mềm nhân sự", "role": "hr", "unit_id": world.dept_a.id}
    fields.update(overrides)
    _, secret = tokens.create_token(session, world.actor(session, world.admin), **fields)  # type: ignore[arg-type]
    session.commit()
    return secret


class TestService:
    def test_token_is_shown_once_and_stored_hashed(self, session: Session, world: World) -> None:
        secret = make(session, world)
        assert secret.startswith("hs_") and len(secret) > 40
        stored = session.scalars(select(ApiToken.token_hash)).one()
        assert secret not in stored
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.startswith("token."))
        ).all()
        assert actions == ["token.create"]

    def test_only_admins_create_and_no_admin_tokens(self, session: Session, world: World) -> None:
        with pytest.raises(InvalidInput):
            make(session, world, role="admin")
        with pytest.raises(PermissionDenied):
            tokens.create_token(
                session, world.actor(session, world.hr_a), name="x", role="hr", unit_id=world.dept_a.id
            )
        with pytest.raises(NotFound):
            tokens.create_token(
                session, world.actor(session, world.hr_a), name="x", role="hr", unit_id=world.dept_b.id
            )

    def test_revoked_token_stops_working(self, session: Session, world: World) -> None:
        secret = make(session, world)
        token_id = session.scalars(select(ApiToken.id)).one()
        assert tokens.actor_for_token(session, secret, ip=None) is not None
        tokens.revoke_token(session, world.actor(session, world.admin), token_id=token_id)
        assert tokens.actor_for_token(session, secret, ip=None) is None
        assert tokens.actor_for_token(session, "hs_nonsense", ip=None) is None


class TestApiWithToken:
    def test_hr_token_sees_only_its_units(self, client: TestClient, session: Session, world: World) -> None:
        secret = make(session, world)
        headers = {"Authorization": f"Bearer {secret}"}
        me = client.get("/api/v1/me", headers=headers).json()
        assert me == {
            "user_id": None,
            "label": "API token Phần mềm nhân sự",
            "grants": [{"role": "hr", "unit_id": world.dept_a.id}],
        }
        codes = [o["officer_code"] for o in client.get("/api/v1/officers", headers=headers).json()]
        assert codes == ["DPA", "HVA", "HRA"]
        one = client.get(f"/api/v1/officers/{world.officer_a.id}", headers=headers).json()
        assert (one["full_name"], one["unit"]["code"], one["activated"]) == ("Nguyễn Văn Đức", "SA-P1", True)
        assert client.get(f"/api/v1/officers/{world.officer_b.id}", headers=headers).status_code == 404
        assert [u["code"] for u in client.get("/api/v1/units", headers=headers).json()] == ["SA", "SA-P1"]

    def test_search_is_accent_insensitive(self, client: TestClient, session: Session, world: World) -> None:
        headers = {"Authorization": f"Bearer {make(session, world)}"}
        found = client.get("/api/v1/officers", params={"q": "nguyen van duc"}, headers=headers).json()
        assert [o["officer_code"] for o in found] == ["HVA"]

    def test_bad_or_missing_token_is_401(self, client: TestClient) -> None:
        response = client.get("/api/v1/officers", headers={"Authorization": "Bearer hs_wrong"})
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert client.get("/api/v1/me").status_code == 401
