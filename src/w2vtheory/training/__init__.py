"""Training tied word embeddings with SGD on SGNS or QWEM (docs/paper.md section 3), one job a module:

| module | job |
|---|---|
| `losses` | per-pair losses as functions of x = w_i . w_j |
| `reweighting` | pair weights, the authors' normaliser and the expected-loss tables |
| `sampler` | the authors' corpus pair sampling |
| `proportional_sampler` | pairs drawn in proportion to their weight (alias tables) |
| `cpu_kernels` | the fused numba CPU steps |
| `run_config` | a run's settings (completed from run_defaults by `w2vtheory.config.resolve_run`) |
| `problem` | the data a run trains on (tokens, corpus statistics, spectrum of M*) |
| `objective` | pair weights, the authors' normaliser, the expected loss and its gradient |
| `steppers` | one step: sampled on the CPU kernel or torch, exact on torch |
| `loop` | `train`: the loop, evaluations, checkpoints, divergence checks |
| `resume` | the resume state of an interrupted run |
| `outputs` | the run directory's files and run.json |
| `reference` | each objective's converged value (its minimiser at rank d) |
"""

from w2vtheory.training.loop import checkpoint_steps, initial_embeddings, train
from w2vtheory.training.objective import Objective, build_objective
from w2vtheory.training.problem import TrainingProblem, load_problem
from w2vtheory.training.run_config import DTYPES, RunConfig

__all__ = [
    "DTYPES",
    "Objective",
    "RunConfig",
    "TrainingProblem",
    "build_objective",
    "checkpoint_steps",
    "initial_embeddings",
    "load_problem",
    "train",
]
