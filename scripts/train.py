"""Train one run (rule train_run): results/<experiment>/runs/<run>/ and embeddings/<run>.vec.

snakemake.input: tokens, doc_offsets, vocab, cooccurrence, stats, mstar_eigvals, analogies.
snakemake.output: W, trace, evaluations, singular_values, checkpoints, summary (all in runs/<run>/,
under the names w2vtheory.training.outputs writes) and vec. snakemake.params: run (the resolved run
config), negative_weight, window, dim. A killed job resumes from runs/<run>/resume/.
"""

from pathlib import Path

import numpy as np

from w2vtheory.embeddings import write_vec
from w2vtheory.evaluation import analogy_scorer
from w2vtheory.finite import load_npy
from w2vtheory.memory import EXACT_TRAINING_MATRICES, TRAINING_MATRICES, check_matrix_memory
from w2vtheory.script_runner import run
from w2vtheory.training import RunConfig, load_problem, train
from w2vtheory.vocab import read_lexicon


def main(snakemake) -> None:
    words, _ = read_lexicon(snakemake.input.vocab)
    key = f"experiments.{snakemake.wildcards.experiment}.runs.{snakemake.wildcards.run}"
    config = RunConfig.from_mapping(dict(snakemake.params.run), key)
    dense_tables = config.exact or config.pair_sampling == "proportional"
    copies = EXACT_TRAINING_MATRICES if dense_tables else TRAINING_MATRICES
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
    evaluate = analogy_scorer(snakemake.input.analogies, words)
    train(config, problem, Path(snakemake.output.W).parent, evaluate=evaluate, threads=snakemake.threads)
    write_vec(snakemake.output.vec, words, load_npy(snakemake.output.W).astype(np.float64))


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
