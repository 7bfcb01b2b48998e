"""A small HTTP/1.1 keep-alive load generator on asyncio streams: N clients request one path
in a loop for a fixed time. Bounded in time and only ever aimed at 127.0.0.1."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def _client(port: int, path: str, deadline: float, result: LoadResult) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: hocso_lang=vi\r\n\r\n".encode()
    try:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            writer.write(request)
            await writer.drain()
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            result.latencies.append(time.perf_counter() - started)
            if status_line.split(b" ")[1] == b"200":
                result.requests += 1
            else:
                result.errors += 1
    finally:
        writer.close()


async def _run(port: int, path: str, clients: int, seconds: float) -> LoadResult:
    result = LoadResult()
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(*(_client(port, path, deadline, result) for _ in range(clients)))
    result.seconds = time.monotonic() - started
    return result


def load(port: int, path: str, *, clients: int, seconds: float) -> LoadResult:
    return asyncio.run(_run(port, path, clients, seconds))
