"""Wire-level behaviour the mlflow client and curl users rely on (reference §1, §6, §10)."""

import base64
import json

import requests


def api(url: str) -> str:
    return f"{url}/api/2.0/mlflow"


def test_health_version_and_server_info(tracking_uri):
    assert requests.get(f"{tracking_uri}/health").text == "OK"
    version = requests.get(f"{tracking_uri}/version").text
    from packaging.version import Version

    assert Version(version) < Version("3.4")
    info = requests.get(f"{tracking_uri}/api/3.0/mlflow/server-info").json()
    assert info["store_type"] == "SqlStore"
    assert info["multipart_uploads_enabled"] is False


def test_get_with_query_string_or_json_body_and_run_uuid(tracking_uri):
    run = requests.post(f"{api(tracking_uri)}/runs/create", json={"experiment_id": "0"}).json()["run"]
    rid = run["info"]["run_id"]
    assert run["info"]["run_uuid"] == rid
    by_query = requests.get(f"{api(tracking_uri)}/runs/get", params={"run_uuid": rid}).json()
    by_body = requests.get(f"{api(tracking_uri)}/runs/get", json={"run_id": rid}).json()
    assert by_query["run"]["info"]["run_id"] == by_body["run"]["info"]["run_id"] == rid


def test_enums_and_int64_as_strings_or_numbers(tracking_uri):
    rid = requests.post(f"{api(tracking_uri)}/runs/create", json={"experiment_id": "0"}).json()["run"]["info"]["run_id"]
    r = requests.post(f"{api(tracking_uri)}/runs/update", json={"run_id": rid, "status": 3, "end_time": "1700000000000"})
    assert r.status_code == 200
    info = r.json()["run_info"]
    assert info["status"] == "FINISHED" and info["end_time"] == 1700000000000
    r = requests.post(
        f"{api(tracking_uri)}/runs/log-metric",
        json={"run_id": rid, "key": "m", "value": "NaN", "timestamp": "5", "step": "2"},
    )
    assert r.status_code == 200
    hist = requests.get(f"{api(tracking_uri)}/metrics/get-history", params={"run_id": rid, "metric_key": "m"}).json()
    assert hist["metrics"] == [{"key": "m", "value": "NaN", "timestamp": 5, "step": 2}]


def test_json_content_type_is_required_on_writes(tracking_uri):
    r = requests.post(
        f"{api(tracking_uri)}/experiments/create", data='{"name": "csrf"}', headers={"Content-Type": "text/plain"}
    )
    assert r.status_code == 400
    assert r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "Content-Type" in r.json()["message"]
    r = requests.get(f"{api(tracking_uri)}/experiments/get-by-name", params={"experiment_name": "csrf"})
    assert r.status_code == 404


def test_dns_rebinding_and_cross_origin_writes_are_refused(tracking_uri):
    r = requests.get(f"{api(tracking_uri)}/experiments/get?experiment_id=0", headers={"Host": "evil.example:5000"})
    assert r.status_code == 403
    r = requests.post(
        f"{api(tracking_uri)}/experiments/create", json={"name": "xsite"}, headers={"Origin": "http://evil.example"}
    )
    assert r.status_code == 403
    assert r.json()["error_code"] == "PERMISSION_DENIED"
    r = requests.post(
        f"{api(tracking_uri)}/experiments/search", json={"max_results": 1}, headers={"Origin": "http://localhost:3000"}
    )
    assert r.status_code == 200


def test_malformed_bodies_are_400_never_5xx(tracking_uri):
    cases = [
        ("runs/create", "{not json"),
        ("runs/create", "[1,2,3]"),
        ("runs/create", '{"experiment_id": {"nested": true}}'),
        ("runs/log-batch", '{"run_id": "abc", "metrics": [{"key": "k", "value": true, "timestamp": 1}]}'),
        ("runs/log-batch", '{"run_id": "abc", "metrics": "nope"}'),
        ("runs/log-metric", '{"run_id": "abc", "key": "k", "value": 1}'),
        ("experiments/create", '{"name": ""}'),
        ("experiments/create", '{"name": "x", "artifact_location": "http://169.254.169.254/latest"}'),
        ("experiments/create", '{"name": "y", "artifact_location": "runs:/abc/x"}'),
        ("experiments/search", '{"max_results": 0}'),
        ("experiments/search", '{"max_results": 10, "page_token": "garbage!!"}'),
        ("runs/search", '{"experiment_ids": ["0"], "max_results": 50001}'),
        ("runs/search", '{"experiment_ids": ["0"], "filter": "metrics.a > 1 OR metrics.b > 2"}'),
        ("runs/search", '{"experiment_ids": ["0"], "order_by": ["bogus.key DESC"]}'),
        ("runs/search", '{"experiment_ids": ["abc"]}'),
        ("runs/create", '{"experimentId": "0", "experiment_id": "0"}'),
        ("runs/create", "[" * 10000 + "]" * 10000),
    ]
    for path, body in cases:
        r = requests.post(f"{api(tracking_uri)}/{path}", data=body, headers={"Content-Type": "application/json"})
        assert 400 <= r.status_code < 500, (path, body[:80], r.status_code, r.text)
        assert r.json()["error_code"] in ("INVALID_PARAMETER_VALUE", "BAD_REQUEST", "RESOURCE_DOES_NOT_EXIST"), r.text
    assert requests.get(f"{tracking_uri}/health").text == "OK"


HINT_TAIL = " See the API docs for more information about request parameters."


def test_wrongly_typed_fields_get_mlflows_message(tracking_uri):
    """MLflow's proto parsing refuses a value of the wrong JSON type and its schema check then words the error;
    the expected texts are what MLflow 3.17.2's server answers to the same bodies."""
    run_id = requests.post(f"{api(tracking_uri)}/runs/create", json={"experiment_id": "0"}).json()["run"]["info"]["run_id"]
    cases = [
        ("experiments/create", {"name": 123}, "Invalid value 123 for parameter 'name' supplied:  Hint: Value was of type 'int'."),
        ("experiments/create", {"name": True}, "Invalid value true for parameter 'name' supplied:  Hint: Value was of type 'bool'."),
        ("experiments/create", {"name": 1.5}, "Invalid value 1.5 for parameter 'name' supplied:  Hint: Value was of type 'float'."),
        ("experiments/create", {"name": {"b": 1, "a": [2]}},
         "Invalid value {\"a\":[2],\"b\":1} for parameter 'name' supplied:  Hint: Value was of type 'dict'."),
        ("runs/log-batch", {"run_id": run_id, "metrics": "foo"},
         "Invalid value \"foo\" for parameter 'metrics' supplied:  Hint: Value was of type 'str'."),
        ("experiments/create", {"name": "e", "artifact_location": 5},
         "Invalid value 5 for parameter 'artifact_location' supplied:  Hint: Value was of type 'int'."),
        ("runs/create", {"experiment_id": 0},
         "Invalid value 0 for parameter 'experiment_id' supplied:  Hint: Value was of type 'int'."),
        ("runs/set-tag", {"run_id": run_id, "key": "k", "value": 5},
         "Invalid value 5 for parameter 'value' supplied:  Hint: Value was of type 'int'."),
        ("runs/log-metric", {"run_id": run_id, "key": "m", "value": "abc", "timestamp": 1},
         "Invalid value \"abc\" for parameter 'value' supplied:  Hint: Value was of type 'str'."),
        ("runs/log-metric", {"run_id": run_id, "key": "m", "value": 1, "timestamp": "x"},
         "Invalid value \"x\" for parameter 'timestamp' supplied:  Hint: Value was of type 'str'."),
        ("experiments/create", {"name": ["é"]},
         "Invalid value [\"\\u00e9\"] for parameter 'name' supplied:  Hint: Value was of type 'list'."),
        ("runs/search", {"experiment_ids": "0"},
         "Invalid value \"0\" for parameter 'experiment_ids' supplied:  Hint: Value was of type 'str'."),
        ("registered-models/create", {"name": 7},
         "Invalid value 7 for parameter 'name' supplied:  Hint: Value was of type 'int'."),
        ("experiments/search", {"max_results": "ten"},
         "Invalid value \"ten\" for parameter 'max_results' supplied:  Hint: Value was of type 'str'."),
    ]
    for path, body, message in cases:
        r = requests.post(f"{api(tracking_uri)}/{path}", json=body)
        assert r.status_code == 400, (path, body, r.text)
        assert r.json() == {"error_code": "INVALID_PARAMETER_VALUE", "message": message + HINT_TAIL}, (path, r.text)
    # The lenient forms proto JSON allows still parse: int64s as strings, enums by number.
    assert requests.post(f"{api(tracking_uri)}/experiments/search", json={"max_results": "5"}).ok
    r = requests.post(f"{api(tracking_uri)}/runs/update", json={"run_id": run_id, "status": 5})
    assert r.ok and r.json()["run_info"]["status"] == "KILLED", r.text
    r = requests.post(f"{api(tracking_uri)}/runs/search", json={"experiment_ids": ["0"], "run_view_type": 3})
    assert r.ok and run_id in {run["info"]["run_id"] for run in r.json()["runs"]}, r.text


def test_huge_filter_and_in_lists_are_bounded(tracking_uri):
    huge = "params.a = '" + "x" * 200_000 + "'"
    r = requests.post(f"{api(tracking_uri)}/runs/search", json={"experiment_ids": ["0"], "filter": huge})
    assert r.status_code == 400
    many = "attributes.run_id IN (" + ",".join(f"'{i:032x}'" for i in range(2000)) + ")"
    r = requests.post(f"{api(tracking_uri)}/runs/search", json={"experiment_ids": ["0"], "filter": many})
    assert r.status_code == 200


def test_delete_with_body_and_missing_entities(tracking_uri):
    r = requests.post(f"{api(tracking_uri)}/runs/delete", json={"run_id": "f" * 32})
    assert r.status_code == 404
    assert r.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    r = requests.get(f"{api(tracking_uri)}/experiments/get-by-name", params={"experiment_name": "nope-nope"})
    assert r.status_code == 404 and r.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_history_paging_and_bulk_interval(tracking_uri):
    rid = requests.post(f"{api(tracking_uri)}/runs/create", json={"experiment_id": "0"}).json()["run"]["info"]["run_id"]
    for chunk in range(3):
        metrics = [{"key": "x", "value": i, "timestamp": i, "step": i} for i in range(chunk * 1000, chunk * 1000 + 1000)]
        assert requests.post(f"{api(tracking_uri)}/runs/log-batch", json={"run_id": rid, "metrics": metrics}).ok
    seen, token = [], None
    for _ in range(10):
        params = {"run_id": rid, "metric_key": "x", "max_results": 1200}
        if token:
            params["page_token"] = token
        page = requests.get(f"{api(tracking_uri)}/metrics/get-history", params=params).json()
        seen += [m["step"] for m in page["metrics"]]
        token = page.get("next_page_token")
        if not token:
            break
    assert seen == list(range(3000))
    bulk = requests.get(
        f"{api(tracking_uri)}/metrics/get-history-bulk-interval",
        params={"run_ids": [rid], "metric_key": "x", "max_results": 50},
    ).json()["metrics"]
    assert len(bulk) == 50 and bulk[0]["step"] == 0 and bulk[-1]["step"] == 2999
    assert all(m["run_id"] == rid for m in bulk)


def test_extreme_page_sizes_and_offsets_keep_the_server_up(tracking_uri):
    rid = requests.post(f"{api(tracking_uri)}/runs/create", json={"experiment_id": "0"}).json()["run"]["info"]["run_id"]
    metrics = [{"key": "x", "value": i, "timestamp": i, "step": i} for i in range(3)]
    assert requests.post(f"{api(tracking_uri)}/runs/log-batch", json={"run_id": rid, "metrics": metrics}).ok
    largest = str(2**63 - 1)
    for run_id in (rid, "0" * 32):
        r = requests.get(
            f"{api(tracking_uri)}/metrics/get-history",
            params={"run_id": run_id, "metric_key": "x", "max_results": largest},
            timeout=30,
        )
        assert r.status_code == 200, r.text
        assert len(r.json().get("metrics", [])) == (3 if run_id == rid else 0)
    far = base64.b64encode(json.dumps({"offset": 2**63 - 1}).encode()).decode()
    for path, params in [
        ("metrics/get-history", {"run_id": rid, "metric_key": "x", "max_results": largest}),
        ("experiments/search", {"max_results": 1000}),
        ("registered-models/search", {"max_results": 1000}),
        ("webhooks", {"max_results": 1000}),
    ]:
        r = requests.get(f"{api(tracking_uri)}/{path}", params={**params, "page_token": far}, timeout=30)
        assert r.status_code == 400 and r.json()["error_code"] == "INVALID_PARAMETER_VALUE", (path, r.text)
    near = base64.b64encode(json.dumps({"offset": 2**53}).encode()).decode()
    r = requests.get(
        f"{api(tracking_uri)}/metrics/get-history",
        params={"run_id": rid, "metric_key": "x", "max_results": largest, "page_token": near},
        timeout=30,
    )
    assert r.status_code == 200 and r.json().get("metrics", []) == []
    assert requests.get(f"{tracking_uri}/health", timeout=30).status_code == 200


def test_an_oversized_request_head_gets_a_json_400(tracking_uri):
    r = requests.get(f"{api(tracking_uri)}/experiments/search", params={"filter": "x" * 100_000}, timeout=30)
    assert r.status_code in (400, 431), r.status_code
    assert r.json()["error_code"] == "BAD_REQUEST"
    assert requests.get(f"{tracking_uri}/health", timeout=30).status_code == 200


def test_a_known_path_with_another_method_is_405_with_allow(tracking_uri):
    cases = [
        ("PUT", "/api/2.0/mlflow/runs/create", "POST"),
        ("DELETE", "/api/2.0/mlflow/experiments/search", "GET, POST"),
        ("POST", "/health", "GET"),
        ("PATCH", "/api/2.0/mlflow-artifacts/artifacts/0/x.txt", "DELETE, GET, PUT"),
        ("PUT", "/graphql", "GET, POST"),
        ("TRACE", "/api/skiff/v1/studies", "GET, POST"),
    ]
    for method, path, allow in cases:
        r = requests.request(method, f"{tracking_uri}{path}", timeout=30)
        assert r.status_code == 405, (method, path, r.status_code, r.text)
        assert r.headers["Allow"] == allow, (method, path)
        assert r.json()["error_code"] == "BAD_REQUEST"
    assert requests.get(f"{tracking_uri}/api/2.0/mlflow/no-such-route", timeout=30).status_code == 404
