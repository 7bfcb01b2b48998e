"""Fixtures of the access-control tests: two tenants and a client acting as people of unit A."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.http.downloads import export_sessions
from tests.reports.data import bound_sessions, unit_of_work
from tests.security.tenants import As, Tenants, build_tenants
from tests.world import World


@pytest.fixture
def tenants(session: Session, world: World, tmp_path: Path) -> Tenants:
    return build_tenants(session, world, tmp_path)


@pytest.fixture
def as_a(client: TestClient, session: Session, tenants: Tenants) -> As:
    # Streamed downloads read with sessions of their own, here on the test's connection.
    client.app.dependency_overrides[export_sessions] = lambda: bound_sessions(session)  # type: ignore[attr-defined]
    return As(client, session, tenants)


__all__ = ["unit_of_work"]
