"""The exam-day benchmark's database: a course with a 20-question quiz written in the courses
format, the generated officers (set-based inserts, one shared password hash) and a class that
enrols them all. Import this only after HOCSO_DATABASE_URL is set."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Date, insert, literal, select

from app.accounts.models import Placement, User
from app.accounts.passwords import hash_password, verify_password
from app.classrooms import service as classes
from app.courses.service import import_course_dir
from app.db import get_engine, transaction, utcnow
from app.i18n import today as local_today
from app.migrate import upgrade_to_head
from app.orgs.models import OrgUnit
from app.orgs.permissions import SYSTEM
from app.orgs.service import create_unit
from app.text import fold, name_sort_value
from bench.datagen import officers, org_tree

COURSE = "thi-ky-nang-so"
QUIZ = "bai-thi-cuoi-khoa"
# Every officer's password: one argon2 hash made once at setup. Each login still verifies a real
# argon2 hash, which is the cost that matters.
PASSWORD = "song-nui-lua-tre-2026"
# What an officer may type for a short-answer question: right, right without accents, wrong.
SHORT_ANSWERS = ("một cửa", "mot cua", "VPN", "vpn", "L", "văn thư", "không nhớ")


def _choice(text: str, correct: bool = False) -> dict[str, Any]:
    return {"text": text, "correct": True} if correct else {"text": text}


# (type, text, body); ids, choice ids and explanations are added by _questions().
QUESTIONS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "single_choice",
        "Mật khẩu nào khó đoán nhất?",
        {"choices": [_choice("123456"), _choice("ngaysinh0101"), _choice("song-nui-lua-tre-47", True)]},
    ),
    (
        "single_choice",
        "Thư lạ đề nghị đăng nhập qua một đường dẫn để “xác minh tài khoản”. Anh/chị làm gì?",
        {
            "choices": [
                _choice("Bấm vào đường dẫn và đăng nhập"),
                _choice("Chuyển tiếp cho đồng nghiệp hỏi ý kiến"),
                _choice("Không bấm, báo cho bộ phận công nghệ thông tin", True),
            ]
        },
    ),
    (
        "single_choice",
        "Tên tệp nào dễ tìm lại nhất?",
        {
            "choices": [
                _choice("tailieu.docx"),
                _choice("2026-03-15_BaoCao-QuyI_PhongTCCB.docx", True),
                _choice("baocao moi (2).docx"),
            ]
        },
    ),
    (
        "single_choice",
        "Quy tắc sao lưu 3-2-1 nghĩa là gì?",
        {
            "choices": [
                _choice("3 bản sao, trên 2 loại phương tiện, 1 bản để ở nơi khác", True),
                _choice("Sao lưu 3 ngày một lần, giữ 2 tuần, 1 người phụ trách"),
                _choice("3 thư mục, 2 mật khẩu, 1 máy tính"),
            ]
        },
    ),
    (
        "single_choice",
        "Hồ sơ nộp trực tuyến còn thiếu giấy tờ. Cán bộ một cửa cần làm gì?",
        {
            "choices": [
                _choice("Từ chối hồ sơ, không cần nêu lý do"),
                _choice("Hướng dẫn bổ sung một lần, đầy đủ, bằng văn bản", True),
                _choice("Để hồ sơ chờ đến khi người dân hỏi"),
            ]
        },
    ),
    (
        "single_choice",
        "Khi rời bàn làm việc một lúc, anh/chị nên làm gì với máy tính?",
        {"choices": [_choice("Khoá màn hình", True), _choice("Tắt màn hình"), _choice("Để nguyên")]},
    ),
    (
        "multiple_choice",
        "Những dấu hiệu nào cho thấy thư có thể là lừa đảo?",
        {
            "scoring": "partial",
            "choices": [
                _choice("Địa chỉ người gửi gần giống địa chỉ cơ quan", True),
                _choice("Thúc giục làm ngay kẻo bị khoá tài khoản", True),
                _choice("Thư của đồng nghiệp cùng phòng, đúng nội dung đã hẹn"),
            ],
        },
    ),
    (
        "multiple_choice",
        "Thông tin nào không được đăng lên mạng xã hội?",
        {
            "choices": [
                _choice("Số định danh cá nhân của người dân", True),
                _choice("Ảnh chụp văn bản mật", True),
                _choice("Lịch tập huấn đã công bố trên cổng thông tin"),
            ]
        },
    ),
    (
        "multiple_choice",
        "Việc nào giúp giữ an toàn tài khoản công vụ?",
        {
            "scoring": "partial",
            "choices": [
                _choice("Bật xác thực hai lớp", True),
                _choice("Dùng chung một mật khẩu cho mọi trang"),
                _choice("Đổi mật khẩu ngay khi nghi bị lộ", True),
                _choice("Dán mật khẩu lên cạnh màn hình"),
            ],
        },
    ),
    (
        "multiple_choice",
        "Văn bản công vụ được gửi qua kênh nào?",
        {
            "choices": [
                _choice("Thư điện tử công vụ", True),
                _choice("Hệ thống quản lý văn bản và điều hành", True),
                _choice("Hộp thư cá nhân miễn phí"),
            ]
        },
    ),
    ("true_false", "Dùng chung một mật khẩu cho thư công vụ và mạng xã hội là an toàn.", {"answer": False}),
    ("true_false", "Cập nhật phần mềm giúp vá các lỗ hổng bảo mật.", {"answer": True}),
    (
        "true_false",
        "Có thể gửi hồ sơ của người dân qua nhóm trò chuyện cá nhân cho nhanh.",
        {"answer": False},
    ),
    ("true_false", "Chữ ký số cho biết ai đã ký văn bản điện tử.", {"answer": True}),
    (
        "short_answer",
        "Bộ phận tiếp nhận và trả kết quả thủ tục hành chính thường được gọi là bộ phận gì?",
        {"answers": ["một cửa", "bộ phận một cửa"], "ignore_accents": True},
    ),
    ("short_answer", "Mạng riêng ảo viết tắt (tiếng Anh, ba chữ cái) là gì?", {"answers": ["VPN"]}),
    ("short_answer", "Trên Windows, khoá máy nhanh bằng phím Windows cùng phím chữ nào?", {"answers": ["L"]}),
    (
        "matching",
        "Ghép mỗi đuôi tệp với loại tài liệu.",
        {
            "scoring": "partial",
            "pairs": [
                {"left": ".docx", "right": "Văn bản soạn thảo"},
                {"left": ".xlsx", "right": "Bảng tính"},
                {"left": ".pdf", "right": "Tài liệu giữ nguyên trình bày"},
            ],
            "distractors": ["Âm thanh"],
        },
    ),
    (
        "matching",
        "Ghép mỗi nguy cơ với cách phòng tránh.",
        {
            "pairs": [
                {"left": "Thư lừa đảo", "right": "Kiểm tra địa chỉ người gửi"},
                {"left": "Mã độc tống tiền", "right": "Sao lưu định kỳ"},
                {"left": "Đoán mật khẩu", "right": "Dùng cụm mật khẩu dài"},
            ]
        },
    ),
    (
        "matching",
        "Ghép mỗi mức dịch vụ công trực tuyến với cách người dân nhận kết quả.",
        {
            "scoring": "partial",
            "pairs": [
                {"left": "Toàn trình", "right": "Nộp và nhận kết quả hoàn toàn trực tuyến"},
                {"left": "Một phần", "right": "Nộp trực tuyến, đến nhận kết quả tại một cửa"},
            ],
            "distractors": ["Chỉ gửi thư tay"],
        },
    ),
]


def _questions() -> list[dict[str, Any]]:
    out = []
    for n, (kind, text, body) in enumerate(QUESTIONS, start=1):
        question: dict[str, Any] = {"id": f"cau-{n:02d}", "type": kind, "text": text, **body}
        for key in ("choices", "pairs"):
            if key in question:
                question[key] = [{"id": chr(ord("a") + i), **item} for i, item in enumerate(question[key])]
        question["explanation"] = "Xem lại bài học tương ứng."
        out.append(question)
    return out


def write_course(root: Path, *, questions: int = len(QUESTIONS), complete_on_pass: bool = False) -> Path:
    """The benchmark course in the courses format: one lesson and a quiz of the first
    `questions` questions. With `complete_on_pass`, passing the quiz completes the course (and
    issues its certificate) without the lesson."""
    folder = root / COURSE
    (folder / "m1").mkdir(parents=True)
    course = {
        "id": COURSE,
        "version": 1,
        "language": "vi",
        "title": {"vi": "Thi cuối khoá kỹ năng số", "en": "Digital skills final exam"},
        "summary": {"vi": "Bài thi chung của đợt bồi dưỡng.", "en": "The course's common final exam."},
        "training_hours": 1,
        "pass_mark": 60,
        "modules": [
            {"id": "on-thi", "title": "Ôn thi", "lessons": ["m1/on-tap.md"], "quiz": "m1/bai-thi.yaml"}
        ],
    }
    if complete_on_pass:
        course["completion"] = {"lessons": "none", "quizzes": "passed"}
    quiz = {
        "id": QUIZ,
        "title": "Bài thi cuối khoá",
        "time_limit_minutes": 60,
        "max_attempts": 1,
        "shuffle_questions": True,
        "shuffle_choices": True,
        "questions": _questions()[:questions],
    }
    lesson = "---\nid: on-tap\ntitle: Ôn tập trước khi thi\nminutes: 10\n---\n\nĐọc lại các học phần.\n"

    def dump(data: object) -> str:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)

    (folder / "course.yaml").write_text(dump(course), encoding="utf-8")
    (folder / "m1" / "bai-thi.yaml").write_text(dump(quiz), encoding="utf-8")
    (folder / "m1" / "on-tap.md").write_text(lesson, encoding="utf-8")
    return folder


@dataclass(frozen=True)
class Prepared:
    codes: list[str]
    classroom_id: int
    seconds: float


def prepare(
    root: Path, count: int, *, questions: int = len(QUESTIONS), complete_on_pass: bool = False
) -> Prepared:
    """Migrate, import the course, and add `count` officers enrolled in one class."""
    started = time.perf_counter()
    upgrade_to_head()
    folder = write_course(root, questions=questions, complete_on_pass=complete_on_pass)
    password_hash = hash_password(PASSWORD)
    today = local_today()
    with transaction() as session:
        import_course_dir(session, folder, max_asset_bytes=1 << 21)
        units: dict[str, int] = {}
        tree = org_tree(wards=12, seed=7)
        for spec in tree:
            units[spec.code] = create_unit(
                session,
                SYSTEM,
                code=spec.code,
                name=spec.name,
                parent_id=units[spec.parent_code] if spec.parent_code else None,
                effective_on=today,
            ).id
        now = utcnow()
        rows = [
            {
                "officer_code": o.code,
                "full_name": o.full_name,
                "name_folded": fold(o.full_name),
                "name_sort": name_sort_value(o.full_name),
                "birth_date": o.birth_date,
                "email": o.email,
                "unit_id": units[o.unit_code],
                "category": o.category,
                "position": o.position,
                "job_position": o.job_position,
                "active": True,
                "password_hash": password_hash,
                "password_changed_at": now,
            }
            for o in officers(count, tree, seed=7)
        ]
        session.execute(insert(User), rows)
        session.execute(
            insert(Placement).from_select(
                ["user_id", "unit_id", "start_on"], select(User.id, User.unit_id, literal(today, Date))
            )
        )
        root_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "TP"))
        assert root_id is not None
        classroom = classes.create_class(
            session,
            SYSTEM,
            classes.ClassForm(
                code="THI-01",
                title="Thi cuối khoá đợt 1",
                course_slug=COURSE,
                owner_unit_id=root_id,
                opens_on=today,
            ),
        )
        classes.assign(session, SYSTEM, classroom_id=classroom.id, target=classes.Target(unit_id=root_id))
        classroom_id = classroom.id
    get_engine().dispose()
    return Prepared([str(r["officer_code"]) for r in rows], classroom_id, time.perf_counter() - started)


def argon2_rate(threads: int, seconds: float = 5.0) -> tuple[float, float]:
    """Password verifications per second with `threads` threads, and one's time in ms: what
    hashing alone allows, the login phase's own baseline on this machine in this run."""
    stored = hash_password(PASSWORD)
    started = time.perf_counter()
    verify_password(PASSWORD, stored)
    one_ms = (time.perf_counter() - started) * 1000
    deadline = time.perf_counter() + seconds

    def work() -> int:
        done = 0
        while time.perf_counter() < deadline:
            verify_password(PASSWORD, stored)
            done += 1
        return done

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        total = sum(pool.map(lambda _: work(), range(threads)))
    return total / (time.perf_counter() - started), one_ms
