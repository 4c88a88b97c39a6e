"""The experiment's vocabulary (the corpus lexicon's first vocab_size rows) and its tokens with
out-of-vocabulary words deleted (docs/paper.md section 2).

snakemake.input: lexicon, tokens, doc_offsets (the corpus token store).
snakemake.output: vocab (vocab.tsv), tokens (uint16 when V < 65,536 else uint32), doc_offsets (int64).
snakemake.params: vocab_size, corpus (its name, for messages).
"""

import logging
from typing import Any

from w2vtheory.atomic import save_npy
from w2vtheory.corpus.store import NpyVectorReader
from w2vtheory.corpus.vocab import read_lexicon, restrict_token_file, select_vocabulary, write_vocabulary
from w2vtheory.finite import load_npy
from w2vtheory.script_runner import run

log = logging.getLogger("build_vocab")


def main(snakemake: Any) -> None:
    vocab_size = int(snakemake.params.vocab_size)
    lexicon_path = snakemake.input.lexicon
    n_tokens = len(NpyVectorReader(snakemake.input.tokens))
    offsets = load_npy(snakemake.input.doc_offsets)
    # Only the first vocab_size rows are needed; fewer rows means fewer distinct words.
    lexicon_words, lexicon_counts = read_lexicon(lexicon_path, max_rows=vocab_size)
    words, counts = select_vocabulary(
        lexicon_words,
        lexicon_counts,
        vocab_size,
        lexicon_path=f"{lexicon_path} (corpus '{snakemake.params.corpus}', {n_tokens:,} tokens)",
    )
    # Block by block from file to file: the tokens of a large corpus need not fit in memory.
    new_offsets = restrict_token_file(snakemake.input.tokens, offsets, vocab_size, snakemake.output.tokens)
    n_kept = int(new_offsets[-1])
    if n_kept != counts.sum():
        log.warning(
            "%d in-vocabulary tokens but the lexicon counts add up to %d: the token store and %s disagree",
            n_kept,
            counts.sum(),
            lexicon_path,
        )
    log.info(
        "corpus %s: vocabulary of %d words keeps %d of %d tokens (%.2f%%) in %d documents",
        snakemake.params.corpus,
        vocab_size,
        n_kept,
        n_tokens,
        100 * n_kept / max(n_tokens, 1),
        len(new_offsets) - 1,
    )
    save_npy(snakemake.output.doc_offsets, new_offsets)
    write_vocabulary(snakemake.output.vocab, words, counts)


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
