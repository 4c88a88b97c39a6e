"""Write outputs under a temporary name and rename them when complete.

A killed job, a full disk or an exception must never leave a truncated file under the final
name, because Snakemake (and a reader) would take it for a finished result.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import numpy as np

from w2vtheory.finite import check_finite

if TYPE_CHECKING:
    import pandas as pd


def temporary_sibling(path: Path) -> Path:
    """A hidden name in the same directory (so the rename is atomic) with the same suffix
    (so writers that infer the format from the suffix, like savefig, still work)."""
    return path.with_name(f".{path.stem}.tmp{os.getpid()}{path.suffix}")


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path to write; rename it to `path` only if the block succeeds."""
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_sibling(final)
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def _write_npy(handle: BinaryIO, array: np.ndarray) -> None:
    """The bytes np.save writes, but the data through Python's file write: numpy's own C writer
    reports a full disk only as "N requested and M written", Python's write raises errno ENOSPC
    ("No space left on device")."""
    header = np.lib.format.header_data_from_array_1_0(array)
    data = array.T if header["fortran_order"] else array
    if array.dtype.hasobject or not data.flags.c_contiguous:
        np.save(handle, array)
        return
    np.lib.format.write_array_header_1_0(handle, header)
    handle.write(memoryview(data).cast("B") if data.size else b"")


def save_npy(path: str | os.PathLike[str], array: np.ndarray) -> None:
    """Save `array`, refusing NaN and infinity (w2vtheory.finite), so no stage hands them on."""
    array = np.asanyarray(array)
    check_finite(
        array, f"the array to be saved as {path}", "the computation or its inputs went wrong; nothing was written"
    )
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        _write_npy(handle, array)


def write_text(path: str | os.PathLike[str], text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_table(path: str | os.PathLike[str], table: pd.DataFrame) -> None:
    """A CSV without index: NaN as an empty cell, floats in shortest round-trip form."""
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False)
