"""Running the web server: uvicorn, with a listening socket that keeps Nagle's algorithm off
when several worker processes share it.

uvicorn's own multi-worker path binds the listener without naming the protocol, so accepted
connections report protocol 0 and asyncio does not set TCP_NODELAY on them (Kludex/uvicorn#3149).
Every keep-alive response after the first then waits about 40 ms for the client's delayed ACK.
Binding the listener here with IPPROTO_TCP gives every worker's connections TCP_NODELAY, as the
single-process path already has."""

from __future__ import annotations

import os
import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

from app.logs import log_config

# Each worker holds its own pool of database connections and its own copy of the content cache;
# past this many, more processes on one server add memory and connections, not throughput.
MAX_DEFAULT_WORKERS = 8


def default_workers() -> int:
    """One worker process per core, up to MAX_DEFAULT_WORKERS. Handlers are synchronous and
    CPU-bound (templates, argon2, rows into objects), and one Python process runs Python on one
    core at a time, however many request threads it has: a single worker leaves the other cores
    idle while its threads wait on each other for the interpreter lock."""
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS))


def tcp_listener(host: str, port: int) -> socket.socket:
    """A bound, inheritable TCP listener whose accepted connections asyncio treats as TCP."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def serve(
    app: str, *, host: str, port: int, workers: int, log_level: str = "info", forwarded_allow_ips: str = ""
) -> None:
    """Serve the app factory at the import path `app` until interrupted.

    Logs are JSON lines on standard output (app.logs); the app writes one per request, so
    uvicorn's access log, which would also write query strings, stays off."""
    config = uvicorn.Config(
        app,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=bool(forwarded_allow_ips),
        forwarded_allow_ips=forwarded_allow_ips or None,
        log_config=log_config(log_level),
        log_level=log_level,
        access_log=False,
        # The supervisor kills a worker that does not answer its ping in time. A worker busy
        # with a log-in wave (argon2 on every core) can be slow to answer without being stuck,
        # and killing it drops every request it holds.
        timeout_worker_healthcheck=30,
    )
    if workers <= 1:
        uvicorn.Server(config).run()
        return
    listener = tcp_listener(host, port)
    try:
        Multiprocess(config, sockets=[listener]).run()
    finally:
        listener.close()
