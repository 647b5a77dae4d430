"""A tiny real training program for `skiff tune` tests: mini-batch SGD on a noisy linear regression.

Reads --lr and --epochs from its arguments and the optimizer settings from SKIFF_PARAM_* variables, prints
`step=<epoch> objective=<validation loss>` after every epoch and `objective=<final validation loss>` at the end.
With TRAIN_FAIL_IF_LR_ABOVE set it exits with status 3 for a larger learning rate (a crashing trial);
with TRAIN_SLEEP it sleeps that many seconds per epoch (so a test can kill a worker mid-trial).
"""

import argparse
import os
import random
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, required=True)
    parser.add_argument("--epochs", type=int, default=8)
    args = parser.parse_args()
    momentum = float(os.environ.get("SKIFF_PARAM_MOMENTUM", "0"))
    optimizer = os.environ.get("SKIFF_PARAM_OPTIMIZER", "sgd")
    batch = int(os.environ.get("SKIFF_PARAM_BATCH", "8"))
    limit = os.environ.get("TRAIN_FAIL_IF_LR_ABOVE")
    if limit is not None and args.lr > float(limit):
        print("diverged", file=sys.stderr)
        sys.exit(3)

    rng = random.Random(0)
    true_w = [1.5, -2.0, 0.5]
    data = []
    for _ in range(256):
        x = [rng.uniform(-1, 1) for _ in true_w]
        data.append((x, sum(a * b for a, b in zip(true_w, x)) + rng.gauss(0, 0.1)))
    train, valid = data[:192], data[192:]
    w = [0.0, 0.0, 0.0]
    velocity = [0.0, 0.0, 0.0]
    beta = momentum if optimizer == "sgd" else 0.9

    def loss(rows):
        return sum((sum(a * b for a, b in zip(w, x)) - y) ** 2 for x, y in rows) / len(rows)

    for epoch in range(args.epochs):
        rng.shuffle(train)
        for start in range(0, len(train), batch):
            rows = train[start:start + batch]
            grad = [0.0, 0.0, 0.0]
            for x, y in rows:
                err = sum(a * b for a, b in zip(w, x)) - y
                for i, xi in enumerate(x):
                    grad[i] += 2 * err * xi / len(rows)
            for i in range(len(w)):
                velocity[i] = beta * velocity[i] + grad[i]
                w[i] -= args.lr * velocity[i]
        value = loss(valid)
        if value != value or value > 1e6:
            value = 1e6
        print(f"step={epoch} objective={value:.6g} train_loss={loss(train):.6g}", flush=True)
        if os.environ.get("TRAIN_SLEEP"):
            time.sleep(float(os.environ["TRAIN_SLEEP"]))
    print(f"objective={loss(valid):.6g}", flush=True)


if __name__ == "__main__":
    main()
