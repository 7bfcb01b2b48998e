"""The exam-day benchmark's table and notes, as written to bench/RESULTS.md."""

from __future__ import annotations

import argparse
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.exam_check import Verification
    from bench.exam_day import Phase, Run

ROWS = (
    ("login", "login page", "GET /login"),
    ("login", "login", "POST /login (argon2)"),
    ("login", "quiz page", "GET the quiz page (new CSRF token)"),
    ("start", "start", "POST …/quizzes/{quiz}/attempts"),
    ("save", "save", "PUT /api/v1/attempts/{id}/answers"),
    ("submit", "submit", "POST /api/v1/attempts/{id}/submit"),
)


def _errors(phase: Phase) -> str:
    if not phase.errors:
        return "0"
    kinds = ", ".join(f"{kind} × {n}" for kind, n in phase.errors.most_common())
    return f"**{phase.error_count}** ({kinds})"


def report(
    args: argparse.Namespace,
    backend: str,
    run: Run,
    hashing: tuple[float, float],
    checked: Verification,
    server_errors: Counter[str],
) -> str:
    phases, walls = run.phases, run.walls
    rate = {name: phases[name].ok for name in ("login", "start", "save", "submit")}
    lines = [
        f"{args.officers:,} generated officers take one quiz of 20 questions (five kinds, questions and "
        f"choices shuffled, a time limit) through uvicorn with {args.workers} workers on 127.0.0.1, "
        f"{backend}. Client: httpx2 in one process on the same machine, one cookie jar per officer over a "
        f"shared pool, at most {args.concurrency} requests in flight. The phases follow one another "
        "(everyone logs in, then everyone starts, …); each officer's 20 saves are sequential, one "
        "answer per request, interleaved across officers. Any status but the expected one (200, or "
        "303 for the login form) or a failed request is an error; nothing is retried. The client "
        f"shares the machine's cores with the server{' and PostgreSQL' if backend == 'PostgreSQL' else ''}, "
        "and the bare rate is mostly its own limit. The server is the one `hocso serve --workers` "
        "runs (app/serving.py), whose listener keeps TCP_NODELAY on every connection.",
        "",
        "| phase | request | requests | errors | p50 ms | p99 ms | phase s | done per s |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for group, name, label in ROWS:
        phase = phases[name]
        wall = walls.get(group, 0.0)
        timing = f"{wall:.1f} | {rate[group] / wall:,.1f}" if name == group and wall else " | "
        lines.append(
            f"| {group} | {label} | {phase.requests:,} | {_errors(phase)} | {phase.percentile(50):.1f} | "
            f"{phase.percentile(99):.1f} | {timing} |"
        )
    for when, (req_rate, phase) in zip(("before", "after"), run.bare, strict=True):
        lines.append(
            f"| baseline ({when}) | GET /_bench/bare (64 bytes) | {phase.requests:,} | {_errors(phase)} | "
            f"{phase.percentile(50):.1f} | {phase.percentile(99):.1f} | {args.baseline_seconds:g} | "
            f"{req_rate:,.0f} |"
        )
    bare = sum(r for r, _ in run.bare) / len(run.bare)
    saves = rate["save"] / walls["save"] if walls.get("save") else 0.0
    logins = rate["login"] / walls["login"] if walls.get("login") else 0.0
    verifies, one_ms = hashing
    lines += [
        "",
        f"**Answer saves: {saves:,.0f}/s = {saves / bare:.2f} × the bare endpoint** ({bare:,.0f} requests/s, "
        "the mean of the rounds before and after).",
        "",
        f"**Logins: {logins:,.1f}/s**, {rate['login']:,} officers in {walls.get('login', 0):.0f} s "
        f"(three requests each). Password hashing dominates: argon2 alone, in the benchmark process "
        f"before the server started, verified {verifies:,.1f} passwords/s on all cores ({one_ms:.0f} ms "
        f"for one), so the login wave ran at {logins / verifies:.2f} × the hashing ceiling. At this "
        f"rate 10,000 officers need about {10_000 / logins / 60:.0f} minutes to log in on this machine; "
        "more app server cores shorten it in proportion."
        if logins and verifies
        else "",
        "",
        _verification(checked),
    ]
    if server_errors:
        lines += ["", f"The server logged {sum(server_errors.values()):,} lines; the most frequent:", ""]
        lines += [f"    {n:>6,} × {line}" for line, n in server_errors.most_common(6)]
    return "\n".join(lines)


def _verification(checked: Verification) -> str:
    unfinished = "".join(f"; {kind}: {n:,}" for kind, n in checked.unfinished.most_common())
    if checked.ok:
        return (
            f"**Verified in the database:** {checked.officers:,} officers, {checked.attempts:,} attempts "
            f"(at most one each, each acknowledged), {checked.graded:,} graded once with points, "
            f"credits and score that follow from their stored answers; {checked.answers_checked:,} "
            f"acknowledged saves all stored with the last answer sent, and no other answer stored "
            f"({checked.answers_stored:,} in all){unfinished}."
        )
    found = "; ".join(f"{kind}: {n:,}" for kind, n in checked.problems.most_common())
    examples = "\n".join(f"    {e}" for e in checked.examples)
    return f"**Verification FAILED:** {found}{unfinished}.\n\n{examples}"
