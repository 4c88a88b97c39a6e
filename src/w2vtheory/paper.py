"""The paper's headline numbers (docs/paper.md section 6, Fig 3b; arXiv 2502.09863 v3), as constants.

They were measured on enwiki500 (English Wikipedia 2023-11-01, articles of at least 500 tokens,
about 2.0B tokens) with V = 10,000 and d = 200; any other corpus, V or d is a different experiment,
so tables that put our numbers beside these always state both settings.
"""

from __future__ import annotations

from types import MappingProxyType

PAPER_CORPUS = "enwiki500"
PAPER_VOCAB_SIZE = 10_000
PAPER_DIM = 200
PAPER_WINDOW = 16

# Our model name -> the paper's column heading.
PAPER_MODEL_NAMES = MappingProxyType(
    {"sgns": "word2vec (SGNS)", "qwem": "QWEM (trained)", "mstar": "svd(M*)", "ppmi": "PPMI", "pmi": "PMI"}
)

# Benchmark -> model -> score, in the units of benchmarks.csv: analogy as a fraction correct
# (the paper prints percent), similarity as Spearman rho.
PAPER_SCORES = MappingProxyType(
    {
        "analogy": MappingProxyType({"sgns": 0.680, "qwem": 0.651, "mstar": 0.663, "ppmi": 0.506, "pmi": 0.084}),
        "men": MappingProxyType({"sgns": 0.744, "qwem": 0.755, "mstar": 0.755, "ppmi": 0.740, "pmi": 0.448}),
        "ws353": MappingProxyType({"sgns": 0.698, "qwem": 0.682, "mstar": 0.683, "ppmi": 0.690, "pmi": 0.221}),
    }
)


def paper_score(model: str, benchmark: str) -> float | None:
    """The paper's score for our model name on a benchmark, or None where the paper has none."""
    return PAPER_SCORES.get(benchmark, {}).get(model)
