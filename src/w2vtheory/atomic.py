"""Write outputs under a temporary name and rename them when complete.

A killed job, a full disk or an exception must never leave a truncated file under the final
name, because Snakemake (and a reader) would take it for a finished result.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
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


def save_npy(path: str | os.PathLike[str], array: np.ndarray) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.save(handle, array)


def write_text(path: str | os.PathLike[str], text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_table(path: str | os.PathLike[str], table: pd.DataFrame) -> None:
    """A tidy table as CSV (no index)."""
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False)
