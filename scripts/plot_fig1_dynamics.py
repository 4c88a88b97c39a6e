"""Fig 1 (rule fig1_dynamics): small-init QWEM and word2vec dynamics with embedding snapshots."""

from w2vtheory.plots.fig1_dynamics import write_dynamics
from w2vtheory.script_runner import run


def main(snakemake):
    write_dynamics(snakemake.params.runs, snakemake.input.vocab, **dict(snakemake.output.items()))


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
