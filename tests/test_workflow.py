"""End-to-end: the whole workflow on a tiny real corpus in a temporary directory, checked against
an independent, deliberately naive implementation of docs/paper.md section 2."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.conftest import run_snakemake

pytestmark = pytest.mark.slow


def naive_documents(text: str) -> list[list[str]]:
    documents = re.split(r"\n\s*\n", text.lower())
    pieces = []
    for document in documents:
        tokens = re.findall("[a-z]+", document)
        pieces.extend(tokens[start : start + 50_000] for start in range(0, len(tokens), 50_000))
    return [piece for piece in pieces if piece]


def naive_statistics(text: str, vocab_size: int, window: int):
    documents = naive_documents(text)
    counts = Counter(token for document in documents for token in document)
    words = sorted(counts, key=lambda word: (-counts[word], word))[:vocab_size]
    index = {word: i for i, word in enumerate(words)}
    cooccurrence = np.zeros((vocab_size, vocab_size))
    n_pairs = 0
    for document in documents:
        ids = [index[token] for token in document if token in index]
        for p, a in enumerate(ids):
            for d in range(1, window + 1):
                if p + d < len(ids):
                    b = ids[p + d]
                    cooccurrence[a, b] += window + 1 - d
                    cooccurrence[b, a] += window + 1 - d
                    n_pairs += 2
    unigram = np.array([counts[word] for word in words], dtype=float)
    unigram /= unigram.sum()
    joint = cooccurrence / (n_pairs * (window + 1) / 2)
    independent = np.outer(unigram, unigram)
    mstar = (joint - independent) / ((joint + independent) / 2)
    return words, [counts[word] for word in words], cooccurrence, mstar


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    from tests.conftest import tiny_config, write_lee_corpus

    workdir = tmp_path_factory.mktemp("tiny")
    corpus = write_lee_corpus(workdir / "lee.txt")
    (workdir / "tiny.yaml").write_text(yaml.safe_dump(tiny_config(corpus)))
    process = run_snakemake(workdir)
    assert process.returncode == 0, process.stderr[-5000:]
    return workdir


def test_outputs_match_an_independent_implementation(finished_run):
    config = yaml.safe_load((finished_run / "tiny.yaml").read_text())
    experiment = config["experiments"]["tiny"]
    results = finished_run / "results" / "tiny"
    words, counts, cooccurrence, mstar = naive_statistics(
        (finished_run / "lee.txt").read_text(), experiment["vocab_size"], experiment["window"]
    )

    vocab = pd.read_csv(results / "vocab.tsv", sep="\t", header=None, names=["word", "count"], keep_default_na=False)
    assert vocab["word"].tolist() == words
    assert vocab["count"].tolist() == counts

    np.testing.assert_allclose(np.load(results / "cooccurrence.npy"), cooccurrence, rtol=1e-12, atol=0)

    eigvals = np.load(results / "spectrum" / "mstar_eigvals.npy")
    expected = np.linalg.eigvalsh(mstar)[::-1][: len(eigvals)]
    assert len(eigvals) >= experiment["dim"]
    np.testing.assert_allclose(eigvals, expected, rtol=1e-6, atol=1e-9 * abs(expected).max())


def test_embeddings_are_word2vec_text_files(finished_run):
    from gensim.models import KeyedVectors

    results = finished_run / "results" / "tiny"
    words = pd.read_csv(results / "vocab.tsv", sep="\t", header=None, keep_default_na=False)[0].tolist()
    for model in ["mstar", "ppmi", "pmi", "sgns", "qwem"]:
        vectors = KeyedVectors.load_word2vec_format(results / "embeddings" / f"{model}.vec")
        assert vectors.index_to_key == words
        assert vectors.vector_size == 16


def test_benchmarks_table_follows_the_contract(finished_run):
    results = finished_run / "results" / "tiny"
    table = pd.read_csv(results / "benchmarks.csv")
    # The contract's columns first; coverage and method after them.
    assert list(table.columns) == ["model", "benchmark", "score", "n", "coverage", "method"]
    assert set(table["model"]) == {"mstar", "ppmi", "pmi", "sgns", "qwem"}
    assert {"analogy", "analogy_pair_3cosmul", "analogy_3cosadd", "analogy_3cosmul", "ws353", "simlex"} <= set(
        table["benchmark"]
    )
    scored = table[table["n"] > 0]
    assert scored["score"].between(-1, 1).all()
    assert table["coverage"].between(0, 1).all()
    assert (results / "summary.md").read_text().count("|") > 10


def test_rerun_has_nothing_to_do(finished_run):
    process = run_snakemake(finished_run, "--dry-run")
    assert process.returncode == 0
    assert "Nothing to be done" in process.stdout + process.stderr


def _set(config_path: Path, **changes) -> None:
    config = yaml.safe_load(config_path.read_text())
    config["experiments"]["tiny"].update(changes)
    config_path.write_text(yaml.safe_dump(config))


def test_vocab_size_larger_than_the_corpus_fails_clearly(tiny_workdir):
    _set(tiny_workdir / "tiny.yaml", vocab_size=1_000_000)
    process = run_snakemake(tiny_workdir, "results/tiny/vocab.tsv")
    assert process.returncode != 0
    assert "vocab_size" in process.stderr and "1000000" in process.stderr.replace(",", "")
    assert not (tiny_workdir / "results" / "tiny" / "vocab.tsv").exists()


def test_dim_not_below_vocab_size_stops_before_any_job(tiny_workdir):
    _set(tiny_workdir / "tiny.yaml", dim=400)
    process = run_snakemake(tiny_workdir)
    assert process.returncode != 0
    assert "experiments.tiny.dim" in process.stderr
    assert not (tiny_workdir / "resources").exists()


def test_missing_corpus_file_is_named(tiny_workdir):
    (tiny_workdir / "lee.txt").unlink()
    process = run_snakemake(tiny_workdir)
    assert process.returncode != 0
    assert "lee.txt" in process.stderr
    assert not (tiny_workdir / "resources" / "corpora" / "lee" / "tokens.npy").exists()


def test_figures_and_the_report_build(finished_run):
    figures = finished_run / "results" / "tiny" / "figures"
    for name in ["fig1_dynamics", "fig2_singular_values", "fig3_table", "spectra", "feature_atlas"]:
        for suffix in ["pdf", "png", "csv"]:
            assert (figures / f"{name}.{suffix}").stat().st_size > 0, f"{name}.{suffix} is empty"
    process = run_snakemake(finished_run, "--report", "report.html")
    assert process.returncode == 0, process.stderr[-3000:]
    html = (finished_run / "report.html").read_text(errors="replace")
    assert "fig1_dynamics" in html and "fig2_singular_values" in html


def test_a_theory_edit_reruns_the_theory_and_its_figures_but_no_training(finished_run, tmp_path):
    """An edit to the theory package changes a parameter of the rules that evaluate the theory: a dry run plans
    them and the figures that read them, and no training job. The edit goes into a copy of the
    workflow, so a killed test leaves the repository as it was."""
    root = Path(__file__).resolve().parents[1]
    workflow = tmp_path / "workflow"
    workflow.mkdir()
    for name in ("Snakefile", "rules", "scripts", "src", "envs", "schemas", "report", "config.yaml"):
        source = root / name
        if source.is_dir():
            shutil.copytree(source, workflow / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, workflow / name)
    theory_code = workflow / "src" / "w2vtheory" / "theory" / "dynamics.py"
    theory_code.write_bytes(theory_code.read_bytes() + b"\n# an edit\n")
    process = run_snakemake(finished_run, "--dry-run", "--quiet", "rules", snakefile=workflow / "Snakefile")
    assert process.returncode == 0, process.stderr[-3000:]
    planned = process.stdout + process.stderr
    assert "theory_curves" in planned and "fig2_singular_values" in planned
    assert "train_run" not in planned and "count_cooccurrence" not in planned
