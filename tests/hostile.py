"""Shared pieces of the hostile-input tests: bounded, repeatable hypothesis settings and the
payloads an attacker (or a careless spreadsheet) would send."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# Same examples on every run (no flaky failures in CI), no example database left on disk, and
# few enough examples that a test file takes seconds.
HOSTILE = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

XSS = (
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    '"><svg onload="window.__xss=1">',
    "javascript:window.__xss=1",
    '<a href="javascript:window.__xss=1">x</a>',
    "[bấm vào](javascript:window.__xss=1)",
    "![ảnh](javascript:window.__xss=1)",
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    "{{ 7*7 }}{% raw %}",
    "'\"><style>@import 'x'</style>",
)

SQL = (
    "'",
    "%",
    "_",
    "\\",
    "%%",
    "'; DROP TABLE users;--",
    '" OR 1=1 --',
    "' OR '1'='1",
    "a\u0301\u0323",  # combining marks
    "\u0000",
    "*",
    "[a-z]",
    "$1",
)
