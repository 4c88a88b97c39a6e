"""Draw training pairs from the token array (docs/paper.md section 3), on the device that trains.

Positive pairs are drawn uniformly from the N ordered pair instances of the corpus (position p,
offset 1 <= d <= L within the document, either order) and carry the distance weight
(L+1-d)/((L+1)/2); the weighted pair distribution is then exactly P(i,j) = C[i,j]/(N (L+1)/2).
A negative pair keeps the positive pair's centre word and draws the context from the unigram
distribution by taking the token at a uniform random position (P(j) exactly, no table needed).

Instance index -> (document, position, offset): the forward instances of a document of length n
are grouped by offset d (n - d of them for d = 1..L), so index r inside the document falls in
group d = m + 1 for the largest m with f(m) = m n - m (m + 1)/2 <= r, found from the quadratic
formula and corrected by one where floating point rounds the wrong way.

Randomness is keyed by (seed, step): step s of a run always draws the same batch, so a resumed
run repeats an uninterrupted one without saving generator state. The CPU path uses the same
mapping inside its numba kernel (`w2vtheory.training.cpu_kernels`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

_MASK64 = (1 << 64) - 1


def splitmix64(value: int) -> int:
    """One round of the splitmix64 mixer on a Python int (64-bit wrap-around)."""
    value = (value + 0x9E3779B97F4A7C15) & _MASK64
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK64
    return value ^ (value >> 31)


def step_key(seed: int, step: int) -> int:
    """The 64-bit key of step `step` of a run with seed `seed`."""
    return splitmix64(splitmix64(seed) ^ splitmix64(step + (1 << 40)))


def distance_weight(distance: np.ndarray | torch.Tensor, window: int) -> np.ndarray | torch.Tensor:
    """(L + 1 - d) / ((L + 1)/2), the weight of a pair at distance d."""
    return (window + 1 - distance) / ((window + 1) / 2.0)


def forward_pair_counts(doc_lengths: np.ndarray, window: int) -> np.ndarray:
    """Per document: sum_{d=1..L} max(n - d, 0), the pair instances in one order."""
    reach = np.clip(doc_lengths - 1, 0, window)
    return reach * doc_lengths - reach * (reach + 1) // 2


@dataclass(frozen=True)
class CorpusLayout:
    """Host arrays the samplers need: tokens (in-vocabulary ids) and per-document pair tables."""

    tokens: np.ndarray
    doc_starts: np.ndarray
    doc_lengths: np.ndarray
    pair_offsets: np.ndarray  # cumulative forward pair counts, n_docs + 1 entries
    window: int

    @property
    def n_forward_pairs(self) -> int:
        return int(self.pair_offsets[-1])


def corpus_layout(tokens: np.ndarray, doc_offsets: np.ndarray, window: int) -> CorpusLayout:
    offsets = np.asarray(doc_offsets, dtype=np.int64)
    lengths = np.diff(offsets)
    pair_offsets = np.concatenate([[0], np.cumsum(forward_pair_counts(lengths, window))]).astype(np.int64)
    return CorpusLayout(np.asarray(tokens), offsets[:-1].copy(), lengths, pair_offsets, int(window))


def offset_group(index_in_document: torch.Tensor, doc_length: torch.Tensor) -> torch.Tensor:
    """The offset d of forward instance r of a document of length n (see module docstring)."""
    n = doc_length.to(torch.float64)
    root = torch.sqrt((2.0 * n - 1.0) ** 2 - 8.0 * index_in_document.to(torch.float64))
    m = torch.floor(((2.0 * n - 1.0) - root) / 2.0).to(torch.int64)
    m = torch.where(m * doc_length - m * (m + 1) // 2 > index_in_document, m - 1, m)
    m = torch.where((m + 1) * doc_length - (m + 1) * (m + 2) // 2 <= index_in_document, m + 1, m)
    return m + 1


@dataclass(frozen=True)
class PairBatch:
    centre: torch.Tensor
    context: torch.Tensor
    weight: torch.Tensor  # distance weight of each positive pair
    negative: torch.Tensor  # unigram-drawn context of the negative pair with the same centre


class TorchPairSampler:
    """The sampler with the corpus on a torch device; `sample` launches no host synchronisation."""

    def __init__(self, layout: CorpusLayout, device: torch.device, dtype: torch.dtype) -> None:
        self.window = layout.window
        self.device = device
        self.dtype = dtype
        self.n_forward_pairs = layout.n_forward_pairs
        self.tokens = torch.as_tensor(layout.tokens.astype(np.int32), device=device)
        self.doc_starts = torch.as_tensor(layout.doc_starts, device=device)
        self.doc_lengths = torch.as_tensor(layout.doc_lengths, device=device)
        self.pair_offsets = torch.as_tensor(layout.pair_offsets, device=device)
        self.generator = torch.Generator(device=device)

    def sample(self, seed: int, step: int, batch_size: int) -> PairBatch:
        self.generator.manual_seed(step_key(seed, step) >> 1)  # torch seeds are < 2^63
        draw = {"generator": self.generator, "device": self.device}
        instance = torch.randint(0, self.n_forward_pairs, (batch_size,), **draw)
        doc = torch.searchsorted(self.pair_offsets, instance, right=True) - 1
        index_in_document = instance - self.pair_offsets[doc]
        length = self.doc_lengths[doc]
        distance = offset_group(index_in_document, length)
        first = self.doc_starts[doc] + index_in_document - ((distance - 1) * length - distance * (distance - 1) // 2)
        a = self.tokens[first].long()
        b = self.tokens[first + distance].long()
        swap = torch.randint(0, 2, (batch_size,), **draw).bool()
        negative = self.tokens[torch.randint(0, len(self.tokens), (batch_size,), **draw)].long()
        weight = distance_weight(distance.to(self.dtype), self.window)
        return PairBatch(torch.where(swap, b, a), torch.where(swap, a, b), weight, negative)
