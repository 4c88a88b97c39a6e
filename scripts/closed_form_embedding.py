"""Closed-form embedding W = U_d diag(sqrt(lambda_d)) of a matrix's top eigenpairs, as a .vec file.

snakemake.input: eigvals, eigvecs (npy from compute_spectrum), vocab (vocab.tsv).
snakemake.output: vec (word2vec text format, vocab order). snakemake.params: dim.
"""

from typing import Any

from w2vtheory.closed_form.embeddings import closed_form_embedding, write_vec
from w2vtheory.corpus.vocab import read_lexicon
from w2vtheory.errors import InputError
from w2vtheory.finite import load_npy
from w2vtheory.script_runner import run


def main(snakemake: Any) -> None:
    words, _ = read_lexicon(snakemake.input.vocab)
    eigvals = load_npy(snakemake.input.eigvals)
    eigvecs = load_npy(snakemake.input.eigvecs)
    if eigvecs.ndim != 2 or eigvecs.shape[0] != len(words):
        raise InputError(
            f"{snakemake.input.eigvecs} has shape {eigvecs.shape} but {snakemake.input.vocab} lists "
            f"{len(words)} words; rerun the spectrum"
        )
    write_vec(snakemake.output.vec, words, closed_form_embedding(eigvals, eigvecs, int(snakemake.params.dim)))


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
