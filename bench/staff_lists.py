"""Staff lists at a province's size: 100,000 generated officers, a page of 50 of them through the
API, a class roster of 100, and the HTML dashboard of a class of 1,000, served the way
`hocso serve` serves them by default, loaded by wrk at 1 and at 16 connections, each figure
beside the bare endpoint of the same server in the same run.

Run: .venv/bin/python -m bench.staff_lists [--officers 100000] [--database-url URL] [--workers N]
Needs wrk (Debian: apt-get install wrk)."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from bench.exam_day import serve, stop
from bench.report import write_section

SECONDS = 10
CONNECTIONS = (1, 16)


def _seed(officers_count: int) -> dict[str, str]:
    """The city, two classes (100 and 1,000 officers, half of each at work on the course, a
    third done) and an HR token on the whole city; the paths to load and the token."""
    from sqlalchemy import case, insert, literal, select, text

    from app.accounts.auth import start_session
    from app.accounts.models import Placement, User
    from app.accounts.tokens import create_token
    from app.classrooms import service as classes
    from app.classrooms.models import Enrolment
    from app.courses.service import import_course_dir
    from app.db import UTCDateTime, get_engine, transaction
    from app.demo import install_demo, officers, org_tree
    from app.migrate import upgrade_to_head
    from app.orgs.models import OrgUnit
    from app.orgs.permissions import SYSTEM
    from app.rounds.models import ProgressCycle
    from app.text import fold, name_sort_value

    upgrade_to_head()
    with transaction() as session:
        import_course_dir(
            session, Path(__file__).parent.parent / "courses" / "ky-nang-cntt-co-ban", max_asset_bytes=1 << 21
        )
        logins = install_demo(session, officers_count=0)
        units = {u.code: u.id for u in session.scalars(select(OrgUnit))}
        session.execute(
            insert(User),
            [
                {
                    "officer_code": f"B{o.code}",
                    "full_name": o.full_name,
                    "name_folded": fold(o.full_name),
                    "name_sort": name_sort_value(o.full_name),
                    "unit_id": units[o.unit_code],
                    "category": o.category,
                    "active": True,
                }
                for o in officers(officers_count, org_tree(wards=12), seed=11)
            ],
        )
        session.execute(
            insert(Placement).from_select(
                ["user_id", "unit_id", "start_on"], select(User.id, User.unit_id, literal(date(2026, 1, 1)))
            )
        )
        root = units["TP"]
        ids = {}
        for code, every in (("R100", officers_count // 100), ("D1000", officers_count // 1000)):
            classroom = classes.create_class(
                session,
                SYSTEM,
                classes.ClassForm(
                    code=code,
                    title=f"Lớp đo {code}",
                    course_slug="ky-nang-cntt-co-ban",
                    owner_unit_id=root,
                    opens_on=date(2026, 1, 1),
                    due_on=date(2026, 12, 31),
                ),
            )
            ids[code] = classroom.id
            members = select(User.id).where(User.officer_code.like("B%"), User.id % every == 0)
            session.execute(
                insert(Enrolment).from_select(
                    ["classroom_id", "user_id", "status", "source", "enrolled_at"],
                    select(
                        literal(classroom.id),
                        members.subquery().c.id,
                        literal("active"),
                        literal("unit"),
                        literal(datetime(2026, 1, 5, tzinfo=UTC), UTCDateTime),
                    ),
                )
            )
        started = literal(datetime(2026, 1, 6, tzinfo=UTC), UTCDateTime)
        done = case((User.id % 3 == 0, literal(datetime(2026, 3, 2, 3, tzinfo=UTC), UTCDateTime)))
        session.execute(
            insert(ProgressCycle).from_select(
                ["user_id", "course_id", "number", "started_at", "last_activity_at", "completed_at"],
                select(
                    User.id,
                    literal(classes.get_class(session, SYSTEM, ids["R100"])[0].course_id),
                    literal(1),
                    started,
                    started,
                    done,
                )
                .join(Enrolment, Enrolment.user_id == User.id)
                .where(User.id % 2 == 0)
                .distinct(),
            )
        )
        _, token = create_token(session, SYSTEM, name="bench hr", role="hr", unit_id=root)
        _, coordinator = create_token(
            session, SYSTEM, name="bench coordinator", role="coordinator", unit_id=root
        )
        admin = session.scalars(
            select(User).where(
                User.officer_code == next(login.officer_code for login in logins if login.role == "admin")
            )
        ).one()
        cookie = start_session(session, admin, ip="127.0.0.1", user_agent="wrk")
    # A site in service has its statistics and a settled write-ahead log; a database filled a
    # moment ago in one transaction has neither, and its first readers pay for both.
    with get_engine().begin() as conn:
        conn.execute(text("ANALYZE"))
    if get_engine().url.get_backend_name() == "sqlite":
        with get_engine().connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    get_engine().dispose()
    return {
        "token": token,
        "coordinator": coordinator,
        "cookie": cookie,
        "roster": f"/api/v1/classes/{ids['R100']}/roster",
        "dashboard": f"/classes/{ids['D1000']}",
    }


def wrk(port: int, path: str, connections: int, headers: list[str]) -> tuple[float, float, int]:
    """Requests per second, mean latency in ms, and non-2xx/3xx responses or socket errors."""
    command = ["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{SECONDS}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    latency = re.search(r"Latency\s+([\d.]+)(us|ms|s)", out)
    assert latency is not None
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[latency.group(2)]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failures = int(bad.group(1)) if bad else 0
    if errors:
        failures += sum(int(n) for n in errors.groups())
    return rate, float(latency.group(1)) * scale, failures


def _check(port: int, path: str, headers: list[str], label: str) -> None:
    """Each request answers 200 before it is loaded: a refusal is fast and would look like speed."""
    import httpx2 as httpx

    sent = dict(h.split(": ", 1) for h in headers)
    status = httpx.get(f"http://127.0.0.1:{port}{path}", headers=sent).status_code
    if status != 200:
        raise SystemExit(f"{label}: {path} answered {status}")


def main() -> None:
    from app.serving import default_workers

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--officers", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--workers", type=int, default=0, help="uvicorn workers (0: hocso serve's default)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    workers = args.workers or default_workers()
    with tempfile.TemporaryDirectory(prefix="hocso-lists-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        os.environ["HOCSO_DATABASE_URL"] = url
        os.environ["HOCSO_ENVIRONMENT"] = "test"
        seeded = _seed(args.officers)
        env = {**os.environ, "HOCSO_JOBS_IN_PROCESS": "false"}
        port, server = serve(env, workers, Path(tmp) / "server.log")
        bearer = [f"Authorization: Bearer {seeded['token']}"]
        coordinating = [f"Authorization: Bearer {seeded['coordinator']}"]
        from app.http.auth import SESSION_COOKIE

        cookie = [f"Cookie: {SESSION_COOKIE}={seeded['cookie']}; hocso_lang=vi"]
        rows = []
        try:
            targets = [
                ("bare endpoint (64 bytes)", "/_bench/bare?size=64", []),
                ("50 officers, page 2 (API)", "/api/v1/officers?page=2", bearer),
                ("class roster of 100 (API)", seeded["roster"], coordinating),
                ("class dashboard of 1,000 (HTML, first page)", seeded["dashboard"], cookie),
            ]
            figures: dict[tuple[str, int], tuple[float, float, int]] = {}
            for label, path, headers in targets:
                _check(port, path, headers, label)
                for connections in CONNECTIONS:
                    figures[(label, connections)] = wrk(port, path, connections, headers)
        finally:
            stop(server)
        bare = {c: figures[(targets[0][0], c)][0] for c in CONNECTIONS}
        for label, _, _ in targets:
            one, many = figures[(label, 1)], figures[(label, 16)]
            rows.append(
                f"| {label} | {one[0]:,.0f} | {one[1]:.1f} | {many[0]:,.0f} | {many[1]:.1f} | "
                f"{many[0] / one[0]:.2f} | {many[0] / bare[16]:.2f} | {one[2] + many[2]} |"
            )
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    lists = figures[(targets[1][0], 16)][0], figures[(targets[2][0], 16)][0]
    dashboard_ms = figures[(targets[3][0], 1)][1]
    write_section(
        f"Staff lists, {args.officers:,} officers ({backend})",
        "\n".join(
            [
                f"{args.officers:,} generated officers in the demo city; `hocso serve`'s server with "
                f"{workers} worker processes (its default on this machine) and the bench's bare endpoint; "
                f"wrk for {SECONDS} s per row and connection count, on the same machine. Officers are "
                "read with an HR API token on the whole city, the roster with a coordinator's, the "
                "dashboard with an admin's session cookie; each answers 200 before it is loaded.",
                "",
                "| request | req/s at 1 | ms at 1 | req/s at 16 | ms at 16 | 16 ÷ 1 | 16 ÷ bare | errors |",
                "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
                *rows,
                "",
                f"**At 16 connections: 50 officers {lists[0]:,.0f} req/s, roster of 100 {lists[1]:,.0f} "
                f"req/s; the dashboard of 1,000 answers in {dashboard_ms:.1f} ms at 1 connection.**",
            ]
        ),
    )


if __name__ == "__main__":
    main()
