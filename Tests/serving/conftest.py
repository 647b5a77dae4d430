"""Fixtures for the model-serving tests: the real `skiff server` fixtures of Tests/mlflow_client, reused."""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "skiff_mlflow_client_fixtures", Path(__file__).resolve().parents[1] / "mlflow_client" / "conftest.py"
)
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)

REPO = _fixtures.REPO
SKIFF_BIN = _fixtures.SKIFF_BIN
SkiffProcess = _fixtures.SkiffProcess
workdir = _fixtures.workdir
server = _fixtures.server
tracking_uri = _fixtures.tracking_uri
client = _fixtures.client
