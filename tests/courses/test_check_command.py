"""`hocso courses check` with warnings: printed after the errors, a summary line per course, and
--strict failing on them; the shipped courses held to --strict."""

from pathlib import Path

from typer.testing import CliRunner

from app.cli import app
from app.courses.content import find_course_dirs, parse_course_dir
from app.courses.glossary import load_glossary
from app.courses.review import review_course
from tests.courses.test_quality import SOUND, single, write
from tests.factories import COURSES

runner = CliRunner()


def test_warnings_come_after_the_errors_then_one_summary_line_per_course(tmp_path: Path) -> None:
    write(tmp_path, [SOUND], hours="3")
    (tmp_path / "hong").mkdir()
    (tmp_path / "hong" / "course.yaml").write_text("id: hong\n", encoding="utf-8")
    result = runner.invoke(app, ["courses", "check", str(tmp_path)])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[-1].startswith("khoa-kiem-thu: 1 học phần, 1 bài học, 1 câu hỏi (1 chọn một); nội dung 60")
    assert lines[-1].endswith("ghi 3 giờ; 0 hình; 1 cảnh báo")
    error = next(i for i, line in enumerate(lines) if line.startswith("✗ hong"))
    warning = lines.index("! khoa-kiem-thu: 1 cảnh báo")
    assert error < warning
    assert lines[warning + 1].startswith("    khoa-kiem-thu/course.yaml: training_hours: ghi 3 giờ nhưng")


def test_warnings_pass_unless_strict(tmp_path: Path) -> None:
    folder = write(tmp_path, [single("dai", "a" * 30, "b" * 10, "c" * 10)])
    plain = runner.invoke(app, ["courses", "check", str(folder)])
    assert plain.exit_code == 0, plain.output
    assert (
        "khoa-kiem-thu/m1/kiem-tra.yaml:" in plain.output and ": dai: phương án đúng dài 30" in plain.output
    )
    strict = runner.invoke(app, ["courses", "check", "--strict", str(folder)])
    assert strict.exit_code == 1


def test_a_course_without_warnings_passes_strict(tmp_path: Path) -> None:
    result = runner.invoke(app, ["courses", "check", "--strict", str(write(tmp_path, [SOUND]))])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].endswith("; 0 cảnh báo")


def test_the_glossary_beside_the_courses_is_used_and_its_errors_stop_the_check(tmp_path: Path) -> None:
    folder = write(tmp_path, [SOUND], body="Mở đường link.")
    (tmp_path / "thuat-ngu.yaml").write_text(
        "terms:\n  - use: đường liên kết\n    avoid: [đường link]\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["courses", "check", str(folder)])
    assert "khoa-kiem-thu/m1/bai.md:7: viết “đường link”; các khoá học thống nhất" in result.output
    (tmp_path / "thuat-ngu.yaml").write_text("terms:\n  - avoid: [x]\n", encoding="utf-8")
    broken = runner.invoke(app, ["courses", "check", str(folder)])
    assert broken.exit_code == 1
    assert "thuat-ngu.yaml:2: terms[1]: 'use' is missing" in broken.output


def test_every_shipped_course_passes_the_checker_strictly() -> None:
    glossary = load_glossary(COURSES / "thuat-ngu.yaml")
    found = [
        f"{folder.name}/{warning}"
        for folder in find_course_dirs(COURSES)
        for warning in review_course(folder, parse_course_dir(folder), glossary).warnings
    ]
    assert not found, f"{len(found)} warnings:\n" + "\n".join(found)
