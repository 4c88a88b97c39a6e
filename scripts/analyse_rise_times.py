"""When each of the top modes of every trained run rises (rule rise_times): analysis/rise_times.csv.

snakemake.input: singular_values, summaries (one per run, in params.runs order), mstar_eigvals.
snakemake.params: runs. snakemake.output: table (CSV, w2vtheory.analysis.rise_times.RISE_COLUMNS).
"""

import json
from pathlib import Path

import pandas as pd

from w2vtheory.analysis.rise_times import experiment_rise_table
from w2vtheory.atomic import write_table
from w2vtheory.finite import load_npy
from w2vtheory.script_runner import run


def main(snakemake) -> None:
    inputs = snakemake.input
    table = experiment_rise_table(
        snakemake.params.runs,
        [pd.read_csv(path) for path in inputs.singular_values],
        [json.loads(Path(path).read_text(encoding="utf-8")) for path in inputs.summaries],
        load_npy(inputs.mstar_eigvals),
    )
    write_table(snakemake.output.table, table)


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
