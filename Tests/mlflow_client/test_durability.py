"""A server killed with SIGKILL mid-load reopens cleanly with every acknowledged write present."""

import subprocess
import threading
import time

import requests

from skiff_process import SKIFF_BIN, SkiffProcess, free_port


def test_sigkill_mid_load_keeps_every_acknowledged_write(workdir):
    server = SkiffProcess(workdir / "kill-data").start()
    api = f"{server.url}/api/2.0/mlflow"
    exp = requests.post(f"{api}/experiments/create", json={"name": "durable"}).json()["experiment_id"]
    run_ids = [
        requests.post(f"{api}/runs/create", json={"experiment_id": exp}).json()["run"]["info"]["run_id"]
        for _ in range(4)
    ]
    acknowledged: dict[str, list[int]] = {rid: [] for rid in run_ids}
    stop = threading.Event()

    def writer(rid: str) -> None:
        session = requests.Session()
        step = 0
        deadline = time.monotonic() + 30
        while not stop.is_set() and time.monotonic() < deadline and step < 100_000:
            metrics = [{"key": "loss", "value": step + i, "timestamp": 1, "step": step + i} for i in range(50)]
            try:
                r = session.post(f"{api}/runs/log-batch", json={"run_id": rid, "metrics": metrics}, timeout=5)
            except requests.RequestException:
                return
            if r.status_code != 200:
                return
            acknowledged[rid].extend(range(step, step + 50))
            step += 50

    threads = [threading.Thread(target=writer, args=(rid,)) for rid in run_ids]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20
    while sum(map(len, acknowledged.values())) < 20_000 and time.monotonic() < deadline:
        time.sleep(0.01)
    server.kill()
    stop.set()
    for t in threads:
        t.join(timeout=10)
    assert sum(map(len, acknowledged.values())) > 0

    reopened = SkiffProcess(workdir / "kill-data", port=server.port).start()
    try:
        api = f"{reopened.url}/api/2.0/mlflow"
        for rid, steps in acknowledged.items():
            history = requests.get(f"{api}/metrics/get-history", params={"run_id": rid, "metric_key": "loss"}).json()
            stored = {m["step"] for m in history.get("metrics", [])}
            missing = set(steps) - stored
            assert not missing, f"run {rid}: {len(missing)} acknowledged points lost"
        # The database is writable after the crash.
        assert requests.post(f"{api}/runs/create", json={"experiment_id": exp}).ok
    finally:
        reopened.stop()


def test_sigterm_shuts_down_gracefully(workdir):
    server = SkiffProcess(workdir / "term-data").start()
    assert requests.post(f"{server.url}/api/2.0/mlflow/experiments/create", json={"name": "t"}).ok
    assert server.stop() == 0


def test_bad_flags_are_refused_with_a_clear_message(workdir):
    def start(*flags):
        return subprocess.run([SKIFF_BIN, "server", "--data-dir", str(workdir / "bad"), *flags],
                              capture_output=True, text=True, timeout=30)

    # A malformed URL is a flag error (64); an unreachable database fails start-up at once, naming the address.
    malformed = start("--db", "postgres://localhost/skiff")
    assert malformed.returncode == 64
    assert "names no user" in malformed.stderr
    closed = free_port()
    unreachable = start("--db", f"postgres://u:secret-pw@127.0.0.1:{closed}/skiff?sslmode=disable")
    assert unreachable.returncode == 1
    assert f"Could not connect to PostgreSQL at 127.0.0.1:{closed}" in unreachable.stderr
    assert "secret-pw" not in unreachable.stderr + unreachable.stdout
    assert start("--db", "mysql://x/y").returncode == 64
    assert start("--port", "70000").returncode == 64
