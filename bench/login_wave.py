"""A log-in wave at two password-hash costs in one run: the former default (pwdlib's argon2id,
64 MiB, 3 passes, 4 lanes) and today's (OWASP's 19 MiB, 2 passes, 1 lane). For each cost, N
officers whose stored hashes were made at that cost log in (the form fetched, then sent) on
`hocso serve`'s server (its default workers), with at most C requests in flight; logins per
second is N over the wave's wall time, and hashing alone on all cores is the ceiling beside it.

Run: .venv/bin/python -m bench.login_wave [--officers 400] [--concurrency 32]"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

import httpx2

from bench.exam_day import TOKEN, Driver, Phase, serve, stop
from bench.report import write_section

COSTS = {
    "former default (64 MiB, 3 passes, 4 lanes)": ("65536", "3", "4"),
    "today's default (19 MiB, 2 passes, 1 lane)": ("19456", "2", "1"),
}
NAMES = ("HOCSO_PASSWORD_HASH_MEMORY_KIB", "HOCSO_PASSWORD_HASH_TIME_COST", "HOCSO_PASSWORD_HASH_PARALLELISM")


async def _log_in(driver: Driver, phases: dict[str, Phase], client: httpx2.AsyncClient, code: str) -> None:
    """The form fetched (for its CSRF token) and sent; the page it leads to is not part of it."""
    from bench.exam_setup import PASSWORD

    page = (await driver.send(phases["login page"], client, "GET", "/login")).response
    if page is None or not (found := TOKEN.search(page.text)):
        return
    form = {"csrf_token": found.group(1), "account": code, "password": PASSWORD, "next": "/learning"}
    headers = {"Referer": str(client.base_url.join("/login"))}

    def refused(response: httpx2.Response) -> str | None:
        return None if response.headers.get("location") == "/learning" else "303 back to the form"

    await driver.send(phases["login"], client, "POST", "/login", data=form, headers=headers, refused=refused)


async def wave(port: int, codes: list[str], concurrency: int) -> tuple[Phase, float]:
    base = f"http://127.0.0.1:{port}"
    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    transport = httpx2.AsyncHTTPTransport(limits=limits)
    phases = {n: Phase(n) for n in ("login page", "login")}
    phases["login"].expect = 303
    driver = Driver(concurrency)
    clients = [
        httpx2.AsyncClient(base_url=base, transport=transport, timeout=600, trust_env=False) for _ in codes
    ]
    try:
        started = time.perf_counter()
        await asyncio.gather(
            *(_log_in(driver, phases, c, code) for c, code in zip(clients, codes, strict=True))
        )
        wall = time.perf_counter() - started
    finally:
        await transport.aclose()
    return phases["login"], wall


def main() -> None:
    from app.config import get_settings
    from app.serving import default_workers

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--officers", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    workers = default_workers()
    rows = []
    rates = {}
    for label, cost in COSTS.items():
        os.environ.update(dict(zip(NAMES, cost, strict=True)))
        get_settings.cache_clear()
        from bench.exam_setup import argon2_rate, prepare

        with tempfile.TemporaryDirectory(prefix="hocso-wave-") as tmp:
            os.environ["HOCSO_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.db'}"
            os.environ["HOCSO_ENVIRONMENT"] = "test"
            from app.db import get_engine, get_sessionmaker

            get_engine.cache_clear()
            get_sessionmaker.cache_clear()
            ceiling, one_ms = argon2_rate(workers)
            prepared = prepare(Path(tmp), args.officers)
            port, server = serve(
                {**os.environ, "HOCSO_JOBS_IN_PROCESS": "false"}, workers, Path(tmp) / "server.log"
            )
            try:
                phase, wall = asyncio.run(wave(port, prepared.codes, args.concurrency))
            finally:
                stop(server)
        rate = phase.ok / wall
        rates[label] = rate
        rows.append(
            f"| {label} | {one_ms:.0f} | {ceiling:.1f} | {phase.ok:,} | {phase.error_count} | "
            f"{phase.percentile(50):,.0f} | {phase.percentile(99):,.0f} | {wall:.1f} | {rate:.1f} | "
            f"{rate / ceiling:.2f} |"
        )
    old, new = rates.values()
    write_section(
        "Log-in wave at two password-hash costs (SQLite)",
        "\n".join(
            [
                f"{args.officers:,} officers per cost log in through the login form (GET /login for "
                f"its CSRF token, then POST /login) with at most {args.concurrency} requests in "
                f"flight, against `hocso serve`'s server with {workers} workers; each cost on a fresh "
                "database whose hashes were made at it. The ceiling is argon2 alone verifying on "
                "every core, in the benchmark process before the server starts.",
                "",
                "| cost | one hash ms | ceiling per s | logins | errors | p50 ms | p99 ms | wave s "
                "| logins per s | ÷ ceiling |",
                "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
                *rows,
                "",
                f"**Logins per second: {new:.1f} against {old:.1f}, {new / old:.1f} × the former "
                f"default.** At this rate 10,000 officers log in in about {10_000 / new / 60:.0f} "
                "minutes on this machine.",
            ]
        ),
    )


if __name__ == "__main__":
    main()
