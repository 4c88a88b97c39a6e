"""Train one run (rule train_run): results/<experiment>/runs/<run>/ and embeddings/<run>.vec.

snakemake.input: tokens, doc_offsets, vocab, cooccurrence, stats, mstar_eigvals, analogies.
snakemake.output: W, trace, evaluations, singular_values, checkpoints, theory, theory_loss, summary
(all in runs/<run>/, under the names w2vtheory.trainer writes) and vec. snakemake.params: run (the
resolved run config), negative_weight, window, dim. A killed job resumes from runs/<run>/resume/.
"""

from pathlib import Path

import numpy as np

from w2vtheory.benchmarks import read_analogy_questions
from w2vtheory.embeddings import write_vec
from w2vtheory.evaluation import build_pair_analogies, pair_analogy_accuracy
from w2vtheory.script_runner import run
from w2vtheory.trainer import RunConfig, load_problem, train
from w2vtheory.vocab import read_lexicon


def main(snakemake) -> None:
    words, _ = read_lexicon(snakemake.input.vocab)
    analogies = build_pair_analogies(read_analogy_questions(snakemake.input.analogies), words)

    def analogy_accuracy(vectors: np.ndarray) -> float:
        correct, total = pair_analogy_accuracy(vectors, analogies)
        return correct / total if total else float("nan")

    problem = load_problem(
        snakemake.input.tokens,
        snakemake.input.doc_offsets,
        snakemake.input.cooccurrence,
        snakemake.input.stats,
        snakemake.input.mstar_eigvals,
        window=int(snakemake.params.window),
        negative_weight=float(snakemake.params.negative_weight),
        dim=int(snakemake.params.dim),
    )
    key = f"experiments.{snakemake.wildcards.experiment}.runs.{snakemake.wildcards.run}"
    config = RunConfig.from_mapping(dict(snakemake.params.run), key)
    train(config, problem, Path(snakemake.output.W).parent, evaluate=analogy_accuracy, threads=snakemake.threads)
    write_vec(snakemake.output.vec, words, np.load(snakemake.output.W).astype(np.float64))


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
