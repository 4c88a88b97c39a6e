"""Where computations run: the one resolver of the `device` config key (auto, cpu, cuda).

torch is imported only to ask about CUDA, so a job told `device: cpu` never needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from w2vtheory.errors import InputError

if TYPE_CHECKING:
    import torch

DEVICES = ("auto", "cpu", "cuda")


def cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def device_name(device: str) -> str:
    """'cpu' or 'cuda': `auto` is CUDA when torch sees a GPU, else the CPU; `cuda` without a GPU is an error."""
    if device not in DEVICES:
        raise InputError(f"device `{device}`: use one of {', '.join(DEVICES)}")
    if device == "cpu":
        return "cpu"
    available = cuda_available()
    if device == "cuda" and not available:
        raise InputError("device `cuda` was requested but torch sees no CUDA device; use device: auto or cpu")
    return "cuda" if available else "cpu"


def resolve_device(device: str) -> torch.device:
    """`device_name` as a torch device."""
    import torch

    return torch.device(device_name(device))
