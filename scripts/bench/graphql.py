#!/usr/bin/env python3
"""Side-by-side `/graphql` latency: Skiff vs MLflow's server, on the queries MLflow's web UI sends.

Starts both servers on free loopback ports with fresh data directories, fills each with the same experiment
(RUNS runs with 20 metrics, 10 params and 5 tags each, a model version for every tenth run, one run with a
HISTORY-step metric), then times on one keep-alive connection, median and p95 over N requests:
  - the runs table query (`mlflowSearchRuns`, 100 runs with data, experiment and model versions);
  - the run page query (`mlflowGetRun`);
  - the metric chart query (`mlflowGetMetricHistoryBulkInterval`, 320 sampled points).
Prints a Markdown table with the ratios. Loopback only; every loop is bounded.

Usage: scripts/bench/graphql.py --skiff .build/release/skiff \
           [--mlflow ~/.cache/skiff-bench/venv-mlflow/bin/mlflow] [--runs 500] [--history 5000] [--n 50]
Run it with a Python that has `mlflow` and `requests` (the MLflow venv does).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from registry_download import free_port, start, stop, tree_rss_mb  # noqa: E402

RUNS_QUERY = """query Runs($data: MlflowSearchRunsInput!) { mlflowSearchRuns(input: $data) {
  apiError { code message }
  runs {
    info { runName status runUuid experimentId artifactUri endTime lifecycleStage startTime userId }
    experiment { experimentId name tags { key value } artifactLocation lifecycleStage lastUpdateTime }
    data { metrics { key value step timestamp } params { key value } tags { key value } }
    inputs { datasetInputs { dataset { digest name } tags { key value } } modelInputs { modelId } }
    outputs { modelOutputs { modelId step } }
    modelVersions { version name creationTimestamp status source }
  }
  nextPageToken } }"""

RUN_QUERY = """query Run($data: MlflowGetRunInput!) { mlflowGetRun(input: $data) {
  run { info { runUuid status startTime endTime } data { metrics { key value } params { key value } tags { key value } }
        experiment { name } modelVersions { name version } } } }"""

HISTORY_QUERY = """query H($data: MlflowGetMetricHistoryBulkIntervalInput!) {
  mlflowGetMetricHistoryBulkInterval(input: $data) { metrics { timestamp step runId key value } } }"""


def populate(url, runs, history):
    import mlflow
    from mlflow.entities import Metric, Param, RunTag

    client = mlflow.MlflowClient(url)
    exp = client.create_experiment(f"graphql-bench-{int(time.time())}", tags={"team": "bench"})
    model = f"graphql-bench-{int(time.time())}"
    client.create_registered_model(model)
    ids = []
    for i in range(runs):
        run_id = client.create_run(exp, run_name=f"run-{i}").info.run_id
        ids.append(run_id)
        client.log_batch(
            run_id,
            metrics=[Metric(f"m{k}", i * 0.01 + k, 1000 + i, 0) for k in range(20)],
            params=[Param(f"p{k}", str(i % (k + 2))) for k in range(10)],
            tags=[RunTag(f"t{k}", f"v{i}") for k in range(5)])
        if i % 10 == 0:
            client.create_model_version(model, f"runs:/{run_id}/model", run_id=run_id)
    for start_step in range(0, history, 1000):
        client.log_batch(ids[0], metrics=[Metric("loss", 1.0 / (s + 1), 2000 + s, s)
                                          for s in range(start_step, min(history, start_step + 1000))])
    return exp, ids


def timed(session, url, body, n):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        r = session.post(f"{url}/graphql", json=body, timeout=120)
        times.append((time.perf_counter() - t) * 1000)
        r.raise_for_status()
        assert r.json()["errors"] is None, r.text[:300]
    return statistics.median(times), statistics.quantiles(times, n=20)[18]


def measure(name, url, pid, runs, history, n):
    exp, ids = populate(url, runs, history)
    s = requests.Session()
    out = {"name": name}
    cases = {
        "search_runs_100": {"query": RUNS_QUERY, "variables": {"data": {
            "experimentIds": [exp], "maxResults": 100, "orderBy": ["attributes.start_time DESC"]}}},
        "get_run": {"query": RUN_QUERY, "variables": {"data": {"runId": ids[1]}}},
        "history_interval_320": {"query": HISTORY_QUERY, "variables": {"data": {
            "runIds": [ids[0]], "metricKey": "loss", "maxResults": 320}}},
    }
    for key, body in cases.items():
        out[f"{key}_median_ms"], out[f"{key}_p95_ms"] = timed(s, url, body, n)
    out["rss_mb"] = tree_rss_mb(pid)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skiff", required=True)
    ap.add_argument("--mlflow", default=os.path.expanduser("~/.cache/skiff-bench/venv-mlflow/bin/mlflow"))
    ap.add_argument("--runs", type=int, default=500)
    ap.add_argument("--history", type=int, default=5000)
    ap.add_argument("--n", type=int, default=50)
    a = ap.parse_args()
    results = []
    for name in ("skiff", "mlflow"):
        tmp = tempfile.mkdtemp(prefix=f"bench-{name}-")
        port = free_port()
        if name == "skiff":
            cmd = [a.skiff, "server", "--port", str(port), "--data-dir", f"{tmp}/data"]
        else:
            cmd = [a.mlflow, "server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
                   "--backend-store-uri", f"sqlite:///{tmp}/mlflow.db", "--artifacts-destination", f"{tmp}/artifacts"]
        proc = start(cmd, port)
        try:
            results.append(measure(name, f"http://127.0.0.1:{port}", proc.pid, a.runs, a.history, a.n))
        finally:
            stop(proc, tmp)
    print("| figure | " + " | ".join(r["name"] for r in results) + " | Skiff better by |")
    print("|---|" + "---:|" * (len(results) + 1))
    for key in [k for k in results[0] if k != "name"]:
        values = [r[key] for r in results]
        ratio = f"{values[1] / values[0]:.1f}x" if len(values) == 2 and values[0] else ""
        print(f"| {key} | " + " | ".join(f"{v:.2f}" for v in values) + f" | {ratio} |")


if __name__ == "__main__":
    main()
