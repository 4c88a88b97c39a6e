"""Collect an experiment's per-model scores into benchmarks.csv, analogy_categories.csv and summary.md.

input: scores (per-model model,benchmark,score,n,coverage,method CSVs), categories (per-model analogy
category CSVs), convergence and rise_times (convergence.csv and analysis/rise_times.csv for
experiments that train, else empty).
output: benchmarks, categories, summary.
params: experiment, corpus, vocab_size, dim, window.
"""

import pandas as pd

from w2vtheory.analysis.rise_times import rise_markdown
from w2vtheory.atomic import write_table, write_text
from w2vtheory.evaluation.convergence import convergence_markdown
from w2vtheory.evaluation.scoring import SCORE_COLUMNS
from w2vtheory.evaluation.summary import summary_markdown
from w2vtheory.script_runner import run


def concatenated(paths) -> pd.DataFrame:
    """The CSVs one after another; only empty cells are missing, and floats read back exactly."""
    tables = [pd.read_csv(path, keep_default_na=False, na_values=[""]) for path in paths]
    return pd.concat(tables, ignore_index=True)


def main(snakemake) -> None:
    benchmarks = concatenated(snakemake.input.scores)[["model", *SCORE_COLUMNS]]
    categories = concatenated(snakemake.input.categories)
    write_table(snakemake.output.benchmarks, benchmarks)
    write_table(snakemake.output.categories, categories)
    params = snakemake.params
    summary = summary_markdown(
        benchmarks,
        experiment=params.experiment,
        corpus=params.corpus,
        vocab_size=params.vocab_size,
        dim=params.dim,
        window=params.window,
    )
    for path in snakemake.input.convergence:
        summary += "\n" + convergence_markdown(pd.read_csv(path))
    for path in snakemake.input.rise_times:
        summary += "\n" + rise_markdown(pd.read_csv(path))
    write_text(snakemake.output.summary, summary)


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
