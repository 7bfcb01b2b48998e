"""Assigning 10,000 officers (a whole unit subtree) to a class: preview and write, timed, and as a
ratio to one bare INSERT … SELECT of the same officers into a table without checks. Then the class
falls overdue and the reminder run is timed twice (the second must queue nothing), with delivery
of the outbox to a local folder.

Run: .venv/bin/python -m bench.assign_class [--officers 10000] [--database-url URL]"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.report import write_section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--officers", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hocso-assign-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        os.environ["HOCSO_DATABASE_URL"] = url
        os.environ["HOCSO_ENVIRONMENT"] = "test"
        from sqlalchemy import insert, select, text

        from app.accounts.models import Placement, User
        from app.classrooms import service as classes
        from app.config import get_settings
        from app.courses.service import import_course_dir
        from app.db import get_engine, transaction
        from app.demo import install_demo, officers, org_tree
        from app.migrate import upgrade_to_head
        from app.notifications.delivery import deliver
        from app.notifications.mail import mailer_for
        from app.notifications.reminders import queue_reminders
        from app.orgs.models import OrgUnit
        from app.orgs.permissions import SYSTEM
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
                    # Half the officers have an address, as in a real roster.
                    "email": f"b{o.code.lower()}@example.gov.vn" if n % 2 == 0 else None,
                }
                for n, o in enumerate(officers(args.officers, org_tree(wards=12), seed=11))
            ]
            session.execute(insert(User), rows)
            session.execute(
                insert(Placement).from_select(
                    ["user_id", "unit_id", "start_on"], select(User.id, User.unit_id, text("'2026-01-01'"))
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
                    opens_on=date(2026, 9, 1),
                ),
            )
            class_id = classroom.id
        with get_engine().begin() as conn:
            conn.execute(
                text("CREATE TABLE bench_enrol (classroom_id INTEGER, user_id INTEGER, status VARCHAR(10))")
            )
            started = time.perf_counter()
            conn.execute(
                text("INSERT INTO bench_enrol SELECT :c, id, 'active' FROM users WHERE active"),
                {"c": class_id},
            )
            baseline = time.perf_counter() - started
        target = classes.Target(unit_id=root)
        with transaction() as session:
            started = time.perf_counter()
            counts = classes.preview(session, SYSTEM, classroom_id=class_id, target=target)
            preview_s = time.perf_counter() - started
        with transaction() as session:
            started = time.perf_counter()
            classes.assign(session, SYSTEM, classroom_id=class_id, target=target)
            assign_s = time.perf_counter() - started
        with transaction() as session:
            enrolled = session.scalar(text("SELECT count(*) FROM enrolments WHERE status = 'active'"))
            session.execute(text("UPDATE classrooms SET due_on = :d"), {"d": date(2026, 11, 1)})
        settings = get_settings().model_copy(update={"smtp_host": "", "mail_folder": Path(tmp) / "mail"})
        runs = []
        for _ in range(2):
            with transaction() as session:
                started = time.perf_counter()
                queued = queue_reminders(session, settings, today=date(2026, 11, 2))
                queue_s = time.perf_counter() - started
            started = time.perf_counter()
            sent = deliver(transaction, settings, mailer_for(settings))
            runs.append((queue_s, queued, time.perf_counter() - started, sent))
        get_engine().dispose()

    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    table = "\n".join(
        [
            f"A class assigned to the whole tree: {counts.new:,} officers ({enrolled:,} enrolled after), "
            f"{backend}. Baseline: one bare `INSERT … SELECT` of the same officers into a table without "
            "constraints, in the same run.",
            "",
            "| step | ms | × baseline |",
            "| --- | ---: | ---: |",
            f"| baseline INSERT … SELECT | {baseline * 1000:.0f} | 1.0 |",
            f"| preview (4 counting queries) | {preview_s * 1000:.0f} | {preview_s / baseline:.1f} |",
            f"| assign (preview, one UPDATE, one INSERT … SELECT, audit) | {assign_s * 1000:.0f} | "
            f"{assign_s / baseline:.1f} |",
        ]
    )
    lines = [
        "",
        "The same class a day after its due date: `hocso notify run`, twice.",
        "",
        "| run | queue ms | notices | e-mails | already queued | deliver ms | sent (to a folder) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n, (queue_s, q, deliver_s, d) in enumerate(runs, start=1):
        lines.append(
            f"| {n} | {queue_s * 1000:.0f} | {q.notices:,} | {q.emails:,} | {q.already:,} | "
            f"{deliver_s * 1000:.0f} | {d.sent:,} |"
        )
    table += "\n" + "\n".join(lines)
    print(table)
    write_section(f"Assigning {args.officers:,} officers to a class, and reminding them ({backend})", table)


if __name__ == "__main__":
    main()
