"""Fig 8 (rule fig8_analogy_cosines): analogy target cosines against the embedding dimension."""

from w2vtheory.plots.fig8_analogy_cosines import write_cosines
from w2vtheory.script_runner import run


def main(snakemake):
    write_cosines(**dict(snakemake.input.items()), categories=snakemake.params.categories, **dict(snakemake.output.items()))


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
