"""The cost of checking hostile uploads, as a ratio to checking a real one of the same kind in the
same run: a course zip whose lessons are built to make Markdown's inline parser slow, and a tiny
workbook with one cell at XFD1048576.

Run: .venv/bin/python -m bench.hostile_uploads"""

from __future__ import annotations

import argparse
import io
import statistics
import time
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from bench.report import write_section

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "courses" / "ky-nang-cntt-co-ban"


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def real_course() -> bytes:
    return _zip({str(p.relative_to(COURSE.parent)): p.read_bytes() for p in COURSE.rglob("*") if p.is_file()})


def _course(lessons: dict[str, str]) -> bytes:
    names = "\n".join(f"      - {name}" for name in lessons)
    head = (
        "id: kho-doc\nversion: 1\nlanguage: vi\ntitle:\n  vi: Khó đọc\n  en: Hard to read\n"
        "summary:\n  vi: Thử\n  en: Test\ntraining_hours: 1\n"
        f"modules:\n  - id: mot\n    title: Một\n    lessons:\n{names}\n"
    )
    files = {"kho-doc/course.yaml": head.encode()}
    for n, (name, body) in enumerate(lessons.items()):
        files[f"kho-doc/{name}"] = f"---\nid: bai-{n}\ntitle: Bài {n}\n---\n{body}".encode()
    return _zip(files)


def brackets_as_reported() -> bytes:
    """Three 1 MB lessons of '[' (3.7 KB zipped), as an outside probe sent them."""
    return _course({f"bai-{n}.md": "[" * 1_000_000 for n in range(3)})


def worst_within_limits() -> bytes:
    """A hundred lessons just under the lesson size limit, each paragraph just under the inline
    limit, all of '![' (the slowest pattern found): what the limits still let through."""
    from app.courses.content import MAX_LESSON_FILE
    from app.courses.rendering import MAX_INLINE

    paragraph = "![" * ((MAX_INLINE - 1) // 2)
    body = "\n\n".join([paragraph] * ((MAX_LESSON_FILE - 200) // (len(paragraph) + 2)))
    return _course({f"bai-{n}.md": body for n in range(100)})


def real_roster() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Mã cán bộ", "Họ và tên", "Đơn vị", "Email"])
    for n in range(1000):
        sheet.append([f"CB{n:06d}", f"Nguyễn Văn Mẫu {n}", "TP", f"cb{n}@example.gov.vn"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def far_cell_roster() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Mã cán bộ", "Họ và tên", "Đơn vị"])
    sheet["XFD1048576"] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _seconds(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _check_course(data: bytes) -> str:
    from app.courses.content import ContentInvalid
    from app.courses.uploads import read_course_zip
    from app.errors import InvalidInput

    try:
        read_course_zip(data)
    except ContentInvalid as exc:
        return f"refused: {exc.errors[0].message[:70]}"
    except InvalidInput as exc:
        return f"refused: {exc.message[:70]}"
    return "accepted"


def _check_roster(data: bytes) -> str:
    from app.accounts.roster import read_roster

    parsed = read_roster("ds.xlsx", data)
    return f"{len(parsed.rows)} rows, {len(parsed.errors)} problems"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cases = [
        ("course", "real course (6 modules, 18 lessons)", real_course(), _check_course),
        ("course", "three 1 MB lessons of '['", brackets_as_reported(), _check_course),
        ("course", "100 lessons at the limits, all '!['", worst_within_limits(), _check_course),
        ("roster", "real workbook, 1,000 officers", real_roster(), _check_roster),
        ("roster", "one cell at XFD1048576", far_cell_roster(), _check_roster),
    ]
    baselines: dict[str, float] = {}
    lines = [
        "| upload | bytes | outcome | seconds (median) | × real one |",
        "| --- | ---: | --- | ---: | ---: |",
    ]
    for kind, name, data, check in cases:
        outcome = check(data)
        seconds = _seconds(partial(check, data), args.runs)
        baselines.setdefault(kind, seconds)
        ratio = seconds / baselines[kind]
        lines.append(f"| {name} | {len(data):,} | {outcome} | {seconds:.3f} | {ratio:.1f} |")
        print(lines[-1], flush=True)
    body = (
        "Checking an upload as the upload pages do (`read_course_zip`, `read_roster`), in one process, "
        f"median of {args.runs} runs. Baseline: a real upload of the same kind in the same run. "
        "The course check refuses a lesson over 100 KB and a paragraph over 4,000 characters before "
        "inline parsing, and stops once rendering has taken 3 s, so the worst upload costs that "
        "plus one lesson; blank rows a workbook skips are passed on without being read.\n\n"
        + "\n".join(lines)
    )
    write_section("Hostile uploads", body)


if __name__ == "__main__":
    main()
