from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import tokens
from app.classrooms import service as classes
from app.courses import service as courses
from app.progress import service as progress
from tests.factories import write_course
from tests.world import World


def test_coordinator_token_assigns_and_reads_progress(
    client: TestClient, session: Session, world: World, tmp_path: Path
) -> None:
    courses.import_course_dir(session, write_course(tmp_path), max_asset_bytes=1 << 20)
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
            due_on=date(2030, 1, 1),
        ),
    )
    _, secret = tokens.create_token(
        session, world.actor(session, world.admin), name="LMS", role="coordinator", unit_id=world.dept_a.id
    )
    session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    assert [c["code"] for c in client.get("/api/v1/classes", headers=headers).json()] == ["L1"]
    url = f"/api/v1/classes/{classroom.id}/assignments"
    dry = client.post(
        url, params={"dry_run": "true"}, headers=headers, json={"codes": ["HVA", "HVB", "X"]}
    ).json()
    assert dry == {"new": 1, "already": 0, "outside": 0, "unknown_codes": ["HVB", "X"], "batch_id": None}
    # Read like codes pasted into the page's form: trimmed, split at commas, each once.
    pasted = client.post(
        url, params={"dry_run": "true"}, headers=headers, json={"codes": [" HVA ", "HVA", "HVB, X;HVA"]}
    ).json()
    assert pasted == dry
    done = client.post(url, headers=headers, json={"codes": ["HVA"]}).json()
    assert done["batch_id"] is not None
    progress.complete_lesson(
        session, world.actor(session, world.officer_a), course_slug="khoa-hoc-mau", lesson_slug="bai-mot"
    )
    session.commit()
    listing = client.get(f"/api/v1/classes/{classroom.id}/roster", headers=headers).json()
    [row] = listing["items"]
    assert (row["officer_code"], row["progress_percent"], row["status"]) == ("HVA", 50, "in_progress")
    assert (listing["total"], listing["pages"], listing["counts"]["in_progress"]) == (1, 1, 1)


def test_a_code_list_is_read_the_same_from_the_form_and_the_api() -> None:
    from app.classrooms.changes import code_list

    assert code_list(["CB1\nCB2, CB3;CB1  CB4\n"]) == ("CB1", "CB2", "CB3", "CB4")
    assert code_list([" CB1 ", "CB2", "CB1"]) == ("CB1", "CB2")
    # Typed with combining marks, a code is the same code.
    assert code_list(["CBỄ1", "CBE\u0302\u03031"]) == ("CBỄ1",)
