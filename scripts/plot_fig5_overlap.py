"""Fig 5 (rule fig5_overlap): word2vec's singular directions against QWEM's and PPMI's."""

from w2vtheory.plots.fig5_overlap import write_overlap
from w2vtheory.script_runner import run


def main(snakemake):
    write_overlap(snakemake.input.sgns, snakemake.input.qwem, snakemake.input.ppmi_eigvecs, **dict(snakemake.output.items()))


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
