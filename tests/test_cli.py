from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, select, text
from typer.testing import CliRunner

from app.cli import app
from app.courses.models import Course
from tests.factories import write_course

runner = CliRunner()


def test_check_reports_ok_and_writes_nothing(tmp_path: Path, engine: Engine) -> None:
    result = runner.invoke(app, ["courses", "check", str(write_course(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "✓ khoa-hoc-mau: không có lỗi" in result.output
    assert "khoa-hoc-mau: 1 học phần, 2 bài học" in result.output
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Course)) == 0


def test_check_lists_every_problem_and_fails(tmp_path: Path) -> None:
    folder = write_course(tmp_path, files={"m1/bai-hai.md": "---\nid: Bai Hai\n---\n"})
    result = runner.invoke(app, ["courses", "check", str(folder)])
    assert result.exit_code == 1
    assert "khoa-hoc-mau/m1/bai-hai.md:2: id: 'Bai Hai' is not a valid id" in result.output
    assert "khoa-hoc-mau/m1/bai-hai.md:2: 'title' is missing" in result.output


@pytest.fixture
def clean_courses(engine: Engine) -> object:
    yield None
    # The CLI commits for real; leave the shared database as the other tests expect it.
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM courses"))


@pytest.mark.usefixtures("clean_courses")
def test_import_is_idempotent_and_all_or_nothing_per_course(tmp_path: Path, engine: Engine) -> None:
    write_course(tmp_path, slug="mot")
    write_course(tmp_path, slug="hai", files={"m1/bai-hai.md": "broken"})
    first = runner.invoke(app, ["courses", "import", str(tmp_path)])
    assert first.exit_code == 1
    assert "mot: created (version 1)" in first.output
    assert "✗ hai" in first.output
    second = runner.invoke(app, ["courses", "import", str(tmp_path / "mot")])
    assert second.exit_code == 0
    assert "mot: unchanged (version 1)" in second.output
    with engine.connect() as conn:
        assert conn.scalars(select(Course.slug)).all() == ["mot"]


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["courses", "import", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "No course.yaml found" in result.output


@pytest.fixture
def clean_people(engine: Engine) -> object:
    yield None
    with engine.begin() as conn:
        for table in (
            "audit_events",
            "role_grants",
            "activation_codes",
            "auth_sessions",
            "placements",
            "users",
            "org_unit_events",
        ):
            conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(text("UPDATE org_units SET parent_id = NULL, merged_into_id = NULL"))
        conn.execute(text("DELETE FROM org_units"))


@pytest.mark.usefixtures("clean_people")
def test_init_demo_once_then_nothing(engine: Engine) -> None:
    first = runner.invoke(app, ["init", "--demo", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "admin        quantri" in first.output
    second = runner.invoke(app, ["init", "--demo", "--if-empty"])
    assert "nothing to do" in second.output
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM users")) == 304
        assert conn.scalar(text("SELECT count(*) FROM placements")) == 304
        assert conn.scalar(text("SELECT count(*) FROM role_grants")) == 3


@pytest.mark.usefixtures("clean_people")
def test_init_real_site_prints_the_admin_activation_code() -> None:
    result = runner.invoke(
        app,
        [
            "init",
            "--org-code",
            "HN",
            "--org-name",
            "Thành phố Hà Nội",
            "--admin-code",
            "A1",
            "--admin-name",
            "Nguyễn Văn Quản",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "officer code A1 and activation code" in result.output
    again = runner.invoke(
        app, ["init", "--org-code", "X", "--org-name", "X", "--admin-code", "B", "--admin-name", "B"]
    )
    assert again.exit_code == 1
    assert runner.invoke(app, ["init"]).exit_code == 2


@pytest.mark.usefixtures("clean_people")
def test_officer_codes_are_printed_tab_separated() -> None:
    runner.invoke(
        app,
        [
            "init",
            "--org-code",
            "HN",
            "--org-name",
            "Hà Nội",
            "--admin-code",
            "A1",
            "--admin-name",
            "Nguyễn Văn Quản",
        ],
    )
    result = runner.invoke(app, ["officers", "codes", "A1"])
    assert result.exit_code == 0, result.output
    code, key, _day, name = result.output.strip().split("\t")
    assert (code, len(key), name) == ("A1", 14, "Nguyễn Văn Quản")
    assert runner.invoke(app, ["officers", "codes", "KHONG-CO"]).exit_code == 1


@pytest.fixture
def clean_outbox(engine: Engine) -> object:
    yield None
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM outbox_messages"))


@pytest.mark.usefixtures("clean_outbox")
def test_notify_run_sends_the_outbox_once(
    tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from email import message_from_bytes, policy

    from app.config import get_settings
    from app.db import utcnow
    from app.notifications.models import OutboxMessage

    monkeypatch.setenv("HOCSO_MAIL_FOLDER", str(tmp_path))
    monkeypatch.setenv("HOCSO_SMTP_HOST", "")
    get_settings.cache_clear()
    with engine.begin() as conn:
        conn.execute(
            insert(OutboxMessage).values(
                dedupe_key="manual:test",
                kind="manual",
                to_address="duc@example.gov.vn",
                subject="Nhắc việc: hoàn thành khoá học",
                body="Kính gửi anh Đức",
                status="pending",
                attempts=0,
                next_attempt_at=utcnow(),
                created_at=utcnow(),
            )
        )
    try:
        first = runner.invoke(app, ["notify", "run"])
        second = runner.invoke(app, ["notify", "run"])
    finally:
        get_settings.cache_clear()
    assert first.exit_code == 0, first.output
    assert "Sent 1 e-mails" in first.output and "Sent 0 e-mails" in second.output
    (eml,) = tmp_path.glob("*.eml")
    parsed = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert parsed["Subject"] == "Nhắc việc: hoàn thành khoá học"


def test_quizzes_sweep_runs_from_the_command_line(engine: Engine) -> None:
    result = runner.invoke(app, ["quizzes", "sweep"])
    assert result.exit_code == 0, result.output
    assert "Submitted 0 attempts whose time was up." in result.output
