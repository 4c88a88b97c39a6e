"""One SVD of a run's final W (rule singular_directions; read by Figs 3a and 5).

snakemake.input: W (runs/<run>/W.npy). snakemake.output: left (V x d sign-fixed left singular
vectors), singular_values (d singular values, descending), both .npy.
"""

from w2vtheory.analysis.directions import singular_directions
from w2vtheory.atomic import save_npy
from w2vtheory.finite import load_npy
from w2vtheory.script_runner import run


def main(snakemake) -> None:
    left, values = singular_directions(load_npy(snakemake.input.W))
    save_npy(snakemake.output.left, left)
    save_npy(snakemake.output.singular_values, values)


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
