"""The calls MLflow's web UI makes under /ajax-api that are outside its REST reference: bulk metric history,
dataset summaries, small artifact uploads into a run and a logged model's files. Shapes and messages follow
MLflow 3.17.2's server (mlflow/server/handlers.py)."""

import uuid

import requests
from mlflow.entities import Dataset, DatasetInput, InputTag, Metric

AJAX = "/ajax-api/2.0/mlflow"


def new_experiment(client):
    return client.create_experiment(f"ui-{uuid.uuid4().hex[:10]}")


def test_history_bulk_orders_by_run_then_time_and_tags_each_value(client, tracking_uri):
    exp = new_experiment(client)
    runs = sorted(client.create_run(exp).info.run_id for _ in range(2))
    for i, run_id in enumerate(runs):
        client.log_batch(run_id, metrics=[Metric("loss", float(10 * i + s), 1000 - s, s) for s in range(3)])
    r = requests.get(f"{tracking_uri}{AJAX}/metrics/get-history-bulk",
                     params=[("run_id", runs[1]), ("run_id", runs[0]), ("metric_key", "loss")])
    assert r.status_code == 200, r.text
    got = [(m["run_id"], m["step"], m["timestamp"], m["value"]) for m in r.json()["metrics"]]
    # Within a run MLflow orders by timestamp first: here the later steps have the earlier timestamps.
    assert got == [(runs[0], 2, 998, 2.0), (runs[0], 1, 999, 1.0), (runs[0], 0, 1000, 0.0),
                   (runs[1], 2, 998, 12.0), (runs[1], 1, 999, 11.0), (runs[1], 0, 1000, 10.0)]
    capped = requests.get(f"{tracking_uri}{AJAX}/metrics/get-history-bulk",
                          params=[("run_id", runs[0]), ("run_id", runs[1]), ("metric_key", "loss"), ("max_results", 4)])
    assert len(capped.json()["metrics"]) == 4


def test_history_bulk_refuses_what_mlflow_refuses(tracking_uri):
    url = f"{tracking_uri}{AJAX}/metrics/get-history-bulk"
    cases = [
        ({"metric_key": "m"}, "GetMetricHistoryBulk request must specify at least one run_id."),
        ([("run_id", uuid.uuid4().hex)], "GetMetricHistoryBulk request must specify a metric_key."),
        ([("run_id", uuid.uuid4().hex) for _ in range(101)] + [("metric_key", "m")],
         "GetMetricHistoryBulk request cannot specify more than 100 run_ids. Received 101 run_ids."),
    ]
    for params, message in cases:
        r = requests.get(url, params=params)
        assert r.status_code == 400, r.text
        assert r.json() == {"error_code": "INVALID_PARAMETER_VALUE", "message": message}


def test_search_datasets_lists_each_dataset_and_context_once(client, tracking_uri):
    exp = new_experiment(client)
    train = Dataset(name="train", digest="d1", source_type="local", source="{}")
    holdout = Dataset(name="holdout", digest="d2", source_type="local", source="{}")
    for _ in range(2):
        run_id = client.create_run(exp).info.run_id
        client.log_inputs(run_id, [DatasetInput(train, [InputTag("mlflow.data.context", "training")]),
                                   DatasetInput(holdout, [])])
    r = requests.post(f"{tracking_uri}{AJAX}/experiments/search-datasets", json={"experiment_ids": [exp]})
    assert r.status_code == 200, r.text
    assert r.json() == {"dataset_summaries": [
        {"experiment_id": exp, "name": "holdout", "digest": "d2"},
        {"experiment_id": exp, "name": "train", "digest": "d1", "context": "training"},
    ]}
    empty = requests.post(f"{tracking_uri}{AJAX}/experiments/search-datasets", json={"experiment_ids": ["987654"]})
    assert empty.status_code == 200 and empty.json() == {}
    for body, message in [({}, "SearchDatasets request must specify at least one experiment_id."),
                          ({"experiment_ids": [str(i) for i in range(21)]},
                           "SearchDatasets request cannot specify more than 20 experiment_ids. "
                           "Received 21 experiment_ids.")]:
        r = requests.post(f"{tracking_uri}{AJAX}/experiments/search-datasets", json=body)
        assert r.status_code == 400 and r.json()["message"] == message, r.text


def test_upload_artifact_writes_into_the_runs_artifacts(client, tracking_uri, tmp_path):
    run_id = client.create_run(new_experiment(client)).info.run_id
    url = f"{tracking_uri}{AJAX}/upload-artifact"
    r = requests.post(url, params={"run_uuid": run_id, "path": "notes/readme.txt"}, data=b"hello from the UI")
    assert r.status_code == 200, r.text
    assert [f.path for f in client.list_artifacts(run_id, "notes")] == ["notes/readme.txt"]
    local = client.download_artifacts(run_id, "notes/readme.txt", str(tmp_path))
    assert open(local, "rb").read() == b"hello from the UI"

    refused = [
        ({"path": "a.txt"}, b"x", "Request must specify run_uuid."),
        ({"run_uuid": run_id}, b"x", "Request must specify path."),
        ({"run_uuid": run_id, "path": "a.txt"}, b"", "Request must specify data."),
        ({"run_uuid": run_id, "path": "a.txt"}, b"x" * (10 * 1024 * 1024 + 1),
         "Artifact size is too large. Max size is 10MB."),
    ]
    for params, data, message in refused:
        r = requests.post(url, params=params, data=data)
        assert r.status_code == 400 and r.json()["message"] == message, (params, r.text)
    for hostile in ["../escape.txt", "%2e%2e/escape.txt", "/etc/passwd", "a/../../b"]:
        r = requests.post(url, params={"run_uuid": run_id, "path": hostile}, data=b"x")
        assert r.status_code == 400, (hostile, r.text)
    assert sorted(f.path for f in client.list_artifacts(run_id)) == ["notes"]
    unknown = requests.post(url, params={"run_uuid": uuid.uuid4().hex, "path": "a.txt"}, data=b"x")
    assert unknown.status_code == 404 and unknown.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_logged_model_files_are_served_by_path(client, tracking_uri, tmp_path):
    model = client.create_logged_model(new_experiment(client), name="clf")
    (tmp_path / "MLmodel").write_text("flavors: {}\n")
    client.log_model_artifact(model.model_id, str(tmp_path / "MLmodel"))
    url = f"{tracking_uri}{AJAX}/logged-models/{model.model_id}/artifacts/files"
    r = requests.get(url, params={"artifact_file_path": "MLmodel"})
    assert r.status_code == 200 and r.content == b"flavors: {}\n", r.text
    missing = requests.get(url)
    assert missing.status_code == 400
    assert missing.json()["message"] == 'Request must include the "artifact_file_path" query parameter.'
    for hostile in ["../../../etc/passwd", "%2e%2e%2f%2e%2e%2fetc/passwd"]:
        assert requests.get(url, params={"artifact_file_path": hostile}).status_code == 400
    assert requests.get(url, params={"artifact_file_path": "nope"}).status_code == 404


def test_get_artifact_serves_run_and_model_version_files_as_attachments(client, tracking_uri, tmp_path):
    exp = new_experiment(client)
    run_id = client.create_run(exp).info.run_id
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "MLmodel").write_text("flavors: {}\n")
    (tmp_path / "page.html").write_text("<script>alert(1)</script>")
    client.log_artifacts(run_id, str(tmp_path))
    r = requests.get(f"{tracking_uri}/get-artifact", params={"run_uuid": run_id, "path": "model/MLmodel"}, timeout=30)
    assert r.status_code == 200 and r.text == "flavors: {}\n"
    assert r.headers["Content-Disposition"].startswith("attachment")
    # A stored page is never rendered on the server's origin: attachment, declared type, no sniffing.
    page = requests.get(f"{tracking_uri}/get-artifact", params={"run_id": run_id, "path": "page.html"}, timeout=30)
    assert page.headers["Content-Disposition"].startswith("attachment")
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    name = f"ui-model-{uuid.uuid4().hex[:8]}"
    client.create_registered_model(name)
    client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id)
    mv = requests.get(f"{tracking_uri}/model-versions/get-artifact",
                      params={"name": name, "version": "1", "path": "MLmodel"}, timeout=30)
    assert mv.status_code == 200 and mv.text == "flavors: {}\n"
    for params in [{"run_id": run_id, "path": "../../../etc/passwd"}, {"run_id": run_id, "path": "%2e%2e/x"},
                   {"run_id": run_id, "path": "/etc/passwd"}, {"run_id": run_id}]:
        bad = requests.get(f"{tracking_uri}/get-artifact", params=params, timeout=30)
        assert bad.status_code == 400, (params, bad.status_code)
        assert bad.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    missing = requests.get(f"{tracking_uri}/get-artifact", params={"run_id": run_id, "path": "nope.txt"}, timeout=30)
    assert missing.status_code == 404
    directory = requests.get(f"{tracking_uri}/get-artifact", params={"run_id": run_id, "path": "model"}, timeout=30)
    assert directory.status_code == 400
    assert directory.json()["message"] == "Artifact path refers to a directory, not a file: 'model'"
    no_run = requests.get(f"{tracking_uri}/get-artifact", params={"run_id": uuid.uuid4().hex, "path": "x"}, timeout=30)
    assert no_run.status_code == 404
