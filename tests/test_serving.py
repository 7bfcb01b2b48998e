"""`hocso serve`: the listener keeps Nagle's algorithm off, and several workers share it."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2 as httpx

from app.serving import tcp_listener
from tests.databases import _free_port

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


class TestServeWithWorkers:
    def test_two_workers_answer_on_one_port(self, tmp_path: Path) -> None:
        port = _free_port()
        env = {**os.environ, "HOCSO_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
        log = (tmp_path / "serve.log").open("w")
        server = subprocess.Popen(
            [BIN / "hocso", "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    response = httpx.get(f"http://127.0.0.1:{port}/static/style.css", timeout=2)
                    break
                except httpx.TransportError:
                    assert server.poll() is None, (tmp_path / "serve.log").read_text()
                    assert time.monotonic() < deadline, "the server did not start"
                    time.sleep(0.2)
            assert response.status_code == 200
            assert "text/css" in response.headers["content-type"]
        finally:
            server.terminate()
            server.wait(timeout=20)
            log.close()
        assert server.returncode == 0
