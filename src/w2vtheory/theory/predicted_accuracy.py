"""The analogy accuracy the theory predicts over training, from M* alone (docs/paper.md section 4).

From a small isotropic start of scale s0, gradient flow gives W(t) = U_d diag(s_k(t)) up to a
rotation of its columns, with U_d, lambda_k the top-d eigenpairs of M* and s_k(t) the closed form
(`w2vtheory.theory.dynamics.singular_value_theory`). Cosines are invariant under that rotation, so the
pair-protocol analogy accuracy of W(t) (`w2vtheory.evaluation.scoring`) is a prediction of what a run can do
at time t, available before any training. It leaves out the random start, W_0 with i.i.d.
N(0, s0^2/d) entries, which scores nothing: before the first mode has risen W is that start grown
along every direction at once, while U_d diag(s_k(t)) would be a rescaled svd(M*) scoring far above
it. So the prediction begins when the first mode reaches half its final value sqrt(lambda_1)
(`prediction_start`, the theory's half-rise time of mode 1), and is NaN before.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from w2vtheory.errors import InputError
from w2vtheory.evaluation.scoring import Analogies, pair_analogy_accuracy
from w2vtheory.theory.dynamics import half_rise_time, singular_value_theory, tau

# The own grid of the prediction: from t = 0 to this multiple of the last finite tau_k.
GRID_END = 1.5
GRID_POINTS = 121


def theory_embedding(eigvals: np.ndarray, eigvecs: np.ndarray, s0: float, time: float) -> np.ndarray:
    """W(t) = U_d diag(s_k(t)) for the given top-d eigenpairs (columns of eigvecs)."""
    return np.asarray(eigvecs, dtype=np.float64) * singular_value_theory(time, eigvals, s0)


def predicted_accuracy(
    eigvals: np.ndarray, eigvecs: np.ndarray, analogies: Analogies, s0: float, times: Sequence[float]
) -> np.ndarray:
    """Pair-protocol accuracy of W(t) at each time: NaN before the learned part dominates the random
    start (before `prediction_start`) and when there is no analogy to score."""
    start = prediction_start(eigvals, s0)
    accuracy = []
    for time in times:
        if len(analogies) == 0 or time < start:
            accuracy.append(np.nan)
            continue
        correct, total = pair_analogy_accuracy(theory_embedding(eigvals, eigvecs, s0, float(time)), analogies)
        accuracy.append(correct / total)
    return np.asarray(accuracy, dtype=np.float64)


def prediction_start(eigvals: np.ndarray, s0: float) -> float:
    """The theory's half-rise time of mode 1 (`half_rise_time`): before it the random start, which
    the prediction leaves out, dominates W."""
    return float(half_rise_time(np.asarray(eigvals[:1], dtype=np.float64), s0)[0])


def first_tau(eigvals: np.ndarray, s0: float) -> float:
    """tau_1, the unit of the time axis; InputError when the top mode is never learned."""
    value = float(tau(np.asarray(eigvals[:1]), s0)[0])
    if not np.isfinite(value) or value <= 0:
        raise InputError(
            f"lambda_1 = {float(eigvals[0]):.4g} does not exceed s0^2 = {s0**2:.4g}: the theory learns no mode "
            "(lower the run's init_scale)"
        )
    return value


def prediction_times(eigvals: np.ndarray, s0: float, n_points: int = GRID_POINTS) -> np.ndarray:
    """Evenly spaced times from `prediction_start` to GRID_END times the last finite tau_k of the top-d
    modes."""
    taus = tau(eigvals, s0)
    last = float(np.max(taus[np.isfinite(taus)], initial=first_tau(eigvals, s0)))
    return np.linspace(prediction_start(eigvals, s0), GRID_END * last, n_points)


def prediction_table(eigvals: np.ndarray, eigvecs: np.ndarray, analogies: Analogies, s0: float) -> pd.DataFrame:
    """DataFrame(time, t_over_tau1, predicted_accuracy) on the prediction's own grid."""
    times = prediction_times(eigvals, s0)
    return pd.DataFrame(
        {
            "time": times,
            "t_over_tau1": times / first_tau(eigvals, s0),
            "predicted_accuracy": predicted_accuracy(eigvals, eigvecs, analogies, s0, times),
        }
    )


def evaluation_comparison(
    evaluations: pd.DataFrame, eigvals: np.ndarray, eigvecs: np.ndarray, analogies: Analogies, s0: float
) -> pd.DataFrame:
    """DataFrame(step, time, t_over_tau1, measured_accuracy, predicted_accuracy, difference) at a
    run's evaluations (evaluations.csv: step, time, analogy_accuracy); difference = measured - predicted."""
    times = evaluations["time"].to_numpy(dtype=np.float64)
    predicted = predicted_accuracy(eigvals, eigvecs, analogies, s0, times)
    measured = evaluations["analogy_accuracy"].to_numpy(dtype=np.float64)
    return pd.DataFrame(
        {
            "step": evaluations["step"].to_numpy(dtype=np.int64),
            "time": times,
            "t_over_tau1": times / first_tau(eigvals, s0),
            "measured_accuracy": measured,
            "predicted_accuracy": predicted,
            "difference": measured - predicted,
        }
    )
