import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import start_session
from app.audit.models import AuditEvent
from app.classrooms import changes
from app.classrooms import service as classes
from app.classrooms.models import Classroom, Enrolment
from app.courses import service as courses
from app.errors import Conflict
from app.http.auth import SESSION_COOKIE
from app.i18n import today
from app.notifications.models import Notification, OutboxMessage
from tests.classrooms.test_web import token
from tests.factories import make_class, make_officer, write_course
from tests.world import World


@pytest.fixture
def classroom(session: Session, world: World, tmp_path: Path) -> Classroom:
    courses.import_course_dir(session, write_course(tmp_path), max_asset_bytes=1 << 20)
    for n in range(1, 4):
        make_officer(session, world.room_a, officer_code=f"TV{n}", full_name=f"Tô Văn Thành {n}")
    created = make_class(
        session,
        world.coord_a,
        world.dept_a,
        code="L-DB",
        title="Lớp theo dõi",
        opens_on=today() - timedelta(days=20),
        due_on=today() - timedelta(days=1),
        assign_unit=world.room_a,
    )
    session.commit()
    return created


def as_coordinator(client: TestClient, session: Session, world: World) -> None:
    client.cookies.set(SESSION_COOKIE, start_session(session, world.coord_a, ip=None, user_agent=None))
    session.commit()


def test_dashboard_filters_sorts_and_exports(
    client: TestClient, session: Session, world: World, classroom: Classroom
) -> None:
    as_coordinator(client, session, world)
    url = f"/classes/{classroom.id}"
    page = client.get(url, params={"status": "overdue", "sort": "code", "desc": "1"}).text
    codes = re.findall(r"<td>(TV\d|HVA)</td>", page)
    assert codes == ["TV3", "TV2", "TV1", "HVA"]
    assert 'aria-sort="descending"' in page and "quá hạn (4)" in page
    found = client.get(url, params={"q": "thanh 2"}).text
    assert re.findall(r"<td>(TV\d|HVA)</td>", found) == ["TV2"]
    exported = client.get(f"{url}/roster.csv", params={"q": "thành"})
    assert exported.headers["content-type"].startswith("text/csv")
    assert 'filename="lop-L-DB.csv"' in exported.headers["content-disposition"]
    assert exported.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Mã cán bộ", "Họ và tên"] and len(rows) == 4
    assert {r[-1] for r in rows[1:]} == {"quá hạn"}
    # The page links the same rows with semicolons, for Excel set to Vietnamese.
    link = re.search(r'href="(/classes/\d+/roster\.csv\?[^"]*sep=semicolon)"', found)
    assert link is not None
    semi = client.get(link.group(1).replace("&amp;", "&"))
    rows = list(csv.reader(io.StringIO(semi.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["Mã cán bộ", "Họ và tên"] and [r[0] for r in rows[1:]] == ["TV2"]
    assert client.get(f"{url}/roster.csv", params={"sep": "tab"}).status_code == 422


def test_reminders_from_the_dashboard_queue_once_and_show_failures(
    client: TestClient, session: Session, world: World, classroom: Classroom
) -> None:
    as_coordinator(client, session, world)
    url = f"/classes/{classroom.id}"
    page = client.get(url).text
    sent = client.post(f"{url}/remind", data={"csrf_token": token(page), "target": "overdue"})
    assert sent.status_code == 303
    after = client.get(url).text
    told_first = "Đã gửi lời nhắc tới 4 cán bộ. Họ sẽ thấy lời nhắc trong mục Thông báo; 4 người trong số đó"
    assert told_first in after and "không nhắc lại" not in after
    again = client.post(f"{url}/remind", data={"csrf_token": token(after), "target": "overdue"})
    told = client.get(again.headers["location"]).text
    assert "Không có ai cần nhắc" in told and "đã được nhắc trong hôm nay (4 người)" in told
    hva = session.scalars(
        select(Enrolment.user_id).where(
            Enrolment.classroom_id == classroom.id, Enrolment.user_id == world.officer_a.id
        )
    ).one()
    page = client.get(url).text
    chosen = client.post(
        f"{url}/remind", data={"csrf_token": token(page), "target": "selected", "user_ids": [hva]}
    )
    assert chosen.status_code == 303
    assert (
        "Hãy chọn ít nhất một cán bộ để nhắc."
        in client.get(
            client.post(f"{url}/remind", data={"csrf_token": token(page), "target": "selected"}).headers[
                "location"
            ]
        ).text
    )
    message = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id).limit(1)).one()
    message.status, message.attempts, message.last_error = "failed", 6, "SMTPRecipientsRefused: 550"
    session.commit()
    failing = client.get(url).text
    assert "SMTPRecipientsRefused: 550" in failing and "Lỗi: 1" in failing
    retried = client.post(f"{url}/mail/retry", data={"csrf_token": token(failing)})
    assert "Số thư sẽ được gửi lại: 1." in client.get(retried.headers["location"]).text
    session.refresh(message)
    assert (message.status, message.attempts) == ("pending", 0)
    assert session.scalar(select(AuditEvent.id).where(AuditEvent.action == "class.mail_retry")) is not None


def test_find_one_officer_and_assign_after_a_preview(
    client: TestClient, session: Session, world: World, classroom: Classroom
) -> None:
    make_officer(session, world.dept_a, officer_code="MOI7", full_name="Đinh Thị Mới")
    session.commit()
    as_coordinator(client, session, world)
    url = f"/classes/{classroom.id}"
    found = client.get(f"{url}/find", params={"q": "dinh thi"}).text
    assert "Đinh Thị Mới" in found and "Hoàng Thị An" not in found
    user_id = re.search(r'name="user_ids" value="(\d+)"', found)
    assert user_id is not None
    preview = client.post(f"{url}/preview", data={"csrf_token": token(found), "user_ids": [user_id.group(1)]})
    assert "Ghi danh 1 cán bộ" in preview.text
    assert f'name="user_ids" value="{user_id.group(1)}"' in preview.text
    client.post(f"{url}/assign", data={"csrf_token": token(preview.text), "user_ids": [user_id.group(1)]})
    assert "Đã có trong lớp" in client.get(f"{url}/find", params={"q": "MOI7"}).text


def test_edit_a_class_and_keep_the_audit_trail(
    client: TestClient, session: Session, world: World, classroom: Classroom
) -> None:
    as_coordinator(client, session, world)
    url = f"/classes/{classroom.id}"
    form = client.get(f"{url}/edit").text
    assert 'value="L-DB"' in form and "Không thể đổi khoá học" in form
    data = {
        "csrf_token": token(form),
        "code": "L-DB",
        "title": "Lớp theo dõi (đợt 2)",
        "owner_unit_id": str(world.dept_a.id),
        "opens_on": classroom.opens_on.isoformat(),
        "due_on": "2030-12-31",
        "capacity": "2",
        "self_enrol": "true",
    }
    too_small = client.post(f"{url}/edit", data=data)
    assert "Lớp đang có nhiều học viên hơn sĩ số này." in client.get(too_small.headers["location"]).text
    bad_date = client.post(f"{url}/edit", data={**data, "capacity": "", "due_on": "31/13/2030"})
    assert "Ngày này không có trên lịch" in client.get(bad_date.headers["location"]).text
    # Typed the Vietnamese way (a browser without a date picker) it is the same day.
    typed = client.post(f"{url}/edit", data={**data, "capacity": "", "due_on": "31/12/2030"})
    assert typed.headers["location"] == url
    saved = client.post(f"{url}/edit", data={**data, "capacity": ""})
    assert saved.headers["location"] == url
    page = client.get(url).text
    assert "Lớp theo dõi (đợt 2)" in page and "31/12/2030" in page and "Cho phép cán bộ tự đăng ký" in page
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "class.update")).one()
    assert event.details["due_on"] == [(today() - timedelta(days=1)).isoformat(), "2030-12-31"]
    assert set(event.details) == {"title", "due_on", "self_enrol"}


def test_an_officer_joins_an_open_class_from_my_learning(
    client: TestClient, session: Session, world: World, tmp_path: Path
) -> None:
    courses.import_course_dir(session, write_course(tmp_path), max_asset_bytes=1 << 20)
    coord = world.actor(session, world.coord_a)
    form = classes.ClassForm(
        code="TU-DK",
        title="Lớp tự đăng ký",
        course_slug="khoa-hoc-mau",
        owner_unit_id=world.dept_a.id,
        opens_on=date(2026, 1, 1),
        capacity=1,
        self_enrol=True,
    )
    open_class = classes.create_class(session, coord, form)
    other_unit = classes.create_class(
        session,
        world.actor(session, world.coord_b),
        classes.ClassForm(**{**form.__dict__, "code": "B-DK", "owner_unit_id": world.dept_b.id}),
    )
    client.cookies.set(SESSION_COOKIE, start_session(session, world.officer_a, ip=None, user_agent=None))
    session.commit()
    page = client.get("/learning").text
    assert (
        "Lớp tự đăng ký" in page
        and "Còn 1 chỗ" in page
        and f"/learning/classes/{other_unit.id}/join" not in page
    )
    joined = client.post(f"/learning/classes/{open_class.id}/join", data={"csrf_token": token(page)})
    assert client.get(joined.headers["location"]).text.count("Lớp tự đăng ký") == 1
    enrolment = session.scalars(select(Enrolment).where(Enrolment.classroom_id == open_class.id)).one()
    assert (enrolment.source, enrolment.user_id) == ("self", world.officer_a.id)
    refused = client.post(f"/learning/classes/{other_unit.id}/join", data={"csrf_token": token(page)})
    assert refused.status_code == 404
    # The one seat is taken: the class leaves the list of HR of unit A, and joining is refused.
    hr = world.actor(session, world.hr_a)
    assert changes.open_classes(session, hr, today=today()) == []
    with pytest.raises(Conflict):
        changes.join_class(session, hr, classroom_id=open_class.id, today=today())


def test_officer_sees_notices_with_a_badge_and_marks_them_read(
    client: TestClient, session: Session, world: World, classroom: Classroom
) -> None:
    session.add(
        Notification(
            dedupe_key="manual:x", user_id=world.officer_a.id, kind="manual", classroom_id=classroom.id
        )
    )
    client.cookies.set(SESSION_COOKIE, start_session(session, world.officer_a, ip=None, user_agent=None))
    session.commit()
    home = client.get("/learning").text
    assert 'class="badge" aria-label="1 chưa đọc">1</span>' in home
    page = client.get("/notifications").text
    assert "Cán bộ điều phối đào tạo nhắc bạn hoàn thành khoá học “Khoá học mẫu” (lớp L-DB)." in page
    read = client.post("/notifications/read", data={"csrf_token": token(page)})
    after = client.get(read.headers["location"]).text
    assert 'class="badge"' not in after and "Đã đánh dấu tất cả thông báo là đã đọc." in after
    api = client.get("/api/v1/me/notifications", headers={"accept-language": "en"}).json()
    assert api[0]["text"].startswith("Your training coordinator reminds you") and api[0]["unread"] is False


def test_assign_an_uploaded_list_of_codes(
    client: TestClient, session: Session, world: World, classroom: Classroom
) -> None:
    import xlsxwriter

    make_officer(session, world.dept_a, officer_code="DS1", full_name="Lý Thị Một")
    make_officer(session, world.dept_a, officer_code="DS2", full_name="Lý Văn Hai")
    session.commit()
    as_coordinator(client, session, world)
    url = f"/classes/{classroom.id}"
    page = client.get(url).text
    listed = "Mã cán bộ;Ghi chú\nDS1;mới\nDS2;\nKHONG-CO;\n".encode("utf-8-sig")
    preview = client.post(
        f"{url}/preview",
        data={"csrf_token": token(page), "codes": ""},
        files={"codes_file": ("danh-sach.csv", listed, "text/csv")},
    )
    assert preview.status_code == 200
    assert "Ghi danh 2 cán bộ" in preview.text and "KHONG-CO" in preview.text
    client.post(f"{url}/assign", data={"csrf_token": token(preview.text), "codes": "DS1\nDS2\nKHONG-CO"})
    enrolled = session.scalars(
        select(Enrolment.source).where(Enrolment.classroom_id == classroom.id, Enrolment.source == "list")
    ).all()
    assert len(enrolled) == 2

    book_bytes = io.BytesIO()
    book = xlsxwriter.Workbook(book_bytes, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_column(0, 0, ["Officer code", "DS1", "TV1"])
    book.close()
    again = client.post(
        f"{url}/preview",
        data={"csrf_token": token(page)},
        files={"codes_file": ("ds.xlsx", book_bytes.getvalue(), "application/octet-stream")},
    )
    assert "Không có ai mới để ghi danh." in again.text and "<dd>2</dd>" in again.text
    wrong = client.post(
        f"{url}/preview", data={"csrf_token": token(page)}, files={"codes_file": ("ds.pdf", b"%PDF", "x")}
    )
    assert wrong.status_code == 303
    assert "Hãy dùng tệp .csv, .txt hoặc .xlsx" in client.get(wrong.headers["location"]).text
