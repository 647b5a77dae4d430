#!/usr/bin/env python3
"""Inference benchmark: Skiff against onnxruntime and the native XGBoost / LightGBM predictors.

Builds, with fixed seeds, a 500-tree depth-6 XGBoost model, a 500-tree 31-leaf LightGBM model, a 100-tree depth-8
scikit-learn random forest (ONNX) and a 20-64-32-2 MLP (ONNX) on 20 features; scores the same 10,000 rows in
batches of 1, 64 and 10,000 with:
  - onnxruntime (Python API), 1 thread and all threads (XGBoost/LightGBM converted with onnxmltools),
  - xgboost inplace_predict / lightgbm predict, 1 thread and all threads,
  - Skiff (Benchmarks/InferenceBenchmark, release build), 1 thread and all threads,
and prints ns per row, ns per row per tree and each engine's time relative to Skiff's.

Usage: scripts/bench/inference.py            (creates .venv-fixtures with the pinned packages, builds Skiff)
       scripts/bench/inference.py --no-venv  (uses the current interpreter)
"""
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts", "fixtures"))
BATCHES = [1, 64, 10_000]
ROWS = 10_000
FEATURES = 20


def ensure_venv():
    from make_inference_fixtures import PINS

    venv = os.path.join(ROOT, ".venv-fixtures")
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(python):
        subprocess.check_call([sys.executable, "-m", "venv", venv])
    subprocess.check_call([python, "-m", "pip", "install", "-q", *PINS])
    os.execv(python, [python, __file__, "--no-venv", *sys.argv[1:]])


def best_ns_per_row(call, batches, batch, seconds=0.3):
    """Best of five rounds of repeated calls, in nanoseconds per row."""
    best = float("inf")
    for _ in range(5):
        calls = 0
        start = time.perf_counter()
        while True:
            call(batches[calls % len(batches)])
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds / 5:
                break
        best = min(best, elapsed * 1e9 / (calls * batch))
    return best


def main():
    import numpy as np
    import lightgbm as lgb
    import onnxmltools
    import onnxruntime as ort
    import xgboost as xgb
    from onnxmltools.convert.common.data_types import FloatTensorType as MLFloat
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.neural_network import MLPClassifier

    ort.set_default_logger_severity(3)
    cores = os.cpu_count() or 1
    work = tempfile.mkdtemp(prefix="skiff-bench-")
    rng = np.random.default_rng(42)
    X = rng.normal(size=(20_000, FEATURES)).astype(np.float32)
    y = ((X[:, 0] + X[:, 1] * X[:, 2] + np.sin(X[:, 3]) + rng.normal(scale=0.5, size=len(X))) > 0).astype(int)
    rows = rng.normal(size=(ROWS, FEATURES)).astype(np.float32)
    rows_csv = os.path.join(work, "rows.csv")
    np.savetxt(rows_csv, rows, delimiter=",", header=",".join(f"f{i}" for i in range(FEATURES)), comments="",
               fmt="%.9g")
    float_types = [("input", FloatTensorType([None, FEATURES]))]
    ml_types = [("input", MLFloat([None, FEATURES]))]

    print("training models ...", file=sys.stderr)
    models = []
    booster = xgb.train({"objective": "binary:logistic", "max_depth": 6, "eta": 0.1, "seed": 0, "nthread": cores},
                        xgb.DMatrix(X, label=y), num_boost_round=500)
    booster.save_model(os.path.join(work, "xgb.ubj"))
    xgb_classifier = xgb.XGBClassifier(n_estimators=500, max_depth=6, learning_rate=0.1, random_state=0).fit(X, y)
    models.append({"name": "XGBoost 500 trees, depth 6", "trees": 500, "skiff": os.path.join(work, "xgb.ubj"),
                   "onnx": onnxmltools.convert_xgboost(xgb_classifier, initial_types=ml_types),
                   "native": ("xgboost", booster)})
    lgb_booster = lgb.train({"objective": "binary", "num_leaves": 31, "verbose": -1, "seed": 0},
                            lgb.Dataset(X, label=y), num_boost_round=500)
    lgb_booster.save_model(os.path.join(work, "lgb.txt"))
    lgb_classifier = lgb.LGBMClassifier(n_estimators=500, num_leaves=31, verbose=-1, random_state=0).fit(X, y)
    models.append({"name": "LightGBM 500 trees, 31 leaves", "trees": 500, "skiff": os.path.join(work, "lgb.txt"),
                   "onnx": onnxmltools.convert_lightgbm(lgb_classifier, initial_types=ml_types, zipmap=False),
                   "native": ("lightgbm", lgb_booster)})
    forest = RandomForestClassifier(n_estimators=100, max_depth=8, random_state=0, n_jobs=-1).fit(X, y)
    forest_onnx = convert_sklearn(forest, initial_types=float_types,
                                  options={RandomForestClassifier: {"zipmap": False}})
    with open(os.path.join(work, "forest.onnx"), "wb") as f:
        f.write(forest_onnx.SerializeToString())
    models.append({"name": "random forest 100 trees, depth 8 (ONNX)", "trees": 100,
                   "skiff": os.path.join(work, "forest.onnx"), "onnx": forest_onnx, "native": None})
    mlp = MLPClassifier(hidden_layer_sizes=(64, 32), max_iter=30, random_state=0).fit(X, y)
    mlp_onnx = convert_sklearn(mlp, initial_types=float_types, options={MLPClassifier: {"zipmap": False}})
    with open(os.path.join(work, "mlp.onnx"), "wb") as f:
        f.write(mlp_onnx.SerializeToString())
    models.append({"name": "MLP 20-64-32-2 (ONNX)", "trees": None, "skiff": os.path.join(work, "mlp.onnx"),
                   "onnx": mlp_onnx, "native": None})

    skiff = os.path.join(ROOT, ".build", "release", "InferenceBenchmark")
    if not os.path.exists(skiff) or "--no-build" not in sys.argv:
        subprocess.check_call(["swift", "build", "-c", "release", "--product", "InferenceBenchmark"], cwd=ROOT,
                              stdout=subprocess.DEVNULL)

    results = []  # (model, engine, threads, batch, ns_per_row)
    for model in models:
        print(f"timing {model['name']} ...", file=sys.stderr)
        batches = {b: [rows[i * b % (ROWS - b + 1):][:b] for i in range(max(1, min(64, ROWS // b)))] for b in BATCHES}
        onnx_path = os.path.join(work, "ort.onnx")
        with open(onnx_path, "wb") as f:
            f.write(model["onnx"].SerializeToString())
        for threads in (1, cores):
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = threads
            opts.inter_op_num_threads = 1
            session = ort.InferenceSession(onnx_path, opts, providers=["CPUExecutionProvider"])
            name = session.get_inputs()[0].name
            for b in BATCHES:
                ns = best_ns_per_row(lambda x: session.run(None, {name: x}), batches[b], b)
                results.append((model["name"], "onnxruntime", threads, b, ns))
            if model["native"]:
                kind, native = model["native"]
                for b in BATCHES:
                    if kind == "xgboost":
                        native.set_param({"nthread": threads})
                        call = lambda x: native.inplace_predict(x)
                    else:
                        call = lambda x: native.predict(x, num_threads=threads)
                    ns = best_ns_per_row(call, batches[b], b)
                    results.append((model["name"], kind, threads, b, ns))
        output = subprocess.run([skiff, model["skiff"], rows_csv, "--batches", ",".join(map(str, BATCHES)),
                                 "--threads", f"1,{cores}"], check=True, capture_output=True, text=True).stdout
        for line in output.splitlines():
            entry = json.loads(line)
            results.append((model["name"], "skiff", entry["threads"], entry["batch"], entry["ns_per_row"]))

    trees = {m["name"]: m["trees"] for m in models}
    skiff_ns = {(m, t, b): ns for (m, e, t, b, ns) in results if e == "skiff"}
    print(f"\nmachine: {cores} cores; onnxruntime {ort.__version__}, xgboost {xgb.__version__}, "
          f"lightgbm {lgb.__version__}; best of 5 rounds; times per row include each API's per-call overhead\n")
    print("| model | engine | threads | batch | ns/row | ns/row/tree | × Skiff's time |")
    print("|---|---|---|---|---|---|---|")
    for (m, e, t, b, ns) in results:
        per_tree = f"{ns / trees[m]:.1f}" if trees[m] else "–"
        ratio = ns / skiff_ns[(m, t, b)] if (m, t, b) in skiff_ns else float("nan")
        print(f"| {m} | {e} | {t} | {b} | {ns:,.0f} | {per_tree} | {ratio:.2f} |")


if __name__ == "__main__":
    if "--no-venv" not in sys.argv:
        ensure_venv()
    main()
