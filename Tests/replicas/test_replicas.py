"""Several `skiff server` replicas on one PostgreSQL database behave as one server: concurrent writers through a
round-robin of replicas, one replica killed with SIGKILL and restarted mid-load, and two `skiff tune` agents that
talk to different replicas. Needs SKIFF_TEST_BACKEND=postgres (scripts/test sets it for this folder)."""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("skiff_server_fixtures", HERE.parent / "mlflow_client" / "conftest.py")
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)

if os.environ.get("SKIFF_TEST_BACKEND") != "postgres":
    if os.environ.get("CI"):
        raise RuntimeError("the replica tests run with SKIFF_TEST_BACKEND=postgres in CI")
    pytest.skip("replicas need SKIFF_TEST_BACKEND=postgres and SKIFF_TEST_POSTGRES_URL", allow_module_level=True)

API = "/api/2.0/mlflow"
WRITERS = 8
ROUNDS = 20


@pytest.fixture()
def replicas():
    """Three replicas on one schema (one shared data directory names it) and one artifact folder."""
    work = Path(tempfile.mkdtemp(prefix="skiff-replicas-"))
    data = work / "data"
    servers = [_fixtures.SkiffProcess(data) for _ in range(3)]
    for server in servers:
        server.start()
    yield servers
    for server in servers:
        server.stop()
    shutil.rmtree(work, ignore_errors=True)


class Writer(threading.Thread):
    """Creates runs, logs batches and registers versions, each call through the next replica; a call that fails to
    connect (the replica is down) moves on to the next replica and is repeated until acknowledged."""

    def __init__(self, index, servers, experiment_id, stop_at):
        super().__init__(daemon=True)
        self.index = index
        self.servers = servers
        self.experiment_id = experiment_id
        self.stop_at = stop_at
        self.turn = index
        self.runs = {}  # run id -> number of metric points acknowledged
        self.versions = []  # (model, version, writer tag)
        self.error = None

    def call(self, path, body):
        for _ in range(60):
            server = self.servers[self.turn % len(self.servers)]
            self.turn += 1
            try:
                response = requests.post(server.url + API + path, json=body, timeout=15)
            except requests.RequestException:
                time.sleep(0.05)
                continue
            if response.status_code in (502, 503):
                time.sleep(0.05)
                continue
            assert response.status_code == 200, (path, response.status_code, response.text)
            return response.json()
        raise AssertionError(f"no replica acknowledged {path}")

    def run(self):
        try:
            for round_ in range(ROUNDS):
                if time.monotonic() > self.stop_at:
                    break
                run = self.call("/runs/create", {"experiment_id": self.experiment_id, "start_time": 1})["run"]
                run_id = run["info"]["run_id"]
                metrics = [{"key": "loss", "value": 1.0 / (step + 1), "timestamp": 1000 + step, "step": step}
                           for step in range(10)]
                self.call("/runs/log-batch", {
                    "run_id": run_id, "metrics": metrics, "params": [{"key": "writer", "value": str(self.index)}],
                    "tags": [{"key": "round", "value": str(round_)}]})
                self.runs[run_id] = len(metrics)
                model = f"model-{self.index % 2}"
                tag = f"w{self.index}-r{round_}"
                version = self.call("/model-versions/create", {
                    "name": model, "source": run["info"]["artifact_uri"] + "/model", "run_id": run_id,
                    "tags": [{"key": "writer", "value": tag}]})["model_version"]
                self.versions.append((model, int(version["version"]), tag))
        except BaseException as error:  # reported by the test thread
            self.error = error


def test_replicas_keep_every_acknowledged_write_through_a_kill(replicas):
    first = replicas[0]
    experiment_id = requests.post(first.url + API + "/experiments/create", json={"name": "replicas"},
                                  timeout=10).json()["experiment_id"]
    for model in ("model-0", "model-1"):
        assert requests.post(first.url + API + "/registered-models/create", json={"name": model},
                             timeout=10).status_code == 200
    writers = [Writer(i, replicas, experiment_id, time.monotonic() + 240) for i in range(WRITERS)]
    for writer in writers:
        writer.start()
    # Mid-load, one replica dies as a machine losing power would, and comes back on the same port.
    deadline = time.monotonic() + 120
    while sum(len(w.versions) for w in writers) < WRITERS * ROUNDS // 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    victim = replicas[1]
    acknowledged_before_kill = sum(len(w.versions) for w in writers)
    victim.kill()
    time.sleep(0.3)
    victim.start()
    for writer in writers:
        writer.join(timeout=300)
        assert not writer.is_alive(), "a writer did not finish in time"
        assert writer.error is None, writer.error

    # Every acknowledged run and metric point is there, read back through each replica.
    for index, writer in enumerate(writers):
        reader = replicas[index % len(replicas)]
        for run_id, points in writer.runs.items():
            history = requests.get(reader.url + API + "/metrics/get-history",
                                   params={"run_id": run_id, "metric_key": "loss"}, timeout=10).json()
            assert len(history["metrics"]) == points, run_id
            run = requests.get(reader.url + API + "/runs/get", params={"run_id": run_id}, timeout=10).json()["run"]
            assert {"key": "writer", "value": str(index)} in run["data"]["params"]

    # Version numbers are contiguous per model with no duplicates, and every acknowledged one is what was sent.
    for model in ("model-0", "model-1"):
        listed = requests.get(first.url + API + "/model-versions/search",
                              params={"filter": f"name='{model}'", "max_results": 10000}, timeout=10).json()
        numbers = sorted(int(v["version"]) for v in listed["model_versions"])
        assert numbers == list(range(1, len(numbers) + 1)), numbers
        tags = {int(v["version"]): {t["key"]: t["value"] for t in v.get("tags", [])}.get("writer")
                for v in listed["model_versions"]}
        acknowledged = [(v, tag) for w in writers for (m, v, tag) in w.versions if m == model]
        assert len({v for v, _ in acknowledged}) == len(acknowledged), "a version number was handed out twice"
        for version, tag in acknowledged:
            assert tags[version] == tag, (model, version)
    assert sum(len(w.versions) for w in writers) == WRITERS * ROUNDS
    assert acknowledged_before_kill < WRITERS * ROUNDS, "the kill did not land mid-load"


TUNE_HERE = HERE.parent / "tune"
TRAIN = [sys.executable, str(TUNE_HERE / "train.py"), "--lr", "{lr}", "--epochs", "4"]


def test_two_agents_on_two_replicas_finish_one_study_without_duplicate_trials(replicas):
    trials = 16
    def agent(server):
        flags = ["--space", str(TUNE_HERE / "space.yaml"), "--trials", str(trials), "--pruner", "none",
                 "--study", "replicated", "--seed", "5", "--tracking-uri", server.url, "--heartbeat", "1",
                 "--retries", "2", "--json", "--", *TRAIN]
        return subprocess.Popen([_fixtures.SKIFF_BIN, "tune", *flags], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=dict(os.environ, TRAIN_SLEEP="0.1"))

    agents = [agent(replicas[0]), agent(replicas[2])]
    # Once the study is under way, the second agent's replica dies and comes back: the study lives in the
    # database, and the agent's retries carry it over the gap.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        response = requests.get(f"{replicas[1].url}/api/skiff/v1/studies/replicated/trials", timeout=10)
        # An empty list is left out, as in protobuf JSON.
        if response.status_code == 200 and len(response.json().get("trials", [])) >= 3:
            break
        time.sleep(0.05)
    replicas[2].kill()
    time.sleep(0.2)
    replicas[2].start()
    outputs = [a.communicate(timeout=240) for a in agents]
    for proc, (out, err) in zip(agents, outputs):
        assert proc.returncode == 0, err
    stored = requests.get(f"{replicas[1].url}/api/skiff/v1/studies/replicated/trials", timeout=10).json()["trials"]
    numbers = [t["number"] for t in stored]
    assert numbers == list(range(len(numbers))), "trial numbers are not contiguous"
    fresh = [json.dumps(t["params"], sort_keys=True) for t in stored if t.get("retry_of") is None]
    assert len(fresh) == len(set(fresh)), "two replicas handed out the same suggestion"
    retried = {t["retry_of"] for t in stored if t.get("retry_of") is not None}
    finished = [t for t in stored if t["state"] in ("complete", "pruned")
                or (t["state"] == "failed" and t["number"] not in retried)]
    assert len(finished) >= trials
    assert all(t["state"] != "running" for t in stored)
    for out, _ in outputs:
        assert json.loads(out)["best"]["value"] is not None
