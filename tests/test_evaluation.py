"""Analogy protocols and similarity scores against hand-built cases, a naive loop, gensim and scipy."""

from __future__ import annotations

import math
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from gensim.models import KeyedVectors
from scipy import stats
from snakemake.iocontainers import Namedlist

from tests.conftest import run_script
from w2vtheory.closed_form.embeddings import read_vec, write_vec
from w2vtheory.evaluation.datasets import read_analogy_questions
from w2vtheory.evaluation.scoring import (
    THREECOSADD,
    THREECOSMUL,
    Analogies,
    analogy_accuracy_by_category,
    build_pair_analogies,
    build_question_analogies,
    evaluate_embedding,
    pair_analogy_accuracy,
    predict_answers,
    similarity_spearman,
    unit_rows,
)
from w2vtheory.evaluation.summary import summary_markdown


def naive_predictions(vectors: np.ndarray, analogies: Analogies) -> np.ndarray:
    """One item at a time: cosine of every word with b^ - a^ + a'^, the three words excluded."""
    unit = [row / np.linalg.norm(row) if np.linalg.norm(row) > 0 else row for row in vectors]
    predictions = []
    for a, b, a_prime in zip(analogies.first, analogies.second, analogies.anchor, strict=True):
        target = unit[b] - unit[a] + unit[a_prime]
        best, best_cosine = -1, -math.inf
        for word, row in enumerate(unit):
            cosine = float(row @ target) / float(np.linalg.norm(target))
            if word not in (a, b, a_prime) and cosine > best_cosine:
                best, best_cosine = word, cosine
        predictions.append(best)
    return np.array(predictions)


def naive_three_cos_mul(vectors: np.ndarray, analogies: Analogies) -> np.ndarray:
    """One item at a time, Levy and Goldberg's product as written: s(w,b) s(w,a') / (s(w,a) + 1e-3)."""
    unit = unit_rows(vectors)

    def shifted(u: np.ndarray, v: np.ndarray) -> float:
        return (float(u @ v) + 1) / 2

    predictions = []
    for a, b, a_prime in zip(analogies.first, analogies.second, analogies.anchor, strict=True):
        best, best_score = -1, -math.inf
        for word, row in enumerate(unit):
            score = shifted(row, unit[b]) * shifted(row, unit[a_prime]) / (shifted(row, unit[a]) + 1e-3)
            if word not in (a, b, a_prime) and score > best_score:
                best, best_score = word, score
        predictions.append(best)
    return np.array(predictions)


def items(first: int, second: int, anchor: int, answer: int) -> Analogies:
    one = [np.array([value]) for value in (0, first, second, anchor, answer)]
    return Analogies(("test",), *one)


def normalised(*rows: tuple[float, ...]) -> np.ndarray:
    return unit_rows(np.array(rows, dtype=float))


# --- the pair protocol's items ---------------------------------------------------------------


def test_pairs_from_both_halves_deduplicated_and_all_ordered_pairs_of_pairs() -> None:
    questions = {
        "family": [("boy", "girl", "king", "queen"), ("king", "queen", "boy", "girl"), ("boy", "girl", "man", "woman")],
        "tiny": [("cat", "cats", "dog", "dogs")],
    }
    words = ["boy", "girl", "king", "queen", "man", "woman", "cat", "cats"]  # no "dog", "dogs"
    analogies = build_pair_analogies(questions, words)
    assert analogies.categories == ("family",)  # "tiny" has 1 in-vocabulary pair: dropped
    assert analogies.pairs_per_category.tolist() == [3]
    assert len(analogies) == 3 * 2
    quadruples = set(zip(analogies.first, analogies.second, analogies.anchor, analogies.answer, strict=True))
    pairs = [(0, 1), (2, 3), (4, 5)]
    assert quadruples == {(*p, *q) for p in pairs for q in pairs if p != q}


def test_out_of_vocabulary_pairs_are_left_out_and_n_times_n_minus_1() -> None:
    questions = {"c": [("a", "b", "c", "d"), ("e", "f", "g", "h"), ("a", "b", "x", "y")]}
    analogies = build_pair_analogies(questions, list("abcdefg"))  # (g, h), (x, y) out
    assert analogies.pairs_per_category.tolist() == [3]
    assert len(analogies) == 6
    assert build_pair_analogies(questions, list("ab")).categories == ()
    assert len(build_pair_analogies(questions, list("ab"))) == 0


def test_real_question_file_gives_n_times_n_minus_1_per_category() -> None:
    from gensim.test.utils import datapath

    questions = read_analogy_questions(datapath("questions-words.txt"))
    vocabulary = sorted({word for category in questions.values() for question in category for word in question})
    analogies = build_pair_analogies(questions, vocabulary)
    counts = np.bincount(analogies.category)
    assert counts.tolist() == [n * (n - 1) for n in analogies.pairs_per_category]
    assert len(analogies.categories) == 14


# --- answers on hand-built vectors --------------------------------------------------------------


def test_a_prime_is_excluded_even_when_it_is_nearest() -> None:
    # A tiny offset b - a: the target is nearly a' itself, so a' would win without the exclusion.
    vectors = normalised((1, 0, 0), (1, 0.05, 0), (0, 0, 1), (0, 0.3, 1), (0, -1, 0.1))
    target = vectors[1] - vectors[0] + vectors[2]
    assert np.argmax(vectors @ target) == 2
    assert predict_answers(vectors, items(0, 1, 2, 3)).tolist() == [3]


def test_a_and_b_are_excluded_even_when_nearest() -> None:
    # a' close to a: the target is nearly b; next come a (also excluded) and then the answer.
    vectors = normalised((1, 0, 0), (0, 1, 0), (1, 0.02, 0), (0.5, 1, 0.6), (0, 0, 1))
    target = vectors[1] - vectors[0] + vectors[2]
    assert np.argmax(vectors @ target) == 1
    assert predict_answers(vectors, items(0, 1, 2, 3)).tolist() == [3]
    assert pair_analogy_accuracy(vectors, items(0, 1, 2, 3)) == (1, 1)
    assert pair_analogy_accuracy(vectors, items(0, 1, 2, 4)) == (0, 1)


def test_ties_go_to_the_lowest_index_and_zero_rows_score_zero() -> None:
    vectors = np.array([[1.0, 0], [0, 1], [1, 0], [0, 0], [0.5, 0.5], [0.5, 0.5], [2, 2]])
    # target = (0,1) - (1,0) + (1,0) = (0,1): words 4, 5, 6 tie at cos 1/sqrt(2), the zero row 3 scores 0
    assert predict_answers(vectors, items(0, 1, 2, 6)).tolist() == [4]
    vectors[4:] = -vectors[4:]
    assert predict_answers(vectors, items(0, 1, 2, 6)).tolist() == [3]


def test_vectorised_predictions_match_a_naive_loop_on_random_vectors() -> None:
    rng = np.random.default_rng(7)
    words = [f"w{i}" for i in range(80)]
    questions = {f"cat{c}": [tuple(rng.choice(words, 4, replace=False)) for _ in range(12)] for c in range(3)}
    vectors = rng.standard_normal((80, 4)) * rng.uniform(0.1, 10, (80, 1))
    vectors[5] = 0.0
    for analogies in (build_pair_analogies(questions, words), build_question_analogies(questions, words)):
        expected = naive_predictions(vectors, analogies)
        assert np.array_equal(predict_answers(vectors, analogies), expected)
        # Tiny batches (one category each) must give the same answers as one big batch.
        assert np.array_equal(predict_answers(vectors, analogies, score_bytes=1), expected)
        correct = int((expected == analogies.answer).sum())
        assert pair_analogy_accuracy(vectors, analogies) == (correct, len(analogies))


def test_three_cos_mul_and_three_cos_add_disagree_on_a_hand_computed_case() -> None:
    # a = e1, b = e2, a' = e3; candidates x = (0, -0.6, 0.8, 0) and y = e4.
    # 3CosAdd: cos(w,b) - cos(w,a) + cos(w,a') = -0.6 - 0 + 0.8 = 0.2 for x, 0 for y: x wins.
    # 3CosMul: s = (cos + 1)/2; s(w,b) s(w,a') / (s(w,a) + 0.001) = 0.2 * 0.9 / 0.501 = 0.359 for x,
    # 0.5 * 0.5 / 0.501 = 0.499 for y: y wins (x's large similarity to a' no longer outweighs b).
    vectors = np.array([[1.0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, -0.6, 0.8, 0], [0, 0, 0, 1]])
    assert predict_answers(vectors, items(0, 1, 2, 3), method=THREECOSADD).tolist() == [3]
    assert predict_answers(vectors, items(0, 1, 2, 4), method=THREECOSMUL).tolist() == [4]
    assert pair_analogy_accuracy(vectors, items(0, 1, 2, 4), THREECOSMUL) == (1, 1)
    assert pair_analogy_accuracy(vectors, items(0, 1, 2, 4), THREECOSADD) == (0, 1)


def test_three_cos_mul_matches_the_product_formula_on_random_vectors() -> None:
    rng = np.random.default_rng(11)
    words = [f"w{i}" for i in range(60)]
    questions = {f"cat{c}": [tuple(rng.choice(words, 4, replace=False)) for _ in range(10)] for c in range(3)}
    vectors = rng.standard_normal((60, 3))
    vectors[7] = 0.0
    vectors[8] = -vectors[9]  # a cosine of exactly -1: log s = -inf must not break the ranking
    for analogies in (build_pair_analogies(questions, words), build_question_analogies(questions, words)):
        expected = naive_three_cos_mul(vectors, analogies)
        assert np.array_equal(predict_answers(vectors, analogies, method=THREECOSMUL), expected)
        assert np.array_equal(predict_answers(vectors, analogies, score_bytes=1, method=THREECOSMUL), expected)


def test_three_cos_add_matches_gensim_most_similar() -> None:
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(60)]
    vectors = rng.standard_normal((60, 6))
    questions = {"all": [tuple(rng.choice(words, 4, replace=False)) for _ in range(40)]}
    keyed = KeyedVectors(vector_size=6)
    keyed.add_vectors(words, vectors)
    expected = [keyed.most_similar(positive=[b, c], negative=[a], topn=1)[0][0] for a, b, c, _ in questions["all"]]
    analogies = build_question_analogies(questions, words)
    assert [words[i] for i in predict_answers(vectors, analogies)] == expected


def test_per_category_breakdown_sums_to_the_pooled_accuracy() -> None:
    rng = np.random.default_rng(1)
    words = [f"w{i}" for i in range(40)]
    questions = {f"c{c}": [tuple(rng.choice(words, 4, replace=False)) for _ in range(5)] for c in range(4)}
    vectors = rng.standard_normal((40, 3))
    analogies = build_pair_analogies(questions, words)
    table = analogy_accuracy_by_category(vectors, analogies)
    assert table["category"].tolist() == list(analogies.categories)
    assert (int(table["correct"].sum()), int(table["n"].sum())) == pair_analogy_accuracy(vectors, analogies)
    assert np.allclose(table["accuracy"], table["correct"] / table["n"])


@pytest.mark.slow
def test_pair_accuracy_is_fast_at_paper_scale() -> None:
    """V = 10k, d = 200, about 7,600 analogies: called every 1,000 training steps."""
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(10_000)]
    pairs = rng.choice(10_000, (14, 22, 2), replace=False)
    questions = {f"c{c}": [(words[a], words[b], words[a], words[b]) for a, b in pairs[c]] for c in range(14)}
    analogies = build_pair_analogies(questions, words)
    assert len(analogies) == 14 * 22 * 21
    vectors = rng.standard_normal((10_000, 200))
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        pair_analogy_accuracy(vectors, analogies)
        timings.append(time.perf_counter() - start)
    # About 0.3 s on 2 idle cores; the bound leaves room for a loaded machine, not for a per-item loop.
    assert min(timings) < 2.0


# --- similarity -------------------------------------------------------------------------------


def test_spearman_matches_scipy_over_in_vocabulary_pairs() -> None:
    words = ["a", "b", "c", "d"]
    vectors = np.array([[1.0, 0], [1, 1], [0, 1], [-1, 0.2]])
    pairs = pd.DataFrame(
        {
            "word1": ["a", "a", "a", "b", "c", "zzz"],
            "word2": ["b", "c", "d", "c", "d", "a"],
            "score": [9.0, 1.0, 0.5, 7.0, 3.0, 10.0],
        }
    )
    unit = unit_rows(vectors)
    cosines = [unit[0] @ unit[1], unit[0] @ unit[2], unit[0] @ unit[3], unit[1] @ unit[2], unit[2] @ unit[3]]
    rho, n = similarity_spearman(words, vectors, pairs)
    assert n == 5
    assert rho == pytest.approx(stats.spearmanr(cosines, [9.0, 1.0, 0.5, 7.0, 3.0]).statistic, abs=1e-15)
    # cosine ranks 4.5, 2, 1, 4.5, 3 (a tie) against score ranks 5, 2, 1, 4, 3: rho = 9.5 / sqrt(9.5 * 10)
    assert rho == pytest.approx(math.sqrt(0.95), abs=1e-15)


def test_spearman_is_one_for_monotone_scores_and_nan_without_pairs() -> None:
    words = ["a", "b", "c"]
    vectors = np.array([[1.0, 0], [1, 0.5], [0, 1]])
    pairs = pd.DataFrame({"word1": ["a", "a", "b"], "word2": ["b", "c", "c"], "score": [3.0, 1.0, 2.0]})
    assert similarity_spearman(words, vectors, pairs) == (pytest.approx(1.0), 3)
    rho, n = similarity_spearman(["x", "y"], np.eye(2), pairs)
    assert math.isnan(rho) and n == 0


# --- evaluate_embedding ---------------------------------------------------------------------------


def test_evaluate_embedding_with_nothing_in_vocabulary_reports_empty_scores() -> None:
    questions = {"c1": [("a", "b", "c", "d")], "c2": [("e", "f", "g", "h"), ("i", "j", "k", "l")]}
    pairs = pd.DataFrame({"word1": ["a"], "word2": ["b"], "score": [1.0]})
    scores, categories = evaluate_embedding(["x", "y"], np.eye(2), questions, {"men": pairs}, {"msr": questions})
    assert scores["benchmark"].tolist() == [
        "analogy",
        "analogy_pair_3cosmul",
        "analogy_3cosadd",
        "analogy_3cosmul",
        "analogy_msr",
        "analogy_msr_3cosmul",
        "men",
    ]
    assert scores["method"].tolist() == ["3cosadd", "3cosmul"] * 3 + ["spearman"]
    assert scores["n"].tolist() == [0] * 7
    assert scores["coverage"].tolist() == [0.0] * 7
    assert scores["score"].isna().all()
    assert categories.columns.tolist() == ["protocol", "category", "correct", "n", "accuracy", "total"]
    assert categories["protocol"].tolist() == ["pair", "pair", "3cosadd", "3cosadd"]
    assert categories["n"].tolist() == [0, 0, 0, 0]
    assert categories["total"].tolist() == [2, 12, 1, 2]
    assert categories["accuracy"].isna().all()


def test_evaluate_embedding_scores_and_coverage() -> None:
    # Two parallel pairs in 2-d: man->woman and king->queen differ by the same direction.
    words = ["man", "woman", "king", "queen", "apple"]
    vectors = np.array([[1.0, 0.0], [1.0, 0.3], [0.2, 1.0], [0.5, 1.0], [-1.0, -1.0]])
    questions = {"family": [("man", "woman", "king", "queen"), ("man", "woman", "boy", "girl")]}
    msr = {"msr": [("king", "queen", "man", "woman"), ("king", "queen", "man", "apple"), ("a", "b", "c", "d")]}
    pairs = pd.DataFrame({"word1": ["man", "man", "pear"], "word2": ["woman", "apple", "apple"], "score": [8.0, 1, 2]})
    scores, categories = evaluate_embedding(words, vectors, questions, {"ws353": pairs}, {"msr": msr})
    by_name = scores.set_index("benchmark")
    assert by_name.loc["analogy", ["score", "n", "coverage"]].tolist() == [1.0, 2, 2 / 6]
    assert by_name.loc["analogy_pair_3cosmul", ["n", "coverage"]].tolist() == [2, 2 / 6]
    assert by_name.loc["analogy_3cosadd", ["score", "n", "coverage"]].tolist() == [1.0, 1, 0.5]
    assert by_name.loc["analogy_3cosmul", ["n", "coverage"]].tolist() == [1, 0.5]
    # Two of the three questions in the vocabulary; the one whose answer is a word is right.
    assert by_name.loc["analogy_msr", ["score", "n", "coverage"]].tolist() == [0.5, 2, 2 / 3]
    assert by_name.loc["analogy_msr_3cosmul", ["score", "n"]].tolist() == [0.5, 2]
    assert by_name.loc["ws353", "n"] == 2 and by_name.loc["ws353", "score"] == pytest.approx(1.0)
    assert by_name.loc["ws353", "coverage"] == pytest.approx(2 / 3)
    pair_row, question_row = categories.itertuples(index=False)
    assert (pair_row.correct, pair_row.n, pair_row.total) == (2, 2, 3 * 2)
    assert (question_row.correct, question_row.n, question_row.total) == (1, 1, 2)


def test_summary_table() -> None:
    benchmarks = pd.DataFrame(
        {
            "model": ["mstar", "mstar", "mstar", "sgns", "sgns", "sgns"],
            "benchmark": ["analogy", "analogy_3cosmul", "men"] * 2,
            "score": [0.4567, 0.25, 0.71234, 0.5, np.nan, 0.6],
            "n": [7614, 100, 2900, 7614, 100, 2800],
            "coverage": [0.389, 0.25, 0.9667, 0.389, 0.25, 0.9333],
            "method": ["3cosadd", "3cosmul", "spearman"] * 2,
        }
    )
    text = summary_markdown(benchmarks, experiment="e", corpus="text8", vocab_size=10000, dim=200, window=16)
    lines = text.splitlines()
    assert lines[0] == "# Experiment `e`: corpus `text8`, V = 10,000, d = 200, window L = 16"
    assert lines[2] == "| benchmark | method | n | coverage | mstar | sgns |"
    assert lines[4] == "| analogy | 3cosadd | 7,614 | 38.9% | 45.7% | 50.0% |"
    assert lines[5] == "| analogy_3cosmul | 3cosmul | 100 | 25.0% | 25.0% | n/a |"
    assert lines[6] == "| men | spearman | varies | varies | 0.712 (n = 2,900, 96.7%) | 0.600 (n = 2,800, 93.3%) |"


# --- the scripts --------------------------------------------------------------------------------


def test_evaluate_and_collect_scripts(tmp_path: Path) -> None:
    words = ["man", "woman", "king", "queen", "apple"]
    vectors = np.array([[1.0, 0.0], [1.0, 0.3], [0.2, 1.0], [0.5, 1.0], [-1.0, -1.0]])
    write_vec(tmp_path / "m.vec", words, vectors)
    (tmp_path / "q.txt").write_text(": family\nman woman king queen\nman woman boy girl\n")
    (tmp_path / "men.tsv").write_text("man\twoman\t8\nman\tapple\t1\nking\tapple\t2\n")
    (tmp_path / "msr.txt").write_text(": msr\nking queen man woman\n")
    for model in ("one", "two"):
        run_script(
            "evaluate_embedding",
            tmp_path,
            input=Namedlist(
                fromdict={
                    "vec": str(tmp_path / "m.vec"),
                    "analogies": str(tmp_path / "q.txt"),
                    "analogy_msr": str(tmp_path / "msr.txt"),
                    "men": str(tmp_path / "men.tsv"),
                }
            ),
            output=SimpleNamespace(scores=tmp_path / f"{model}.csv", categories=tmp_path / f"{model}_cat.csv"),
            params=SimpleNamespace(model=model, analogy_sets=["msr"], tokenizer="ascii"),
        )
    scores = pd.read_csv(tmp_path / "one.csv")
    assert scores.columns.tolist() == ["model", "benchmark", "score", "n", "coverage", "method"]
    men = pd.read_csv(tmp_path / "men.tsv", sep="\t", names=["word1", "word2", "score"])
    rho, n = similarity_spearman(*read_vec(tmp_path / "m.vec"), men)
    assert scores.set_index("benchmark").loc["men", "score"] == rho == 0.5
    run_script(
        "collect_benchmarks",
        tmp_path,
        input=SimpleNamespace(
            scores=[tmp_path / "one.csv", tmp_path / "two.csv"],
            categories=[tmp_path / "one_cat.csv", tmp_path / "two_cat.csv"],
            convergence=[],
            rise_times=[],
        ),
        output=SimpleNamespace(
            benchmarks=tmp_path / "benchmarks.csv",
            categories=tmp_path / "categories.csv",
            summary=tmp_path / "summary.md",
        ),
        params=SimpleNamespace(experiment="e", corpus="c", vocab_size=5, dim=2, window=3),
    )
    collected = pd.read_csv(tmp_path / "benchmarks.csv")
    assert collected.columns.tolist() == ["model", "benchmark", "score", "n", "coverage", "method"]
    assert collected["model"].tolist() == ["one"] * 7 + ["two"] * 7
    assert collected["score"].tolist()[:7] == scores["score"].tolist()
    assert collected["benchmark"].tolist()[4:7] == ["analogy_msr", "analogy_msr_3cosmul", "men"]
    categories = pd.read_csv(tmp_path / "categories.csv")
    assert categories.columns.tolist() == ["model", "protocol", "category", "correct", "n", "accuracy", "total"]
    assert "| analogy_3cosadd | 3cosadd | 1 | 50.0% | 100.0% | 100.0% |" in (tmp_path / "summary.md").read_text()
