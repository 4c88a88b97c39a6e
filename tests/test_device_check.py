"""benchmarks/device_check.py: its CPU mode passes, its checks catch a wrong step or sampler, and its
GPU-hours follow steps / (steps/s)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import torch
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "device_check.py"
CPU = torch.device("cpu")


def load_script():
    spec = importlib.util.spec_from_file_location("device_check", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def run_script(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=900, env=env, cwd=ROOT
    )


def table_rows(output: str, header: str) -> list[str]:
    """The lines after the line starting with `header`, up to the next blank line."""
    lines = output.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        rows.append(line)
    return rows


@pytest.fixture(scope="module")
def script():
    return load_script()


@pytest.fixture(scope="module")
def small_problem(script):
    return script.synthetic_problem(200, 8, 40_000)


def test_cpu_mode_passes_every_check_and_times_every_path():
    result = run_script("--device", "cpu")
    assert result.returncode == 0, result.stdout + result.stderr
    rows = table_rows(result.stdout, "correctness ")
    names = " | ".join(rows)
    for expected in ("exact step", "qwem/omniscient", "sgns/sgns", "sampler", "eigenvalues = scipy", "residual"):
        assert expected in names
    assert len(rows) == 7  # exact, 2 sampled steps, sampler, 3 spectrum rows (the cross-device rows need CUDA)
    for row in rows:
        assert re.search(r"\s(ok)(\s|$)", row), row
        assert "FAIL" not in row
    speeds = table_rows(result.stdout, "speed ")
    assert len(speeds) == 10  # float64: 4 sampled settings + exact; float32: 2 + exact; eigenpairs; train loop
    for row in speeds:
        measured, bound = re.search(r"\s([\d,.e+-]+)\s+([\d,.e+-]+)\s+\d+%", row).groups()
        assert float(measured.replace(",", "")) > 0 and float(bound.replace(",", "")) > 0, row


def test_a_wrong_sampled_step_fails_against_the_numba_kernel(script, small_problem, monkeypatch):
    correct = script.torch_sgd_step

    def wrong_step(W, batch, weights, loss, negative_weight, gradient_scale, lr):
        return correct(W, batch, weights, loss, negative_weight, gradient_scale, 1.001 * lr)

    assert all(check.ok for check in script.check_sampled_step(small_problem, ("qwem", "omniscient"), 500, CPU))
    monkeypatch.setattr(script, "torch_sgd_step", wrong_step)
    checks = script.check_sampled_step(small_problem, ("qwem", "omniscient"), 500, CPU)
    assert not any(check.ok for check in checks)


def test_a_biased_sampler_fails_the_frequency_check(script, small_problem, monkeypatch):
    assert script.check_sampler(small_problem, 4, 100_000, CPU).ok

    class BiasedSampler(script.TorchPairSampler):
        def sample(self, seed, step, batch_size):
            batch = super().sample(seed, step, batch_size)
            return replace(batch, weight=1.2 * batch.weight)

    monkeypatch.setattr(script, "TorchPairSampler", BiasedSampler)
    check = script.check_sampler(small_problem, 4, 100_000, CPU)
    assert not check.ok


def test_a_wrong_exact_step_fails_the_direction_check(script, small_problem, monkeypatch):
    assert all(check.ok for check in script.check_exact(small_problem, CPU))

    class WrongExact(script.ExactStepper):
        def embeddings(self):
            W = super().embeddings()
            W[0] += 1e-6  # one row off the gradient direction
            return W

    monkeypatch.setattr(script, "ExactStepper", WrongExact)
    assert not any(check.ok for check in script.check_exact(small_problem, CPU))


def test_gpu_hours_are_steps_over_rate_for_the_paper_runs():
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    runs = [
        (experiment, name, run["steps"])
        for experiment in config["paper_experiments"]
        for name, run in config["experiments"][experiment]["runs"].items()
    ]
    result = run_script("--cost-from", "1000")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for experiment, name, steps in runs:
        row = next(line for line in lines if line.split()[:2] == [experiment, name])
        assert float(row.split()[-1]) == pytest.approx(steps / 1000 / 3600, abs=0.005)
    total = next(line for line in lines if line.startswith("total"))
    assert float(total.split()[-1]) == pytest.approx(sum(steps for *_, steps in runs) / 1000 / 3600, abs=0.005)


def test_mixed_settings_away_from_the_paper_size_borrow_their_reweightings_rate(script):
    runs = script.paper_runs(ROOT / "config.yaml")
    rates = script.StepRates(script.SIZES["cpu"], CPU, script.Ceilings(1.0, {}))
    usual_loss = {reweight: loss for loss, reweight in script.SETTINGS}
    for run in runs:  # pretend measured: a distinct rate for each setting the paper uses unmixed
        setting = script.run_setting(run)
        if (setting.loss, setting.reweight) in script.SETTINGS:
            rates.rates[setting] = 100.0 + setting.vocab / 1000 + len(setting.loss)
    rate_of = script.measured_rate(rates, (10_000, 200, 1.0))
    marks = []
    for run in runs:
        setting = script.run_setting(run)
        rate, mark = rate_of(run)
        marks.append(mark)
        if mark:
            assert (setting.loss, setting.reweight) in script.MIXED_SETTINGS and setting.vocab != 10_000
            assert rate == rates.rates[replace(setting, loss=usual_loss[setting.reweight])]
        else:
            assert rate == rates.rates[setting]
    assert marks.count("*") == 2  # the ablation's sgns/omniscient and qwem/sgns runs


def test_a_rate_that_is_not_positive_is_refused():
    result = run_script("--cost-from", "0")
    assert result.returncode == 2
    assert "--cost-from" in result.stderr
