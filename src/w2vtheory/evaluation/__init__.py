"""Benchmarks of an embedding (docs/paper.md section 5):

| module | job |
|---|---|
| `datasets` | reading and normalising the analogy and word-similarity files |
| `scoring` | pair-based analogies, 3CosAdd questions, Spearman similarity |
| `convergence` | a trained run's gap to its objective's converged value, and whether it has settled |
"""
