"""A real `skiff serve` child process on a loopback port, for the live-socket serving tests."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
SKIFF_BIN = os.environ.get("SKIFF_BIN", str(REPO / ".build" / "debug" / "skiff"))
FIXTURES = REPO / "Tests" / "SkiffInferenceTests" / "Fixtures"


def wait_for(condition, timeout: float = 10.0) -> bool:
    """Polls `condition` until it holds or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServeProcess:
    """`skiff serve ARGS --port P`; started on enter, stopped with SIGTERM on exit."""

    def __init__(self, args: list[str], log_dir: Path):
        self.port = free_port()
        self.args = args
        self.log_path = log_dir / f"serve-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "ServeProcess":
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [SKIFF_BIN, "serve", *self.args, "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=log, stderr=log,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"skiff serve exited with {self.proc.returncode}: {self.log()}")
            try:
                if requests.get(self.url + "/ping", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError("skiff serve did not become ready: " + self.log())

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> int:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                return self.proc.wait()
        return self.proc.returncode if self.proc else 0

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def metric(self, name: str, **labels) -> float:
        """The sum of a metric's samples whose labels include `labels` (0 when absent)."""
        total = 0.0
        for line in requests.get(self.url + "/metrics", timeout=5).text.splitlines():
            if line.startswith("#") or not line.startswith(name):
                continue
            series, value = line.rsplit(" ", 1)
            metric_name = series.split("{", 1)[0]
            if metric_name != name:
                continue
            if all(f'{k}="{v}"' in series for k, v in labels.items()):
                total += float(value)
        return total
