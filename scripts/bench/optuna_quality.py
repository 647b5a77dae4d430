"""Optuna 5 TPE (its defaults: multivariate, constant liar) on the benchmark functions: prints one JSON line per
(function, seed) with the best value after each budget. Run with the bench venv's Python."""

import json
import sys

import optuna

from tune_functions import FUNCTIONS

optuna.logging.set_verbosity(optuna.logging.WARNING)


def run(name, seed, budgets):
    function, bounds = FUNCTIONS[name]

    def objective(trial):
        x = [trial.suggest_float(f"x{i}", lo, hi) for i, (lo, hi) in enumerate(bounds)]
        return function(x)

    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed))
    best, out = float("inf"), {}
    done = 0
    for budget in sorted(budgets):
        study.optimize(objective, n_trials=budget - done)
        done = budget
        out[str(budget)] = study.best_value
    return out


if __name__ == "__main__":
    functions = sys.argv[1].split(",")
    seeds = range(int(sys.argv[2]))
    budgets = [int(b) for b in sys.argv[3].split(",")]
    for name in functions:
        for seed in seeds:
            print(json.dumps({"function": name, "seed": seed, "best": run(name, seed, budgets)}), flush=True)
