"""Model-version sources and registry names replaying the attack classes of MLflow's CVEs (reference §3, §8)."""

import uuid

import pytest
import requests


def api(url):
    return f"{url}/api/2.0/mlflow"


@pytest.fixture(scope="module")
def setup(tracking_uri):
    name = f"sec-{uuid.uuid4().hex[:8]}"
    requests.post(f"{api(tracking_uri)}/registered-models/create", json={"name": name}).raise_for_status()
    exp = requests.post(f"{api(tracking_uri)}/experiments/create", json={"name": name}).json()["experiment_id"]
    run = requests.post(f"{api(tracking_uri)}/runs/create", json={"experiment_id": exp}).json()["run"]["info"]
    other = requests.post(f"{api(tracking_uri)}/runs/create", json={"experiment_id": exp}).json()["run"]["info"]
    model = requests.post(
        f"{api(tracking_uri)}/logged-models", json={"experiment_id": exp, "name": "m", "source_run_id": run["run_id"]}
    ).json()["model"]["info"]
    return {"name": name, "run": run, "other": other, "model": model}


def create(tracking_uri, name, source, **extra):
    return requests.post(
        f"{api(tracking_uri)}/model-versions/create", json={"name": name, "source": source, **extra}, timeout=10
    )


BAD_SOURCES = [
    "file:///etc/",
    "file:///etc/passwd",
    "/etc/passwd",
    "etc/passwd",
    "C:\\\\Windows\\\\win.ini",
    "file:///tmp/x\\..\\..\\etc",
    "http://169.254.169.254/latest/meta-data/",
    "https://internal.example/model",
    "mlflow-artifacts://host/../../etc/passwd",
    "mlflow-artifacts:/..%2f..%2fetc",
    "mlflow-artifacts:/%252e%252e/%252e%252e/etc",
    "s3://bucket/../other-bucket/model",
    "s3://bucket/%2e%2e/other",
    "s3://bucket/a\u0000b",
    "gopher://x/",
    "ftp://host/model",
    "dummy-source-but-not",
    "models:/m-00000000000000000000000000000000",
]


@pytest.mark.parametrize("source", BAD_SOURCES)
def test_unsafe_sources_are_refused(tracking_uri, setup, source):
    r = create(tracking_uri, setup["name"], source, run_id=setup["run"]["run_id"])
    assert r.status_code == 400, (source, r.text)
    assert r.json()["error_code"] == "INVALID_PARAMETER_VALUE"


def test_sources_outside_the_run_root_are_refused(tracking_uri, setup):
    run, other = setup["run"], setup["other"]
    # Another run's artifacts, claimed for this run.
    r = create(tracking_uri, setup["name"], other["artifact_uri"] + "/model", run_id=run["run_id"])
    assert r.status_code == 400
    # runs:/ must name the run it claims.
    r = create(tracking_uri, setup["name"], f"runs:/{other['run_id']}/model", run_id=run["run_id"])
    assert r.status_code == 400
    r = create(tracking_uri, setup["name"], f"runs:/{run['run_id']}/../../etc", run_id=run["run_id"])
    assert r.status_code == 400
    # A logged model of another run.
    r = create(tracking_uri, setup["name"], f"models:/{setup['model']['model_id']}", run_id=other["run_id"])
    assert r.status_code == 400
    # Prompt tags do not switch validation off (CVE-2026-2614).
    r = create(
        tracking_uri, setup["name"], "file:///etc/", tags=[{"key": "mlflow.prompt.is_prompt", "value": "true"}]
    )
    assert r.status_code == 400


def test_safe_sources_are_accepted_and_resolved(tracking_uri, setup):
    run, model = setup["run"], setup["model"]
    r = create(tracking_uri, setup["name"], run["artifact_uri"] + "/model", run_id=run["run_id"])
    assert r.status_code == 200, r.text
    r = create(tracking_uri, setup["name"], f"runs:/{run['run_id']}/model", run_id=run["run_id"])
    assert r.status_code == 200, r.text
    r = create(tracking_uri, setup["name"], "s3://bucket/models/model-1")
    assert r.status_code == 200, r.text
    r = create(tracking_uri, setup["name"], f"models:/{model['model_id']}", model_id=model["model_id"])
    assert r.status_code == 200, r.text
    version = r.json()["model_version"]
    assert version["run_id"] == run["run_id"]
    uri = requests.get(
        f"{api(tracking_uri)}/model-versions/get-download-uri", params={"name": setup["name"], "version": version["version"]}
    ).json()["artifact_uri"]
    assert uri == model["artifact_uri"]
    r = create(tracking_uri, setup["name"], f"models:/{setup['name']}/1")
    assert r.status_code == 200, r.text
    assert r.json()["model_version"]["run_id"] == run["run_id"]


@pytest.mark.parametrize("name", ["", "a/b", "a:b", "..", "a%2fb", "x\u0001y"])
def test_unsafe_model_names_are_refused(tracking_uri, name):
    r = requests.post(f"{api(tracking_uri)}/registered-models/create", json={"name": name})
    assert r.status_code == 400, (name, r.text)


def test_prompt_exclusion_clause_keeps_untagged_models(tracking_uri, setup):
    flt = f"name = '{setup['name']}' AND tags.`mlflow.prompt.is_prompt` != 'true'"
    r = requests.get(f"{api(tracking_uri)}/registered-models/search", params={"filter": flt, "max_results": 10})
    assert [m["name"] for m in r.json()["registered_models"]] == [setup["name"]]


def test_missing_alias_is_400_and_missing_version_404(tracking_uri, setup):
    r = requests.get(f"{api(tracking_uri)}/registered-models/alias", params={"name": setup["name"], "alias": "nope"})
    assert r.status_code == 400
    r = requests.get(f"{api(tracking_uri)}/model-versions/get", params={"name": setup["name"], "version": "999"})
    assert r.status_code == 404 and r.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    r = requests.get(f"{api(tracking_uri)}/model-versions/get", params={"name": setup["name"], "version": "abc"})
    assert r.status_code == 400
