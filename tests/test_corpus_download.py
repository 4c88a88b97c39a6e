"""download_zip against a local HTTP server that fails in scripted ways."""

import hashlib
import io
import socket
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from w2vtheory.corpus.download import download_zip
from w2vtheory.errors import InputError

TEXT = " ".join(np.random.default_rng(0).choice(["anarchism", "is", "a", "political", "philosophy"], 40_000)).encode()


def make_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


ZIP = make_zip({"text8": TEXT})
SHA256 = hashlib.sha256(ZIP).hexdigest()


class Server(ThreadingHTTPServer):
    """Serves `payload`; each request pops the next scripted action ("ok" once the script is empty)."""

    payload = ZIP
    script: list[str]
    supports_range = True
    requests: list[dict[str, str]]


class Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.requests.append(dict(self.headers))
        action = self.server.script.pop(0) if self.server.script else "ok"
        if action in ("404", "500"):
            self.send_error(int(action))
            return
        body = self.server.payload
        start = 0
        if self.server.supports_range and "Range" in self.headers:
            start = int(self.headers["Range"].removeprefix("bytes=").removesuffix("-"))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        # "drop": the connection closes after half of the promised bytes.
        end = start + (len(body) - start) // 2 if action == "drop" else len(body)
        self.wfile.write(body[start:end])


@pytest.fixture
def server() -> Iterator[Server]:
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.script, httpd.requests = [], []
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def url_of(server: Server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/text8.zip"


def download(url: str, destination: Path, **options) -> None:
    download_zip(url, destination, backoff_seconds=0, timeout_seconds=10, **options)


def assert_nothing_left(directory: Path) -> None:
    assert list(directory.iterdir()) == [], "neither the final file nor a partial may remain"


def test_download_verifies_and_keeps_the_zip(server: Server, tmp_path: Path) -> None:
    destination = tmp_path / "download.zip"
    download(url_of(server), destination, sha256=SHA256, expected_size=len(TEXT))
    assert destination.read_bytes() == ZIP
    assert sorted(p.name for p in tmp_path.iterdir()) == ["download.zip"]


def test_not_found_fails_at_once(server: Server, tmp_path: Path) -> None:
    server.script = ["404"]
    with pytest.raises(InputError, match="404") as error:
        download(url_of(server), tmp_path / "download.zip", retries=3)
    assert url_of(server) in str(error.value)
    assert len(server.requests) == 1
    assert_nothing_left(tmp_path)


def test_server_errors_are_retried_then_reported(server: Server, tmp_path: Path) -> None:
    server.script = ["500"] * 10
    with pytest.raises(InputError, match="after 3 attempts: HTTP 500") as error:
        download(url_of(server), tmp_path / "download.zip", retries=2)
    assert url_of(server) in str(error.value)
    assert len(server.requests) == 3
    assert_nothing_left(tmp_path)


def test_a_transient_server_error_is_survived(server: Server, tmp_path: Path) -> None:
    server.script = ["500", "500"]
    download(url_of(server), tmp_path / "download.zip", retries=2, sha256=SHA256)
    assert (tmp_path / "download.zip").read_bytes() == ZIP


def test_dropped_connection_resumes_with_a_range_request(server: Server, tmp_path: Path) -> None:
    server.script = ["drop"]
    download(url_of(server), tmp_path / "download.zip", sha256=SHA256)
    assert (tmp_path / "download.zip").read_bytes() == ZIP
    assert "Range" not in server.requests[0]
    # Resumed after the complete chunks received before the drop (the chunk in flight is lost).
    resumed_at = int(server.requests[1]["Range"].removeprefix("bytes=").removesuffix("-"))
    assert len(ZIP) // 2 - (1 << 16) < resumed_at <= len(ZIP) // 2


def test_dropped_connection_restarts_when_the_server_cannot_resume(server: Server, tmp_path: Path) -> None:
    server.supports_range = False
    server.script = ["drop", "drop"]
    download(url_of(server), tmp_path / "download.zip", sha256=SHA256, retries=2)
    assert (tmp_path / "download.zip").read_bytes() == ZIP
    assert len(server.requests) == 3


def test_connection_dropped_every_time_is_reported(server: Server, tmp_path: Path) -> None:
    server.supports_range = False
    server.script = ["drop"] * 10
    with pytest.raises(InputError, match="failed after 2 attempts"):
        download(url_of(server), tmp_path / "download.zip", retries=1)
    assert_nothing_left(tmp_path)


def test_truncated_zip_is_rejected(server: Server, tmp_path: Path) -> None:
    server.payload = ZIP[: len(ZIP) - 100]
    with pytest.raises(InputError, match="not an intact zip") as error:
        download(url_of(server), tmp_path / "download.zip")
    assert url_of(server) in str(error.value)
    assert_nothing_left(tmp_path)


def test_wrong_sha256_is_rejected(server: Server, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=f"sha256 {SHA256}, expected 0000"):
        download(url_of(server), tmp_path / "download.zip", sha256="0" * 64)
    assert_nothing_left(tmp_path)


def test_wrong_member_size_is_rejected(server: Server, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=f"has {len(TEXT)} bytes, expected expected_size 100000000"):
        download(url_of(server), tmp_path / "download.zip", expected_size=100_000_000)
    assert_nothing_left(tmp_path)


def test_zip_with_two_members_is_rejected(server: Server, tmp_path: Path) -> None:
    server.payload = make_zip({"a.txt": b"a", "b.txt": b"b"})
    with pytest.raises(InputError, match="exactly one text file but holds a.txt, b.txt"):
        download(url_of(server), tmp_path / "download.zip")
    assert_nothing_left(tmp_path)


def test_offline_is_reported_with_the_url(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/text8.zip"
    with pytest.raises(InputError, match="failed after 2 attempts") as error:
        download(url, tmp_path / "download.zip", retries=1)
    assert url in str(error.value)
    assert_nothing_left(tmp_path)


def test_file_url(tmp_path: Path) -> None:
    source = tmp_path / "source dir" / "text8.zip"
    source.parent.mkdir()
    source.write_bytes(ZIP)
    destination = tmp_path / "out" / "download.zip"
    download(source.as_uri(), destination, sha256=SHA256, expected_size=len(TEXT))
    assert destination.read_bytes() == ZIP
    with pytest.raises(InputError, match="no such file"):
        download((tmp_path / "missing.zip").as_uri(), tmp_path / "out2" / "download.zip")
    assert_nothing_left(tmp_path / "out2")


def test_unsupported_scheme(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="must start with"):
        download("ftp://example.org/text8.zip", tmp_path / "download.zip")
