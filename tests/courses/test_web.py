import re
from pathlib import Path
from typing import ClassVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.courses import service
from tests.factories import PNG_1PX, write_course

PAGE_BUDGET = 60 * 1024


@pytest.fixture
def sample(session: Session, tmp_path: Path) -> None:
    service.import_course_dir(session, write_course(tmp_path), max_asset_bytes=2 * 1024 * 1024)


def page_weight(client: TestClient, html: str) -> int:
    """HTML plus every stylesheet and script it links, uncompressed."""
    total = len(html.encode())
    for ref in re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html):
        total += len(client.get(ref).content)
    return total


class TestCataloguePage:
    @pytest.mark.usefixtures("catalogue")
    def test_lists_the_three_courses_in_vietnamese(self, client: TestClient) -> None:
        response = client.get("/")
        assert response.status_code == 200
        assert '<html lang="vi">' in response.text
        for title in [
            "Kỹ năng CNTT cơ bản và an toàn thông tin",
            "Giao tiếp trên môi trường mạng",
            "Xử lý hồ sơ trực tuyến tại bộ phận một cửa",
        ]:
            assert title in response.text

    @pytest.mark.usefixtures("catalogue")
    def test_search_with_and_without_accents_finds_the_same(self, client: TestClient) -> None:
        plain = client.get("/", params={"q": "ho so"}).text
        accented = client.get("/", params={"q": "hồ sơ"}).text
        assert "Xử lý hồ sơ trực tuyến tại bộ phận một cửa" in plain
        assert re.findall(r'<h2><a href="([^"]+)"', plain) == re.findall(r'<h2><a href="([^"]+)"', accented)

    @pytest.mark.usefixtures("catalogue")
    def test_search_without_match_says_so(self, client: TestClient) -> None:
        response = client.get("/", params={"q": "zzzz"})
        assert response.status_code == 200
        assert "Không có khoá học nào khớp" in response.text

    @pytest.mark.usefixtures("sample")
    def test_search_text_is_escaped(self, client: TestClient) -> None:
        response = client.get("/", params={"q": "<script>alert(1)</script>"})
        assert "<script>alert(1)</script>" not in response.text
        assert "&lt;script&gt;" in response.text

    def test_overlong_search_is_a_clear_error_page(self, client: TestClient) -> None:
        response = client.get("/", params={"q": "x" * 300})
        assert response.status_code == 422
        assert "Vui lòng kiểm tra lại thông tin đã nhập" in response.text


class TestCourseAndLessonPages:
    @pytest.mark.usefixtures("sample")
    def test_course_page_shows_modules_lessons_hours_and_quiz(self, client: TestClient) -> None:
        text = client.get("/courses/khoa-hoc-mau").text
        assert "<h1>Khoá học mẫu</h1>" in text
        assert "<dd>1,5</dd>" in text  # 1.5 hours, Vietnamese decimal comma
        assert text.index("Bài một") < text.index("Bài hai")
        assert "Kiểm tra: học phần một" in text and "4 câu hỏi" in text

    @pytest.mark.usefixtures("sample")
    def test_lesson_page_has_sanitised_body_and_pager(self, client: TestClient) -> None:
        text = client.get("/courses/khoa-hoc-mau/lessons/bai-mot").text
        assert "<strong>chữ đậm</strong>" in text
        assert "<script>alert" not in text
        assert 'rel="next" href="/courses/khoa-hoc-mau/lessons/bai-hai"' in text
        assert 'rel="prev"' not in text
        last = client.get("/courses/khoa-hoc-mau/lessons/bai-hai").text
        assert 'rel="prev" href="/courses/khoa-hoc-mau/lessons/bai-mot"' in last
        # After the module's last lesson comes its quiz, not the end of the course.
        assert 'rel="next" href="/courses/khoa-hoc-mau/quizzes/kiem-tra-mot"' in last

    @pytest.mark.usefixtures("sample")
    def test_lesson_image_is_served_from_the_database(self, client: TestClient) -> None:
        response = client.get("/courses/khoa-hoc-mau/media/m1/hinh/so-do.png")
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/png"
        assert response.content == PNG_1PX

    @pytest.mark.usefixtures("sample")
    def test_unknown_pages_get_the_styled_404(self, client: TestClient) -> None:
        for url in [
            "/courses/khong-co",
            "/courses/khoa-hoc-mau/lessons/khong-co",
            "/khong-co-trang-nay",
            "/courses/khoa-hoc-mau/media/../../course.yaml",
        ]:
            response = client.get(url)
            assert response.status_code == 404, url
            assert "Không tìm thấy trang" in response.text or "Không có" in response.text
            assert '<link rel="stylesheet" href="/static/style.css">' in response.text


class TestEveryPage:
    URLS: ClassVar[list[str]] = [
        "/",
        "/?q=ho+so",
        "/courses/xu-ly-ho-so-truc-tuyen-mot-cua",
        "/courses/ky-nang-cntt-co-ban/lessons/{first}",
        "/khong-co",
    ]

    @pytest.mark.usefixtures("catalogue")
    def test_pages_are_light_local_and_script_free(self, client: TestClient) -> None:
        outline = client.get("/api/v1/courses/ky-nang-cntt-co-ban").json()
        first = outline["modules"][0]["lessons"][0]["id"]
        for url in self.URLS:
            response = client.get(url.format(first=first))
            html = response.text
            assert page_weight(client, html) < PAGE_BUDGET, url
            assert "<script" not in html, url
            assert not re.search(r'(?:src|href)="(?:https?:)?//', html), url
            assert response.headers["content-security-policy"].startswith("default-src 'self'")
            assert response.headers["x-content-type-options"] == "nosniff"

    @pytest.mark.usefixtures("catalogue")
    def test_every_lesson_of_every_course_renders(self, client: TestClient) -> None:
        courses = client.get("/api/v1/courses").json()
        for course in courses:
            outline = client.get(f"/api/v1/courses/{course['id']}").json()
            for module in outline["modules"]:
                for lesson in module["lessons"]:
                    url = f"/courses/{course['id']}/lessons/{lesson['id']}"
                    response = client.get(url)
                    assert response.status_code == 200, url
                    assert page_weight(client, response.text) < PAGE_BUDGET, url


class TestLanguage:
    @pytest.mark.usefixtures("sample")
    def test_switch_to_english_and_back_keeps_the_page(self, client: TestClient) -> None:
        response = client.get("/lang/en", params={"next": "/courses/khoa-hoc-mau"})
        assert response.status_code == 303
        assert response.headers["location"] == "/courses/khoa-hoc-mau"
        page = client.get("/courses/khoa-hoc-mau").text
        assert '<html lang="en">' in page
        assert "Training hours" in page and "Records handling for testers" in page
        assert "<dd>1.5</dd>" in page
        # Course text stays in its own language.
        assert 'lang="vi"' in client.get("/courses/khoa-hoc-mau/lessons/bai-mot").text
        client.get("/lang/vi", params={"next": "/"})
        assert "Số giờ bồi dưỡng" in client.get("/courses/khoa-hoc-mau").text

    @pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example", ""])
    def test_switch_never_redirects_off_site(self, client: TestClient, target: str) -> None:
        response = client.get("/lang/en", params={"next": target})
        assert response.headers["location"] == "/"

    def test_unknown_language_changes_nothing(self, client: TestClient) -> None:
        response = client.get("/lang/fr", params={"next": "/"})
        assert response.status_code == 303
        assert "set-cookie" not in response.headers
