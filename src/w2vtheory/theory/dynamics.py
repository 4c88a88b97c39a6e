"""The closed-form dynamics of docs/paper.md section 4: one home for each theory quantity.

Gradient flow dW/dt = -(1/2)(W W^T - M*) W from a small isotropic start of scale s0 learns the
eigenmodes of M* one at a time; mode k (eigenvalue lambda_k) has singular value

    s_k(t)^2 = e^(lambda_k t) / (1/s0^2 + (e^(lambda_k t) - 1)/lambda_k)

and rises near tau_k = ln(lambda_k/s0^2)/lambda_k.

Clock. Near W = 0 every objective is linear dynamics: with x = w_i . w_j, the expected loss
sum_ij [A+_ij l+(x_ij) + A-_ij l-(x_ij)] has the gradient -2 c D W to first order, D = A+ - A- (the
signed pair weights) and c the loss's second-order share of QWEM's (`QUADRATIC_SHARE`: the SGNS loss
log(1 + e^-x) = log 2 - x/2 + x^2/8 + ... is half the quartic loss -x + x^2/4 to second order). An
SGD step of learning rate lr on the normalised loss 1 - loss/normaliser therefore multiplies W by
I + lr (2c/|normaliser|) D, while the theory's flow dW/dt = (1/2) M* W multiplies it by
I + (t/2) M*. The clock matches the two along their fastest direction, where the first rise
happens: one step advances t by 4 c lr lambda_1(D) / (|normaliser| lambda_1(M*)) (`time_per_step`).
For omniscient weights D = mean(G) M* / 2 (G = P(i,j) + k P(i)P(j)), so every direction matches
and a step advances t by 2 c lr mean(G) / |normaliser|: for omniscient QWEM with the authors'
normaliser -mean(M*^2), the paper's 4 lr / (V^2 mean(M*^2)) when k = 1. For any other weights the
later modes of D grow at their own rates, not exactly at lambda_k(M*)/2 (docs/paper.md section 4).

Normalised loss. While W's columns span eigenvectors of M* with singular values s_k,
||W W^T - M*||^2 = ||M*||^2 - sum_k (2 lambda_k s_k^2 - s_k^4), so the expected normalised loss is
1 - mean(G) V^2 sum_k (2 lambda_k s_k^2 - s_k^4) / (4 ||M*||^2) (`normalised_loss_theory`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.signal


def _exponential_integral(eigvals: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(1 - e^(-lambda t)) / lambda, continuous at lambda = 0 (where it is t)."""
    safe = np.where(eigvals == 0.0, 1.0, eigvals)
    with np.errstate(over="ignore"):
        return np.where(eigvals == 0.0, t, -np.expm1(-eigvals * t) / safe)


def singular_value_theory(t: np.ndarray | float, eigvals: np.ndarray, s0: float) -> np.ndarray:
    """s_k(t) for every mode: shape t.shape + (len(eigvals),).

    Evaluated as s^2 = 1 / (e^(-lambda t)/s0^2 + (1 - e^(-lambda t))/lambda), the section 4 formula
    divided through by e^(lambda t), which neither overflows for large lambda t nor loses the
    tiny 1/s0^2 term; negative eigenvalues decay towards 0 and lambda = 0 stays at s0.
    """
    times = np.asarray(t, dtype=np.float64)[..., np.newaxis]
    lambdas = np.asarray(eigvals, dtype=np.float64)
    with np.errstate(over="ignore"):
        denominator = np.exp(-lambdas * times) / s0**2 + _exponential_integral(lambdas, times)
    return np.sqrt(1.0 / denominator)


def tau(eigvals: np.ndarray, s0: float) -> np.ndarray:
    """tau_k = ln(lambda_k/s0^2)/lambda_k, the time mode k is learned; inf for lambda_k <= s0^2."""
    lambdas = np.asarray(eigvals, dtype=np.float64)
    learned = lambdas > s0**2
    safe = np.where(learned, lambdas, 1.0)
    return np.where(learned, np.log(safe / s0**2) / safe, np.inf)


# Each loss's second-order Taylor expansion at x = 0 as a multiple of the quartic loss's.
QUADRATIC_SHARE = {"qwem": 1.0, "sgns": 0.5}


def half_rise_time(eigvals: np.ndarray, s0: float) -> np.ndarray:
    """The time s_k(t) reaches half its final value sqrt(lambda_k): from s_k^2 = lambda_k / 4,
    t = ln((lambda_k/s0^2 - 1)/3)/lambda_k, a little before tau_k; 0 where s0 already is half of
    sqrt(lambda_k), inf where lambda_k <= 0 (the mode decays)."""
    lambdas = np.asarray(eigvals, dtype=np.float64)
    rises = lambdas > 4.0 * s0**2
    safe = np.where(rises, lambdas, 1.0)
    return np.where(rises, np.log((safe / s0**2 - 1.0) / 3.0) / safe, np.where(lambdas > 0, 0.0, np.inf))


def time_per_step(
    lr: float | np.ndarray,
    loss: str,
    signed_weight_top: float,
    normaliser: float,
    mstar_top: float,
) -> float | np.ndarray:
    """Theory time advanced by one SGD step of learning rate lr near W = 0:
    4 c lr lambda_1(D) / (|normaliser| lambda_1(M*)), with c = QUADRATIC_SHARE[loss],
    `signed_weight_top` = lambda_1(D) (D = A+ - A-) and `mstar_top` = lambda_1(M*)."""
    share = QUADRATIC_SHARE[loss]
    return 4.0 * share * np.asarray(lr, dtype=np.float64) * signed_weight_top / (abs(normaliser) * mstar_top)


def learning_rate(steps: np.ndarray | int, lr: float, lr_schedule: Sequence[Sequence[float]]) -> np.ndarray:
    """The learning rate used by step s (taking W_s to W_(s+1)).

    `lr_schedule` lists [step, factor]: from `step` on the rate is lr * factor (factors are not
    cumulative; the latest entry whose step is <= s applies).
    """
    at = np.asarray(steps, dtype=np.int64)
    rate = np.full(at.shape, float(lr))
    for start, factor in sorted((int(start), float(factor)) for start, factor in lr_schedule):
        rate = np.where(at >= start, lr * factor, rate)
    return rate


# The final anneal of `inverse_time_schedule`: two equal parts at these fractions of the rate reached.
ANNEAL_FACTORS = (0.3, 0.1)


def inverse_time_schedule(decay_from: int, decay_steps: int, anneal_steps: int, steps: int) -> list[tuple[int, float]]:
    """The `lr_schedule` list of an inverse-time decay: lr until `decay_from`, then
    lr / (1 + (s - decay_from)/decay_steps), held constant over blocks of decay_steps/2 steps (its
    value at each block's middle), and over the last `anneal_steps` steps `ANNEAL_FACTORS` times the
    rate reached when the anneal starts. The anneal always takes the last `anneal_steps` steps: a
    `decay_from` at or past the anneal's start (even past `steps`) only means no 1/t decay before it.

    Why this shape: at a constant rate, sampled SGD settles at a noise floor proportional to the
    rate, while the slowly learned directions still need many steps at a sizeable rate; a 1/t decay
    lowers the floor without freezing them, and the anneal removes most of what noise is left.
    """
    anneal_from = max(steps - anneal_steps, 0)
    block = max(decay_steps // 2, 1)

    def factor(step: float) -> float:
        return 1.0 / (1.0 + max(step - decay_from, 0.0) / decay_steps)

    schedule = [(start, factor(start + block / 2)) for start in range(decay_from, anneal_from, block)]
    if anneal_steps > 0 and anneal_from < steps:
        reached = factor(anneal_from)
        part = max((steps - anneal_from) // len(ANNEAL_FACTORS), 1)
        schedule += [(anneal_from + index * part, reached * scale) for index, scale in enumerate(ANNEAL_FACTORS)]
    return schedule


def cumulative_time(
    steps: np.ndarray | int,
    lr: float,
    lr_schedule: Sequence[Sequence[float]],
    time_per_unit_lr: float,
    momentum: float = 0.0,
    momentum_from: int = 0,
) -> np.ndarray:
    """Theory time t after `steps` SGD steps under the piecewise-constant schedule, each step of
    learning rate r advancing t by r * time_per_unit_lr (`time_per_step(1, ...)`).

    Heavy-ball steps (momentum beta from step m on, exact runs) move W by the velocity
    v_s = sum_(j = m..s) beta^(s - j) r_j times the gradient where the gradient holds steady, as it
    does along the slow directions momentum is for: step s advances t by v_s * time_per_unit_lr, up
    to r_s / (1 - beta) once the velocity has built up.
    """
    at = np.asarray(steps, dtype=np.int64)
    if momentum > 0.0:
        rates = learning_rate(np.arange(int(at.max(initial=0))), lr, lr_schedule)
        rates[momentum_from:] = scipy.signal.lfilter([1.0], [1.0, -momentum], rates[momentum_from:])
        return np.concatenate([[0.0], np.cumsum(rates)])[at] * time_per_unit_lr
    boundaries = sorted({0, *(int(start) for start, _ in lr_schedule)})
    elapsed = np.zeros(at.shape)
    for index, start in enumerate(boundaries):
        end = boundaries[index + 1] if index + 1 < len(boundaries) else None
        rate = float(learning_rate(start, lr, lr_schedule))
        covered = np.clip(at - start, 0, None if end is None else end - start)
        elapsed = elapsed + covered * rate
    return elapsed * time_per_unit_lr


def normalised_loss_theory(
    singular_values: np.ndarray,
    eigvals: np.ndarray,
    mstar_squared_norm: float,
    mean_pair_weight: float,
    vocab_size: int,
) -> np.ndarray:
    """Predicted normalised loss 1 - mean(G) V^2 sum_k (2 lambda_k s_k^2 - s_k^4) / (4 ||M*||_F^2).

    `singular_values` has the modes on its last axis (as returned by `singular_value_theory`);
    `mstar_squared_norm` = ||M*||_F^2 = V^2 mean(M*^2).
    """
    squares = np.asarray(singular_values, dtype=np.float64) ** 2
    captured = np.sum(2.0 * np.asarray(eigvals) * squares - squares**2, axis=-1)
    return 1.0 - mean_pair_weight * float(vocab_size) ** 2 * captured / (4.0 * mstar_squared_norm)


def init_s0(init_scale: float) -> float:
    """The theory's s0 for W initialised with i.i.d. N(0, (s/sqrt(d))^2) entries: s0 = s.

    The theory follows the component of W along each eigenvector u_k of M*. For the isotropic
    init, u_k^T W is a d-vector of i.i.d. N(0, s^2/d) entries, so its squared length is
    s^2 chi^2_d / d, s^2 on average (relative spread sqrt(2/d)), whatever V is: the singular
    value of mode k starts at s0 = s. (The singular values of the whole random W are larger,
    about s sqrt(V/d), but they belong to random directions, not to the eigenmodes.)
    """
    return float(init_scale)
