"""Time to quality: wall seconds until gensim's SGNS and ours reach given analogy accuracies.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_time_to_quality.py --experiment results/default \\
        [--run sgns] [--threads 2] [--models gensim-neg1,gensim-neg5,sampled,exact] [--out curves.csv] \\
        [--sampled lr=200 steps=6000 'lr_schedule=[[4000, 0.2]]'] [--exact steps=300]

On one experiment's token stream (results/<experiment>/: tokens.npy, doc_offsets.npy, vocab.tsv,
cooccurrence.npy, cooccurrence.json, spectrum/mstar_eigvals.npy) and the same number of threads:
- gensim-neg1, gensim-neg5: gensim's Word2Vec skip-gram with negative sampling (negative 1 and 5,
  window L from cooccurrence.json, sample --sample, d dimensions) on the in-vocabulary tokens,
  one sentence per document (documents longer than gensim's 10,000-word sentence limit are cut
  into 10,000-word pieces), with exactly the experiment's vocabulary and counts. It trains one
  epoch per train() call, each call continuing the linear learning-rate decay where the last
  stopped, so the whole is one ordinary `epochs=N` run, and it is scored between epochs;
- sampled: the package's trainer, loss sgns, reweight sgns, on the CPU kernel (float32 unless
  --sampled dtype=... says otherwise), scored by the trainer's evaluate callback every eval_every steps;
- exact: the package's full-batch gradient descent on the expected SGNS loss (same settings with
  exact: true), scored the same way.
Every model is scored with the paper's pair-protocol analogy accuracy (w2vtheory.evaluation.scoring, the
score the workflow records in runs/<run>/evaluations.csv). Wall seconds count training only: the
time spent scoring, and everything before the first score (loading, vocabulary, compilation of the
objective's tables), is left out. For our trainer the clock also includes its own bookkeeping at
each evaluation step (the singular values of W, checkpoints), which is part of a training run.

Our settings start from the experiment's run `--run` in the config (config.yaml, or --config merged
over it as `snakemake --configfile` does, completed from run_defaults through w2vtheory.config),
then `--sampled` / `--exact` KEY=VALUE overrides (values in YAML syntax). Without --run, every
required setting (lr, init_scale, steps) comes from the overrides and --dim from the command line.

Prints one table: per model, the wall seconds to reach each --thresholds accuracy and to reach its
plateau (first score within --plateau-tolerance of its best), each with its ratio to gensim-neg1's
time for the same column. --out writes the curves as CSV: model,evaluation,progress,unit,wall_seconds,
analogy_accuracy (progress: epochs finished for gensim, steps taken for ours).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from w2vtheory.atomic import atomic_path
from w2vtheory.config import deep_merge, resolve_experiment, validate_config
from w2vtheory.corpus.vocab import read_lexicon
from w2vtheory.errors import InputError
from w2vtheory.evaluation.datasets import read_analogy_questions
from w2vtheory.evaluation.scoring import build_pair_analogies, pair_analogy_accuracy

ROOT = Path(__file__).resolve().parents[1]
MODELS = ("gensim-neg1", "gensim-neg5", "sampled", "exact")
GENSIM_NEGATIVES = {"gensim-neg1": 1, "gensim-neg5": 5}
REFERENCE_MODEL = "gensim-neg1"
# gensim's Cython loop silently drops the words of a sentence past this many.
GENSIM_MAX_SENTENCE = 10_000
EXPERIMENT_FILES = (
    "tokens.npy",
    "doc_offsets.npy",
    "vocab.tsv",
    "cooccurrence.npy",
    "cooccurrence.json",
    "spectrum/mstar_eigvals.npy",
)
CURVE_COLUMNS = ["model", "evaluation", "progress", "unit", "wall_seconds", "analogy_accuracy"]


@dataclass(frozen=True)
class Experiment:
    """The files of results/<experiment>/ a benchmark reads, and the experiment's shape."""

    directory: Path
    words: list[str]
    tokens: np.ndarray
    doc_offsets: np.ndarray
    window: int
    dim: int
    negative_weight: float


@dataclass
class Curve:
    """One model's scores: (progress, training wall seconds, accuracy) in the order taken."""

    model: str
    unit: str
    points: list[tuple[int, float, float]] = field(default_factory=list)


class TrainingClock:
    """An evaluate callback that scores W and keeps the training-only wall clock.

    The clock starts at the first call (W_0) and every call's own duration is subtracted, so
    `points` hold the seconds spent training up to each score.
    """

    def __init__(self, score: Callable[[np.ndarray], float]) -> None:
        self.score = score
        self.started: float | None = None
        self.excluded = 0.0
        self.points: list[tuple[float, float]] = []

    def __call__(self, W: np.ndarray) -> float:
        entered = time.perf_counter()
        if self.started is None:
            self.started = entered
        accuracy = float(self.score(W))
        self.points.append((entered - self.started - self.excluded, accuracy))
        self.excluded += time.perf_counter() - entered
        return accuracy


# ----------------------------------------------------------------------------------------------
# Inputs


def load_experiment(directory: Path, dim: int, negative_weight: float) -> Experiment:
    missing = [name for name in EXPERIMENT_FILES if not (directory / name).exists()]
    if missing:
        raise InputError(
            f"--experiment {directory}: missing {', '.join(missing)}; build them with "
            f"`snakemake results/{directory.name}/spectrum/mstar_eigvals.npy` or point --experiment elsewhere"
        )
    words, _ = read_lexicon(directory / "vocab.tsv")
    counts = json.loads((directory / "cooccurrence.json").read_text(encoding="utf-8"))
    return Experiment(
        directory,
        words,
        np.load(directory / "tokens.npy"),
        np.load(directory / "doc_offsets.npy"),
        int(counts["window"]),
        dim,
        negative_weight,
    )


def analogy_scorer(questions_path: Path, words: Sequence[str]) -> Callable[[np.ndarray], float]:
    """W (V x d, rows in vocabulary order) -> the pair-protocol analogy accuracy."""
    analogies = build_pair_analogies(read_analogy_questions(questions_path), words)
    if len(analogies) == 0:
        raise InputError(f"--analogies {questions_path}: no category has two pairs in the vocabulary; nothing to score")

    def score(vectors: np.ndarray) -> float:
        correct, total = pair_analogy_accuracy(vectors, analogies)
        return correct / total

    return score


def read_config(path: Path | None) -> dict[str, Any]:
    """config.yaml, with `path` merged over it as `snakemake --configfile` does, validated."""
    config = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    if path is not None:
        config = deep_merge(config, yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    validate_config(config, ROOT / "schemas" / "config.schema.yaml")
    return config


def parse_overrides(pairs: Sequence[str], flag: str) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for pair in pairs:
        key, separator, value = pair.partition("=")
        if not separator or not key:
            raise InputError(f"{flag} {pair!r}: write KEY=VALUE, e.g. {flag} lr=200")
        overrides[key] = yaml.safe_load(value)
    return overrides


# ----------------------------------------------------------------------------------------------
# gensim


def gensim_sentences(words: Sequence[str], tokens: np.ndarray, doc_offsets: np.ndarray) -> list[list[str]]:
    """One list of words per document, cut into pieces gensim trains on whole."""
    vocabulary = np.asarray(words, dtype=object)
    sentences: list[list[str]] = []
    for start, end in zip(doc_offsets[:-1].tolist(), doc_offsets[1:].tolist(), strict=True):
        for piece in range(start, end, GENSIM_MAX_SENTENCE):
            sentences.append(vocabulary[tokens[piece : min(end, piece + GENSIM_MAX_SENTENCE)]].tolist())
    return sentences


def epoch_learning_rates(alpha: float, min_alpha: float, epochs: int) -> list[tuple[float, float]]:
    """(start, end) of each epoch of one linear decay from alpha to min_alpha over `epochs`."""
    bounds = np.linspace(alpha, min_alpha, epochs + 1)
    return [(float(bounds[epoch]), float(bounds[epoch + 1])) for epoch in range(epochs)]


def train_gensim(
    model: str,
    experiment: Experiment,
    sentences: list[list[str]],
    score: Callable[[np.ndarray], float],
    args: argparse.Namespace,
) -> Curve:
    from gensim.models import Word2Vec

    word2vec = Word2Vec(
        vector_size=experiment.dim,
        window=experiment.window,
        sg=1,
        hs=0,
        negative=GENSIM_NEGATIVES[model],
        sample=args.sample,
        min_count=1,
        alpha=args.gensim_alpha,
        min_alpha=args.gensim_min_alpha,
        workers=args.threads,
        seed=args.seed,
    )
    counts = np.bincount(experiment.tokens, minlength=len(experiment.words))
    word2vec.build_vocab_from_freq(
        {word: int(count) for word, count in zip(experiment.words, counts, strict=True) if count},
        corpus_count=len(sentences),
    )
    if len(word2vec.wv) != len(experiment.words):
        raise InputError(
            f"{experiment.directory / 'tokens.npy'}: {len(experiment.words) - len(word2vec.wv)} vocabulary words "
            "never occur in the token stream, so gensim cannot use the experiment's vocabulary"
        )
    rows = np.array([word2vec.wv.key_to_index[word] for word in experiment.words])
    curve = Curve(model, "epoch", [(0, 0.0, score(word2vec.wv.vectors[rows]))])
    seconds = 0.0
    for epoch, (start_alpha, end_alpha) in enumerate(
        epoch_learning_rates(args.gensim_alpha, args.gensim_min_alpha, args.gensim_epochs), start=1
    ):
        started = time.perf_counter()
        word2vec.train(sentences, total_examples=len(sentences), epochs=1, start_alpha=start_alpha, end_alpha=end_alpha)
        seconds += time.perf_counter() - started
        curve.points.append((epoch, seconds, score(word2vec.wv.vectors[rows])))
    return curve


# ----------------------------------------------------------------------------------------------
# Our trainer


def package_training(
    experiment: Experiment, run: Mapping[str, Any], config_key: str, threads: int
) -> Callable[[Callable[[np.ndarray], float], Path], int]:
    """Every call into the package's training API. Checks `run` now (InputError for settings the
    package rejects) and returns train(evaluate, run_dir) -> eval_every, which trains the run on the
    experiment, calling evaluate(W) at step 0, every eval_every steps and at the last step."""
    from w2vtheory.training import RunConfig, load_problem, train

    config = RunConfig.from_mapping(run, config_key)

    def train_run(evaluate: Callable[[np.ndarray], float], run_dir: Path) -> int:
        directory = experiment.directory
        problem = load_problem(
            directory / "tokens.npy",
            directory / "doc_offsets.npy",
            directory / "cooccurrence.npy",
            directory / "cooccurrence.json",
            directory / "vocab.tsv",
            directory / "spectrum" / "mstar_eigvals.npy",
            window=experiment.window,
            negative_weight=experiment.negative_weight,
            dim=experiment.dim,
        )
        train(
            config,
            problem,
            run_dir,
            evaluate=evaluate,
            threads=threads,
            progress=False,
            resume_interval_seconds=math.inf,
        )
        return config.eval_every

    return train_run


def exact_sgns_training(
    experiment: Experiment, run: Mapping[str, Any], config_key: str, threads: int
) -> Callable[[Callable[[np.ndarray], float], Path], int]:
    """Full-batch descent on the expected SGNS loss: the package's exact mode for loss sgns."""
    return package_training(experiment, {**run, "exact": True}, config_key, threads)


def run_package_model(
    model: str,
    train_run: Callable[[Callable[[np.ndarray], float], Path], int],
    score: Callable[[np.ndarray], float],
    steps: int,
) -> Curve:
    clock = TrainingClock(score)
    with tempfile.TemporaryDirectory(prefix=f"bench-{model}-") as run_dir:
        eval_every = train_run(clock, Path(run_dir))
    # The trainer scores at step 0, every eval_every steps, and at its last step.
    progress = [min(index * eval_every, steps) for index in range(len(clock.points))]
    return Curve(model, "step", [(step, *point) for step, point in zip(progress, clock.points, strict=True)])


def our_run_settings(
    config: Mapping[str, Any] | None, experiment_name: str, run_name: str | None, overrides: Mapping[str, Any]
) -> dict[str, Any]:
    """The run's settings for the CPU kernel: config run (if any), float32, then the overrides; SGNS always."""
    base: dict[str, Any] = {}
    if config is not None and run_name is not None:
        runs = resolve_experiment(config, experiment_name)["runs"]
        if run_name not in runs:
            raise InputError(
                f"--run {run_name}: experiments.{experiment_name}.runs has no such run "
                f"(runs: {', '.join(sorted(runs)) or 'none'})"
            )
        base = dict(runs[run_name])
    elif config is not None:
        base = dict(config.get("run_defaults", {}))
    forced = {"loss": "sgns", "reweight": "sgns", "device": "cpu", "n_checkpoints": 2}
    return {**base, "dtype": "float32", **overrides, **forced}


# ----------------------------------------------------------------------------------------------
# Results


def seconds_to_reach(curve: Curve, accuracy: float) -> float:
    """Training seconds at the first score >= accuracy; NaN if never reached."""
    for _, seconds, score in curve.points:
        if score >= accuracy:
            return seconds
    return math.nan


def plateau(curve: Curve, tolerance: float) -> tuple[float, float]:
    """(best accuracy, training seconds at the first score within `tolerance` of it)."""
    best = max(score for _, _, score in curve.points)
    return best, seconds_to_reach(curve, best - tolerance)


def _cell(seconds: float, reference: float) -> str:
    if math.isnan(seconds):
        return "not reached"
    if math.isnan(reference) or reference <= 0:
        return f"{seconds:.1f} s"
    return f"{seconds:.1f} s ({seconds / reference:.2f}x)"


def time_to_quality_table(curves: Sequence[Curve], thresholds: Sequence[float], tolerance: float) -> str:
    """Markdown table: per model the seconds to each threshold and to its plateau, x gensim-neg1's."""
    reference = next((curve for curve in curves if curve.model == REFERENCE_MODEL), None)

    def reference_seconds(column: Callable[[Curve], float]) -> float:
        return math.nan if reference is None else column(reference)

    columns: list[tuple[str, Callable[[Curve], float]]] = [
        (f"{100 * threshold:g} %", lambda curve, threshold=threshold: seconds_to_reach(curve, threshold))
        for threshold in thresholds
    ]
    columns.append((f"plateau (within {100 * tolerance:g} pt of best)", lambda curve: plateau(curve, tolerance)[1]))
    headers = ["model", *(name for name, _ in columns), "best", "trained s"]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for curve in curves:
        cells = [_cell(column(curve), reference_seconds(column)) for _, column in columns]
        best = plateau(curve, tolerance)[0]
        lines.append(
            "| " + " | ".join([curve.model, *cells, f"{100 * best:.1f} %", f"{curve.points[-1][1]:.1f}"]) + " |"
        )
    lines.append("")
    lines.append(
        f"Wall seconds of training (scoring excluded) to the first pair-protocol analogy score at or above each "
        f"accuracy; (x) = ratio to {REFERENCE_MODEL}'s seconds in the same column."
    )
    return "\n".join(lines) + "\n"


def curves_frame(curves: Sequence[Curve]) -> pd.DataFrame:
    rows = [
        (curve.model, index, progress, curve.unit, seconds, accuracy)
        for curve in curves
        for index, (progress, seconds, accuracy) in enumerate(curve.points)
    ]
    return pd.DataFrame(rows, columns=CURVE_COLUMNS)


def write_curves(path: Path, curves: Sequence[Curve]) -> None:
    with atomic_path(path) as tmp:
        curves_frame(curves).to_csv(tmp, index=False)


# ----------------------------------------------------------------------------------------------
# Command line


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--experiment", type=Path, required=True, help="results/<experiment> directory")
    parser.add_argument("--experiment-name", help="its key under `experiments` (default: the directory's name)")
    parser.add_argument("--config", type=Path, help="a config file merged over config.yaml")
    parser.add_argument("--run", help="the experiment's run whose settings ours start from, e.g. sgns")
    parser.add_argument("--dim", type=int, help="embedding dimension (default: the experiment's dim)")
    parser.add_argument("--analogies", type=Path, default=Path("resources/benchmarks/questions-words.txt"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--models", default=",".join(MODELS), help=f"comma-separated, from {', '.join(MODELS)}")
    parser.add_argument("--sampled", nargs="*", default=[], metavar="KEY=VALUE", help="run settings for `sampled`")
    parser.add_argument(
        "--exact", nargs="*", default=[], metavar="KEY=VALUE", help="run settings for `exact` over the sampled ones"
    )
    parser.add_argument("--gensim-epochs", type=int, default=20)
    parser.add_argument("--gensim-alpha", type=float, default=0.025)
    parser.add_argument("--gensim-min-alpha", type=float, default=0.0001)
    parser.add_argument("--sample", type=float, default=1e-5, help="gensim's frequent-word downsampling threshold")
    parser.add_argument("--seed", type=int, default=0, help="gensim's seed")
    parser.add_argument("--thresholds", default="0.20,0.25,0.30", help="accuracies (fractions), comma-separated")
    parser.add_argument("--plateau-tolerance", type=float, default=0.005, help="as a fraction (0.005 = 0.5 points)")
    parser.add_argument("--out", type=Path, help="CSV of the curves")
    return parser.parse_args(argv)


def prepare(args: argparse.Namespace) -> tuple[Experiment, list[str], dict[str, Callable[..., int]], dict[str, int]]:
    """Everything checked before anything trains: inputs, models, and our runs' settings."""
    models = [model.strip() for model in args.models.split(",") if model.strip()]
    unknown = sorted(set(models) - set(MODELS))
    if unknown or not models:
        raise InputError(f"--models {args.models!r}: use some of {', '.join(MODELS)}")
    if args.threads < 1 or args.gensim_epochs < 1:
        raise InputError("--threads and --gensim-epochs must be positive")
    experiment_name = args.experiment_name or args.experiment.name
    config = read_config(args.config) if args.run is not None or args.config is not None else None
    dim, negative_weight = args.dim, 1.0
    if config is not None and experiment_name in config.get("experiments", {}):
        resolved = resolve_experiment(config, experiment_name)
        dim = dim or int(resolved["dim"])
        negative_weight = float(resolved["negative_weight"])
    if dim is None:
        raise InputError(f"no dimension: give --dim, or --config/--run with experiment `{experiment_name}` defined")
    experiment = load_experiment(args.experiment, dim, negative_weight)
    key = f"experiments.{experiment_name}.runs.{args.run or 'benchmark'}"
    sampled = our_run_settings(config, experiment_name, args.run, parse_overrides(args.sampled, "--sampled"))
    exact = {**sampled, **parse_overrides(args.exact, "--exact")}
    builders = {"sampled": (package_training, sampled), "exact": (exact_sgns_training, exact)}
    trainers: dict[str, Callable[..., int]] = {}
    steps: dict[str, int] = {}
    for model in models:
        if model in builders:
            build, run = builders[model]
            trainers[model] = build(experiment, run, f"{key} ({model})", args.threads)
            steps[model] = int(run["steps"])
    return experiment, models, trainers, steps


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_arguments(argv)
    try:
        thresholds = [float(value) for value in args.thresholds.split(",")]
        experiment, models, trainers, steps = prepare(args)
        score = analogy_scorer(args.analogies, experiment.words)
    except (InputError, ValueError) as error:
        sys.exit(f"error: {error}")
    print(
        f"{experiment.directory}: V = {len(experiment.words):,}, d = {experiment.dim}, L = {experiment.window}, "
        f"{len(experiment.tokens):,} tokens, threads = {args.threads}",
        flush=True,
    )
    sentences = gensim_sentences(experiment.words, experiment.tokens, experiment.doc_offsets)
    curves: list[Curve] = []
    for model in models:
        try:
            if model in GENSIM_NEGATIVES:
                curve = train_gensim(model, experiment, sentences, score, args)
            else:
                curve = run_package_model(model, trainers[model], score, steps[model])
        except InputError as error:
            sys.exit(f"error: model `{model}`: {error}")
        curves.append(curve)
        final = curve.points[-1]
        print(f"{model}: {100 * final[2]:.1f} % after {final[1]:.1f} s ({final[0]} {curve.unit}s)", flush=True)
    if args.out is not None:
        write_curves(args.out, curves)
    print()
    print(time_to_quality_table(curves, thresholds, args.plateau_tolerance), end="")


if __name__ == "__main__":
    main()
