"""Has a trained run finished learning? Its gap to its objective's converged value, and whether its
singular values still move (rule convergence: results/<experiment>/convergence.csv).

A run has converged when its final analogy accuracy is within `ACCURACY_TOLERANCE` of its objective's
reference (`w2vtheory.training.reference`), its top-d singular values changed by less than
`SINGULAR_VALUE_TOLERANCE` over the last `FINAL_FRACTION` of its steps, and it has learned all but
`UNLEARNED_TOLERANCE` of what the reference learned, every one of these numbers finite. The
unlearned share is the objective-level gap: the run's expected normalised loss
(`w2vtheory.training.objective.expected_normalised_loss`) above the reference's, as a fraction of
what the reference learned (1 - its loss). Analogy scores on a few hundred questions move by a point
between nearby embeddings; the loss gap does not, and a run that learned nothing can sit near a poor
reference's score with still singular values (dim 1, a few steps), which only the loss gap shows.

A run whose expected loss is below its reference's has beaten it: the reference stopped short of the
minimum (on a flat stretch of its objective, as Setting 3.1's L-BFGS does), so the run is the better
estimate of the minimiser and the analogy gap between the two is not a distance to the optimum. Such
a run is judged by its still singular values alone (its unlearned share is then negative), and the
reference is marked as not converged.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from w2vtheory.training.outputs import singular_value_arrays

ACCURACY_TOLERANCE = 0.015
SINGULAR_VALUE_TOLERANCE = 0.02
FINAL_FRACTION = 0.1
# The converged sampled runs of the default job leave 0.7-1.5 % unlearned; a run that learned nothing, 100 %.
UNLEARNED_TOLERANCE = 0.03
# Marks, in summary.md, a converged value whose reference stopped short of a stationary point.
UNCONVERGED_REFERENCE = "(reference unconverged)"
# ... and one that a trained run's lower expected loss showed to be short of the minimum.
BEATEN_REFERENCE = "(reference beaten)"

CONVERGENCE_COLUMNS = [
    "run",
    "objective",
    "steps",
    "wall_seconds",
    "analogy",
    "reference_analogy",
    "gap",
    "loss_normalised",
    "reference_loss_normalised",
    "loss_gap",
    "unlearned_fraction",
    "singular_value_change",
    "converged",
    "reference_converged",
    "reference_beaten",
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
    singular_values: pd.DataFrame,
    reference_accuracy: float,
    loss: float,
    reference_loss: float,
    reference_converged: bool,
) -> dict[str, Any]:
    """One row of convergence.csv; `loss` and `reference_loss` are expected normalised losses;
    `reference_converged` is False where the reference stopped short of a stationary point (its
    reference.json `converged`), so its value is approximate."""
    accuracy = float(evaluations["analogy_accuracy"].iloc[-1])
    change = singular_value_change(*singular_value_arrays(singular_values))
    gap = reference_accuracy - accuracy
    unlearned = (loss - reference_loss) / (1.0 - reference_loss)
    verdict_numbers = (accuracy, reference_accuracy, loss, reference_loss, unlearned, change)
    beaten = loss < reference_loss
    converged = (
        all(math.isfinite(value) for value in verdict_numbers)
        and (beaten or abs(gap) <= ACCURACY_TOLERANCE)
        and change < SINGULAR_VALUE_TOLERANCE
        and unlearned <= UNLEARNED_TOLERANCE
    )
    return {
        "run": run,
        "objective": objective,
        "steps": int(evaluations["step"].iloc[-1]),
        "wall_seconds": float(summary.get("wall_seconds", float("nan"))),
        "analogy": accuracy,
        "reference_analogy": float(reference_accuracy),
        "gap": gap,
        "loss_normalised": float(loss),
        "reference_loss_normalised": float(reference_loss),
        "loss_gap": float(loss - reference_loss),
        "unlearned_fraction": float(unlearned),
        "singular_value_change": change,
        "converged": bool(converged),
        "reference_converged": bool(reference_converged and not beaten),
        "reference_beaten": bool(beaten),
    }


def convergence_table(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=CONVERGENCE_COLUMNS)


def convergence_markdown(table: pd.DataFrame) -> str:
    """The convergence table as a Markdown section of summary.md."""
    lines = [
        "## Trained runs against their objective's converged value",
        "",
        "| run | objective | steps | wall s | analogy | converged value | gap (points) | loss | converged loss "
        "| unlearned | singular values, last 10 % | converged |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in table.itertuples(index=False):
        reference_note = (
            f" {BEATEN_REFERENCE}"
            if row.reference_beaten
            else "" if row.reference_converged else f" {UNCONVERGED_REFERENCE}"
        )
        lines.append(
            f"| {row.run} | {row.objective} | {row.steps:,} | {row.wall_seconds:.0f} | {100 * row.analogy:.1f}% "
            f"| {100 * row.reference_analogy:.1f}%{reference_note} | {100 * row.gap:+.1f} | {row.loss_normalised:.4f} "
            f"| {row.reference_loss_normalised:.4f} | {100 * row.unlearned_fraction:.1f}% "
            f"| {100 * row.singular_value_change:.2f}% "
            f"| {'yes' if row.converged else 'no'} |"
        )
    lines += [
        "",
        f"Converged: within {100 * ACCURACY_TOLERANCE:.1f} points of the minimiser of the run's expected loss at "
        f"rank d (`references/<objective>/`), and top-d singular values changing by under "
        f"{100 * SINGULAR_VALUE_TOLERANCE:.0f} % over the last {100 * FINAL_FRACTION:.0f} % of the steps, and at most "
        f"{100 * UNLEARNED_TOLERANCE:.0f} % unlearned. Loss: the expected normalised loss "
        "1 - E(W)/normaliser of the final W and of the minimiser; unlearned: their difference as a share of "
        "what the minimiser learned (1 - its loss).",
    ]
    if not (table["reference_converged"] | table["reference_beaten"]).all():
        lines += [
            "",
            f"{UNCONVERGED_REFERENCE}: the reference stopped at its iteration limit (`reference_iterations`) short of a "
            "stationary point (`references/<objective>/reference.json`), so its value is approximate.",
        ]
    if table["reference_beaten"].any():
        lines += [
            "",
            f"{BEATEN_REFERENCE}: the run's expected loss is below the reference's, which therefore stopped short of "
            "the minimum; the run is judged by its still singular values, not by its analogy gap to the reference.",
        ]
    return "\n".join(lines) + "\n"
