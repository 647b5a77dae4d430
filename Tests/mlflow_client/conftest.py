"""Fixtures that run a real `skiff server` process for the tests that drive the unmodified mlflow client."""

import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from skiff_process import REPO, SKIFF_BIN, SkiffProcess, free_port  # noqa: E402,F401


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
