"""One objective's converged value (rule converged_reference): results/<experiment>/references/<objective>/.

snakemake.input: vocab, cooccurrence, stats, mstar_eigvals, mstar_eigvecs, analogies. snakemake.output:
W (the rank-d minimiser of the expected loss), summary (reference.json). snakemake.params: run (the
settings of a run with this objective), negative_weight, dim, max_iterations, tokenizer, dtype (of the
loss evaluations), tolerance (the progress below which L-BFGS stops). snakemake.threads: the
threads of torch, numba and BLAS (set by w2vtheory.script_runner).
"""

import json

from w2vtheory.atomic import save_npy, write_text
from w2vtheory.closed_form.statistics import load_corpus_statistics
from w2vtheory.corpus.vocab import read_lexicon
from w2vtheory.evaluation.scoring import analogy_scorer
from w2vtheory.finite import load_npy
from w2vtheory.memory import DENSE_TRAINING_COPIES, check_matrix_memory
from w2vtheory.script_runner import run
from w2vtheory.training import DTYPES, RunConfig, build_objective
from w2vtheory.training.reference import closed_form_reference, minimised_reference, objective_name


def main(snakemake) -> None:
    words, _ = read_lexicon(snakemake.input.vocab)
    dim = int(snakemake.params.dim)
    settings = {**snakemake.params.run, "exact": True, "dtype": "float64", "device": "cpu"}
    config = RunConfig.from_mapping(settings, f"experiments.{snakemake.wildcards.experiment}.reference")
    check_matrix_memory(f"the converged value of `{objective_name(config)}`", len(words), DENSE_TRAINING_COPIES)
    eigvals = load_npy(snakemake.input.mstar_eigvals)
    closed_form = closed_form_reference(eigvals, load_npy(snakemake.input.mstar_eigvecs), dim)
    if (config.loss, config.reweight) == ("qwem", "omniscient"):
        reference = closed_form
    else:
        statistics = load_corpus_statistics(snakemake.input.cooccurrence, snakemake.input.stats, snakemake.input.vocab)
        objective = build_objective(statistics, float(snakemake.params.negative_weight), config)
        reference = minimised_reference(
            objective,
            closed_form.W,
            int(snakemake.params.max_iterations),
            DTYPES[snakemake.params.dtype],
            float(snakemake.params.tolerance),
        )
    accuracy = analogy_scorer(snakemake.input.analogies, words, snakemake.params.tokenizer)(reference.W)
    summary = {"objective": objective_name(config), "dim": dim, "analogy_accuracy": accuracy, **reference.info}
    save_npy(snakemake.output.W, reference.W)
    write_text(snakemake.output.summary, json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
