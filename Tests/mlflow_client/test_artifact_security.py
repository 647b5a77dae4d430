"""Path traversal and the other artifact-proxy attacks of MLflow's CVE history (reference §4, §8)."""

import hashlib
import os
import socket

import pytest
import requests

from skiff_process import S3_BUCKET, SkiffProcess, s3_client


@pytest.fixture()
def local_server(server, workdir):
    """A server with a local artifact folder: the session's, or its own when the session's artifacts are in S3."""
    if not server.s3_prefix:
        yield server
        return
    own = SkiffProcess(workdir / "local-artifacts", s3=False).start()
    yield own
    own.stop()

BASE = "/api/2.0/mlflow-artifacts/artifacts"

TRAVERSALS = [
    "../escape.txt",
    "a/../../escape.txt",
    "..%2fescape.txt",
    "%2e%2e/escape.txt",
    "%2e%2e%2fescape.txt",
    "%252e%252e%252fescape.txt",
    "%25252e%25252e%25252fescape.txt",
    "..%5cescape.txt",
    "a%5c..%5c..%5cescape.txt",
    "..;/escape.txt",
    "a/..;/..;/escape.txt",
    "%2fetc%2fpasswd",
    "%252fetc%252fpasswd",
    "C:%5cwindows%5cwin.ini",
    "c:/windows/win.ini",
    "a%23b",
    "a%00b",
    "a%0ab",
    "./a",
    "a//b",
]


def raw_request(port: int, method: str, target: str, body: bytes = b"") -> tuple[int, bytes]:
    """Sends a request with the target exactly as given (no client-side normalisation)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        head = f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        s.sendall(head.encode() + body)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else b""


def files_outside(root, before):
    return set(os.listdir(root)) - before


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_is_refused_on_every_verb(server, path):
    parent = server.data_dir
    before = set(os.listdir(parent))
    for method in ("PUT", "GET", "DELETE"):
        status, body = raw_request(server.port, method, f"{BASE}/{path}", b"pwned" if method == "PUT" else b"")
        assert status == 400, (method, path, status, body)
        assert b"INVALID_PARAMETER_VALUE" in body
    status, body = raw_request(server.port, "GET", f"/api/2.0/mlflow-artifacts/artifacts?path={path}")
    assert status == 400, ("list", path, status, body)
    assert files_outside(parent, before) == set()
    assert not (parent / "escape.txt").exists()


def test_symlink_inside_root_pointing_outside_is_refused(local_server, tmp_path):
    server = local_server
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    root = server.data_dir / "artifacts"
    (root / "evil").mkdir(parents=True, exist_ok=True)
    link = root / "evil" / "link"
    if not link.exists():
        os.symlink(tmp_path, link)
    status, body = raw_request(server.port, "GET", f"{BASE}/evil/link/secret.txt")
    assert status == 400 and b"top secret" not in body
    status, _ = raw_request(server.port, "PUT", f"{BASE}/evil/link/planted.txt", b"x")
    assert status == 400
    assert not (tmp_path / "planted.txt").exists()
    status, _ = raw_request(server.port, "DELETE", f"{BASE}/evil/link/secret.txt")
    assert status == 400
    assert secret.exists()


def test_upload_download_list_delete(server):
    url = server.url + BASE
    assert requests.put(f"{url}/proxy/dir/file%20one.txt", data=b"hello").json() == {}
    r = requests.get(f"{url}/proxy/dir/file%20one.txt")
    assert r.content == b"hello"
    assert r.headers["Content-Type"].startswith("text/plain")
    assert r.headers["Content-Disposition"] == 'attachment; filename="file one.txt"'
    listing = requests.get(url, params={"path": "proxy"}).json()
    assert listing == {"files": [{"path": "dir", "is_dir": True}]}
    listing = requests.get(url, params={"path": "proxy/dir"}).json()
    assert listing == {"files": [{"path": "file one.txt", "is_dir": False, "file_size": 5}]}
    assert requests.get(url, params={"path": "proxy/missing"}).json() == {}
    missing = requests.get(f"{url}/proxy/missing.txt")
    assert missing.status_code == 404 and missing.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    assert requests.put(f"{url}/proxy/dir/file%20one.txt", data=b"replaced").ok
    assert requests.get(f"{url}/proxy/dir/file%20one.txt").content == b"replaced"
    assert requests.delete(f"{url}/proxy").json() == {}
    assert requests.get(url, params={"path": "proxy"}).json() == {}
    r = requests.post(server.url + "/api/2.0/mlflow-artifacts/mpu/create/x.bin", json={"path": "x", "num_parts": 2})
    assert r.status_code == 501 and r.json()["error_code"] == "NOT_IMPLEMENTED"


def test_large_upload_streams_without_buffering(server):
    """1 GiB up and down through the proxy, to the local folder or (PostgreSQL run) the S3 bucket: the bytes come
    back with the same digest and the server's peak memory stays within 64 MB of where it started."""
    size = 1 << 30  # 1 GiB
    chunk = os.urandom(1 << 20)
    sent = hashlib.sha256()

    def body():
        for index in range(size // len(chunk)):
            part = chunk[index % 251:] + chunk[:index % 251]  # every MiB differs: a misplaced part changes the digest
            sent.update(part)
            yield part

    # The server is shared by the session: its lifetime peak may come from an earlier test.
    server.reset_peak_rss()
    rss_before = server.rss_kb()
    r = requests.put(f"{server.url}{BASE}/big/blob.bin", data=body(), timeout=900)
    assert r.status_code == 200, r.text
    if server.s3_prefix:
        head = s3_client().head_object(Bucket=S3_BUCKET, Key=f"{server.s3_prefix}/big/blob.bin")
        assert head["ContentLength"] == size
    else:
        assert (server.data_dir / "artifacts" / "big" / "blob.bin").stat().st_size == size
    received = hashlib.sha256()
    with requests.get(f"{server.url}{BASE}/big/blob.bin", stream=True, timeout=900) as r:
        assert r.headers["Content-Length"] == str(size)
        for part in r.iter_content(1 << 20):
            received.update(part)
    assert received.hexdigest() == sent.hexdigest()
    peak = server.rss_kb("VmHWM")
    assert peak - rss_before < 64 * 1024, f"server RSS peaked {(peak - rss_before) // 1024} MB above its start"
    assert requests.delete(f"{server.url}{BASE}/big").ok
