"""Closed-form embeddings W = U_d diag(sqrt(lambda_d)) and the word2vec text format.

The closed form is the rank-d factorisation W W^T closest to a symmetric matrix M (docs/paper.md
section 2): its top-d eigenvectors scaled by the square roots of their eigenvalues. W W^T is
positive semi-definite, so an eigenvalue below zero among the top d cannot be represented; its
direction gets weight zero.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

import numpy as np

from w2vtheory.atomic import atomic_path
from w2vtheory.errors import InputError
from w2vtheory.finite import REBUILD_ADVICE, check_finite

log = logging.getLogger(__name__)


def eigen_embedding(eigvals: np.ndarray, eigvecs: np.ndarray) -> np.ndarray:
    """U diag(sqrt(max(lambda, 0))) of eigenpairs (the columns of eigvecs): the W whose W W^T is the
    best positive semi-definite approximation they span (Eckart-Young); negative modes get weight 0."""
    return eigvecs * np.sqrt(np.clip(eigvals, 0.0, None))


def closed_form_embedding(eigvals: np.ndarray, eigvecs: np.ndarray, dim: int) -> np.ndarray:
    """V x dim embedding from eigenpairs sorted by descending eigenvalue (columns of eigvecs)."""
    eigvals = np.asarray(eigvals, dtype=np.float64)
    eigvecs = np.asarray(eigvecs, dtype=np.float64)
    if eigvals.ndim != 1 or eigvecs.ndim != 2 or eigvecs.shape[1] != len(eigvals):
        raise ValueError(f"need k eigenvalues and a V x k eigenvector matrix, got {eigvals.shape} and {eigvecs.shape}")
    if np.any(np.diff(eigvals) > 0):
        raise ValueError("eigenvalues must be sorted in descending order")
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or not 1 <= dim <= len(eigvals):
        raise InputError(
            f"dim = {dim!r}: the embedding needs 1 <= dim <= the {len(eigvals)} eigenpairs computed; "
            "raise n_eigenpairs or lower dim"
        )
    top = eigvals[:dim]
    negative = int(np.count_nonzero(top < 0))
    if negative:
        log.warning(
            "%d of the top %d eigenvalues are negative (smallest %.6g); W W^T can only represent the "
            "non-negative part, so those directions get weight 0",
            negative,
            dim,
            float(top.min()),
        )
    return eigen_embedding(top, eigvecs[:, :dim])


def write_vec(path: str | os.PathLike[str], words: Sequence[str], vectors: np.ndarray) -> None:
    """word2vec text format: a `V d` line, then `word v1 ... vd` per row in the given order.

    Values are written as the shortest decimal that reads back to the same float64.
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    if vectors.ndim != 2 or vectors.shape[0] != len(words):
        raise ValueError(f"need one vector per word: {len(words)} words, vectors of shape {vectors.shape}")
    for word in words:
        if not word or len(word.split()) != 1 or word != word.strip():
            raise ValueError(f"word {word!r} cannot be written in the word2vec text format (empty or has whitespace)")
    check_finite(vectors, f"the embedding to be written to {path}", "its inputs hold such values; nothing was written")
    lines = [f"{vectors.shape[0]} {vectors.shape[1]}\n"]
    lines.extend(f"{word} {' '.join(map(repr, row))}\n" for word, row in zip(words, vectors.tolist()))
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as handle:
        handle.writelines(lines)


def read_vec(path: str | os.PathLike[str]) -> tuple[list[str], np.ndarray]:
    """Words and a float64 V x d array from a word2vec text file (as written by write_vec or gensim)."""
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read the word2vec text file ({error})") from error
    while lines and not lines[-1].strip():
        lines.pop()
    n_words, dim = _read_header(path, lines[0] if lines else "")
    if len(lines) - 1 != n_words:
        raise InputError(f"{path}: the header announces {n_words} words but {len(lines) - 1} lines follow")
    words: list[str] = []
    vectors = np.empty((n_words, dim))
    seen: set[str] = set()
    for row, line in enumerate(lines[1:]):
        fields = line.split()
        where = f"{path}:{row + 2}"
        if len(fields) != dim + 1:
            raise InputError(f"{where}: expected a word and {dim} numbers, found {len(fields)} fields")
        if fields[0] in seen:
            raise InputError(f"{where}: the word {fields[0]!r} appears twice")
        seen.add(fields[0])
        words.append(fields[0])
        try:
            vectors[row] = [float(value) for value in fields[1:]]
        except ValueError:
            bad = next(value for value in fields[1:] if not _is_float(value))
            raise InputError(f"{where}: {bad!r} is not a number") from None
    check_finite(vectors, str(path), REBUILD_ADVICE.format(path=path), "line", first_row=2)
    return words, vectors


def _read_header(path: str | os.PathLike[str], line: str) -> tuple[int, int]:
    fields = line.split()
    if len(fields) != 2 or not all(field.isascii() and field.isdigit() for field in fields) or int(fields[1]) < 1:
        raise InputError(f"{path}:1: expected the header `<number of words> <dimension>`, found {line!r}")
    return int(fields[0]), int(fields[1])


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
