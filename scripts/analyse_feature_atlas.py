"""The feature atlas table (rule feature_atlas_table): tau_k and end words of M*'s top eigenvectors.

snakemake.input: eigvals, eigvecs (M*), vocab. snakemake.params: init_scale (the small-init QWEM
run's), n_components. snakemake.output: atlas (the CSV of w2vtheory.analysis.feature_atlas.feature_atlas).
"""

from w2vtheory.analysis.feature_atlas import feature_atlas
from w2vtheory.atomic import write_table
from w2vtheory.corpus.vocab import read_lexicon
from w2vtheory.finite import load_npy
from w2vtheory.script_runner import run
from w2vtheory.theory.dynamics import init_s0


def main(snakemake) -> None:
    params = snakemake.params
    words, _ = read_lexicon(snakemake.input.vocab)
    eigvecs = load_npy(snakemake.input.eigvecs, mmap_mode="r")[:, : params.n_components]
    atlas = feature_atlas(
        load_npy(snakemake.input.eigvals), eigvecs, words, init_s0(params.init_scale), params.n_components
    )
    write_table(snakemake.output.atlas, atlas)


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
