"""`skiff serve` on a real socket: answers checked against onnxruntime's, batching, canary, shadow, overload,
deadlines, malformed bodies and the prediction log."""

import json
import math
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve_process import FIXTURES, ServeProcess, wait_for  # noqa: E402

BINARY = str(FIXTURES / "onnx_gradient_boosting_binary.onnx")
CASE = json.loads((FIXTURES / "onnx_gradient_boosting_binary.case.json").read_text())
ROWS = [CASE["inputs"][0]["data"][r * 5:(r + 1) * 5] for r in range(CASE["inputs"][0]["shape"][0])]
EXPECTED = {o["name"]: o for o in CASE["outputs"]}
COLUMNS = ["a", "b", "c", "d", "e"]


def expected_probabilities(row: int) -> list[float]:
    return EXPECTED["probabilities"]["data"][row * 2:(row + 1) * 2]


def score(url: str, rows: list[list[float]], headers: dict | None = None, path: str = "/invocations"):
    return requests.post(url + path, json={"dataframe_split": {"columns": COLUMNS, "data": rows}},
                         headers=headers or {}, timeout=30)


@pytest.fixture()
def logs(tmp_path):
    return tmp_path


def test_answers_match_onnxruntime_over_both_protocols(logs):
    with ServeProcess([BINARY, "--name", "gb"], logs) as serve:
        answer = score(serve.url, ROWS)
        assert answer.status_code == 200, answer.text
        predictions = answer.json()["predictions"]
        assert len(predictions) == len(ROWS)
        for i, prediction in enumerate(predictions):
            assert prediction["label"] == EXPECTED["label"]["data"][i]
            assert prediction["probabilities"] == pytest.approx(expected_probabilities(i), abs=1e-6)

        v2 = requests.post(serve.url + "/v2/models/gb/infer", timeout=10, json={
            "inputs": [{"name": "input", "shape": [len(ROWS), 5], "datatype": "FP32",
                        "data": [x for row in ROWS for x in row]}]})
        assert v2.status_code == 200, v2.text
        outputs = {o["name"]: o for o in v2.json()["outputs"]}
        assert outputs["probabilities"]["shape"] == [len(ROWS), 2]
        assert outputs["probabilities"]["data"] == pytest.approx(EXPECTED["probabilities"]["data"], abs=1e-6)

        csv_body = ",".join(COLUMNS) + "\n" + "\n".join(",".join(repr(x) for x in row) for row in ROWS[:3]) + "\n"
        csv_answer = requests.post(serve.url + "/invocations", data=csv_body,
                                   headers={"Content-Type": "text/csv"}, timeout=10)
        assert [p["label"] for p in csv_answer.json()["predictions"]] == EXPECTED["label"]["data"][:3]


def test_openapi_document_describes_what_the_server_takes_and_answers(logs):
    """/openapi.json is a valid OpenAPI 3.1 document whose schemas admit the requests sent here and the answers the
    server gives them, in both protocols."""
    import jsonschema  # both come with moto[server], which Tests/mlflow_client/requirements.txt pins
    from openapi_spec_validator import validate

    with ServeProcess([BINARY, "--name", "gb", "--no-access-log"], logs) as serve:
        answer = requests.get(serve.url + "/openapi.json", timeout=10)
        assert answer.status_code == 200, answer.text
        assert answer.headers["Content-Type"] == "application/json"
        document = answer.json()
        validate(document)
        paths = document["paths"]
        assert "post" in paths["/invocations"]
        infer = paths["/v2/models/{name}/infer"]["post"]
        assert next(p for p in infer["parameters"] if p["name"] == "name")["schema"]["enum"] == ["gb"]

        def check(value, schema):
            jsonschema.Draft202012Validator({**schema, "components": document["components"]}).validate(value)

        def schema(path, status=None):
            operation = paths[path]["post"]
            part = operation["responses"][status] if status else operation["requestBody"]
            return part["content"]["application/json"]["schema"]

        split = {"dataframe_split": {"columns": COLUMNS, "data": ROWS}}
        check(split, schema("/invocations"))
        scored = requests.post(serve.url + "/invocations", json=split, timeout=10)
        assert scored.status_code == 200, scored.text
        check(scored.json(), schema("/invocations", "200"))
        refused = requests.post(serve.url + "/invocations", json={"instances": [[1]]}, timeout=10)
        assert refused.status_code == 400
        check(refused.json(), schema("/invocations", "400"))

        tensors = {"id": "r1", "inputs": [{"name": "input", "shape": [len(ROWS), 5], "datatype": "FP32",
                                           "data": [x for row in ROWS for x in row]}]}
        check(tensors, schema("/v2/models/{name}/infer"))
        inferred = requests.post(serve.url + "/v2/models/gb/infer", json=tensors, timeout=10)
        assert inferred.status_code == 200, inferred.text
        check(inferred.json(), schema("/v2/models/{name}/infer", "200"))
        missing = requests.post(serve.url + "/v2/models/nope/infer", json=tensors, timeout=10)
        assert missing.status_code == 404
        check(missing.json(), schema("/v2/models/{name}/infer", "404"))
        for path in ["/v2", "/v2/models/gb"]:
            got = requests.get(serve.url + path, timeout=10)
            template = path.replace("/gb", "/{name}")
            check(got.json(), paths[template]["get"]["responses"]["200"]["content"]["application/json"]["schema"])


def test_batching_is_transparent_each_caller_gets_its_own_rows(logs):
    with ServeProcess([BINARY, "--max-batch-delay", "20ms", "--max-batch-size", "64", "--no-access-log"],
                      logs) as serve:
        errors = []

        def caller(index: int):
            session = requests.Session()
            for _ in range(8):
                row = index % len(ROWS)
                answer = session.post(serve.url + "/invocations", timeout=30,
                                      json={"instances": [ROWS[row], ROWS[(row + 1) % len(ROWS)]]})
                if answer.status_code != 200:
                    errors.append(answer.text)
                    continue
                got = answer.json()["predictions"]
                if (got[0]["probabilities"] != pytest.approx(expected_probabilities(row), abs=1e-6)
                        or got[1]["probabilities"] != pytest.approx(
                            expected_probabilities((row + 1) % len(ROWS)), abs=1e-6)):
                    errors.append(f"caller {index} got another caller's rows")

        with ThreadPoolExecutor(16) as pool:
            list(pool.map(caller, range(16)))
        assert errors == []
        requests_run = serve.metric("skiff_batch_requests_sum")
        engine_calls = serve.metric("skiff_batch_requests_count")
        assert requests_run == 16 * 8
        assert engine_calls < requests_run, "concurrent requests were never coalesced"
        assert serve.metric("skiff_batch_rows_sum") == 16 * 8 * 2


def test_canary_takes_its_share_and_sticky_keys_stay_put(logs):
    with ServeProcess([BINARY, "--canary", BINARY, "--canary-weight", "30", "--sticky-header", "X-User",
                       "--no-access-log"], logs) as serve:
        session = requests.Session()
        n = 1000
        canary = 0
        for _ in range(n):
            answer = session.post(serve.url + "/invocations", json={"instances": [ROWS[0]]}, timeout=10)
            assert answer.status_code == 200
            canary += answer.headers["X-Skiff-Route"] == "canary"
        # Binomial(1000, 0.3): mean 300, sd 14.5; five sd either side.
        assert 227 <= canary <= 373, canary
        assert serve.metric("skiff_requests_total", role="canary") == canary

        routes_by_user = {}
        for user in range(40):
            seen = {session.post(serve.url + "/invocations", json={"instances": [ROWS[0]]},
                                 headers={"X-User": f"user-{user}"}, timeout=10).headers["X-Skiff-Route"]
                    for _ in range(5)}
            assert len(seen) == 1, f"user-{user} moved between {seen}"
            routes_by_user[user] = seen.pop()
        assert set(routes_by_user.values()) == {"primary", "canary"}


def test_shadow_answers_are_compared_and_never_returned(logs):
    incompatible = str(FIXTURES / "lgb_multiclass.txt")  # six features: every shadow call fails
    with ServeProcess([BINARY, "--shadow", BINARY, "--shadow", incompatible, "--no-access-log"], logs) as serve:
        for i in range(20):
            answer = score(serve.url, [ROWS[i]])
            assert answer.status_code == 200
            assert answer.headers["X-Skiff-Route"] == "primary"
            assert answer.json()["predictions"][0]["probabilities"] == pytest.approx(
                expected_probabilities(i), abs=1e-6)
        assert wait_for(lambda: serve.metric("skiff_shadow_comparisons_total", result="match") == 20)
        assert wait_for(lambda: serve.metric("skiff_shadow_comparisons_total", result="error") == 20)
        assert serve.metric("skiff_requests_total", role="primary", status="200") == 20


def test_overload_answers_429_with_retry_after_and_recovers(logs):
    with ServeProcess([BINARY, "--max-queue", "1", "--max-batch-delay", "500ms", "--max-batch-size", "1000",
                       "--no-access-log"], logs) as serve:
        barrier = threading.Barrier(12)

        def burst(_):
            barrier.wait(timeout=10)
            return score(serve.url, [ROWS[0]])

        with ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(burst, range(12)))
        statuses = sorted(a.status_code for a in answers)
        assert set(statuses) <= {200, 429}, statuses
        refused = [a for a in answers if a.status_code == 429]
        assert refused, statuses
        assert all(a.headers.get("Retry-After") == "1" for a in refused)
        assert refused[0].json()["error_code"] == "RESOURCE_EXHAUSTED"
        assert serve.metric("skiff_rejected_total", reason="overloaded") == len(refused)
        assert score(serve.url, [ROWS[1]]).status_code == 200


def test_deadline_passed_in_queue_is_504(logs):
    with ServeProcess([BINARY, "--max-batch-delay", "300ms", "--max-batch-size", "1000", "--no-access-log"],
                      logs) as serve:
        answer = score(serve.url, [ROWS[0]], headers={"X-Skiff-Timeout-Ms": "50"})
        assert answer.status_code == 504
        assert answer.json()["error_code"] == "DEADLINE_EXCEEDED"
        assert score(serve.url, [ROWS[0]]).status_code == 200


def test_malformed_bodies_are_400_and_the_server_keeps_serving(logs):
    with ServeProcess([BINARY, "--max-body-bytes", "65536", "--name", "gb"], logs) as serve:
        bad = [
            ("/invocations", "{", "application/json", 400),
            ("/invocations", '{"instances": [[1, 2]]}', "application/json", 400),
            ("/invocations", '{"instances": [[1, 2, 3, 4, "five"]]}', "application/json", 400),
            ("/invocations", '{"dataframe_split": {"columns": ["a"], "data": [[1, 2]]}}', "application/json", 400),
            ("/invocations", "[" * 60_000, "application/json", 400),
            ("/invocations", "x" * 200_000, "application/json", 413),
            ("/invocations", "\x00\xff\xfe", "application/json", 400),
            ("/invocations", "a,b\n1,2,3\n", "text/csv", 400),
            ("/invocations", "{}", "application/xml", 415),
            ("/v2/models/gb/infer", '{"inputs": [{"name": "input", "shape": [1, 5], "datatype": "FP32"}]}',
             "application/json", 400),
            ("/v2/models/nope/infer", "{}", "application/json", 404),
        ]
        for path, body, content_type, status in bad:
            answer = requests.post(serve.url + path, data=body.encode("utf-8", "surrogateescape"),
                                   headers={"Content-Type": content_type}, timeout=10)
            assert answer.status_code == status, (path, body[:40], answer.status_code, answer.text[:200])
            assert answer.json()
        assert serve.proc.poll() is None
        assert score(serve.url, [ROWS[0]]).status_code == 200


def test_a_known_path_with_another_method_is_405_with_allow(logs):
    with ServeProcess([BINARY, "--name", "gb"], logs) as serve:
        for method, path, allow in [("GET", "/invocations", "POST"), ("DELETE", "/ping", "GET"),
                                    ("PUT", "/v2/models/gb/infer", "POST"), ("POST", "/v2/health/ready", "GET")]:
            answer = requests.request(method, serve.url + path, timeout=10)
            assert answer.status_code == 405, (method, path, answer.status_code)
            assert answer.headers["Allow"] == allow
            assert answer.json()["error_code"]
        assert requests.get(serve.url + "/no-such-route", timeout=10).status_code == 404


def test_prediction_log_records_every_prediction(logs):
    directory = logs / "predictions"
    with ServeProcess([BINARY, "--name", "gb", "--log-predictions", str(directory), "--canary", BINARY,
                       "--canary-weight", "50", "--no-access-log"], logs) as serve:
        for i in range(20):
            assert score(serve.url, [ROWS[i], ROWS[i + 1]], headers={"X-Request-ID": f"req-{i}"}).status_code == 200
        assert wait_for(lambda: serve.metric("skiff_prediction_log_written_total") == 20)
        assert serve.stop() == 0
    segments = sorted(directory.glob("predictions-*.ndjson"))
    assert segments
    records = [json.loads(line) for segment in segments for line in segment.read_text().splitlines()]
    assert sorted(r["request_id"] for r in records) == sorted(f"req-{i}" for i in range(20))
    for record in records:
        assert record["model"] == "onnx_gradient_boosting_binary" and record["version"] == "1"
        assert record["route"] in ("primary", "canary")
        assert record["latency_ms"] >= 0 and record["timestamp"].endswith("Z")
        assert record["inputs"]["columns"] == COLUMNS and len(record["inputs"]["data"]) == 2
        assert len(record["outputs"]) == 2 and "probabilities" in record["outputs"][0]
    assert {r["route"] for r in records} == {"primary", "canary"}


def test_prediction_log_overflow_is_counted_never_silent(logs):
    directory = logs / "overflow"
    config = logs / "serving.yaml"
    config.write_text(f"""
log_predictions: {{directory: {directory}, buffer: 1}}
access_log: false
models:
  - name: gb
    model: {BINARY}
""")
    with ServeProcess(["--config", str(config)], logs) as serve:
        with ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(lambda i: score(serve.url, [ROWS[i % 50]]).status_code, range(64)))
        assert statuses == [200] * 64

        def accounted():
            return (serve.metric("skiff_prediction_log_written_total")
                    + serve.metric("skiff_prediction_log_dropped_total")) == 64

        assert wait_for(accounted)
        written = serve.metric("skiff_prediction_log_written_total")
        assert serve.stop() == 0
    lines = sum(len(s.read_text().splitlines()) for s in directory.glob("predictions-*.ndjson"))
    assert lines == written


def test_several_models_from_one_config(logs):
    config = logs / "serving.yaml"
    config.write_text(f"""
batching: {{max_batch_size: 32, max_batch_delay: 1ms}}
models:
  - name: gb
    model: {BINARY}
  - name: lgb
    model: {FIXTURES / "lgb_binary.txt"}
""")
    with ServeProcess(["--config", str(config)], logs) as serve:
        assert score(serve.url, [ROWS[0]], path="/models/gb/invocations").status_code == 200
        lgb = requests.post(serve.url + "/models/lgb/invocations", json={"instances": [[0, 1, 2, 3, 4, 5]]},
                            timeout=10)
        assert lgb.status_code == 200 and isinstance(lgb.json()["predictions"][0], float)
        meta = requests.get(serve.url + "/v2/models/lgb", timeout=10).json()
        assert meta["platform"] == "skiff-lightgbm"
        assert score(serve.url, [ROWS[0]]).json()["predictions"][0]["label"] == EXPECTED["label"]["data"][0]
