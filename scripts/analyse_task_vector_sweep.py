"""Task-vector sweep over the embedding dimension d (rule task_vector_sweep; Figs 4 and 8).

snakemake.input: eigvals, eigvecs (M*), vocab, questions. snakemake.params: categories, tokenizer.
snakemake.output: sweep (CSV: category, dim, n_pairs, n_analogies, snr, accuracy,
mean_target_cosine, mean_cosine_ratio).
"""

from w2vtheory.analysis import task_vectors
from w2vtheory.atomic import write_table
from w2vtheory.corpus.vocab import read_lexicon
from w2vtheory.evaluation.datasets import read_analogy_questions
from w2vtheory.finite import load_npy
from w2vtheory.script_runner import run


def main(snakemake) -> None:
    words, _ = read_lexicon(snakemake.input.vocab)
    questions = read_analogy_questions(snakemake.input.questions, tokenizer=snakemake.params.tokenizer)
    pairs = task_vectors.select_categories(questions, words, snakemake.params.categories, snakemake.input.questions)
    eigvals, eigvecs = load_npy(snakemake.input.eigvals), load_npy(snakemake.input.eigvecs)
    dims = task_vectors.sweep_dimensions(len(eigvals))
    write_table(snakemake.output.sweep, task_vectors.dimension_sweep(eigvals, eigvecs, pairs, dims))


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
