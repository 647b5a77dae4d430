"""Registry webhooks: delivered off the request path, signed as MLflow signs them, retried, SSRF-guarded."""

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from mlflow import MlflowClient

from skiff_process import SkiffProcess

SECRET = "test_webhook_secret"


class Receiver:
    """A loopback HTTP receiver that records deliveries and fails the first `fail_first` of them."""

    def __init__(self, fail_first: int = 0):
        self.deliveries = []
        self.fail_first = fail_first
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.deliveries.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = 500 if len(receiver.deliveries) <= receiver.fail_first else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout: float = 20) -> list:
        deadline = time.monotonic() + timeout
        while len(self.deliveries) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.deliveries

    def close(self):
        self.server.shutdown()


@pytest.fixture(scope="module")
def hook_server(workdir):
    s = SkiffProcess(workdir / "webhook-data", extra=["--webhook-allow-private"]).start()
    yield s
    s.stop()


def verify(headers: dict, body: bytes) -> None:
    delivery_id = headers["x-mlflow-delivery-id"]
    timestamp = headers["x-mlflow-timestamp"]
    expected = hmac.new(SECRET.encode(), f"{delivery_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    assert headers["x-mlflow-signature"] == "v1," + base64.b64encode(expected).decode()
    assert abs(int(timestamp) - time.time()) < 120


def test_alias_and_version_events_are_delivered_signed(hook_server):
    receiver = Receiver()
    try:
        client = MlflowClient(hook_server.url)
        hook = client.create_webhook(
            name="ci-hook",
            url=receiver.url,
            events=["model_version.created", "model_version_alias.created", "registered_model.created"],
            secret=SECRET,
        )
        assert hook.webhook_id and hook.status == "ACTIVE" or str(hook.status) == "ACTIVE"
        name = f"hooked-{uuid.uuid4().hex[:6]}"
        client.create_registered_model(name)
        exp = client.create_experiment(name)
        run = client.create_run(exp)
        client.create_model_version(name, f"runs:/{run.info.run_id}/model", run_id=run.info.run_id)
        client.set_registered_model_alias(name, "champion", "1")
        deliveries = receiver.wait_for(3)
        payloads = [json.loads(body) for _, body in deliveries]
        kinds = sorted((p["entity"], p["action"]) for p in payloads)
        assert kinds == [("model_version", "created"), ("model_version_alias", "created"), ("registered_model", "created")]
        alias = next(p for p in payloads if p["entity"] == "model_version_alias")
        assert alias["data"] == {"name": name, "alias": "champion", "version": "1"}
        version = next(p for p in payloads if p["entity"] == "model_version")
        assert version["data"]["run_id"] == run.info.run_id and version["data"]["version"] == "1"
        for headers, body in deliveries:
            verify(headers, body)
        listed = [h.webhook_id for h in client.list_webhooks()]
        assert hook.webhook_id in listed
        assert "secret" not in requests.get(f"{hook_server.url}/api/2.0/mlflow/webhooks/{hook.webhook_id}").json()["webhook"]
        result = client.test_webhook(hook.webhook_id)
        assert result.success and result.response_status == 200
        client.update_webhook(hook.webhook_id, status="DISABLED")
        client.create_registered_model(name + "-quiet")
        time.sleep(0.5)
        assert not any(name + "-quiet" in body.decode() for _, body in receiver.deliveries)
        client.delete_webhook(hook.webhook_id)
    finally:
        receiver.close()


def test_failed_deliveries_are_retried(hook_server):
    receiver = Receiver(fail_first=1)
    try:
        client = MlflowClient(hook_server.url)
        hook = client.create_webhook(name="retry-hook", url=receiver.url, events=["registered_model.created"], secret=SECRET)
        started = time.monotonic()
        client.create_registered_model(f"retried-{uuid.uuid4().hex[:6]}")
        assert time.monotonic() - started < 2, "delivery must not block the request"
        deliveries = receiver.wait_for(2)
        assert len(deliveries) == 2
        assert deliveries[0][1] == deliveries[1][1]
        assert deliveries[0][0]["x-mlflow-delivery-id"] != deliveries[1][0]["x-mlflow-delivery-id"]
        client.delete_webhook(hook.webhook_id)
    finally:
        receiver.close()


def test_private_destinations_are_refused_by_default(server):
    api = f"{server.url}/api/2.0/mlflow/webhooks"
    for url in ["http://127.0.0.1:9/x", "http://169.254.169.254/latest", "http://10.0.0.1/", "file:///etc/passwd"]:
        r = requests.post(api, json={"name": "bad", "url": url, "events": [{"entity": "REGISTERED_MODEL", "action": "CREATED"}]})
        assert r.status_code == 400, (url, r.text)
    r = requests.post(api, json={"name": "-bad-", "url": "https://93.184.216.34/", "events": [{"entity": "REGISTERED_MODEL", "action": "CREATED"}]})
    assert r.status_code == 400
    r = requests.post(api, json={"name": "ok", "url": "https://93.184.216.34/", "events": [{"entity": "RUN", "action": "CREATED"}]})
    assert r.status_code == 400
