#!/usr/bin/env python3
"""Side-by-side benchmark: Evidently 0.7 DataDriftPreset vs `skiff drift` on the same CSV (or Parquet) files.

Usage:
  swift build -c release --product skiff
  python3 scripts/bench/drift.py [--cases 100k15,1m15,100k100] [--data /tmp/skiff-drift-bench] [--skip-evidently] [--format parquet]

Generates seeded reference/current CSVs (10 numerical + 5 categorical columns, or 90 + 10 for the 100-column
case; the current data has shifted distributions in a third of the columns), runs each tool in its own
process, and prints wall time, peak RSS (from wait4) and the ratio, plus whether every column's verdict and
the dataset verdict agree. Also times `skiff profile` on the reference. Evidently runs in a virtualenv with
pinned versions (created on first use, default ~/.cache/skiff-bench/evidently-venv).
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PINS = ["evidently==0.7.23", "pandas==2.2.3", "numpy==2.2.6", "scipy==1.17.1", "pyarrow==19.0.1"]
CASES = {"100k15": (100_000, 10, 5), "1m15": (1_000_000, 10, 5), "100k100": (100_000, 90, 10)}

EVIDENTLY_RUNNER = r"""
import json, sys, warnings
warnings.filterwarnings("ignore")
import pandas as pd
from evidently import Report, Dataset, DataDefinition
from evidently.presets import DataDriftPreset
ref_path, cur_path, num, cat = sys.argv[1], sys.argv[2], sys.argv[3].split(","), sys.argv[4].split(",")
read = pd.read_parquet if ref_path.endswith(".parquet") else pd.read_csv
ref = read(ref_path); cur = read(cur_path)
dd = DataDefinition(numerical_columns=num, categorical_columns=[c for c in cat if c])
snap = Report([DataDriftPreset()]).run(Dataset.from_pandas(cur, data_definition=dd), Dataset.from_pandas(ref, data_definition=dd))
names = {"K-S p_value": "ks", "chi-square p_value": "chisquare", "Z-test p_value": "z",
         "Wasserstein distance (normed)": "wasserstein", "Jensen-Shannon distance": "jensenshannon"}
out = {"columns": {}}
for m in snap.dict()["metrics"]:
    c = m["config"]
    if c["type"].endswith("DriftedColumnsCount"):
        out["drifted_columns"] = int(m["value"]["count"]); out["share"] = m["value"]["share"]
    elif c["type"].endswith("ValueDrift"):
        method = names.get(c["method"], c["method"]); v = m["value"]; t = c["threshold"]
        drifted = (v <= t) if method == "ks" else ((v < t) if method in ("chisquare", "z") else (v >= t))
        out["columns"][c["column"]] = {"method": method, "statistic": v, "drifted": bool(drifted)}
out["dataset_drift"] = out["share"] >= 0.5
print(json.dumps(out))
"""


def evidently_python():
    venv = Path(os.environ.get("SKIFF_BENCH_VENV", Path.home() / ".cache" / "skiff-bench" / "evidently-venv"))
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.check_call([sys.executable, "-m", "venv", str(venv)])
        subprocess.check_call([str(python), "-m", "pip", "install", "-q", *PINS])
    elif subprocess.run([str(python), "-c", "import pyarrow"], capture_output=True).returncode != 0:
        subprocess.check_call([str(python), "-m", "pip", "install", "-q", PINS[-1]])
    return str(python)


def as_parquet(python: str, csv_path: Path) -> Path:
    """The CSV as pandas saves it with `to_parquet` (pyarrow, snappy, dictionary pages): what users hand over."""
    path = csv_path.with_suffix(".parquet")
    if not path.exists():
        subprocess.check_call([python, "-c", "import sys, pandas as pd; pd.read_csv(sys.argv[1]).to_parquet(sys.argv[2], index=False)",
                               str(csv_path), str(path)])
    return path


def generate(folder: Path, rows: int, numerical: int, categorical: int):
    ref_path, cur_path = folder / "reference.csv", folder / "current.csv"
    if ref_path.exists() and cur_path.exists():
        return ref_path, cur_path
    import numpy as np
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(rows + numerical)
    for path, current in ((ref_path, False), (cur_path, True)):
        columns = {}
        for i in range(numerical):
            shift = 0.25 if current and i % 3 == 0 else 0.0
            kind = i % 4
            if kind == 0:
                v = rng.normal(shift, 1, rows)
            elif kind == 1:
                v = rng.lognormal(3 + shift, 0.6, rows)
            elif kind == 2:
                v = rng.gamma(2 + shift, 2, rows)
            else:
                v = rng.uniform(0 + shift, 10, rows)
            columns[f"num_{i}"] = np.round(v, 4)
        for j in range(categorical):
            k = 3 + 2 * j
            p = np.ones(k) / k
            if current and j % 3 == 0:
                p = np.linspace(1, 2, k)
                p /= p.sum()
            columns[f"cat_{j}"] = np.array([f"c{x}" for x in range(k)])[rng.choice(k, rows, p=p)]
        import pandas as pd
        pd.DataFrame(columns).to_csv(path, index=False)
    return ref_path, cur_path


def timed(cmd):
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = b"", b""
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{cmd[0]} failed: {err.decode()[-2000:]}")
    timed.cpu = usage.ru_utime + usage.ru_stime
    return elapsed, usage.ru_maxrss / 1024.0, out.decode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", default="100k15,1m15,100k100")
    parser.add_argument("--data", default="/tmp/skiff-drift-bench")
    parser.add_argument("--skiff", default=str(ROOT / ".build" / "release" / "skiff"))
    parser.add_argument("--skip-evidently", action="store_true")
    parser.add_argument("--generate-only", action="store_true", help="write the CSV files and stop")
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv",
                        help="run both tools on the CSV files or on the same data saved by pandas as Parquet")
    args = parser.parse_args()
    if args.generate_only:
        for case in args.cases.split(","):
            rows, n_num, n_cat = CASES[case]
            generate(Path(args.data) / case, rows, n_num, n_cat)
        return
    python = None if args.skip_evidently else evidently_python()
    if not Path(args.skiff).exists():
        sys.exit(f"{args.skiff} not found: run `swift build -c release --product skiff` first")
    rows_out = []
    for case in args.cases.split(","):
        rows, n_num, n_cat = CASES[case]
        folder = Path(args.data) / case
        ref, cur = generate(folder, rows, n_num, n_cat)
        if args.format == "parquet":
            converter = python or evidently_python()
            ref, cur = as_parquet(converter, ref), as_parquet(converter, cur)
        num = ",".join(f"num_{i}" for i in range(n_num))
        cat = ",".join(f"cat_{j}" for j in range(n_cat))
        size_mb = (ref.stat().st_size + cur.stat().st_size) / 1e6
        s_time, s_rss, s_out = timed([args.skiff, "drift", "--reference", str(ref), "--current", str(cur),
                                      "--numerical", num, "--categorical", cat, "--json"])
        s_cpu = timed.cpu
        skiff = json.loads(s_out)
        p_out_path = folder / "ref.profile"
        p_time, p_rss, _ = timed([args.skiff, "profile", str(ref), "-o", str(p_out_path), "--numerical", num, "--categorical", cat])
        p_cpu = timed.cpu
        # Merge cost: the saved profile merged with itself, timed inside skiff (excludes reading the files).
        _, _, m_out = timed([args.skiff, "profile", str(p_out_path), str(p_out_path), "-o", str(folder / "merged.profile"), "--json"])
        merge_ms = json.loads(m_out)["merge_ms"]
        pr_time, pr_rss, pr_out = timed([args.skiff, "drift", "--reference", str(p_out_path), "--current", str(cur),
                                         "--numerical", num, "--categorical", cat, "--json"])
        from_profile = json.loads(pr_out)
        result = {"case": case, "rows": rows, "columns": n_num + n_cat, "csv_mb": size_mb,
                  "skiff_s": s_time, "skiff_cpu_s": s_cpu, "skiff_rss_mb": s_rss, "skiff_drifted": skiff["drifted_columns"],
                  "profile_s": p_time, "profile_cpu_s": p_cpu, "profile_mb_per_s": ref.stat().st_size / 1e6 / p_time,
                  "profile_mb_per_cpu_s": ref.stat().st_size / 1e6 / p_cpu, "profile_rss_mb": p_rss, "merge_ms": merge_ms,
                  "profile_drift_s": pr_time, "profile_drift_rss_mb": pr_rss,
                  "profile_verdicts_equal": [c["drifted"] for c in from_profile["columns"]] == [c["drifted"] for c in skiff["columns"]]}
        if python:
            e_time, e_rss, e_out = timed([python, "-c", EVIDENTLY_RUNNER, str(ref), str(cur), num, cat])
            result["evidently_cpu_s"] = timed.cpu
            ev = json.loads(e_out)
            mismatches = [c["name"] for c in skiff["columns"]
                          if ev["columns"][c["name"]]["drifted"] != c["drifted"] or ev["columns"][c["name"]]["method"] != c["method"]]
            result.update({"evidently_s": e_time, "evidently_rss_mb": e_rss, "evidently_drifted": ev["drifted_columns"],
                           "speedup": e_time / s_time, "memory_ratio": e_rss / s_rss,
                           "verdicts_equal": not mismatches and ev["dataset_drift"] == skiff["dataset_drift"],
                           "mismatches": mismatches})
        rows_out.append(result)
        print(json.dumps(result), flush=True)
    print()
    print("| case | CSV MB (ref+cur) | Evidently s (CPU s) | skiff s (CPU s) | speed-up | Evidently peak RSS MB | skiff peak RSS MB | memory ratio | verdicts identical |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows_out:
        if "evidently_s" in r:
            print(f"| {r['case']} | {r['csv_mb']:.0f} | {r['evidently_s']:.1f} ({r['evidently_cpu_s']:.1f}) | {r['skiff_s']:.2f} ({r['skiff_cpu_s']:.2f}) | {r['speedup']:.0f}x | "
                  f"{r['evidently_rss_mb']:.0f} | {r['skiff_rss_mb']:.0f} | {r['memory_ratio']:.1f}x | {r['verdicts_equal']} ({r['skiff_drifted']} drifted) |")
        else:
            print(f"| {r['case']} | {r['csv_mb']:.0f} | - | {r['skiff_s']:.2f} | - | - | {r['skiff_rss_mb']:.0f} | - | - |")
    print()
    print("| case | skiff profile s (CPU s) | MB/s wall | MB per CPU s | profile peak RSS MB | merge two profiles ms | drift from profile s | verdicts equal to exact |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for r in rows_out:
        print(f"| {r['case']} | {r['profile_s']:.2f} ({r['profile_cpu_s']:.2f}) | {r['profile_mb_per_s']:.0f} | {r['profile_mb_per_cpu_s']:.0f} | "
              f"{r['profile_rss_mb']:.0f} | {r['merge_ms']:.2f} | {r['profile_drift_s']:.2f} | {r['profile_verdicts_equal']} |")


if __name__ == "__main__":
    main()
