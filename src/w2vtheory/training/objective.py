"""A run's objective: its pair weights, the authors' normaliser and the expected (full-batch) loss.

The batch loss of B positive pairs (weight psi+ = distance weight * q+) and B negative pairs
(psi- = k q-) is sum_b (psi+ l+(x_b) + psi- l-(x'_b)) / B, and SGD descends the normalised loss
1 - batch_loss/normaliser with the authors' normaliser (`w2vtheory.training.reweighting.loss_normaliser`), so
a learning rate means their step. Its expectation over batches is the expected loss
sum_ij [A+_ij l+(w_i.w_j) + A-_ij l-(w_i.w_j)] with the dense tables of
`w2vtheory.training.reweighting.expected_pair_tables`; exact mode descends that, without sampling, and the
proportional sampler draws its pairs from those tables (`w2vtheory.training.proportional_sampler`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import torch

from w2vtheory.closed_form.statistics import CorpusStatistics, mstar
from w2vtheory.errors import InputError
from w2vtheory.theory import dynamics
from w2vtheory.training import cpu_kernels, losses
from w2vtheory.training.proportional_sampler import MAX_VOCAB_SIZE, ProportionalPairs, alias_table, product_table
from w2vtheory.training.reweighting import (
    PairWeights,
    expected_pair_tables,
    loss_normaliser,
    pair_weights,
    signed_weight_top_eigenvalue,
)
from w2vtheory.training.run_config import RunConfig


@dataclass(frozen=True)
class Objective:
    loss: str
    reweight: str
    weights: PairWeights
    normaliser: float  # the authors' min_loss (negative)
    mean_pair_weight: float  # mean(G), G = P(i,j) + k P(i)P(j)
    mstar_squared_norm: float  # ||M*||_F^2
    mstar: np.ndarray | None  # dense M*, for exact omniscient QWEM
    tables: tuple[np.ndarray, np.ndarray] | None  # (A+, A-), for exact mode of any other objective
    pairs: ProportionalPairs | None  # alias tables of A+ and A-, for pair_sampling: proportional

    @property
    def gradient_scale(self) -> float:
        return 1.0 / abs(self.normaliser)

    def mstar_mean_square(self, vocab_size: int) -> float:
        return self.mstar_squared_norm / vocab_size**2

    @property
    def is_factorisation(self) -> bool:
        """Omniscient QWEM: the expected loss is (mean(G)/4)(||W W^T - M*||^2 - ||M*||^2)."""
        return (self.loss, self.reweight) == ("qwem", "omniscient")


def build_objective(statistics: CorpusStatistics, k: float, config: RunConfig) -> Objective:
    """The objective `config` trains on the corpus `statistics` with negative-sample weight k."""
    target = mstar(statistics.joint, statistics.unigram, k)
    squared_norm = float(np.sum(target**2))
    mean_pair_weight = float((statistics.joint.sum() + k * statistics.unigram.sum() ** 2) / statistics.vocab_size**2)
    weights = pair_weights(config.reweight, statistics.joint, statistics.unigram, k, config.subsample_t)
    normaliser = loss_normaliser(config.loss, config.reweight, statistics.joint, statistics.unigram, k)
    factorisation = (config.loss, config.reweight) == ("qwem", "omniscient")
    tables = pairs = None
    proportional = config.pair_sampling == "proportional" and not config.exact
    if proportional and statistics.vocab_size > MAX_VOCAB_SIZE:
        raise InputError(
            f"config key `{config.config_key}.pair_sampling` = proportional needs V <= {MAX_VOCAB_SIZE:,} "
            f"(V = {statistics.vocab_size:,}); use pair_sampling: corpus"
        )
    if (config.exact and not factorisation) or proportional:
        tables = expected_pair_tables(weights, statistics.joint, statistics.unigram, k, config.dtype)
    if proportional:
        if not tables[0].any():
            raise InputError("the corpus has no pair of tokens within the window: nothing to train on")
        pairs = proportional_pairs(tables, weights, statistics.unigram, k)
        tables = None  # the sampled run needs only the alias tables
    if weights.table is not None and config.dtype == "float32":
        weights = PairWeights(weights.table.astype(np.float32), *_factors(weights))
    exact_target = target if config.exact and factorisation else None
    return Objective(
        config.loss, config.reweight, weights, normaliser, mean_pair_weight, squared_norm, exact_target, tables, pairs
    )


def proportional_pairs(
    tables: tuple[np.ndarray, np.ndarray], weights: PairWeights, unigram: np.ndarray, k: float
) -> ProportionalPairs:
    """The proportional sampler's tables for A+ and A- = `tables`: A- as a `ProductTable` when the
    negative weights are separable, A-_ij = k (u_i v_j + u_j v_i)/2 with u = P c, v = P n."""
    if weights.table is not None:
        return ProportionalPairs(alias_table(tables[0]), alias_table(tables[1]))
    unigram = np.asarray(unigram, dtype=np.float64)
    negatives = product_table(unigram * weights.negative_centre, unigram * weights.negative_context, k)
    return ProportionalPairs(alias_table(tables[0]), negatives)


def _factors(weights: PairWeights) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return weights.positive, weights.negative_centre, weights.negative_context


@dataclass(frozen=True)
class Clock:
    """A run's time axis (`w2vtheory.theory.dynamics.time_per_step`): theory time per step of learning rate 1,
    from the objective's linearisation at W = 0, and the eigenvalues it is made of."""

    signed_weight_top: float  # lambda_1(A+ - A-)
    mstar_top: float  # lambda_1(M*)
    time_per_unit_lr: float


def objective_clock(objective: Objective, statistics: CorpusStatistics, k: float, mstar_top: float) -> Clock:
    """The objective's `Clock`. Omniscient weights give A+ - A- = mean(G) M* / 2 exactly; any other
    weights need the top eigenvalue of their signed pair weights (`signed_weight_top_eigenvalue`)."""
    if objective.reweight == "omniscient":
        signed_top = objective.mean_pair_weight * mstar_top / 2.0
    else:
        signed_top = signed_weight_top_eigenvalue(objective.weights, statistics.joint, statistics.unigram, k)
    per_unit_lr = float(dynamics.time_per_step(1.0, objective.loss, signed_top, objective.normaliser, mstar_top))
    return Clock(signed_top, float(mstar_top), per_unit_lr)


def expected_loss_and_gradient(
    W: torch.Tensor, positive: torch.Tensor, negative: torch.Tensor, loss: str
) -> tuple[torch.Tensor, torch.Tensor]:
    """One evaluation of `DenseExpectedLoss.loss_and_gradient`, for callers that keep no buffers."""
    return DenseExpectedLoss(positive, negative, loss).loss_and_gradient(W)


class DenseExpectedLoss:
    """The expected loss of the dense tables A+, A- and its gradient, with the V x V work buffers
    allocated once: a fresh V x V tensor per evaluation costs its page faults again (at V = 2,000 in
    float32 they doubled an exact step's time). `gradient` skips the loss: S from vectorised torch
    operations in place, one sigmoid per pair for SGNS, 5x cheaper than the fused kernel's exponential
    and log per pair at V = 2,000 on the CPU."""

    def __init__(self, positive: torch.Tensor, negative: torch.Tensor, loss: str) -> None:
        self.positive, self.negative, self.loss = positive, negative, loss
        self.gram = torch.empty_like(positive)
        self.slopes = torch.empty_like(positive)  # also `gradient`'s scratch

    def loss_and_gradient(self, W: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """sum_ij [A+ l+(x_ij) + A- l-(x_ij)] at X = W W^T and its gradient 2 S W, S = A+ l+'(X) + A- l-'(X)
        (the tables are symmetric). The elementwise pass is one fused numba kernel on the CPU
        (`w2vtheory.training.cpu_kernels.expected_loss_slopes`) and torch operations on other devices."""
        gram = torch.mm(W, W.T, out=self.gram)
        if W.device.type == "cpu":
            value = cpu_kernels.expected_loss_slopes(
                gram.numpy(), self.positive.numpy(), self.negative.numpy(), self.loss == "sgns", self.slopes.numpy()
            )
            value, slopes = torch.tensor(value, dtype=torch.float64), self.slopes
        else:
            value, slopes = torch_loss_slopes(gram, self.positive, self.negative, self.loss)
        return value, 2.0 * (slopes @ W)

    def gradient(self, W: torch.Tensor) -> torch.Tensor:
        """The gradient 2 S W alone, S = A+ l+'(X) + A- l-'(X) (`w2vtheory.training.losses`) built in the
        Gram matrix's buffer: for SGNS l-'(x) = sigmoid(x) and l+'(x) = sigmoid(x) - 1, for QWEM
        l-'(x) = x/2 + 1 and l+'(x) = x/2 - 1."""
        slopes = torch.mm(W, W.T, out=self.gram)
        if self.loss == "sgns":
            torch.sigmoid(slopes, out=slopes)
            negative_part = torch.mul(slopes, self.negative, out=self.slopes)
        else:
            slopes.mul_(0.5)
            negative_part = torch.add(slopes, 1.0, out=self.slopes).mul_(self.negative)
        slopes.sub_(1.0).mul_(self.positive).add_(negative_part)
        return 2.0 * (slopes @ W)


def expected_normalised_loss(objective: Objective, W: np.ndarray) -> float:
    """1 - E(W)/normaliser in float64 on the CPU: the expected loss at W on the scale of the trace's
    loss_normalised (1 at W = 0). Omniscient QWEM from its factorised form with the dense M*; every
    other objective from its dense pair tables (build the objective with exact: true)."""
    W = torch.as_tensor(np.asarray(W, dtype=np.float64))
    if objective.is_factorisation:
        if objective.mstar is None:
            raise ValueError("omniscient QWEM's expected loss needs the dense M* (build it with exact: true)")
        gram = W.T @ W
        projected = torch.as_tensor(objective.mstar, dtype=torch.float64) @ W
        value = 0.25 * objective.mean_pair_weight * float(torch.sum(gram * gram) - 2.0 * torch.sum(W * projected))
    elif objective.tables is not None:
        positive, negative = (torch.as_tensor(table, dtype=torch.float64) for table in objective.tables)
        value = float(expected_loss_and_gradient(W, positive, negative, objective.loss)[0])
    else:
        raise ValueError("the expected loss needs the objective's dense pair tables (build it with exact: true)")
    return 1.0 - value / objective.normaliser


def torch_loss_slopes(
    gram: torch.Tensor, positive: torch.Tensor, negative: torch.Tensor, loss: str
) -> tuple[torch.Tensor, torch.Tensor]:
    """The expected loss and S = A+ l+'(X) + A- l-'(X) with torch operations (any device)."""
    value = torch.sum(positive * losses.positive_loss(loss, gram)) + torch.sum(
        negative * losses.negative_loss(loss, gram)
    )
    slopes = positive * losses.positive_loss_derivative(loss, gram)
    slopes += negative * losses.negative_loss_derivative(loss, gram)
    return value, slopes


def factorisation_eigenbasis(
    target: np.ndarray, device: torch.device, dtype: torch.dtype = torch.float64
) -> tuple[torch.Tensor, torch.Tensor]:
    """All eigenvalues and eigenvectors (columns) of the symmetric M* in `dtype` on `device`: the
    coordinates in which exact omniscient QWEM costs O(V d^2) per step
    (`eigenbasis_loss_and_gradient`). A float32 run needs no more than a float32 eigensolve (on the
    CPU 1.5x faster than float64 at V = 5,000)."""
    if device.type == "cpu":
        # LAPACK through scipy: 1.25x torch's eigh on one thread at V = 5,000
        array = np.asarray(target, dtype=np.dtype(str(dtype).removeprefix("torch.")))
        eigvals, eigvecs = scipy.linalg.eigh(array, check_finite=False)
        return torch.from_numpy(eigvals), torch.from_numpy(eigvecs)
    return torch.linalg.eigh(torch.as_tensor(target, dtype=dtype, device=device))


def eigenbasis_loss_and_gradient(
    C: torch.Tensor, eigvals: torch.Tensor, mean_pair_weight: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """Omniscient QWEM's expected loss (mean(G)/4)(||W W^T - M*||^2 - ||M*||^2), gradient
    mean(G) (W W^T - M*) W, in the eigenbasis of M* = U diag(lambda) U^T. With W = U C,
    W^T W = C^T C and M* W = U diag(lambda) C, so the loss is (mean(G)/4)(||C^T C||^2 - 2 sum_k
    lambda_k ||C_k||^2) and its gradient in C is U^T times the gradient in W,
    mean(G)(C C^T C - diag(lambda) C): gradient descent on C is gradient descent on W rotated by
    U^T, with no V x V product."""
    gram = C.T @ C
    projected = eigvals[:, None] * C
    excess = torch.sum(gram * gram) - 2.0 * torch.sum(C * projected)
    return 0.25 * mean_pair_weight * excess, mean_pair_weight * (C @ gram - projected)
