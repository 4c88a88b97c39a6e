"""The one finite check of the arrays that cross a stage boundary.

Every .npy file and embedding a rule reads or writes passes through `check_finite` (through
`load_npy`, `w2vtheory.atomic.save_npy` and the word2vec text reader and writer): a NaN or an
infinity left in an eigenvector file, a co-occurrence matrix or a trained W would otherwise flow
on silently (an embedding of NaN rows scores 0 %, an L-BFGS reference started from it stops at
once). The message names the file and the first rows that hold such values.
"""

from __future__ import annotations

import os

import numpy as np

from w2vtheory.errors import InputError

# Rows listed in the message; the count says how many there are in all.
LISTED_ROWS = 5
# Rows checked at a time: a memory-mapped V x V matrix is read block by block, never whole.
BLOCK_BYTES = 1 << 26


# Deleting the file alone rebuilds nothing while what was made from it is present.
REBUILD_ADVICE = "rebuild it and what was made from it: rerun Snakemake with --forcerun {path}"


class NonFiniteError(InputError):
    """An array holds NaN or infinity where every value must be a finite number."""


def non_finite_rows(array: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Indices of the rows (first axis) holding a non-finite value, and the NaN and infinity counts."""
    values = np.asarray(array) if np.ndim(array) > 0 else np.reshape(array, 1)
    if values.dtype.kind not in "fc" or values.size == 0:
        return np.empty(0, dtype=np.int64), 0, 0
    row_bytes = max(values[:1].nbytes, 1)
    block = max(BLOCK_BYTES // row_bytes, 1)
    rows, nans, infinities = [], 0, 0
    for start in range(0, len(values), block):
        part = np.asarray(values[start : start + block])
        finite = np.isfinite(part)
        if finite.all():
            continue
        nan = np.isnan(part)
        nans += int(nan.sum())
        infinities += int((~finite & ~nan).sum())
        rows.append(start + np.flatnonzero(~finite.reshape(len(part), -1).all(axis=1)))
    return (np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)), nans, infinities


def check_finite(array: np.ndarray, where: str, advice: str, row_name: str = "row", first_row: int = 0) -> None:
    """Raise NonFiniteError naming `where`, the counts and the first rows (numbered from `first_row`)
    if a float array holds NaN or infinity; integer arrays always pass."""
    rows, nans, infinities = non_finite_rows(array)
    if len(rows) == 0:
        return
    listed = ", ".join(str(first_row + row) for row in rows[:LISTED_ROWS])
    more = f" and {len(rows) - LISTED_ROWS} more" if len(rows) > LISTED_ROWS else ""
    counts = " and ".join(
        text for count, text in ((nans, f"{nans} NaN"), (infinities, f"{infinities} infinite")) if count
    )
    plural = "s" if len(rows) > 1 else ""
    raise NonFiniteError(f"{where} holds {counts} value(s) in {row_name}{plural} {listed}{more}: {advice}")


def load_npy(path: str | os.PathLike[str], mmap_mode: str | None = None) -> np.ndarray:
    """np.load of a workflow file, refusing one that holds NaN or infinity."""
    array = np.load(path, mmap_mode=mmap_mode)
    check_finite(array, str(path), REBUILD_ADVICE.format(path=path))
    return array
