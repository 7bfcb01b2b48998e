"""/healthz answers while the process runs; /readyz only when the database is reachable and its
schema is at the code's migration head."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from app.api import health


def test_a_running_process_is_healthy_and_ready_on_a_migrated_database(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ok"})


def test_a_database_behind_the_code_is_not_ready(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health, "schema_state", lambda _connection: ("2026_11_28_reports", "2026_11_28_jobs"))
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "reason": "database schema not at the migration head"}


def test_an_unreachable_database_is_not_ready_and_the_process_still_healthy(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    unreachable = create_engine(
        "postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2}
    )
    monkeypatch.setattr(health, "get_engine", lambda: unreachable)
    ready = client.get("/readyz")
    assert (ready.status_code, ready.json()["reason"]) == (503, "database unreachable")
    assert client.get("/healthz").status_code == 200
