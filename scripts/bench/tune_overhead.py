"""Sampler overhead of Skiff vs Optuna 5.0 (run with the bench venv's Python).

1. In process: milliseconds per TPE ask/tell step with 1,000 and 5,000 completed trials already in the study
   (2-D float space, trivial objective), Optuna in memory; Skiff's figure comes from `TuneBenchmark`, which does
   the same in Swift.
2. Full ask/tell round trips: a client asks for a trial and tells a trivial result, N times from an empty study
   with TPE: Skiff through `skiff server`'s HTTP API (Python's http.client on one keep-alive connection) vs
   Optuna on SQLite (RDBStorage, the storage Optuna shares between workers; in the client's own process).

Usage: python tune_overhead.py SKIFF_BINARY TUNE_BENCHMARK_BINARY [ROUND_TRIPS]
"""

import http.client
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import optuna
import requests

optuna.logging.set_verbosity(optuna.logging.WARNING)
SPACE = {"x": optuna.distributions.FloatDistribution(-10, 10), "y": optuna.distributions.FloatDistribution(-10, 10)}


def objective(params):
    return params["x"] ** 2 + params["y"] ** 2


def optuna_in_memory(size, steps):
    rng = random.Random(1)
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=1))
    trials = []
    for _ in range(size):
        params = {k: rng.uniform(-10, 10) for k in SPACE}
        trials.append(optuna.trial.create_trial(params=params, distributions=SPACE, value=objective(params)))
    study.add_trials(trials)
    start = time.perf_counter()
    for _ in range(steps):
        trial = study.ask(SPACE)
        study.tell(trial, objective(trial.params))
    return (time.perf_counter() - start) / steps * 1e3


def skiff_in_process(binary, size):
    out = subprocess.run([binary, str(size)], capture_output=True, text=True, check=True).stdout
    match = re.search(r"2-D float: \d+ completed trials: ([0-9.]+) ms", out)
    return float(match.group(1))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def skiff_round_trips(binary, n):
    data = tempfile.mkdtemp(prefix="skiff-bench-")
    port = free_port()
    server = subprocess.Popen([binary, "server", "--port", str(port), "--data-dir", data],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(url + "/health", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.05)
        # http.client on one keep-alive connection: the least client overhead Python offers, so the figure is
        # mostly the server's (requests adds about 1 ms per call).
        connection = http.client.HTTPConnection("127.0.0.1", port)

        def post(path, body):
            connection.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            payload = json.loads(response.read())
            assert response.status == 200, payload
            return payload

        space = "x: {type: float, low: -10, high: 10}\ny: {type: float, low: -10, high: 10}\n"
        post("/api/skiff/v1/studies", {"name": "bench", "space": space, "pruner": "none", "seed": 1})
        times = []
        for _ in range(n):
            start = time.perf_counter()
            trial = post("/api/skiff/v1/studies/bench/ask", {})["trial"]
            post(f"/api/skiff/v1/studies/bench/trials/{trial['number']}/tell", {"value": objective(trial["params"])})
            times.append(time.perf_counter() - start)
        return times
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


def optuna_sqlite_round_trips(n):
    data = tempfile.mkdtemp(prefix="optuna-bench-")
    try:
        study = optuna.create_study(storage=f"sqlite:///{data}/optuna.db", study_name="bench",
                                    sampler=optuna.samplers.TPESampler(seed=1))
        times = []
        for _ in range(n):
            start = time.perf_counter()
            trial = study.ask(SPACE)
            study.tell(trial, objective(trial.params))
            times.append(time.perf_counter() - start)
        return times
    finally:
        shutil.rmtree(data, ignore_errors=True)


def main():
    skiff, tune_benchmark = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    print("| in process, TPE ask/tell step | Skiff ms | Optuna (in memory) ms | Optuna / Skiff |")
    print("|---|---:|---:|---:|")
    for size, steps in [(1000, 50), (5000, 20)]:
        ours = skiff_in_process(tune_benchmark, size)
        theirs = optuna_in_memory(size, steps)
        print(f"| {size:,} completed trials | {ours:.3f} | {theirs:.1f} | {theirs / ours:.0f}x |")
    ours = skiff_round_trips(skiff, n)
    theirs = optuna_sqlite_round_trips(n)
    print()
    print(f"| ask + tell round trip, TPE, {n} trials from an empty study | Skiff server (HTTP) ms | "
          "Optuna on SQLite ms | Optuna / Skiff |")
    print("|---|---:|---:|---:|")
    for label, a, b in [("mean over all trials", ours, theirs),
                        (f"mean over trials {n - 100}-{n}", ours[-100:], theirs[-100:])]:
        ma, mb = sum(a) / len(a) * 1e3, sum(b) / len(b) * 1e3
        print(f"| {label} | {ma:.2f} | {mb:.1f} | {mb / ma:.0f}x |")


if __name__ == "__main__":
    main()
