#!/usr/bin/env python3
"""Side-by-side registry read latency and model-artifact download throughput: Skiff vs MLflow's server.

Starts both servers on free loopback ports with fresh data directories, then for each:
  - registers a model with one version and times `GET registered-models/get` (the call the mlflow client makes
    before almost every registry operation), median over N requests on one keep-alive connection;
  - uploads a SIZE-byte artifact through the mlflow-artifacts proxy and times its streamed download,
    sampling the server's RSS (all its processes) before and after.
Prints a Markdown table with the ratios. Loopback only; every loop is bounded.

Usage: scripts/bench/registry_download.py --skiff .build/release/skiff \
           [--mlflow ~/.cache/skiff-bench/venv-mlflow/bin/mlflow] [--size-mb 1024] [--gets 2000]
"""

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time

import requests


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_rss_mb(pid):
    pids, frontier = {pid}, [pid]
    while frontier:
        p = frontier.pop()
        try:
            children = open(f"/proc/{p}/task/{p}/children").read().split()
        except OSError:
            continue
        for c in map(int, children):
            if c not in pids:
                pids.add(c)
                frontier.append(c)
    total = 0
    for p in pids:
        try:
            for line in open(f"/proc/{p}/status"):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def start(cmd, port, timeout=120):
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/health", timeout=1).ok:
                return proc
        except requests.RequestException:
            time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    raise RuntimeError(f"{cmd[0]} did not become healthy")


def stop(proc, tmp):
    """SIGTERM to the server's process group (SIGKILL after 30 s), then its data directory goes."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    shutil.rmtree(tmp, ignore_errors=True)


def measure(name, url, pid, size, gets):
    s = requests.Session()
    api = f"{url}/api/2.0/mlflow"
    model = f"bench-{int(time.time())}"
    s.post(f"{api}/registered-models/create", json={"name": model}).raise_for_status()
    exp = s.post(f"{api}/experiments/create", json={"name": model}).json()["experiment_id"]
    run = s.post(f"{api}/runs/create", json={"experiment_id": exp}).json()["run"]["info"]
    s.post(f"{api}/model-versions/create", json={"name": model, "source": f"runs:/{run['run_id']}/model",
                                                 "run_id": run["run_id"]}).raise_for_status()
    times = []
    for _ in range(gets):
        t = time.perf_counter()
        r = s.get(f"{api}/registered-models/get", params={"name": model})
        times.append((time.perf_counter() - t) * 1000)
        assert r.ok
    chunk = os.urandom(1 << 20)
    path = f"{url}/api/2.0/mlflow-artifacts/artifacts/{exp}/{run['run_id']}/artifacts/model/weights.bin"
    s.put(path, data=(chunk for _ in range(size >> 20)), timeout=600).raise_for_status()
    rss_before = tree_rss_mb(pid)
    t = time.perf_counter()
    got = 0
    with s.get(path, stream=True, timeout=600) as r:
        for part in r.iter_content(1 << 20):
            got += len(part)
    seconds = time.perf_counter() - t
    assert got == size
    rss_after = tree_rss_mb(pid)
    return {"name": name, "get_median_ms": statistics.median(times), "get_p95_ms": statistics.quantiles(times, n=20)[18],
            "download_mb_s": size / seconds / 1e6, "rss_before_mb": rss_before, "rss_after_mb": rss_after}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skiff", required=True)
    ap.add_argument("--mlflow", default=os.path.expanduser("~/.cache/skiff-bench/venv-mlflow/bin/mlflow"))
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--gets", type=int, default=2000)
    a = ap.parse_args()
    size = a.size_mb << 20
    results = []
    for name in ("skiff", "mlflow"):
        tmp = tempfile.mkdtemp(prefix=f"bench-{name}-")
        port = free_port()
        if name == "skiff":
            cmd = [a.skiff, "server", "--port", str(port), "--data-dir", f"{tmp}/data"]
        else:
            if not os.path.exists(a.mlflow):
                print("mlflow not installed; skipping its column")
                continue
            cmd = [a.mlflow, "server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
                   "--backend-store-uri", f"sqlite:///{tmp}/mlflow.db", "--artifacts-destination", f"{tmp}/artifacts"]
        proc = start(cmd, port)
        try:
            results.append(measure(name, f"http://127.0.0.1:{port}", proc.pid, size, a.gets))
        finally:
            stop(proc, tmp)
    print("| figure | " + " | ".join(r["name"] for r in results) + " | ratio |")
    print("|---|" + "---:|" * (len(results) + 1))
    for key, better in (("get_median_ms", "lower"), ("get_p95_ms", "lower"), ("download_mb_s", "higher"),
                        ("rss_before_mb", "lower"), ("rss_after_mb", "lower")):
        values = [r[key] for r in results]
        ratio = ""
        if len(values) == 2 and values[0] and values[1]:
            ratio = f"{values[1] / values[0]:.1f}x" if better == "lower" else f"{values[0] / values[1]:.1f}x"
        print(f"| {key} | " + " | ".join(f"{v:.3f}" for v in values) + f" | {ratio} |")


if __name__ == "__main__":
    main()
