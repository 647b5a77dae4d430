"""`/graphql`, the endpoint MLflow's web UI reads runs, experiments, metric histories and artifacts through.
The expected shapes were read off MLflow 3.17.2's own server: `{"data", "errors"}` with errors as plain
messages, int64s as strings, protobuf defaults for absent fields, NaN metrics as null, infinities as the
largest finite double, and MLflow's root-field, alias and depth limits."""

import uuid

import requests
from mlflow.entities import Dataset, DatasetInput, InputTag, Metric, Param

RUN_FIELDS = """
  info { runId runUuid runName experimentId userId status startTime endTime artifactUri lifecycleStage }
  experiment { experimentId name artifactLocation lifecycleStage lastUpdateTime tags { key value } }
  data { metrics { key value step timestamp } params { key value } tags { key value } }
  inputs {
    datasetInputs { dataset { name digest sourceType source schema profile } tags { key value } }
    modelInputs { modelId }
  }
  outputs { modelOutputs { modelId step } }
  modelVersions { name version status source }
"""


def gql(tracking_uri, query, variables=None, **extra):
    body = {"query": query, **extra}
    if variables is not None:
        body["variables"] = variables
    r = requests.post(f"{tracking_uri}/graphql", json=body, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    return r.json()


def populated_run(client):
    exp = client.create_experiment(f"gql-{uuid.uuid4().hex[:10]}", tags={"team": "a"})
    run_id = client.create_run(exp, run_name="first").info.run_id
    client.log_batch(run_id, metrics=[Metric("nan", float("nan"), 5, 0), Metric("loss", 2.5, 7, 3),
                                      Metric("loss", 1.5, 8, 4), Metric("inf", float("inf"), 9, 0)],
                     params=[Param("lr", "0.1")])
    dataset = Dataset("train", "abc123", "local", "/data/train.csv", '{"cols": 2}', '{"rows": 9}')
    client.log_inputs(run_id, datasets=[DatasetInput(dataset, [InputTag("mlflow.data.context", "training")])])
    name = f"gql-model-{uuid.uuid4().hex[:8]}"
    client.create_registered_model(name)
    client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id)
    return exp, run_id, name


def test_get_run_reads_like_mlflow(client, tracking_uri):
    exp, run_id, name = populated_run(client)
    query = "query GetRun($data: MlflowGetRunInput!) @component(name: \"ui\") {" \
            " mlflowGetRun(input: $data) { apiError { code message } run {" + RUN_FIELDS + "} } }"
    out = gql(tracking_uri, query, {"data": {"runId": run_id}})
    assert out["errors"] is None
    response = out["data"]["mlflowGetRun"]
    assert response["apiError"] is None
    run = response["run"]
    info = run["info"]
    assert info["runId"] == info["runUuid"] == run_id
    assert info["status"] == "RUNNING" and info["runName"] == "first" and info["experimentId"] == exp
    # int64s are strings; an unset end time reads as its protobuf default.
    assert info["endTime"] == "0" and info["startTime"].isdigit()
    assert run["experiment"]["experimentId"] == exp
    assert run["experiment"]["tags"] == [{"key": "team", "value": "a"}]
    metrics = {m["key"]: m for m in run["data"]["metrics"]}
    assert metrics["nan"]["value"] is None
    assert metrics["inf"]["value"] == 1.7976931348623157e308
    assert metrics["loss"] == {"key": "loss", "value": 1.5, "step": "4", "timestamp": "8"}
    assert run["data"]["params"] == [{"key": "lr", "value": "0.1"}]
    assert run["inputs"]["datasetInputs"] == [{
        "dataset": {"name": "train", "digest": "abc123", "sourceType": "local", "source": "/data/train.csv",
                    "schema": '{"cols": 2}', "profile": '{"rows": 9}'},
        "tags": [{"key": "mlflow.data.context", "value": "training"}]}]
    assert run["inputs"]["modelInputs"] == [] and run["outputs"] == {"modelOutputs": []}
    assert run["modelVersions"] == [{"name": name, "version": "1", "status": "READY",
                                     "source": f"runs:/{run_id}/model"}]


def test_a_failure_nulls_the_field_and_reports_the_message(tracking_uri):
    missing = uuid.uuid4().hex
    out = gql(tracking_uri, "query { mlflowGetRun(input: {runId: \"%s\"}) { run { info { runId } } } }" % missing)
    assert out["data"] == {"mlflowGetRun": None}
    assert out["errors"] == [f"Run with id={missing} not found"]
    out = gql(tracking_uri, "query { mlflowGetExperiment(input: {experimentId: \"987654321\"}) "
                            "{ experiment { name } apiError { code } } }")
    assert out["data"] == {"mlflowGetExperiment": None}
    assert "987654321" in out["errors"][0]


def test_search_runs_as_query_and_mutation_with_paging_and_enums(client, tracking_uri):
    exp, run_id, name = populated_run(client)
    second = client.create_run(exp, run_name="second").info.run_id
    client.set_terminated(second, "FINISHED", end_time=12345)
    query = """query S($data: MlflowSearchRunsInput!) { mlflowSearchRuns(input: $data) {
        runs { info { runId status endTime } } nextPageToken apiError { code } } }"""
    out = gql(tracking_uri, query, {"data": {"experimentIds": [exp], "orderBy": ["attributes.run_name DESC"],
                                             "maxResults": 1, "runViewType": "ALL"}})
    assert out["errors"] is None
    page = out["data"]["mlflowSearchRuns"]
    assert page["runs"] == [{"info": {"runId": second, "status": "FINISHED", "endTime": "12345"}}]
    assert page["nextPageToken"]
    out = gql(tracking_uri, query.replace("query S", "mutation S"),
              {"data": {"experimentIds": [exp], "pageToken": page["nextPageToken"], "maxResults": 1,
                        "orderBy": ["attributes.run_name DESC"]}})
    assert out["data"]["mlflowSearchRuns"]["runs"][0]["info"]["runId"] == run_id
    assert out["data"]["mlflowSearchRuns"]["nextPageToken"] == ""
    too_many = gql(tracking_uri, query, {"data": {"experimentIds": [exp], "maxResults": 50000}})
    assert too_many["data"] == {"mlflowSearchRuns": None} and "at most 1000" in too_many["errors"][0]
    bad = gql(tracking_uri, query, {"data": {"experimentIds": [exp], "filter": "metrics.loss >>> 1"}})
    assert bad["data"] == {"mlflowSearchRuns": None} and bad["errors"]
    # Each run gets its own model versions (fetched for the whole page at once) and its experiment.
    client.create_run(exp, run_name="third")
    for run in (second, second):
        client.create_model_version(name, f"runs:/{run}/model", run_id=run)
    versions = gql(tracking_uri, """query S($data: MlflowSearchRunsInput!) { mlflowSearchRuns(input: $data) {
        runs { info { runName } experiment { experimentId } modelVersions { version } } } }""",
                   {"data": {"experimentIds": [exp], "orderBy": ["attributes.run_name ASC"]}})
    assert versions["data"]["mlflowSearchRuns"]["runs"] == [
        {"info": {"runName": "first"}, "experiment": {"experimentId": exp}, "modelVersions": [{"version": "1"}]},
        {"info": {"runName": "second"}, "experiment": {"experimentId": exp},
         "modelVersions": [{"version": "3"}, {"version": "2"}]},
        {"info": {"runName": "third"}, "experiment": {"experimentId": exp}, "modelVersions": []}]


def test_metric_interval_datasets_model_versions_and_artifacts(client, tracking_uri, tmp_path):
    exp, run_id, name = populated_run(client)
    out = gql(tracking_uri, """query H($data: MlflowGetMetricHistoryBulkIntervalInput!) {
        mlflowGetMetricHistoryBulkInterval(input: $data) { __typename metrics { key value step timestamp runId } } }""",
              {"data": {"runIds": [run_id], "metricKey": "loss", "maxResults": 320}})
    assert out["errors"] is None
    history = out["data"]["mlflowGetMetricHistoryBulkInterval"]
    assert history["__typename"] == "MlflowGetMetricHistoryBulkIntervalResponse"
    assert history["metrics"] == [{"key": "loss", "value": 2.5, "step": "3", "timestamp": "7", "runId": run_id},
                                  {"key": "loss", "value": 1.5, "step": "4", "timestamp": "8", "runId": run_id}]
    out = gql(tracking_uri, 'mutation { mlflowSearchDatasets(input: {experimentIds: ["%s"]}) '
                            '{ datasetSummaries { experimentId name digest context } } }' % exp)
    assert out["data"]["mlflowSearchDatasets"]["datasetSummaries"] == [
        {"experimentId": exp, "name": "train", "digest": "abc123", "context": "training"}]
    out = gql(tracking_uri, 'query { mlflowSearchModelVersions(input: {filter: "name=\'%s\'", maxResults: 5}) '
                            '{ modelVersions { name version runId currentStage description aliases tags { key } } '
                            'nextPageToken } }' % name)
    assert out["data"]["mlflowSearchModelVersions"] == {"modelVersions": [
        {"name": name, "version": "1", "runId": run_id, "currentStage": "None", "description": "", "aliases": [],
         "tags": []}], "nextPageToken": ""}
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "MLmodel").write_text("flavors: {}\n")
    (tmp_path / "notes.txt").write_text("hello")
    client.log_artifacts(run_id, str(tmp_path))
    listing = 'query { mlflowListArtifacts(input: {runId: "%s"%s}) { rootUri files { path isDir fileSize } } }'
    top = gql(tracking_uri, listing % (run_id, ""))["data"]["mlflowListArtifacts"]
    assert top["rootUri"] == client.get_run(run_id).info.artifact_uri
    assert sorted(top["files"], key=lambda f: f["path"]) == [
        {"path": "model", "isDir": True, "fileSize": "0"}, {"path": "notes.txt", "isDir": False, "fileSize": "5"}]
    inner = gql(tracking_uri, listing % (run_id, ', path: "model"'))["data"]["mlflowListArtifacts"]
    assert inner["files"] == [{"path": "model/MLmodel", "isDir": False, "fileSize": "12"}]
    escape = gql(tracking_uri, listing % (run_id, ', path: "../../etc"'))
    assert escape["data"] == {"mlflowListArtifacts": None} and escape["errors"]


def test_variables_operation_names_fragments_and_get(client, tracking_uri):
    exp = client.create_experiment(f"gql-{uuid.uuid4().hex[:10]}")
    query = """query A { __typename }
      query B($id: String) { mlflowGetExperiment(input: {experimentId: $id}) { ...E } }
      fragment E on MlflowGetExperimentResponse { experiment { name experimentId } }"""
    out = gql(tracking_uri, query, {"id": exp}, operationName="B")
    assert out["data"]["mlflowGetExperiment"]["experiment"]["experimentId"] == exp
    r = requests.get(f"{tracking_uri}/graphql", timeout=30,
                     params={"query": query, "variables": '{"id": "%s"}' % exp, "operationName": "B"})
    assert r.status_code == 200 and r.json()["data"]["mlflowGetExperiment"]["experiment"]["experimentId"] == exp
    assert gql(tracking_uri, 'query { test(inputString: "abc") { output } }') == {
        "data": {"test": {"output": "abc"}}, "errors": None}
    unknown_operation = gql(tracking_uri, query, {"id": exp}, operationName="C")
    assert unknown_operation["data"] is None and unknown_operation["errors"]


def test_limits_and_bad_requests_are_refused_without_harm(tracking_uri):
    root = gql(tracking_uri, "query { " + " ".join(f'a{i}: __typename' for i in range(11)) + " }")
    assert root == {"data": None,
                    "errors": ["GraphQL queries should have at most 10 root fields, got 11 root fields."]}
    aliases = gql(tracking_uri, "query { __schema { " + " ".join(f"t{i}: types {{ name }}" for i in range(11)) + " } }")
    assert aliases["errors"] == ["GraphQL queries should have at most 10 aliases, got 11 aliases."]
    # Eleven selection levels; MLflow allows ten.
    levels = ["__schema", "types", "fields", "type"] + ["ofType"] * 6
    deep = gql(tracking_uri, "query { " + " { ".join(levels) + " { name" + " }" * (len(levels) + 1))
    assert deep["errors"] == ["Query exceeds maximum depth of 10"]
    # A bracket bomb is refused before the recursive parser sees it.
    bomb = gql(tracking_uri, "query { test(inputString: " + "[" * 100_000 + "]" * 100_000 + ") { output } }")
    assert bomb["data"] is None and "nest" in bomb["errors"][0]
    syntax = gql(tracking_uri, "query { mlflowGetRun(")
    assert syntax["data"] is None and syntax["errors"][0].startswith("Syntax Error")
    unknown = gql(tracking_uri, "query { nope }")
    assert unknown["data"] is None and "nope" in unknown["errors"][0]
    missing = requests.post(f"{tracking_uri}/graphql", json={}, timeout=30)
    assert missing.status_code == 400 and missing.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    form = requests.post(f"{tracking_uri}/graphql", data="query { __typename }",
                         headers={"Content-Type": "text/plain"}, timeout=30)
    assert form.status_code == 400
    bad_variables = requests.post(f"{tracking_uri}/graphql", json={"query": "{ __typename }", "variables": [1]},
                                  timeout=30)
    assert bad_variables.status_code == 400
    assert gql(tracking_uri, "{ __typename }") == {"data": {"__typename": "Query"}, "errors": None}
