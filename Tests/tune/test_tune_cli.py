"""`skiff tune` end to end: a real training script, pruning, parallel workers, tracked runs read back with the
real mlflow client, and two agents sharing a study through one server while one of them is killed."""

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).resolve().parent
SKIFF = os.environ.get("SKIFF_BIN", str(HERE.parents[1] / ".build" / "debug" / "skiff"))

# The `skiff server` process helper of the mlflow client tests, loaded under its own module name.
_spec = importlib.util.spec_from_file_location("skiff_server_fixtures", HERE.parent / "mlflow_client" / "conftest.py")
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)


@pytest.fixture()
def workdir():
    d = Path(tempfile.mkdtemp(prefix="skiff-tune-tests-"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture()
def server(workdir):
    s = _fixtures.SkiffProcess(workdir / "server-data").start()
    yield s
    s.stop()

TRAIN = [sys.executable, str(HERE / "train.py"), "--lr", "{lr}", "--epochs", "6"]
SPACE = str(HERE / "space.yaml")


def tune(*flags, env=None, timeout=120):
    environment = dict(os.environ, **(env or {}))
    return subprocess.run(
        [SKIFF, "tune", "--space", SPACE, *flags, "--json", "--", *TRAIN],
        capture_output=True, text=True, timeout=timeout, env=environment,
    )


def check_json_shape(result, trials):
    assert set(result) == {"best", "trials"}
    assert set(result["best"]) == {"number", "params", "value"}
    assert len(result["trials"]) == trials
    for trial in result["trials"]:
        assert set(trial) == {"number", "state", "params", "value"}
        assert trial["state"] in {"complete", "pruned", "failed"}
        assert 1e-4 <= trial["params"]["lr"] <= 0.5
        assert trial["params"]["optimizer"] in {"sgd", "adam"}
        assert ("momentum" in trial["params"]) == (trial["params"]["optimizer"] == "sgd")
        assert trial["params"]["batch"] in range(4, 33, 4)
        if trial["state"] == "complete":
            assert isinstance(trial["value"], float)
    complete = [t for t in result["trials"] if t["state"] == "complete"]
    assert result["best"]["value"] == min(t["value"] for t in complete)


def test_local_study_with_pruning_and_two_parallel_workers(workdir):
    proc = tune("--trials", "16", "--parallel", "2", "--sampler", "random", "--seed", "11", "--study", "local",
                "--data-dir", str(workdir / "data"))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    check_json_shape(result, 16)
    states = [t["state"] for t in result["trials"]]
    assert "pruned" in states, proc.stderr
    assert "complete" in states
    assert sorted(t["number"] for t in result["trials"]) == list(range(16))
    assert "trial 0 started" in proc.stderr and "pruned" in proc.stderr
    # Placeholders and SKIFF_PARAM_* reached the program: the best trial's values are its own.
    assert result["best"]["number"] in [t["number"] for t in result["trials"] if t["state"] == "complete"]


def test_failing_trials_do_not_stop_the_study(workdir):
    proc = tune("--trials", "8", "--sampler", "random", "--pruner", "none", "--seed", "5", "--study", "crashy",
                "--data-dir", str(workdir / "data"), env={"TRAIN_FAIL_IF_LR_ABOVE": "0.01"})
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    check_json_shape(result, 8)
    failed = [t for t in result["trials"] if t["state"] == "failed"]
    assert failed and all(t["params"]["lr"] > 0.01 and t["value"] is None for t in failed)
    assert all(t["params"]["lr"] <= 0.01 for t in result["trials"] if t["state"] == "complete")
    assert "exit status 3" in proc.stderr


def test_bad_flags_are_refused_with_a_message(workdir):
    bad_space = workdir / "bad.yaml"
    bad_space.write_text("lr: {type: float, low: 1, high: 0}\n")
    proc = subprocess.run([SKIFF, "tune", "--space", str(bad_space), "--trials", "3", "--", "true"],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 64
    assert "lr" in proc.stderr and "high" in proc.stderr
    proc = subprocess.run([SKIFF, "tune", "--space", SPACE, "--trials", "3", "--sampler", "magic", "--", "true"],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 64 and "magic" in proc.stderr


def test_trials_are_runs_visible_to_the_mlflow_client(server, monkeypatch):
    from mlflow import MlflowClient

    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    proc = tune("--trials", "10", "--parallel", "2", "--seed", "3", "--study", "tracked",
                "--tracking-uri", server.url)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    check_json_shape(result, 10)

    client = MlflowClient(server.url)
    experiment = client.get_experiment_by_name("tracked")
    assert experiment is not None
    runs = client.search_runs([experiment.experiment_id], max_results=100)
    assert len(runs) == 10
    by_number = {int(run.data.tags["skiff.trial"]): run for run in runs}
    assert sorted(by_number) == list(range(10))
    for trial in result["trials"]:
        run = by_number[trial["number"]]
        assert run.data.tags["skiff.study"] == "tracked"
        assert run.data.tags["skiff.trial_state"] == trial["state"]
        assert float(run.data.params["lr"]) == pytest.approx(trial["params"]["lr"])
        expected = {"complete": "FINISHED", "pruned": "KILLED", "failed": "FAILED"}[trial["state"]]
        assert run.info.status == expected
        history = client.get_metric_history(run.info.run_id, "objective")
        assert {m.step for m in history} >= {0}
        if trial["state"] == "complete":
            assert len({m.step for m in history}) == 6
            assert run.data.metrics["objective"] == pytest.approx(trial["value"], rel=1e-5)
    best = requests.get(f"{server.url}/api/skiff/v1/studies/tracked/best", timeout=10).json()["trial"]
    assert best["number"] == result["best"]["number"]


def read_until(stream, needle, deadline):
    """Reads lines from a child's stderr until one contains `needle`; returns the lines read."""
    lines = []
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        lines.append(line)
        if needle in line:
            return lines
    raise AssertionError(f"'{needle}' not seen in time: {''.join(lines)}")


def test_two_agents_share_a_study_and_a_killed_agents_trial_is_retried(server, workdir):
    flags = ["--space", SPACE, "--trials", "8", "--pruner", "none", "--study", "shared", "--seed", "2",
             "--tracking-uri", server.url, "--heartbeat", "0.5", "--retries", "2", "--json", "--", *TRAIN]
    slow = dict(os.environ, TRAIN_SLEEP="1")
    agent_a = subprocess.Popen([SKIFF, "tune", *flags], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=slow, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        started = read_until(agent_a.stderr, "started", deadline)
        victim = int(started[-1].split("trial ")[1].split(" ")[0])
        agent_b = subprocess.Popen([SKIFF, "tune", *flags], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, env=dict(os.environ, TRAIN_SLEEP="0.05"))
        # Agent A dies with its trial running, as a machine that loses power: the agent and its program.
        os.killpg(agent_a.pid, signal.SIGKILL)
        agent_a.wait(timeout=10)
        out, err = agent_b.communicate(timeout=120)
    finally:
        if agent_a.poll() is None:
            os.killpg(agent_a.pid, signal.SIGKILL)
    assert agent_b.returncode == 0, err
    result = json.loads(out)
    trials = {t["number"]: t for t in result["trials"]}
    assert trials[victim]["state"] == "failed"

    stored = requests.get(f"{server.url}/api/skiff/v1/studies/shared/trials", timeout=10).json()["trials"]
    retries = [t for t in stored if t.get("retry_of") == victim]
    assert len(retries) == 1, stored
    retry = retries[0]
    assert retry["state"] == "complete"
    assert retry["params"] == trials[victim]["params"]
    assert f"retry of trial {victim}" in err
    retried = {t["retry_of"] for t in stored if t.get("retry_of") is not None}
    finished = [t for t in stored if t["state"] in ("complete", "pruned")
                or (t["state"] == "failed" and t["number"] not in retried)]
    assert len(finished) == 8
    assert all(t["state"] != "running" for t in stored)
