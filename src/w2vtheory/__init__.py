"""Closed-form training dynamics of word2vec-like models.

Modules run upstream to downstream, and each imports only modules upstream of it:
tokenize -> corpus -> vocab -> cooccurrence -> statistics -> spectra -> embeddings
-> (losses, reweighting, sampler, theory) -> trainer -> evaluation -> plots.
"""
