"""Server memory for one 500-tree model: `skiff serve` (its ONNX conversion) and `mlflow models serve` (the
scikit-learn model), each loaded and then driven with 1-row and 100-row requests; prints peak RSS and the ratio.

    ~/.cache/skiff-bench/venv-mlflow/bin/pip install skl2onnx onnx
    ~/.cache/skiff-bench/venv-mlflow/bin/python scripts/bench/serving_memory.py [--trees 500]

Needs a release build (swift build -c release --product skiff) and a Python with mlflow, scikit-learn and
skl2onnx.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import requests

REPO = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_rss_kb(pid):
    """Peak and current RSS of a process and its children, in kB."""
    pids = [pid]
    try:
        pids += [int(p) for p in subprocess.check_output(["pgrep", "-P", str(pid)], text=True).split()]
    except subprocess.CalledProcessError:
        pass
    peak = current = 0
    for p in pids:
        try:
            for line in open(f"/proc/{p}/status"):
                if line.startswith("VmHWM:"):
                    peak += int(line.split()[1])
                elif line.startswith("VmRSS:"):
                    current += int(line.split()[1])
        except FileNotFoundError:
            pass
    return peak, current


def drive(name, command, port, rows, workdir):
    log = open(workdir / f"{name}.log", "wb")
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + ":" + os.environ.get("PATH", ""),
               MLFLOW_DISABLE_TELEMETRY="true", DO_NOT_TRACK="true")
    proc = subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True, env=env)
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    try:
        while time.monotonic() - started < 300:
            try:
                if requests.get(url + "/ping", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        ready = time.monotonic() - started
        columns = [f"f{i}" for i in range(rows.shape[1])]
        session = requests.Session()
        for size, count in [(1, 500), (100, 200)]:
            body = {"dataframe_split": {"columns": columns, "data": rows[:size].tolist()}}
            for _ in range(count):
                answer = session.post(url + "/invocations", json=body, timeout=60)
                answer.raise_for_status()
        peak, current = tree_rss_kb(proc.pid)
        return {"server": name, "ready_s": round(ready, 2), "peak_rss_mb": round(peak / 1024, 1),
                "rss_mb": round(current / 1024, 1)}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trees", type=int, default=500)
    parser.add_argument("--skiff", default=str(REPO / ".build" / "release" / "skiff"))
    args = parser.parse_args()

    import mlflow.sklearn
    from skl2onnx import to_onnx
    from sklearn.ensemble import GradientBoostingClassifier

    workdir = Path(tempfile.mkdtemp(prefix="skiff-serving-memory-"))
    rng = np.random.default_rng(7)
    X = rng.normal(size=(4000, 20)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] * X[:, 2] + rng.normal(scale=0.5, size=4000) > 0).astype(int)
    model = GradientBoostingClassifier(n_estimators=args.trees, max_depth=5, random_state=0).fit(X, y)
    onnx_path = workdir / "model.onnx"
    onnx_path.write_bytes(to_onnx(model, X[:1], options={"zipmap": False}).SerializeToString())
    mlflow.sklearn.save_model(model, str(workdir / "model_sklearn"),
                              skops_trusted_types=["sklearn.tree._tree.Tree", "sklearn._loss.loss.HalfBinomialLoss",
                                                   "sklearn._loss.link.LogitLink", "sklearn._loss.link.Interval"])

    results = [
        drive("skiff", [args.skiff, "serve", str(onnx_path), "--port", str(port := free_port()),
                        "--no-access-log"], port, X, workdir),
        drive("mlflow", [sys.executable, "-m", "mlflow", "models", "serve", "-m", str(workdir / "model_sklearn"),
                         "--env-manager", "local", "--host", "127.0.0.1", "--port", str(port2 := free_port())],
              port2, X, workdir),
    ]
    print(f"one {args.trees}-tree GradientBoostingClassifier, 20 features; "
          f"ONNX file {onnx_path.stat().st_size / 1e6:.1f} MB")
    print("| server | ready s | peak RSS MB | RSS after load MB |")
    print("|---|---:|---:|---:|")
    for r in results:
        print(f"| {r['server']} | {r['ready_s']} | {r['peak_rss_mb']} | {r['rss_mb']} |")
    print(f"peak RSS ratio mlflow/skiff: {results[1]['peak_rss_mb'] / results[0]['peak_rss_mb']:.1f}x")
    print(json.dumps(results))
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
