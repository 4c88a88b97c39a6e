"""The closed forms computed from the counts (docs/paper.md section 2):

| module | job |
|---|---|
| `statistics` | P(i,j), P(i), M*, PMI, PPMI, the pair weights G; `load_corpus_statistics` |
| `spectra` | which matrix a spectrum is of (`build_matrix`) and its top eigenpairs |
| `embeddings` | closed-form embeddings W = U_d diag(sqrt(lambda_d)) and the word2vec text format |
"""
