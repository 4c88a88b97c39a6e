"""Closed-form embeddings and the word2vec text format (round trip, gensim, malformed files)."""

from __future__ import annotations

import importlib.util
import json
import logging
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from w2vtheory.closed_form.embeddings import closed_form_embedding, read_vec, write_vec
from w2vtheory.errors import InputError

ROOT = Path(__file__).resolve().parents[1]


def test_closed_form_hand_case():
    eigvals = np.array([4.0, 1.0, 0.25])
    eigvecs = np.array([[0.0, 1.0, 0.0], [0.6, 0.0, 0.8], [0.8, 0.0, -0.6]])
    np.testing.assert_allclose(
        closed_form_embedding(eigvals, eigvecs, 2), [[0.0, 1.0], [1.2, 0.0], [1.6, 0.0]], rtol=0, atol=1e-15
    )


def test_closed_form_is_the_best_psd_rank_d_factor():
    rng = np.random.default_rng(0)
    basis, _ = np.linalg.qr(rng.standard_normal((30, 30)))
    spectrum = np.concatenate([np.linspace(9.0, 1.0, 10), -np.linspace(0.5, 20.0, 20)])
    matrix = (basis * spectrum) @ basis.T
    values, vectors = np.linalg.eigh(matrix)
    embedding = closed_form_embedding(values[::-1], vectors[:, ::-1], 6)
    np.testing.assert_allclose(embedding @ embedding.T, (basis[:, :6] * spectrum[:6]) @ basis[:, :6].T, atol=1e-12)


def test_negative_eigenvalues_are_clipped_with_a_warning(caplog):
    eigvals = np.array([2.0, 0.0, -1.0, -3.0])
    eigvecs = np.eye(4)
    with caplog.at_level(logging.WARNING, logger="w2vtheory.closed_form.embeddings"):
        embedding = closed_form_embedding(eigvals, eigvecs, 4)
    np.testing.assert_array_equal(embedding, np.diag([np.sqrt(2.0), 0.0, 0.0, 0.0]))
    assert "2 of the top 4 eigenvalues are negative" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="w2vtheory.closed_form.embeddings"):
        closed_form_embedding(eigvals, eigvecs, 2)
    assert caplog.text == ""


def test_closed_form_rejects_bad_input():
    with pytest.raises(InputError, match="raise n_eigenpairs or lower dim"):
        closed_form_embedding(np.array([2.0, 1.0]), np.eye(2), 3)
    with pytest.raises(ValueError, match="descending"):
        closed_form_embedding(np.array([1.0, 2.0]), np.eye(2), 1)
    with pytest.raises(ValueError, match="eigenvector matrix"):
        closed_form_embedding(np.array([2.0, 1.0]), np.eye(3), 1)


@pytest.fixture
def embedding() -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((5, 3)) * np.array([1e-12, 1.0, 1e8])
    vectors[0, 0] = 0.1
    return ["the", "of", "nan", "null", "k\u00f6nig"], vectors


def test_vec_round_trip_is_exact(tmp_path, embedding):
    words, vectors = embedding
    path = tmp_path / "sub" / "model.vec"
    write_vec(path, words, vectors)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "5 3"
    assert lines[1].split()[:2] == ["the", "0.1"]
    read_words, read_vectors = read_vec(path)
    assert read_words == words
    assert read_vectors.dtype == np.float64
    np.testing.assert_array_equal(read_vectors, vectors)
    assert [p.name for p in path.parent.iterdir()] == ["model.vec"]


def test_gensim_reads_what_we_write_and_we_read_what_gensim_writes(tmp_path, embedding):
    from gensim.models import KeyedVectors

    words, vectors = embedding
    ours = tmp_path / "ours.vec"
    write_vec(ours, words, vectors)
    loaded = KeyedVectors.load_word2vec_format(str(ours), binary=False)
    assert loaded.index_to_key == words
    np.testing.assert_allclose(loaded.vectors, vectors, rtol=1e-7)
    theirs = tmp_path / "theirs.vec"
    loaded.save_word2vec_format(str(theirs), binary=False)
    read_words, read_vectors = read_vec(theirs)
    assert read_words == words
    np.testing.assert_allclose(read_vectors, vectors.astype(np.float32), rtol=1e-7)


def test_write_vec_rejects_unwritable_words_and_leaves_no_file(tmp_path):
    path = tmp_path / "model.vec"
    with pytest.raises(ValueError, match="whitespace"):
        write_vec(path, ["good", "two words"], np.zeros((2, 2)))
    with pytest.raises(ValueError, match="one vector per word"):
        write_vec(path, ["good"], np.zeros((2, 2)))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", ":1: expected the header"),
        ("2\nthe 1.0\n", ":1: expected the header"),
        ("2 x\n", ":1: expected the header"),
        ("1 0\nthe\n", ":1: expected the header"),
        ("2 2\nthe 1 2\n", "announces 2 words but 1 lines follow"),
        ("2 2\nthe 1 2\nof 1\n", ":3: expected a word and 2 numbers, found 2 fields"),
        ("2 2\nthe 1 2\nof 1 two\n", ":3: 'two' is not a number"),
        ("2 2\nthe 1 2\n\n", "announces 2 words but 1 lines follow"),
        ("3 2\nthe 1 2\n\nof 3 4\n", ":3: expected a word and 2 numbers, found 0 fields"),
        ("2 2\nthe 1 2\nthe 3 4\n", ":3: the word 'the' appears twice"),
    ],
)
def test_read_vec_names_file_and_line(tmp_path, content, message):
    path = tmp_path / "bad.vec"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=f"bad.vec{message}" if message.startswith(":") else message) as error:
        read_vec(path)
    assert str(path) in str(error.value)


def test_read_vec_missing_file(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        read_vec(tmp_path / "missing.vec")


def test_read_vec_accepts_trailing_blank_lines_and_tabs(tmp_path):
    path = tmp_path / "ok.vec"
    path.write_text("2 2\nthe\t1 2 \nof 3e-1 -4\n\n", encoding="utf-8")
    words, vectors = read_vec(path)
    assert words == ["the", "of"]
    np.testing.assert_array_equal(vectors, [[1.0, 2.0], [0.3, -4.0]])


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(f"script_{name}", ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fake_snakemake(**sections) -> SimpleNamespace:
    return SimpleNamespace(**{key: SimpleNamespace(**value) for key, value in sections.items()}, threads=1)


@pytest.mark.parametrize("matrix", ["mstar", "ppmi"])
def test_spectrum_and_embedding_scripts(tmp_path, matrix, caplog):
    rng = np.random.default_rng(2)
    size = 12
    upper = np.triu(rng.poisson(3.0, (size, size)).astype(np.float64))
    cooccurrence = upper + np.triu(upper, 1).T
    counts = np.arange(size, 0, -1) * 10
    words = [f"w{i}" for i in range(size)]
    np.save(tmp_path / "cooccurrence.npy", cooccurrence)
    (tmp_path / "cooccurrence.json").write_text(json.dumps({"window": 2, "n_pairs": 90}))
    (tmp_path / "vocab.tsv").write_text("".join(f"{w}\t{c}\n" for w, c in zip(words, counts)))
    spectrum = fake_snakemake(
        input={
            name: str(tmp_path / f"{stem}")
            for name, stem in [
                ("cooccurrence", "cooccurrence.npy"),
                ("stats", "cooccurrence.json"),
                ("vocab", "vocab.tsv"),
            ]
        },
        output={"eigvals": str(tmp_path / "vals.npy"), "eigvecs": str(tmp_path / "vecs.npy")},
        params={"matrix": matrix, "n_eigenpairs": 50, "negative_weight": 1.0, "pmi_floor": 1e-25, "device": "cpu"},
    )
    with caplog.at_level(logging.INFO):
        load_script("compute_spectrum").main(spectrum)
    assert f"n_eigenpairs = 50 exceeds V = {size}" in caplog.text
    assert "eigenvalues are non-negative" in caplog.text

    joint = cooccurrence / (90 * 3 / 2)
    unigram = counts / counts.sum()
    if matrix == "mstar":
        independent = np.outer(unigram, unigram)
        expected_matrix = (joint - independent) / ((joint + independent) / 2)
    else:
        expected_matrix = np.maximum(np.log(joint / np.outer(unigram, unigram) + 1e-25), 0.0)
    expected_values = np.linalg.eigvalsh(expected_matrix)[::-1]
    values, vectors = np.load(tmp_path / "vals.npy"), np.load(tmp_path / "vecs.npy")
    np.testing.assert_allclose(values, expected_values, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(vectors @ np.diag(values) @ vectors.T, expected_matrix, atol=1e-10)

    embedding = fake_snakemake(
        input={
            "eigvals": str(tmp_path / "vals.npy"),
            "eigvecs": str(tmp_path / "vecs.npy"),
            "vocab": str(tmp_path / "vocab.tsv"),
        },
        output={"vec": str(tmp_path / "model.vec")},
        params={"dim": 4},
    )
    load_script("closed_form_embedding").main(embedding)
    read_words, read_vectors = read_vec(tmp_path / "model.vec")
    assert read_words == words
    np.testing.assert_array_equal(read_vectors, closed_form_embedding(values, vectors, 4))
