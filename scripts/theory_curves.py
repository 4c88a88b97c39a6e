"""The theory curves of one run (rule theory_curves): runs/<run>/theory.csv and theory_loss.csv.

snakemake.input: run (run.json), singular_values, trace, mstar_eigvals. snakemake.output: theory, theory_loss.
"""

import json
from pathlib import Path

import pandas as pd

from w2vtheory.atomic import write_table
from w2vtheory.finite import load_npy
from w2vtheory.script_runner import run
from w2vtheory.theory.curves import loss_curve, singular_value_curves


def main(snakemake) -> None:
    summary = json.loads(Path(snakemake.input.run).read_text(encoding="utf-8"))
    eigvals = load_npy(snakemake.input.mstar_eigvals)
    write_table(
        snakemake.output.theory, singular_value_curves(summary, pd.read_csv(snakemake.input.singular_values), eigvals)
    )
    write_table(snakemake.output.theory_loss, loss_curve(summary, pd.read_csv(snakemake.input.trace), eigvals))


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
