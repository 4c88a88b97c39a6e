"""Has a trained run finished learning? Its gap to its objective's converged value, and whether its
singular values still move (rule convergence: results/<experiment>/convergence.csv).

A run has converged when its final analogy accuracy is within `ACCURACY_TOLERANCE` of its objective's
reference (`w2vtheory.training.reference`) and its top-d singular values changed by less than
`SINGULAR_VALUE_TOLERANCE` over the last `FINAL_FRACTION` of its steps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

ACCURACY_TOLERANCE = 0.015
SINGULAR_VALUE_TOLERANCE = 0.02
FINAL_FRACTION = 0.1

CONVERGENCE_COLUMNS = [
    "run",
    "objective",
    "steps",
    "wall_seconds",
    "analogy",
    "reference_analogy",
    "gap",
    "singular_value_change",
    "converged",
]


def singular_value_change(steps: np.ndarray, singular_values: np.ndarray, fraction: float = FINAL_FRACTION) -> float:
    """Largest relative change |s_k(end) - s_k(start)| / s_k(end) of the top-d singular values, from the
    last evaluation at or before (1 - fraction) of the final step to the final one."""
    steps = np.asarray(steps)
    final = singular_values[-1]
    earlier = np.flatnonzero(steps <= (1.0 - fraction) * steps[-1])
    if len(earlier) == 0:
        return float("nan")
    start = singular_values[earlier[-1]]
    return float(np.max(np.abs(final - start) / np.maximum(final, np.finfo(np.float64).tiny)))


def convergence_row(
    run: str,
    objective: str,
    summary: Mapping[str, Any],
    evaluations: pd.DataFrame,
    singular_values: np.ndarray,
    reference_accuracy: float,
) -> dict[str, Any]:
    accuracy = float(evaluations["analogy_accuracy"].iloc[-1])
    change = singular_value_change(evaluations["step"].to_numpy(), singular_values)
    gap = reference_accuracy - accuracy
    return {
        "run": run,
        "objective": objective,
        "steps": int(evaluations["step"].iloc[-1]),
        "wall_seconds": float(summary.get("wall_seconds", float("nan"))),
        "analogy": accuracy,
        "reference_analogy": float(reference_accuracy),
        "gap": gap,
        "singular_value_change": change,
        "converged": bool(abs(gap) <= ACCURACY_TOLERANCE and change < SINGULAR_VALUE_TOLERANCE),
    }


def convergence_table(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=CONVERGENCE_COLUMNS)


def convergence_markdown(table: pd.DataFrame) -> str:
    """The convergence table as a Markdown section of summary.md."""
    lines = [
        "## Trained runs against their objective's converged value",
        "",
        "| run | objective | steps | wall s | analogy | converged value | gap (points) | singular values, last 10 % | converged |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in table.itertuples(index=False):
        lines.append(
            f"| {row.run} | {row.objective} | {row.steps:,} | {row.wall_seconds:.0f} | {100 * row.analogy:.1f}% "
            f"| {100 * row.reference_analogy:.1f}% | {100 * row.gap:+.1f} | {100 * row.singular_value_change:.2f}% "
            f"| {'yes' if row.converged else 'no'} |"
        )
    lines += [
        "",
        f"Converged: within {100 * ACCURACY_TOLERANCE:.1f} points of the minimiser of the run's expected loss at "
        f"rank d (`references/<objective>/`), and top-d singular values changing by under "
        f"{100 * SINGULAR_VALUE_TOLERANCE:.0f} % over the last {100 * FINAL_FRACTION:.0f} % of the steps.",
    ]
    return "\n".join(lines) + "\n"
