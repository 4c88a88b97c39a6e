"""Score one embedding on the analogy and word-similarity benchmarks.

input: vec (word2vec text file; scored exactly as written), analogies (Google format), one input
`analogy_<name>` per further analogy set (Google format), and one named input per similarity set
(e.g. men, ws353, simlex; each optional).
output: scores (model,benchmark,score,n,coverage,method), categories (model,protocol,category,correct,n,accuracy,total).
params: model, analogy_sets (the further analogy sets' names), tokenizer (the corpus's: benchmark words
are normalised as its tokens are).
"""

from w2vtheory.atomic import write_table
from w2vtheory.closed_form.embeddings import read_vec
from w2vtheory.evaluation.datasets import read_analogy_questions, read_similarity
from w2vtheory.evaluation.scoring import SCORE_COLUMNS, evaluate_embedding
from w2vtheory.script_runner import run


def main(snakemake) -> None:
    words, vectors = read_vec(snakemake.input.vec)
    tokenizer = snakemake.params.tokenizer
    questions = read_analogy_questions(snakemake.input.analogies, tokenizer=tokenizer)
    analogy_inputs = {f"analogy_{name}": name for name in snakemake.params.analogy_sets}
    analogy_sets = {
        name: read_analogy_questions(snakemake.input[key], name=f"analogy_sets.{name}", tokenizer=tokenizer)
        for key, name in analogy_inputs.items()
    }
    similarity_sets = {
        name: read_similarity(path, name=name, tokenizer=tokenizer)
        for name, path in snakemake.input.items()
        if name not in {"vec", "analogies", *analogy_inputs}
    }
    scores, categories = evaluate_embedding(words, vectors, questions, similarity_sets, analogy_sets)
    model = snakemake.params.model
    write_table(snakemake.output.scores, scores.assign(model=model)[["model", *SCORE_COLUMNS]])
    write_table(snakemake.output.categories, categories.assign(model=model)[["model", *categories.columns]])


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
