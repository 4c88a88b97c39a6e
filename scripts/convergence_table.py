"""Each trained run against its objective's converged value (rule convergence): convergence.csv.

snakemake.input: summaries, evaluations, singular_values (one per run, in params.runs order) and
references (reference.json, in params.objectives order). snakemake.params: runs, objectives.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd

from w2vtheory.atomic import write_table
from w2vtheory.convergence import convergence_row, convergence_table
from w2vtheory.script_runner import run


def main(snakemake) -> None:
    references = {
        json.loads(Path(path).read_text(encoding="utf-8"))["objective"]: path for path in snakemake.input.references
    }
    rows = []
    for index, (name, objective) in enumerate(zip(snakemake.params.runs, snakemake.params.objectives, strict=True)):
        reference = json.loads(Path(references[objective]).read_text(encoding="utf-8"))
        rows.append(
            convergence_row(
                name,
                objective,
                json.loads(Path(snakemake.input.summaries[index]).read_text(encoding="utf-8")),
                pd.read_csv(snakemake.input.evaluations[index]),
                np.load(snakemake.input.singular_values[index]),
                reference["analogy_accuracy"],
            )
        )
    write_table(snakemake.output.table, convergence_table(rows))


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
