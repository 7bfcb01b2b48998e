"""`hocso serve`: the listener keeps Nagle's algorithm off, and several workers share it."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2 as httpx
import pytest

from app.serving import tcp_listener
from tests.databases import free_port

BIN = Path(sys.executable).parent


class TestListener:
    def test_accepted_connections_have_tcp_nodelay(self) -> None:
        async def accepted_nodelay() -> int:
            seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

            class Report(asyncio.Protocol):
                def connection_made(self, transport: asyncio.BaseTransport) -> None:
                    sock = transport.get_extra_info("socket")
                    seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                    transport.close()

            listener = tcp_listener("127.0.0.1", 0)
            port = listener.getsockname()[1]
            server = await asyncio.get_running_loop().create_server(Report, sock=listener)
            try:
                _reader, writer = await asyncio.open_connection("127.0.0.1", port)
                result = await asyncio.wait_for(seen, 5)
                writer.close()
                return result
            finally:
                server.close()
                await server.wait_closed()

        # A thread of its own: the browser tests leave Playwright's event loop running in this one.
        result: list[int] = []
        runner = threading.Thread(target=lambda: result.append(asyncio.run(accepted_nodelay())))
        runner.start()
        runner.join(timeout=30)
        assert result == [1]

    def test_a_port_in_use_is_an_error_not_a_second_server(self) -> None:
        first = tcp_listener("127.0.0.1", 0)
        first.listen()
        try:
            port = first.getsockname()[1]
            try:
                tcp_listener("127.0.0.1", port).close()
            except OSError:
                return
            raise AssertionError("a second listener bound a port that is in use")
        finally:
            first.close()


def test_test_workers_take_ports_from_blocks_of_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """Live servers of parallel test workers never race for a port: each worker hands out its
    own block, below the kernel's ephemeral range."""
    taken: dict[str, set[int]] = {}
    for worker in ("gw0", "gw1", "gw7"):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
        taken[worker] = {free_port() for _ in range(5)}
    assert all(len(ports) == 5 for ports in taken.values())
    assert all(20000 <= p < 20500 for p in taken["gw0"])
    assert all(20500 <= p < 21000 for p in taken["gw1"])
    assert all(23500 <= p < 24000 for p in taken["gw7"])


def run_server(tmp_path: Path, workers: int, **env_extra: str) -> tuple[int, subprocess.Popen[bytes], Path]:
    port = free_port()
    env = {**os.environ, "HOCSO_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}", **env_extra}
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [BIN / "hocso", "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return port, server, log_path
        except httpx.TransportError:
            assert server.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)


def stop(server: subprocess.Popen[bytes]) -> int:
    server.terminate()
    return server.wait(timeout=20)


def request_lines(log_path: Path, path: str) -> list[dict[str, object]]:
    """The server's JSON request lines for `path`; every line but the command's banner is JSON."""
    lines = [line for line in log_path.read_text().splitlines() if line.strip()]
    assert lines[0].startswith("Học Số is running at")
    records = [json.loads(line) for line in lines[1:]]
    return [r for r in records if r.get("logger") == "hocso.request" and r.get("path") == path]


FORWARDED = {"x-forwarded-for": "203.0.113.9"}


@pytest.mark.alone
class TestServeWithWorkers:
    def test_two_workers_answer_on_one_port_and_log_json_lines(self, tmp_path: Path) -> None:
        port, server, log_path = run_server(tmp_path, 2)
        try:
            response = httpx.get(f"http://127.0.0.1:{port}/static/style.css?v=1", headers=FORWARDED)
            assert response.status_code == 200
            assert "text/css" in response.headers["content-type"]
        finally:
            assert stop(server) == 0
        (line,) = request_lines(log_path, "/static/style.css")
        assert line["request_id"] == response.headers["x-request-id"]
        # No proxy is trusted unless configured: a client cannot choose the address it is
        # throttled and logged under.
        assert (line["status"], line["client"]) == (200, "127.0.0.1")

    def test_a_trusted_proxy_names_the_client(self, tmp_path: Path) -> None:
        port, server, log_path = run_server(tmp_path, 1, HOCSO_FORWARDED_ALLOW_IPS="127.0.0.1")
        try:
            assert httpx.get(f"http://127.0.0.1:{port}/healthz", headers=FORWARDED).status_code == 200
        finally:
            stop(server)
        assert request_lines(log_path, "/healthz")[-1]["client"] == "203.0.113.9"


def test_hocso_serve_runs_a_worker_per_core_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from app import serving

    for cores, expected in ((None, 1), (1, 1), (2, 2), (6, 6), (64, serving.MAX_DEFAULT_WORKERS)):
        monkeypatch.setattr("app.serving.os.cpu_count", lambda cores=cores: cores)
        assert serving.default_workers() == expected
