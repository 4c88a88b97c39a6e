"""The weighted co-occurrence matrix C and the pair count N of an experiment (docs/paper.md section 2).

snakemake.input: tokens, doc_offsets (in-vocabulary tokens), vocab (vocab.tsv).
snakemake.output: matrix (cooccurrence.npy, float64 V x V), stats (cooccurrence.json with
window, n_pairs, n_tokens, n_documents). snakemake.params: window. snakemake.threads: threads.
"""

import json
import logging
import time
from typing import Any

import numpy as np

from w2vtheory.atomic import save_npy, write_text
from w2vtheory.corpus.cooccurrence import check_window, count_cooccurrence, count_pairs
from w2vtheory.corpus.store import NpyVectorReader
from w2vtheory.corpus.vocab import read_lexicon
from w2vtheory.finite import load_npy
from w2vtheory.memory import COUNTING_COPIES, check_matrix_memory
from w2vtheory.script_runner import run

log = logging.getLogger("count_cooccurrence")


def main(snakemake: Any) -> None:
    window = check_window(snakemake.params.window)
    words, _ = read_lexicon(snakemake.input.vocab)
    check_matrix_memory("counting the co-occurrences", len(words), COUNTING_COPIES)
    # Read a chunk at a time: a memory map would count the whole file in the job's memory.
    tokens = NpyVectorReader(snakemake.input.tokens)
    offsets = load_npy(snakemake.input.doc_offsets)
    n_tokens, n_documents = int(offsets[-1]), len(offsets) - 1
    longest = int(np.diff(offsets).max(initial=0))
    if window >= longest:
        log.warning(
            "window = %d reaches across every document (the longest has %d tokens): "
            "every pair within a document is counted",
            window,
            longest,
        )
    start = time.perf_counter()
    matrix = count_cooccurrence(tokens, offsets, len(words), window, snakemake.threads)
    seconds = time.perf_counter() - start
    log.info(
        "counted %d tokens in %d documents (V = %d, window = %d) in %.1f s (at most %d threads): %.2f M tokens/s",
        n_tokens,
        n_documents,
        len(words),
        window,
        seconds,
        snakemake.threads,
        n_tokens / max(seconds, 1e-9) / 1e6,
    )
    n_pairs = count_pairs(offsets, window)
    if n_pairs == 0:
        log.warning("no document has two tokens: the co-occurrence matrix is all zeros")
    save_npy(snakemake.output.matrix, matrix)
    stats = {"window": window, "n_pairs": n_pairs, "n_tokens": n_tokens, "n_documents": n_documents}
    write_text(snakemake.output.stats, json.dumps(stats, indent=2) + "\n")


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
