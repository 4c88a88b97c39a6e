"""Feature atlas (rule feature_atlas): predicted step times and end words of M*'s eigenvectors."""

from w2vtheory.plots.feature_atlas import write_feature_atlas
from w2vtheory.script_runner import run


def main(snakemake):
    write_feature_atlas(**dict(snakemake.input.items()), **snakemake.params.options, **dict(snakemake.output.items()))


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
