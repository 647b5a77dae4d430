"""The unmodified mlflow client against `skiff server --artifacts s3://bucket/prefix` on a real S3 API server
(scripts/test starts moto's): what the client logs through the proxy lands in the bucket under the prefix, read
back with boto3; it lists, downloads and deletes through the proxy; hostile paths write nothing anywhere; a
misconfigured bucket stops the server at start-up with the reason."""

import os
import subprocess
import uuid

import pytest
import requests

from skiff_process import S3_BUCKET, SKIFF_BIN, SkiffProcess, s3_client

ENDPOINT = os.environ.get("SKIFF_TEST_S3_ENDPOINT")
if not ENDPOINT:
    if os.environ.get("CI"):
        raise RuntimeError("SKIFF_TEST_S3_ENDPOINT is not set; scripts/test starts an S3 server in CI")
    pytest.skip("set SKIFF_TEST_S3_ENDPOINT (scripts/test starts moto's server)", allow_module_level=True)

PROXY = "/api/2.0/mlflow-artifacts/artifacts"


@pytest.fixture(scope="module")
def s3_server(workdir):
    """A server whose artifacts are in the bucket: the session's backend plus an S3 root when it has none."""
    prefix = f"client-{uuid.uuid4().hex[:12]}"
    server = SkiffProcess(workdir / f"s3-{prefix}")
    if server.s3_prefix is None:
        server.extra += ["--artifacts", f"s3://{S3_BUCKET}/{prefix}", "--s3-endpoint", ENDPOINT]
        server.prefix = prefix
    else:
        server.prefix = server.s3_prefix
    server.start()
    yield server
    server.stop()


def bucket_keys(prefix=""):
    pages = s3_client().get_paginator("list_objects_v2").paginate(Bucket=S3_BUCKET, Prefix=prefix)
    return {obj["Key"]: obj["Size"] for page in pages for obj in page.get("Contents", [])}


def test_logged_artifacts_land_in_the_bucket_and_come_back(s3_server, tmp_path, monkeypatch):
    import mlflow
    from mlflow import MlflowClient

    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    mlflow.set_tracking_uri(s3_server.url)
    client = MlflowClient(s3_server.url)
    experiment = client.create_experiment(f"s3-{uuid.uuid4().hex[:8]}")
    folder = tmp_path / "outputs"
    (folder / "nested dir").mkdir(parents=True)
    (folder / "nested dir" / "ü+%=.txt").write_text("unicode name")
    (folder / "weights.bin").write_bytes(os.urandom(300_000))
    single = tmp_path / "report.json"
    single.write_text('{"auc": 0.91}')
    with mlflow.start_run(experiment_id=experiment) as run:
        mlflow.log_artifact(str(single))
        mlflow.log_artifacts(str(folder), artifact_path="outputs")
        mlflow.log_text("hello", "notes/readme.txt")
    run_id = run.info.run_id
    assert run.info.artifact_uri.startswith("mlflow-artifacts:/")

    # boto3 sees the objects under the server's prefix, byte for byte.
    base = f"{s3_server.prefix}/{experiment}/{run_id}/artifacts"
    keys = bucket_keys(base + "/")
    assert keys == {
        f"{base}/report.json": single.stat().st_size,
        f"{base}/outputs/weights.bin": 300_000,
        f"{base}/outputs/nested dir/ü+%=.txt": len("unicode name"),
        f"{base}/notes/readme.txt": 5,
    }
    body = s3_client().get_object(Bucket=S3_BUCKET, Key=f"{base}/outputs/weights.bin")["Body"].read()
    assert body == (folder / "weights.bin").read_bytes()

    # The client lists one level and downloads through the proxy.
    listed = {(f.path, f.is_dir, f.file_size) for f in client.list_artifacts(run_id)}
    assert listed == {("notes", True, None), ("outputs", True, None), ("report.json", False, single.stat().st_size)}
    assert [f.path for f in client.list_artifacts(run_id, "outputs/nested dir")] == ["outputs/nested dir/ü+%=.txt"]
    local = client.download_artifacts(run_id, "outputs", str(tmp_path / "down"))
    assert (tmp_path / "down" / "outputs" / "weights.bin").read_bytes() == (folder / "weights.bin").read_bytes()
    assert (tmp_path / "down" / "outputs" / "nested dir" / "ü+%=.txt").read_text() == "unicode name"
    assert local.endswith("outputs")
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/notes/readme.txt") == "hello"

    # Deleting through the proxy removes the objects from the bucket.
    r = requests.delete(f"{s3_server.url}{PROXY}/{experiment}/{run_id}/artifacts/outputs")
    assert r.status_code == 200, r.text
    assert set(bucket_keys(base + "/")) == {f"{base}/report.json", f"{base}/notes/readme.txt"}


@pytest.mark.parametrize("path", ["../escape.txt", "%2e%2e%2fescape.txt", "%252e%252e%252fescape.txt",
                                  "a/..;/..;/escape.txt", "..%5cescape.txt", "%2fescape.txt"])
def test_hostile_paths_write_nothing_in_the_bucket(s3_server, path):
    from test_artifact_security import raw_request

    before = bucket_keys()
    status, body = raw_request(s3_server.port, "PUT", f"{PROXY}/{path}", b"pwned")
    assert status == 400 and b"INVALID_PARAMETER_VALUE" in body
    status, _ = raw_request(s3_server.port, "DELETE", f"{PROXY}/{path}")
    assert status == 400
    assert bucket_keys() == before


def test_a_missing_bucket_or_missing_credentials_stop_the_server_with_the_reason(workdir):
    def start(env, *flags):
        return subprocess.run([SKIFF_BIN, "server", "--port", "0", "--data-dir", str(workdir / "s3-bad"), *flags],
                              capture_output=True, text=True, timeout=60, env=env)

    env = dict(os.environ, AWS_SECRET_ACCESS_KEY="very-secret-key")
    missing = start(env, "--artifacts", "s3://no-such-bucket-skiff/x", "--s3-endpoint", ENDPOINT)
    assert missing.returncode == 1
    assert "no-such-bucket-skiff" in missing.stderr and "does not exist" in missing.stderr
    assert "very-secret-key" not in missing.stderr + missing.stdout
    bare = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    bare["HOME"] = str(workdir)
    nocreds = start(bare, "--artifacts", f"s3://{S3_BUCKET}/x", "--s3-endpoint", ENDPOINT)
    assert nocreds.returncode == 64 and "AWS_ACCESS_KEY_ID" in nocreds.stderr
    assert start(env, "--artifacts", "s3://Bad_Bucket/x", "--s3-endpoint", ENDPOINT).returncode == 64
    assert start(env, "--artifacts", f"s3://{S3_BUCKET}/../x", "--s3-endpoint", ENDPOINT).returncode == 64
    assert start(env, "--s3-endpoint", ENDPOINT).returncode == 64
