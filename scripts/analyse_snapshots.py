"""Fig 1's embedding snapshots of a run (rule dynamics_snapshots).

snakemake.input: singular_values, checkpoints (run files; checkpoints.csv names the
checkpoint files relative to the run directory), W, svd_left and svd_values (the run's SVD, rule
singular_directions), vocab. snakemake.output: snapshots (CSV: step, time, mode, word, value, labelled).
"""

from pathlib import Path

import pandas as pd

from w2vtheory.analysis.snapshots import snapshot_table
from w2vtheory.atomic import write_table
from w2vtheory.corpus.vocab import read_lexicon
from w2vtheory.finite import load_npy
from w2vtheory.script_runner import run


def main(snakemake) -> None:
    inputs = snakemake.input
    words, _ = read_lexicon(inputs.vocab)
    checkpoints = pd.read_csv(inputs.checkpoints)
    checkpoints["file"] = [Path(inputs.checkpoints).parent / name for name in checkpoints["file"]]
    table = snapshot_table(
        pd.read_csv(inputs.singular_values),
        checkpoints,
        load_npy(inputs.W),
        load_npy(inputs.svd_left),
        load_npy(inputs.svd_values),
        words,
    )
    write_table(snakemake.output.snapshots, table)


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
