"""One training run's settings (config `experiments.<experiment>.runs.<run>`).

Every default lives in `run_defaults` of the repository's config.yaml (checked by its JSON schema);
`RunConfig.from_mapping` completes a partial mapping from there, so no default is restated here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any

import torch
import yaml

from w2vtheory import losses, theory
from w2vtheory.config import REQUIRED_RUN_KEYS
from w2vtheory.devices import DEVICES
from w2vtheory.errors import InputError
from w2vtheory.reweighting import REWEIGHTINGS

DTYPES = {"float32": torch.float32, "float64": torch.float64}
# `corpus`: the authors' sampler (w2vtheory.sampler); `proportional`: w2vtheory.proportional_sampler.
PAIR_SAMPLINGS = ("corpus", "proportional")
REPOSITORY_CONFIG = Path(__file__).resolve().parents[3] / "config.yaml"


@cache
def run_defaults() -> dict[str, Any]:
    """`run_defaults` of the repository's config.yaml, with the device of `experiment_defaults`."""
    with open(REPOSITORY_CONFIG, encoding="utf-8") as handle:
        config = yaml.safe_load(handle)
    return {"device": config["experiment_defaults"]["device"], **config["run_defaults"]}


INVERSE_TIME_KEYS = ("decay_from", "decay_steps", "anneal_steps")


def _schedule_entries(schedule: Any, steps: Any, config_key: str) -> tuple[tuple[int, float], ...]:
    """A run's `lr_schedule` as [step, factor] entries: the list as written, or the entries of an
    inverse-time decay written as {decay_from, decay_steps, anneal_steps}
    (`w2vtheory.theory.inverse_time_schedule`)."""
    if not isinstance(schedule, Mapping):
        return tuple((int(start), float(factor)) for start, factor in schedule)
    key = f"{config_key}.lr_schedule"
    unknown = sorted(set(schedule) - set(INVERSE_TIME_KEYS))
    if unknown:
        raise InputError(
            f"config key `{key}`: unknown settings {', '.join(unknown)} (use {', '.join(INVERSE_TIME_KEYS)})"
        )
    values = {"anneal_steps": 0, **schedule}
    for name in INVERSE_TIME_KEYS:
        value = values.get(name)
        least = 1 if name == "decay_steps" else 0
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            raise InputError(f"config key `{key}.{name}` = {value!r}: must be an integer >= {least}")
    return tuple(theory.inverse_time_schedule(**values, steps=int(steps)))


@dataclass(frozen=True)
class RunConfig:
    """A run completed from run_defaults; `check` repeats the schema's rules for direct callers."""

    loss: str
    reweight: str
    lr: float
    init_scale: float
    steps: int
    lr_schedule: tuple[tuple[int, float], ...]
    batch_size: int
    dtype: str
    seed: int
    device: str
    exact: bool
    momentum: float
    momentum_from: int
    pair_sampling: str
    negatives_per_positive: int
    log_every: int
    eval_every: int
    singular_values_every: int
    n_checkpoints: int
    subsample_t: float
    config_key: str = field(default="run", compare=False)

    @classmethod
    def from_mapping(cls, run: Mapping[str, Any], config_key: str = "run") -> RunConfig:
        known = {item.name for item in fields(cls) if item.name != "config_key"}
        unknown = sorted(set(run) - known)
        if unknown:
            raise InputError(f"config key `{config_key}`: unknown run settings {', '.join(unknown)}")
        missing = [name for name in REQUIRED_RUN_KEYS if name not in run]
        if missing:
            raise InputError(f"config key `{config_key}`: missing {', '.join(missing)}")
        values = {**run_defaults(), **run}
        values["lr_schedule"] = _schedule_entries(values["lr_schedule"], values["steps"], config_key)
        config = cls(**values, config_key=config_key)
        config.check()
        return config

    def check(self) -> None:
        def fail(key: str, problem: str) -> None:
            raise InputError(f"config key `{self.config_key}.{key}` = {getattr(self, key)!r}: {problem}")

        choices = {
            "loss": losses.LOSSES,
            "reweight": REWEIGHTINGS,
            "dtype": tuple(DTYPES),
            "device": DEVICES,
            "pair_sampling": PAIR_SAMPLINGS,
        }
        for key, allowed in choices.items():
            if getattr(self, key) not in allowed:
                fail(key, f"use one of {', '.join(allowed)}")
        for key in ("lr", "init_scale", "subsample_t"):
            value = getattr(self, key)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                fail(key, "must be a finite positive number")
        integers = ("steps", "batch_size", "negatives_per_positive", "log_every", "eval_every", "singular_values_every")
        for key in (*integers, "n_checkpoints"):
            value = getattr(self, key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                fail(key, "must be a positive integer")
        if not isinstance(self.seed, int) or self.seed < 0:
            fail("seed", "must be a non-negative integer")
        # Exact mode (and a run's converged reference, built from its settings) has no pairs to draw.
        if self.negatives_per_positive > 1 and not self.exact and self.pair_sampling != "proportional":
            fail("negatives_per_positive", "only runs with pair_sampling: proportional draw extra negatives")
        if not (isinstance(self.momentum, int | float) and 0.0 <= self.momentum < 1.0):
            fail("momentum", "must be a number in [0, 1)")
        # Sampled steps would need a dense V x d velocity per step, and buy nothing: the velocity
        # multiplies the step's noise as much as its progress.
        if self.momentum > 0.0 and not self.exact:
            fail("momentum", "only exact runs (exact: true) take momentum steps")
        if not isinstance(self.momentum_from, int) or isinstance(self.momentum_from, bool) or self.momentum_from < 0:
            fail("momentum_from", "must be a non-negative integer")
        for start, factor in self.lr_schedule:
            if start < 0 or not (math.isfinite(factor) and factor > 0):
                fail("lr_schedule", "each entry is [step >= 0, factor > 0]")

    @property
    def negative_batch_size(self) -> int:
        """Negative pairs per step: batch_size times negatives_per_positive."""
        return self.batch_size * self.negatives_per_positive

    def learning_rate(self, step: int) -> float:
        return float(theory.learning_rate(step, self.lr, self.lr_schedule))

    def resolved(self) -> dict[str, Any]:
        values = asdict(self)
        values.pop("config_key")
        values["lr_schedule"] = [list(entry) for entry in self.lr_schedule]
        return values
