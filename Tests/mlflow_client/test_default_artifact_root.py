"""`skiff server --default-artifact-root DIR`, the way MLflow's own test fixtures start a server: runs get
`DIR/<experiment>/<run>/artifacts` locations the client writes to itself, and a local path inside a run's
artifact directory is a valid model version source (MLflow's `_validate_source_run`)."""

import uuid

import pytest
import requests
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from skiff_process import SkiffProcess


@pytest.fixture(scope="module")
def local_root_server(tmp_path_factory):
    base = tmp_path_factory.mktemp("default-root")
    root = base / "mlruns"
    root.mkdir()
    server = SkiffProcess(base / "data", extra=["--default-artifact-root", str(root)], s3=False).start()
    yield server, root
    server.stop()


def test_runs_write_their_artifacts_under_the_root(local_root_server, tmp_path):
    server, root = local_root_server
    client = MlflowClient(server.url)
    exp = client.create_experiment(f"root-{uuid.uuid4().hex[:8]}")
    assert client.get_experiment(exp).artifact_location == f"{root}/{exp}"
    run = client.create_run(exp)
    assert run.info.artifact_uri == f"{root}/{exp}/{run.info.run_id}/artifacts"
    (tmp_path / "model.txt").write_text("weights")
    client.log_artifact(run.info.run_id, str(tmp_path / "model.txt"), "model")
    assert (root / exp / run.info.run_id / "artifacts" / "model" / "model.txt").read_text() == "weights"

    client.create_registered_model("local-root-model")
    source = f"{run.info.artifact_uri}/model"
    version = client.create_model_version("local-root-model", source, run_id=run.info.run_id)
    assert version.source == source
    assert client.create_model_version("local-root-model", "file://" + source, run_id=run.info.run_id).version == "2"
    for outside in [str(root), f"{root}/{exp}/other-run/artifacts", "/etc", f"{source}/../../../../etc"]:
        with pytest.raises(MlflowException, match="Invalid model version source"):
            client.create_model_version("local-root-model", outside, run_id=run.info.run_id)
    with pytest.raises(MlflowException, match="Invalid model version source"):
        client.create_model_version("local-root-model", source)


def test_the_root_is_validated_at_start_up(tmp_path):
    for bad in ["http://169.254.169.254/x", "runs:/abc/x", f"{tmp_path}/../../etc"]:
        with pytest.raises(RuntimeError, match="exited"):
            SkiffProcess(tmp_path / "data", extra=["--default-artifact-root", bad], s3=False).start()


def test_upload_artifact_writes_under_the_root_only(local_root_server, tmp_path):
    server, root = local_root_server
    client = MlflowClient(server.url)
    run_id = client.create_run("0").info.run_id
    r = requests.post(f"{server.url}/ajax-api/2.0/mlflow/upload-artifact",
                      params={"run_uuid": run_id, "path": "a.txt"}, data=b"x")
    assert r.status_code == 200, r.text
    assert (root / "0" / run_id / "artifacts" / "a.txt").read_bytes() == b"x"
    outside = client.create_experiment(f"root-up-{uuid.uuid4().hex[:8]}", artifact_location=str(tmp_path))
    other = client.create_run(outside).info.run_id
    r = requests.post(f"{server.url}/ajax-api/2.0/mlflow/upload-artifact",
                      params={"run_uuid": other, "path": "a.txt"}, data=b"x")
    assert r.status_code == 400 and "not served by this server" in r.json()["message"], r.text
    assert not list(tmp_path.rglob("a.txt"))


def test_the_ui_reads_files_under_the_root_and_nothing_outside_it(local_root_server, tmp_path):
    server, root = local_root_server
    client = MlflowClient(server.url)
    exp = client.create_experiment(f"root-ui-{uuid.uuid4().hex[:8]}")
    run_id = client.create_run(exp).info.run_id
    (tmp_path / "notes.txt").write_text("hello")
    client.log_artifact(run_id, str(tmp_path / "notes.txt"), "docs")
    listing = requests.get(f"{server.url}/api/2.0/mlflow/artifacts/list", params={"run_id": run_id}, timeout=30)
    assert listing.status_code == 200, listing.text
    assert listing.json()["files"] == [{"path": "docs", "is_dir": True}]
    inner = requests.get(f"{server.url}/api/2.0/mlflow/artifacts/list", params={"run_id": run_id, "path": "docs"},
                         timeout=30).json()
    assert inner["files"] == [{"path": "docs/notes.txt", "is_dir": False, "file_size": 5}]
    got = requests.get(f"{server.url}/get-artifact", params={"run_uuid": run_id, "path": "docs/notes.txt"}, timeout=30)
    assert got.status_code == 200 and got.text == "hello"
    gql = requests.post(f"{server.url}/graphql", timeout=30, json={
        "query": 'query { mlflowListArtifacts(input: {runId: "%s", path: "docs"}) { files { path } } }' % run_id})
    assert gql.json()["data"]["mlflowListArtifacts"]["files"] == [{"path": "docs/notes.txt"}]
    # An experiment whose location is outside the root is the client's to read: the server reads no other files.
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.txt").write_text("no")
    other = client.create_experiment(f"root-out-{uuid.uuid4().hex[:8]}", artifact_location=str(outside))
    other_run = client.create_run(other).info.run_id
    for url, params in [("/api/2.0/mlflow/artifacts/list", {"run_id": other_run}),
                        ("/get-artifact", {"run_id": other_run, "path": "../secret.txt"}),
                        ("/get-artifact", {"run_id": run_id, "path": "../../../elsewhere/secret.txt"})]:
        refused = requests.get(f"{server.url}{url}", params=params, timeout=30)
        assert refused.status_code == 400, (url, params, refused.status_code)
