"""When each mode is learned: the measured rise of a run's top singular values against the theory's
(rule rise_times: results/<experiment>/analysis/rise_times.csv, and a section of summary.md).

A mode's rise time is the first time its singular value reaches `RISE_SHARE` of its final value,
interpolated linearly between the records of singular_values.csv; the theory's tau_k and its own
half-rise time (`w2vtheory.theory.dynamics.half_rise_time`) are on the same clock (the run's `time`). A rise
counts as resolved when `MIN_RISE_RECORDS` records or more fall between its first record at 10 % and
its first record at 90 % of the final value.

A loss whose minimiser is not M*'s factorisation ends at other singular values than the theory's
sqrt(lambda_k) (the SGNS loss with omniscient weights ends several times higher), so its half-final
time says little about the early, linear phase the clock is derived from. The level time is the
first time a singular value reaches `RISE_SHARE` of the theory's sqrt(lambda_k), which the theory
itself reaches at its half-rise time whatever the loss does later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from w2vtheory.theory import dynamics
from w2vtheory.training.outputs import singular_value_arrays

RISE_SHARE = 0.5
RISE_BAND = (0.1, 0.9)
MIN_RISE_RECORDS = 4
TOP_MODES = 10

RISE_COLUMNS = [
    "run",
    "mode",
    "final_value",
    "rise_step",
    "rise_time",
    "tau",
    "rise_over_tau",
    "theory_rise_time",
    "records_in_rise",
    "level_time",
    "level_over_tau",
]


def first_crossing_time(times: np.ndarray, values: np.ndarray, level: float) -> float:
    """The first time `values` reaches `level`, linearly interpolated between records (NaN if never)."""
    above = np.flatnonzero(values >= level)
    if len(above) == 0:
        return float("nan")
    index = int(above[0])
    if index == 0:
        return float(times[0])
    before, after = values[index - 1], values[index]
    share = (level - before) / (after - before)
    return float(times[index - 1] + share * (times[index] - times[index - 1]))


def records_in_band(values: np.ndarray, final: float, band: tuple[float, float] = RISE_BAND) -> int:
    """Records from the first at band[0] x final up to (not including) the first at band[1] x final."""
    low = np.flatnonzero(values >= band[0] * final)
    high = np.flatnonzero(values >= band[1] * final)
    if len(low) == 0 or len(high) == 0:
        return 0
    return int(high[0] - low[0])


def rise_table(
    run: str,
    steps: np.ndarray,
    times: np.ndarray,
    values: np.ndarray,
    eigvals: np.ndarray,
    s0: float,
    top_modes: int = TOP_MODES,
) -> pd.DataFrame:
    """One row per mode 1..top_modes of a run's record (steps, times, values: n_records x d)."""
    count = min(top_modes, values.shape[1], len(eigvals))
    taus = dynamics.tau(eigvals[:count], s0)
    theory_rises = dynamics.half_rise_time(eigvals[:count], s0)
    rows = []
    for mode in range(count):
        column = values[:, mode]
        final = float(column[-1])
        rise_time = first_crossing_time(times, column, RISE_SHARE * final)
        reached = np.flatnonzero(column >= RISE_SHARE * final)
        level_time = first_crossing_time(times, column, RISE_SHARE * np.sqrt(max(float(eigvals[mode]), 0.0)))
        rows.append(
            {
                "run": run,
                "mode": mode + 1,
                "final_value": final,
                "rise_step": int(steps[reached[0]]) if len(reached) else -1,
                "rise_time": rise_time,
                "tau": float(taus[mode]),
                "rise_over_tau": rise_time / float(taus[mode]),
                "theory_rise_time": float(theory_rises[mode]),
                "records_in_rise": records_in_band(column, final),
                "level_time": level_time,
                "level_over_tau": level_time / float(taus[mode]),
            }
        )
    return pd.DataFrame(rows, columns=RISE_COLUMNS)


def experiment_rise_table(
    runs: Sequence[str], records: Sequence[pd.DataFrame], summaries: Sequence[Mapping[str, Any]], eigvals: np.ndarray
) -> pd.DataFrame:
    """`rise_table` of each run (its singular_values.csv table and run.json), one after another."""
    tables = []
    for run, table, summary in zip(runs, records, summaries, strict=True):
        steps, values = singular_value_arrays(table)
        times = table["time"].to_numpy(dtype=np.float64)
        tables.append(
            rise_table(run, steps, times, values, np.asarray(eigvals, dtype=np.float64), float(summary["s0"]))
        )
    return pd.concat(tables, ignore_index=True)


def rise_markdown(table: pd.DataFrame) -> str:
    """The rise times as a Markdown section of summary.md: per run, mode k's rise over tau_k, to half
    its final value and to half the theory's sqrt(lambda_k)."""
    modes = sorted(table["mode"].unique())
    header = ["| run | " + " | ".join(f"mode {mode}" for mode in modes) + " |", "|---|" + "---|" * len(modes)]
    lines = [
        "## Stepwise learning: when each of the top modes rises",
        "",
        f"Rise: the first time a singular value reaches {RISE_SHARE:.0%} of its final value, over the theory's "
        "tau_k on the run's clock (docs/paper.md section 4); in brackets the singular-value records between "
        "10 % and 90 % of the final value.",
        "",
        *header,
    ]
    for run, rows in table.groupby("run", sort=False):
        cells = [f"{row.rise_over_tau:.2f} ({row.records_in_rise})" for row in rows.itertuples(index=False)]
        lines.append(f"| {run} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Level: the first time a singular value reaches {RISE_SHARE:.0%} of the theory's final value "
        "sqrt(lambda_k), over tau_k (the theory itself: just under 1).",
        "",
        *header,
    ]
    for run, rows in table.groupby("run", sort=False):
        lines.append(
            f"| {run} | " + " | ".join(f"{row.level_over_tau:.2f}" for row in rows.itertuples(index=False)) + " |"
        )
    return "\n".join(lines) + "\n"
