"""Start a real ``python -m turkmood serve`` process on 127.0.0.1 and wait until it is healthy.

Used by the API tests and ``bench/api.py`` (both need the service as a separate process); the
port and health helpers and the app's start command also serve the browser tests and
``bench/page.py``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Seconds allowed for start-up (two workers warm up on 2 shared cores).
STARTUP_TIMEOUT_S = 180


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str, timeout: float = 2) -> bool:
    """True when a GET of ``url`` answers 200 (False while nothing listens yet)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def streamlit_command(port: int) -> list[str]:
    """The app as the README starts it (``python -m turkmood app``), headless on
    127.0.0.1:``port`` (run it from the project root)."""
    return [
        sys.executable, "-m", "turkmood", "app", "--host", "127.0.0.1", "--port", str(port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip


def get(url: str, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a GET (errors included, never raised)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@dataclass
class ApiServer:
    """One service process with its own TURKMOOD_HOME."""

    home: Path
    env: dict[str, str] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ApiServer:
        env = {**os.environ, "TURKMOOD_HOME": str(self.home), **self.env}
        if "TURKMOOD_API_KEY" not in self.env:
            env.pop("TURKMOOD_API_KEY", None)
        log = open(self.home / f"server-{self.port}.log", "ab")  # noqa: SIM115 - kept by Popen
        command = [sys.executable, "-m", "turkmood", "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(
            command + self.args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the server exited with {self.process.returncode}: {self.log()}"
                )
            try:
                status, _, body = get(f"{self.url}/api/v1/health", timeout=2)
            except OSError:
                status = 0
            if status == 200 and json.loads(body)["status"] == "ok":
                return self
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"the server did not become healthy: {self.log()}")

    def log(self) -> str:
        return (self.home / f"server-{self.port}.log").read_text(errors="replace")[-3000:]

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
