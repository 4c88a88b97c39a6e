"""Fig 3b (rule fig3_table): the headline table of the closed forms and small-init runs beside the paper's numbers."""

from w2vtheory.plots.fig3_table import write_table
from w2vtheory.script_runner import run


def main(snakemake):
    write_table(snakemake.input.benchmarks, **snakemake.params.settings, **dict(snakemake.output.items()))


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
