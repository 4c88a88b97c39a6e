"""Benchmark scores of an embedding (docs/paper.md section 5).

Analogies: an item "a : b :: a' : b'" is answered by the word w, other than a, b and a', with the
largest cosine to b^ - a^ + a'^ (^ = row scaled to unit length; zero rows stay zero). Two item sets:
- the paper's pair protocol: per category, the distinct in-vocabulary pairs (a, b) from both halves
  of every Google question, and every ordered pair of distinct pairs as an item;
- the standard 3CosAdd protocol: the Google questions whose four words are all in the vocabulary.
Similarity: Spearman rho between cosine similarity and the human scores over in-vocabulary pairs.
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

from w2vtheory.evaluation.datasets import AnalogyQuestion, read_analogy_questions

logger = logging.getLogger(__name__)

PAIR_PROTOCOL = "pair"
THREECOSADD_PROTOCOL = "3cosadd"


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


def _predict_batch(unit: np.ndarray, first: np.ndarray, second: np.ndarray, anchor: np.ndarray) -> np.ndarray:
    """Answers of a batch of items.

    cos(w, b^ - a^ + a'^) ranks w like w^ . (b^ - a^) + w^ . a'^, and the items of a category share
    few distinct offsets (a, b) and anchors a', so the scores against the whole vocabulary come from
    one matrix product with one row per distinct offset and anchor (reading the vectors once), and
    each item only adds two of those rows.
    """
    offsets, offset_of = np.unique(np.stack([first, second], axis=1), axis=0, return_inverse=True)
    anchors, anchor_of = np.unique(anchor, return_inverse=True)
    offset_of = offset_of.reshape(-1)
    queries = np.concatenate([unit[offsets[:, 1]] - unit[offsets[:, 0]], unit[anchors]])
    scores_by_query = queries @ unit.T
    offset_scores, anchor_scores = scores_by_query[: len(offsets)], scores_by_query[len(offsets) :]
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


def _query_rows(analogies: Analogies, items: np.ndarray) -> int:
    """Distinct offsets plus distinct anchors among `items`: the rows _predict_batch scores."""
    offsets = np.unique(np.stack([analogies.first[items], analogies.second[items]], axis=1), axis=0)
    return len(offsets) + len(np.unique(analogies.anchor[items]))


def _category_batches(analogies: Analogies, max_query_rows: int) -> list[np.ndarray]:
    """Item indices grouped by whole categories, each group needing at most `max_query_rows` query
    rows (a single larger category makes a group of its own)."""
    batches: list[np.ndarray] = []
    current: list[np.ndarray] = []
    current_rows = 0
    for position in range(len(analogies.categories)):
        items = np.flatnonzero(analogies.category == position)
        if not len(items):
            continue
        rows = _query_rows(analogies, items)
        if current and current_rows + rows > max_query_rows:
            batches.append(np.concatenate(current))
            current, current_rows = [], 0
        current.append(items)
        current_rows += rows
    if current:
        batches.append(np.concatenate(current))
    return batches


def predict_answers(vectors: np.ndarray, analogies: Analogies, score_bytes: int = 2**28) -> np.ndarray:
    """The predicted answer (word index) of every item; `score_bytes` bounds the score matrix held at once."""
    unit = unit_rows(vectors)
    predictions = np.empty(len(analogies), dtype=np.int64)
    for items in _category_batches(analogies, max(1, score_bytes // (8 * len(unit)))):
        predictions[items] = _predict_batch(
            unit, analogies.first[items], analogies.second[items], analogies.anchor[items]
        )
    return predictions


def pair_analogy_accuracy(vectors: np.ndarray, analogies: Analogies) -> tuple[int, int]:
    """(correct, n) pooled over all items (either protocol's)."""
    correct = predict_answers(vectors, analogies) == analogies.answer
    return int(correct.sum()), len(analogies)


def analogy_accuracy_by_category(vectors: np.ndarray, analogies: Analogies) -> pd.DataFrame:
    """DataFrame(category, correct, n, accuracy), one row per category of `analogies`."""
    correct = predict_answers(vectors, analogies) == analogies.answer
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


def evaluate_embedding(
    words: Sequence[str],
    vectors: np.ndarray,
    questions: Mapping[str, Sequence[AnalogyQuestion]],
    similarity_sets: Mapping[str, pd.DataFrame],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(scores, categories) of one embedding.

    scores: DataFrame(benchmark, score, n) with `analogy` (pair protocol, fraction correct),
    `analogy_3cosadd` (standard protocol) and one Spearman rho per similarity set; score is NaN
    where n = 0. categories: DataFrame(protocol, category, correct, n, accuracy, total), where
    `total` is what the category would give with every word in the vocabulary (coverage = n / total).
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
    category_tables = [
        _category_table(protocol, analogy_accuracy_by_category(vectors, analogies), totals)
        for protocol, (analogies, totals) in protocols.items()
    ]
    rows = []
    for benchmark, table in zip(("analogy", "analogy_3cosadd"), category_tables, strict=True):
        correct, n = int(table["correct"].sum()), int(table["n"].sum())
        rows.append((benchmark, correct / n if n else float("nan"), n))
        logger.info(
            "%s: %d of %d correct (%d possible with full coverage)", benchmark, correct, n, table["total"].sum()
        )
    for name, pairs in similarity_sets.items():
        rho, n = similarity_spearman(words, vectors, pairs)
        rows.append((name, rho, n))
        logger.info("%s: Spearman rho %.4f over %d of %d pairs", name, rho, n, len(pairs))
    scores = pd.DataFrame(rows, columns=["benchmark", "score", "n"]).astype({"score": "float64", "n": "int64"})
    return scores, pd.concat(category_tables, ignore_index=True)


def _format_score(benchmark: str, score: float) -> str:
    if np.isnan(score):
        return "n/a"
    return f"{100 * score:.1f}%" if benchmark.startswith("analogy") else f"{score:.3f}"


def _benchmark_header(benchmark: str, counts: pd.Series) -> str:
    """The benchmark's name, with its item count when every model scored the same items."""
    distinct = counts.unique()
    return f"{benchmark} (n = {distinct[0]:,})" if len(distinct) == 1 else benchmark


def summary_markdown(
    benchmarks: pd.DataFrame,
    categories: pd.DataFrame,
    *,
    experiment: str,
    corpus: str,
    vocab_size: int,
    dim: int,
    window: int,
) -> str:
    """models x benchmarks as a Markdown table, models and benchmarks in order of appearance."""
    models = list(dict.fromkeys(benchmarks["model"]))
    names = list(dict.fromkeys(benchmarks["benchmark"]))
    score = benchmarks.set_index(["model", "benchmark"])["score"]
    question_rows = categories[categories["protocol"] == THREECOSADD_PROTOCOL]
    questions = question_rows.groupby("model")[["n", "total"]].sum().reindex(models, fill_value=0)
    headers = [
        "model",
        *(_benchmark_header(name, benchmarks.loc[benchmarks["benchmark"] == name, "n"]) for name in names),
    ]
    headers.append("3CosAdd coverage")
    lines = [
        f"# Experiment `{experiment}`: corpus `{corpus}`, V = {vocab_size:,}, d = {dim}, window L = {window}",
        "",
        "| " + " | ".join(headers) + " |",
        "|" + "---|" * len(headers),
    ]
    for model in models:
        cells = [_format_score(name, score.get((model, name), np.nan)) for name in names]
        answered, total = questions.loc[model]
        coverage = f"{answered:,} / {total:,} ({100 * answered / total:.1f}%)" if total else "n/a"
        lines.append("| " + " | ".join([model, *cells, coverage]) + " |")
    lines += [
        "",
        "`analogy`: the paper's pair protocol (docs/paper.md section 5), fraction of analogies correct. "
        "`analogy_3cosadd`: 3CosAdd over the Google questions with all four words in the vocabulary "
        "(coverage: questions scored / all questions). Similarity benchmarks: Spearman rho between "
        "cosine similarity and human scores over the pairs with both words in the vocabulary.",
    ]
    return "\n".join(lines) + "\n"


def analogy_scorer(analogy_file: str | os.PathLike[str], words: Sequence[str]) -> Callable[[np.ndarray], float]:
    """W -> pair-protocol analogy accuracy (NaN when no analogy is in the vocabulary), for training logs."""
    analogies = build_pair_analogies(read_analogy_questions(analogy_file), words)

    def accuracy(vectors: np.ndarray) -> float:
        correct, total = pair_analogy_accuracy(vectors, analogies)
        return correct / total if total else float("nan")

    return accuracy
