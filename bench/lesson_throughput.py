"""Lesson page throughput through uvicorn on loopback with 50 concurrent clients, as a ratio to
a bare endpoint of the same server returning a constant page of the same size.

Run: make bench   (or: .venv/bin/python -m bench.lesson_throughput --seconds 10)"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.loadgen import LoadResult, load
from bench.report import write_section

BIN = Path(sys.executable).parent
LESSON = "/courses/ky-nang-cntt-co-ban/lessons/"
TARGET = 0.6


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(port: int) -> None:
    for _ in range(200):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit("the server did not start")


def _first_lesson(port: int) -> str:
    import json

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/courses/ky-nang-cntt-co-ban") as response:
        outline = json.load(response)
    return LESSON + str(outline["modules"][1]["lessons"][0]["id"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each measured round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per endpoint")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--no-cache", action="store_true", help="turn the content cache off (for comparison)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="hocso-bench-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        env = {**os.environ, "HOCSO_DATABASE_URL": url, "HOCSO_ENVIRONMENT": "test"}
        if args.no_cache:
            env["HOCSO_CONTENT_CACHE_SECONDS"] = "0"
        subprocess.run([BIN / "hocso", "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([BIN / "hocso", "courses", "import"], env=env, check=True, capture_output=True)
        port = _free_port()
        server = subprocess.Popen(
            [
                BIN / "uvicorn",
                "bench.server:create_bench_app",
                "--factory",
                "--port",
                str(port),
                "--host",
                "127.0.0.1",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env=env,
        )
        try:
            _wait(port)
            lesson = _first_lesson(port)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{lesson}") as response:
                size = len(response.read())
            bare = f"/_bench/bare?size={size}"
            load(port, lesson, clients=args.clients, seconds=2)  # warm-up
            load(port, bare, clients=args.clients, seconds=2)
            results: dict[str, list[LoadResult]] = {"bare": [], "lesson": []}
            for _ in range(args.rounds):
                results["bare"].append(load(port, bare, clients=args.clients, seconds=args.seconds))
                results["lesson"].append(load(port, lesson, clients=args.clients, seconds=args.seconds))
        finally:
            server.terminate()
            server.wait(timeout=10)

    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    if args.no_cache:
        backend += ", content cache off"
    rows = []
    for name, runs in results.items():
        merged = LoadResult(latencies=[x for r in runs for x in r.latencies])
        rows.append(
            (
                name,
                statistics.median(r.rate for r in runs),
                sum(r.errors for r in runs),
                merged.percentile(50) * 1000,
                merged.percentile(99) * 1000,
            )
        )
    ratio = rows[1][1] / rows[0][1]
    table = "\n".join(
        [
            f"Lesson page `{lesson}` ({size:,} bytes) vs a bare endpoint returning {size:,} constant bytes, "
            f"same uvicorn process (1 worker), {backend}, {args.clients} keep-alive clients on 127.0.0.1, "
            f"{args.rounds} alternating rounds of {args.seconds:g} s; median rate per endpoint.",
            "",
            "| endpoint | requests/s | errors | p50 ms | p99 ms |",
            "| --- | ---: | ---: | ---: | ---: |",
            *(f"| {n} | {rate:,.0f} | {err} | {p50:.1f} | {p99:.1f} |" for n, rate, err, p50, p99 in rows),
            "",
            f"**Ratio lesson/bare: {ratio:.2f}** (target ≥ {TARGET}).",
        ]
    )
    print(table)
    write_section(f"Lesson page throughput ({backend})", table)
    if ratio < TARGET and not args.no_cache:
        raise SystemExit(f"ratio {ratio:.2f} is below the target {TARGET}")


if __name__ == "__main__":
    main()
