"""Download a zipped text corpus (e.g. text8) and keep it only once it is verified.

The body goes to a temporary name; a dropped connection is retried with exponential backoff,
resuming with an HTTP Range request when the server honours it. The file is renamed to its
final name only after the zip opens, holds exactly one text member of the expected size, passes
its CRC checks and (when given) matches the expected sha256. Any failure raises InputError
naming the URL and what went wrong, and leaves nothing under the final name.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
import zipfile
import zlib
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import requests

from w2vtheory.atomic import atomic_path
from w2vtheory.corpus.sources import file_sha256
from w2vtheory.errors import InputError

log = logging.getLogger(__name__)

# Small enough that a dropped connection loses little: the chunk being read when it drops is lost.
CHUNK_BYTES = 1 << 16
# Client errors that a retry cannot fix (408 timeout and 429 rate limit can be retried).
_PERMANENT_STATUS = {400, 401, 403, 404, 405, 410, 451}
_CONTENT_RANGE = re.compile(r"bytes (\d+)-\d+/(\d+|\*)")


class _Retryable(Exception):
    """A failure that another attempt may not hit."""


def _fetch_once(url: str, partial: Path, timeout_seconds: float) -> None:
    """One GET of `url` into `partial`, resuming after the bytes already there when possible."""
    have = partial.stat().st_size if partial.exists() else 0
    # identity: byte counts and Range offsets must refer to the file, not a compressed transfer.
    headers = {"Accept-Encoding": "identity"}
    if have:
        headers["Range"] = f"bytes={have}-"
    with requests.get(url, headers=headers, stream=True, timeout=timeout_seconds) as response:
        status = response.status_code
        if status == 416:
            partial.unlink()
            raise _Retryable(f"the server refused to resume at byte {have} (HTTP 416); starting over")
        if status in _PERMANENT_STATUS:
            raise InputError(
                f"download of {url} failed: HTTP {status} {response.reason}. Check the URL in the corpus config"
            )
        if status >= 400:
            raise _Retryable(f"HTTP {status} {response.reason}")
        resumed = status == 206 and _range_start(response) == have
        if have and not resumed:
            log.info("%s: server did not resume at byte %d, downloading from the start", url, have)
        expected = response.headers.get("Content-Length")
        written = 0
        with open(partial, "ab" if resumed else "wb") as handle:
            for chunk in response.iter_content(CHUNK_BYTES):
                handle.write(chunk)
                written += len(chunk)
        if expected is not None and written != int(expected):
            raise _Retryable(f"connection closed after {written} of {expected} bytes")


def _range_start(response: requests.Response) -> int | None:
    match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", ""))
    return int(match.group(1)) if match else None


def _fetch_with_retries(url: str, partial: Path, retries: int, backoff_seconds: float, timeout_seconds: float) -> None:
    failure = ""
    for attempt in range(retries + 1):
        if attempt:
            delay = backoff_seconds * 2 ** (attempt - 1)
            log.info("%s: attempt %d failed (%s); retrying in %.1f s", url, attempt, failure, delay)
            time.sleep(delay)
        try:
            _fetch_once(url, partial, timeout_seconds)
            return
        except (_Retryable, requests.RequestException) as error:
            failure = str(error) or type(error).__name__
    raise InputError(
        f"download of {url} failed after {retries + 1} attempts: {failure}. "
        "Check the network (or proxy), or download the file yourself and use `source: local`"
    )


def _copy_file_url(url: str, partial: Path) -> None:
    source = Path(url2pathname(urlparse(url).path))
    if not source.is_file():
        raise InputError(f"download of {url} failed: no such file {source}")
    shutil.copyfile(source, partial)


def verify_zip(url: str, path: Path, sha256: str | None, expected_size: int | None) -> None:
    """InputError naming `url` unless `path` is an intact zip of one member of the expected size and hash."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
            if len(members) != 1:
                names = ", ".join(info.filename for info in members) or "nothing"
                raise InputError(f"download of {url} should hold exactly one text file but holds {names}")
            member = members[0]
            if expected_size is not None and member.file_size != expected_size:
                raise InputError(
                    f"download of {url}: {member.filename} has {member.file_size} bytes, expected "
                    f"expected_size {expected_size}. Check the URL or expected_size in the corpus config"
                )
            damaged = archive.testzip()
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise InputError(f"download of {url} is not an intact zip file ({error}); the file may be truncated") from None
    if damaged is not None:
        raise InputError(f"download of {url} is damaged: {damaged} fails its CRC check")
    if sha256 is not None:
        actual = file_sha256(path)
        if actual != sha256.lower():
            raise InputError(
                f"download of {url} has sha256 {actual}, expected {sha256}. "
                "The file changed or was corrupted: check the URL or sha256 in the corpus config"
            )


def download_zip(
    url: str,
    destination: str | os.PathLike[str],
    *,
    sha256: str | None = None,
    expected_size: int | None = None,
    retries: int = 3,
    backoff_seconds: float = 2.0,
    timeout_seconds: float = 60.0,
) -> None:
    """Download `url` (http, https or file) to `destination`, verified as described in the module docstring."""
    scheme = urlparse(url).scheme
    if scheme not in ("http", "https", "file"):
        raise InputError(f"corpus url {url!r} must start with http://, https:// or file://")
    with atomic_path(destination) as partial:
        partial.unlink(missing_ok=True)  # a leftover of a killed run with the same pid must not be resumed
        if scheme == "file":
            _copy_file_url(url, partial)
        else:
            _fetch_with_retries(url, partial, retries, backoff_seconds, timeout_seconds)
        verify_zip(url, partial, sha256, expected_size)
