"""Corpus sources (local, bundled, url, huggingface) and the token store they are tokenised into.

- `store`: lexicon.tsv / tokens.npy / doc_offsets.npy, built streaming (read back with `w2vtheory.vocab`).
- `sources`: documents of each source, cut into 50,000-token pieces.
- `download`: verified download of a zipped corpus (text8).
- `bundled`: the offline default corpus assembled from Wikipedia text shipped in packages.
- `build`: `tokenize_corpus`, what the workflow's tokenize step calls.
"""

from w2vtheory.corpus.build import tokenize_corpus
from w2vtheory.corpus.store import build_token_store

__all__ = ["build_token_store", "tokenize_corpus"]
