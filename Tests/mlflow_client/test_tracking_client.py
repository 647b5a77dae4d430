"""The unmodified mlflow client against `skiff server`: every tracking flow a training script uses."""

import math
import os
import uuid

import mlflow
import pandas as pd
import pytest
import requests
from mlflow.entities import Metric, Param, RunTag
from mlflow.exceptions import MlflowException


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_training_script_flow(client, tmp_path):
    mlflow.set_experiment(unique("train"))
    with mlflow.start_run(run_name="baseline") as run:
        mlflow.log_param("lr", 0.01)
        mlflow.log_params({"optimizer": "adam", "layers": 4})
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_metrics({"acc": 0.91, "f1": 0.88}, step=4)
        mlflow.set_tags({"team": "vision", "stage": "dev"})
        mlflow.set_tag("note", "first try")
    fetched = client.get_run(run.info.run_id)
    assert fetched.info.status == "FINISHED"
    assert fetched.info.run_name == "baseline"
    assert fetched.info.end_time is not None
    assert fetched.data.params == {"lr": "0.01", "optimizer": "adam", "layers": "4"}
    assert fetched.data.metrics == {"loss": pytest.approx(0.2), "acc": 0.91, "f1": 0.88}
    assert fetched.data.tags["team"] == "vision"
    assert fetched.data.tags["mlflow.runName"] == "baseline"
    assert fetched.data.tags["note"] == "first try"
    history = client.get_metric_history(run.info.run_id, "loss")
    assert [m.step for m in history] == [0, 1, 2, 3, 4]
    assert [m.value for m in history] == pytest.approx([1.0, 0.5, 1 / 3, 0.25, 0.2])


def test_generated_run_names_and_nested_runs(client):
    mlflow.set_experiment(unique("nested"))
    with mlflow.start_run() as parent:
        with mlflow.start_run(nested=True) as child:
            mlflow.log_metric("inner", 1.0)
    parent_run = client.get_run(parent.info.run_id)
    child_run = client.get_run(child.info.run_id)
    assert parent_run.info.run_name and parent_run.info.run_name.count("-") == 2
    assert child_run.data.tags["mlflow.parentRunId"] == parent.info.run_id
    found = mlflow.search_runs(filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'")
    assert list(found["run_id"]) == [child.info.run_id]


def test_artifacts_round_trip(client, tmp_path):
    mlflow.set_experiment(unique("artifacts"))
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("alpha")
    (src / "sub" / "b.bin").write_bytes(bytes(range(256)) * 1000)
    single = tmp_path / "single.csv"
    single.write_text("x,y\n1,2\n")
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(single))
        mlflow.log_artifacts(str(src), artifact_path="bundle")
        mlflow.log_dict({"k": [1, 2, 3]}, "config/params.json")
        mlflow.log_text("hello ünïcode", "notes/readme.txt")
    run_id = run.info.run_id
    top = sorted(f.path for f in client.list_artifacts(run_id))
    assert top == ["bundle", "config", "notes", "single.csv"]
    inner = {f.path: f for f in client.list_artifacts(run_id, "bundle/sub")}
    assert inner["bundle/sub/b.bin"].file_size == 256000
    assert not inner["bundle/sub/b.bin"].is_dir
    out = tmp_path / "out"
    local = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="bundle", dst_path=str(out))
    assert (out / "bundle" / "a.txt").read_text() == "alpha"
    assert (out / "bundle" / "sub" / "b.bin").read_bytes() == bytes(range(256)) * 1000
    assert local.endswith("bundle")
    assert mlflow.artifacts.load_dict(f"runs:/{run_id}/config/params.json") == {"k": [1, 2, 3]}
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/notes/readme.txt") == "hello ünïcode"
    assert client.list_artifacts(run_id, "does/not/exist") == []


def test_search_runs_filters_orders_and_pages(client):
    exp_id = mlflow.create_experiment(unique("search"))
    ids = []
    for i in range(12):
        with mlflow.start_run(experiment_id=exp_id, run_name=f"r{i}") as run:
            mlflow.log_param("lr", "0.01" if i % 2 == 0 else "0.1")
            mlflow.log_metric("acc", i / 10)
            mlflow.set_tag("team", "vision" if i % 3 == 0 else "nlp")
            ids.append(run.info.run_id)
    runs = client.search_runs([exp_id], "metrics.acc > 0.5 and params.lr = '0.01'", order_by=["metrics.acc DESC"])
    assert [r.info.run_name for r in runs] == ["r10", "r8", "r6"]
    page1 = client.search_runs([exp_id], "", max_results=5)
    assert len(page1) == 5 and page1.token
    page2 = client.search_runs([exp_id], "", max_results=5, page_token=page1.token)
    page3 = client.search_runs([exp_id], "", max_results=5, page_token=page2.token)
    assert len(page3) == 2 and not page3.token
    names = [r.info.run_name for r in list(page1) + list(page2) + list(page3)]
    assert names == [f"r{i}" for i in range(11, -1, -1)]
    df = mlflow.search_runs([exp_id], filter_string="tags.team = 'vision'", order_by=["metrics.acc ASC"])
    assert isinstance(df, pd.DataFrame)
    assert list(df["tags.mlflow.runName"]) == ["r0", "r3", "r6", "r9"]
    assert list(df["metrics.acc"]) == pytest.approx([0.0, 0.3, 0.6, 0.9])
    assert client.search_runs([exp_id], "attributes.run_name LIKE 'r1%'").__len__() == 3
    assert len(client.search_runs([exp_id], f"attributes.run_id IN ('{ids[0]}', '{ids[1]}')")) == 2


def test_relative_artifact_location_is_made_absolute_as_mlflow_does(client):
    # The server runs in this process's working directory, as MLflow's tests run theirs.
    exp = client.get_experiment(client.create_experiment(unique("rel"), artifact_location="my_location"))
    assert exp.artifact_location == os.path.join(os.getcwd(), "my_location")
    for kept in ["/srv/artifacts/x", "s3://bucket/prefix", "file:///srv/a", "mlflow-artifacts:/shared"]:
        exp = client.get_experiment(client.create_experiment(unique("abs"), artifact_location=kept))
        assert exp.artifact_location == kept


def test_experiments_lifecycle_and_search(client):
    name = unique("lifecycle")
    exp_id = client.create_experiment(name, tags={"owner": "ml"})
    assert client.get_experiment_by_name(name).experiment_id == exp_id
    client.set_experiment_tag(exp_id, "phase", "one")
    client.rename_experiment(exp_id, name + "-renamed")
    exp = client.get_experiment(exp_id)
    assert exp.name == name + "-renamed"
    assert exp.tags == {"owner": "ml", "phase": "one"}
    assert exp.artifact_location == f"mlflow-artifacts:/{exp_id}"
    found = client.search_experiments(filter_string=f"name = '{name}-renamed'")
    assert [e.experiment_id for e in found] == [exp_id]
    client.delete_experiment(exp_id)
    assert client.get_experiment(exp_id).lifecycle_stage == "deleted"
    deleted = client.search_experiments(view_type=mlflow.entities.ViewType.DELETED_ONLY)
    assert exp_id in [e.experiment_id for e in deleted]
    client.restore_experiment(exp_id)
    assert client.get_experiment(exp_id).lifecycle_stage == "active"
    with pytest.raises(MlflowException) as err:
        client.create_experiment(name + "-renamed")
    assert err.value.error_code == "RESOURCE_ALREADY_EXISTS"


def test_set_experiment_creates_missing_experiment(client):
    name = unique("created-by-set")
    exp = mlflow.set_experiment(name)
    assert client.get_experiment_by_name(name).experiment_id == exp.experiment_id


def test_runs_delete_restore_and_tags(client):
    exp_id = client.create_experiment(unique("delete"))
    run = client.create_run(exp_id, run_name="to-delete", tags={"a": "1"})
    client.set_tag(run.info.run_id, "b", "2")
    client.delete_tag(run.info.run_id, "a")
    assert "a" not in client.get_run(run.info.run_id).data.tags
    client.delete_run(run.info.run_id)
    assert client.get_run(run.info.run_id).info.lifecycle_stage == "deleted"
    assert client.search_runs([exp_id]) == []
    assert len(client.search_runs([exp_id], run_view_type=mlflow.entities.ViewType.DELETED_ONLY)) == 1
    with pytest.raises(MlflowException) as err:
        client.log_param(run.info.run_id, "x", "1")
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"
    client.restore_run(run.info.run_id)
    client.log_param(run.info.run_id, "x", "1")
    client.set_terminated(run.info.run_id, status="KILLED")
    assert client.get_run(run.info.run_id).info.status == "KILLED"


def test_log_batch_nan_infinity_and_limits(client, tracking_uri):
    run = client.create_run(client.create_experiment(unique("batch")))
    rid = run.info.run_id
    client.log_batch(
        rid,
        metrics=[Metric("nan", float("nan"), 1, 0), Metric("inf", float("inf"), 1, 0), Metric("ninf", -math.inf, 1, 0)]
        + [Metric("series", float(i), 1000 + i, i) for i in range(500)],
        params=[Param(f"p{i}", str(i)) for i in range(50)],
        tags=[RunTag("t", "v")],
    )
    data = client.get_run(rid).data
    assert math.isnan(data.metrics["nan"])
    assert data.metrics["inf"] == math.inf and data.metrics["ninf"] == -math.inf
    assert data.metrics["series"] == 499.0
    assert len(data.params) == 50
    assert len(client.get_metric_history(rid, "series")) == 500
    # The client splits batches itself, so the server's limit is checked on the wire.
    body = {"run_id": rid, "params": [{"key": f"q{i}", "value": "v"} for i in range(101)]}
    answer = requests.post(f"{tracking_uri}/api/2.0/mlflow/runs/log-batch", json=body, timeout=10)
    assert answer.status_code == 400
    assert answer.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "at most 100 params" in answer.json()["message"]
    assert "q0" not in client.get_run(rid).data.params


def test_param_change_and_long_values(client):
    rid = client.create_run(client.create_experiment(unique("params"))).info.run_id
    client.log_param(rid, "lr", "0.1")
    client.log_param(rid, "lr", "0.1")
    with pytest.raises(MlflowException) as err:
        client.log_param(rid, "lr", "0.2")
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "Changing param values is not allowed" in err.value.message
    client.log_param(rid, "long", "x" * 7000)
    client.set_tag(rid, "longtag", "y" * 9000)
    data = client.get_run(rid).data
    assert len(data.params["long"]) == 6000
    assert len(data.tags["longtag"]) == 8000


def test_log_input_dataset(client):
    mlflow.set_experiment(unique("datasets"))
    df = pd.DataFrame({"x": [1, 2, 3], "y": [0, 1, 0]})
    dataset = mlflow.data.from_pandas(df, name="toy", targets="y")
    with mlflow.start_run() as run:
        mlflow.log_input(dataset, context="training")
    inputs = client.get_run(run.info.run_id).inputs.dataset_inputs
    assert len(inputs) == 1
    assert inputs[0].dataset.name == "toy"
    assert inputs[0].dataset.digest == dataset.digest
    assert {t.key: t.value for t in inputs[0].tags}["mlflow.data.context"] == "training"
    found = mlflow.search_runs(filter_string="dataset.name = 'toy' and dataset.context = 'training'")
    assert run.info.run_id in list(found["run_id"])


def test_errors_are_client_errors_with_mlflow_codes(client):
    with pytest.raises(MlflowException) as err:
        client.get_run("0" * 32)
    assert err.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException) as err:
        client.get_experiment("not-a-number")
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException) as err:
        client.search_runs(["0"], "metrics.acc > 'high'")
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException) as err:
        client.search_runs(["0"], "foo.bar = 1")
    assert "Invalid entity type" in err.value.message
    with pytest.raises(MlflowException) as err:
        client.log_metric(client.create_run("0").info.run_id, "bad..//key", 1.0)
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"
    assert client.get_experiment_by_name("definitely-" + uuid.uuid4().hex) is None
