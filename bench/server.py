"""The app as benchmarked, plus a bare endpoint that returns a constant page of a given size:
the baseline that shows what the framework and server cost on their own."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from fastapi import FastAPI, Query
from fastapi.responses import HTMLResponse

from app.main import create_app


@lru_cache
def _page(size: int) -> bytes:
    head = b"<!doctype html><html lang=vi><title>bare</title><p>"
    return head + b"x" * max(0, size - len(head))


def create_bench_app() -> FastAPI:
    app = create_app()

    @app.get("/_bench/bare", include_in_schema=False)
    def bare(size: Annotated[int, Query(ge=0, le=1_000_000)] = 10_000) -> HTMLResponse:
        return HTMLResponse(_page(size))

    return app
