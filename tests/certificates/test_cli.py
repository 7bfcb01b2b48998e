"""`hocso certificates issue-missing`, run inside the test's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app import cli
from tests.certificates.conftest import PLAIN_SLUG, certificates_of, completed_cycle
from tests.world import World

runner = CliRunner()


@pytest.mark.usefixtures("plain_course")
def test_issue_missing_certifies_old_completions_once(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    @contextmanager
    def in_test_transaction() -> Iterator[Session]:
        yield session
        session.flush()

    monkeypatch.setattr(cli, "transaction", in_test_transaction)
    completed_cycle(session, world.officer_a, PLAIN_SLUG, datetime(2026, 2, 1, tzinfo=UTC))
    completed_cycle(session, world.officer_b, PLAIN_SLUG, datetime(2026, 2, 2, tzinfo=UTC))
    first = runner.invoke(cli.app, ["certificates", "issue-missing"])
    assert first.exit_code == 0, first.output
    assert "Issued 2 certificates for completed courses that had none." in first.output
    again = runner.invoke(cli.app, ["certificates", "issue-missing"])
    assert "Issued 0 certificates for completed courses that had none." in again.output
    assert [len(certificates_of(session, u)) for u in (world.officer_a, world.officer_b)] == [1, 1]
