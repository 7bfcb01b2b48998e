from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.config import get_settings
from app.courses import service
from app.courses.cache import TTLCache
from tests.factories import write_course


class TestTTLCache:
    def test_loads_once_within_ttl(self) -> None:
        cache: TTLCache[str, int] = TTLCache()
        calls: list[int] = []

        def load() -> int:
            calls.append(1)
            return len(calls)

        for _ in range(3):
            assert cache.get_or_load("k", 60, load) == 1
        assert len(calls) == 1

    def test_zero_ttl_always_loads(self) -> None:
        cache: TTLCache[str, int] = TTLCache()
        values = iter([1, 2])
        assert cache.get_or_load("k", 0, lambda: next(values)) == 1
        assert cache.get_or_load("k", 0, lambda: next(values)) == 2

    def test_keeps_at_most_maxsize_entries(self) -> None:
        cache: TTLCache[int, int] = TTLCache(maxsize=2)
        for key in range(3):
            cache.get_or_load(key, 60, lambda k=key: k)  # type: ignore[misc]
        assert cache.get_or_load(0, 60, lambda: -1) == -1


@pytest.fixture
def caching(monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.setenv("HOCSO_CONTENT_CACHE_SECONDS", "60")
    get_settings.cache_clear()
    service.clear_content_cache()
    yield None
    monkeypatch.delenv("HOCSO_CONTENT_CACHE_SECONDS")
    get_settings.cache_clear()
    service.clear_content_cache()


@pytest.mark.usefixtures("caching")
def test_lesson_is_served_from_cache_and_an_import_refreshes_it(session: Session, tmp_path: Path) -> None:
    service.import_course_dir(session, write_course(tmp_path / "v1"), max_asset_bytes=1 << 20)
    assert service.lesson_view(session, "khoa-hoc-mau", "bai-hai").lesson.title == "Bài hai"
    edited = write_course(
        tmp_path / "v2", version=2, files={"m1/bai-hai.md": "---\nid: bai-hai\ntitle: Bài hai mới\n---\nX\n"}
    )
    service.import_course_dir(session, edited, max_asset_bytes=1 << 20)
    assert service.lesson_view(session, "khoa-hoc-mau", "bai-hai").lesson.title == "Bài hai mới"
