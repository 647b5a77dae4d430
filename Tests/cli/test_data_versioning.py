"""`skiff data init/add/status/checkout` end to end: hashes checked with hashlib, the workspace driven through git
commits, and hostile pointers, manifests and cache objects that must be refused without touching any data."""

import hashlib
import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SKIFF = os.environ.get("SKIFF_BIN", str(REPO / ".build" / "debug" / "skiff"))


def skiff(cwd, *args, check=True):
    out = subprocess.run([SKIFF, "data", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=300)
    if check:
        assert out.returncode == 0, out.stderr
    return out


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def cached(repo: Path, digest: str) -> Path:
    return repo / ".skiff" / "cache" / "sha256" / digest[:2] / digest[2:]


def status(repo, *paths):
    return json.loads(skiff(repo, "status", "--json", *paths).stdout)


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    git(root, "init", "-q")
    git(root, "config", "user.email", "ci@example.com")
    git(root, "config", "user.name", "CI")
    skiff(root, "init")
    return root


def make_tree(root: Path, files: dict):
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def test_add_file_writes_pointer_cache_object_and_gitignore(repo):
    data = os.urandom(3_000_000)
    make_tree(repo, {"data/raw.bin": data})
    added = json.loads(skiff(repo, "add", "data/raw.bin", "--json").stdout)
    assert added == [{"path": "data/raw.bin", "type": "file", "sha256": sha256(data), "size": len(data), "nfiles": 1}]
    pointer = (repo / "data/raw.bin.skiff").read_text()
    assert f"sha256: {sha256(data)}" in pointer and 'path: "raw.bin"' in pointer
    assert cached(repo, sha256(data)).read_bytes() == data
    assert "/raw.bin" in (repo / "data/.gitignore").read_text().splitlines()
    # git sees the pointer and not the data.
    listed = subprocess.run(["git", "status", "--porcelain", "-uall"], cwd=repo, capture_output=True, text=True).stdout
    assert "data/raw.bin.skiff" in listed and "data/raw.bin\n" not in listed
    # Adding again changes nothing and does not duplicate the ignore line.
    skiff(repo, "add", "data/raw.bin")
    assert (repo / "data/.gitignore").read_text().splitlines().count("/raw.bin") == 1


def test_directory_manifest_lists_every_file_with_its_hash(repo):
    files = {f"imgs/{i % 7}/f{i}.bin": os.urandom(i * 37 % 5000) for i in range(2000)}
    make_tree(repo, files)
    added = json.loads(skiff(repo, "add", "imgs", "--json").stdout)[0]
    assert added["type"] == "directory" and added["nfiles"] == 2000
    assert added["size"] == sum(len(v) for v in files.values())
    manifest_bytes = cached(repo, added["sha256"]).read_bytes()
    assert sha256(manifest_bytes) == added["sha256"]
    manifest = json.loads(manifest_bytes)
    expected = sorted((rel[len("imgs/"):], sha256(v), len(v)) for rel, v in files.items())
    expected.sort(key=lambda e: e[0].encode())
    assert [(e["relpath"], e["sha256"], e["size"]) for e in manifest] == expected
    for _, digest, _ in expected:
        assert cached(repo, digest).exists()


def test_status_reports_each_kind_of_change(repo):
    make_tree(repo, {"d/a": b"a", "d/b": b"b", "d/sub/c": b"c", "f.txt": b"one"})
    skiff(repo, "add", "d", "f.txt")
    assert status(repo) == {"d": [], "f.txt": []}
    (repo / "d/a").write_bytes(b"changed")
    (repo / "d/b").unlink()
    (repo / "d/sub/new").write_bytes(b"new")
    (repo / "f.txt").write_bytes(b"two")
    assert status(repo) == {
        "d": [{"path": "d/a", "change": "modified"}, {"path": "d/b", "change": "deleted"},
              {"path": "d/sub/new", "change": "added"}],
        "f.txt": [{"path": "f.txt", "change": "modified"}],
    }
    (repo / "f.txt").unlink()
    assert status(repo, "f.txt") == {"f.txt": [{"path": "f.txt", "change": "deleted"}]}


def test_status_notices_a_same_size_rewrite_right_after_add(repo):
    make_tree(repo, {"f": b"aaaa"})
    skiff(repo, "add", "f")
    (repo / "f").write_bytes(b"bbbb")  # same size, same second: the stat cache must not trust it
    assert status(repo) == {"f": [{"path": "f", "change": "modified"}]}


def test_checkout_follows_git_history_of_pointers(repo):
    make_tree(repo, {"data/train.csv": b"v1\n", "data/imgs/x": b"x1", "data/imgs/y": b"y1"})
    skiff(repo, "add", "data/train.csv", "data/imgs")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "v1")
    make_tree(repo, {"data/train.csv": b"v2 longer\n", "data/imgs/x": b"x2", "data/imgs/z/new": b"z"})
    (repo / "data/imgs/y").unlink()
    skiff(repo, "add", "data/train.csv", "data/imgs")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "v2")

    git(repo, "checkout", "-q", "HEAD~1")
    skiff(repo, "checkout")
    assert (repo / "data/train.csv").read_bytes() == b"v1\n"
    assert sorted(p.relative_to(repo / "data/imgs").as_posix() for p in (repo / "data/imgs").rglob("*") if p.is_file()) == ["x", "y"]
    assert (repo / "data/imgs/x").read_bytes() == b"x1"
    assert status(repo) == {"data/imgs": [], "data/train.csv": []}

    git(repo, "checkout", "-q", "-")
    assert "Already up to date" not in skiff(repo, "checkout").stdout
    assert (repo / "data/train.csv").read_bytes() == b"v2 longer\n"
    assert (repo / "data/imgs/z/new").read_bytes() == b"z"
    assert not (repo / "data/imgs/y").exists()
    assert "Already up to date" in skiff(repo, "checkout").stdout


def test_checkout_keeps_unsaved_changes_unless_forced(repo):
    make_tree(repo, {"d/a": b"a", "f": b"original"})
    skiff(repo, "add", "d", "f")
    make_tree(repo, {"d/a": b"precious edit", "d/extra": b"also precious", "f": b"edited"})
    out = skiff(repo, "checkout", check=False)
    assert out.returncode == 1 and "not saved anywhere" in out.stderr and "d/a" in out.stderr
    assert (repo / "d/a").read_bytes() == b"precious edit" and (repo / "d/extra").exists()
    assert (repo / "f").read_bytes() == b"edited"
    skiff(repo, "checkout", "--force")
    assert (repo / "d/a").read_bytes() == b"a" and not (repo / "d/extra").exists()
    assert (repo / "f").read_bytes() == b"original"


def test_checkout_overwrites_a_change_that_is_already_cached(repo):
    make_tree(repo, {"f": b"one"})
    skiff(repo, "add", "f")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    make_tree(repo, {"f": b"two"})
    skiff(repo, "add", "f")
    git(repo, "checkout", "-q", "--", "f.skiff")  # back to "one"; "two" is safe in the cache
    skiff(repo, "checkout")
    assert (repo / "f").read_bytes() == b"one"


def test_corrupt_cache_object_is_set_aside_never_written(repo):
    make_tree(repo, {"f": b"good data"})
    skiff(repo, "add", "f")
    obj = cached(repo, sha256(b"good data"))
    obj.chmod(0o644)
    obj.write_bytes(b"bad data!")
    (repo / "f").unlink()
    out = skiff(repo, "checkout", check=False)
    assert out.returncode == 1 and "corrupt" in out.stderr
    assert not (repo / "f").exists()
    assert not obj.exists() and (repo / ".skiff/cache/corrupt" / sha256(b"good data")).exists()
    assert status(repo) == {"f": [{"path": "f", "change": "deleted"}, {"path": "f", "change": "not in cache"}]}
    assert not list(repo.glob(".f.skiff-tmp-*"))


@pytest.mark.parametrize("argument", ["../outside", "/etc/passwd", ".skiff/cache", ".git/config", "."])
def test_paths_outside_the_repository_are_refused(repo, argument):
    (repo.parent / "outside").write_text("x")
    out = skiff(repo, "add", argument, check=False)
    assert out.returncode == 1 and out.stderr.startswith("error:")
    assert not list(repo.parent.glob("*.skiff")) and not (repo / ".skiff/cache/sha256").exists()


def test_symlinks_and_nested_tracking_are_refused(repo, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("secret")
    make_tree(repo, {"d/a": b"a"})
    (repo / "d/link").symlink_to(secret)
    out = skiff(repo, "add", "d", check=False)
    assert out.returncode == 1 and "symbolic link" in out.stderr and not (repo / "d.skiff").exists()
    (repo / "d/link").unlink()
    skiff(repo, "add", "d")
    out = skiff(repo, "add", "d/a", check=False)
    assert out.returncode == 1 and "already tracks" in out.stderr


def test_not_a_repository(tmp_path):
    out = skiff(tmp_path, "status", check=False)
    assert out.returncode == 1 and "skiff data init" in out.stderr


@pytest.mark.parametrize("pointer", [
    'outs:\n- path: "../../escape"\n  sha256: {h}\n  size: 1\n',
    'outs:\n- path: "f"\n  sha256: ../../{h}\n  size: 1\n',
    'outs:\n- path: "f"\n  sha256: {h}\n  size: -4\n',
    'outs: [1, 2]\n',
    '{{{{ not yaml',
    'outs:\n- path: "other"\n  sha256: {h}\n  size: 1\n',
])
def test_hostile_pointer_files_are_refused(repo, pointer):
    make_tree(repo, {"f": b"x"})
    skiff(repo, "add", "f")
    (repo / "f").unlink()
    (repo / "f.skiff").write_text(pointer.format(h=sha256(b"x")))
    out = skiff(repo, "checkout", check=False)
    assert out.returncode == 1 and "pointer file" in out.stderr, out.stderr
    assert not (repo / "f").exists() and not (repo.parent / "escape").exists()


@pytest.mark.parametrize("relpath", ["../escape", "/tmp/escape", "a/../../escape", "", "a//b"])
def test_hostile_manifests_are_refused(repo, relpath):
    make_tree(repo, {"d/a": b"a"})
    skiff(repo, "add", "d")
    manifest = json.dumps([{"relpath": relpath, "sha256": sha256(b"a"), "size": 1}]).encode()
    digest = sha256(manifest)
    cached(repo, digest).parent.mkdir(parents=True, exist_ok=True)
    cached(repo, digest).write_bytes(manifest)
    (repo / "d.skiff").write_text(f'outs:\n- path: "d"\n  type: directory\n  sha256: {digest}\n  size: 1\n  nfiles: 1\n')
    out = skiff(repo, "checkout", "--force", check=False)
    assert out.returncode == 1 and "manifest" in out.stderr
    assert (repo / "d/a").read_bytes() == b"a" and not (repo.parent / "escape").exists()


def test_concurrent_adds_of_the_same_directory_end_consistent(repo):
    make_tree(repo, {f"d/{i}": os.urandom(2000) for i in range(500)})
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: skiff(repo, "add", "d", check=False), range(4)))
    for out in results:
        assert out.returncode == 0 or "Another skiff data command" in out.stderr, out.stderr
    assert any(out.returncode == 0 for out in results)
    assert status(repo) == {"d": []}
    assert not list((repo / ".skiff/cache").rglob("*skiff-tmp*"))


def test_gc_keeps_every_committed_version_unless_told_workspace_only(repo):
    make_tree(repo, {"f": b"version one", "d/a": b"dir file"})
    skiff(repo, "add", "f", "d")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    make_tree(repo, {"f": b"version two"})
    skiff(repo, "add", "f")
    make_tree(repo, {"scratch": b"never committed"})
    skiff(repo, "add", "scratch")
    (repo / "scratch.skiff").unlink()

    assert "Would remove 1 object(s)" in skiff(repo, "gc", "--dry-run").stdout
    assert cached(repo, sha256(b"never committed")).exists()
    assert "Removed 1 object(s)" in skiff(repo, "gc").stdout
    assert not cached(repo, sha256(b"never committed")).exists()
    for kept in (b"version one", b"version two", b"dir file"):
        assert cached(repo, sha256(kept)).exists()

    assert "Removed 1 object(s)" in skiff(repo, "gc", "--workspace-only").stdout
    assert not cached(repo, sha256(b"version one")).exists()
    assert cached(repo, sha256(b"dir file")).exists() and status(repo) == {"d": [], "f": []}
