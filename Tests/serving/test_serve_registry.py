"""`skiff serve` against a real `skiff server` registry: models:/ references, hot swap when an alias moves
(polled, or nudged by the registry's own webhook) under load with no failed request, and the message for a
model that has no native artifact."""

import importlib.util
import json
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from serve_process import FIXTURES, SKIFF_BIN, ServeProcess, wait_for  # noqa: E402

_spec = importlib.util.spec_from_file_location("skiff_server_process", HERE.parent / "mlflow_client" / "conftest.py")
_server_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_server_fixtures)
SkiffProcess = _server_fixtures.SkiffProcess

MLMODEL_ONNX = """artifact_path: model
flavors:
  onnx:
    code: null
    data: model.onnx
    onnx_version: 1.17.0
    providers: [CPUExecutionProvider]
  python_function:
    data: model.onnx
    env: {conda: conda.yaml, virtualenv: python_env.yaml}
    loader_module: mlflow.onnx
    python_version: 3.11.7
mlflow_version: 3.17.2
"""


def case(name):
    return json.loads((FIXTURES / f"{name}.case.json").read_text())


def row(name, i):
    tensor = case(name)["inputs"][0]
    return tensor["data"][i * 5:(i + 1) * 5]


def probabilities(name, i):
    return [o for o in case(name)["outputs"] if o["name"] == "probabilities"][0]["data"][i * 2:(i + 1) * 2]


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    import mlflow
    from mlflow import MlflowClient

    work = tmp_path_factory.mktemp("registry")
    server = SkiffProcess(work / "data", extra=["--webhook-allow-private"]).start()
    mlflow.set_tracking_uri(server.url)
    client = MlflowClient(server.url)
    client.create_registered_model("churn")
    mlflow.set_experiment("serving")
    for fixture in ["onnx_gradient_boosting_binary", "onnx_random_forest_binary"]:
        model_dir = work / fixture / "model"
        model_dir.mkdir(parents=True)
        shutil.copy(FIXTURES / f"{fixture}.onnx", model_dir / "model.onnx")
        (model_dir / "MLmodel").write_text(MLMODEL_ONNX)
        with mlflow.start_run() as run:
            mlflow.log_artifacts(str(model_dir), artifact_path="model")
        client.create_model_version("churn", f"runs:/{run.info.run_id}/model", run_id=run.info.run_id)
    client.set_registered_model_alias("churn", "champion", "1")
    yield server, client, work
    server.stop()


def score(url, values, session=requests):
    return session.post(url + "/invocations", json={"instances": [values]}, timeout=30)


def test_registry_references_resolve_to_native_models(registry):
    server, client, work = registry
    with ServeProcess(["models:/churn/2", "--tracking-uri", server.url], work) as serve:
        answer = score(serve.url, row("onnx_random_forest_binary", 0))
        assert answer.status_code == 200, answer.text
        assert answer.headers["X-Skiff-Model-Version"] == "2"
        assert answer.json()["predictions"][0]["probabilities"] == pytest.approx(
            probabilities("onnx_random_forest_binary", 0), abs=1e-6)
        meta = requests.get(serve.url + "/v2/models/churn", timeout=10).json()
        assert meta["versions"] == ["2"] and meta["platform"] == "skiff-onnx"


def run_load(url, stop, results):
    session = requests.Session()
    values = row("onnx_gradient_boosting_binary", 3)
    deadline = time.monotonic() + 60
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            answer = score(url, values, session)
            results.append((answer.status_code, answer.headers.get("X-Skiff-Model-Version")))
        except requests.RequestException as error:
            results.append((0, str(error)))


def swap_under_load(serve, move_alias, expected_version):
    stop, results = threading.Event(), []
    workers = [threading.Thread(target=run_load, args=(serve.url, stop, results)) for _ in range(4)]
    for worker in workers:
        worker.start()
    try:
        assert wait_for(lambda: len(results) > 50, timeout=20)
        move_alias()
        assert wait_for(lambda: any(v == expected_version for _, v in results[-20:]), timeout=30), serve.log()
        count = len(results)
        assert wait_for(lambda: len(results) > count + 50, timeout=20)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
    failures = [r for r in results if r[0] != 200]
    assert failures == [], failures[:5]
    versions = [v for _, v in results]
    first_new = versions.index(expected_version)
    assert all(v == expected_version for v in versions[first_new + 8:]), "an old version answered after the swap"
    return results


def test_alias_move_is_swapped_in_under_load_with_no_failed_request(registry):
    server, client, work = registry
    client.set_registered_model_alias("churn", "champion", "1")
    with ServeProcess(["models:/churn@champion", "--tracking-uri", server.url, "--poll-interval", "200ms",
                       "--no-access-log"], work) as serve:
        assert score(serve.url, row("onnx_gradient_boosting_binary", 0)).headers["X-Skiff-Model-Version"] == "1"
        swap_under_load(serve, lambda: client.set_registered_model_alias("churn", "champion", "2"), "2")
        answer = score(serve.url, row("onnx_random_forest_binary", 1))
        assert answer.json()["predictions"][0]["probabilities"] == pytest.approx(
            probabilities("onnx_random_forest_binary", 1), abs=1e-6)
        loads = serve.metric("skiff_model_loads_total", model="churn")
        assert loads == 2


def test_registry_webhook_makes_the_swap_immediate(registry):
    server, client, work = registry
    client.set_registered_model_alias("churn", "champion", "2")
    with ServeProcess(["models:/churn@champion", "--tracking-uri", server.url, "--poll-interval", "10m",
                       "--no-access-log"], work) as serve:
        hook = requests.post(server.url + "/api/2.0/mlflow/webhooks", timeout=10, json={
            "name": "serve-swap", "url": serve.url + "/webhooks/registry",
            "events": [{"entity": "MODEL_VERSION_ALIAS", "action": "CREATED"}]})
        assert hook.status_code == 200, hook.text
        swap_under_load(serve, lambda: client.set_registered_model_alias("churn", "champion", "1"), "1")


def test_a_model_without_a_native_artifact_says_how_to_fix_it(registry, tmp_path):
    import subprocess

    import mlflow
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    server, client, work = registry
    X = np.random.default_rng(0).normal(size=(40, 3))
    with mlflow.start_run():
        mlflow.sklearn.log_model(LogisticRegression().fit(X, X[:, 0] > 0), name="model",
                                 registered_model_name="sk-only")
    done = subprocess.run([SKIFF_BIN, "serve", "models:/sk-only/1", "--tracking-uri", server.url, "--port", "0"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "sklearn" in done.stderr and "skiff convert" in done.stderr, done.stderr
