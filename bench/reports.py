"""The completion and training-hours reports over a generated city: officers in the demo org
tree, each enrolled in one class, 40% completed, a tenth moved to another unit after April.
Each report is timed (best of three) as a ratio to one bare GROUP BY of the same enrolments by
the officers' current unit, in the same run.

Run: .venv/bin/python -m bench.reports [--officers 100000] [--database-url URL]"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bench.report import write_section


def best_of(runs: int, work: Callable[[], Any]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--officers", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hocso-reports-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        os.environ["HOCSO_DATABASE_URL"] = url
        os.environ["HOCSO_ENVIRONMENT"] = "test"
        from sqlalchemy import case, insert, literal, select, text, update

        from app.accounts.models import Placement, User
        from app.classrooms import service as classes
        from app.classrooms.models import Enrolment
        from app.courses.service import import_course_dir
        from app.db import UTCDateTime, get_engine, transaction
        from app.demo import install_demo, officers, org_tree
        from app.migrate import upgrade_to_head
        from app.orgs.models import OrgUnit
        from app.orgs.permissions import SYSTEM
        from app.reports import completion, hours, requirements
        from app.reports.scope import Period
        from app.rounds.models import ProgressCycle
        from app.text import fold, name_sort_value

        upgrade_to_head()
        with transaction() as session:
            import_course_dir(
                session,
                Path(__file__).parent.parent / "courses" / "ky-nang-cntt-co-ban",
                max_asset_bytes=1 << 21,
            )
            install_demo(session, officers_count=0)
            units = {u.code: u.id for u in session.scalars(select(OrgUnit))}
            rows = [
                {
                    "officer_code": f"B{o.code}",
                    "full_name": o.full_name,
                    "name_folded": fold(o.full_name),
                    "name_sort": name_sort_value(o.full_name),
                    "unit_id": units[o.unit_code],
                    "category": o.category,
                    "active": True,
                }
                for o in officers(args.officers, org_tree(wards=12), seed=11)
            ]
            session.execute(insert(User), rows)
            session.execute(
                insert(Placement).from_select(
                    ["user_id", "unit_id", "start_on"],
                    select(User.id, User.unit_id, literal(date(2026, 1, 1))),
                )
            )
            root = units["TP"]
            classroom = classes.create_class(
                session,
                SYSTEM,
                classes.ClassForm(
                    code="BENCH",
                    title="Lớp đo",
                    course_slug="ky-nang-cntt-co-ban",
                    owner_unit_id=root,
                    opens_on=date(2026, 1, 1),
                    due_on=date(2026, 6, 30),
                ),
            )
            enrolled_at = literal(datetime(2026, 1, 5, tzinfo=UTC), UTCDateTime)
            session.execute(
                insert(Enrolment).from_select(
                    ["classroom_id", "user_id", "status", "source", "enrolled_at"],
                    select(literal(classroom.id), User.id, literal("active"), literal("unit"), enrolled_at),
                )
            )
            started_at = literal(datetime(2026, 1, 6, tzinfo=UTC), UTCDateTime)
            done_at = case((User.id % 2 == 0, literal(datetime(2026, 3, 2, 3, tzinfo=UTC), UTCDateTime)))
            session.execute(
                insert(ProgressCycle).from_select(
                    ["user_id", "course_id", "number", "started_at", "last_activity_at", "completed_at"],
                    select(
                        User.id, literal(classroom.course_id), literal(1), started_at, started_at, done_at
                    ).where(User.id % 5 != 0),
                )
            )
            # A tenth of the officers moved to the last unit created on 1 April, after completing.
            ward = max(units.values())
            moved = User.id % 10 == 0
            session.execute(
                update(Placement).where(Placement.user_id % 10 == 0).values(end_on=date(2026, 4, 1))
            )
            session.execute(
                insert(Placement).from_select(
                    ["user_id", "unit_id", "start_on"],
                    select(User.id, literal(ward), literal(date(2026, 4, 1))).where(moved),
                )
            )
            session.execute(update(User).where(moved).values(unit_id=ward))
            requirements.set_requirement(session, SYSTEM, year=2026, category="cong_chuc", minutes=240)
        if url.startswith("postgresql"):
            with get_engine().begin() as conn:
                conn.execute(text("ANALYZE"))
        today = date(2026, 5, 1)
        bare = (
            "SELECT u.unit_id, count(*) FROM enrolments e JOIN users u ON u.id = e.user_id "
            "WHERE e.status = 'active' GROUP BY u.unit_id"
        )

        def run(work: Callable[[Any], Any]) -> Callable[[], Any]:
            def once() -> Any:
                with transaction() as session:
                    return work(session)

            return once

        baseline = best_of(3, run(lambda s: s.execute(text(bare)).all()))
        timings = [
            (
                "completion by unit, the whole city",
                best_of(
                    3, run(lambda s: completion.completion_by_unit(s, SYSTEM, period=Period(), today=today))
                ),
            ),
            (
                "completion by unit, the city's departments and its own row",
                best_of(
                    3,
                    run(
                        lambda s: completion.completion_by_unit(
                            s, SYSTEM, unit_id=root, period=Period(), today=today
                        )
                    ),
                ),
            ),
            (
                "completion by course",
                best_of(
                    3, run(lambda s: completion.completion_by_course(s, SYSTEM, period=Period(), today=today))
                ),
            ),
            (
                "training hours by unit, the city's departments",
                best_of(3, run(lambda s: hours.hours_by_unit(s, SYSTEM, unit_id=root, year=2026))),
            ),
            (
                "officers below their requirement, first page",
                best_of(3, run(lambda s: hours.shortfalls(s, SYSTEM, year=2026))),
            ),
        ]
        get_engine().dispose()

    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    lines = [
        f"{args.officers:,} officers each enrolled once (40% completed, a tenth moved after completing), "
        f"{backend}. Baseline: one bare `GROUP BY` of the same enrolments by the officers' current unit, "
        "in the same run. Best of three.",
        "",
        "| report | ms | × baseline |",
        "| --- | ---: | ---: |",
        f"| baseline GROUP BY | {baseline * 1000:.0f} | 1.0 |",
        *(f"| {label} | {seconds * 1000:.0f} | {seconds / baseline:.1f} |" for label, seconds in timings),
    ]
    table = "\n".join(lines)
    print(table)
    write_section(f"Reports ({backend})", table)


if __name__ == "__main__":
    main()
