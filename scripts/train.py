"""Train one run (rule train_run): results/<experiment>/runs/<run>/ and embeddings/<run>.vec.

snakemake.input: tokens, doc_offsets, vocab, cooccurrence, stats, mstar_eigvals, analogies.
snakemake.output: W, trace, evaluations, singular_values, checkpoints, summary (all in runs/<run>/,
under the names w2vtheory.training.outputs writes) and vec. snakemake.params: run (the resolved run
config), negative_weight, window, dim, tokenizer (of the corpus: the analogies' words are normalised so). A killed job resumes from runs/<run>/resume/.
"""

from pathlib import Path

import numpy as np

from w2vtheory.closed_form.embeddings import write_vec
from w2vtheory.corpus.vocab import read_lexicon
from w2vtheory.evaluation.scoring import analogy_scorer
from w2vtheory.finite import load_npy
from w2vtheory.memory import check_matrix_memory, training_copies
from w2vtheory.script_runner import run
from w2vtheory.training import RunConfig, load_problem, train


def main(snakemake) -> None:
    words, _ = read_lexicon(snakemake.input.vocab)
    key = f"experiments.{snakemake.wildcards.experiment}.runs.{snakemake.wildcards.run}"
    config = RunConfig.from_mapping(dict(snakemake.params.run), key)
    copies = training_copies(config.exact, config.pair_sampling)
    check_matrix_memory(f"training run `{snakemake.wildcards.run}`", len(words), copies)
    problem = load_problem(
        snakemake.input.tokens,
        snakemake.input.doc_offsets,
        snakemake.input.cooccurrence,
        snakemake.input.stats,
        snakemake.input.vocab,
        snakemake.input.mstar_eigvals,
        window=int(snakemake.params.window),
        negative_weight=float(snakemake.params.negative_weight),
        dim=int(snakemake.params.dim),
    )
    evaluate = analogy_scorer(snakemake.input.analogies, words, snakemake.params.tokenizer)
    train(config, problem, Path(snakemake.output.W).parent, evaluate=evaluate, threads=snakemake.threads)
    write_vec(snakemake.output.vec, words, load_npy(snakemake.output.W).astype(np.float64))


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
