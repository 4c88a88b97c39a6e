"""From corpus sources to the token store, the vocabulary and the co-occurrence counts
(docs/paper.md section 2):

| module | job |
|---|---|
| `tokenize` | words, documents and 50,000-token pieces |
| `sources` | documents of each source (local, bundled, url, huggingface) |
| `download` | verified download of a zipped corpus (text8) |
| `bundled` | the offline default corpus assembled from Wikipedia text shipped in packages |
| `store` | lexicon.tsv / tokens.npy / doc_offsets.npy, built streaming |
| `build` | `tokenize_corpus`, what the workflow's tokenize step calls |
| `vocab` | top-V selection and out-of-vocabulary deletion |
| `cooccurrence` | the windowed, distance-weighted counts C (numba, threaded) and the pair count N |
"""

from w2vtheory.corpus.build import tokenize_corpus
from w2vtheory.corpus.store import build_token_store

__all__ = ["build_token_store", "tokenize_corpus"]
