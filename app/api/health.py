"""Health checks for load balancers and orchestrators: /healthz says the process answers;
/readyz says it can serve, with the database reachable and its schema at the code's migration
head (an app server started before `hocso db upgrade` finished is not ready). Public, and they
say nothing beyond ready or not and why."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.db import get_engine
from app.http.routing import UnitOfWorkRoute
from app.migrate import schema_state

router = APIRouter(route_class=UnitOfWorkRoute, tags=["health"])
log = logging.getLogger("hocso")


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz() -> JSONResponse:
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
            current, head = schema_state(connection)
    except SQLAlchemyError as exc:
        log.warning("readiness: the database is unreachable: %s", exc.__class__.__name__)
        return JSONResponse({"status": "unavailable", "reason": "database unreachable"}, status_code=503)
    if current != head:
        return JSONResponse(
            {"status": "unavailable", "reason": "database schema not at the migration head"}, status_code=503
        )
    return JSONResponse({"status": "ok"})
