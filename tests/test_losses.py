"""Per-pair losses and both SGD steps (torch and fused numba) against autograd."""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest
import torch

from w2vtheory.training import cpu_kernels, losses
from w2vtheory.training.reweighting import PairWeights
from w2vtheory.training.sampler import PairBatch, corpus_layout, distance_weight, step_key
from w2vtheory.training.steppers import KernelBuffers, TorchPairWeights, torch_sgd_step


@pytest.mark.parametrize("loss", losses.LOSSES)
def test_loss_values_and_derivatives(loss):
    x = torch.tensor([-30.0, -2.0, -0.3, 0.0, 0.7, 3.0, 30.0], dtype=torch.float64, requires_grad=True)
    positive, negative = losses.positive_loss(loss, x), losses.negative_loss(loss, x)
    assert positive[3].item() == 0.0 and negative[3].item() == 0.0  # both vanish at x = 0
    if loss == "qwem":
        np.testing.assert_allclose(positive.detach(), [-xv + xv**2 / 4 for xv in x.detach().tolist()])
        np.testing.assert_allclose(negative.detach(), [xv + xv**2 / 4 for xv in x.detach().tolist()])
    else:
        np.testing.assert_allclose(
            positive.detach(), [math.log1p(math.exp(-xv)) - math.log(2) for xv in x.detach().tolist()]
        )
        np.testing.assert_allclose(
            negative.detach(), [math.log1p(math.exp(xv)) - math.log(2) for xv in x.detach().tolist()]
        )
    (gradient_positive,) = torch.autograd.grad(positive.sum(), x)
    (gradient_negative,) = torch.autograd.grad(negative.sum(), x)
    np.testing.assert_allclose(losses.positive_loss_derivative(loss, x.detach()), gradient_positive, rtol=1e-12)
    np.testing.assert_allclose(losses.negative_loss_derivative(loss, x.detach()), gradient_negative, rtol=1e-12)
    for value in x.detach().tolist():
        for is_positive, function in ((True, losses.positive_loss), (False, losses.negative_loss)):
            kernel_loss, _ = cpu_kernels._loss_and_slope(value, is_positive, loss == "sgns")
            assert kernel_loss == pytest.approx(
                function(loss, torch.tensor(value, dtype=torch.float64)).item(), rel=1e-12, abs=1e-15
            )


def test_sgns_second_order_is_half_of_qwem():
    x = torch.tensor([1e-3, -2e-3], dtype=torch.float64)
    scale = 0.5  # log(1 + e^-x) - log 2 = -x/2 + x^2/8 + ...: half of QWEM's -x + x^2/4
    for function in (losses.positive_loss, losses.negative_loss):
        np.testing.assert_allclose(function("sgns", x), scale * function("qwem", x), rtol=1e-5)


def _weights(kind: str, vocab: int, rng: np.random.Generator) -> PairWeights:
    if kind == "table":
        table = rng.uniform(0.2, 3.0, (vocab, vocab))
        ones = np.ones(vocab)
        return PairWeights(table + table.T, ones, ones, ones)
    return PairWeights(None, rng.uniform(0.5, 2, vocab), rng.uniform(0.5, 2, vocab), rng.uniform(0.5, 2, vocab))


def _autograd_step(W0, batch, weights, loss, k, scale, lr):
    """Reference: the normalised batch loss built from scratch and differentiated by autograd."""
    W = torch.tensor(W0, requires_grad=True)
    c, j, n = batch.centre, batch.context, batch.negative
    if weights.table is not None:
        table = torch.tensor(weights.table)
        q_positive, q_negative = table[c, j], table[c, n]
    else:
        p, a, b = (torch.tensor(v) for v in (weights.positive, weights.negative_centre, weights.negative_context))
        q_positive = p[c] * p[j]
        q_negative = 0.5 * (a[c] * b[n] + a[n] * b[c])
    x_positive = (W[c] * W[j]).sum(1)
    x_negative = (W[c] * W[n]).sum(1)
    batch_loss = (
        batch.weight * q_positive * losses.positive_loss(loss, x_positive)
        + k * q_negative * losses.negative_loss(loss, x_negative)
    ).sum() / len(c)
    (scale * batch_loss).backward()
    return (W - lr * W.grad).detach().numpy(), batch_loss.item()


@pytest.mark.parametrize("loss", losses.LOSSES)
@pytest.mark.parametrize("kind", ["table", "factors"])
def test_torch_step_and_fused_kernel_match_autograd(loss, kind):
    rng = np.random.default_rng(7)
    vocab, dim, window, batch_size, k = 13, 5, 3, 400, 2.0
    tokens = rng.integers(0, vocab, 300).astype(np.uint16)
    layout = corpus_layout(tokens, np.array([0, 2, 120, 300]), window)
    weights = _weights(kind, vocab, rng)
    W0 = rng.standard_normal((vocab, dim)) * 0.6
    scale, lr, key = 3.0, 0.7, step_key(5, 11)
    drawn = cpu_kernels.sample_pairs(
        np.uint64(key), batch_size, layout.tokens, layout.doc_starts, layout.doc_lengths, layout.pair_offsets
    )
    batch = PairBatch(
        torch.tensor(drawn[:, 0]),
        torch.tensor(drawn[:, 1]),
        torch.tensor(distance_weight(drawn[:, 2].astype(np.float64), window)),
        torch.tensor(drawn[:, 3]),
    )
    expected_W, expected_loss = _autograd_step(W0, batch, weights, loss, k, scale, lr)

    W_torch = torch.tensor(W0)
    torch_loss = torch_sgd_step(
        W_torch, batch, TorchPairWeights(weights, torch.device("cpu"), torch.float64), loss, k, scale, lr
    )
    np.testing.assert_allclose(W_torch.numpy(), expected_W, rtol=1e-12, atol=1e-13)
    assert torch_loss.item() == pytest.approx(expected_loss, rel=1e-12)

    table = weights.table if weights.table is not None else np.zeros((1, 1))

    def kernel_step(with_loss):
        W = W0.copy()
        buffers = KernelBuffers(W, batch_size)
        value = cpu_kernels.fused_sgd_step(
            W, buffers.gradient, np.uint64(key), batch_size, layout.tokens, layout.doc_starts, layout.doc_lengths,
            layout.pair_offsets, window, table, weights.table is not None, weights.positive, weights.negative_centre,
            weights.negative_context, k, loss == "sgns", scale, lr, with_loss, *buffers.entries(),
        )  # fmt: skip
        assert not buffers.gradient.any()  # the buffer is left zeroed for the next step
        return W, value

    W_numba, kernel_loss = kernel_step(True)
    np.testing.assert_allclose(W_numba, expected_W, rtol=1e-12, atol=1e-13)
    assert kernel_loss == pytest.approx(expected_loss, rel=1e-12)
    # Without the loss (steps that do not log it) the step is the same and the loss reads 0.
    W_unlogged, unlogged_loss = kernel_step(False)
    assert np.array_equal(W_unlogged, W_numba) and unlogged_loss == 0.0


def test_fused_kernel_is_independent_of_thread_count():
    rng = np.random.default_rng(1)
    tokens = rng.integers(0, 40, 2000).astype(np.uint32)
    layout = corpus_layout(tokens, np.array([0, 1000, 2000]), 4)
    W0 = rng.standard_normal((40, 6)) * 0.1
    results = []
    threads = numba.get_num_threads()
    try:
        for n_threads in (1, numba.config.NUMBA_NUM_THREADS, 1):
            numba.set_num_threads(n_threads)
            W = W0.copy()
            buffers = KernelBuffers(W, 3000)
            ones = np.ones(40)
            cpu_kernels.fused_sgd_step(
                W, buffers.gradient, np.uint64(99), 3000, layout.tokens, layout.doc_starts, layout.doc_lengths,
                layout.pair_offsets, 4, np.zeros((1, 1)), False, ones, ones, ones, 1.0, True, 1.0, 0.5, True,
                *buffers.entries(),
            )  # fmt: skip
            results.append(W)
    finally:
        numba.set_num_threads(threads)
    assert np.array_equal(results[0], results[1]) and np.array_equal(results[0], results[2])
