"""One optimisation step each: sampled SGD on the CPU (fused numba kernels) or a torch device, with
pairs from the corpus (the authors' sampler) or drawn in proportion to their weight
(`w2vtheory.training.proportional_sampler`), and exact full-batch gradient descent on the expected loss (any
objective, any torch device).

Every stepper updates W in place with the gradient taken at the pre-step W (plain SGD) and returns
the loss at the pre-step W: a float on the CPU kernel (0 unless `with_loss`: the loop asks for it at
log steps only, and the step is cheaper without it), a 0-d tensor on torch (always computed, no
host synchronisation; the loop reads it at log steps). The loop sees every stepper through the
`Stepper` protocol.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import torch

from w2vtheory.training import cpu_kernels, losses
from w2vtheory.training.objective import (
    DenseExpectedLoss,
    Objective,
    eigenbasis_loss_and_gradient,
    factorisation_eigenbasis,
)
from w2vtheory.training.proportional_sampler import ProductTable, ProportionalPairs, TorchProportionalSampler
from w2vtheory.training.reweighting import PairWeights
from w2vtheory.training.run_config import DTYPES, RunConfig
from w2vtheory.training.sampler import CorpusLayout, PairBatch, TorchPairSampler, step_key


class Stepper(Protocol):
    """What the training loop needs of a stepper, whatever its device and sampler."""

    def step(self, step: int, lr: float, with_loss: bool = True) -> float | torch.Tensor:
        """One step in place; the loss at the pre-step W (see the module docstring)."""
        ...

    def embeddings(self) -> np.ndarray:
        """The current W, float64 on the host."""
        ...

    def singular_values(self) -> torch.Tensor:
        """The singular values of the current W, float64, descending, on W's device (no host wait)."""
        ...

    def velocity_embeddings(self) -> np.ndarray | None:
        """What a resumed run needs besides W: the heavy-ball velocity in W's coordinates, or None."""
        ...


def singular_values(matrix: torch.Tensor) -> torch.Tensor:
    """The singular values of `matrix` in float64, descending, on its device: NaN where it is not
    finite (checked on the host only: LAPACK refuses such input, and a device check would wait)."""
    matrix = matrix.double()
    if matrix.device.type == "cpu" and not bool(torch.isfinite(matrix).all()):
        return torch.full((min(matrix.shape),), float("nan"), dtype=torch.float64)
    return torch.linalg.svdvals(matrix)


class HostState:
    """A stepper whose W is a numpy array on the host."""

    W: np.ndarray

    def embeddings(self) -> np.ndarray:
        return self.W.astype(np.float64)

    def singular_values(self) -> torch.Tensor:
        return singular_values(torch.from_numpy(self.W))

    def velocity_embeddings(self) -> np.ndarray | None:
        return None


class DeviceState:
    """A stepper whose W is a torch tensor on its device."""

    W: torch.Tensor

    def embeddings(self) -> np.ndarray:
        return self.W.double().cpu().numpy()

    def singular_values(self) -> torch.Tensor:
        return singular_values(self.W)

    def velocity_embeddings(self) -> np.ndarray | None:
        return None


class TorchPairWeights:
    """`PairWeights` on a torch device."""

    def __init__(self, weights: PairWeights, device: torch.device, dtype: torch.dtype) -> None:
        def put(array: np.ndarray) -> torch.Tensor:
            return torch.as_tensor(array, device=device).to(dtype)

        self.table = None if weights.table is None else put(weights.table)
        self.positive = put(weights.positive)
        self.centre = put(weights.negative_centre)
        self.context = put(weights.negative_context)

    def lookup(
        self, centre: torch.Tensor, context: torch.Tensor, negative: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        if self.table is not None:
            return self.table[centre, context], self.table[centre, negative]
        q_positive = self.positive[centre] * self.positive[context]
        q_negative = 0.5 * (self.centre[centre] * self.context[negative] + self.centre[negative] * self.context[centre])
        return q_positive, q_negative


def torch_sgd_step(
    W: torch.Tensor,
    batch: PairBatch,
    weights: TorchPairWeights,
    loss: str,
    negative_weight: float,
    gradient_scale: float,
    lr: float,
) -> torch.Tensor:
    """One SGD step in place on W from a corpus batch; returns the batch loss at the pre-step W as
    a 0-d tensor (no host synchronisation)."""
    q_positive, q_negative = weights.lookup(batch.centre, batch.context, batch.negative)
    return torch_pair_update(
        W,
        (batch.centre, batch.context, batch.weight * q_positive),
        (batch.centre, batch.negative, negative_weight * q_negative),
        loss,
        gradient_scale,
        lr,
    )


def torch_pair_update(
    W: torch.Tensor,
    positive: tuple[torch.Tensor, torch.Tensor, torch.Tensor | float],
    negative: tuple[torch.Tensor, torch.Tensor, torch.Tensor | float],
    loss: str,
    gradient_scale: float,
    lr: float,
) -> torch.Tensor:
    """The SGD step shared by both samplers: `positive` and `negative` are (rows, columns, weight psi)
    of B+ and B- pairs; W -= lr * gradient_scale * d/dW [sum psi+ l+ / B+ + sum psi- l- / B-]
    (index_select / index_add_). Returns that batch loss at the pre-step W as a 0-d tensor."""
    positive_rows, positive_columns, positive_psi = positive
    negative_rows, negative_columns, negative_psi = negative
    n_positive, n_negative = len(positive_rows), len(negative_rows)
    rows = torch.cat([positive_rows, negative_rows])
    columns = torch.cat([positive_columns, negative_columns])
    row_vectors = W.index_select(0, rows)
    column_vectors = W.index_select(0, columns)
    x = (row_vectors * column_vectors).sum(dim=1)
    x_positive, x_negative = x[:n_positive], x[n_positive:]
    # each sign averages over its own pairs
    positive_weight, negative_weight = positive_psi / n_positive, negative_psi / n_negative
    weighted_losses = torch.cat(
        [
            positive_weight * losses.positive_loss(loss, x_positive),
            negative_weight * losses.negative_loss(loss, x_negative),
        ]
    )
    slopes = torch.cat(
        [
            positive_weight * losses.positive_loss_derivative(loss, x_positive),
            negative_weight * losses.negative_loss_derivative(loss, x_negative),
        ]
    )
    step = (-lr * gradient_scale) * slopes
    W.index_add_(0, rows, step[:, None] * column_vectors)
    W.index_add_(0, columns, step[:, None] * row_vectors)
    return weighted_losses.sum()


class KernelBuffers:
    """The preallocated buffers of the fused CPU kernels: the V x d gradient (zero between steps), one
    gradient entry (i, j, g) per positive and per negative pair, the per-chunk losses, and the
    counting sort's block counts, row starts and sorted terms (partner row, coefficient; two per
    entry)."""

    def __init__(self, W: np.ndarray, batch_size: int, negative_count: int | None = None) -> None:
        vocab_size = len(W)
        n_entries = batch_size + (batch_size if negative_count is None else negative_count)
        self.gradient = np.zeros_like(W)
        self.entry_rows = np.empty(n_entries, dtype=np.int64)
        self.entry_columns = np.empty(n_entries, dtype=np.int64)
        self.entry_coefficients = np.empty(n_entries, dtype=W.dtype)
        self.chunk_losses = np.zeros(cpu_kernels.N_CHUNKS)
        self.block_counts = np.zeros((cpu_kernels.N_CHUNKS, vocab_size), dtype=np.int32)
        self.row_starts = np.zeros(vocab_size + 1, dtype=np.int64)
        self.partners = np.empty(2 * n_entries, dtype=np.int32)
        self.term_coefficients = np.empty(2 * n_entries, dtype=W.dtype)

    def entries(self) -> tuple:
        """The kernels' trailing arguments, after `with_loss`."""
        return (
            self.entry_rows,
            self.entry_columns,
            self.entry_coefficients,
            self.chunk_losses,
            (self.block_counts, self.row_starts, self.partners, self.term_coefficients),
        )


class NumbaStepper(HostState):
    """The fused CPU kernel with its preallocated buffers; W is a numpy array updated in place."""

    def __init__(self, W: np.ndarray, layout: CorpusLayout, objective: Objective, config: RunConfig, k: float) -> None:
        self.W = W
        self.layout = layout
        self.config = config
        self.negative_weight = float(k)
        weights = objective.weights
        self.has_table = weights.table is not None
        self.table = weights.table if self.has_table else np.zeros((1, 1), dtype=W.dtype)
        self.factors = (weights.positive, weights.negative_centre, weights.negative_context)
        self.gradient_scale = objective.gradient_scale
        self.buffers = KernelBuffers(W, config.batch_size)

    def step(self, step: int, lr: float, with_loss: bool = True) -> float:
        layout = self.layout
        return cpu_kernels.fused_sgd_step(
            self.W,
            self.buffers.gradient,
            np.uint64(step_key(self.config.seed, step)),
            self.config.batch_size,
            layout.tokens,
            layout.doc_starts,
            layout.doc_lengths,
            layout.pair_offsets,
            layout.window,
            self.table,
            self.has_table,
            *self.factors,
            self.negative_weight,
            self.config.loss == "sgns",
            self.gradient_scale,
            lr,
            with_loss,
            *self.buffers.entries(),
        )


class TorchStepper(DeviceState):
    """The sampled step on a torch device (the GPU path); W is a device tensor."""

    def __init__(
        self,
        W: np.ndarray,
        layout: CorpusLayout,
        objective: Objective,
        config: RunConfig,
        k: float,
        device: torch.device,
    ) -> None:
        dtype = DTYPES[config.dtype]
        self.W = torch.tensor(W, device=device, dtype=dtype)  # a copy: never alias the caller's array
        self.sampler = TorchPairSampler(layout, device, dtype)
        self.weights = TorchPairWeights(objective.weights, device, dtype)
        self.config = config
        self.negative_weight = float(k)
        self.gradient_scale = objective.gradient_scale

    def step(self, step: int, lr: float, with_loss: bool = True) -> torch.Tensor:
        batch = self.sampler.sample(self.config.seed, step, self.config.batch_size)
        return torch_sgd_step(
            self.W, batch, self.weights, self.config.loss, self.negative_weight, self.gradient_scale, lr
        )


class ProportionalNumbaStepper(HostState):
    """The CPU kernel with pairs drawn in proportion to A+ and A- (`pair_sampling: proportional`)."""

    def __init__(self, W: np.ndarray, pairs: ProportionalPairs, objective: Objective, config: RunConfig) -> None:
        self.W = W
        self.config = config
        negative, unused = pairs.negative, np.zeros((1, 4), dtype=np.uint32)
        product = isinstance(negative, ProductTable)
        self.tables = (
            pairs.positive.records,
            unused if product else negative.records,
            negative.rows if product else unused,
            negative.columns if product else unused,
            product,
        )
        self.totals = (pairs.positive.total, pairs.negative.total)
        self.gradient_scale = objective.gradient_scale
        self.buffers = KernelBuffers(W, config.batch_size, config.negative_batch_size)

    def step(self, step: int, lr: float, with_loss: bool = True) -> float:
        return cpu_kernels.proportional_sgd_step(
            self.W,
            self.buffers.gradient,
            np.uint64(step_key(self.config.seed, step)),
            self.config.batch_size,
            self.config.negative_batch_size,
            *self.tables,
            *self.totals,
            self.config.loss == "sgns",
            self.gradient_scale,
            lr,
            with_loss,
            *self.buffers.entries(),
        )


class ProportionalTorchStepper(DeviceState):
    """The proportional sampler's step on a torch device."""

    def __init__(
        self, W: np.ndarray, pairs: ProportionalPairs, objective: Objective, config: RunConfig, device: torch.device
    ) -> None:
        self.W = torch.tensor(W, device=device, dtype=DTYPES[config.dtype])  # a copy
        self.sampler = TorchProportionalSampler(pairs, device)
        self.totals = (pairs.positive.total, pairs.negative.total)
        self.config = config
        self.gradient_scale = objective.gradient_scale

    def step(self, step: int, lr: float, with_loss: bool = True) -> torch.Tensor:
        config = self.config
        batch = self.sampler.sample(config.seed, step, config.batch_size, config.negative_batch_size)
        return torch_pair_update(
            self.W,
            (batch.positive_rows, batch.positive_columns, self.totals[0]),
            (batch.negative_rows, batch.negative_columns, self.totals[1]),
            self.config.loss,
            self.gradient_scale,
            lr,
        )


class ExactStepper(DeviceState):
    """Full-batch gradient descent on the expected loss: the noise-free limit of the sampled step.

    W -= lr * gradient / |normaliser|. Omniscient QWEM descends in the eigenbasis of M*
    (`w2vtheory.training.objective.eigenbasis_loss_and_gradient`: the same iterates rotated, O(V d^2)
    per step instead of a V x V x d product; at V = 5,000, d = 100 the one full eigendecomposition
    costs about 200 such products); W = U C is formed only when read. Every other objective uses
    the dense tables A+, A- (`DenseExpectedLoss`), and computes the loss only when asked.

    With `momentum` beta > 0, steps from `momentum_from` on are heavy-ball steps (Polyak): the update
    is the velocity v <- beta v + lr * gradient / |normaliser|, a geometric sum of the gradient
    steps so far, which moves along a steady gradient 1/(1 - beta) times as far per step
    (`w2vtheory.theory.dynamics.cumulative_time` counts it so). `velocity` (V x d, in W's coordinates)
    continues a resumed run.
    """

    def __init__(
        self,
        W: np.ndarray,
        objective: Objective,
        dtype: torch.dtype,
        device: torch.device,
        momentum: float = 0.0,
        momentum_from: int = 0,
        velocity: np.ndarray | None = None,
    ) -> None:
        self.gradient_scale = objective.gradient_scale
        self.mean_pair_weight = objective.mean_pair_weight
        self.momentum, self.momentum_from = momentum, momentum_from
        self.expected = self.basis = None
        # `state` is the tensor descent updates: the eigenbasis coordinates C = U^T W, or W itself.
        if objective.mstar is not None:
            eigvals, eigvecs = factorisation_eigenbasis(objective.mstar, device, dtype)
            self.eigvals, self.basis = eigvals, eigvecs
            self._to_state = lambda array: eigvecs.T @ torch.as_tensor(array, device=device).to(dtype)
        elif objective.tables is not None:
            # a copy: never alias the caller's array
            self._to_state = lambda array: torch.tensor(array, device=device, dtype=dtype)
            self.expected = DenseExpectedLoss(
                *(torch.as_tensor(table, device=device).to(dtype) for table in objective.tables), objective.loss
            )
        else:
            raise ValueError("exact mode needs the objective's dense M* or pair tables (build it with exact: true)")
        self.state = self._to_state(W)
        self.velocity = None if velocity is None else self._to_state(velocity)

    @property
    def W(self) -> torch.Tensor:
        """The current embeddings (formed from the eigenbasis coordinates for omniscient QWEM)."""
        return self._in_embedding_space(self.state)

    def _in_embedding_space(self, tensor: torch.Tensor) -> torch.Tensor:
        return tensor if self.basis is None else self.basis @ tensor

    def _loss_and_state_gradient(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The expected loss and its gradient with respect to `state`."""
        if self.expected is not None:
            return self.expected.loss_and_gradient(self.state)
        return eigenbasis_loss_and_gradient(self.state, self.eigvals, self.mean_pair_weight)

    def loss_and_gradient(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The expected loss at the current W and its gradient in W."""
        value, gradient = self._loss_and_state_gradient()
        return value, self._in_embedding_space(gradient)

    def step(self, step: int, lr: float, with_loss: bool = True) -> torch.Tensor:
        if with_loss or self.expected is None:
            value, gradient = self._loss_and_state_gradient()
        else:
            value, gradient = torch.zeros((), dtype=torch.float64), self.expected.gradient(self.state)
        update = gradient.mul_(lr * self.gradient_scale)
        if self.momentum > 0.0 and step >= self.momentum_from:
            self.velocity = update if self.velocity is None else self.velocity.mul_(self.momentum).add_(update)
            update = self.velocity
        self.state -= update
        return value

    def singular_values(self) -> torch.Tensor:
        """Those of `state`: W = U C has C's singular values (U is orthogonal), with no V x V product."""
        return singular_values(self.state)

    def velocity_embeddings(self) -> np.ndarray | None:
        """The heavy-ball velocity in W's coordinates (None before momentum starts)."""
        return None if self.velocity is None else self._in_embedding_space(self.velocity).double().cpu().numpy()
