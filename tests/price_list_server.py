"""A local AWS Price List for ``fetch`` tests: ``tests/data/price_list`` (files in the exact bulk
format: the region index, then per-region offers) served by ``python -m http.server`` on a free
loopback port, as a child process stopped by its pid; and an in-process server whose answers a
test scripts (failures, slow or truncated responses) to exercise retries and time-outs."""

from __future__ import annotations

import http.server
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRICE_LIST = ROOT / "tests" / "data" / "price_list"
START_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    return free_port()


class StaticPriceList:
    """``python -m http.server`` over ``directory`` on 127.0.0.1, a child process."""

    def __init__(self, directory: Path = PRICE_LIST) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.directory = directory
        self.pid: int | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> StaticPriceList:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(self.port), "--bind", "127.0.0.1",
             "--directory", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        self.pid = self._process.pid
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"http.server exited with {self._process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"http.server did not listen on port {self.port}")

    def stop(self) -> None:
        if self.pid is None or self._process is None:
            return
        if self._process.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self._process.wait()
        self.pid = None


Responder = Callable[[http.server.BaseHTTPRequestHandler, int], None]
"""Answers the request (the handler, and the request's number from 1)."""


class ScriptedServer:
    """An HTTP server in this process on a free loopback port; ``respond`` answers each
    request. Stopped by :meth:`stop` (server shut down, thread joined)."""

    def __init__(self, respond: Responder) -> None:
        self.requests: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append(self.path)
                respond(self, len(outer.requests))

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> ScriptedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


def send_file(handler: http.server.BaseHTTPRequestHandler, path: Path,
              length: int | None = None) -> None:
    """Answer with ``path``'s bytes (announcing ``length`` bytes when given)."""
    body = path.read_bytes()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(length if length is not None else len(body)))
    handler.end_headers()
    handler.wfile.write(body)
