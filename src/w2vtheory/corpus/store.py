"""The token store of a corpus: lexicon.tsv, tokens.npy, doc_offsets.npy.

`lexicon.tsv` lists every distinct word with its count, most frequent first, ties alphabetical;
`tokens.npy` holds uint32 row numbers of that lexicon for all documents concatenated, and
`doc_offsets.npy` (int64, n_documents + 1) delimits the documents.

The store is built in one pass without holding the corpus: each batch of documents is encoded
with batch-local ids, merged into provisional ids (order of first appearance) that are appended
to a scratch file, and counted. Once the counts are final, the ids are relabelled to frequency
ranks through one permutation array, block by block, into a `.npy` under a temporary name that
is renamed when complete. Token files are read and written with plain file I/O in blocks, not
memory-mapped: every page of a map counts in the job's resident memory (16 GB for the two
token files of enwiki500's 2 B tokens), and batch schedulers kill jobs by that figure.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa

from w2vtheory.atomic import atomic_path, save_npy, temporary_sibling
from w2vtheory.errors import InputError

TOKEN_DTYPE = np.uint32
# Tokens per encoded batch and per block when relabelling: large enough to amortise the
# per-batch Python work, small enough to keep memory flat.
BATCH_TOKENS = 1 << 20
RELABEL_BLOCK = 1 << 24


@dataclass(frozen=True)
class EncodedBatch:
    """Consecutive documents with batch-local word ids (`words[i]` is the word of id i)."""

    words: list[str]
    ids: np.ndarray
    lengths: np.ndarray


@dataclass(frozen=True)
class StoreSummary:
    n_documents: int
    n_tokens: int
    n_types: int


def encode_pieces(pieces: Iterable[list[str]]) -> EncodedBatch:
    """Encode documents (lists of words) with batch-local ids."""
    lengths: list[int] = []
    flat: list[str] = []
    for piece in pieces:
        lengths.append(len(piece))
        flat.extend(piece)
    # Arrow's hash encoding is about twice as fast as a Python dict over the same strings.
    encoded = pa.array(flat, type=pa.large_string()).dictionary_encode()
    return EncodedBatch(
        words=encoded.dictionary.to_pylist(),
        ids=encoded.indices.to_numpy(zero_copy_only=False).astype(TOKEN_DTYPE),
        lengths=np.asarray(lengths, dtype=np.int64),
    )


def encode_in_batches(pieces: Iterable[list[str]], batch_tokens: int = BATCH_TOKENS) -> Iterator[EncodedBatch]:
    """Group documents into batches of about `batch_tokens` tokens and encode each."""
    group: list[list[str]] = []
    size = 0
    for piece in pieces:
        group.append(piece)
        size += len(piece)
        if size >= batch_tokens:
            yield encode_pieces(group)
            group, size = [], 0
    if group:
        yield encode_pieces(group)


def checked_offsets(doc_offsets: np.ndarray, n_tokens: int | None = None) -> np.ndarray:
    """doc_offsets as int64, checked: non-decreasing from 0, ending within the `n_tokens` tokens."""
    offsets = np.asarray(doc_offsets, dtype=np.int64)
    if offsets.ndim != 1 or len(offsets) < 1 or offsets[0] != 0 or np.any(np.diff(offsets) < 0):
        raise ValueError("doc_offsets must be a non-decreasing 1-d integer array starting at 0")
    if n_tokens is not None and offsets[-1] > n_tokens:
        raise ValueError(f"doc_offsets end at {offsets[-1]} but there are only {n_tokens} tokens")
    return offsets


def frequency_order(words: list[str], counts: np.ndarray) -> np.ndarray:
    """Indices of `words` sorted by count descending, ties alphabetical."""
    alphabetical = np.array(sorted(range(len(words)), key=words.__getitem__), dtype=np.int64)
    return alphabetical[np.argsort(-counts[alphabetical], kind="stable")]


class _ProvisionalIds:
    """Global ids in order of first appearance, appended to a scratch file, with running counts."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.handle = open(scratch, "wb")
        self.index: dict[str, int] = {}
        self.counts = np.zeros(1 << 16, dtype=np.int64)
        self.lengths: list[np.ndarray] = []
        self.n_tokens = 0

    def add(self, batch: EncodedBatch) -> None:
        index = self.index
        for word in batch.words:
            if word not in index:
                index[word] = len(index)
        to_global = np.fromiter(map(index.__getitem__, batch.words), dtype=np.int64, count=len(batch.words))
        if len(index) > len(self.counts):
            grown = np.zeros(max(len(index), 2 * len(self.counts)), dtype=np.int64)
            grown[: len(self.counts)] = self.counts
            self.counts = grown
        # to_global is injective, so the batch counts can be added by fancy indexing.
        self.counts[to_global] += np.bincount(batch.ids, minlength=len(batch.words))
        to_global.astype(TOKEN_DTYPE)[batch.ids].tofile(self.handle)
        self.lengths.append(batch.lengths[batch.lengths > 0])
        self.n_tokens += len(batch.ids)

    def close(self) -> None:
        self.handle.close()


def _write_lexicon(path: Path, words: list[str], counts: np.ndarray, order: np.ndarray) -> None:
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as handle:
        for start in range(0, len(order), RELABEL_BLOCK):
            block = order[start : start + RELABEL_BLOCK]
            handle.writelines(f"{words[i]}\t{c}\n" for i, c in zip(block.tolist(), counts[block].tolist()))


def _npy_vector_header(dtype: np.dtype, length: int) -> bytes:
    """The .npy (format 1.0) header of a 1-d array; numpy pads it so its size does not depend on length."""
    header = io.BytesIO()
    descriptor = {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)), "fortran_order": False, "shape": (length,)}
    np.lib.format.write_array_header_1_0(header, descriptor)
    return header.getvalue()


class NpyVectorWriter:
    """Appends blocks to a 1-d .npy file of a length known only at the end (see `npy_vector_writer`)."""

    def __init__(self, handle: BinaryIO, dtype: np.dtype) -> None:
        self.handle = handle
        self.dtype = np.dtype(dtype)
        self.length = 0
        handle.write(_npy_vector_header(self.dtype, 0))

    def write(self, block: np.ndarray) -> None:
        np.ascontiguousarray(block, dtype=self.dtype).tofile(self.handle)
        self.length += len(block)

    def finish(self) -> None:
        header = _npy_vector_header(self.dtype, self.length)
        if len(header) != len(_npy_vector_header(self.dtype, 0)):
            raise RuntimeError(f"the .npy header grew with the length {self.length}; cannot rewrite it in place")
        self.handle.seek(0)
        self.handle.write(header)


@contextmanager
def npy_vector_writer(path: str | os.PathLike[str], dtype: np.dtype) -> Iterator[NpyVectorWriter]:
    """Write a 1-d .npy block by block, atomically (renamed into place only if the block succeeds)."""
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        writer = NpyVectorWriter(handle, dtype)
        yield writer
        writer.finish()


class NpyVectorReader:
    """Ranges of a 1-d .npy file read with plain file I/O (no memory map)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        with open(self.path, "rb") as handle:
            version = np.lib.format.read_magic(handle)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(handle)
            else:
                shape, _, dtype = np.lib.format.read_array_header_2_0(handle)
            self.data_offset = handle.tell()
        if len(shape) != 1 or dtype.hasobject:
            raise InputError(f"{self.path} should hold a 1-d numeric array but holds shape {shape}, dtype {dtype}")
        self.dtype: np.dtype = dtype
        self.length = int(shape[0])

    def __len__(self) -> int:
        return self.length

    def read(self, start: int, stop: int) -> np.ndarray:
        """Elements start..stop - 1 (clipped to the array) as a new in-memory array."""
        start, stop = max(0, start), min(stop, self.length)
        count = max(0, stop - start)
        with open(self.path, "rb") as handle:
            handle.seek(self.data_offset + start * self.dtype.itemsize)
            block = np.fromfile(handle, dtype=self.dtype, count=count)
        if len(block) != count:
            raise InputError(f"{self.path} is truncated: {len(block)} of {count} elements from {start} could be read")
        return block


def _write_relabelled_tokens(path: Path, scratch: Path, n_tokens: int, rank: np.ndarray) -> None:
    with open(scratch, "rb") as provisional, npy_vector_writer(path, TOKEN_DTYPE) as tokens:
        for start in range(0, n_tokens, RELABEL_BLOCK):
            block = np.fromfile(provisional, dtype=TOKEN_DTYPE, count=min(RELABEL_BLOCK, n_tokens - start))
            tokens.write(rank[block])


def build_token_store(
    batches: Iterable[EncodedBatch],
    lexicon_path: str | os.PathLike[str],
    tokens_path: str | os.PathLike[str],
    offsets_path: str | os.PathLike[str],
    source: str,
) -> StoreSummary:
    """Write the token store of the documents in `batches`; documents with no tokens are dropped.

    `source` names the input in the error raised when it holds no word at all.
    """
    tokens_path = Path(tokens_path)
    tokens_path.parent.mkdir(parents=True, exist_ok=True)
    scratch = temporary_sibling(tokens_path.with_name(tokens_path.stem + "_provisional.bin"))
    try:
        provisional = _ProvisionalIds(scratch)
        try:
            for batch in batches:
                provisional.add(batch)
        finally:
            provisional.close()
        if provisional.n_tokens == 0:
            raise InputError(
                f"{source} contains no words (with the default `tokenizer: ascii`, no runs of the letters a-z): "
                "give a text corpus in English, or set `tokenizer: unicode` on the corpus for other scripts"
            )
        words = list(provisional.index)
        counts = provisional.counts[: len(words)]
        order = frequency_order(words, counts)
        rank = np.empty(len(words), dtype=TOKEN_DTYPE)
        rank[order] = np.arange(len(words), dtype=TOKEN_DTYPE)
        lengths = np.concatenate(provisional.lengths)
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        _write_relabelled_tokens(tokens_path, scratch, provisional.n_tokens, rank)
        save_npy(offsets_path, offsets)
        _write_lexicon(Path(lexicon_path), words, counts, order)
    finally:
        scratch.unlink(missing_ok=True)
    return StoreSummary(n_documents=len(lengths), n_tokens=provisional.n_tokens, n_types=len(words))
