"""Check the memory a job needs before it allocates it.

Dense V x V matrices grow with V^2: at V = 35,000 one float64 matrix is 9.8 GB. A job that asks
for more than the machine has is killed by the kernel (SIGKILL, an empty log) or fails inside a
numpy allocation; checking first turns that into a message saying how much is needed, how much
there is, and what to lower.

What "there is" means: the least of the memory the kernel reports as available, the limit of
the job's memory cgroup (containers, Slurm with cgroups) minus what the cgroup already uses, and
the Slurm allocation (`SLURM_MEM_PER_NODE`, or `SLURM_MEM_PER_CPU` times the job's CPUs).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from w2vtheory.errors import InputError

FLOAT64_BYTES = 8
# Copies of a dense V x V float64 matrix each job holds at its peak: the job checks them before it
# allocates (`check_matrix_memory`), and its rule asks the scheduler for them (`request_mb`).
COUNTING_COPIES = 1  # the accumulator; tokens are memory-mapped
SPECTRUM_COPIES = 5  # the counts, the matrix, its intermediates and the eigensolver's workspace
TRAINING_COPIES = 4  # the counts, P(i,j), M* and the pair-weight table
DENSE_TRAINING_COPIES = 8  # those, the two expected-loss tables, W W^T and the slopes
# (exact omniscient QWEM: M*, its eigenvectors in float64 and float32, and the eigensolver's workspace)
# (proportional sampling holds as much: the two tables, then their alias tables at 10 bytes per entry)
# What a rule asks for beyond its matrices: the interpreter, libraries and smaller arrays.
REQUEST_HEADROOM_MB = 1000
# cgroup v1 reports "no limit" as a huge number close to 2^63.
_NO_CGROUP_LIMIT = 1 << 60


@dataclass(frozen=True)
class MemoryLimit:
    """Bytes available to this process, and where that number comes from."""

    available: int
    source: str


def matrix_bytes(vocab_size: int, copies: int, itemsize: int = FLOAT64_BYTES) -> int:
    """Bytes of `copies` dense V x V matrices."""
    return copies * vocab_size * vocab_size * itemsize


def training_copies(exact: bool, pair_sampling: str) -> int:
    """The matrices a training run holds: dense expected-loss tables in exact mode and for
    proportional sampling."""
    return DENSE_TRAINING_COPIES if exact or pair_sampling == "proportional" else TRAINING_COPIES


def request_mb(vocab_size: int, copies: int) -> int:
    """Memory (MB) a rule asks for a job holding `copies` V x V float64 matrices."""
    return int(matrix_bytes(vocab_size, copies) / 1e6) + REQUEST_HEADROOM_MB


def largest_vocab_size(available: int, copies: int, itemsize: int = FLOAT64_BYTES) -> int:
    """The largest V whose `copies` V x V matrices fit in `available` bytes."""
    return math.isqrt(max(available, 0) // (copies * itemsize))


def _meminfo_available(meminfo: Path) -> int | None:
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _own_cgroup(hierarchy: Path, relative: str) -> Path:
    """The process's cgroup directory; in a container that mounts only its own cgroup, the mount."""
    directory = hierarchy / relative
    return directory if directory.is_dir() else hierarchy


def _cgroup_available(proc_cgroup: Path, cgroup_root: Path) -> int | None:
    """Limit minus usage of this process's memory cgroup (v2 or v1); None without a limit."""
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, relative = line.split(":", 2)
        relative = relative.lstrip("/")
        if controllers == "":  # v2: one unified hierarchy
            directory = _own_cgroup(cgroup_root, relative)
            limit, usage = _read_int(directory / "memory.max"), _read_int(directory / "memory.current")
        elif "memory" in controllers.split(","):
            directory = _own_cgroup(cgroup_root / "memory", relative)
            limit = _read_int(directory / "memory.limit_in_bytes")
            usage = _read_int(directory / "memory.usage_in_bytes")
        else:
            continue
        if limit is not None and limit < _NO_CGROUP_LIMIT:
            return max(limit - (usage or 0), 0)
    return None


def _slurm_allocation(environment: Mapping[str, str]) -> int | None:
    """The job's Slurm memory in bytes (Slurm gives megabytes), if it runs under Slurm."""
    per_node = environment.get("SLURM_MEM_PER_NODE", "")
    if per_node.isdigit():
        return int(per_node) * 2**20
    per_cpu = environment.get("SLURM_MEM_PER_CPU", "")
    cpus = environment.get("SLURM_CPUS_PER_TASK") or environment.get("SLURM_CPUS_ON_NODE") or "1"
    if per_cpu.isdigit() and cpus.isdigit():
        return int(per_cpu) * int(cpus) * 2**20
    return None


def available_memory(
    environment: Mapping[str, str] | None = None,
    meminfo: Path = Path("/proc/meminfo"),
    proc_cgroup: Path = Path("/proc/self/cgroup"),
    cgroup_root: Path = Path("/sys/fs/cgroup"),
) -> MemoryLimit | None:
    """The tightest of the limits this process can see (None if it can see none)."""
    environment = os.environ if environment is None else environment
    limits = [
        (_meminfo_available(meminfo), "MemAvailable of this machine"),
        (_cgroup_available(proc_cgroup, cgroup_root), "the limit of the job's memory cgroup"),
        (_slurm_allocation(environment), "the Slurm allocation"),
    ]
    known = [MemoryLimit(amount, source) for amount, source in limits if amount is not None]
    return min(known, key=lambda limit: limit.available, default=None)


def human_size(amount: int) -> str:
    """Bytes as GB (or MB below a gigabyte), one decimal."""
    return f"{amount / 1e9:.1f} GB" if amount >= 1e9 else f"{amount / 1e6:.1f} MB"


def check_matrix_memory(
    task: str, vocab_size: int, copies: int, limit: MemoryLimit | None = None, itemsize: int = FLOAT64_BYTES
) -> None:
    """Raise InputError before `task` allocates `copies` V x V matrices that do not fit.

    `limit` defaults to `available_memory()`; without any known limit nothing is checked.
    """
    limit = available_memory() if limit is None else limit
    needed = matrix_bytes(vocab_size, copies, itemsize)
    if limit is None or needed <= limit.available:
        return
    raise InputError(
        f"{task} needs about {human_size(needed)} of memory ({copies} x {vocab_size:,} x {vocab_size:,} matrices of "
        f"{itemsize}-byte numbers) but only {human_size(limit.available)} is available ({limit.source}): lower "
        f"`vocab_size` to at most {largest_vocab_size(limit.available, copies, itemsize):,}, or run on a machine "
        "(or in a Slurm allocation) with more memory"
    )
