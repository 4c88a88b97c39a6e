"""Fig 1's snapshots: a small-init run's embedding at the checkpoints where 1, 2, 3 modes have been
learned, projected on the final W's top principal directions (docs/paper.md section 6).

The directions are the right singular vectors of the final W = U S R^T, taken from the run's one SVD
(`w2vtheory.analysis.directions.singular_directions`) as R = W^T U / S; the learned subspace no longer rotates
once learned, so earlier checkpoints projected on them show the modes appearing one at a time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from w2vtheory.finite import load_npy
from w2vtheory.training.outputs import singular_value_arrays

N_SNAPSHOTS = 3
N_DIRECTIONS = 3
# A mode counts as learned once its singular value passes this share of its final value.
LEARNED_SHARE = 0.5
LABELLED_FREQUENT = 4_000


def learned_modes(values: np.ndarray, final: np.ndarray) -> np.ndarray:
    """Number of learned modes per row of `values` (rows: times, columns: modes)."""
    return (values > LEARNED_SHARE * final).sum(axis=1)


def snapshot_steps(
    record_steps: np.ndarray, singular_values: np.ndarray, checkpoint_steps: np.ndarray, n_snapshots: int = N_SNAPSHOTS
) -> list[int]:
    """Checkpoint steps when 1, 2, ..., n modes are learned (singular values interpolated from the
    run's record, singular_values.csv): the last checkpoint with exactly k learned modes, or else the
    unused checkpoint whose count is nearest to k, one past k before one short of it."""
    values = np.stack([np.interp(checkpoint_steps, record_steps, column) for column in singular_values.T], axis=1)
    counts = learned_modes(values, singular_values[-1])
    chosen: list[int] = []
    for k in range(1, n_snapshots + 1):
        candidates = [i for i in range(len(checkpoint_steps)) if int(checkpoint_steps[i]) not in chosen]
        if not candidates:
            break
        # nearest count first; between one short of k and one past it, the one past it (it shows the
        # k-th mode); among exact matches the last, once the k-th mode has fully risen
        best = min(candidates, key=lambda i: (abs(counts[i] - k), counts[i] < k, -i if counts[i] == k else i))
        chosen.append(int(checkpoint_steps[best]))
    return sorted(chosen)


def right_singular_vectors(embedding: np.ndarray, left: np.ndarray, values: np.ndarray, count: int) -> np.ndarray:
    """The first `count` right singular vectors of W (d x count columns) from its left ones: R = W^T U / S."""
    count = min(count, int(np.count_nonzero(values > 0)))
    return embedding.T @ left[:, :count] / values[:count]


def snapshot_projections(
    checkpoints: Mapping[int, str | os.PathLike[str]], directions: np.ndarray, words: Sequence[str]
) -> pd.DataFrame:
    """DataFrame(step, word, mode, value): each checkpoint's W (npy file) times `directions`."""
    frames = []
    n_directions = directions.shape[1]
    for step, path in checkpoints.items():
        coordinates = load_npy(path) @ directions
        frames.append(
            pd.DataFrame(
                {
                    "step": step,
                    "word": np.repeat(np.asarray(words, dtype=object), n_directions),
                    "mode": np.tile(np.arange(1, n_directions + 1), len(words)),
                    "value": coordinates.reshape(-1),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def labelled_words(projection: pd.DataFrame, n_frequent: int = LABELLED_FREQUENT) -> set[str]:
    """The words at both ends of each direction in the last snapshot, among the frequent words."""
    last = projection[projection["step"] == projection["step"].max()]
    table = last.pivot(index="word", columns="mode", values="value")
    frequent = list(dict.fromkeys(last["word"]))[:n_frequent]
    table = table.loc[frequent]
    return {word for mode in table.columns for word in (table[mode].idxmax(), table[mode].idxmin())}


def snapshot_table(
    singular_values: pd.DataFrame,
    checkpoints: pd.DataFrame,
    embedding: np.ndarray,
    left: np.ndarray,
    values: np.ndarray,
    words: Sequence[str],
) -> pd.DataFrame:
    """DataFrame(step, time, mode, word, value, labelled) of the run's snapshots; `singular_values`
    is the run's singular_values.csv, `checkpoints` has columns step, time, file (resolved paths)."""
    checkpoints = checkpoints.sort_values("step", ignore_index=True)
    steps = snapshot_steps(*singular_value_arrays(singular_values), checkpoints["step"].to_numpy())
    files = checkpoints.set_index("step")["file"]
    directions = right_singular_vectors(embedding, left, values, N_DIRECTIONS)
    projection = snapshot_projections({step: files[step] for step in steps}, directions, words)
    projection["time"] = projection["step"].map(checkpoints.set_index("step")["time"])
    projection["labelled"] = projection["word"].isin(labelled_words(projection))
    return projection[["step", "time", "mode", "word", "value", "labelled"]]
