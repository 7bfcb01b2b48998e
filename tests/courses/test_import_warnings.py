"""The checker's warnings on the import paths: shown with a browser upload's preview and counted
by a folder import, never stopping either."""

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.courses import service as courses
from app.courses import uploads
from app.courses.glossary import Glossary
from tests.courses.test_admin_web import log_in, upload
from tests.courses.test_quality import SOUND, write
from tests.factories import zip_folder
from tests.world import World


def test_the_preview_lists_warnings_and_still_offers_the_import(
    client: TestClient, session: Session, world: World, tmp_path: Path
) -> None:
    log_in(client, session, world.coord_a)
    status, page = upload(client, zip_folder(write(tmp_path, [SOUND], hours="3")))
    assert status == 200
    assert "<h2>Cảnh báo</h2>" in page
    assert "<li><code>course.yaml</code> · <code>training_hours</code><br>" in page
    assert "ghi 3 giờ nhưng nội dung tính ra 60 phút" in page
    assert "Nạp và công bố" in page


def test_a_preview_without_warnings_has_no_warning_section(
    session: Session, world: World, tmp_path: Path
) -> None:
    coord = world.actor(session, world.coord_a)
    preview = uploads.stage_upload(
        session, coord, filename="k.zip", data=zip_folder(write(tmp_path, [SOUND]))
    )
    assert preview.importable and preview.warnings == []


def test_a_folder_import_counts_the_warnings_and_imports_anyway(session: Session, tmp_path: Path) -> None:
    folder = write(tmp_path, [SOUND], hours="3", minutes=None)
    result = courses.import_course_dir(session, folder, max_asset_bytes=1024, glossary=Glossary())
    assert (result.status, result.warnings) == ("created", 2)
    assert courses.find_course(session, "khoa-kiem-thu") is not None
