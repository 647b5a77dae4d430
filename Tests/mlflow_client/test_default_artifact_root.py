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


def test_upload_artifact_needs_the_proxy(local_root_server):
    server, _ = local_root_server
    run_id = MlflowClient(server.url).create_run("0").info.run_id
    r = requests.post(f"{server.url}/ajax-api/2.0/mlflow/upload-artifact",
                      params={"run_uuid": run_id, "path": "a.txt"}, data=b"x")
    assert r.status_code == 400 and "artifact proxy" in r.json()["message"], r.text
