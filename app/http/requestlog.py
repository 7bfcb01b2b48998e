"""One log line per request, with an id that ties together every line the request caused and is
sent back to the client as X-Request-ID (plain ASGI middleware, so it also sees requests that
never reach a route: 404s, 413s, errors).

What a line holds is chosen, not copied: method, path, status, duration, response size, client
address, the signed-in user's id and the user agent. Never the query string (activation codes,
search terms), headers (cookies, API tokens), bodies (passwords) or the session id. Path segments
that are secrets themselves, such as a certificate's verification code, are written as their
route's placeholder."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.logs import request_id

log = logging.getLogger("hocso.request")

# An id from the reverse proxy is kept when it is plainly an id, so the proxy's log and ours
# share it; anything else (newlines, long strings) is replaced rather than written to the log.
INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
SECRET_PARAMS = re.compile(r"code|token|secret", re.IGNORECASE)


class RequestLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _incoming_id(scope) or uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500
        sent = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            path = _loggable_path(scope)
            log.info(
                "%s %s %s",
                scope["method"],
                path,
                status,
                extra={
                    "method": scope["method"],
                    "path": path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "bytes": sent,
                    "client": scope["client"][0] if scope.get("client") else None,
                    "user_id": _user_id(scope),
                    "user_agent": _header(scope, b"user-agent")[:200] or None,
                },
            )
        # Left set when the app raised: the error handler outside this middleware then logs the
        # error under the same id and names it on the 500 page. Each request runs in a task of
        # its own, so the id does not outlive it.
        request_id.reset(token)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def _incoming_id(scope: Scope) -> str | None:
    value = _header(scope, b"x-request-id")
    return value if INCOMING_ID.fullmatch(value) else None


def _user_id(scope: Scope) -> int | None:
    actor = scope.get("state", {}).get("actor")
    user_id = getattr(actor, "user_id", None)
    return user_id if isinstance(user_id, int) else None


OPAQUE = re.compile(r"[A-Za-z0-9_-]{16,}")


def _loggable_path(scope: Scope) -> str:
    # The router leaves the matched route and its parameters in the scope it was given.
    params = scope.get("path_params") or {}
    route = scope.get("route")
    if route is not None and any(SECRET_PARAMS.search(name) for name in params):
        return str(getattr(route, "path", "-"))
    if route is None:
        # No route matched (a trailing slash, a typo): nothing says which part is a secret, so
        # every long opaque segment, as codes and tokens are, is left out.
        return OPAQUE.sub("{…}", str(scope["path"]))
    return str(scope["path"])
