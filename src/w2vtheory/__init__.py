"""Closed-form training dynamics of word2vec-like models (Karkada et al., NeurIPS 2025).

Subpackages follow the workflow's DAG, and each imports only those upstream of it:

| package | job |
|---|---|
| `corpus` | sources, tokenising, the token store, the vocabulary, co-occurrence counts |
| `closed_form` | P(i,j), P(i), M* and its relatives, their spectra, the closed-form embeddings |
| `training` | SGD on SGNS or QWEM: losses, pair weights, samplers, kernels, the loop, references |
| `evaluation` | the benchmark data sets, an embedding's scores, a run's gap to its converged value |
| `theory` | the closed-form dynamics, on a run's axes, and the accuracy it predicts |
| `analysis` | the tables the figures draw: directions, snapshots, task vectors, feature atlas |
| `plots` | one module per figure |

Infrastructure at the top: `atomic` (atomic writers), `errors` (`InputError`), `config` (merged,
checked settings), `memory` (the memory a job needs), `scaling` (rule cost model), `devices` (the
`device` key), `script_runner` (scripts' Snakemake adapter), `paper` (the paper's numbers).
"""
