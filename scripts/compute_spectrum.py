"""Top eigenpairs of M*, PMI, PPMI or the pair-ratio matrix of an experiment's counts (rule compute_spectrum).

snakemake.input: cooccurrence (V x V npy), stats (cooccurrence.json with window, n_pairs),
vocab (vocab.tsv, word<TAB>count). snakemake.output: eigvals, eigvecs (npy; descending, columns).
snakemake.params: matrix (one of w2vtheory.closed_form.spectra.MATRICES), n_eigenpairs, negative_weight (k),
pmi_floor, device (auto | cpu | cuda). snakemake.threads: BLAS threads.
"""

import json
import logging
from typing import Any

import numpy as np

from w2vtheory.atomic import save_npy
from w2vtheory.closed_form.spectra import build_matrix, top_eigenpairs
from w2vtheory.corpus.vocab import read_lexicon
from w2vtheory.errors import InputError
from w2vtheory.finite import load_npy
from w2vtheory.memory import SPECTRUM_COPIES, check_matrix_memory
from w2vtheory.script_runner import run

log = logging.getLogger("compute_spectrum")


def read_pair_statistics(path: str) -> tuple[int, int]:
    """(window, n_pairs) from cooccurrence.json."""
    try:
        with open(path, encoding="utf-8") as handle:
            stats = json.load(handle)
        return int(stats["window"]), int(stats["n_pairs"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InputError(
            f"{path}: need a JSON object with integer `window` and `n_pairs` ({error!r}); rebuild the counts"
        ) from error


def main(snakemake: Any) -> None:
    params = snakemake.params
    _, counts = read_lexicon(snakemake.input.vocab)
    check_matrix_memory(f"the {params.matrix} spectrum", len(counts), SPECTRUM_COPIES)
    cooccurrence = load_npy(snakemake.input.cooccurrence)
    size = len(counts)
    if cooccurrence.shape != (size, size):
        raise InputError(
            f"{snakemake.input.cooccurrence} has shape {cooccurrence.shape} but {snakemake.input.vocab} lists "
            f"{size} words; rebuild the counts"
        )
    window, n_pairs = read_pair_statistics(snakemake.input.stats)
    matrix = build_matrix(
        params.matrix, cooccurrence, counts, window, n_pairs, float(params.negative_weight), float(params.pmi_floor)
    )
    del cooccurrence
    n_eigenpairs = int(params.n_eigenpairs)
    if n_eigenpairs > size:
        log.info("n_eigenpairs = %d exceeds V = %d; computing all %d", n_eigenpairs, size, size)
        n_eigenpairs = size
    eigvals, eigvecs = top_eigenpairs(matrix, n_eigenpairs, device=params.device, n_threads=snakemake.threads)
    log.info(
        "%s: %d of the top %d eigenvalues are non-negative (largest %.6g, smallest computed %.6g)",
        params.matrix,
        int(np.count_nonzero(eigvals >= 0)),
        n_eigenpairs,
        eigvals[0],
        eigvals[-1],
    )
    save_npy(snakemake.output.eigvals, eigvals)
    save_npy(snakemake.output.eigvecs, eigvecs)


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
