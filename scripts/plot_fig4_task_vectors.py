"""Fig 4 (rule fig4_task_vectors): task vectors of one analogy category in the M* eigenbasis."""

from w2vtheory.plots.fig4_task_vectors import write_task_vectors
from w2vtheory.script_runner import run


def main(snakemake):
    write_task_vectors(**dict(snakemake.input.items()), **snakemake.params.options, **dict(snakemake.output.items()))


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
