"""Fig 6 (rule fig6_task_vectors_more): Fig 4's spectrum analysis for more categories."""

from w2vtheory.plots.fig4_task_vectors import write_task_vectors_more
from w2vtheory.script_runner import run


def main(snakemake):
    write_task_vectors_more(**dict(snakemake.input.items()), **snakemake.params.options, **dict(snakemake.output.items()))


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
