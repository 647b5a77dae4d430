#!/usr/bin/env python3
"""Side-by-side benchmark: `skiff data` (init, add, status, push) vs DVC 3.67 on the same data, in one run.

Usage:
  swift build -c release --product skiff
  python3 scripts/bench/data.py [--cases hash-2g,add-100k,status-100k,push-100k] [--files 100000] [--big-mib 2048]
                                [--repeats 3] [--big-repeats 1] [--tools skiff,dvc] [--quick] [--skiff PATH]

Generates seeded data once under --data (/tmp/skiff-data-bench): one file of pseudo-random bytes and a tree of
small files (100 B - 4 KiB, 100 subdirectories). Every timed command runs in its own fresh git repository per
tool with its own copy of the data, and prints the best of N wall times and the ratio:
  hash-2g      `add big.bin` (also GB/s; `sha256sum`, `md5sum` and `openssl dgst` of the same file are the floor)
  add-100k     `add files` (the small-file tree)
  status-100k  `status` with nothing changed, after one untimed warm-up run
  push-100k    push the added tree: DVC to a local-directory remote, Skiff to a `skiff server` started here
A tool that fails a case is reported in its cell; the others go on. `--quick` is a smoke run (1,000 files, 64 MiB).
DVC runs from a virtualenv with a pinned version (created on first use, default ~/.cache/skiff-bench/dvc-venv).
"""
import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DVC_PIN = "dvc==3.67.1"
VENV = Path(os.environ.get("SKIFF_BENCH_DVC_VENV", Path.home() / ".cache/skiff-bench/dvc-venv"))
CASES = ["hash-2g", "add-100k", "status-100k", "push-100k"]


class Failed(Exception):
    """A command of one tool failed: reported in that tool's cell instead of stopping the run."""


def dvc_binary() -> str:
    dvc = VENV / "bin" / "dvc"
    if not dvc.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "python"), "-m", "pip", "install", "-q", DVC_PIN], check=True)
    return str(dvc)


def run(cmd: list[str], cwd: Path, env: dict | None = None) -> float:
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace")
    except OSError as e:  # a missing or non-executable --skiff
        raise Failed(f"`{cmd[0]}` could not start: {e.strerror}")
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        lines = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        errors = [line for line in lines if "error" in line.lower()] or lines[-1:]  # the reason, not the usage hint
        raise Failed(f"`{Path(cmd[0]).name} {' '.join(cmd[1:3])}` exited {proc.returncode}" + (f": {errors[0].strip()[:160]}" if errors else ""))
    return elapsed


def make_big(folder: Path, mib: int) -> Path:
    path = folder / f"big-{mib}m.bin"
    if path.exists() and path.stat().st_size == mib << 20:
        return path
    part = path.with_suffix(".part")  # renamed only when complete, so an interrupted run is not reused
    rng = random.Random(mib)
    with open(part, "wb") as out:
        for left in range(mib, 0, -64):
            out.write(rng.randbytes(min(64, left) << 20))
    part.rename(path)
    return path


def make_files(folder: Path, count: int) -> Path:
    root, done = folder / f"files-{count}", folder / f"files-{count}.done"
    if done.exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    rng = random.Random(count)  # distinct content per file, so neither tool can deduplicate
    dirs = [root / f"d{i:02d}" for i in range(100)]
    for d in dirs:
        d.mkdir(parents=True)
    for i in range(count):
        (dirs[i % 100] / f"f{i:06d}.bin").write_bytes(rng.randbytes(rng.randint(100, 4096)))
    done.touch()
    return root


def copy_in(src: Path, repo: Path, name: str) -> None:
    subprocess.run(["cp", "-a", str(src), str(repo / name)], check=True)
    os.sync()  # write the copy back now, so its writeback is not billed to the command timed next


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Tool:
    def __init__(self, name: str, binary: str, work: Path):
        self.name, self.binary, self.work = name, binary, work
        self.env = dict(os.environ, DVC_NO_ANALYTICS="1")
        self.push_note = None  # why push is skipped, if it is

    def new_repo(self) -> Path:
        repo = Path(tempfile.mkdtemp(prefix=f"{self.name}-", dir=self.work))
        run(["git", "init", "-q"], repo)
        if self.name == "dvc":
            # A per-repo site cache: DVC keys its stat cache by repo path under /var/tmp/dvc otherwise, which
            # would survive the repo and could warm a later repeat.
            self.env["DVC_SITE_CACHE_DIR"] = str(repo / ".dvc" / "tmp" / "site")
            run([self.binary, "init", "-q"], repo, self.env)
            run([self.binary, "config", "core.autostage", "false"], repo, self.env)
            run([self.binary, "config", "core.analytics", "false"], repo, self.env)
        else:
            run([self.binary, "data", "init"], repo, self.env)
        return repo

    def cmd(self, verb: str, *args: str) -> list[str]:
        if self.name == "dvc":
            return [self.binary, verb, "-q", *args]
        return [self.binary, "data", verb, *args]

    @contextmanager
    def remote(self, repo: Path):
        """A fresh, empty remote for one push: a new directory for DVC, a new server (new port) for Skiff."""
        where = Path(tempfile.mkdtemp(prefix=f"{self.name}-remote-", dir=self.work))
        try:
            if self.name == "dvc":
                run([self.binary, "remote", "add", "-d", "-f", "bench", str(where)], repo, self.env)
                yield []
            else:
                with skiff_server(self.binary, where) as url:
                    yield ["--remote", url]
        finally:
            shutil.rmtree(where, ignore_errors=True)


@contextmanager
def skiff_server(skiff: str, folder: Path, wait_s: float = 30.0):
    port = free_port()
    log = open(folder / "server.log", "wb")
    proc = subprocess.Popen([skiff, "server", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(folder / "data")],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            if proc.poll() is not None:
                tail = (folder / "server.log").read_text(errors="replace").strip().splitlines()[-1:]
                raise Failed(f"`skiff server` exited {proc.returncode}: {' '.join(tail)[:160]}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise Failed(f"`skiff server` did not answer /health within {wait_s:.0f} s")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def bench_big(tool: Tool, big: Path, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        repo = tool.new_repo()
        try:
            copy_in(big, repo, "big.bin")
            times.append(run(tool.cmd("add", "big.bin"), repo, tool.env))
        finally:
            shutil.rmtree(repo, ignore_errors=True)
    return min(times)


def bench_small(tool: Tool, files: Path, cases: list[str], repeats: int) -> dict:
    """add, status and push of the small-file tree; one repo carries the last add into status and push."""
    out, repo = {}, None
    try:
        try:
            adds = []
            for _ in range(repeats if "add-100k" in cases else 1):
                if repo:
                    shutil.rmtree(repo, ignore_errors=True)
                repo = tool.new_repo()
                copy_in(files, repo, "files")
                adds.append(run(tool.cmd("add", "files"), repo, tool.env))
            out["add-100k"] = min(adds)
        except Failed as e:
            return {case: str(e) if case == "add-100k" else (tool.push_note if case == "push-100k" and tool.push_note
                    else f"not run, add failed: {e}") for case in cases}
        if "status-100k" in cases:
            try:
                run(tool.cmd("status"), repo, tool.env)  # warm-up: the stat cache is filled here
                out["status-100k"] = min(run(tool.cmd("status"), repo, tool.env) for _ in range(repeats))
            except Failed as e:
                out["status-100k"] = str(e)
        if "push-100k" in cases:
            if tool.push_note:
                out["push-100k"] = tool.push_note
            else:
                try:
                    pushes = []
                    for _ in range(repeats):
                        with tool.remote(repo) as remote_args:
                            pushes.append(run(tool.cmd("push", *remote_args), repo, tool.env))
                    out["push-100k"] = min(pushes)
                except Failed as e:
                    out["push-100k"] = str(e)
    finally:
        if repo:
            shutil.rmtree(repo, ignore_errors=True)
    return {case: out[case] for case in cases if case in out}


def succeeds(cmd: list[str], expect: str = "") -> bool:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    except OSError:
        return False
    return proc.returncode == 0 and expect in proc.stdout


def version(cmd: list[str]) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True) if succeeds(cmd) else None
    return proc.stdout.strip().splitlines()[-1] if proc and proc.stdout.strip() else "unknown"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--files", type=int, default=100_000, help="small files in the add/status/push cases")
    parser.add_argument("--big-mib", type=int, default=2048, help="size of the hash-2g file")
    parser.add_argument("--repeats", type=int, default=3, help="best of N for add-100k, status-100k, push-100k")
    parser.add_argument("--big-repeats", type=int, default=1, help="best of N for hash-2g")
    parser.add_argument("--tools", default="skiff,dvc", help="run only some of the tools, e.g. --tools dvc")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1,000 files, 64 MiB")
    parser.add_argument("--data", default="/tmp/skiff-data-bench")
    parser.add_argument("--skiff", default=str(ROOT / ".build" / "release" / "skiff"))
    args = parser.parse_args()
    if args.quick:
        args.files, args.big_mib = 1000, 64
    cases = [c for c in args.cases.split(",") if c]
    if unknown := set(cases) - set(CASES):
        sys.exit(f"unknown case(s) {', '.join(sorted(unknown))}; choose from {', '.join(CASES)}")
    data = Path(args.data)
    work = data / "work"
    shutil.rmtree(work, ignore_errors=True)  # repos left by an interrupted run
    work.mkdir(parents=True)

    tools = []
    if "skiff" in args.tools:
        skiff = Tool("skiff", str(Path(args.skiff).resolve()), work)
        # ArgumentParser answers `data <unknown> --help` with the parent's help and exit 0: look for push's usage.
        if not succeeds([skiff.binary, "data", "push", "--help"], expect="data push"):
            skiff.push_note = "skipped: `skiff data push --help` failed (push not in this binary)"
        tools.append(skiff)
    if "dvc" in args.tools:
        tools.append(Tool("dvc", dvc_binary(), work))
    names = {"skiff": "Skiff", "dvc": "DVC"}
    labels = {t.name: f"{names[t.name]} {version([t.binary, '--version'])}" for t in tools}
    print(" / ".join(labels[t.name] for t in tools), flush=True)

    size_gb = args.big_mib * 2**20 / 1e9
    described = {"hash-2g": f"1 file, {args.big_mib:,} MiB", "add-100k": f"{args.files:,} files",
                 "status-100k": f"{args.files:,} files, unchanged", "push-100k": f"{args.files:,} files"}

    def cell(case, value):
        if not isinstance(value, float):
            return value or "-"
        return f"{value:.2f} s ({size_gb / value:.2f} GB/s)" if case == "hash-2g" else f"{value:.2f} s"

    results = {case: {} for case in cases}
    big = files = None
    if "hash-2g" in cases:
        big = make_big(data, args.big_mib)
        for tool in tools:
            try:
                results["hash-2g"][tool.name] = bench_big(tool, big, args.big_repeats)
            except Failed as e:
                results["hash-2g"][tool.name] = str(e)
            print(f"hash-2g {tool.name}: {cell('hash-2g', results['hash-2g'][tool.name])}", flush=True)
    small_cases = [c for c in cases if c != "hash-2g"]
    if small_cases:
        files = make_files(data, args.files)
        for tool in tools:
            for case, value in bench_small(tool, files, small_cases, args.repeats).items():
                results[case][tool.name] = value
                print(f"{case} {tool.name}: {cell(case, value)}", flush=True)

    print(f"\n## Data versioning: Skiff vs DVC (best of {args.repeats}; hash-2g best of {args.big_repeats})\n")
    print("| case | data | " + " | ".join(labels[t.name] for t in tools) + (" | Skiff faster by |" if len(tools) == 2 else " |"))
    print("|---|---|" + "---:|" * len(tools) + ("---:|" if len(tools) == 2 else ""))
    for case in cases:
        row = results[case]
        line = f"| {case} | {described[case]} | " + " | ".join(cell(case, row.get(t.name)) for t in tools) + " |"
        if len(tools) == 2:
            s, d = row.get("skiff"), row.get("dvc")
            line += f" {d / s:.1f}x |" if isinstance(s, float) and isinstance(d, float) else " - |"
        print(line)
    if big:
        floors = []
        # coreutils' sha256sum does not use the CPU's SHA extensions; openssl does, and may beat md5 where present.
        for cmd in (["sha256sum"], ["md5sum"], ["openssl", "dgst", "-sha256"], ["openssl", "dgst", "-md5"]):
            if not shutil.which(cmd[0]):
                continue
            t = min(run([*cmd, str(big)], data) for _ in range(2))  # the file is in the page cache by now
            name = " ".join(cmd)
            floors.append(f"`{name}` {t:.2f} s ({size_gb / t:.2f} GB/s)")
            results["hash-2g"][name] = t
        print(f"\nFloor on the same {args.big_mib:,} MiB file, one core, warm page cache: " + ", ".join(floors))
    print("\n" + json.dumps({"files": args.files, "big_mib": args.big_mib, "versions": labels, "results": results}))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
