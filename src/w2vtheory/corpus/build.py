"""Tokenise a configured corpus into its token store and record its provenance.

The corpus config is the dict under `corpora.<name>` of config.yaml; `source` selects how it is
read (see `sources`). `input_path` is the file that source needs: the text file (local), the
assembled source.txt (bundled), the verified zip (url); huggingface streams and needs none.
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from w2vtheory.atomic import write_text
from w2vtheory.corpus.sources import (
    ArticleTally,
    file_sha256,
    huggingface_batches,
    huggingface_texts,
    local_pieces,
    zip_pieces,
    zip_text_member,
)
from w2vtheory.corpus.store import EncodedBatch, StoreSummary, build_token_store, encode_in_batches
from w2vtheory.corpus.tokenize import MAX_DOCUMENT_TOKENS, UNICODE, corpus_tokenizer
from w2vtheory.errors import InputError

HUGGINGFACE_DEFAULTS = {"split": "train", "text_field": "text", "min_tokens": 500}


def _read_local(corpus: dict[str, Any], input_path: Path) -> tuple[Iterator[EncodedBatch], dict[str, Any]]:
    record = {"path": str(input_path), "licence": "as supplied by the user"}
    return encode_in_batches(local_pieces(input_path, tokenizer=corpus_tokenizer(corpus))), record


def _read_bundled(corpus: dict[str, Any], input_path: Path) -> tuple[Iterator[EncodedBatch], dict[str, Any]]:
    # fetch_bundled_corpus writes source_provenance.json next to source.txt.
    parts_record = input_path.with_name("source_provenance.json")
    parts = json.loads(parts_record.read_text(encoding="utf-8"))["parts"] if parts_record.is_file() else []
    licence = "; ".join(f"{part['part']}: {part['licence']}" for part in parts)
    pieces = local_pieces(input_path, tokenizer=corpus_tokenizer(corpus))
    return encode_in_batches(pieces), {"path": str(input_path), "parts": parts, "licence": licence}


def _read_url(corpus: dict[str, Any], input_path: Path) -> tuple[Iterator[EncodedBatch], dict[str, Any]]:
    member = zip_text_member(input_path)
    record = {
        "url": corpus["url"],
        "path": str(input_path),
        "member": member.filename,
        "member_bytes": member.file_size,
        "licence": f"not recorded: see the terms of {corpus['url']}",
    }
    return encode_in_batches(zip_pieces(input_path, tokenizer=corpus_tokenizer(corpus))), record


def _tokenize_huggingface(
    corpus: dict[str, Any], paths: tuple[Path, Path, Path], threads: int
) -> tuple[StoreSummary, dict[str, Any]]:
    settings = {**HUGGINGFACE_DEFAULTS, **corpus}
    tally = ArticleTally()
    texts = huggingface_texts(settings)
    batches = huggingface_batches(texts, tally, settings["min_tokens"], threads, tokenizer=corpus_tokenizer(corpus))
    kept_rows = (
        f"Hugging Face dataset {settings['dataset']!r} (rows of at least min_tokens {settings['min_tokens']} tokens)"
    )
    summary = build_token_store(batches, *paths, source=kept_rows)
    record = {
        key: settings.get(key) for key in ("dataset", "subset", "split", "text_field", "min_tokens", "data_files")
    } | {
        "n_rows_read": tally.read,
        "n_rows_kept": tally.kept,
        "sha256": tally.digest.hexdigest(),
        "sha256_of": "the UTF-8 text of every row read, each followed by a NUL byte",
        "licence": f"see the dataset card of {settings['dataset']} (https://huggingface.co/datasets)",
    }
    return summary, record


_FILE_READERS = {"local": _read_local, "bundled": _read_bundled, "url": _read_url}


def tokenize_corpus(
    corpus: dict[str, Any],
    name: str,
    input_path: str | os.PathLike[str] | None,
    *,
    lexicon: str | os.PathLike[str],
    tokens: str | os.PathLike[str],
    doc_offsets: str | os.PathLike[str],
    provenance: str | os.PathLike[str],
    threads: int = 1,
) -> dict[str, Any]:
    """Build the token store of corpus `name` and write its provenance.json; return the provenance."""
    source = corpus.get("source")
    paths = (Path(lexicon), Path(tokens), Path(doc_offsets))
    if source == "huggingface":
        summary, record = _tokenize_huggingface(corpus, paths, threads)
    elif source in _FILE_READERS:
        if input_path is None:
            raise InputError(f"corpus {name!r} (source: {source}) needs an input file")
        input_path = Path(input_path)
        batches, record = _FILE_READERS[source](corpus, input_path)
        summary = build_token_store(batches, *paths, source=f"corpus {name!r} ({input_path})")
        record["sha256"] = file_sha256(input_path)
    else:
        raise InputError(f"corpus {name!r}: unknown `source: {source}`; use local, bundled, url or huggingface")
    tokenizer = corpus_tokenizer(corpus)
    # The unicode tokenizer's letters, marks and foldings come from this Python's Unicode database.
    tokenizer_record = {"tokenizer": tokenizer} | (
        {"unicode_version": unicodedata.unidata_version} if tokenizer == UNICODE else {}
    )
    result = {
        "corpus": name,
        "source": source,
        **record,
        **tokenizer_record,
        "max_document_tokens": MAX_DOCUMENT_TOKENS,
        "n_documents": summary.n_documents,
        "n_tokens": summary.n_tokens,
        "n_types": summary.n_types,
    }
    write_text(provenance, json.dumps(result, indent=2) + "\n")
    return result
