"""The unmodified mlflow client's registry and LoggedModel flows against `skiff server`."""

import uuid

import mlflow
import numpy as np
import pytest
import requests
from mlflow.exceptions import MlflowException
from sklearn.linear_model import LogisticRegression


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    return X, y


def test_log_model_twice_registers_versions_and_loads_by_version_and_alias(client, data):
    X, y = data
    name = unique("churn")
    mlflow.set_experiment(unique("registry"))
    models = []
    for c in (1.0, 0.1):
        with mlflow.start_run():
            mlflow.log_param("C", c)
            mlflow.log_metric("acc", 0.9, step=0)
            model = LogisticRegression(C=c).fit(X, y)
            info = mlflow.sklearn.log_model(model, name="model", registered_model_name=name, input_example=X[:2])
            models.append((model, info))
    versions = client.search_model_versions(f"name = '{name}'")
    assert sorted(v.version for v in versions) == ["1", "2"]
    client.set_registered_model_alias(name, "champion", "1")
    client.set_registered_model_alias(name, "challenger", "2")
    assert client.get_model_version_by_alias(name, "champion").version == "1"
    by_alias = mlflow.pyfunc.load_model(f"models:/{name}@champion")
    by_version = mlflow.pyfunc.load_model(f"models:/{name}/2")
    np.testing.assert_array_equal(by_alias.predict(X), models[0][0].predict(X))
    np.testing.assert_array_equal(by_version.predict(X), models[1][0].predict(X))
    # The alias moves.
    client.set_registered_model_alias(name, "champion", "2")
    assert client.get_model_version_by_alias(name, "champion").version == "2"
    rm = client.get_registered_model(name)
    assert rm.aliases == {"champion": "2", "challenger": "2"}
    client.delete_registered_model_alias(name, "challenger")
    with pytest.raises(MlflowException) as err:
        client.get_model_version_by_alias(name, "challenger")
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"
    # The logged model knows its registrations and its run.
    logged = mlflow.get_logged_model(models[1][1].model_id)
    assert logged.status == "READY" or str(logged.status).endswith("READY")
    assert logged.source_run_id == client.get_model_version(name, "2").run_id
    assert name in logged.tags.get("mlflow.modelVersions", "")


def test_register_model_from_run_uri(client, data):
    X, y = data
    mlflow.set_experiment(unique("register"))
    with mlflow.start_run() as run:
        mlflow.sklearn.log_model(LogisticRegression().fit(X, y), name="model")
    name = unique("from-run")
    mv = mlflow.register_model(f"runs:/{run.info.run_id}/model", name)
    assert mv.version == "1"
    assert mv.run_id == run.info.run_id
    loaded = mlflow.pyfunc.load_model(f"models:/{name}/1")
    assert loaded.predict(X).shape == (60,)
    uri = client.get_model_version_download_uri(name, "1")
    assert uri.startswith("mlflow-artifacts:/")
    local = mlflow.artifacts.download_artifacts(f"models:/{name}/1")
    assert "MLmodel" in __import__("os").listdir(local)


def test_search_rename_stages_tags_and_delete(client):
    base = unique("lifecycle")
    for suffix in ("a", "b"):
        client.create_registered_model(f"{base}-{suffix}", tags={"team": suffix}, description=f"model {suffix}")
    found = client.search_registered_models(filter_string=f"name LIKE '{base}-%'", order_by=["name DESC"])
    assert [m.name for m in found] == [f"{base}-b", f"{base}-a"]
    assert [m.name for m in client.search_registered_models(f"tags.team = 'a' and name LIKE '{base}%'")] == [f"{base}-a"]
    with pytest.raises(MlflowException) as err:
        client.create_registered_model(f"{base}-a")
    assert err.value.error_code == "RESOURCE_ALREADY_EXISTS"
    exp = client.create_experiment(unique("stage-exp"))
    run = client.create_run(exp)
    for _ in range(3):
        client.create_model_version(f"{base}-a", f"runs:/{run.info.run_id}/model", run_id=run.info.run_id)
    client.transition_model_version_stage(f"{base}-a", "1", "production")
    mv = client.transition_model_version_stage(f"{base}-a", "2", "Production", archive_existing_versions=True)
    assert mv.current_stage == "Production"
    assert client.get_model_version(f"{base}-a", "1").current_stage == "Archived"
    latest = {v.current_stage: v.version for v in client.get_latest_versions(f"{base}-a")}
    assert latest == {"Production": "2", "Archived": "1", "None": "3"}
    client.set_model_version_tag(f"{base}-a", "3", "validated", "yes")
    client.update_model_version(f"{base}-a", "3", description="third")
    v3 = client.get_model_version(f"{base}-a", "3")
    assert v3.tags == {"validated": "yes"} and v3.description == "third"
    client.rename_registered_model(f"{base}-a", f"{base}-renamed")
    assert client.get_model_version(f"{base}-renamed", "3").tags == {"validated": "yes"}
    client.delete_model_version(f"{base}-renamed", "3")
    assert sorted(v.version for v in client.search_model_versions(f"name = '{base}-renamed'")) == ["1", "2"]
    client.delete_registered_model(f"{base}-renamed")
    with pytest.raises(MlflowException) as err:
        client.get_registered_model(f"{base}-renamed")
    assert err.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException):
        client.transition_model_version_stage(f"{base}-b", "1", "Production")


def test_alias_rules(client):
    name = unique("aliases")
    client.create_registered_model(name)
    exp = client.create_experiment(unique("alias-exp"))
    run = client.create_run(exp)
    client.create_model_version(name, f"runs:/{run.info.run_id}/m", run_id=run.info.run_id)
    for bad in ("latest", "LATEST", "v1", "bad alias", "a/b"):
        with pytest.raises(MlflowException) as err:
            client.set_registered_model_alias(name, bad, "1")
        assert err.value.error_code == "INVALID_PARAMETER_VALUE", bad
    with pytest.raises(MlflowException) as err:
        client.set_registered_model_alias(name, "ok", "7")
    assert err.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_model_versions_tag_is_written_as_mlflow_writes_it(client):
    # The bytes MLflow 3.17.2's server writes for the same calls: json.dumps, versions as numbers, ASCII escapes,
    # a pair listed once.
    model = client.create_logged_model(client.create_experiment(f"mv-tag-{uuid.uuid4().hex[:8]}"), name="clf")
    first, second = f"modèle-α-{uuid.uuid4().hex[:6]}", f"b-{uuid.uuid4().hex[:6]}"
    for name in [first, second]:
        client.create_registered_model(name)
        client.create_model_version(name, f"models:/{model.model_id}", model_id=model.model_id)
    client.create_model_version(second, f"models:/{model.model_id}", model_id=model.model_id)
    escaped = first.replace("è", "\\u00e8").replace("α", "\\u03b1")
    assert client.get_logged_model(model.model_id).tags["mlflow.modelVersions"] == (
        f'[{{"name": "{escaped}", "version": 1}}, {{"name": "{second}", "version": 1}}, '
        f'{{"name": "{second}", "version": 2}}]'
    )


def test_search_logged_models_orders_by_metric_per_dataset_as_mlflow_does(client):
    from mlflow.entities import Metric

    exp = client.create_experiment(f"lm-order-{uuid.uuid4().hex[:8]}")
    run_id = client.create_run(exp).info.run_id
    models = {}
    for name in ["a", "b", "c", "d", "f"]:
        models[name] = client.create_logged_model(exp, name=name, source_run_id=run_id).model_id
    points = [("a", 0.5, None), ("b", 0.9, None), ("d", 0.9, None), ("f", 0.7, ("ds1", "dg1"))]
    for name, value, dataset in points:
        extra = {"dataset_name": dataset[0], "dataset_digest": dataset[1]} if dataset else {}
        client.log_batch(run_id, metrics=[Metric("acc", value, 1, 0, model_id=models[name], **extra)])

    def names(**kwargs):
        out, token = [], None
        for _ in range(10):
            page = client.search_logged_models([exp], max_results=2, page_token=token, **kwargs)
            out += [m.name for m in page]
            token = page.token
            if not token:
                break
        return out

    # Read off MLflow 3.17.2: ties newest first, models without the metric last, in either direction.
    assert names(order_by=[{"field_name": "metrics.acc", "ascending": False}]) == ["d", "b", "f", "a", "c"]
    assert names(order_by=[{"field_name": "metrics.acc", "ascending": True}]) == ["a", "f", "d", "b", "c"]
    on_dataset = [{"field_name": "metrics.acc", "ascending": False, "dataset_name": "ds1", "dataset_digest": "dg1"}]
    assert names(order_by=on_dataset) == ["f", "d", "c", "b", "a"]
    assert names(filter_string="metrics.acc > 0.4") == ["f", "d", "b", "a"]
    # A dataset named without a digest matches every digest of it. (MLflow 3.17.2's server passes the absent
    # digest on as None and then matches only metrics without a digest, so it answers [] here.)
    assert names(datasets=[{"dataset_name": "ds1"}]) == ["f"]
    assert names(datasets=[{"dataset_name": "ds1", "dataset_digest": "dg1"}]) == ["f"]
    assert client.get_logged_model(models["d"]).metrics[0].value == 0.9
