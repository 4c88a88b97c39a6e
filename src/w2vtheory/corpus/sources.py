"""Documents from each corpus source, as a stream of encoded batches for the token store.

- local / bundled: a UTF-8 text file, documents separated by blank lines.
- url: the single text member of a verified zip (text8 is one 100 MB line), same format.
- huggingface: a streamed dataset, one document per row, rows with fewer than `min_tokens`
  tokens skipped, tokenised in worker processes.
Every document is cut into pieces of at most `MAX_DOCUMENT_TOKENS` tokens.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from multiprocessing import get_context
from pathlib import Path
from typing import Any, TextIO

from w2vtheory.corpus.store import EncodedBatch, encode_pieces
from w2vtheory.corpus.tokenize import (
    DEFAULT_TOKENIZER,
    MAX_DOCUMENT_TOKENS,
    WordRun,
    cut_pieces,
    read_word_runs,
    tokenize,
)
from w2vtheory.errors import InputError, check_readable_file

# Characters of article text sent to a worker at a time.
ARTICLE_BATCH_CHARS = 1 << 22
ROWS_PER_READ = 1000
# A compressed file named like text fails as "not UTF-8", which would point at the wrong fix (iconv).
# Each format's leading bytes -> (name, command that decompresses to stdout).
COMPRESSED_MAGIC = {
    re.compile(rb"\x1f\x8b"): ("gzip", "gunzip -c"),
    re.compile(rb"BZh[1-9]1AY&SY"): ("bzip2", "bunzip2 -c"),
    re.compile(rb"\xfd7zXZ\x00"): ("xz", "unxz -c"),
    re.compile(rb"\x28\xb5\x2f\xfd"): ("zstd", "zstd -dc"),
    re.compile(rb"PK\x03\x04"): ("zip", "unzip -p"),
}


def file_sha256(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def _checked_runs(stream: TextIO, name: str, tokenizer: str) -> Iterator[WordRun]:
    """`read_word_runs`, turning undecodable or binary content into an InputError naming `name`."""
    try:
        yield from read_word_runs(_NulRejectingStream(stream, name), tokenizer=tokenizer)
    except UnicodeDecodeError as error:
        byte = error.object[error.start : error.start + 1].hex()
        raise InputError(
            f"{name} is not UTF-8 text (byte 0x{byte} cannot be decoded): convert it to UTF-8, e.g. with iconv"
        ) from None


class _NulRejectingStream:
    """A text stream wrapper whose readline raises InputError on NUL characters (a binary file)."""

    def __init__(self, stream: TextIO, name: str) -> None:
        self.stream = stream
        self.name = name

    def readline(self, size: int = -1) -> str:
        line = self.stream.readline(size)
        if "\x00" in line:
            raise InputError(f"{self.name} looks binary (it contains NUL bytes): give a UTF-8 text file")
        return line


def check_corpus_file(path: str | os.PathLike[str]) -> None:
    """An InputError naming `path` unless it is a corpus file this process can read."""
    check_readable_file(path, "corpus file", "fix `path` of the corpus in the config, or the file's permissions")


def corpus_input_sha256(path: str | os.PathLike[str]) -> str | None:
    """The sha256 of a corpus's input file, its identity for the workflow (rule tokenize_corpus's
    params); None while it does not exist (a file a rule has yet to produce)."""
    if not os.path.lexists(path):
        return None
    check_corpus_file(path)
    return file_sha256(path)


def check_text_file(path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    check_corpus_file(path)
    if path.stat().st_size == 0:
        raise InputError(f"corpus file {path} is empty: give a UTF-8 text file with documents separated by blank lines")
    with open(path, "rb") as handle:
        start = handle.read(16)
    for magic, (kind, command) in COMPRESSED_MAGIC.items():
        if magic.match(start):
            raise InputError(
                f"corpus file {path} is {kind}-compressed (whatever its name says): decompress it first, "
                f"e.g. `{command} {path} > corpus.txt`, and set `path` to the text file"
            )
    return path


def local_pieces(
    path: str | os.PathLike[str], limit: int = MAX_DOCUMENT_TOKENS, tokenizer: str = DEFAULT_TOKENIZER
) -> Iterator[list[str]]:
    """Documents of a UTF-8 text file (blank-line separated), cut into pieces, read line by line."""
    path = check_text_file(path)
    with open(path, encoding="utf-8") as stream:
        yield from cut_pieces(_checked_runs(stream, f"corpus file {path}", tokenizer), limit)


def zip_text_member(path: str | os.PathLike[str]) -> zipfile.ZipInfo:
    """The one file inside a corpus zip (InputError otherwise)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError) as error:
        raise InputError(f"{path} is not a readable zip file ({error}): delete it and download it again") from None
    if len(members) != 1:
        names = ", ".join(info.filename for info in members) or "nothing"
        raise InputError(f"{path} should hold exactly one text file but holds {names}")
    return members[0]


def zip_pieces(
    path: str | os.PathLike[str], limit: int = MAX_DOCUMENT_TOKENS, tokenizer: str = DEFAULT_TOKENIZER
) -> Iterator[list[str]]:
    """Documents of the zip's text member (blank-line separated), cut into pieces, decompressed streaming."""
    member = zip_text_member(path)
    with zipfile.ZipFile(path) as archive, archive.open(member) as raw:
        stream = io.TextIOWrapper(raw, encoding="utf-8")
        yield from cut_pieces(_checked_runs(stream, f"{member.filename} in {path}", tokenizer), limit)


@dataclass
class ArticleTally:
    """What a huggingface stream held: rows read, rows kept, and a digest of every text read."""

    read: int = 0
    kept: int = 0
    digest: Any = field(default_factory=hashlib.sha256)


def encode_articles(
    texts: list[str], min_tokens: int, limit: int, tokenizer: str = DEFAULT_TOKENIZER
) -> tuple[EncodedBatch, int]:
    """Tokenise articles, keep those with at least `min_tokens` tokens, cut them into pieces."""
    pieces: list[list[str]] = []
    kept = 0
    for text in texts:
        words = tokenize(text, tokenizer)
        if len(words) >= min_tokens:
            kept += 1
            pieces.extend(cut_pieces([words], limit))
    return encode_pieces(pieces), kept


def _text_batches(texts: Iterable[str], tally: ArticleTally, batch_chars: int) -> Iterator[list[str]]:
    batch: list[str] = []
    size = 0
    for text in texts:
        tally.read += 1
        tally.digest.update(text.encode("utf-8"))
        tally.digest.update(b"\x00")
        batch.append(text)
        size += len(text)
        if size >= batch_chars:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def ordered_parallel_map(function: Callable[[Any], Any], items: Iterable[Any], workers: int) -> Iterator[Any]:
    """`map(function, items)` over `workers` processes, in order, with at most 2 x workers items
    in flight (so a streamed input is never read ahead into memory)."""
    if workers <= 1:
        yield from map(function, items)
        return
    # spawn: forking a process whose pyarrow / datasets threads hold locks can deadlock the child.
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        pending: deque[Future[Any]] = deque()
        for item in items:
            pending.append(pool.submit(function, item))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def huggingface_texts(corpus: dict[str, Any]) -> Iterator[str]:
    """The `text_field` of every row of a streamed Hugging Face dataset."""
    import datasets  # heavy import, needed only for this source

    dataset = corpus["dataset"]
    text_field = corpus.get("text_field", "text")
    described = (
        f"Hugging Face dataset {dataset!r} (subset {corpus.get('subset')!r}, split {corpus.get('split', 'train')!r})"
    )
    try:
        rows = datasets.load_dataset(
            dataset,
            corpus.get("subset"),
            split=corpus.get("split", "train"),
            data_files=corpus.get("data_files"),
            streaming=True,
        )
    except Exception as error:  # datasets raises many types for a missing dataset, subset or network
        raise InputError(
            f"cannot open {described}: {error}. Check the names, or the network / HF_HUB_OFFLINE cache"
        ) from None
    # Whole record batches: iterating row by row costs more than tokenising the row.
    for batch in rows.iter(batch_size=ROWS_PER_READ):
        if text_field not in batch:
            raise InputError(f"{described} has no column `text_field: {text_field}`; its columns are {sorted(batch)}")
        yield from batch[text_field]


def huggingface_batches(
    texts: Iterable[str],
    tally: ArticleTally,
    min_tokens: int,
    workers: int,
    limit: int = MAX_DOCUMENT_TOKENS,
    batch_chars: int = ARTICLE_BATCH_CHARS,
    tokenizer: str = DEFAULT_TOKENIZER,
) -> Iterator[EncodedBatch]:
    """Encoded batches of the kept articles, tokenised by `workers` processes; `tally` counts rows."""
    encode = partial(encode_articles, min_tokens=min_tokens, limit=limit, tokenizer=tokenizer)
    for batch, kept in ordered_parallel_map(encode, _text_batches(texts, tally, batch_chars), workers):
        tally.kept += kept
        yield batch
