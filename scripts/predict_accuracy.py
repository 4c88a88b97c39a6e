"""The analogy accuracy the theory predicts for a small-init run (rules predict_accuracy and
predict_accuracy_at_evaluations; figure predicted_accuracy).

snakemake.input: eigvals, eigvecs (M*), vocab, questions, and for the second rule evaluations
(runs/<run>/evaluations.csv). snakemake.params: init_scale, dim, tokenizer. snakemake.output: table (CSV):
on the prediction's own grid (time, t_over_tau1, predicted_accuracy) or at the run's evaluations
(step, time, t_over_tau1, measured_accuracy, predicted_accuracy, difference).
"""

import pandas as pd

from w2vtheory.atomic import write_table
from w2vtheory.corpus.vocab import read_lexicon
from w2vtheory.evaluation.datasets import read_analogy_questions
from w2vtheory.evaluation.scoring import build_pair_analogies
from w2vtheory.finite import load_npy
from w2vtheory.script_runner import run
from w2vtheory.theory.dynamics import init_s0
from w2vtheory.theory.predicted_accuracy import evaluation_comparison, prediction_table


def main(snakemake) -> None:
    dim = int(snakemake.params.dim)
    words, _ = read_lexicon(snakemake.input.vocab)
    analogies = build_pair_analogies(
        read_analogy_questions(snakemake.input.questions, tokenizer=snakemake.params.tokenizer), words
    )
    eigvals = load_npy(snakemake.input.eigvals)[:dim]
    eigvecs = load_npy(snakemake.input.eigvecs, mmap_mode="r")[:, :dim]
    s0 = init_s0(float(snakemake.params.init_scale))
    if "evaluations" in snakemake.input.keys():
        table = evaluation_comparison(pd.read_csv(snakemake.input.evaluations), eigvals, eigvecs, analogies, s0)
    else:
        table = prediction_table(eigvals, eigvecs, analogies, s0)
    write_table(snakemake.output.table, table)


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
