"""Fig 7 (rule fig7_ablation): singular-value dynamics of the four ablation runs."""

from w2vtheory.plots.fig7_ablation import write_ablation
from w2vtheory.script_runner import run


def main(snakemake):
    write_ablation(snakemake.params.runs, **dict(snakemake.output.items()))


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
