"""Fig 2 (rule fig2_singular_values): every singular value vs t / tau_1, small and large init."""

from w2vtheory.plots.fig2_singular_values import write_singular_values
from w2vtheory.script_runner import run


def main(snakemake):
    write_singular_values(snakemake.params.inits, **dict(snakemake.output.items()))


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
