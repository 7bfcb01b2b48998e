"""`make screenshots`: the main pages of each role, at a phone's width (390×844) and a desk's
(1366×768), written to docs/screenshots/ for the README.

It builds the demo site `make run` shows (a throwaway SQLite database, the real courses, the
demo city), lets the demo officer finish the first course and start the second, serves it with
`hocso serve` and photographs each page in Chromium as the role that uses it. Nothing here is a
test; it lives beside them for their fixtures' habits and their linting."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx
from playwright.sync_api import Page, sync_playwright
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import flows
from app.accounts.grants import actor_for
from app.accounts.models import User
from app.courses.content import parse_course_dir
from app.courses.service import import_course_dir
from app.db import make_engine, utcnow
from app.demo import install_demo
from app.quizzes.grading import correct_view

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
COURSES = ROOT / "courses"
FINISHED = "ky-nang-cntt-co-ban"
STARTED = "giao-tiep-tren-moi-truong-mang"
SIZES = {"phone": (390, 844), "desk": (1366, 768)}
# Each role's pages, by file name; "{class}" is the demo coordinator's first class.
PAGES = {
    "officer": [
        ("learning", "/learning"),
        ("course", f"/courses/{STARTED}"),
        ("lesson", f"/courses/{STARTED}/lessons/{{lesson}}"),
        ("certificates", "/me/certificates"),
    ],
    "coordinator": [("classes", "/classes"), ("class", "/classes/{class}")],
    "hr": [("reports", "/reports/units"), ("hours", "/reports/hours")],
    "admin": [("overview", "/admin"), ("officers", "/officers")],
}
BROWSER = os.environ.get("HOCSO_CHROMIUM", "/usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


HOCSO = str(Path(sys.executable).with_name("hocso"))


def _hocso(env: dict[str, str], *args: str) -> None:
    subprocess.run([HOCSO, *args], env=env, check=True, capture_output=True)


def _learn(session: Session, code: str) -> str:
    """The demo officer finishes the first course and reads one lesson of the second; the slug
    of the next lesson there."""
    user = session.scalars(select(User).where(User.officer_code == code)).one()
    me = actor_for(session, user, ip="127.0.0.1")
    for module in parse_course_dir(COURSES / FINISHED).modules:
        for lesson in module.lessons:
            flows.complete_lesson(session, me, course_slug=FINISHED, lesson_slug=lesson.id)
        if module.quiz is not None:
            attempt = flows.start_attempt(
                session, me, course_slug=FINISHED, quiz_slug=module.quiz.id, now=utcnow()
            )
            right = {i["question_id"]: correct_view(i["kind"], i["spec"])["answer"] for i in attempt.layout}
            flows.submit_attempt(session, me, attempt_id=attempt.id, answers=right, now=utcnow())
    lessons = [
        lesson.id for module in parse_course_dir(COURSES / STARTED).modules for lesson in module.lessons
    ]
    flows.complete_lesson(session, me, course_slug=STARTED, lesson_slug=lessons[0])
    return lessons[1]


def _build(url: str, env: dict[str, str]) -> tuple[dict[str, tuple[str, str]], str]:
    _hocso(env, "db", "upgrade")
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            for folder in sorted(p for p in COURSES.iterdir() if (p / "course.yaml").exists()):
                import_course_dir(session, folder, max_asset_bytes=5 << 20)
            logins = {login.role: (login.officer_code, login.password) for login in install_demo(session)}
            session.commit()
            lesson = _learn(session, logins["officer"][0])
            session.commit()
    finally:
        engine.dispose()
    return logins, lesson


def _log_in(page: Page, base: str, code: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#account", code)
    page.fill("#password", password)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/shots.db"
        env = {**os.environ, "HOCSO_DATABASE_URL": url, "HOCSO_JOBS_IN_PROCESS": "false"}
        logins, lesson = _build(url, env)
        port = _free_port()
        server = subprocess.Popen(
            [HOCSO, "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    if httpx.get(f"{base}/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            _photograph(base, logins, lesson)
        finally:
            server.terminate()
            server.wait(timeout=10)


def _photograph(base: str, logins: dict[str, tuple[str, str]], lesson: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=BROWSER)
        for role, pages in PAGES.items():
            for size, (width, height) in SIZES.items():
                context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
                page = context.new_page()
                _log_in(page, base, *logins[role])
                first_class = page.locator("a[href^='/classes/']").first if role == "coordinator" else None
                if first_class is not None:
                    page.goto(f"{base}/classes")
                for name, path in pages:
                    if "{class}" in path:
                        assert first_class is not None
                        path = first_class.get_attribute("href") or "/classes"
                    page.goto(base + path.replace("{lesson}", lesson))
                    page.screenshot(path=str(OUT / f"{role}-{name}-{size}.png"), full_page=False)
                    print(f"{role}-{name}-{size}.png", flush=True)
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
