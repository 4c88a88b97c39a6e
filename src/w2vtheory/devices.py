"""Where computations run: the one resolver of the `device` config key (auto, cpu, cuda)."""

from __future__ import annotations

import torch

from w2vtheory.errors import InputError

DEVICES = ("auto", "cpu", "cuda")


def resolve_device(device: str) -> torch.device:
    """`auto` is CUDA when torch sees a GPU, else the CPU; `cuda` without a GPU is an error."""
    if device not in DEVICES:
        raise InputError(f"device `{device}`: use one of {', '.join(DEVICES)}")
    if device == "cuda" or (device == "auto" and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise InputError("device `cuda` was requested but torch sees no CUDA device; use device: auto or cpu")
        return torch.device("cuda")
    return torch.device("cpu")
