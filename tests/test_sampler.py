"""Sampled pairs against the counted statistics: weighted positives follow P(i,j) exactly."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from w2vtheory.closed_form.statistics import joint_probability
from w2vtheory.corpus.cooccurrence import count_cooccurrence, count_pairs
from w2vtheory.training import cpu_kernels
from w2vtheory.training.sampler import TorchPairSampler, corpus_layout, distance_weight, offset_group, step_key

VOCAB, WINDOW = 12, 4
# Documents shorter than, equal to and longer than the window, and an empty one.
OFFSETS = np.array([0, 1, 4, 4, 9, 700, 1500])


def _tokens() -> np.ndarray:
    rng = np.random.default_rng(0)
    probabilities = 1.0 / np.arange(1, VOCAB + 1)
    return rng.choice(VOCAB, size=OFFSETS[-1], p=probabilities / probabilities.sum()).astype(np.uint16)


def _numba_draws(tokens: np.ndarray, n_steps: int, batch_size: int) -> np.ndarray:
    layout = corpus_layout(tokens, OFFSETS, WINDOW)
    return np.concatenate(
        [
            cpu_kernels.sample_pairs(
                np.uint64(step_key(0, step)),
                batch_size,
                layout.tokens,
                layout.doc_starts,
                layout.doc_lengths,
                layout.pair_offsets,
            )
            for step in range(n_steps)
        ]
    )


def _torch_draws(tokens: np.ndarray, n_steps: int, batch_size: int) -> np.ndarray:
    sampler = TorchPairSampler(corpus_layout(tokens, OFFSETS, WINDOW), torch.device("cpu"), torch.float64)
    rows = []
    for step in range(n_steps):
        batch = sampler.sample(0, step, batch_size)
        distance = np.rint((WINDOW + 1) - batch.weight.numpy() * (WINDOW + 1) / 2).astype(np.int64)
        rows.append(np.stack([batch.centre.numpy(), batch.context.numpy(), distance, batch.negative.numpy()], axis=1))
    return np.concatenate(rows)


@pytest.mark.parametrize("draw", [_numba_draws, _torch_draws], ids=["numba", "torch"])
def test_weighted_positive_pairs_follow_joint_probability(draw):
    tokens = _tokens()
    joint = joint_probability(count_cooccurrence(tokens, OFFSETS, VOCAB, WINDOW), count_pairs(OFFSETS, WINDOW), WINDOW)
    pairs = draw(tokens, 20, 20_000)
    n = len(pairs)
    assert pairs[:, 2].min() >= 1 and pairs[:, 2].max() <= WINDOW
    weights = distance_weight(pairs[:, 2].astype(np.float64), WINDOW)
    empirical = np.zeros((VOCAB, VOCAB))
    np.add.at(empirical, (pairs[:, 0], pairs[:, 1]), weights)
    empirical /= n
    # The weight is at most 2, so each cell's standard error is below sqrt(4 P / n).
    z = np.abs(empirical - joint) / np.sqrt(4 * np.maximum(joint, 1 / n) / n)
    assert z.max() < 5
    # The negatives: the same centre words, contexts from the unigram distribution.
    unigram = np.bincount(tokens, minlength=VOCAB) / len(tokens)
    negatives = np.bincount(pairs[:, 3], minlength=VOCAB) / n
    assert np.abs(negatives - unigram).max() < 5 * np.sqrt(unigram.max() / n)


def test_offset_group_enumerates_every_instance_once():
    for length in (1, 2, 3, 5, 17, 40):
        expected = [(p, d) for d in range(1, WINDOW + 1) for p in range(length - d)]
        index = torch.arange(len(expected))
        distance = offset_group(index, torch.full_like(index, length))
        first = index - ((distance - 1) * length - distance * (distance - 1) // 2)
        assert list(zip(first.tolist(), distance.tolist(), strict=True)) == expected
        for r, (p, d) in enumerate(expected):
            assert cpu_kernels._offset_group(r, length) == d


def test_draws_are_fixed_by_seed_and_step():
    tokens = _tokens()
    sampler = TorchPairSampler(corpus_layout(tokens, OFFSETS, WINDOW), torch.device("cpu"), torch.float64)
    first, again, other = sampler.sample(3, 10, 500), sampler.sample(3, 10, 500), sampler.sample(3, 11, 500)
    assert torch.equal(first.centre, again.centre) and torch.equal(first.negative, again.negative)
    assert not torch.equal(first.centre, other.centre)
    assert np.array_equal(_numba_draws(tokens, 2, 300), _numba_draws(tokens, 2, 300))
