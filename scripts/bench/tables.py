#!/usr/bin/env python3
"""Side-by-side benchmark: SkiffTables vs pandas and pyarrow reading the same files, and `skiff predict` end to
end vs XGBoost's own predictor on the same rows.

Usage:
  swift build -c release --product skiff && swift build -c release --product TablesBenchmark
  python3 scripts/bench/tables.py [--rows 200000] [--cols 20] [--data /tmp/skiff-tables-bench] [--before OLD_SKIFF]

Generates seeded float data (pandas' `to_csv`, `to_json(lines=True)` and pyarrow's `write_table` with Snappy),
times each reader as the best of 3 rounds in its own process (Skiff through `TablesBenchmark`, which also
times writing the rows back as CSV), and prints MB/s and the ratios. Then trains a 1-tree and a 500-tree
XGBoost regressor on the rows and times `skiff predict` (process start, CSV in, trees, CSV out; one thread)
against XGBoost's `inplace_predict` on the rows already in memory, and against pandas `read_csv` +
`inplace_predict` + `to_csv`. `--before` runs an older skiff binary on the same file for comparison.
The Python side runs in a virtualenv with pinned versions (created on first use).
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PINS = ["pandas==2.2.3", "numpy==2.2.6", "pyarrow==19.0.1", "xgboost-cpu==2.1.4"]
VENV = Path(os.environ.get("SKIFF_BENCH_TABLES_VENV", Path.home() / ".cache/skiff-bench/tables-venv"))


def venv_python() -> str:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PINS], check=True)
    return str(python)


PY_TIMER = r"""
import json, sys, time
import os
os.environ.setdefault("OMP_NUM_THREADS", "1")
what, path = sys.argv[1], sys.argv[2]
import numpy as np, pandas as pd, pyarrow as pa, pyarrow.csv as pacsv, pyarrow.parquet as pq
def best(f, n=3):
    t = []
    for _ in range(n):
        s = time.perf_counter(); f(); t.append(time.perf_counter() - s)
    return min(t)
if what == "pandas-csv": r = best(lambda: pd.read_csv(path))
elif what == "pyarrow-csv-1": r = best(lambda: pacsv.read_csv(path, read_options=pacsv.ReadOptions(use_threads=False)))
elif what == "pyarrow-csv-2": r = best(lambda: pacsv.read_csv(path, read_options=pacsv.ReadOptions(use_threads=True)))
elif what == "pandas-jsonl": r = best(lambda: pd.read_json(path, lines=True))
elif what == "pandas-parquet": r = best(lambda: pd.read_parquet(path))
elif what == "pyarrow-parquet-1": r = best(lambda: pq.read_table(path, use_threads=False))
elif what == "pyarrow-parquet-2": r = best(lambda: pq.read_table(path, use_threads=True))
elif what == "pyarrow-write-parquet":
    t = pq.read_table(path); r = best(lambda: pq.write_table(t, "/dev/null", compression="snappy"))
elif what == "pyarrow-write-parquet-plain":
    t = pq.read_table(path)
    r = best(lambda: pq.write_table(t, "/dev/null", compression="snappy", use_dictionary=False, write_statistics=False))
elif what == "pandas-write-parquet":
    df = pd.read_parquet(path); r = best(lambda: df.to_parquet("/dev/null", index=False))
elif what == "pandas-write-csv":
    df = pd.read_csv(path); r = best(lambda: df.to_csv("/dev/null", index=False))
elif what.startswith("xgb-"):
    import xgboost as xgb
    model, out = sys.argv[3], sys.argv[4]
    b = xgb.Booster(); b.load_model(model); b.set_param({"nthread": 1})
    X = pd.read_csv(path).to_numpy(dtype=np.float32)
    if what == "xgb-inplace":
        r = best(lambda: b.inplace_predict(X))
    else:
        def full():
            X = pd.read_csv(path).to_numpy(dtype=np.float32)
            pd.DataFrame({"prediction": b.inplace_predict(X)}).to_csv(out, index=False)
        r = best(full)
print(json.dumps({"seconds": r}))
"""

TRAIN = r"""
import sys, numpy as np, pandas as pd, xgboost as xgb
path, out, trees = sys.argv[1], sys.argv[2], int(sys.argv[3])
df = pd.read_csv(path); X = df.to_numpy(dtype=np.float32); y = X[:, 0] * 2 + np.sin(X[:, 1])
b = xgb.train({"max_depth": 6, "eta": 0.1, "nthread": 2, "objective": "reg:squarederror"}, xgb.DMatrix(X[:20000], y[:20000]), trees)
b.save_model(out)
"""

MAKE = r"""
import sys, numpy as np, pandas as pd, pyarrow as pa, pyarrow.parquet as pq
rows, cols, d = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(7)
df = pd.DataFrame(rng.normal(size=(rows, cols)) * 10.0 ** rng.integers(-2, 4, size=cols), columns=[f"f{i}" for i in range(cols)])
df.to_csv(f"{d}/x.csv", index=False)
df.to_json(f"{d}/x.jsonl", orient="records", lines=True)
pq.write_table(pa.Table.from_pandas(df, preserve_index=False), f"{d}/x.parquet", compression="snappy")
"""


def run_py(python: str, *args: str) -> float:
    out = subprocess.run([python, "-c", PY_TIMER, *args], check=True, capture_output=True, text=True).stdout
    return json.loads(out)["seconds"]


def best_process(cmd: list[str], rounds: int = 3) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--cols", type=int, default=20)
    parser.add_argument("--data", default="/tmp/skiff-tables-bench")
    parser.add_argument("--before", help="an older skiff binary to time on the same predict run")
    parser.add_argument("--skip-parquet", action="store_true")
    args = parser.parse_args()
    python = venv_python()
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    csv = data / "x.csv"
    if not csv.exists():
        subprocess.run([python, "-c", MAKE, str(args.rows), str(args.cols), str(data)], check=True)
    release = ROOT / ".build" / "release"
    bench = str(release / "TablesBenchmark")
    skiff = str(release / "skiff")

    print(f"## Reading {args.rows:,} rows x {args.cols} float columns\n")
    print("| file | MB | Skiff (1 thread) | pandas | pyarrow 1 thread | pyarrow 2 threads | Skiff vs pandas | vs pyarrow 1t |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    formats = [("csv", "pandas-csv", "pyarrow-csv-1", "pyarrow-csv-2"), ("jsonl", "pandas-jsonl", None, None)]
    if not args.skip_parquet:
        formats.append(("parquet", "pandas-parquet", "pyarrow-parquet-1", "pyarrow-parquet-2"))
    for ext, pandas_case, arrow1, arrow2 in formats:
        path = data / f"x.{ext}"
        mb = path.stat().st_size / 1e6
        extra = ["--write", str(data / f"out.{ext}")] if ext in ("csv", "parquet") else []
        skiff_result = json.loads(subprocess.run([bench, str(path), "--rounds", "3", *extra], check=True, capture_output=True, text=True).stdout)
        s = skiff_result["read_s"]
        p = run_py(python, pandas_case, str(path)) if pandas_case else None
        a1 = run_py(python, arrow1, str(path)) if arrow1 else None
        a2 = run_py(python, arrow2, str(path)) if arrow2 else None
        cell = lambda t: f"{t:.3f} s ({mb / t:.0f} MB/s)" if t else "—"
        ratio = lambda t: f"{t / s:.1f}x" if t else "—"
        print(f"| {ext} | {mb:.1f} | {cell(s)} | {cell(p)} | {cell(a1)} | {cell(a2)} | {ratio(p)} | {ratio(a1)} |")
        if ext == "csv":
            w = run_py(python, "pandas-write-csv", str(path))
            print(f"\nWriting the rows as CSV: Skiff {skiff_result['write_s']:.3f} s ({skiff_result['write_mb_s']:.0f} MB/s), "
                  f"pandas to_csv {w:.3f} s: {w / skiff_result['write_s']:.1f}x\n")
        if ext == "parquet":
            w1 = run_py(python, "pyarrow-write-parquet", str(path))
            wp = run_py(python, "pandas-write-parquet", str(path))
            w2 = run_py(python, "pyarrow-write-parquet-plain", str(path))
            ws = skiff_result["write_s"]
            print(f"\nWriting the rows as Parquet (snappy): Skiff {ws:.3f} s, pyarrow write_table {w1:.3f} s ({w1 / ws:.1f}x), "
                  f"pandas to_parquet {wp:.3f} s ({wp / ws:.1f}x); "
                  f"pyarrow with Skiff's layout (PLAIN, no statistics) {w2:.3f} s ({w2 / ws:.1f}x)\n")

    print(f"\n## `skiff predict` end to end ({args.rows:,} x {args.cols} CSV, one thread) vs XGBoost\n")
    print("| model | skiff predict | before | XGBoost inplace_predict (rows in memory) | pandas read_csv + XGBoost + to_csv | vs in-memory | vs pandas path |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for trees in (1, 500):
        model = data / f"xgb{trees}.ubj"
        if not model.exists():
            subprocess.run([python, "-c", TRAIN, str(csv), str(model), str(trees)], check=True)
        out = str(data / "pred.csv")
        cmd = [skiff, "predict", str(model), "--input", str(csv), "--output", out, "--threads", "1"]
        s = best_process(cmd)
        before = best_process([args.before, *cmd[1:]], rounds=1) if args.before else None
        inplace = run_py(python, "xgb-inplace", str(csv), str(model), out)
        full = run_py(python, "xgb-full", str(csv), str(model), out)
        b = f"{before:.2f} s" if before else "—"
        print(f"| XGBoost {trees} tree(s), depth 6 | {s:.3f} s | {b} | {inplace:.3f} s | {full:.3f} s | {inplace / s:.2f}x | {full / s:.1f}x |")


if __name__ == "__main__":
    main()
