"""The trainer on a synthetic topic-model corpus: outputs, resume, divergence, exact mode, learning."""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pandas as pd
import pytest
import torch

from w2vtheory import theory
from w2vtheory.cooccurrence import count_cooccurrence, count_pairs
from w2vtheory.errors import InputError
from w2vtheory.sampler import corpus_layout
from w2vtheory.statistics import CorpusStatistics, joint_probability, mstar, unigram_probability
from w2vtheory.theory_curves import loss_curve, singular_value_curves
from w2vtheory.training import RunConfig, TrainingProblem, build_objective, train
from w2vtheory.training.objective import objective_clock
from w2vtheory.training.outputs import singular_value_arrays
from w2vtheory.training.steppers import TorchStepper

OUTPUTS = [
    "trace.csv",
    "evaluations.csv",
    "singular_values.csv",
    "checkpoints.csv",
    "W.npy",
]


def synthetic_corpus(
    vocab_size: int, n_topics: int, n_docs: int, doc_length: int, seed: int = 0, topic_share: float = 0.7
) -> tuple[np.ndarray, np.ndarray]:
    """Documents of one topic each: words from a Zipf background (share 1 - topic_share) or from
    the topic's Zipf distribution over 30 random words. Each topic gives M* one strong eigenmode."""
    rng = np.random.default_rng(seed)
    zipf = 1.0 / np.arange(1, vocab_size + 1)
    background = zipf / zipf.sum()
    topic_words = min(30, vocab_size)
    topics = np.zeros((n_topics, vocab_size))
    for topic in topics:
        topic[rng.choice(vocab_size, topic_words, replace=False)] = zipf[:topic_words] / zipf[:topic_words].sum()
    documents = [
        rng.choice(
            vocab_size, doc_length, p=(1 - topic_share) * background + topic_share * topics[rng.integers(n_topics)]
        )
        for _ in range(n_docs)
    ]
    return np.concatenate(documents).astype(np.uint16), np.arange(n_docs + 1, dtype=np.int64) * doc_length


@cache
def _problem(vocab_size: int, n_topics: int, n_docs: int, dim: int, window: int = 8, k: float = 1.0) -> TrainingProblem:
    tokens, offsets = synthetic_corpus(vocab_size, n_topics, n_docs, 500)
    counts = count_cooccurrence(tokens, offsets, vocab_size, window)
    n_pairs = count_pairs(offsets, window)
    unigram = unigram_probability(np.bincount(tokens, minlength=vocab_size).astype(np.float64))
    statistics = CorpusStatistics(joint_probability(counts, n_pairs, window), unigram, window, n_pairs)
    eigvals = np.linalg.eigvalsh(mstar(statistics.joint, unigram, k))[::-1].copy()
    return TrainingProblem(tokens, offsets, statistics, k, dim, eigvals)


def _top_eigvecs(problem: TrainingProblem, count: int) -> np.ndarray:
    statistics = problem.statistics
    _, vectors = np.linalg.eigh(mstar(statistics.joint, statistics.unigram, problem.negative_weight))
    return vectors[:, ::-1][:, :count]


def _subspace_overlap(W: np.ndarray, vectors: np.ndarray) -> float:
    """Mean squared overlap of W's top singular directions with `vectors` (1 = same subspace)."""
    left, _, _ = np.linalg.svd(W, full_matrices=False)
    count = vectors.shape[1]
    return float(np.sum((vectors.T @ left[:, :count]) ** 2) / count)


def _config(**settings) -> RunConfig:
    base = dict(loss="qwem", reweight="omniscient", lr=2.0, init_scale=1e-6, steps=250, batch_size=2000,
                log_every=10, eval_every=100, singular_values_every=100, n_checkpoints=6, device="cpu")  # fmt: skip
    return RunConfig.from_mapping(base | settings, "experiments.test.runs.qwem")


def test_run_directory_has_every_file_in_the_agreed_format(tmp_path):
    problem = _problem(40, 4, 40, dim=4)
    config = _config()
    summary = train(config, problem, tmp_path, evaluate=lambda W: 0.25, progress=False)

    objective = build_objective(problem, config)
    mean_square = objective.mstar_mean_square(problem.vocab_size)
    trace = pd.read_csv(tmp_path / "trace.csv")
    assert list(trace.columns) == ["step", "time", "lr", "loss", "loss_normalised"]
    assert trace["step"].tolist() == list(range(0, 250, 10))
    # omniscient QWEM with the authors' normaliser -mean(M*^2): t per step = 2 lr mean(G) / mean(M*^2)
    np.testing.assert_allclose(trace["time"], trace["step"] * 2 * 2.0 * objective.mean_pair_weight / mean_square)
    np.testing.assert_allclose(trace["loss_normalised"], 1 - trace["loss"] / summary["loss_normaliser"])
    assert summary["loss_normaliser"] == pytest.approx(-mean_square)
    assert trace["loss_normalised"].iloc[0] == pytest.approx(1.0, abs=1e-9)

    evaluations = pd.read_csv(tmp_path / "evaluations.csv")
    assert list(evaluations.columns) == ["step", "time", "analogy_accuracy"]
    assert evaluations["step"].tolist() == [0, 100, 200, 250]
    assert (evaluations["analogy_accuracy"] == 0.25).all()
    records = pd.read_csv(tmp_path / "singular_values.csv")
    assert list(records.columns) == ["step", "time", "s1", "s2", "s3", "s4"]
    assert records["step"].tolist() == list(range(0, 250, 100)) + [250]
    _, singular_values = singular_value_arrays(records)
    assert np.all(np.diff(singular_values, axis=1) <= 0)

    checkpoints = pd.read_csv(tmp_path / "checkpoints.csv")
    assert list(checkpoints.columns) == ["step", "time", "file"]
    assert checkpoints["step"].iloc[0] == 0 and checkpoints["step"].iloc[-1] == 250
    assert np.all(np.diff(checkpoints["step"]) > 0) and len(checkpoints) <= 7
    W = np.load(tmp_path / "W.npy")
    assert W.shape == (40, 4) and W.dtype == np.float64
    assert np.array_equal(np.load(tmp_path / checkpoints["file"].iloc[-1]), W)
    assert np.allclose(np.linalg.svd(W, compute_uv=False), singular_values[-1])

    run = json.loads((tmp_path / "run.json").read_text())
    predicted = singular_value_curves(run, records, problem.mstar_eigvals)
    assert list(predicted.columns) == ["step", "time", "mode", "singular_value"]
    assert len(predicted) == 4 * 4 and predicted["mode"].tolist()[:4] == [1, 2, 3, 4]
    np.testing.assert_allclose(
        predicted["singular_value"].to_numpy().reshape(4, 4),
        theory.singular_value_theory(records["time"].to_numpy(), problem.mstar_eigvals[:4], 1e-6),
    )
    theory_loss = loss_curve(run, trace, problem.mstar_eigvals)
    assert list(theory_loss.columns) == ["step", "time", "loss_normalised"] and len(theory_loss) == len(trace)
    assert theory_loss["loss_normalised"].iloc[0] == pytest.approx(1.0, abs=1e-6)

    keys = ("time_per_unit_lr", "tau", "s0", "loss_normaliser", "mean_pair_weight", "wall_seconds", "steps_per_second")
    for key in (*keys, "device", "dtype"):
        assert key in run
    assert run["run"]["lr"] == 2.0 and run["device"] == "cpu" and len(run["tau"]) == 4
    # k = 1 and P(i,j) summing to about 1: the authors' clock 4 lr / (V^2 mean(M*^2))
    assert run["time_per_unit_lr"] == pytest.approx(4 / (40**2 * mean_square), rel=0.05)
    assert not (tmp_path / "resume").exists()


@pytest.mark.parametrize(
    "loss, settings",
    [("qwem", {}), ("sgns", {}), ("sgns", {"exact": True, "lr": 20.0, "momentum": 0.9, "momentum_from": 150})],
)
def test_killed_run_resumes_to_identical_outputs(tmp_path, loss, settings):
    """Also an exact run killed while its heavy-ball velocity is built up (momentum from step 150)."""
    problem = _problem(40, 4, 40, dim=4)
    config = _config(loss=loss, reweight="sgns" if loss == "sgns" else "omniscient", init_scale=0.1, **settings)
    train(config, problem, tmp_path / "whole", progress=False)

    def killed_at_200(W):
        if killed_at_200.calls == 2:  # evaluations at 0, 100, then the kill at 200
            raise KeyboardInterrupt
        killed_at_200.calls += 1
        return float("nan")

    killed_at_200.calls = 0
    with pytest.raises(KeyboardInterrupt):
        train(config, problem, tmp_path / "resumed", evaluate=killed_at_200, progress=False, resume_interval_seconds=0)
    assert (tmp_path / "resumed/resume/state.npz").exists()
    assert not (tmp_path / "resumed/trace.csv").exists()
    summary = train(config, problem, tmp_path / "resumed", progress=False)
    assert summary["resumed_from_step"] == 200
    for name in OUTPUTS:
        assert (tmp_path / "whole" / name).read_bytes() == (tmp_path / "resumed" / name).read_bytes(), name


def test_resume_state_of_other_settings_is_ignored(tmp_path):
    problem = _problem(40, 4, 40, dim=4)
    killer = _raise_at_second_evaluation()
    with pytest.raises(KeyboardInterrupt):
        train(_config(), problem, tmp_path, evaluate=killer, progress=False, resume_interval_seconds=0)
    summary = train(_config(seed=1), problem, tmp_path, progress=False)
    assert summary["resumed_from_step"] == 0


def _raise_at_second_evaluation():
    calls = []

    def evaluate(W):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return 0.0

    return evaluate


@pytest.mark.parametrize("exact", [False, True])
def test_divergence_stops_with_step_lr_and_fix_and_leaves_nothing(tmp_path, exact):
    problem = _problem(40, 4, 40, dim=4)
    # exact mode's loss is read only at log steps: W is checked before every evaluation too
    config = _config(lr=1e6, init_scale=1.0, exact=exact, log_every=1000, eval_every=50)
    with pytest.raises(
        InputError, match=r"at step \d+ \(learning rate 1e\+06, float64\).*Lower `experiments.test.runs.qwem.lr`"
    ):
        train(config, problem, tmp_path, progress=False)
    assert not (tmp_path / "trace.csv").exists()
    assert not (tmp_path / "resume").exists() and not (tmp_path / "checkpoints").exists()


def test_config_errors_name_the_key():
    with pytest.raises(InputError, match=r"experiments.test.runs.qwem.*unknown run settings colour"):
        _config(colour="red")
    with pytest.raises(InputError, match=r"`experiments.test.runs.qwem.dtype` = 'float16'"):
        _config(dtype="float16")
    with pytest.raises(InputError, match=r"`experiments.test.runs.qwem.steps` = 50.5: must be a positive integer"):
        _config(steps=50.5)
    with pytest.raises(InputError, match=r"`experiments.test.runs.qwem.lr` = nan: must be a finite positive number"):
        _config(lr=float("nan"))
    with pytest.raises(InputError, match=r"`experiments.test.runs.qwem.negatives_per_positive` = 3: only runs with"):
        _config(negatives_per_positive=3)
    # the same settings in exact mode (as a run's converged reference builds them) draw no pairs
    assert _config(negatives_per_positive=3, exact=True).negatives_per_positive == 3
    with pytest.raises(InputError, match=r"`experiments.test.runs.qwem.momentum` = 0.9: only exact runs"):
        _config(momentum=0.9)
    with pytest.raises(InputError, match=r"`experiments.test.runs.qwem.momentum` = 1.0: must be a number in \[0, 1\)"):
        _config(momentum=1.0, exact=True)
    with pytest.raises(InputError, match=r"`experiments.test.runs.qwem.momentum_from` = -1: must be a non-negative"):
        _config(momentum=0.5, momentum_from=-1, exact=True)
    with pytest.raises(InputError, match=r"`experiments.test.runs.qwem.lr_schedule`: unknown settings tau"):
        _config(lr_schedule={"decay_from": 10, "tau": 5})
    with pytest.raises(InputError, match=r"`experiments.test.runs.qwem.lr_schedule.decay_steps` = 0: must be"):
        _config(lr_schedule={"decay_from": 10, "decay_steps": 0})


def test_inverse_time_schedule_is_expanded_into_the_run_config():
    config = _config(steps=300, lr_schedule={"decay_from": 100, "decay_steps": 40, "anneal_steps": 60})
    assert config.lr_schedule == tuple(theory.inverse_time_schedule(100, 40, 60, 300))
    assert config.resolved()["lr_schedule"][0] == [100, pytest.approx(1 / 1.25)]


def _risen_errors(run_dir, eigvals: np.ndarray, s0: float, modes: int) -> np.ndarray:
    """Relative errors of the measured singular values where the theory's mode k has risen (>= 95%)."""
    records = pd.read_csv(run_dir / "singular_values.csv")
    measured = singular_value_arrays(records)[1][:, :modes]
    predicted = theory.singular_value_theory(records["time"].to_numpy(), eigvals[:modes], s0)
    risen = predicted >= 0.95 * np.sqrt(eigvals[:modes])
    assert risen[-1].all()
    return np.abs(measured - predicted)[risen] / predicted[risen]


def test_exact_mode_follows_the_closed_form(tmp_path):
    problem = _problem(60, 5, 60, dim=6)
    eigvals = problem.mstar_eigvals
    config = _config(exact=True, lr=20.0, steps=1500, eval_every=50, log_every=50, singular_values_every=50)
    summary = train(config, problem, tmp_path, progress=False)
    assert summary["final_time"] > 2 * theory.tau(eigvals[4], 1e-6)
    assert _risen_errors(tmp_path, eigvals, 1e-6, 5).max() < 0.05
    assert _subspace_overlap(np.load(tmp_path / "W.npy"), _top_eigvecs(problem, 5)) > 0.999
    trace = pd.read_csv(tmp_path / "trace.csv")
    predicted = loss_curve(json.loads((tmp_path / "run.json").read_text()), trace, eigvals)
    assert np.abs(trace["loss_normalised"] - predicted["loss_normalised"]).iloc[-10:].max() < 2e-3


@pytest.mark.slow
def test_torch_path_learns_like_the_theory():
    """The device (GPU) step, run here on the CPU: the loss follows the theory's normalised loss."""
    problem = _problem(40, 4, 40, dim=4)
    config = _config(lr=1.0, batch_size=4000)
    objective = build_objective(problem, config)
    W0 = np.random.default_rng(0).standard_normal((40, 4)) * 1e-6 / 2
    stepper = TorchStepper(
        W0, corpus_layout(problem.tokens, problem.doc_offsets, 8), objective, config, 1.0, torch.device("cpu")
    )
    steps = 450
    losses = [float(stepper.step(step, config.lr)) for step in range(steps)]
    final_normalised = 1 - np.mean(losses[-100:]) / objective.normaliser
    clock = objective_clock(objective, problem.statistics, 1.0, problem.mstar_eigvals[0])
    t = theory.cumulative_time(steps, config.lr, (), clock.time_per_unit_lr)
    predicted = theory.normalised_loss_theory(
        theory.singular_value_theory(t, problem.mstar_eigvals[:4], 1e-6),
        problem.mstar_eigvals[:4],
        objective.mstar_squared_norm,
        objective.mean_pair_weight,
        40,
    )
    assert final_normalised == pytest.approx(predicted, abs=0.04)
    assert predicted < 0.9  # the comparison is made after modes were learned


def test_torch_path_takes_finite_steps_in_both_dtypes():
    problem = _problem(40, 4, 40, dim=4)
    for dtype in ("float32", "float64"):
        config = _config(dtype=dtype, init_scale=0.1)
        objective = build_objective(problem, config)
        W0 = np.random.default_rng(0).standard_normal((40, 4)) * 0.05
        layout = corpus_layout(problem.tokens, problem.doc_offsets, 8)
        stepper = TorchStepper(W0, layout, objective, config, 1.0, torch.device("cpu"))
        losses = [float(stepper.step(step, config.lr)) for step in range(5)]
        assert np.isfinite(losses).all() and stepper.W.dtype == getattr(torch, dtype)
        assert stepper.embeddings().dtype == np.float64 and not np.array_equal(stepper.embeddings(), W0)


def test_float32_run_tracks_float64(tmp_path):
    problem = _problem(40, 4, 40, dim=4)
    single = train(_config(dtype="float32", init_scale=0.1), problem, tmp_path / "single", progress=False)
    double = train(_config(init_scale=0.1), problem, tmp_path / "double", progress=False)
    assert np.load(tmp_path / "single/W.npy").dtype == np.float32
    assert single["final_loss_normalised"] == pytest.approx(double["final_loss_normalised"], abs=1e-3)


@pytest.mark.slow
def test_small_init_qwem_learns_top_eigenvectors_on_the_theory_clock(tmp_path):
    problem = _problem(200, 11, 600, dim=20)
    eigvals = problem.mstar_eigvals
    config = _config(lr=10.0, lr_schedule=[[2000, 0.1]], steps=2500, batch_size=20_000, eval_every=50, log_every=50)
    train(config, problem, tmp_path, progress=False)
    overlap = _subspace_overlap(np.load(tmp_path / "W.npy"), _top_eigvecs(problem, 10))
    errors = _risen_errors(tmp_path, eigvals, 1e-6, 10)
    assert overlap >= 0.99
    assert np.quantile(errors, 0.95) < 0.05


@pytest.mark.slow
@pytest.mark.parametrize("init_scale", [1e-6, 0.5])
def test_sgns_trains_stably_from_small_and_large_init(tmp_path, init_scale):
    problem = _problem(200, 11, 600, dim=20)
    config = _config(
        loss="sgns",
        reweight="sgns",
        lr=10.0,
        init_scale=init_scale,
        steps=2000,
        batch_size=20_000,
        eval_every=100,
        log_every=50,
    )
    summary = train(config, problem, tmp_path, progress=False)
    trace = pd.read_csv(tmp_path / "trace.csv")
    assert np.isfinite(trace["loss"]).all()
    assert summary["final_loss_normalised"] < 0.8
    assert _subspace_overlap(np.load(tmp_path / "W.npy"), _top_eigvecs(problem, 5)) > 0.8
