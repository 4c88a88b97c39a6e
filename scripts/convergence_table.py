"""Each trained run against its objective's converged value (rule convergence): convergence.csv.

snakemake.input: summaries, evaluations, singular_values, W (one per run, in params.runs order),
references and reference_W (reference.json and W.npy, in sorted objective order), vocab,
cooccurrence, stats. snakemake.params: runs, objectives, settings (each run's settings),
negative_weight.
"""

import json
from pathlib import Path

import pandas as pd

from w2vtheory.atomic import write_table
from w2vtheory.closed_form.statistics import load_corpus_statistics
from w2vtheory.evaluation.convergence import convergence_row, convergence_table
from w2vtheory.finite import load_npy
from w2vtheory.memory import DENSE_TRAINING_COPIES, check_matrix_memory
from w2vtheory.script_runner import run
from w2vtheory.training import RunConfig, build_objective
from w2vtheory.training.objective import expected_normalised_loss


def main(snakemake) -> None:
    experiment = snakemake.wildcards.experiment
    statistics = load_corpus_statistics(snakemake.input.cooccurrence, snakemake.input.stats, snakemake.input.vocab)
    check_matrix_memory("the expected losses of the trained runs", statistics.vocab_size, DENSE_TRAINING_COPIES)
    negative_weight = float(snakemake.params.negative_weight)
    references = {}
    for summary_path, W_path in zip(snakemake.input.references, snakemake.input.reference_W, strict=True):
        references[json.loads(Path(summary_path).read_text(encoding="utf-8"))["objective"]] = (summary_path, W_path)
    runs = list(zip(snakemake.params.runs, snakemake.params.objectives, snakemake.params.settings, strict=True))
    # One objective's dense tables at a time: (run loss, reference loss) per run index.
    losses: dict[int, tuple[float, float]] = {}
    for objective_key in dict.fromkeys(objective for _, objective, _ in runs):
        indices = [index for index, (_, objective, _) in enumerate(runs) if objective == objective_key]
        name, _, settings = runs[indices[0]]
        exact = {**settings, "exact": True, "dtype": "float64", "device": "cpu"}
        config = RunConfig.from_mapping(exact, f"experiments.{experiment}.runs.{name}")
        objective = build_objective(statistics, negative_weight, config)
        reference_loss = expected_normalised_loss(objective, load_npy(references[objective_key][1]))
        for index in indices:
            losses[index] = (expected_normalised_loss(objective, load_npy(snakemake.input.W[index])), reference_loss)
        del objective
    rows = []
    for index, (name, objective_key, _) in enumerate(runs):
        reference = json.loads(Path(references[objective_key][0]).read_text(encoding="utf-8"))
        rows.append(
            convergence_row(
                name,
                objective_key,
                json.loads(Path(snakemake.input.summaries[index]).read_text(encoding="utf-8")),
                pd.read_csv(snakemake.input.evaluations[index]),
                pd.read_csv(snakemake.input.singular_values[index]),
                reference["analogy_accuracy"],
                *losses[index],
                # closed-form references (omniscient QWEM) are exact and carry no flag
                reference_converged=reference.get("converged", True),
            )
        )
    write_table(snakemake.output.table, convergence_table(rows))


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
