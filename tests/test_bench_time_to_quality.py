"""benchmarks/bench_time_to_quality.py on a synthetic stream with planted analogies (a few seconds)."""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from w2vtheory.closed_form.statistics import joint_probability, mstar, unigram_probability
from w2vtheory.corpus.cooccurrence import count_cooccurrence, count_pairs
from w2vtheory.corpus.vocab import write_vocabulary

ROOT = Path(__file__).resolve().parents[1]
N_OBJECTS = 10
WINDOW = 5
DIM = 8
# Our run: a large start skips the small-init plateau, so the few hundred steps learn the analogies.
SGNS_RUN = {
    "loss": "sgns",
    "reweight": "sgns",
    "init_scale": 0.1,
    "lr": 5,
    "steps": 300,
    "batch_size": 2000,
    "eval_every": 30,
    "subsample_t": 1.0e-3,
}


@pytest.fixture(scope="module")
def bench() -> dict[str, Any]:
    return runpy.run_path(str(ROOT / "benchmarks" / "bench_time_to_quality.py"), run_name="bench_time_to_quality")


def planted_words(n_objects: int) -> list[str]:
    """Objects in two forms (a, b), three context words per object, three markers per form, fillers."""
    words = [f"obj{t}{form}" for t in range(n_objects) for form in "ab"]
    words += [f"ctx{t}x{j}" for t in range(n_objects) for j in range(3)]
    return words + [f"mark{form}{j}" for form in "ab" for j in range(3)] + [f"fill{j}" for j in range(10)]


def planted_stream(n_objects: int, n_documents: int, length: int, seed: int = 0) -> np.ndarray:
    """Each document is about one object in one form: its words are the object word, the object's
    context words, the form's markers and fillers, so obj_b - obj_a is the same offset for every object."""
    rng = np.random.default_rng(seed)
    n_tokens = n_documents * length
    topic = np.repeat(rng.integers(n_objects, size=n_documents), length)
    form = np.repeat(rng.integers(2, size=n_documents), length)
    pick = rng.integers(1 << 30, size=n_tokens)
    choices = [
        2 * topic + form,
        2 * n_objects + 3 * topic + pick % 3,
        5 * n_objects + 3 * form + pick % 3,
        5 * n_objects + 6 + pick % 10,
    ]
    return np.choose(rng.choice(4, size=n_tokens, p=[0.3, 0.3, 0.25, 0.15]), choices)


@pytest.fixture(scope="module")
def planted_experiment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """results/planted/ as the workflow writes it, plus questions.txt and config.yaml for it."""
    directory = tmp_path_factory.mktemp("results") / "planted"
    directory.mkdir()
    words = planted_words(N_OBJECTS)
    length = 40
    raw = planted_stream(N_OBJECTS, 1500, length)
    counts = np.bincount(raw, minlength=len(words))
    order = sorted(range(len(words)), key=lambda word: (-counts[word], words[word]))  # vocab.tsv's order
    rank = np.empty(len(words), dtype=np.int64)
    rank[order] = np.arange(len(words))
    tokens = rank[raw].astype(np.uint16)
    offsets = np.arange(0, len(tokens) + 1, length, dtype=np.int64)
    write_vocabulary(directory / "vocab.tsv", [words[word] for word in order], counts[order])
    np.save(directory / "tokens.npy", tokens)
    np.save(directory / "doc_offsets.npy", offsets)
    cooccurrence = count_cooccurrence(tokens, offsets, len(words), WINDOW, n_threads=1)
    n_pairs = count_pairs(offsets, WINDOW)
    np.save(directory / "cooccurrence.npy", cooccurrence)
    stats = {"window": WINDOW, "n_pairs": n_pairs, "n_tokens": len(tokens), "n_documents": len(offsets) - 1}
    (directory / "cooccurrence.json").write_text(json.dumps(stats))
    unigram = unigram_probability(np.bincount(tokens, minlength=len(words)).astype(np.float64))
    target = mstar(joint_probability(cooccurrence, n_pairs, WINDOW), unigram)
    (directory / "spectrum").mkdir()
    np.save(directory / "spectrum" / "mstar_eigvals.npy", np.linalg.eigvalsh(target)[::-1].copy())
    pairs = [(f"obj{t}a", f"obj{t}b") for t in range(N_OBJECTS)]
    lines = [f"{a} {b} {c} {d}\n" for (a, b), (c, d) in zip(pairs[::2], pairs[1::2], strict=True)]
    (directory / "questions.txt").write_text(": planted-forms\n" + "".join(lines))
    config = {
        "corpora": {"planted": {"source": "local", "path": "planted.txt"}},
        "experiments": {
            "planted": {
                "corpus": "planted",
                "vocab_size": len(words),
                "window": WINDOW,
                "dim": DIM,
                "models": ["sgns"],
                "runs": {"sgns": SGNS_RUN},
            }
        },
    }
    (directory / "config.yaml").write_text(yaml.safe_dump(config))
    return directory


def arguments(directory: Path, out: Path, models: str) -> list[str]:
    return [
        "--experiment",
        str(directory),
        "--config",
        str(directory / "config.yaml"),
        "--run",
        "sgns",
        "--analogies",
        str(directory / "questions.txt"),
        "--threads",
        "1",
        "--models",
        models,
        "--gensim-epochs",
        "5",
        "--sample",
        "1e-3",
        "--out",
        str(out),
    ]


def test_table_and_curves(bench, planted_experiment: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "curves.csv"
    models = ["gensim-neg1", "gensim-neg5", "sampled"]
    bench["main"](arguments(planted_experiment, out, ",".join(models)))
    printed = capsys.readouterr().out
    table = [line for line in printed.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in table[0].strip("|").split("|")]
    assert header == ["model", "20 %", "25 %", "30 %", "plateau (within 0.5 pt of best)", "best", "trained s"]
    rows = {cells[0]: cells for cells in ([cell.strip() for cell in line.strip("|").split("|")] for line in table[2:])}
    assert list(rows) == models
    reached = [cell for cell in rows["gensim-neg1"][1:5] if cell != "not reached"]
    assert reached and all(cell.endswith("(1.00x)") for cell in reached)

    curves = pd.read_csv(out)
    assert list(curves.columns) == ["model", "evaluation", "progress", "unit", "wall_seconds", "analogy_accuracy"]
    assert set(curves["model"]) == set(models)
    for model, curve in curves.groupby("model"):
        assert (np.diff(curve["wall_seconds"]) >= 0).all(), model
        assert curve["wall_seconds"].iloc[0] == 0.0
    assert curves.loc[curves["model"] == "gensim-neg1", "progress"].tolist() == [0, 1, 2, 3, 4, 5]
    sampled = curves[curves["model"] == "sampled"]
    assert sampled["progress"].tolist() == list(range(0, SGNS_RUN["steps"] + 1, SGNS_RUN["eval_every"]))
    best_scores = curves.groupby("model")["analogy_accuracy"].max()
    assert (best_scores[["gensim-neg1", "gensim-neg5"]] > 0.8).all()  # planted offsets: gensim finds them
    best_model = best_scores.idxmax()
    best = curves[curves["model"] == best_model]["analogy_accuracy"].to_numpy()
    assert best[0] < 0.2 and best[-1] > 0.8
    assert best[len(best) // 2] > best[0]
    printed_best = float(rows[best_model][5].rstrip(" %"))
    assert printed_best == pytest.approx(100 * best.max(), abs=0.05)


def test_exact_sgns_is_scored_at_every_evaluation(
    bench, planted_experiment: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "curves.csv"
    bench["main"]([*arguments(planted_experiment, out, "exact"), "--exact", "steps=20", "eval_every=10"])
    assert pd.read_csv(out)["progress"].tolist() == [0, 10, 20]
    assert "| exact |" in capsys.readouterr().out


def test_gensim_epochs_continue_one_linear_decay(bench) -> None:
    rates = bench["epoch_learning_rates"](0.025, 0.0001, 4)
    assert rates[0][0] == 0.025 and rates[-1][1] == pytest.approx(0.0001)
    assert all(end == start for (_, end), (start, _) in zip(rates, rates[1:]))
    assert np.allclose(np.diff([start for start, _ in rates]), -(0.025 - 0.0001) / 4)


def test_time_to_reach_and_plateau(bench) -> None:
    curve = bench["Curve"]("m", "step", [(0, 0.0, 0.0), (1, 2.0, 0.21), (2, 5.0, 0.298), (3, 9.0, 0.30)])
    assert bench["seconds_to_reach"](curve, 0.20) == 2.0
    assert np.isnan(bench["seconds_to_reach"](curve, 0.31))
    assert bench["plateau"](curve, 0.005) == (0.30, 5.0)


def test_unknown_model_is_named(bench, planted_experiment: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="--models 'gensim-neg2'"):
        bench["main"](arguments(planted_experiment, tmp_path / "curves.csv", "gensim-neg2"))
