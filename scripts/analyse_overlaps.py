"""Overlaps of word2vec's singular directions with QWEM's and PPMI's (rule direction_overlaps; Fig 5).

snakemake.input: sgns_left, qwem_left (large-init runs' left singular vectors), ppmi_eigvecs.
snakemake.params: n_directions. snakemake.output: overlaps (CSV: comparison, i, j, overlap).
"""

import numpy as np

from w2vtheory.analysis.directions import overlap_table
from w2vtheory.atomic import write_table
from w2vtheory.finite import load_npy
from w2vtheory.script_runner import run


def main(snakemake) -> None:
    reference = load_npy(snakemake.input.sgns_left)
    count = min(snakemake.params.n_directions, reference.shape[1])
    others = {
        "qwem": load_npy(snakemake.input.qwem_left)[:, :count],
        "ppmi": np.asarray(load_npy(snakemake.input.ppmi_eigvecs, mmap_mode="r")[:, :count]),
    }
    write_table(snakemake.output.overlaps, overlap_table(reference[:, :count], others))


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
