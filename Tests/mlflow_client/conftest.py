"""Fixtures that run a real `skiff server` process for the tests that drive the unmodified mlflow client."""

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
SKIFF_BIN = os.environ.get("SKIFF_BIN", str(REPO / ".build" / "debug" / "skiff"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def backend_args(data_dir: Path) -> list[str]:
    """The store flags for the backend under test: none for the embedded SQLite default, or, with
    SKIFF_TEST_BACKEND=postgres, a PostgreSQL schema named after the data directory (so a restarted server on the
    same directory finds its data, and every other directory starts empty)."""
    backend = os.environ.get("SKIFF_TEST_BACKEND", "sqlite")
    if backend == "sqlite":
        return []
    if backend != "postgres":
        raise RuntimeError(f"unknown SKIFF_TEST_BACKEND {backend!r}")
    url = os.environ.get("SKIFF_TEST_POSTGRES_URL")
    if not url:
        raise RuntimeError("SKIFF_TEST_BACKEND=postgres needs SKIFF_TEST_POSTGRES_URL")
    schema = "c_" + hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:20]
    separator = "&" if "?" in url else "?"
    return ["--db", f"{url}{separator}search_path={schema}"]


class SkiffProcess:
    """One `skiff server` child process on a loopback port with its own data directory."""

    def __init__(self, data_dir: Path, port: int | None = None, extra: list[str] | None = None):
        self.data_dir = data_dir
        self.port = port or free_port()
        self.extra = backend_args(data_dir) + (extra or [])
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> "SkiffProcess":
        log = open(self.data_dir.parent / f"server-{self.port}.log", "ab")
        self.proc = subprocess.Popen(
            [SKIFF_BIN, "server", "--host", "127.0.0.1", "--port", str(self.port),
             "--data-dir", str(self.data_dir), *self.extra],
            stdout=log, stderr=log,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"skiff server exited with {self.proc.returncode}")
            try:
                if requests.get(self.url + "/health", timeout=1).text == "OK":
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError("skiff server did not become healthy")

    def rss_kb(self) -> int:
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> int:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                return self.proc.wait()
        return self.proc.returncode if self.proc else 0


@pytest.fixture(scope="session")
def workdir():
    d = Path(tempfile.mkdtemp(prefix="skiff-client-tests-"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def server(workdir):
    s = SkiffProcess(workdir / "data").start()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def tracking_uri(server):
    return server.url


@pytest.fixture()
def client(tracking_uri, monkeypatch):
    import mlflow
    from mlflow import MlflowClient

    # A client mistake must come back at once, never after the client's minutes of 5xx retries.
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    mlflow.set_tracking_uri(tracking_uri)
    yield MlflowClient(tracking_uri)
    while mlflow.active_run():
        mlflow.end_run()
