"""Per-pair losses of docs/paper.md section 3 as functions of x = w_i . w_j (torch tensors).

Both vanish at x = 0 (SGNS has its constant log 2 removed), so the batch loss of W = 0 is 0 and
the normalised loss starts at 1. QWEM is twice SGNS's Taylor expansion to second order
(log(1 + e^-x) - log 2 = -x/2 + x^2/8 + ...).
"""

from __future__ import annotations

import math

import torch
from torch.nn import functional

LOSSES = ("sgns", "qwem")


def positive_loss(loss: str, x: torch.Tensor) -> torch.Tensor:
    """Loss of a positive (co-occurring) pair: SGNS log(1 + e^-x) - log 2, QWEM -x + x^2/4."""
    if loss == "sgns":
        return functional.softplus(-x) - math.log(2.0)
    if loss == "qwem":
        return -x + 0.25 * x * x
    raise ValueError(f"unknown loss {loss!r}; use one of {LOSSES}")


def negative_loss(loss: str, x: torch.Tensor) -> torch.Tensor:
    """Loss of a negative (unigram-drawn) pair: SGNS log(1 + e^x) - log 2, QWEM x + x^2/4."""
    if loss == "sgns":
        return functional.softplus(x) - math.log(2.0)
    if loss == "qwem":
        return x + 0.25 * x * x
    raise ValueError(f"unknown loss {loss!r}; use one of {LOSSES}")


def positive_loss_derivative(loss: str, x: torch.Tensor) -> torch.Tensor:
    """d/dx of `positive_loss`: SGNS -sigmoid(-x), QWEM -1 + x/2."""
    if loss == "sgns":
        return -torch.sigmoid(-x)
    if loss == "qwem":
        return 0.5 * x - 1.0
    raise ValueError(f"unknown loss {loss!r}; use one of {LOSSES}")


def negative_loss_derivative(loss: str, x: torch.Tensor) -> torch.Tensor:
    """d/dx of `negative_loss`: SGNS sigmoid(x), QWEM 1 + x/2."""
    if loss == "sgns":
        return torch.sigmoid(x)
    if loss == "qwem":
        return 0.5 * x + 1.0
    raise ValueError(f"unknown loss {loss!r}; use one of {LOSSES}")
