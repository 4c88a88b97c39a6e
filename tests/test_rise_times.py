"""When a run's top modes rise (w2vtheory.analysis.rise_times), on records that follow the theory."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from w2vtheory.analysis.rise_times import (
    experiment_rise_table,
    first_crossing_time,
    records_in_band,
    rise_markdown,
    rise_table,
)
from w2vtheory.theory.dynamics import half_rise_time, singular_value_theory, tau

EIGVALS = np.array([4.0, 2.0, 1.0])
S0 = 1e-6


def theory_record(n_records: int, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Steps, times and singular values of a run that follows the theory, its values times `scale`."""
    times = np.linspace(0.0, 2.0 * tau(EIGVALS, S0)[-1], n_records)
    return np.arange(n_records) * 10, times, scale * singular_value_theory(times, EIGVALS, S0)


def test_first_crossing_interpolates_between_records():
    assert first_crossing_time(np.array([0.0, 1.0, 2.0]), np.array([0.0, 1.0, 3.0]), 2.0) == pytest.approx(1.5)
    assert first_crossing_time(np.array([0.0, 1.0]), np.array([5.0, 6.0]), 2.0) == 0.0
    assert np.isnan(first_crossing_time(np.array([0.0, 1.0]), np.array([0.0, 1.0]), 2.0))
    # records from the first at 10 % to the first at 90 % of the final value
    assert records_in_band(np.array([0.0, 0.05, 0.2, 0.5, 0.8, 0.95, 1.0]), 1.0) == 3
    assert records_in_band(np.array([0.0, 1.0]), 1.0) == 0


def test_a_run_that_follows_the_theory_rises_at_the_theory_half_rise_time():
    steps, times, values = theory_record(4001)
    table = rise_table("qwem", steps, times, values, EIGVALS, S0, top_modes=5)
    assert table["mode"].tolist() == [1, 2, 3]  # no more modes than the record holds
    np.testing.assert_allclose(table["rise_time"], half_rise_time(EIGVALS, S0), rtol=1e-3)
    np.testing.assert_allclose(table["level_time"], half_rise_time(EIGVALS, S0), rtol=1e-3)
    np.testing.assert_allclose(table["rise_over_tau"], table["rise_time"] / tau(EIGVALS, S0))
    assert (table["rise_over_tau"] < 1).all() and (table["rise_over_tau"] > 0.9).all()
    assert (table["records_in_rise"] >= 4).all()
    assert table["rise_step"].is_monotonic_increasing


def test_a_loss_that_ends_higher_rises_late_against_its_final_value_but_on_time_against_the_theory():
    steps, times, values = theory_record(4001)
    higher = values * np.where(times[:, None] > 1.2 * tau(EIGVALS, S0)[-1], 3.0, 1.0)  # grows on after its rise
    table = rise_table("setting31", steps, times, higher, EIGVALS, S0)
    assert (table["rise_over_tau"] > 1.1).all()
    np.testing.assert_allclose(table["level_time"], half_rise_time(EIGVALS, S0), rtol=1e-3)


def test_coarse_records_count_few_records_per_rise_and_the_summary_says_so():
    steps, times, values = theory_record(12)
    record = pd.DataFrame(values, columns=["s1", "s2", "s3"]).assign(step=steps, time=times)
    table = experiment_rise_table(["qwem"], [record], [{"s0": S0}], EIGVALS)
    assert (table["records_in_rise"] < 4).all()
    text = rise_markdown(table)
    assert "| run | mode 1 | mode 2 | mode 3 |" in text
    first = table.iloc[0]
    assert f"| qwem | {first.rise_over_tau:.2f} ({first.records_in_rise}) |" in text
