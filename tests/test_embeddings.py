"""Closed-form embeddings and the word2vec text format (round trip, gensim, malformed files)."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from w2vtheory.embeddings import closed_form_embedding, read_vec, write_vec
from w2vtheory.errors import InputError


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
    with caplog.at_level(logging.WARNING, logger="w2vtheory.embeddings"):
        embedding = closed_form_embedding(eigvals, eigvecs, 4)
    np.testing.assert_array_equal(embedding, np.diag([np.sqrt(2.0), 0.0, 0.0, 0.0]))
    assert "2 of the top 4 eigenvalues are negative" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="w2vtheory.embeddings"):
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
