"""Benchmark scores of an embedding (docs/paper.md section 5).

Analogies: an item "a : b :: a' : b'" is answered by the word w, other than a, b and a', that
maximises one of two objectives (^ = row scaled to unit length; zero rows stay zero):
- 3CosAdd (the paper's): the cosine to b^ - a^ + a'^, which ranks w like
  cos(w, b) - cos(w, a) + cos(w, a');
- 3CosMul (Levy and Goldberg, 2014): s(w, b) s(w, a') / (s(w, a) + epsilon), with the cosines shifted
  to [0, 1] by s = (cos + 1) / 2 and epsilon = 1e-3, so that no single large similarity dominates.
Two item sets:
- the paper's pair protocol: per category, the distinct in-vocabulary pairs (a, b) from both halves
  of every Google question, and every ordered pair of distinct pairs as an item;
- the question protocol: the questions whose four words are all in the vocabulary (the Google set,
  and every further analogy set).
Similarity: Spearman rho between cosine similarity and the human scores over in-vocabulary pairs.
Coverage: the items scored over the items the file gives with every word in the vocabulary.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import permutations

import numpy as np
import pandas as pd
from scipy import stats

from w2vtheory.corpus.tokenize import DEFAULT_TOKENIZER
from w2vtheory.evaluation.datasets import AnalogyQuestion, read_analogy_questions

logger = logging.getLogger(__name__)

PAIR_PROTOCOL = "pair"
THREECOSADD_PROTOCOL = "3cosadd"

# The scoring methods named in benchmarks.csv's `method` column.
THREECOSADD = "3cosadd"
THREECOSMUL = "3cosmul"
SPEARMAN = "spearman"
ANALOGY_METHODS = (THREECOSADD, THREECOSMUL)
# Levy and Goldberg's epsilon: keeps the 3CosMul quotient finite where s(w, a) = 0.
THREECOSMUL_EPSILON = 1e-3


@dataclass(frozen=True)
class Analogies:
    """Items "first : second :: anchor : answer" as word indices, each with a category index."""

    categories: tuple[str, ...]
    category: np.ndarray
    first: np.ndarray
    second: np.ndarray
    anchor: np.ndarray
    answer: np.ndarray

    def __len__(self) -> int:
        return len(self.answer)


@dataclass(frozen=True)
class PairAnalogies(Analogies):
    """The pair protocol's items; `pairs_per_category[k]` distinct pairs give n(n-1) items each."""

    pairs_per_category: np.ndarray


def _word_index(words: Sequence[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for position, word in enumerate(words):
        index.setdefault(word, position)
    return index


def _index_columns(rows: list[tuple[int, int, int, int, int]]) -> list[np.ndarray]:
    """(category, first, second, anchor, answer) rows -> five int64 columns (empty rows allowed)."""
    table = np.asarray(rows, dtype=np.int64).reshape(-1, 5)
    return [np.ascontiguousarray(table[:, column]) for column in range(5)]


def distinct_pairs(questions: Sequence[AnalogyQuestion]) -> list[tuple[str, str]]:
    """The distinct pairs (a, b) and (c, d) of a category's questions, in order of first appearance."""
    return list(dict.fromkeys(pair for a, b, c, d in questions for pair in ((a, b), (c, d))))


def build_pair_analogies(questions: Mapping[str, Sequence[AnalogyQuestion]], words: Sequence[str]) -> PairAnalogies:
    """The paper's pair protocol; categories with fewer than 2 in-vocabulary pairs are left out."""
    index = _word_index(words)
    categories: list[str] = []
    pair_counts: list[int] = []
    rows: list[tuple[int, int, int, int, int]] = []
    for name, items in questions.items():
        pairs = [(index[a], index[b]) for a, b in distinct_pairs(items) if a in index and b in index]
        if len(pairs) < 2:
            continue
        rows.extend((len(categories), a, b, a_prime, b_prime) for (a, b), (a_prime, b_prime) in permutations(pairs, 2))
        categories.append(name)
        pair_counts.append(len(pairs))
    return PairAnalogies(
        tuple(categories), *_index_columns(rows), pairs_per_category=np.asarray(pair_counts, dtype=np.int64)
    )


def build_question_analogies(questions: Mapping[str, Sequence[AnalogyQuestion]], words: Sequence[str]) -> Analogies:
    """The standard protocol: every question with all four words in the vocabulary, one item each."""
    index = _word_index(words)
    categories = tuple(questions)
    rows = [
        (position, index[a], index[b], index[c], index[d])
        for position, name in enumerate(categories)
        for a, b, c, d in questions[name]
        if a in index and b in index and c in index and d in index
    ]
    return Analogies(categories, *_index_columns(rows))


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length in float64; zero rows stay zero (their cosine with anything is 0)."""
    vectors = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def _offset_and_anchor_scores(
    unit: np.ndarray, offsets: np.ndarray, anchors: np.ndarray, method: str
) -> tuple[np.ndarray, np.ndarray]:
    """Scores against the whole vocabulary, one row per distinct offset (a, b) and per distinct
    anchor a', whose sum ranks the candidates of an item by `method`.

    3CosAdd: w^ . (b^ - a^) and w^ . a'^. 3CosMul in logs (a monotone map, so the same argmax):
    log s(w, b) - log(s(w, a) + epsilon) and log s(w, a').
    """
    if method == THREECOSADD:
        queries = np.concatenate([unit[offsets[:, 1]] - unit[offsets[:, 0]], unit[anchors]])
        scores = queries @ unit.T
        return scores[: len(offsets)], scores[len(offsets) :]
    if method != THREECOSMUL:
        raise ValueError(f"unknown analogy method {method!r}; use one of {ANALOGY_METHODS}")
    words, position = np.unique(np.concatenate([offsets.reshape(-1), anchors]), return_inverse=True)
    # Rounding may take a cosine of unit rows just past +-1.
    shifted = np.clip((unit[words] @ unit.T + 1.0) / 2.0, 0.0, 1.0)
    with np.errstate(divide="ignore"):
        logs = np.log(shifted)  # -inf where cos = -1: such a w can never win
    first, second = position[: 2 * len(offsets)].reshape(-1, 2).T
    offset_scores = logs[second] - np.log(shifted[first] + THREECOSMUL_EPSILON)
    return offset_scores, logs[position[2 * len(offsets) :]]


def _predict_batch(
    unit: np.ndarray, first: np.ndarray, second: np.ndarray, anchor: np.ndarray, method: str = THREECOSADD
) -> np.ndarray:
    """Answers of a batch of items.

    Both objectives rank w by a term of the offset (a, b) plus a term of the anchor a', and the
    items of a category share few distinct offsets and anchors, so the scores against the whole
    vocabulary come from one matrix product (reading the vectors once: one row per distinct offset
    and anchor for 3CosAdd, per distinct word for 3CosMul), and each item only adds two rows.
    """
    offsets, offset_of = np.unique(np.stack([first, second], axis=1), axis=0, return_inverse=True)
    anchors, anchor_of = np.unique(anchor, return_inverse=True)
    offset_of = offset_of.reshape(-1)
    offset_scores, anchor_scores = _offset_and_anchor_scores(unit, offsets, anchors, method)
    # The excluded words a, b (of an offset) and a' (of an anchor) can never win.
    np.put_along_axis(offset_scores, offsets, -np.inf, axis=1)
    np.put_along_axis(anchor_scores, anchors[:, None], -np.inf, axis=1)
    items_by_offset = np.split(np.argsort(offset_of, kind="stable"), np.cumsum(np.bincount(offset_of))[:-1])
    predictions = np.empty(len(first), dtype=np.int64)
    for offset, items in enumerate(items_by_offset):
        scores = anchor_scores[anchor_of[items]]
        scores += offset_scores[offset]
        predictions[items] = np.argmax(scores, axis=1)  # ties -> lowest word index
    return predictions


def _query_rows(analogies: Analogies, items: np.ndarray, method: str) -> int:
    """The score rows _predict_batch holds for `items`: distinct offsets plus distinct anchors, and
    for 3CosMul the similarities of their distinct words too."""
    pairs = np.stack([analogies.first[items], analogies.second[items]], axis=1)
    rows = len(np.unique(pairs, axis=0)) + len(np.unique(analogies.anchor[items]))
    if method == THREECOSMUL:
        rows += len(np.unique(np.concatenate([pairs.reshape(-1), analogies.anchor[items]])))
    return rows


def _category_batches(analogies: Analogies, max_query_rows: int, method: str = THREECOSADD) -> list[np.ndarray]:
    """Item indices grouped by whole categories, each group needing at most `max_query_rows` query
    rows (a single larger category makes a group of its own)."""
    batches: list[np.ndarray] = []
    current: list[np.ndarray] = []
    current_rows = 0
    for position in range(len(analogies.categories)):
        items = np.flatnonzero(analogies.category == position)
        if not len(items):
            continue
        rows = _query_rows(analogies, items, method)
        if current and current_rows + rows > max_query_rows:
            batches.append(np.concatenate(current))
            current, current_rows = [], 0
        current.append(items)
        current_rows += rows
    if current:
        batches.append(np.concatenate(current))
    return batches


def predict_answers(
    vectors: np.ndarray, analogies: Analogies, score_bytes: int = 2**28, method: str = THREECOSADD
) -> np.ndarray:
    """The answer (word index) `method` predicts for every item; `score_bytes` bounds the score
    matrices held at once."""
    unit = unit_rows(vectors)
    predictions = np.empty(len(analogies), dtype=np.int64)
    for items in _category_batches(analogies, max(1, score_bytes // (8 * len(unit))), method):
        predictions[items] = _predict_batch(
            unit, analogies.first[items], analogies.second[items], analogies.anchor[items], method
        )
    return predictions


def pair_analogy_accuracy(vectors: np.ndarray, analogies: Analogies, method: str = THREECOSADD) -> tuple[int, int]:
    """(correct, n) pooled over all items (either protocol's)."""
    correct = predict_answers(vectors, analogies, method=method) == analogies.answer
    return int(correct.sum()), len(analogies)


def analogy_accuracy_by_category(vectors: np.ndarray, analogies: Analogies, method: str = THREECOSADD) -> pd.DataFrame:
    """DataFrame(category, correct, n, accuracy), one row per category of `analogies`."""
    correct = predict_answers(vectors, analogies, method=method) == analogies.answer
    n_categories = len(analogies.categories)
    n_correct = np.bincount(analogies.category, weights=correct, minlength=n_categories).astype(np.int64)
    n_items = np.bincount(analogies.category, minlength=n_categories).astype(np.int64)
    return pd.DataFrame(
        {
            "category": list(analogies.categories),
            "correct": n_correct,
            "n": n_items,
            "accuracy": _fraction(n_correct, n_items),
        }
    )


def _fraction(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, NaN where nothing was scored."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    return np.divide(numerator, denominator, out=np.full_like(numerator, np.nan), where=denominator > 0)


def similarity_spearman(words: Sequence[str], vectors: np.ndarray, pairs: pd.DataFrame) -> tuple[float, int]:
    """(Spearman rho of cosine vs human score, n pairs with both words in the vocabulary).

    rho is NaN when it is undefined: fewer than 2 pairs, or a constant ranking.
    """
    index = _word_index(words)
    first = pairs["word1"].map(index)
    second = pairs["word2"].map(index)
    known = (first.notna() & second.notna()).to_numpy()
    n = int(known.sum())
    if n < 2:
        return float("nan"), n
    unit = unit_rows(vectors)
    cosine = np.einsum(
        "ij,ij->i", unit[first[known].to_numpy(dtype=np.int64)], unit[second[known].to_numpy(dtype=np.int64)]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", stats.ConstantInputWarning)
        rho = stats.spearmanr(cosine, pairs["score"].to_numpy(dtype=np.float64)[known]).statistic
    return float(rho), n


def _pair_protocol_totals(questions: Mapping[str, Sequence[AnalogyQuestion]]) -> dict[str, int]:
    """Items each category would give with every word in the vocabulary: n(n-1) for n >= 2 pairs."""
    counts = {name: len(distinct_pairs(items)) for name, items in questions.items()}
    return {name: count * (count - 1) if count >= 2 else 0 for name, count in counts.items()}


def _category_table(protocol: str, breakdown: pd.DataFrame, totals: Mapping[str, int]) -> pd.DataFrame:
    """Every category of the question file, with n = 0 for those nothing could be scored in."""
    table = pd.DataFrame({"category": list(totals)}).merge(breakdown, on="category", how="left")
    table["correct"] = table["correct"].fillna(0).astype(np.int64)
    table["n"] = table["n"].fillna(0).astype(np.int64)
    table["accuracy"] = _fraction(table["correct"].to_numpy(), table["n"].to_numpy())
    table["total"] = [totals[name] for name in table["category"]]
    table.insert(0, "protocol", protocol)
    return table


def analogy_benchmark(name: str, method: str) -> str:
    """The benchmarks.csv name of analogy set `name` scored by `method` (question protocol):
    `analogy_<name>` for 3CosAdd, `analogy_<name>_3cosmul` for 3CosMul."""
    return f"analogy_{name}" if method == THREECOSADD else f"analogy_{name}_{method}"


# The Google set's rows: (protocol, method) -> benchmark. `analogy` and `analogy_3cosadd` keep the
# names they had before 3CosMul was added.
GOOGLE_BENCHMARKS = {
    (PAIR_PROTOCOL, THREECOSADD): "analogy",
    (PAIR_PROTOCOL, THREECOSMUL): "analogy_pair_3cosmul",
    (THREECOSADD_PROTOCOL, THREECOSADD): "analogy_3cosadd",
    (THREECOSADD_PROTOCOL, THREECOSMUL): "analogy_3cosmul",
}

SCORE_COLUMNS = ["benchmark", "score", "n", "coverage", "method"]


def _analogy_row(benchmark: str, method: str, correct: int, n: int, total: int) -> tuple:
    logger.info("%s (%s): %d of %d correct (%d with full coverage)", benchmark, method, correct, n, total)
    return benchmark, correct / n if n else float("nan"), n, n / total if total else float("nan"), method


def evaluate_embedding(
    words: Sequence[str],
    vectors: np.ndarray,
    questions: Mapping[str, Sequence[AnalogyQuestion]],
    similarity_sets: Mapping[str, pd.DataFrame],
    analogy_sets: Mapping[str, Mapping[str, Sequence[AnalogyQuestion]]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(scores, categories) of one embedding.

    scores: DataFrame(benchmark, score, n, coverage, method), method 3cosadd, 3cosmul or spearman:
    the Google `questions` by the pair protocol (`analogy`, `analogy_pair_3cosmul`) and the question
    protocol (`analogy_3cosadd`, `analogy_3cosmul`), fraction correct; every further analogy set by
    the question protocol (`analogy_benchmark`); one Spearman rho per similarity set. score is NaN
    where n = 0; coverage = n / the items with every word in the vocabulary. categories (3CosAdd
    only): DataFrame(protocol, category, correct, n, accuracy, total), where `total` is what the
    category would give with every word in the vocabulary.
    """
    if len(words) != len(vectors):
        raise ValueError(f"{len(words)} words but {len(vectors)} vectors")
    protocols = {
        PAIR_PROTOCOL: (build_pair_analogies(questions, words), _pair_protocol_totals(questions)),
        THREECOSADD_PROTOCOL: (
            build_question_analogies(questions, words),
            {name: len(items) for name, items in questions.items()},
        ),
    }
    category_tables = []
    rows = []
    for protocol, (analogies, totals) in protocols.items():
        table = _category_table(protocol, analogy_accuracy_by_category(vectors, analogies), totals)
        category_tables.append(table)
        total = int(table["total"].sum())
        rows.append(
            _analogy_row(
                GOOGLE_BENCHMARKS[protocol, THREECOSADD],
                THREECOSADD,
                int(table["correct"].sum()),
                int(table["n"].sum()),
                total,
            )
        )
        rows.append(
            _analogy_row(
                GOOGLE_BENCHMARKS[protocol, THREECOSMUL],
                THREECOSMUL,
                *pair_analogy_accuracy(vectors, analogies, THREECOSMUL),
                total,
            )
        )
    for name, set_questions in (analogy_sets or {}).items():
        analogies = build_question_analogies(set_questions, words)
        total = sum(len(items) for items in set_questions.values())
        for method in ANALOGY_METHODS:
            rows.append(
                _analogy_row(
                    analogy_benchmark(name, method), method, *pair_analogy_accuracy(vectors, analogies, method), total
                )
            )
    for name, pairs in similarity_sets.items():
        rho, n = similarity_spearman(words, vectors, pairs)
        rows.append((name, rho, n, n / len(pairs) if len(pairs) else float("nan"), SPEARMAN))
        logger.info("%s: Spearman rho %.4f over %d of %d pairs", name, rho, n, len(pairs))
    scores = pd.DataFrame(rows, columns=SCORE_COLUMNS).astype({"score": "float64", "n": "int64", "coverage": "float64"})
    return scores, pd.concat(category_tables, ignore_index=True)


def analogy_scorer(
    analogy_file: str | os.PathLike[str], words: Sequence[str], tokenizer: str = DEFAULT_TOKENIZER
) -> Callable[[np.ndarray], float]:
    """W -> pair-protocol analogy accuracy (NaN when no analogy is in the vocabulary), for training logs;
    the questions' words normalised as the corpus's `tokenizer` normalises text."""
    analogies = build_pair_analogies(read_analogy_questions(analogy_file, tokenizer=tokenizer), words)

    def accuracy(vectors: np.ndarray) -> float:
        correct, total = pair_analogy_accuracy(vectors, analogies)
        return correct / total if total else float("nan")

    return accuracy
