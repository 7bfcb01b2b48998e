"""Security headers on every response, as a plain ASGI middleware (no per-request overhead
of BaseHTTPMiddleware), and no caching of what a signed-in request was answered."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# A course's picture, opened on its own: an SVG is a document, so it may load nothing, run
# nothing and is sandboxed; its drawing may still use inline presentation styles.
MEDIA_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
# Swagger UI sets inline styles; its page alone may use them, and still runs no inline script.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'").replace(
    "img-src 'self'", "img-src 'self' data:"
)
BASE_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


# Answers to a request that carries a login cookie or an API token hold that person's data (or a
# page made for them): no browser, proxy or shared computer keeps a copy, unless the answer says
# how it may be cached itself. Our static files are the same for everyone.
NO_STORE = (b"cache-control", b"no-store")
PUBLIC_PREFIXES = ("/static/",)
# Pages about one's account, signed in or not: the login and activation forms, and the password
# pages, whose address may hold a reset link.
ACCOUNT_PREFIXES = ("/login", "/activate", "/password/")


def _signed_in(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"authorization" or (name == b"cookie" and b"hocso_session=" in value):
            return True
    return False


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope["path"] == "/docs" else CSP
        path = scope["path"]
        private = (_signed_in(scope) and not path.startswith(PUBLIC_PREFIXES)) or path.startswith(
            ACCOUNT_PREFIXES
        )

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                # A response that sets its own policy or caching (a course picture) keeps it.
                named = {name.lower() for name, _ in headers}
                headers.extend(BASE_HEADERS)
                if b"content-security-policy" not in named:
                    headers.append((b"content-security-policy", csp.encode()))
                if private and b"cache-control" not in named:
                    headers.append(NO_STORE)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
