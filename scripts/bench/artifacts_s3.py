#!/usr/bin/env python3
"""Side-by-side artifact proxy on S3: `skiff server --artifacts s3://…` vs `mlflow server --artifacts-destination
s3://…`, both on the same local S3 API server (moto's, started here), in one sitting.

For each server: a SIZE upload through the mlflow-artifacts proxy and its streamed download (time, and the peak
RSS of the server's whole process tree, sampled every 20 ms), then N small files uploaded one by one and the
listing of their directory. Every download is checked against the upload's SHA-256. Prints a Markdown table with
the ratios. Loopback only; every loop is bounded.

Usage: scripts/bench/artifacts_s3.py --skiff .build/release/skiff \
           [--mlflow ~/.cache/skiff-bench/venv-mlflow/bin/mlflow] [--moto .venv/bin/moto_server] [--size-mb 1024]
"""

import argparse
import hashlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from registry_download import free_port, start, tree_rss_mb  # noqa: E402

BUCKET = "skiff-bench"
PROXY = "/api/2.0/mlflow-artifacts/artifacts"


class PeakSampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0.0, threading.Event()

    def run(self):
        while not self.done.wait(0.02):
            self.peak = max(self.peak, tree_rss_mb(self.pid))


def measure(name, url, pid, size, small):
    s = requests.Session()
    block = os.urandom(1 << 20)
    sent = hashlib.sha256()

    def body():
        for i in range(size >> 20):
            part = block[i % 251:] + block[: i % 251]
            sent.update(part)
            yield part

    idle = tree_rss_mb(pid)
    sampler = PeakSampler(pid)
    sampler.start()
    t = time.perf_counter()
    s.put(f"{url}{PROXY}/big/weights.bin", data=body(), timeout=1800).raise_for_status()
    upload = time.perf_counter() - t
    got = hashlib.sha256()
    t = time.perf_counter()
    with s.get(f"{url}{PROXY}/big/weights.bin", stream=True, timeout=1800) as r:
        r.raise_for_status()
        for part in r.iter_content(1 << 20):
            got.update(part)
    download = time.perf_counter() - t
    sampler.done.set()
    sampler.join()
    assert got.hexdigest() == sent.hexdigest(), f"{name}: the download differs from the upload"
    payload = os.urandom(16 * 1024)
    t = time.perf_counter()
    for i in range(small):
        s.put(f"{url}{PROXY}/small/f{i:04d}.bin", data=payload, timeout=60).raise_for_status()
    small_rate = small / (time.perf_counter() - t)
    lists = []
    for _ in range(20):
        t = time.perf_counter()
        files = s.get(f"{url}{PROXY}", params={"path": "small"}, timeout=60).json()["files"]
        lists.append((time.perf_counter() - t) * 1000)
        assert len(files) == small, f"{name}: listed {len(files)} of {small}"
    return {"name": name, "upload_mb_s": size / upload / 1e6, "download_mb_s": size / download / 1e6,
            "peak_rss_mb": sampler.peak, "idle_rss_mb": idle, "small_puts_per_s": small_rate,
            "list_median_ms": statistics.median(lists)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skiff", required=True)
    ap.add_argument("--mlflow", default=os.path.expanduser("~/.cache/skiff-bench/venv-mlflow/bin/mlflow"))
    ap.add_argument("--moto", default=".venv/bin/moto_server")
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--small", type=int, default=200)
    a = ap.parse_args()
    env = dict(os.environ, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1")
    moto_port = free_port()
    endpoint = f"http://127.0.0.1:{moto_port}"
    moto = subprocess.Popen([a.moto, "-H", "127.0.0.1", "-p", str(moto_port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    results = []
    try:
        for _ in range(100):
            try:
                if requests.put(f"{endpoint}/{BUCKET}", timeout=1).ok:  # moto accepts an unsigned CreateBucket
                    break
            except requests.RequestException:
                time.sleep(0.1)
        for name in ("skiff", "mlflow"):
            tmp = tempfile.mkdtemp(prefix=f"bench-s3-{name}-")
            port = free_port()
            if name == "skiff":
                cmd = [a.skiff, "server", "--port", str(port), "--data-dir", f"{tmp}/data",
                       "--artifacts", f"s3://{BUCKET}/skiff", "--s3-endpoint", endpoint]
            else:
                cmd = [a.mlflow, "server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
                       "--backend-store-uri", f"sqlite:///{tmp}/mlflow.db",
                       "--artifacts-destination", f"s3://{BUCKET}/mlflow"]
            proc = start_with_env(cmd, port, dict(env, MLFLOW_S3_ENDPOINT_URL=endpoint, TMPDIR=tmp))
            try:
                results.append(measure(name, f"http://127.0.0.1:{port}", proc.pid, a.size_mb << 20, a.small))
            finally:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                shutil.rmtree(tmp, ignore_errors=True)
    finally:
        os.killpg(moto.pid, signal.SIGKILL)
    print("| figure | " + " | ".join(r["name"] for r in results) + " | Skiff better by |")
    print("|---|" + "---:|" * (len(results) + 1))
    for key, better in (("upload_mb_s", "higher"), ("download_mb_s", "higher"), ("peak_rss_mb", "lower"),
                        ("idle_rss_mb", "lower"), ("small_puts_per_s", "higher"), ("list_median_ms", "lower")):
        values = [r[key] for r in results]
        ratio = ""
        if len(values) == 2 and values[0] and values[1]:
            ratio = f"{values[1] / values[0]:.1f}x" if better == "lower" else f"{values[0] / values[1]:.1f}x"
        print(f"| {key} | " + " | ".join(f"{v:.1f}" for v in values) + f" | {ratio} |")


def start_with_env(cmd, port, env):
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        return start(cmd, port)
    finally:
        os.environ.clear()
        os.environ.update(saved)


if __name__ == "__main__":
    main()
