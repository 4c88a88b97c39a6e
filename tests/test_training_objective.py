"""Calibration against the authors' loss, sampled vs exact gradients (both samplers), the proportional
sampler's alias tables, and exact mode's two routes."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
import torch

from tests.conftest import run_settings
from w2vtheory.closed_form.statistics import CorpusStatistics, joint_probability, mstar, unigram_probability
from w2vtheory.corpus.cooccurrence import count_cooccurrence, count_pairs
from w2vtheory.errors import InputError
from w2vtheory.theory import dynamics
from w2vtheory.training import RunConfig, TrainingProblem, build_objective, cpu_kernels
from w2vtheory.training import objective as objective_module
from w2vtheory.training.objective import DenseExpectedLoss, expected_loss_and_gradient, torch_loss_slopes
from w2vtheory.training.proportional_sampler import (
    ProportionalPairs,
    TorchProportionalSampler,
    alias_table,
    product_table,
)
from w2vtheory.training.reweighting import expected_pair_tables
from w2vtheory.training.sampler import PairBatch, corpus_layout, distance_weight, step_key
from w2vtheory.training.steppers import (
    ExactStepper,
    NumbaStepper,
    ProportionalNumbaStepper,
    ProportionalTorchStepper,
    TorchStepper,
    torch_pair_update,
)

SETTINGS = [(loss, reweight, k) for loss in ("sgns", "qwem") for reweight in ("omniscient", "sgns", "unigram") for k in (1.0, 2.0)]  # fmt: skip


def _problem(vocab: int = 12, n_tokens: int = 3000, doc_length: int = 500, window: int = 3, k: float = 1.0):
    rng = np.random.default_rng(3)
    zipf = 1.0 / np.arange(1, vocab + 1)
    tokens = rng.choice(vocab, n_tokens, p=zipf / zipf.sum()).astype(np.uint16)
    tokens[:vocab] = np.arange(vocab)  # every word occurs
    offsets = np.arange(0, n_tokens + 1, doc_length, dtype=np.int64)
    counts = count_cooccurrence(tokens, offsets, vocab, window)
    n_pairs = count_pairs(offsets, window)
    unigram = unigram_probability(np.bincount(tokens, minlength=vocab).astype(np.float64))
    statistics = CorpusStatistics(joint_probability(counts, n_pairs, window), unigram, window, n_pairs)
    eigvals = np.linalg.eigvalsh(mstar(statistics.joint, unigram, k))[::-1]
    return TrainingProblem(tokens, offsets, statistics, k, 4, eigvals)


def _config(loss: str, reweight: str, **settings) -> RunConfig:
    base = dict(loss=loss, reweight=reweight, lr=0.5, init_scale=0.5, steps=1, batch_size=500, device="cpu")
    return RunConfig.from_mapping(run_settings(**{**base, "subsample_t": 1e-2, **settings}))


def _authors_min_loss(loss: str, reweight: str, joint: np.ndarray, unigram: np.ndarray, k: float) -> float:
    """The authors' normaliser, written out from their trainer's definitions."""
    if reweight == "sgns":
        return -0.12
    if reweight == "unigram":
        return -0.5
    independent = k * np.outer(unigram, unigram)
    if loss == "qwem":
        return -np.mean((2 * (joint - independent) / (joint + independent)) ** 2)
    return -np.mean(np.log(joint / independent + math.exp(-5)) ** 2)


def _authors_weights(reweight: str, joint: np.ndarray, unigram: np.ndarray, k: float, t: float):
    """(q+, q-) as functions of index tensors, from the authors' definitions."""
    if reweight == "omniscient":
        G = joint + k * np.outer(unigram, unigram)
        q = torch.tensor(G.mean() / G)
        return (lambda i, j: q[i, j]), (lambda i, j: q[i, j])
    if reweight == "unigram":
        u = torch.tensor(unigram.mean() / unigram)
        return (lambda i, j: u[i] * u[j]), (lambda i, j: u[i] * u[j])
    accept = np.clip(t / unigram + np.sqrt(t / unigram), 0, 1)
    accept = torch.tensor(accept / accept.mean())
    smoothing = unigram**0.75 / unigram
    smoothing = torch.tensor(smoothing / smoothing.mean())
    return (lambda i, j: accept[i] * accept[j]), (
        lambda i, j: 0.5 * (accept[i] * smoothing[j] + accept[j] * smoothing[i])
    )


def _authors_step(W0, batch: PairBatch, loss, reweight, statistics, k, t, lr, window) -> np.ndarray:
    """One SGD step on 1 - mean(pos_term + neg_term)/min_loss, differentiated by autograd."""
    W = torch.tensor(W0, requires_grad=True)
    q_positive, q_negative = _authors_weights(reweight, statistics.joint, statistics.unigram, k, t)
    c, j, n = batch.centre, batch.context, batch.negative
    pos_weights = batch.weight * q_positive(c, j)  # batch.weight is (L+1-d)/((L+1)/2)
    neg_weights = k * q_negative(c, n)
    pos_sim, neg_sim = (W[c] * W[j]).sum(1), (W[c] * W[n]).sum(1)
    if loss == "qwem":
        terms = (-pos_sim + pos_sim**2 / 4) * pos_weights + (neg_sim + neg_sim**2 / 4) * neg_weights
    else:
        terms = (
            torch.log(1 + torch.exp(-pos_sim)) * pos_weights
            + torch.log(1 + torch.exp(neg_sim)) * neg_weights
            - math.log(2) * (pos_weights + neg_weights)
        )
    min_loss = _authors_min_loss(loss, reweight, statistics.joint, statistics.unigram, k)
    (1 - terms.mean() / min_loss).backward()
    return (W - lr * W.grad).detach().numpy()


def _kernel_batch(layout, key: int, batch_size: int, window: int) -> PairBatch:
    drawn = cpu_kernels.sample_pairs(
        np.uint64(key), batch_size, layout.tokens, layout.doc_starts, layout.doc_lengths, layout.pair_offsets
    )
    weight = torch.tensor(distance_weight(drawn[:, 2].astype(np.float64), window))
    return PairBatch(torch.tensor(drawn[:, 0]), torch.tensor(drawn[:, 1]), weight, torch.tensor(drawn[:, 3]))


@pytest.mark.parametrize("loss,reweight,k", SETTINGS)
def test_every_setting_takes_the_authors_step(loss, reweight, k):
    """With the paper's hyperparameters a step is the authors' step: the same update for the same batch,
    on the CPU kernel and on the torch (device) path."""
    problem = _problem(k=k)
    config = _config(loss, reweight)
    objective = build_objective(problem.statistics, problem.negative_weight, config)
    layout = corpus_layout(problem.tokens, problem.doc_offsets, problem.window)
    W0 = np.random.default_rng(1).standard_normal((problem.vocab_size, 4)) * 0.4
    step = 3
    batch = _kernel_batch(layout, step_key(config.seed, step), config.batch_size, problem.window)
    expected = _authors_step(W0, batch, loss, reweight, problem.statistics, k, config.subsample_t, config.lr, 3)

    numba_stepper = NumbaStepper(W0.copy(), layout, objective, config, k)
    numba_stepper.step(step, config.lr)
    np.testing.assert_allclose(numba_stepper.W, expected, rtol=1e-10, atol=1e-12)

    torch_stepper = TorchStepper(W0, layout, objective, config, k, torch.device("cpu"))
    torch_batch = torch_stepper.sampler.sample(config.seed, step, config.batch_size)
    W_torch = _authors_step(W0, torch_batch, loss, reweight, problem.statistics, k, config.subsample_t, config.lr, 3)
    torch_stepper.step(step, config.lr)
    np.testing.assert_allclose(torch_stepper.W.numpy(), W_torch, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("loss,reweight", [("sgns", "sgns"), ("qwem", "omniscient"), ("sgns", "unigram")])
def test_mean_sampled_gradient_approaches_the_exact_one(loss, reweight):
    """The average of n sampled gradients converges to the exact-mode gradient, its error shrinking like
    1/sqrt(n) (one long document, so the centre marginal is P(i) up to edge terms of order L/length)."""
    problem = _problem(vocab=10, n_tokens=200_000, doc_length=200_000, window=2)
    sampled = _config(loss, reweight, batch_size=2000)
    exact = _config(loss, reweight, exact=True)
    W0 = np.random.default_rng(2).standard_normal((problem.vocab_size, 4)) * 0.5
    exact_stepper = ExactStepper(
        W0, build_objective(problem.statistics, problem.negative_weight, exact), torch.float64, torch.device("cpu")
    )
    _, gradient = exact_stepper.loss_and_gradient()
    exact_gradient = exact_stepper.gradient_scale * gradient.numpy()

    objective = build_objective(problem.statistics, problem.negative_weight, sampled)
    layout = corpus_layout(problem.tokens, problem.doc_offsets, problem.window)
    stepper = NumbaStepper(W0.copy(), layout, objective, sampled, 1.0)
    lr = 1e-3
    total = np.zeros_like(W0)
    errors = {}
    for n in range(1, 1601):
        stepper.W[:] = W0
        stepper.step(n, lr)
        total += (W0 - stepper.W) / lr
        if n in (25, 100, 400, 1600):
            errors[n] = np.linalg.norm(total / n - exact_gradient) / np.linalg.norm(exact_gradient)
    # each fourfold increase of n should halve the error (1/sqrt(n)); allow for the randomness
    ratios = [errors[n] / errors[4 * n] for n in (25, 100, 400)]
    assert 1.3 < np.exp(np.mean(np.log(ratios))) < 3.0, errors
    assert errors[1600] < 0.02


@pytest.mark.parametrize("loss", ["sgns", "qwem"])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("vocab", [150, 200])  # an odd and an even number of 64-row tiles
def test_exact_mode_cpu_kernel_equals_the_torch_route(loss, dtype, vocab):
    rng = np.random.default_rng(5)
    dim = 6
    positive = rng.uniform(0, 1, (vocab, vocab))
    negative = rng.uniform(0, 1, (vocab, vocab))
    positive, negative = (torch.tensor(table + table.T, dtype=dtype) for table in (positive, negative))
    W = torch.tensor(rng.standard_normal((vocab, dim)), dtype=dtype)
    value, gradient = expected_loss_and_gradient(W, positive, negative, loss)
    torch_value, slopes = torch_loss_slopes(W @ W.T, positive, negative, loss)
    tolerance = 1e-12 if dtype == torch.float64 else 1e-5
    assert float(value) == pytest.approx(float(torch_value), rel=tolerance)
    expected = (2.0 * slopes @ W).numpy()
    # entries summed from ~V terms of both signs: absolute error measured against the largest entry
    np.testing.assert_allclose(gradient.numpy(), expected, rtol=tolerance, atol=tolerance * np.abs(expected).max())
    # and both are the autograd gradient of the expected loss
    W_grad = W.double().clone().requires_grad_(True)
    reference, _ = torch_loss_slopes(W_grad @ W_grad.T, positive.double(), negative.double(), loss)
    (autograd,) = torch.autograd.grad(reference, W_grad)
    np.testing.assert_allclose(gradient.double().numpy(), autograd.numpy(), rtol=100 * tolerance, atol=100 * tolerance)


@pytest.mark.parametrize("loss", ["sgns", "qwem"])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_gradient_without_the_loss_is_the_fused_one(loss, dtype):
    """`DenseExpectedLoss.gradient` (in place in its buffers, no loss) equals the fused loss and
    gradient, at two points in a row (the buffers are reused)."""
    rng = np.random.default_rng(6)
    vocab, dim = 130, 5
    positive, negative = (torch.tensor(table + table.T, dtype=dtype) for table in rng.uniform(0, 1, (2, vocab, vocab)))
    expected = DenseExpectedLoss(positive, negative, loss)
    tolerance = 1e-12 if dtype == torch.float64 else 1e-5
    for scale in (0.3, 2.0):
        W = torch.tensor(rng.standard_normal((vocab, dim)) * scale, dtype=dtype)
        value, fused = expected_loss_and_gradient(W, positive, negative, loss)
        buffered_value, buffered = expected.loss_and_gradient(W)
        assert float(buffered_value) == pytest.approx(float(value), rel=tolerance)
        gradient = expected.gradient(W)
        for candidate in (buffered, gradient):
            np.testing.assert_allclose(
                candidate.numpy(), fused.numpy(), rtol=tolerance, atol=tolerance * float(fused.abs().max())
            )


def test_heavy_ball_steps_match_their_definition_and_the_clock():
    """Exact steps with momentum beta from step m: v <- beta v + lr g / |normaliser|, W <- W - v, with
    g the autograd gradient of the expected loss; and along a constant gradient W moves by exactly
    the distance the run's clock (`w2vtheory.theory.dynamics.cumulative_time`) counts."""
    problem = _problem()
    config = _config("sgns", "omniscient", exact=True, dtype="float64", momentum=0.8, momentum_from=3, lr=0.3)
    objective = build_objective(problem.statistics, problem.negative_weight, config)
    W0 = np.random.default_rng(7).standard_normal((problem.vocab_size, 4)) * 0.4
    stepper = ExactStepper(W0, objective, torch.float64, torch.device("cpu"), config.momentum, config.momentum_from)
    positive, negative = (torch.as_tensor(table) for table in objective.tables)
    W, velocity = torch.tensor(W0), torch.zeros(W0.shape, dtype=torch.float64)
    for step in range(8):
        stepper.step(step, config.lr, with_loss=step % 2 == 0)
        leaf = W.clone().requires_grad_(True)
        (gradient,) = torch.autograd.grad(torch_loss_slopes(leaf @ leaf.T, positive, negative, "sgns")[0], leaf)
        update = config.lr * objective.gradient_scale * gradient
        velocity = 0.8 * velocity + update if step >= 3 else velocity
        W = W - (velocity if step >= 3 else update)
    np.testing.assert_allclose(stepper.embeddings(), W.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(stepper.velocity_embeddings(), velocity.numpy(), rtol=1e-10, atol=1e-12)

    lr_schedule = [[5, 0.5]]
    steady = ExactStepper(W0, objective, torch.float64, torch.device("cpu"), 0.8, 3)
    steady.expected.gradient = torch.ones_like
    for step in range(12):
        steady.step(step, float(dynamics.learning_rate(step, 0.3, lr_schedule)), with_loss=False)
    distance = float(dynamics.cumulative_time(12, 0.3, lr_schedule, 1.0, 0.8, 3)) * objective.gradient_scale
    np.testing.assert_allclose(W0 - steady.embeddings(), distance, rtol=1e-12)


def test_exact_omniscient_qwem_routes_agree():
    """The eigenbasis route of omniscient QWEM equals the dense-table route of the same objective."""
    problem = _problem()
    W0 = np.random.default_rng(4).standard_normal((problem.vocab_size, 4)) * 0.3
    objective = build_objective(problem.statistics, problem.negative_weight, _config("qwem", "omniscient", exact=True))
    fast = ExactStepper(W0, objective, torch.float64, torch.device("cpu"))
    statistics = problem.statistics
    tables = expected_pair_tables(objective.weights, statistics.joint, statistics.unigram, problem.negative_weight)
    dense = ExactStepper(W0, replace(objective, mstar=None, tables=tables), torch.float64, torch.device("cpu"))
    fast_value, fast_gradient = fast.loss_and_gradient()
    dense_value, dense_gradient = dense.loss_and_gradient()
    assert float(fast_value) == pytest.approx(float(dense_value), rel=1e-10)
    np.testing.assert_allclose(fast_gradient.numpy(), dense_gradient.numpy(), rtol=1e-10, atol=1e-14)
    # descent in the eigenbasis of M* follows the same iterates as descent on W
    for step in range(50):
        fast.step(step, 0.5)
        dense.step(step, 0.5)
    assert np.abs(fast.embeddings() - W0).max() > 0.1  # the steps moved W
    np.testing.assert_allclose(fast.embeddings(), dense.embeddings(), rtol=1e-9, atol=1e-12)


def test_alias_table_draws_each_unordered_pair_with_its_weight():
    rng = np.random.default_rng(0)
    table = rng.uniform(0, 1, (30, 30)) * (rng.uniform(0, 1, (30, 30)) < 0.4)
    table = table + table.T
    alias = alias_table(table)
    rows, columns, probability = alias.pair_probabilities()
    assert alias.total == pytest.approx(table.sum())
    assert np.all(rows <= columns) and np.all(table[rows, columns] > 0)  # zero-weight pairs are never drawn
    assert len(rows) == np.count_nonzero(np.triu(table))
    expected = np.where(rows == columns, 1.0, 2.0) * table[rows, columns] / table.sum()
    np.testing.assert_allclose(probability, expected, rtol=1e-8, atol=1e-12)  # thresholds are 32-bit


def test_product_table_draws_the_pairs_of_its_dense_table():
    rng = np.random.default_rng(1)
    u, v = rng.uniform(0, 1, 12), rng.uniform(0, 1, 12)
    u[3] = 0.0  # a word that is never a negative centre
    dense = 0.7 * (np.outer(u, v) + np.outer(v, u)) / 2
    product = product_table(u, v, 0.7)
    assert product.total == pytest.approx(dense.sum())
    rows, columns, probability = product.pair_probabilities()
    dense_rows, dense_columns, dense_probability = alias_table(dense).pair_probabilities()
    np.testing.assert_array_equal(rows, dense_rows)
    np.testing.assert_array_equal(columns, dense_columns)
    np.testing.assert_allclose(probability, dense_probability, rtol=1e-7, atol=1e-12)
    # the torch sampler's draws follow it
    pairs = ProportionalPairs(alias_table(dense), product)
    batch = TorchProportionalSampler(pairs, torch.device("cpu")).sample(seed=0, step=1, batch_size=400_000)
    low = torch.minimum(batch.negative_rows, batch.negative_columns).numpy()
    high = torch.maximum(batch.negative_rows, batch.negative_columns).numpy()
    counts = np.zeros((12, 12))
    np.add.at(counts, (low, high), 1)
    np.testing.assert_allclose(counts[rows, columns] / 400_000, probability, atol=3e-3)


def test_kernel_slot_is_the_high_part_of_a_product():
    """The proportional kernel picks an alias-table slot as floor(r n / 2^64) for a 64-bit random r."""
    rng = np.random.default_rng(3)
    values = [
        0,
        1,
        2**32 - 1,
        2**32,
        2**63,
        2**64 - 1,
        *(int(v) for v in rng.integers(0, 2**63, 200, dtype=np.uint64) * 2),
    ]
    for n_slots in (1, 7, 65_535, 12_502_500, 2**32 - 1):
        for value in values:
            assert cpu_kernels._uniform_slot(np.uint64(value), np.uint64(n_slots)) == value * n_slots >> 64


def test_product_table_rejects_a_zero_factor():
    with pytest.raises(ValueError, match="not all zero"):
        product_table(np.zeros(4), np.ones(4), 1.0)


def test_alias_table_rejects_an_empty_or_negative_table():
    with pytest.raises(ValueError, match="not all zero"):
        alias_table(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="non-negative"):
        alias_table(-np.eye(3))


def test_torch_draws_follow_the_table():
    table = np.array([[1.0, 2.0, 0.0], [2.0, 0.0, 3.0], [0.0, 3.0, 4.0]])
    alias = alias_table(table)
    sampler = TorchProportionalSampler(ProportionalPairs(alias, alias), torch.device("cpu"))
    batch = sampler.sample(seed=0, step=1, batch_size=200_000)
    counts = np.zeros((3, 3))
    np.add.at(counts, (batch.positive_rows.numpy(), batch.positive_columns.numpy()), 1)
    # unordered pairs {0,0}: 1, {0,1}: 4, {1,2}: 6, {2,2}: 4, out of 15
    np.testing.assert_allclose(
        counts[[0, 0, 1, 2], [0, 1, 2, 2]] / 200_000, [1 / 15, 4 / 15, 6 / 15, 4 / 15], atol=4e-3
    )
    repeat = sampler.sample(seed=0, step=1, batch_size=200_000)
    assert torch.equal(batch.positive_rows, repeat.positive_rows)  # keyed by (seed, step)


def _sampled_gradient_errors(stepper, W0, exact_gradient, lr=1e-3, checkpoints=(25, 100, 400, 1600)):
    total = np.zeros_like(W0)
    errors = {}
    for n in range(1, checkpoints[-1] + 1):
        stepper.W[:] = W0
        stepper.step(n, lr)
        total += (W0 - stepper.W) / lr
        if n in checkpoints:
            errors[n] = np.linalg.norm(total / n - exact_gradient) / np.linalg.norm(exact_gradient)
    return errors


@pytest.mark.parametrize(
    "loss,reweight,k,negatives",
    [
        ("sgns", "sgns", 1.0, 1),
        ("qwem", "omniscient", 2.0, 1),
        ("sgns", "unigram", 1.0, 1),
        ("sgns", "sgns", 2.0, 3),
        ("qwem", "omniscient", 1.0, 3),
    ],
)
def test_mean_proportional_gradient_is_the_exact_one(loss, reweight, k, negatives):
    """The mean of n sampled gradients converges to exact mode's gradient like 1/sqrt(n): no bias,
    whatever the loss, reweighting, k and number of negatives per positive (the tables carry every
    weight)."""
    problem = _problem(vocab=10, n_tokens=20_000, doc_length=500, window=2, k=k)
    W0 = np.random.default_rng(2).standard_normal((problem.vocab_size, 4)) * 0.5
    exact = ExactStepper(
        W0,
        build_objective(problem.statistics, problem.negative_weight, _config(loss, reweight, exact=True)),
        torch.float64,
        torch.device("cpu"),
    )
    _, gradient = exact.loss_and_gradient()
    exact_gradient = exact.gradient_scale * gradient.numpy()
    config = _config(loss, reweight, batch_size=2000, pair_sampling="proportional", negatives_per_positive=negatives)
    objective = build_objective(problem.statistics, problem.negative_weight, config)
    errors = _sampled_gradient_errors(
        ProportionalNumbaStepper(W0.copy(), objective.pairs, objective, config), W0, exact_gradient
    )
    ratios = [errors[n] / errors[4 * n] for n in (25, 100, 400)]
    assert 1.3 < np.exp(np.mean(np.log(ratios))) < 3.0, errors
    assert errors[1600] < 0.01


def test_proportional_pairs_carry_less_noise_than_corpus_pairs():
    """Same objective, same batch size: the proportional sampler's gradient has a smaller variance."""
    problem = _problem(vocab=10, n_tokens=20_000, doc_length=20_000, window=2)
    W0 = np.random.default_rng(2).standard_normal((problem.vocab_size, 4)) * 0.5
    exact = ExactStepper(
        W0,
        build_objective(problem.statistics, problem.negative_weight, _config("sgns", "omniscient", exact=True)),
        torch.float64,
        torch.device("cpu"),
    )
    _, gradient = exact.loss_and_gradient()
    exact_gradient = exact.gradient_scale * gradient.numpy()
    corpus_config = _config("sgns", "omniscient", batch_size=200)
    proportional_config = _config("sgns", "omniscient", batch_size=200, pair_sampling="proportional")
    corpus_objective = build_objective(problem.statistics, problem.negative_weight, corpus_config)
    proportional_objective = build_objective(problem.statistics, problem.negative_weight, proportional_config)
    layout = corpus_layout(problem.tokens, problem.doc_offsets, problem.window)
    corpus = NumbaStepper(W0.copy(), layout, corpus_objective, corpus_config, 1.0)
    proportional = ProportionalNumbaStepper(
        W0.copy(), proportional_objective.pairs, proportional_objective, proportional_config
    )
    one_step = (1,)
    corpus_error = np.mean(
        [_sampled_gradient_errors(_at(corpus, s), W0, exact_gradient, checkpoints=one_step)[1] for s in range(200)]
    )
    proportional_error = np.mean(
        [
            _sampled_gradient_errors(_at(proportional, s), W0, exact_gradient, checkpoints=one_step)[1]
            for s in range(200)
        ]
    )
    assert proportional_error < 0.8 * corpus_error, (proportional_error, corpus_error)


class _at:
    """A stepper whose step n is step `offset` + n of the wrapped one (fresh batches per trial)."""

    def __init__(self, stepper, offset):
        self.stepper, self.offset = stepper, 1000 * offset

    @property
    def W(self):
        return self.stepper.W

    def step(self, step, lr):
        return self.stepper.step(self.offset + step, lr)


def _proportional_batch_loss(W, rows, columns, loss, objective):
    """The proportional sampler's batch loss written out: each sign's mean loss times its table's total."""
    x_positive = (W[rows[0]] * W[columns[0]]).sum(1)
    x_negative = (W[rows[1]] * W[columns[1]]).sum(1)
    positive, negative = objective.pairs.positive.total, objective.pairs.negative.total
    if loss == "sgns":
        terms = torch.nn.functional.softplus(-x_positive), torch.nn.functional.softplus(x_negative)
    else:
        terms = -x_positive + x_positive**2 / 4, x_negative + x_negative**2 / 4
    return positive * terms[0].mean() + negative * terms[1].mean()


@pytest.mark.parametrize("loss,negatives", [("sgns", 1), ("qwem", 1), ("sgns", 3)])
def test_torch_path_takes_the_kernels_step_for_the_same_pairs(loss, negatives):
    """The torch step on the pairs the torch sampler drew equals a direct computation of the batch
    loss's gradient, and so does the CPU kernel's step on the pairs it drew."""
    problem = _problem(vocab=10, n_tokens=5000)
    config = _config(loss, "sgns", pair_sampling="proportional", batch_size=300, negatives_per_positive=negatives)
    objective = build_objective(problem.statistics, problem.negative_weight, config)
    W0 = np.random.default_rng(7).standard_normal((problem.vocab_size, 4)) * 0.4
    # the CPU kernel, on the pairs its buffers hold after the step (positives, then negatives)
    kernel = ProportionalNumbaStepper(W0.copy(), objective.pairs, objective, config)
    kernel_loss = kernel.step(5, config.lr)
    drawn = kernel.buffers
    assert len(drawn.entry_rows) == config.batch_size * (1 + negatives)
    rows = torch.as_tensor(drawn.entry_rows[: config.batch_size]), torch.as_tensor(
        drawn.entry_rows[config.batch_size :]
    )
    columns = torch.as_tensor(drawn.entry_columns[: config.batch_size]), torch.as_tensor(
        drawn.entry_columns[config.batch_size :]
    )
    W = torch.tensor(W0, requires_grad=True)
    batch_loss = _proportional_batch_loss(W, rows, columns, loss, objective)
    (gradient,) = torch.autograd.grad(batch_loss * objective.gradient_scale, W)
    np.testing.assert_allclose(kernel.W, W0 - config.lr * gradient.numpy(), rtol=1e-10, atol=1e-12)
    # the kernel's SGNS loss subtracts log 2 per unit weight (the authors' constant)
    totals = objective.pairs.positive.total + objective.pairs.negative.total
    constant = np.log(2) * totals if loss == "sgns" else 0.0
    assert kernel_loss == pytest.approx(batch_loss.item() - constant, rel=1e-10)
    # the torch path, on the pairs the torch sampler drew
    stepper = ProportionalTorchStepper(W0, objective.pairs, objective, config, torch.device("cpu"))
    batch = stepper.sampler.sample(config.seed, 5, config.batch_size, config.negative_batch_size)
    assert len(batch.negative_rows) == config.batch_size * negatives
    W = torch.tensor(W0, requires_grad=True)
    positive, negative = objective.pairs.positive.total, objective.pairs.negative.total
    rows, columns = (batch.positive_rows, batch.negative_rows), (batch.positive_columns, batch.negative_columns)
    batch_loss = _proportional_batch_loss(W, rows, columns, loss, objective)
    (gradient,) = torch.autograd.grad(batch_loss * objective.gradient_scale, W)
    stepper.step(5, config.lr)
    np.testing.assert_allclose(stepper.W.numpy(), W0 - config.lr * gradient.numpy(), rtol=1e-10, atol=1e-12)
    # the shared update itself, with explicit weights, is the same function of the same pairs
    W_again = torch.tensor(W0)
    torch_pair_update(W_again, (batch.positive_rows, batch.positive_columns, positive), (batch.negative_rows, batch.negative_columns, negative), loss, objective.gradient_scale, config.lr)  # fmt: skip
    torch.testing.assert_close(W_again, stepper.W, rtol=0, atol=0)


def test_proportional_sampling_beyond_its_vocabulary_limit_names_the_key(monkeypatch):
    monkeypatch.setattr(objective_module, "MAX_VOCAB_SIZE", 5)
    problem = _problem()
    with pytest.raises(InputError, match=r"pair_sampling` = proportional needs V <= 5 \(V = 12\)"):
        build_objective(
            problem.statistics, problem.negative_weight, _config("sgns", "sgns", pair_sampling="proportional")
        )
