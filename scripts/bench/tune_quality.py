"""Skiff TPE vs Optuna 5 TPE (both with Optuna 5's defaults: multivariate, constant liar, 10 startup trials,
24 candidates) on Branin, Hartmann-6, Rosenbrock-10 and Styblinski-Tang-10: the median best value after each
budget over the seeds, and one-sided Mann-Whitney U p-values (scipy) in both directions.

Usage: scripts/bench/tune_quality.sh [SEEDS]   (runs both sides, then this script on their JSON lines)
       python tune_quality.py SKIFF.jsonl OPTUNA.jsonl
"""

import json
import statistics
import sys
from collections import defaultdict

from scipy.stats import mannwhitneyu


def load(path):
    results = defaultdict(lambda: defaultdict(list))
    with open(path) as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                for budget, value in row["best"].items():
                    results[row["function"]][int(budget)].append(value)
    return results


def main():
    skiff, optuna = load(sys.argv[1]), load(sys.argv[2])
    print("| function | trials | seeds | Skiff median | Optuna median | p (Skiff better) | p (Optuna better) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for function in ["branin", "hartmann6", "rosenbrock10", "styblinski_tang10"]:
        for budget in sorted(skiff[function]):
            a, b = skiff[function][budget], optuna[function][budget]
            better = mannwhitneyu(a, b, alternative="less").pvalue
            worse = mannwhitneyu(a, b, alternative="greater").pvalue
            print(f"| {function} | {budget} | {len(a)} | {statistics.median(a):.4g} | {statistics.median(b):.4g} "
                  f"| {better:.3f} | {worse:.3f} |")


if __name__ == "__main__":
    main()
