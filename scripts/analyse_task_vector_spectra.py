"""Spectra, Marchenko-Pastur fits and localisation of task vectors (rule task_vector_spectra; Figs 4, 6).

snakemake.input: eigvals, eigvecs (M*), vocab, questions. snakemake.params: tokenizer, categories, dims,
localisation_dim. snakemake.output: spectra (the tidy CSV of w2vtheory.analysis.task_vectors.task_vector_spectra).
"""

from w2vtheory.analysis import task_vectors
from w2vtheory.atomic import write_table
from w2vtheory.corpus.vocab import read_lexicon
from w2vtheory.evaluation.datasets import read_analogy_questions
from w2vtheory.finite import load_npy
from w2vtheory.script_runner import run


def main(snakemake) -> None:
    params = snakemake.params
    words, _ = read_lexicon(snakemake.input.vocab)
    questions = read_analogy_questions(snakemake.input.questions, tokenizer=snakemake.params.tokenizer)
    pairs = task_vectors.select_categories(questions, words, params.categories, snakemake.input.questions)
    eigvals, eigvecs = load_npy(snakemake.input.eigvals), load_npy(snakemake.input.eigvecs)
    dims = task_vectors.available_dims(params.dims, len(eigvals))
    table = task_vectors.task_vector_spectra(eigvals, eigvecs, pairs, dims, params.localisation_dim)
    write_table(snakemake.output.spectra, table)


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
