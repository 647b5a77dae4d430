"""`skiff convert` and registry references end to end: a real sklearn model logged and registered with the real
mlflow client, converted to ONNX by skl2onnx, registered as a new version and scored natively by `skiff predict`."""

import csv
import io
import os
import subprocess
import sys
import uuid

import mlflow
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skiff_process import SKIFF_BIN

COLUMNS = ["tenure", "spend", "visits", "tickets"]


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def skiff(*args, env=None, timeout=300):
    return subprocess.run([SKIFF_BIN, *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    X = pd.DataFrame(rng.normal(size=(120, 4)) * [3, 50, 2, 1] + [10, 200, 5, 0], columns=COLUMNS)
    score = X.tenure / 3 - X.spend / 50 + X.tickets
    y = np.digitize(score, np.quantile(score, [1 / 3, 2 / 3]))  # three classes
    return X, y


@pytest.fixture(scope="module")
def registered(tracking_uri, data):
    """A scaler + logistic regression pipeline logged with mlflow.sklearn (skops) as version 1 of a new model."""
    os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
    mlflow.set_tracking_uri(tracking_uri)
    X, y = data
    name = unique("churn")
    mlflow.set_experiment(unique("convert"))
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, y)
    with mlflow.start_run():
        mlflow.sklearn.log_model(model, name="model", registered_model_name=name, input_example=X[:3])
    return name, model


def predict_csv(model_ref, frame, *extra):
    proc = subprocess.run(
        [SKIFF_BIN, "predict", model_ref, "--input", "-", "--output", "-", *extra],
        input=frame.to_csv(index=False), capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return list(csv.DictReader(io.StringIO(proc.stdout)))


def test_convert_registers_an_onnx_version_that_predicts_like_sklearn(client, tracking_uri, registered, data, tmp_path):
    name, model = registered
    X, _ = data
    proc = skiff("convert", f"models:/{name}/1", "--tracking-uri", tracking_uri, "--python", sys.executable)
    assert proc.returncode == 0, proc.stderr
    assert f"models:/{name}/2" in proc.stdout

    v2 = client.get_model_version(name, "2")
    assert v2.tags["skiff.converted_from"] == f"models:/{name}/1"
    run = client.get_run(v2.run_id)
    assert run.data.tags["skiff.converted_from"] == f"models:/{name}/1"
    assert run.info.status == "FINISHED"

    local = mlflow.artifacts.download_artifacts(f"models:/{name}/2", dst_path=str(tmp_path))
    assert sorted(f for f in os.listdir(local) if f != "registered_model_meta") == ["MLmodel", "model.onnx"]
    expected = model.predict_proba(X)
    # Columns in another order than training: the converted model binds them by name.
    shuffled = X[list(reversed(COLUMNS))]
    for ref, extra in ((os.path.join(local, "model.onnx"), []), (f"models:/{name}/2", ["--tracking-uri", tracking_uri])):
        rows = predict_csv(ref, shuffled, *extra)
        got = np.array([[float(r[f"probabilities_{k}"]) for k in range(3)] for r in rows])
        np.testing.assert_allclose(got, expected, atol=1e-5, rtol=0)
        assert [int(r["label"]) for r in rows] == list(model.predict(X))


def test_a_sklearn_version_is_refused_by_predict_with_the_convert_command(tracking_uri, registered, data):
    name, _ = registered
    X, _ = data
    proc = subprocess.run(
        [SKIFF_BIN, "predict", f"models:/{name}/1", "--tracking-uri", tracking_uri, "--input", "-", "--output", "-"],
        input=X.to_csv(index=False), capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 1
    assert "sklearn" in proc.stderr
    assert f"skiff convert models:/{name}/1 --tracking-uri" in proc.stderr


def test_convert_by_alias_into_another_registered_model(client, tracking_uri, registered):
    name, _ = registered
    client.set_registered_model_alias(name, "champion", "1")
    target = unique("churn-onnx")
    proc = skiff(
        "convert", f"models:/{name}@champion", "--tracking-uri", tracking_uri, "--python", sys.executable,
        "--name", target,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"models:/{target}/1" in proc.stdout
    assert client.get_model_version(target, "1").tags["skiff.converted_from"] == f"models:/{name}/1"


def test_convert_refuses_a_model_that_is_already_native(tracking_uri, registered):
    name, _ = registered
    proc = skiff("convert", f"models:/{name}/2", "--tracking-uri", tracking_uri, "--python", sys.executable)
    assert proc.returncode == 1
    assert "already has a native onnx artifact" in proc.stderr


def test_convert_without_skl2onnx_says_what_to_install(tracking_uri, registered, tmp_path):
    name, _ = registered
    # The same interpreter without site-packages: no numpy, scikit-learn, onnx or skl2onnx.
    bare = tmp_path / "bare-python"
    bare.write_text(f'#!/bin/sh\nexec "{sys.executable}" -S "$@"\n')
    bare.chmod(0o755)
    for python in (str(bare), "/usr/bin/false", str(tmp_path / "no-such-python")):
        proc = skiff("convert", f"models:/{name}/1", "--tracking-uri", tracking_uri, "--python", python)
        assert proc.returncode == 3, (python, proc.stderr)
        assert "skl2onnx" in proc.stderr and "pip install" in proc.stderr, proc.stderr
    proc = skiff("convert", f"models:/{name}/1", "--tracking-uri", tracking_uri, "--python", str(bare))
    assert "missing Python packages" in proc.stderr and "skl2onnx" in proc.stderr


@pytest.mark.parametrize(
    "ref", ["models:/nope", "models:/x/0", "models:/x/../1", "runs:/abc/../model", "s3://bucket/model.onnx"]
)
def test_convert_refuses_malformed_references(tracking_uri, ref):
    proc = skiff("convert", ref, "--tracking-uri", tracking_uri)
    assert proc.returncode == 64, proc.stderr
    assert "Error:" in proc.stderr


def test_convert_of_a_missing_version_names_it(tracking_uri):
    proc = skiff("convert", "models:/does-not-exist/4", "--tracking-uri", tracking_uri, "--python", sys.executable)
    assert proc.returncode == 1
    assert "no version 4" in proc.stderr and "does-not-exist" in proc.stderr
