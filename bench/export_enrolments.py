"""The enrolment export at 250k, 500k and 1M rows: time as a ratio to a raw SQL export of the
same query, and peak memory, which must stay flat (under 200 MB) as the rows grow.

Generates 100,000 officers and 200 classes of 5,000 officers each (1,000,000 enrolments, one in
fifty withdrawn; a third of the officers have a progress cycle, half of those completed, each
with a graded quiz attempt), with set-based INSERT … SELECT, deterministically. Class k was
enrolled on day k, so "enrolled until day n" selects n × 5,000 rows. Then, for each size, three
exports run, each in a fresh subprocess that reports its own peak RSS (VmHWM):

- baseline: the export's SELECT compiled to plain SQL, run on a raw DBAPI cursor (a server-side
  cursor on PostgreSQL) and written by csv.writer to a file, values as the driver returns them;
- CSV: the real enrolment Table (scope resolved for an admin of the whole tree) through the real
  CSV writer, rows streamed from a session of its own, as the download and the job do;
- XLSX: the same rows through the XLSX writer (constant memory, then read back in chunks).

Run: .venv/bin/python -m bench.export_enrolments [--database-url URL] [--reset]
(PostgreSQL: an empty database, e.g. su postgres -c "psql -c 'CREATE DATABASE hocso_export OWNER
hocso_ci'"; --reset drops and recreates its public schema first.)"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.report import write_section

PER_CLASS = 5_000
BASE_DAY = date(2026, 1, 1)
SIZES = (250_000, 500_000, 1_000_000)
CHILD = (sys.executable, "-m", "bench.export_enrolments", "--child")


def generate(officers_count: int, classes: int) -> None:
    from sqlalchemy import bindparam, case, func, insert, literal, select, text

    from app.accounts.models import Placement, User
    from app.classrooms.models import Classroom, Enrolment
    from app.courses.models import Course, Quiz
    from app.courses.service import import_course_dir
    from app.db import UTCDateTime, get_engine, transaction
    from app.demo import install_demo, officers, org_tree
    from app.orgs.models import OrgUnit
    from app.text import fold, name_sort_value

    with transaction() as session:
        import_course_dir(
            session, Path(__file__).parent.parent / "courses" / "ky-nang-cntt-co-ban", max_asset_bytes=1 << 21
        )
        install_demo(session, officers_count=0)
        units = {u.code: u.id for u in session.scalars(select(OrgUnit))}
        batch: list[dict[str, Any]] = []
        for o in officers(officers_count, org_tree(wards=12), seed=7):
            batch.append(
                {
                    "officer_code": f"X{o.code}",
                    "full_name": o.full_name,
                    "name_folded": fold(o.full_name),
                    "name_sort": name_sort_value(o.full_name),
                    "unit_id": units[o.unit_code],
                    "category": o.category,
                    "active": True,
                }
            )
            if len(batch) == 10_000:
                session.execute(insert(User), batch)
                batch = []
        if batch:
            session.execute(insert(User), batch)
        session.execute(
            insert(Placement).from_select(
                ["user_id", "unit_id", "start_on"], select(User.id, User.unit_id, literal(date(2026, 1, 1)))
            )
        )
        course_id = session.scalar(select(Course.id).where(Course.slug == "ky-nang-cntt-co-ban"))
        quiz_id = session.scalar(select(Quiz.id).where(Quiz.course_id == course_id).order_by(Quiz.id))
        session.execute(
            insert(Classroom),
            [
                {
                    "code": f"BX{k:03d}",
                    "title": f"Lớp kỹ năng số {k}",
                    "course_id": course_id,
                    "owner_unit_id": units["TP"],
                    "opens_on": BASE_DAY,
                    "due_on": BASE_DAY + timedelta(days=60 + k),
                    "self_enrol": False,
                    "status": "open",
                }
                for k in range(1, classes + 1)
            ],
        )
    # Officers are dealt to classes by their id modulo the number of groups, one INSERT … SELECT
    # per class (each class enrolled on its own day); user ids come from the insert above.
    groups = max(1, officers_count // PER_CLASS)
    with transaction() as session:
        class_ids = list(
            session.scalars(select(Classroom.id).where(Classroom.code.like("BX%")).order_by(Classroom.id))
        )
        # The generated officers' ids are contiguous from `first`, so each group has exactly
        # officers_count / groups of them.
        first = session.scalar(select(func.min(User.id)).where(User.officer_code.like("X%"))) or 0
        for k, class_id in enumerate(class_ids):
            at = datetime.combine(BASE_DAY + timedelta(days=k), datetime.min.time(), UTC) + timedelta(hours=2)
            session.execute(
                insert(Enrolment).from_select(
                    ["classroom_id", "user_id", "status", "source", "enrolled_at"],
                    select(
                        literal(class_id),
                        User.id,
                        case(((User.id + class_id) % 50 == 0, literal("withdrawn")), else_=literal("active")),
                        literal("unit"),
                        literal(at, UTCDateTime()),
                    ).where((User.id - first) % groups == k % groups, User.officer_code.like("X%")),
                )
            )
        started = datetime(2026, 2, 1, 1, 0, tzinfo=UTC)
        session.execute(
            text(
                "INSERT INTO progress_cycles (user_id, course_id, number, started_at, last_activity_at, "
                "completed_at) SELECT id, :course, 1, :started, :started, "
                "CASE WHEN id % 6 = 0 THEN :done END FROM users WHERE id % 3 = 0"
            ).bindparams(bindparam("started", type_=UTCDateTime()), bindparam("done", type_=UTCDateTime())),
            {"course": course_id, "started": started, "done": started + timedelta(days=9)},
        )
        session.execute(
            text(
                "INSERT INTO quiz_attempts (quiz_id, user_id, cycle_id, number, status, started_at, "
                "score_percent, passed, settings, layout) SELECT :quiz, user_id, id, 1, 'graded', "
                "started_at, (id * 37) % 101, (id * 37) % 101 >= 80, '{}', '[]' FROM progress_cycles"
            ),
            {"quiz": quiz_id},
        )
    if get_engine().dialect.name == "postgresql":
        with get_engine().connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))


def _scope(size: int) -> tuple[Any, Any, Any]:
    """The admin of the whole tree, and the filter that selects `size` rows."""
    from sqlalchemy import select

    from app.accounts.grants import actor_for
    from app.accounts.models import User
    from app.db import get_sessionmaker
    from app.orgs.models import RoleGrant
    from app.reports.enrolments import EnrolmentFilter

    session = get_sessionmaker()()
    admin = session.scalar(
        select(User).join(RoleGrant, RoleGrant.user_id == User.id).where(RoleGrant.role == "admin")
    )
    assert admin is not None
    actor = actor_for(session, admin, ip=None)
    flt = EnrolmentFilter(enrolled_to=BASE_DAY + timedelta(days=size // PER_CLASS - 1))
    return session, actor, flt


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str, size: int, out: Path) -> dict[str, float]:
    """One export, run in this (fresh) process; returns seconds, rows and peak memory."""
    from app.db import get_engine, get_sessionmaker
    from app.reports.enrolments import enrolment_query, enrolment_table, resolve_scope
    from app.tabular.writers import file_chunks

    today, tz = date(2026, 3, 1), "Asia/Ho_Chi_Minh"
    session, actor, flt = _scope(size)
    rows = 0
    started = time.perf_counter()
    if kind == "baseline":
        scope = resolve_scope(session, actor, flt, today=today, timezone=tz)
        engine = get_engine()
        query = enrolment_query(scope, language="vi")
        sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
        raw = engine.raw_connection()
        try:
            cursor: Any = (
                raw.driver_connection.cursor(name="bench")  # type: ignore[union-attr]
                if engine.dialect.name == "postgresql"
                else raw.cursor()
            )
            if engine.dialect.name == "postgresql":
                cursor.itersize = 2000
            cursor.execute(sql)
            with out.open("w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle, lineterminator="\r\n")
                for row in cursor:
                    writer.writerow(row)
                    rows += 1
            cursor.close()
        finally:
            raw.close()
    else:
        table = enrolment_table(session, actor, flt, language="vi", today=today, timezone=tz)
        rows_session = get_sessionmaker()()

        def counted() -> Any:
            nonlocal rows
            for row in table.rows(rows_session):
                rows += 1
                yield row

        with out.open("wb") as binary:
            for chunk in file_chunks(table, counted(), fmt=kind, language="vi", timezone=tz):
                binary.write(chunk)
        rows_session.close()
    seconds = time.perf_counter() - started
    session.close()
    return {"seconds": seconds, "rows": rows, "peak_mb": _peak_mb(), "bytes": out.stat().st_size}


def run_child(kind: str, size: int, url: str, folder: Path) -> dict[str, float]:
    out = folder / f"{kind}-{size}.out"
    done = subprocess.run(
        [*CHILD, kind, "--rows", str(size), "--out", str(out)],
        env={**os.environ, "HOCSO_DATABASE_URL": url, "HOCSO_ENVIRONMENT": "test"},
        check=True,
        capture_output=True,
        text=True,
    )
    out.unlink()
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--officers", type=int, default=100_000)
    parser.add_argument("--classes", type=int, default=200)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--reset", action="store_true", help="drop the PostgreSQL schema first")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--out", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.rows, Path(args.out))))
        return
    with tempfile.TemporaryDirectory(prefix="hocso-export-") as tmp:
        folder = Path(tmp)
        url = args.database_url or f"sqlite:///{folder / 'export.db'}"
        os.environ["HOCSO_DATABASE_URL"] = url
        os.environ["HOCSO_ENVIRONMENT"] = "test"
        from sqlalchemy import text

        from app.db import get_engine
        from app.migrate import upgrade_to_head

        if args.reset and url.startswith("postgresql"):
            with get_engine().begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade_to_head()
        started = time.perf_counter()
        generate(args.officers, args.classes)
        generate_s = time.perf_counter() - started
        get_engine().dispose()
        total = args.classes * PER_CLASS
        sizes = [s for s in SIZES if s <= total]
        results: dict[tuple[str, int], dict[str, float]] = {}
        for size in sizes:
            for kind in ("baseline", "csv", "xlsx"):
                results[kind, size] = run_child(kind, size, url, folder)
                print(kind, size, results[kind, size], flush=True)

    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    lines = [
        f"{args.officers:,} officers, {args.classes} classes, {total:,} enrolments on {backend}, generated "
        f"with INSERT … SELECT in {generate_s:.0f} s. Each export runs in a fresh process (peak RSS is "
        "that process's VmHWM, interpreter and imports included). Baseline: the same SELECT as plain "
        "SQL on a raw DBAPI cursor (server-side on PostgreSQL) into csv.writer, in the same run.",
        "",
        "| rows | baseline s | CSV s | CSV × baseline | XLSX s | XLSX × baseline | "
        "peak MB baseline / CSV / XLSX | CSV MB |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size in sizes:
        b, c, x = results["baseline", size], results["csv", size], results["xlsx", size]
        assert b["rows"] == c["rows"] == x["rows"] == size, (b, c, x)
        lines.append(
            f"| {size:,} | {b['seconds']:.1f} | {c['seconds']:.1f} | {c['seconds'] / b['seconds']:.2f} | "
            f"{x['seconds']:.1f} | {x['seconds'] / b['seconds']:.2f} | "
            f"{b['peak_mb']:.0f} / {c['peak_mb']:.0f} / {x['peak_mb']:.0f} | {c['bytes'] / 1e6:.0f} |"
        )
    table = "\n".join(lines)
    print(table)
    write_section(f"Exporting enrolments, up to {total:,} rows ({backend})", table)


if __name__ == "__main__":
    main()
