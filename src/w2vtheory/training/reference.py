"""Each objective's converged value: the minimiser of its expected loss at rank d, the reference a
trained run is measured against (rule converged_reference).

Omniscient QWEM's expected loss is (mean(G)/4)(||W W^T - M*||^2 - ||M*||^2), minimised at rank d by the
top-d eigenpairs of M*: W = U_d sqrt(max(lambda_d, 0)), the closed form svd(M*) (Eckart-Young). Every
other objective is minimised numerically: L-BFGS on the exact expected loss and gradient that exact
mode descends (`w2vtheory.training.objective.expected_loss_and_gradient`), started from
whichever of two rank-d guesses has the lower loss: svd(M*) (the minimiser of omniscient QWEM) and
the rank-d truncation of the objective's own elementwise minimiser X* (the x each pair would take
alone: x* = log(A+/A- + e^-5) for SGNS, its PMI-like target, and 2 (A+ - A-)/(A+ + A-) for QWEM,
which is M* under omniscient weights). For omniscient SGNS every pair weighs the same and X* is
close to the answer; svd(M*) is far from it. L-BFGS rather than gradient descent because it needs
no step size tuned to each objective and corpus; the minimiser is the same.

The loss and gradient may be evaluated in float32 (L-BFGS's own state stays float64): each
evaluation streams four V x V tables, and float32 halves that traffic. L-BFGS then stops where its
line search can no longer lower the float32 loss, and that stop counts as converged
(docs/scaling.md, "Training kernels", has the measured speed and precision).

L-BFGS also stops once the loss has fallen by less than `progress_tolerance` times the learnable
loss (1 - loss) over the last `PROGRESS_WINDOW` iterations: near the end its loss gap shrinks
linearly, so the gap left is then about that fraction of the learnable loss, far below the share a
trained run leaves unlearned (`w2vtheory.evaluation.convergence`). It is not a gradient-norm test,
whose scale differs by objective and vocabulary (docs/paper.md, section 3).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.optimize
import threadpoolctl
import torch

from w2vtheory.closed_form.embeddings import eigen_embedding
from w2vtheory.closed_form.spectra import top_eigenpairs
from w2vtheory.closed_form.statistics import mstar_from_weights
from w2vtheory.finite import NonFiniteError, check_finite
from w2vtheory.training.objective import DenseExpectedLoss, Objective
from w2vtheory.training.reweighting import SGNS_TARGET_FLOOR
from w2vtheory.training.run_config import RunConfig

PROGRESS_WINDOW = 50


def objective_name(config: RunConfig) -> str:
    """The name of a run's objective: loss-reweight, and word2vec's subsampling threshold where it matters."""
    name = f"{config.loss}-{config.reweight}"
    return f"{name}-t{config.subsample_t:g}" if config.reweight == "sgns" else name


@dataclass(frozen=True)
class Reference:
    W: np.ndarray
    info: dict[str, Any]


def closed_form_reference(eigvals: np.ndarray, eigvecs: np.ndarray, dim: int) -> Reference:
    """svd(M*): the rank-d minimiser of omniscient QWEM's expected loss."""
    W = eigen_embedding(eigvals[:dim], eigvecs[:, :dim])
    return Reference(W, {"method": "closed form: top-d eigenpairs of M* (Eckart-Young)"})


def elementwise_minimiser(positive: np.ndarray, negative: np.ndarray, loss: str) -> np.ndarray:
    """X*: the x_ij minimising A+ l+(x) + A- l-(x) pair by pair (SGNS's floored at log e^-5, as the
    authors' normaliser floors its target)."""
    if loss == "sgns":
        return np.log(positive / negative + SGNS_TARGET_FLOOR)
    return mstar_from_weights(positive, negative)


def truncated_embedding(matrix: np.ndarray, dim: int) -> np.ndarray:
    """U_d sqrt(max(lambda_d, 0)) of a symmetric matrix: its best rank-d factor W W^T."""
    return eigen_embedding(*top_eigenpairs(matrix, dim))


def minimised_reference(
    objective: Objective,
    mstar_start: np.ndarray,
    max_iterations: int,
    dtype: torch.dtype = torch.float64,
    progress_tolerance: float = 0.0,
) -> Reference:
    """L-BFGS on the normalised expected loss 1 - E(W)/normaliser, evaluated in `dtype` on the CPU,
    from the better of `mstar_start` (svd(M*), V x d) and the truncated elementwise minimiser, until
    the loss falls by less than `progress_tolerance` (1 - loss) over `PROGRESS_WINDOW` iterations
    (0: no such stop)."""
    if objective.tables is None:
        raise ValueError("the objective needs its dense pair tables (build it with exact: true)")
    for name, array in (
        ("svd(M*) start", mstar_start),
        ("A+ table", objective.tables[0]),
        ("A- table", objective.tables[1]),
    ):
        check_finite(array, f"L-BFGS's {name}", "rebuild the experiment's counts and spectrum")
    expected = DenseExpectedLoss(*(torch.as_tensor(table, dtype=dtype) for table in objective.tables), objective.loss)
    scale = objective.gradient_scale
    evaluations = 0

    def value_and_gradient(flat: np.ndarray) -> tuple[float, np.ndarray]:
        nonlocal evaluations
        evaluations += 1
        W = torch.from_numpy(flat.reshape(vocab_size, dim)).to(dtype)
        value, gradient = expected.loss_and_gradient(W)
        return 1.0 + scale * float(value), (scale * gradient).numpy().reshape(-1).astype(np.float64)

    vocab_size, dim = mstar_start.shape
    started = time.perf_counter()
    target = elementwise_minimiser(*objective.tables, objective.loss)
    starts = {"svd(M*)": np.asarray(mstar_start, dtype=np.float64), "svd(X*)": truncated_embedding(target, dim)}
    del target
    start_losses = {name: value_and_gradient(W.reshape(-1))[0] for name, W in starts.items()}
    finite_starts = {name: loss for name, loss in start_losses.items() if math.isfinite(loss)}
    if not finite_starts:
        raise NonFiniteError(f"L-BFGS: the loss is non-finite at every start ({start_losses}); nothing to minimise")
    start_name = min(finite_starts, key=finite_starts.get)
    losses = []

    def stop_without_progress(intermediate_result: scipy.optimize.OptimizeResult) -> None:
        losses.append(float(intermediate_result.fun))
        if len(losses) > PROGRESS_WINDOW:
            progress = losses[-PROGRESS_WINDOW - 1] - losses[-1]
            if progress < progress_tolerance * (1.0 - losses[-1]):
                raise StopIteration

    # L-BFGS's own vector work is small; left multi-threaded, OpenBLAS's idle threads spin between its
    # calls and take the cores from torch and the numba kernel (1.5x slower per evaluation at V = 2,000).
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        result = scipy.optimize.minimize(
            value_and_gradient,
            starts[start_name].reshape(-1),
            jac=True,
            method="L-BFGS-B",
            callback=stop_without_progress,
            options={"maxiter": max_iterations, "maxcor": 20, "ftol": 1e-13, "gtol": 1e-10},
        )
    W = result.x.reshape(vocab_size, dim)
    # No reference is called converged about a non-finite number (and save_npy refuses such a W).
    finite = bool(math.isfinite(result.fun) and np.isfinite(W).all() and np.isfinite(result.jac).all())
    # status 2: the line search found no lower loss, the minimum at the evaluations' precision
    stopped_at_precision = result.status == 2 and dtype != torch.float64
    # scipy's status when the callback stops the iterations
    stopped_without_progress = result.status == 99
    info = {
        "method": "L-BFGS-B on the expected loss",
        "dtype": str(dtype).removeprefix("torch."),
        "start": start_name,
        "start_losses": start_losses,
        "loss_normalised": float(result.fun),
        "gradient_norm": float(np.linalg.norm(result.jac)),
        "iterations": int(result.nit),
        "evaluations": evaluations,
        "progress_tolerance": progress_tolerance,
        "converged": bool(result.success or stopped_at_precision or stopped_without_progress) and finite,
        "message": (
            f"the loss fell by less than {progress_tolerance:g} of the learnable loss over {PROGRESS_WINDOW} iterations"
            if stopped_without_progress
            else str(result.message)
        ),
        "seconds": time.perf_counter() - started,
    }
    return Reference(W, info)
