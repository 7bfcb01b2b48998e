"""Importing a 100,000-row roster: time (and as a ratio to a bare executemany INSERT of the same
rows in the same run), peak memory, and a second run of the same file (all unchanged).

Run: .venv/bin/python -m bench.roster_import [--rows 100000] [--database-url URL]"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.report import write_section

CHILD = r"""
import json, resource, sys, time
from datetime import date
from pathlib import Path
from app.db import transaction
from app.accounts.roster_import import import_roster
from app.orgs.permissions import SYSTEM

def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

mode, path = sys.argv[1], Path(sys.argv[2])
data = path.read_bytes()
base = rss()
started = time.perf_counter()
if mode == "baseline":
    import csv, io
    from sqlalchemy import text
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    with transaction() as session:
        unit = session.execute(text("SELECT id FROM org_units WHERE code = 'TP'")).scalar_one()
        session.execute(text(
            "INSERT INTO bench_raw (code, name, email, unit_id) VALUES (:code, :name, :email, :unit)"),
            [{"code": r["Mã cán bộ"], "name": r["Họ và tên"], "email": r["Email"], "unit": unit}
             for r in rows])
else:
    with transaction() as session:
        plan = import_roster(session, SYSTEM, filename=path.name, data=data, on=date.today())
        assert plan.ok, plan.errors[:5]
        print(json.dumps({"new": len(plan.new), "unchanged": plan.unchanged}), file=sys.stderr)
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "peak_mb": rss(), "base_mb": base}))
"""


def run_child(mode: str, path: Path, env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(path)], env=env, check=True, capture_output=True, text=True
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    from app.demo import officers, org_tree

    with tempfile.TemporaryDirectory(prefix="hocso-roster-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        env = {**os.environ, "HOCSO_DATABASE_URL": url, "HOCSO_ENVIRONMENT": "test"}
        bin_dir = Path(sys.executable).parent
        subprocess.run([bin_dir / "hocso", "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([bin_dir / "hocso", "init", "--demo"], env=env, check=True, capture_output=True)
        from sqlalchemy import create_engine, text

        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "CREATE TABLE bench_raw (code VARCHAR(50), name VARCHAR(200), email VARCHAR(254), "
                    "unit_id INTEGER)"
                )
            )
        engine.dispose()
        path = Path(tmp) / "roster.csv"
        units = org_tree(wards=12)
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(
                [
                    "Mã cán bộ",
                    "Họ và tên",
                    "Ngày sinh",
                    "Email",
                    "Đơn vị",
                    "Loại cán bộ",
                    "Chức vụ",
                    "Vị trí việc làm",
                ]
            )
            for o in officers(args.rows, units, seed=7):
                writer.writerow(
                    [
                        f"R{o.code}",
                        o.full_name,
                        o.birth_date.strftime("%d/%m/%Y"),
                        f"r{o.email}",
                        o.unit_code,
                        o.category,
                        o.position,
                        o.job_position,
                    ]
                )
        size_mb = path.stat().st_size / 1024 / 1024
        baseline = run_child("baseline", path, env)
        first = run_child("import", path, env)
        second = run_child("import", path, env)

    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    table = "\n".join(
        [
            f"{args.rows:,} rows ({size_mb:.1f} MB CSV, 8 columns) through `import_roster` (parse, validate, "
            f"match units, compare, write), {backend}, each run in a fresh process. Baseline: the same rows "
            "read with csv.DictReader and written by one executemany INSERT into a bare table.",
            "",
            "| run | seconds | × baseline | peak RSS MB | RSS before MB |",
            "| --- | ---: | ---: | ---: | ---: |",
            *(
                f"| {name} | {r['seconds']:.1f} | {r['seconds'] / baseline['seconds']:.1f} | "
                f"{r['peak_mb']:.0f} | {r['base_mb']:.0f} |"
                for name, r in [
                    ("baseline (raw INSERT)", baseline),
                    ("import, all new", first),
                    ("import again, all unchanged", second),
                ]
            ),
        ]
    )
    print(table)
    write_section(f"Roster import, {args.rows:,} rows ({backend})", table)


if __name__ == "__main__":
    main()
