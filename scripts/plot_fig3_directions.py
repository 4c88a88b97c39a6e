"""Fig 3a (rule fig3_directions): words at the ends of the principal directions."""

from w2vtheory.plots.fig3_directions import write_directions
from w2vtheory.script_runner import run


def main(snakemake):
    trained = {"sgns": snakemake.input.sgns, "qwem": snakemake.input.qwem}
    write_directions(trained, snakemake.input.ppmi_eigvecs, snakemake.input.vocab, **dict(snakemake.output.items()))


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
