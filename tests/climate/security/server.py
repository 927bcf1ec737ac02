"""The real service under uvicorn (``climate serve``) in a subprocess, for hostile-traffic tests.

Cookies are Secure, so a client over plain http must carry them by hand: ``cookie_header``
and ``form_token`` read what a page set and the token its form holds.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[3]
SECRET = "hostile-traffic-secret-key-long-enough-00"
STARTUP_SECONDS = 60.0
COMMAND = (sys.executable, "-m", "climate.cli", "serve")
TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Server:
    """A running server: its base URL and the file its output goes to."""

    base: str
    log: Path
    process: subprocess.Popen[bytes]

    def url(self, path: str) -> str:
        """An absolute URL on this server."""
        return self.base + path

    def output(self) -> str:
        """Everything the server has written so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def running(
    directory: Path, url: str, env: dict[str, str] | None = None, *, workers: int = 1
) -> Iterator[Server]:
    """``climate serve`` on ``url`` on a free port until the block ends."""
    port = free_port()
    log = directory / f"server-{port}.log"
    variables = {
        **os.environ,
        "CLIMATE_DATABASE_URL": url,
        "CLIMATE_SECRET_KEY": SECRET,
        "CLIMATE_LOG_LEVEL": "WARNING",
        **(env or {}),
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*COMMAND, "--port", str(port), "--workers", str(workers)],
            cwd=ROOT,
            env=variables,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        server = Server(f"http://127.0.0.1:{port}", log, process)
        try:
            _wait_until_up(server)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited: {server.output()}")
        try:
            if httpx.get(server.url("/healthz"), timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the server did not answer /healthz in time: {server.output()}")
        time.sleep(0.1)


def cookie_header(response: httpx.Response, carried: str = "") -> str:
    """A Cookie header holding ``carried`` and every cookie ``response`` set."""
    jar = dict(part.split("=", 1) for part in carried.split("; ") if "=" in part)
    jar.update(response.cookies.items())
    return "; ".join(f"{name}={value}" for name, value in jar.items() if value)


def form_token(page: httpx.Response) -> str:
    """The CSRF token in a page's form."""
    found = TOKEN.search(page.text)
    assert found, page.text[:500]
    return found.group(1)
