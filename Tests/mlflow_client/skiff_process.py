"""A real `skiff server` child process for the tests, and the backend (SQLite, or PostgreSQL with S3) it runs on.

A module with its own name, so every test folder imports the same helpers whichever `conftest` is loaded last."""

import hashlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
SKIFF_BIN = os.environ.get("SKIFF_BIN", str(REPO / ".build" / "debug" / "skiff"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def backend_args(data_dir: Path, s3: bool = True) -> list[str]:
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
    args = ["--db", f"{url}{separator}search_path={schema}"]
    # The team deployment: PostgreSQL metadata and artifacts in an S3 bucket, under a prefix named like the schema.
    prefix = s3_prefix(data_dir) if s3 else None
    if prefix:
        args += ["--artifacts", f"s3://{S3_BUCKET}/{prefix}", "--s3-endpoint", os.environ["SKIFF_TEST_S3_ENDPOINT"]]
    return args


S3_BUCKET = os.environ.get("SKIFF_TEST_S3_BUCKET", "skiff-test")


def s3_prefix(data_dir: Path) -> str | None:
    """The bucket prefix of a server's artifacts on the PostgreSQL backend with SKIFF_TEST_S3_ENDPOINT set; None when
    its artifacts are the local folder `<data_dir>/artifacts`."""
    if os.environ.get("SKIFF_TEST_BACKEND") != "postgres":
        return None
    if not os.environ.get("SKIFF_TEST_S3_ENDPOINT"):
        if os.environ.get("CI"):
            raise RuntimeError("SKIFF_TEST_S3_ENDPOINT is not set: in CI the PostgreSQL runs keep artifacts in S3")
        return None
    return "a_" + hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:20]


def s3_client():
    """boto3 on the test S3 server, to read back what `skiff server` wrote."""
    import boto3

    return boto3.client("s3", endpoint_url=os.environ["SKIFF_TEST_S3_ENDPOINT"],
                        region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))


class SkiffProcess:
    """One `skiff server` child process on a loopback port with its own data directory."""

    def __init__(self, data_dir: Path, port: int | None = None, extra: list[str] | None = None, s3: bool = True):
        """`s3=False` keeps the artifacts in `<data_dir>/artifacts` even on the PostgreSQL-and-S3 backend."""
        self.data_dir = data_dir
        self.port = port or free_port()
        self.s3 = s3
        self.extra = backend_args(data_dir, s3) + (extra or [])
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

    @property
    def s3_prefix(self) -> str | None:
        return s3_prefix(self.data_dir) if self.s3 else None

    def rss_kb(self, field: str = "VmRSS") -> int:
        """Resident memory now (VmRSS) or at its peak so far (VmHWM), in KiB."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def reset_peak_rss(self) -> None:
        """Starts VmHWM afresh at the current RSS (Linux `clear_refs` 5), so a peak measures what follows only."""
        with open(f"/proc/{self.proc.pid}/clear_refs", "w") as f:
            f.write("5")

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
