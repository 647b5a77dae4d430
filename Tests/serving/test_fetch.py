"""Registry and run references fetched natively: ONNX and XGBoost model directories uploaded through the artifact
proxy, registered from an `mlflow-artifacts:/` source, and scored by `skiff predict models:/…` and `runs:/…`."""

import json
import os
import subprocess
import uuid

import pytest
import requests

from skiff_process import REPO, SKIFF_BIN

FIXTURES = REPO / "Tests" / "SkiffInferenceTests" / "Fixtures"

ONNX_MLMODEL = """flavors:
  onnx:
    code: null
    data: model.onnx
    onnx_version: 1.17.0
  python_function:
    data: model.onnx
    loader_module: mlflow.onnx
"""

XGBOOST_MLMODEL = """flavors:
  xgboost:
    code: null
    data: model.xgb
    model_class: xgboost.core.Booster
    model_format: xgb
    xgb_version: 3.0.2
"""


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def predict(ref, rows, *extra, env=None):
    return subprocess.run(
        [SKIFF_BIN, "predict", ref, "--input", "-", "--output", "-", *extra],
        input=rows, capture_output=True, text=True, timeout=120, env=env,
    )


def upload(tracking_uri, path, data):
    r = requests.put(f"{tracking_uri}/api/2.0/mlflow-artifacts/artifacts/{path}", data=data, timeout=30)
    r.raise_for_status()


def publish(client, tracking_uri, mlmodel, files):
    """Uploads a model directory into a new run's artifacts and registers it from its mlflow-artifacts:/ URI."""
    run = client.create_run(client.create_experiment(unique("fetch")))
    root = run.info.artifact_uri
    assert root.startswith("mlflow-artifacts:/")
    base = root[len("mlflow-artifacts:/"):].lstrip("/") + "/native"
    upload(tracking_uri, base + "/MLmodel", mlmodel.encode())
    for name, data in files.items():
        upload(tracking_uri, f"{base}/{name}", data)
    name = unique("native")
    client.create_registered_model(name)
    mv = client.create_model_version(name, f"{root}/native", run_id=run.info.run_id)
    return name, mv.version, run.info.run_id


def rows_for(width, count=5):
    header = ",".join(f"f{i}" for i in range(width))
    body = "\n".join(",".join(str((r * 7 + c * 3) % 11 / 5.0 - 1) for c in range(width)) for r in range(count))
    return header + "\n" + body + "\n"


@pytest.mark.parametrize(
    "fixture,case,mlmodel,stored_as",
    [
        ("onnx_decision_tree.onnx", "onnx_decision_tree", ONNX_MLMODEL, "model.onnx"),
        ("xgb_binary.ubj", "xgb_binary_ubj", XGBOOST_MLMODEL, "model.xgb"),
    ],
)
def test_registry_and_run_references_predict_like_the_file(client, tracking_uri, tmp_path, fixture, case, mlmodel, stored_as):
    local = FIXTURES / fixture
    width = json.loads((FIXTURES / f"{case}.case.json").read_text())["inputs"][0]["shape"][1]
    rows = rows_for(width)
    expected = predict(str(local), rows)
    assert expected.returncode == 0, expected.stderr
    name, version, run_id = publish(client, tracking_uri, mlmodel, {stored_as: local.read_bytes()})
    client.set_registered_model_alias(name, "champion", version)
    env = {**os.environ, "SKIFF_MODEL_CACHE": str(tmp_path / "cache")}
    for ref in (f"models:/{name}/{version}", f"models:/{name}@champion", f"runs:/{run_id}/native"):
        got = predict(ref, rows, "--tracking-uri", tracking_uri, env=env)
        assert got.returncode == 0, (ref, got.stderr)
        assert got.stdout == expected.stdout, ref
    # The version's directory is cached once, with a file name the loader understands.
    cached = [os.path.join(d, f) for d, _, fs in os.walk(tmp_path / "cache") for f in fs]
    assert not [p for p in cached if ".partial-" in p]
    expected_name = "model.onnx" if fixture.endswith(".onnx") else "model.ubj"
    assert sum(p.endswith(expected_name) for p in cached) == 2  # one for the version (alias shares it), one for the run
    # A second fetch reuses the cached directory.
    again = predict(f"models:/{name}/{version}", rows, "--tracking-uri", tracking_uri, env=env)
    assert again.stdout == expected.stdout


def test_missing_models_and_servers_give_clear_errors(client, tracking_uri, tmp_path):
    env = {**os.environ, "SKIFF_MODEL_CACHE": str(tmp_path / "cache")}
    cases = [
        (["models:/no-such-model/1", "--tracking-uri", tracking_uri], "no version 1"),
        (["models:/no-such-model@champion", "--tracking-uri", tracking_uri], "no alias 'champion'"),
        (["runs:/0123456789abcdef0123456789abcdef/model", "--tracking-uri", tracking_uri], "no run"),
        (["models:/churn/1", "--tracking-uri", "http://127.0.0.1:9"], "Cannot reach the tracking server"),
    ]
    for args, message in cases:
        proc = predict(args[0], "a\n1\n", *args[1:], env=env)
        assert proc.returncode == 1, (args, proc.stderr)
        assert message in proc.stderr, (args, proc.stderr)
